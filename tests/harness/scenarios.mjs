// scenarios.mjs - one scenario in a fresh Node process: node scenarios.mjs NAME HOSTDIR [POOLLIB]
// Prints "CHECK <json>" per check as it happens, then "RESULT <json>" ({checks} or {error})
// and exits, which also ends the pthread workers. The *.test.mjs files run it through
// host_scenario.mjs, which kills it on a timeout: a C call that hangs blocks its event loop for good.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILD, Job, startHost, until } from '../../pyodide-patches/host/host_api.mjs';
import { reportCheck, reportResult } from '../../tools/child.mjs';

const [name, hostDir, poolLibArg] = process.argv.slice(2);
const POOL_LIB = poolLibArg || path.join(BUILD, 'libwarmpool.so');
const KERNELS = path.join(BUILD, 'test/libkernels.so');
const checks = {};
let host;

const trace = process.env.SCENARIO_TRACE ? (m) => process.stderr.write(`scenario: ${m}\n`) : () => {};
function check(label, ok, detail = '') {
  trace(`${ok ? 'ok' : 'FAIL'} ${label}`);
  checks[label] = { ok: !!ok, detail: typeof detail === 'string' ? detail : JSON.stringify(detail) };
  reportCheck(label, checks[label]);
}
function finish(extra = {}) {
  if (host) host.terminate();
  reportResult({ checks, ...extra });
  process.exit(0);
}
function fail(e) {
  reportResult({ checks, error: String(e && e.stack || e) });
  process.exit(1);
}
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

// Copies the test libraries to a private directory on disk, under fresh names.
function diskCopy(src, as) {
  const dir = path.join(tmpdir(), `warmpool-libs-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const dst = path.join(dir, as);
  copyFileSync(src, dst);
  return dst;
}

// Pyodide's order: JS loads, JS adds table entries, JS loads, C dlopens both.
async function pyodideLoad(h, { memfs = false, suffix = '' } = {}) {
  let poolPath, kernPath;
  if (memfs) {
    poolPath = `/lib/libwarmpool${suffix}.so`;
    kernPath = `/lib/libkernels${suffix}.so`;
    h.memfsWrite(poolPath, readFileSync(POOL_LIB));
    h.memfsWrite(kernPath, readFileSync(KERNELS));
  } else {
    poolPath = diskCopy(POOL_LIB, `libwarmpool${suffix}.so`);
    kernPath = diskCopy(KERNELS, `libkernels${suffix}.so`);
  }
  trace(`JS load ${poolPath}`);
  await h.jsLoad(poolPath, { memfs });
  h.addGap(3);
  trace(`JS load ${kernPath}`);
  await h.jsLoad(kernPath, { memfs });
  h.addGap(2);
  trace('C dlopen both');
  return h.bind(h.dlopen(poolPath), h.dlopen(kernPath));
}

// Plain C dlopen of both libraries from disk: placement travels in the C dso records.
function cLoad(h) {
  return h.bind(h.dlopen(diskCopy(POOL_LIB, 'libwarmpool.so')), h.dlopen(diskCopy(KERNELS, 'libkernels.so')));
}

// Runs k_fill (or fnptr) over [lo, hi) and checks every item ran once, some on workers,
// and the library's own global counted every chunk (it lives at the library's memory base).
// On a loaded machine a sleeping worker may wake only after the caller has done the whole
// job, so "workers did items" allows three tries; every try must be right.
function fillJob(h, P, K, pool, label, { lo = 3, hi = 2003, grain = 4, spin = 10000, fnptr } = {}) {
  const chunks = Math.ceil((hi - lo) / grain);
  const offMain = [];
  for (let attempt = 0; attempt < 3 && !offMain.some((n) => n > 0); attempt++) {
    const job = new Job(h, K, pool, lo, hi, spin);
    const calls0 = K.calls_get();
    const s0 = h.stats(P, pool);
    P.parallel_for(pool, lo, hi, grain, fnptr || K.fill_ptr(), job.job);
    const s1 = h.stats(P, pool);
    const tag = attempt ? ` (try ${attempt + 1})` : '';
    check(`${label}: every item once${tag}`, job.wrong().length === 0, job.wrong());
    check(`${label}: chunks in range${tag}`, job.bad() === 0, `${job.bad()} bad chunks`);
    check(`${label}: ran in parallel${tag}`, s1.jobs_parallel === s0.jobs_parallel + 1, s1);
    check(`${label}: library globals shared${tag}`, K.calls_get() - calls0 === chunks,
      `k_calls +${K.calls_get() - calls0}, chunks ${chunks}`);
    offMain.push(job.offMain());
    job.free();
  }
  check(`${label}: workers did items`, offMain.some((n) => n > 0), `off-main items per try ${offMain}`);
}

async function poolOf(h, P, n) {
  const pool = P.create(n);
  if (!pool) throw new Error('warmpool_create failed');
  await until(() => P.ready(pool) === n, 10000, `${n} workers ready`);
  return pool;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The pool's properties on real Wasm threads (the C suite's, in the patched host).
async function props() {
  host = await startHost(hostDir);
  // As in Pyodide: the libraries live in MEMFS only, JS loads them, adds table entries,
  // then C dlopens them. A stock 3.1.69 runtime cannot JS-load from its FS (Pyodide's
  // Emscripten is patched for that) nor keep a JS-loaded library's placement: there
  // the properties run on plain C dlopen.
  const { P, K } = host.jsLoadsFromFs ? await pyodideLoad(host, { memfs: true }) : cLoad(host);
  check(`libraries loaded by ${host.jsLoadsFromFs ? 'JS from MEMFS, then C dlopen' : 'C dlopen'}`, true);
  const h = host;
  const M32 = 2 ** 32;
  // Every item exactly once, in bounds: pools of 1, 2, 3, 7 workers, several grains,
  // prime, empty and single ranges, and a range that ends at SIZE_MAX.
  for (const n of [1, 2, 3, 7]) {
    const pool = await poolOf(h, P, n);
    let bad = [];
    for (const [lo, hi] of [[0, 10007], [5, 6], [9, 9], [M32 - 1 - 1009, M32 - 1]]) {
      for (const grain of [0, 1, 7, 64, 10007]) {
        const job = new Job(h, K, pool, lo, hi);
        P.parallel_for(pool, lo, hi, grain, K.fill_ptr(), job.job);
        if (job.wrong().length || job.bad()) bad.push({ lo, hi, grain, wrong: job.wrong(), bad: job.bad() });
        job.free();
      }
    }
    check(`${n} workers: every item once, chunks in range`, bad.length === 0, bad.slice(0, 3));
    // With real work per item the workers take a share (an empty kernel may finish on
    // the caller before a sleeping worker wakes).
    fillJob(h, P, K, pool, `${n} workers, busy items`);
    P.destroy(pool);
  }
  const pool = await poolOf(h, P, 3);
  // Nested: every chunk calls parallel_for on the same pool; it runs serially.
  {
    const job = new Job(h, K, pool, 0, 300);
    h.M; P.reset_stats(pool);
    P.parallel_for(pool, 0, 300, 10, K.nested_ptr(), job.job);
    const st = h.stats(P, pool);
    check('nested: every item once', job.wrong().length === 0, job.wrong());
    check('nested: inner calls ran serially as nested', st.jobs_serial_nested > 0, st);
    job.free();
  }
  // Concurrent: 3 C threads submit 20 jobs each to one pool at the same time.
  {
    const job = new Job(h, K, pool, 0, 3000, 50);
    P.reset_stats(pool);
    const rc = K.concurrent(pool, job.job, 3);
    const st = h.stats(P, pool);
    check('concurrent: submitters started', rc === 0, `rc ${rc}`);
    check('concurrent: every item 20 times', job.wrong(20).length === 0, job.wrong(20));
    check('concurrent: every job accounted for', st.jobs_parallel + st.jobs_serial_concurrent +
      st.jobs_serial_nested + st.jobs_serial_tiny + st.jobs_serial_not_ready === 60, st);
    job.free();
  }
  // Warm: on until switched off; jobs keep working while warm.
  {
    P.reset_stats(pool);
    P.warm(pool, 1);
    check('warm: is_warm after warm(1)', P.is_warm(pool) === 1);
    const job = new Job(h, K, pool, 0, 1000);
    for (let i = 0; i < 50; i++) P.parallel_for(pool, 0, 1000, 8, K.fill_ptr(), job.job);
    check('warm: 50 jobs, every item 50 times', job.wrong(50).length === 0, job.wrong(50));
    P.warm(pool, 0);
    check('warm: off after warm(0)', P.is_warm(pool) === 0);
    const st = h.stats(P, pool);
    check('warm: counted', st.warm_on === 1, st);
    job.free();
  }
  P.destroy(pool);
  // Cool-down: a pool left warm turns itself off after cool_after_ms.
  {
    const opt = h.options(2, 30);
    const cp = P.create_ex(opt);
    await until(() => P.ready(cp) === 2, 10000, 'cool pool ready');
    P.warm(cp, 1);
    let cooled = true;
    try { await until(() => P.is_warm(cp) === 0, 3000, 'cool-down'); } catch { cooled = false; }
    const st = h.stats(P, cp);
    check('cool-down: warm mode ends by itself', cooled && st.cooldowns >= 1, st);
    // Destroy while warm returns promptly and joins every worker.
    P.warm(cp, 1);
    const t0 = Date.now();
    P.destroy(cp);
    check('destroy while warm returns', Date.now() - t0 < 3000, `${Date.now() - t0} ms`);
    h.M._free(opt);
  }
  // Create/destroy in a loop, workers reused.
  {
    let ok = true;
    for (let i = 0; i < 5; i++) {
      const p = await poolOf(h, P, 3);
      const job = new Job(h, K, p, 0, 500, 100);
      P.parallel_for(p, 0, 500, 5, K.fill_ptr(), job.job);
      ok = ok && job.wrong().length === 0;
      job.free();
      P.destroy(p);
      await sleep(5);
    }
    check('create/destroy x5: every job right', ok);
  }
  await serialUntilReady(h, P, K);
  await threadIndex(h);
}

// The pool library props loaded: by JS from MEMFS where the runtime can (as Pyodide does),
// else by C dlopen from disk.
function poolHandle(h) {
  return h.jsLoadsFromFs ? h.dlopen('/lib/libwarmpool.so') : h.dlopen(diskCopy(POOL_LIB, 'libwarmpool.so'));
}

// Loads the thread-index kernels (tests/pool/thread_kernels.c) the way the pool library
// was loaded, and binds parallel_for_with_thread from that library.
async function threadKernels(h) {
  let file = path.join(BUILD, 'test/libthreadk.so');
  if (h.jsLoadsFromFs) {
    file = '/lib/libthreadk.so';
    h.memfsWrite(file, readFileSync(path.join(BUILD, 'test/libthreadk.so')));
    await h.jsLoad(file, { memfs: true });
  }
  const th = h.dlopen(file), ph = poolHandle(h);
  const T = {};
  for (const n of ['tk_record_ptr', 'tk_job_size', 'tk_job_init', 'tk_job_bad']) T[n.slice(3)] = h.fn(th, n);
  return { T, pft: h.fn(ph, 'warmpool_parallel_for_with_thread') };
}

// Runs fn (a warmpool_thread_fn of thread_kernels.c) over [lo, hi) with
// parallel_for_with_thread: which thread ran each item, and what the pool counted.
function threadJob(h, P, T, pft, pool, workers, lo, hi, grain, spin) {
  const n = hi - lo, who = h.M._calloc(n, 4), job = h.M._malloc(T.job_size());
  T.job_init(job, who, lo, hi, workers, spin);
  P.reset_stats(pool);
  pft(pool, lo, hi, grain, T.record_ptr(), job);
  const w = new Uint32Array(h.u8.buffer, who, n);
  const r = { missed: w.filter((v) => v === 0).length, byWorkers: w.filter((v) => v > 1).length,
    onCaller: w.filter((v) => v === 1).length, bad: T.job_bad(job), stats: h.stats(P, pool) };
  h.M._free(who); h.M._free(job);
  return r;
}

// The thread index on Wasm threads: every item once, each chunk's index in 0..workers,
// no index used by two chunks at once, index k > 0 exactly the workers' items.
async function threadIndex(h) {
  const { P } = h.bind(poolHandle(h));
  const { T, pft } = await threadKernels(h);
  for (const n of [1, 3]) {
    const pool = await poolOf(h, P, n);
    const bad = [];
    let onWorkers = 0;
    for (const grain of [0, 1, 7]) {
      const r = threadJob(h, P, T, pft, pool, n, 5, 20005, grain, 200);
      onWorkers += r.byWorkers;
      if (r.missed || r.bad || r.byWorkers !== r.stats.items_workers) bad.push({ grain, ...r });
    }
    check(`thread index, ${n} worker(s): distinct, in range, k > 0 = the workers' items`,
      bad.length === 0, bad.slice(0, 2));
    check(`thread index, ${n} worker(s): workers took part`, onWorkers > 0, `${onWorkers} items`);
    P.destroy(pool);
  }
}

// In a host that pre-starts no workers, every pthread's Web Worker starts only once the
// JS event loop turns. Create, a job, destroy, all in one synchronous stretch on the JS
// main thread (as `with warmpool.Pool() as p:` in one call from Python): destroy must
// return, and once the event loop turns the late workers must start, exit without
// running anything, and give their Web Workers back.
async function destroyUnstarted() {
  host = await startHost(hostDir);
  const { P, K } = await pyodideLoad(host, { memfs: true });
  const h = host, PT = h.M.PThread;
  const running = () => PT.runningWorkers.length;
  const idle = running();
  for (const [label, n] of [['1 worker', 1], ['3 workers', 3]]) {
    const t0 = Date.now();
    const pool = P.create(n);
    const job = new Job(h, K, pool, 0, 3000, 10);
    P.parallel_for(pool, 0, 3000, 4, K.fill_ptr(), job.job);
    const st = h.stats(P, pool);
    const calls = K.calls_get();
    const notStarted = { ready: P.ready(pool), workers: running() - idle };
    P.destroy(pool);
    const ms = Date.now() - t0;
    check(`${label}: the job ran serially, every item once`, job.wrong().length === 0 &&
      st.jobs_serial_not_ready === 1 && st.items_workers === 0, st);
    check(`${label}: create, job, destroy returned in one stretch`, ms < 5000, `${ms} ms`);
    // The first round has none started; later rounds may reuse a loaded Web Worker
    // given back by the previous one, which starts at once.
    check(`${label}: not every worker had started`, notStarted.ready < n && notStarted.workers === n &&
      (n > 1 || notStarted.ready === 0), notStarted);
    let gone = true;
    try { await until(() => running() === idle, 10000, 'late workers to exit'); } catch { gone = false; }
    check(`${label}: the late workers exited, Web Workers given back`, gone, `running ${running()}, idle ${idle}`);
    check(`${label}: no job ran after destroy`, K.calls_get() === calls && job.wrong().length === 0,
      `k_calls ${calls} -> ${K.calls_get()}`);
    job.free();
  }
  // A job before the workers started runs serially: thread index 0 in every chunk. The
  // rounds above gave back at most 4 loaded Web Workers, which start at once: of 8
  // workers, some have not started.
  {
    const { T, pft } = await threadKernels(h);
    const p = P.create(8);
    const r = threadJob(h, P, T, pft, p, 8, 0, 1000, 1, 0);
    P.destroy(p);
    check('thread index: 0 in every chunk of a job run before the workers started',
      r.onCaller === 1000 && !r.bad && r.stats.jobs_serial_not_ready === 1, r);
  }
  // Some started, some not: 2 ready workers of one pool, then a second pool of 3 made and
  // destroyed at once, then the first destroyed with its workers in the job loop.
  {
    const a = await poolOf(h, P, 2);
    const b = P.create(3);
    const t0 = Date.now();
    P.destroy(b);
    const ms = Date.now() - t0;
    fillJob(h, P, K, a, 'a pool next to a destroyed one');
    P.destroy(a);
    check('mixed: destroy of the unstarted pool returned', ms < 5000, `${ms} ms`);
    let gone = true;
    try { await until(() => running() === idle, 10000, 'every worker to exit'); } catch { gone = false; }
    check('mixed: every worker exited', gone, `running ${running()}, idle ${idle}`);
  }
  // The runtime is still sound: a new pool starts, runs in parallel, and is destroyed.
  {
    const pool = await poolOf(h, P, 2);
    fillJob(h, P, K, pool, 'after the late exits');
    P.destroy(pool);
  }
}

// parallel_for before the workers have started runs serially (never waits for them);
// after the event loop turned, the same pool runs in parallel.
async function serialUntilReady(h, P, K) {
  // Right after create, synchronously.
  {
    const p = P.create(3);
    const job = new Job(h, K, p, 0, 2000, 200);
    P.parallel_for(p, 0, 2000, 4, K.fill_ptr(), job.job);
    const st = h.stats(P, p);
    check('right after create: completes, every item once', job.wrong().length === 0, job.wrong());
    check('right after create: one job, serial if not ready',
      st.jobs_serial_not_ready + st.jobs_parallel === 1, st);
    job.free();
    P.destroy(p);
  }
  // Deterministic: 7 workers are busy with another pool, so 2 of the next pool's 7
  // workers need new Web Workers, which cannot start before the event loop turns.
  {
    const other = await poolOf(h, P, 7);
    await sleep(20);
    const p = P.create(7);
    const job = new Job(h, K, p, 0, 2000, 200);
    P.parallel_for(p, 0, 2000, 4, K.fill_ptr(), job.job);
    let st = h.stats(P, p);
    check('workers not started: job ran serially', st.jobs_serial_not_ready === 1 &&
      st.items_workers === 0 && job.wrong().length === 0, st);
    job.free();
    await until(() => P.ready(p) === 7, 10000, 'new workers after the event loop turned');
    // Long enough (tens of ms) for woken Web Workers to arrive on a busy machine.
    const job2 = new Job(h, K, p, 0, 2000, 20000);
    P.parallel_for(p, 0, 2000, 4, K.fill_ptr(), job2.job);
    st = h.stats(P, p);
    check('after yielding: same pool runs in parallel', st.jobs_parallel === 1 &&
      st.items_workers > 0 && job2.wrong().length === 0, st);
    job2.free();
    P.destroy(p);
    P.destroy(other);
  }
  // Workers held in on_start: the pool stays usable, serially.
  {
    const gate = h.M._calloc(1, 4);
    const p = K.create_held(2, gate);
    await sleep(20);
    const job = new Job(h, K, p, 0, 500);
    P.parallel_for(p, 0, 500, 4, K.fill_ptr(), job.job);
    let st = h.stats(P, p);
    check('held workers: serial, no deadlock', st.jobs_serial_not_ready === 1 && job.wrong().length === 0, st);
    Atomics.store(new Int32Array(h.u8.buffer), gate >> 2, 1);
    await until(() => P.ready(p) === 2, 10000, 'released workers');
    job.free();
    P.destroy(p);
    h.M._free(gate);
  }
}

const scenarios = {
  props,
  'destroy-unstarted': destroyUnstarted,
  // JS loadDynamicLibrary + addFunction + C dlopen, files on disk: placement must match.
  async 'pyodide-load'() {
    host = await startHost(hostDir);
    const { P, K } = await pyodideLoad(host);
    const pool = await poolOf(host, P, 3);
    fillJob(host, P, K, pool, 'loaded by JS first');
    P.destroy(pool);
  },
  // The libraries exist only in the main thread's MEMFS; plain C dlopen.
  async 'memfs-only'() {
    host = await startHost(hostDir);
    host.memfsWrite('/lib/libwarmpool.so', readFileSync(POOL_LIB));
    host.memfsWrite('/lib/libkernels.so', readFileSync(KERNELS));
    const { P, K } = host.bind(host.dlopen('/lib/libwarmpool.so'), host.dlopen('/lib/libkernels.so'));
    const pool = await poolOf(host, P, 2);
    fillJob(host, P, K, pool, 'MEMFS-only library');
    P.destroy(pool);
  },
  // Workers run and sleep; then a second kernels library arrives Pyodide-style.
  // The first libraries come by plain C dlopen, which works unpatched, so only the late
  // part depends on the patches.
  async 'late-pyodide'() {
    host = await startHost(hostDir);
    const { P, K } = cLoad(host);
    const pool = await poolOf(host, P, 2);
    fillJob(host, P, K, pool, 'before');
    await new Promise((r) => setTimeout(r, 50)); // the workers go to sleep
    const late = await pyodideLoad(host, { suffix: '-late' });
    fillJob(host, P, late.K, pool, 'library loaded after the workers started');
    P.destroy(pool);
  },
  // Plain C dlopen after the workers run (pool library: POOL_LIB, with or without the
  // sync-on-wake hook).
  async 'late-c-dlopen'() {
    host = await startHost(hostDir);
    const { P, K } = host.bind(host.dlopen(diskCopy(POOL_LIB, 'libwarmpool.so')),
      host.dlopen(diskCopy(KERNELS, 'libkernels.so')));
    const pool = await poolOf(host, P, 2);
    fillJob(host, P, K, pool, 'before');
    await new Promise((r) => setTimeout(r, 50));
    const late = host.bind(host.dlopen(diskCopy(POOL_LIB, 'libwarmpool.so')),
      host.dlopen(diskCopy(KERNELS, 'libkernels-late.so')));
    fillJob(host, P, late.K, pool, 'C dlopen after the workers started');
    P.destroy(pool);
  },
  // A kernel whose only table slot is the one dlsym added (ctypes' lib.k_fill2).
  async 'dlsym-pointer'() {
    host = await startHost(hostDir);
    const poolPath = diskCopy(POOL_LIB, 'libwarmpool.so'), kernPath = diskCopy(KERNELS, 'libkernels.so');
    const ph = host.dlopen(poolPath), kh = host.dlopen(kernPath);
    const { P, K } = host.bind(ph, kh);
    const pool = await poolOf(host, P, 2);
    fillJob(host, P, K, pool, 'dlsym pointer', { fnptr: host.dlsym(kh, 'k_fill2') });
    P.destroy(pool);
  },
  // A worker that hosted a finished thread gets a new one after a library arrived.
  async 'worker-reuse'() {
    host = await startHost(hostDir);
    const { P, K } = cLoad(host);
    for (let i = 0; i < 3; i++) {
      const pool = await poolOf(host, P, 6);
      fillJob(host, P, K, pool, `round ${i}`);
      P.destroy(pool);
      await new Promise((r) => setTimeout(r, 20)); // workers go back to the unused list
    }
    const late = await pyodideLoad(host, { suffix: '-late' });
    const pool = await poolOf(host, P, 6);
    fillJob(host, P, late.K, pool, 'reused workers, new library');
    P.destroy(pool);
  },
  // A library loaded once malloc has handed out and freed memory: emcc 3.1.6 gives the
  // library that memory as is (not zeroed). Filled with 1s, its data-init flag reads "in
  // progress" and the load waits forever; otherwise its zero-initialised globals are not.
  async 'dirty-heap'() {
    host = await startHost(hostDir);
    const n = 1 << 20, p = host.M._malloc(n);
    new Uint32Array(host.u8.buffer, p, n / 4).fill(1);
    host.M._free(p);
    const { P, K } = host.bind(host.dlopen(diskCopy(POOL_LIB, 'libwarmpool.so')),
      host.dlopen(diskCopy(KERNELS, 'libkernels.so')));
    check('library loads on a dirty heap', true);
    check('zero-initialised global is zero', K.calls_get() === 0, `k_calls = ${K.calls_get()}`);
    const pool = await poolOf(host, P, 2);
    fillJob(host, P, K, pool, 'dirty heap');
    P.destroy(pool);
  },
  // The runtime evaluated by a script in another directory; where the main script is comes
  // from Module.mainScriptUrlOrBlob, or from globalThis.PTHREAD_MAIN_JS.
  async elsewhere() {
    host = await startHost(hostDir, { from: 'elsewhere', opts: { mainScriptUrlOrBlob: path.resolve(hostDir, 'host.js') } });
    await elsewhereJob();
  },
  async 'elsewhere-global'() {
    globalThis.PTHREAD_MAIN_JS = path.resolve(hostDir, 'host.js');
    host = await startHost(hostDir, { from: 'elsewhere' });
    await elsewhereJob();
  },
};

async function elsewhereJob() {
  const { P, K } = host.bind(host.dlopen(diskCopy(POOL_LIB, 'libwarmpool.so')),
    host.dlopen(diskCopy(KERNELS, 'libkernels.so')));
  const pool = P.create(2);
  await until(() => P.ready(pool) === 2, 5000, 'workers started from the right script');
  fillJob(host, P, K, pool, 'host started from elsewhere');
  P.destroy(pool);
}

const run = scenarios[name];
if (!run) fail(new Error(`no scenario ${name}; have ${Object.keys(scenarios).join(', ')}`));
run().then(() => finish(), fail);
