// wasm_bench.mjs - the Wasm rows of `make bench`: warmpool with 1 worker (2 threads in
// total) in the Node host, built by each Emscripten (3.1.6: the patched host, libraries
// loaded the way Pyodide loads them; 3.1.69: the stock host, plain C dlopen, as the patch
// tool has no 3.1.69 shape yet), next to the same timing loop run natively
// (build/bench/wasm_bench_native), in interleaved rounds.
// Prints medians [min..max] in ns per parallel_for call and the ratio Wasm/native (goal:
// under 3x cold, under 1.5x warm). Usage: node wasm_bench.mjs [rounds] [ms per cell]
// (WASM_BENCH_TOOLCHAINS=3.1.6,3.1.69 picks the builds; default: every one built)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, startHost, until } from '../pyodide-patches/host/host_api.mjs';

const rounds = Number(process.argv[2] || 7), ms = Number(process.argv[3] || 100);
const NATIVE = path.join(ROOT, 'build/bench/wasm_bench_native');
const CELLS = ['empty_cold', 'empty_warm', 'tiny_cold', 'tiny_warm'];
const ALL = [['3.1.6', 'build/wasm', 'host-patched', true], ['3.1.69', 'build/wasm-3.1.69', 'host', false]];
const want = process.env.WASM_BENCH_TOOLCHAINS ? process.env.WASM_BENCH_TOOLCHAINS.split(',') : null;
const chains = ALL.filter(([v, b]) => (want ? want.includes(v) : existsSync(path.join(ROOT, b, 'test/libwbench.so'))));
if (!chains.length) throw new Error('no Wasm build to measure');

const dir = mkdtempSync(path.join(tmpdir(), 'wasm-bench-'));
const runs = [];
for (const [ver, build, hostName, jsFirst] of chains) {
  const B = path.join(ROOT, build);
  const host = await startHost(path.join(B, hostName));
  const libs = {};
  for (const [k, f] of [['pool', 'libwarmpool.so'], ['bench', 'test/libwbench.so']]) {
    libs[k] = path.join(dir, `${ver}-${path.basename(f)}`);
    copyFileSync(path.join(B, f), libs[k]);
    if (jsFirst) { await host.jsLoad(libs[k]); host.addGap(2); }
  }
  const ph = host.dlopen(libs.pool), bh = host.dlopen(libs.bench);
  const r = { ver, host, jsFirst, measure: host.fn(bh, 'wb_measure'), destroy: host.fn(ph, 'warmpool_destroy') };
  const ready = host.fn(ph, 'warmpool_ready');
  r.pool = host.fn(ph, 'warmpool_create')(1);
  await until(() => ready(r.pool) === 1, 10000, `the worker (${ver})`);
  r.res = Object.fromEntries(CELLS.map((c) => [c, []]));
  runs.push(r);
}

const native = Object.fromEntries(CELLS.map((c) => [c, []]));
for (let i = 0; i < rounds; i++) {
  const nat = JSON.parse(execFileSync(NATIVE, [String(ms)], { encoding: 'utf8', timeout: 60000 }));
  for (const c of CELLS) native[c].push(nat[c]);
  for (const r of runs) CELLS.forEach((c, k) => r.res[c].push(r.measure(r.pool, k >> 1, k & 1, ms)));
  await new Promise((ok) => setTimeout(ok, 10));
}
for (const r of runs) r.destroy(r.pool);

const bad = [native, ...runs.map((r) => r.res)].flatMap((m) => Object.values(m).flat()).filter((v) => v < 0);
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
const fmt = (a) => `${med(a).toFixed(0)} [${Math.min(...a).toFixed(0)}..${Math.max(...a).toFixed(0)}]`;
console.log(`Wasm (Node ${process.version}; ${runs.map((r) => `emcc ${r.ver}: ${r.jsFirst ? 'patched host, JS load + dlopen' : 'stock host, C dlopen'}`).join('; ')}) ` +
  `vs native (gcc -O2), 1 worker + caller, ${rounds} interleaved rounds x ${ms} ms per cell, ns per call`);
console.log(`| job | native | ${runs.map((r) => `wasm ${r.ver} | ${r.ver}/native`).join(' | ')} | goal |`);
console.log(`|---|---|${runs.map(() => '---|---|').join('')}---|`);
for (const c of CELLS) {
  const goal = c.endsWith('cold') ? 3 : 1.5;
  const ratios = runs.map((r) => med(r.res[c]) / med(native[c]));
  console.log(`| ${c.replace('_', ' ').replace('empty', 'n=2 empty').replace('tiny', 'n=1000 tiny')} | ${fmt(native[c])} | ` +
    runs.map((r, k) => `${fmt(r.res[c])} | ${ratios[k].toFixed(2)}x`).join(' | ') +
    ` | < ${goal}x ${runs.map((r, k) => `${r.ver} ${ratios[k] < goal ? 'met' : 'MISSED'}`).join(', ')} |`);
}
if (bad.length) console.log(`WRONG RESULTS: ${bad.length} cells had items not done exactly once per call`);
for (const r of runs) r.host.terminate();
process.exit(bad.length ? 1 : 0);
