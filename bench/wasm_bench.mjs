// wasm_bench.mjs - the Wasm rows of `make bench`: warmpool with 1 worker (2 threads in
// total) in the patched Node host, loaded the way Pyodide loads libraries, next to the same
// timing loop run natively (build/bench/wasm_bench_native), in interleaved rounds.
// Prints medians [min..max] in ns per parallel_for call and the ratio Wasm/native (goal:
// under 3x cold, under 1.5x warm). Usage: node wasm_bench.mjs [rounds] [ms per cell]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILD, ROOT, startHost, until } from '../pyodide-patches/host/host_api.mjs';

const rounds = Number(process.argv[2] || 7), ms = Number(process.argv[3] || 100);
const NATIVE = path.join(ROOT, 'build/bench/wasm_bench_native');
const CELLS = ['empty_cold', 'empty_warm', 'tiny_cold', 'tiny_warm'];

const host = await startHost(path.join(BUILD, 'host-patched'));
const dir = mkdtempSync(path.join(tmpdir(), 'wasm-bench-'));
const libs = {};
for (const [k, f] of [['pool', path.join(BUILD, 'libwarmpool.so')], ['bench', path.join(BUILD, 'test/libwbench.so')]]) {
  libs[k] = path.join(dir, path.basename(f));
  copyFileSync(f, libs[k]);
  await host.jsLoad(libs[k]);
  host.addGap(2);
}
const ph = host.dlopen(libs.pool), bh = host.dlopen(libs.bench);
const create = host.fn(ph, 'warmpool_create'), ready = host.fn(ph, 'warmpool_ready');
const destroy = host.fn(ph, 'warmpool_destroy'), measure = host.fn(bh, 'wb_measure');
const pool = create(1);
await until(() => ready(pool) === 1, 10000, 'the worker');

const res = { wasm: {}, native: {} };
for (const c of CELLS) { res.wasm[c] = []; res.native[c] = []; }
for (let r = 0; r < rounds; r++) {
  const nat = JSON.parse(execFileSync(NATIVE, [String(ms)], { encoding: 'utf8', timeout: 60000 }));
  for (const c of CELLS) res.native[c].push(nat[c]);
  CELLS.forEach((c, k) => res.wasm[c].push(measure(pool, k >> 1, k & 1, ms)));
  await new Promise((ok) => setTimeout(ok, 10));
}
destroy(pool);

const bad = Object.values(res).flatMap((m) => Object.values(m).flat()).filter((v) => v < 0);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const fmt = (a) => `${med(a).toFixed(0)} [${Math.min(...a).toFixed(0)}..${Math.max(...a).toFixed(0)}]`;
console.log(`Wasm (Node ${process.version}, emcc 3.1.6, patched host) vs native (gcc -O2), ` +
  `1 worker + caller, ${rounds} interleaved rounds x ${ms} ms per cell, ns per call`);
console.log('| job | native | wasm | wasm/native | goal |');
console.log('|---|---|---|---|---|');
for (const c of CELLS) {
  const ratio = med(res.wasm[c]) / med(res.native[c]);
  const goal = c.endsWith('cold') ? 3 : 1.5;
  console.log(`| ${c.replace('_', ' ').replace('empty', 'n=2 empty').replace('tiny', 'n=1000 tiny')} | ` +
    `${fmt(res.native[c])} | ${fmt(res.wasm[c])} | ${ratio.toFixed(2)}x | < ${goal}x ${ratio < goal ? 'met' : 'MISSED'} |`);
}
if (bad.length) console.log(`WRONG RESULTS: ${bad.length} cells had items not done exactly once per call`);
host.terminate();
process.exit(bad.length ? 1 : 0);
