// trace.test.mjs - the tracer in the threaded Wasm build: a pool job traced in the Node
// host gives trace-event JSON that parses, nests, names the pool's threads, and shows
// every chunk once on the thread that ran it; the clock is the ABI-safe one (ns that
// track real time). The scenario runs in a child process that is killed on a timeout,
// since a hung C call would block this process's event loop for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BUILD, Job, startHost, until } from '../../pyodide-patches/host/host_api.mjs';
import { reportResult, runChild } from '../../tools/child.mjs';

const SELF = new URL(import.meta.url).pathname;
const checks = {};
const check = (label, ok, detail = '') => { checks[label] = { ok: !!ok, detail: String(detail) }; };

async function child() {
  const hostDir = path.join(BUILD, existsSync(path.join(BUILD, 'host-patched/host.js')) ? 'host-patched' : 'host');
  const h = await startHost(hostDir);
  const poolLib = h.dlopen(path.join(BUILD, 'libwarmpool.so'));
  const { P, K } = h.bind(poolLib, h.dlopen(path.join(BUILD, 'test/libkernels.so')));
  const T = {};
  for (const n of ['start', 'enable', 'now_ns', 'snapshot_since', 'free', 'json', 'json_free'])
    T[n] = h.fn(poolLib, `warmpool_trace_${n}`);
  check('start', T.start(4096) === 0);

  const c0 = T.now_ns(), w0 = Date.now();
  await new Promise((r) => setTimeout(r, 50));
  const dt = Number(T.now_ns() - c0) / 1e6, wall = Date.now() - w0;
  check('clock: ns that follow real time', Math.abs(dt - wall) < 15, `${dt} ms vs ${wall} ms`);

  const pool = P.create(2); // tracing is on: the workers record their names at start
  await until(() => P.ready(pool) === 2, 10000, 'workers ready');
  P.warm(pool, 1);
  const t0 = T.now_ns();
  // ~10 ms of busy-work: long enough for a worker to take part even when this 2-core
  // machine is busy (with 1 ms, a loaded CI run once saw the caller do every chunk).
  const job = new Job(h, K, pool, 0, 400, 30000);
  P.parallel_for(pool, 0, 400, 4, K.fill_ptr(), job.job);
  const offMain = job.offMain();
  P.warm(pool, 0);
  T.enable(0);

  const snap = T.snapshot_since(t0);
  check('snapshot', snap !== 0);
  const lenp = h.M._malloc(4);
  const js = T.json(snap, 0, lenp);
  const text = h.M.UTF8ToString(js, new Uint32Array(h.u8.buffer, lenp, 1)[0]);
  T.json_free(js);
  T.free(snap);
  h.M._free(lenp);
  job.free();
  P.destroy(pool);

  let doc;
  try { doc = JSON.parse(text); } catch (e) { check('JSON parses', false, e); }
  if (doc) {
    check('JSON parses', Array.isArray(doc.traceEvents));
    const depth = new Map(), names = new Map(), chunks = new Map(), workerTids = new Set();
    let nested = true, mainTid = null, itemsOff = 0;
    for (const e of doc.traceEvents) {
      if (e.ph === 'M' && e.name === 'thread_name') names.set(e.tid, e.args.name);
      if (e.ph === 'B') depth.set(e.tid, (depth.get(e.tid) || 0) + 1);
      if (e.ph === 'E') {
        depth.set(e.tid, (depth.get(e.tid) || 0) - 1);
        if (depth.get(e.tid) < 0) nested = false;
      }
      if (e.ph === 'B' && e.name.startsWith('job ')) mainTid = e.tid;
    }
    for (const e of doc.traceEvents) {
      if (e.ph !== 'B' || e.name !== 'chunk') continue;
      const k = `${e.args.begin}-${e.args.end}`;
      chunks.set(k, (chunks.get(k) || 0) + 1);
      if (e.tid !== mainTid) { itemsOff += e.args.end - e.args.begin; workerTids.add(e.tid); }
    }
    check('B/E nest per thread', nested && [...depth.values()].every((d) => d === 0));
    // Which workers ran chunks depends on scheduling (2 cores, 3 threads): every thread
    // that did must carry its pool name.
    check('pool threads named', workerTids.size > 0 &&
      [...workerTids].every((t) => /^warmpool-[12]$/.test(names.get(t) || '')), [...names.values()]);
    const once = [...chunks.values()].every((n) => n === 1);
    check('every chunk once', chunks.size === 100 && once, `${chunks.size} chunks`);
    check('chunks on the threads that ran them', itemsOff === offMain && offMain > 0,
      `trace says ${itemsOff} items off the main thread, the kernel counted ${offMain}`);
    check('pool events have static names',
      doc.traceEvents.some((e) => e.name === 'wake') && doc.traceEvents.some((e) => e.name === 'job 1'));
  }
  h.terminate();
  reportResult({ checks });
  process.exit(0);
}

if (process.argv[2] === '--child') {
  child().catch((e) => {
    reportResult({ checks, error: String(e && e.stack || e) });
    process.exit(1);
  });
} else {
  test('tracer in the threaded wasm build', { timeout: 90000 }, async () => {
    const r = await runChild(process.execPath, ['--no-experimental-fetch', SELF, '--child'],
      { timeoutMs: 60000 });
    assert.ok(r.result, `no result (signal ${r.signal}, status ${r.code}): ${r.stderr}`);
    assert.equal(r.result.error, undefined, r.result.error);
    for (const [label, c] of Object.entries(r.checks)) assert.ok(c.ok, `${label}: ${c.detail}`);
    assert.ok(Object.keys(r.checks).length >= 8, 'every check ran');
  });
}
