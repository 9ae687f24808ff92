// The same parallel_for jobs driven from Python in three runtimes, side by side in one run:
// native CPython (build/native/libwarmpool.so), the threaded CPython-on-Wasm
// (build/wasm-python/python, threaded side module; and, when built, the same built with
// Emscripten 3.1.69 with its side modules: build/wasm-3.1.69) and stock Pyodide from npm
// (serial side module), plus the per-call ctypes overhead in each. The Python side is
// bench/wasm_python_bench.py; median microseconds per call.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runPython } from '../pyodide-patches/wasm-python/run.mjs';
import { parseOutput, runChild } from '../tools/child.mjs';

const SCRIPT = join(ROOT, 'bench/wasm_python_bench.py');
const B = join(ROOT, 'build');
const parse = (text) => {
  const { result } = parseOutput(text);
  if (!result) throw new Error('no RESULT line in:\n' + text.slice(-2000));
  return result;
};

async function native() {
  const env = { ...process.env, WARMPOOL_LIB: join(B, 'native/libwarmpool.so'),
    WARMPOOL_KERNELS: join(B, 'native/libkernels.so') };
  const run = await runChild('/usr/bin/python3', [SCRIPT], { env, timeoutMs: 300000 });
  return parse(run.stdout + '\n' + run.stderr);
}

// suffix '' (emcc 3.1.6) or '-3.1.69': the runtime and side modules of one toolchain.
async function wasmThreaded(suffix = '') {
  const pydir = suffix ? join(B, `wasm${suffix}/wasm-python/python`) : join(B, 'wasm-python/python');
  const run = await runPython([SCRIPT], { timeoutMs: 300000, pydir, env: {
    WARMPOOL_LIB: join(B, `wasm${suffix}/libwarmpool.so`),
    WARMPOOL_KERNELS: join(B, `py-wasm${suffix}/libkernels.so`) } });
  return parse(run.stdout + '\n' + run.stderr);
}
const HAS_3169 = existsSync(join(B, 'wasm-3.1.69/wasm-python/python/python.js'));

async function pyodide() {
  const require = createRequire(import.meta.url);
  const { loadPyodide } = require(join(ROOT, 'node_modules/pyodide/pyodide.js'));
  let out = '';
  const py = await loadPyodide({ stdout: (l) => { out += l + '\n'; }, stderr: (l) => { out += l + '\n'; } });
  py.FS.mkdirTree(ROOT);
  py.mountNodeFS(ROOT, ROOT); // the checkout at the same path: no copies
  py.globals.set('wpb_env', py.toPy({
    WARMPOOL_LIB: join(B, 'wasm/libwarmpool-serial.so'),
    WARMPOOL_KERNELS: join(B, 'py-wasm/libkernels-serial.so'),
    WPB_REPEATS: process.env.WPB_REPEATS || '300' }));
  py.runPython(`import os, runpy\nos.environ.update(wpb_env)\nrunpy.run_path(${JSON.stringify(SCRIPT)}, run_name='__main__')`);
  return parse(out);
}

const results = [];
const RUNS = [['native', native], ['threaded wasm', () => wasmThreaded()],
  ...(HAS_3169 ? [['threaded wasm 3.1.69', () => wasmThreaded('-3.1.69')]] : []), ['pyodide', pyodide]];
for (const [name, fn] of RUNS) {
  try {
    results.push(await fn());
  } catch (e) {
    console.log(`wasm-python bench: ${name} failed: ${e.message.split('\n').slice(0, 6).join('\n')}`);
    results.push(null);
  }
}
const ok = results.filter(Boolean);
const rows = [...new Set(ok.flatMap((r) => Object.keys(r.rows)))];
const w = Math.max(...rows.map((r) => r.length)) + 2;
const header = ['native', 'threaded 3.1.6', ...(HAS_3169 ? ['threaded 3.1.69'] : []), 'pyodide (serial)'];
console.log('parallel_for from Python, median us per call (pool: caller + 1 worker; ' +
  'cold = after 2 ms idle, warm = inside pool.warm())');
for (const r of results) if (r) console.log(`  ${r.runtime}: workers asked ${r.workers}, ready ${r.ready}, items run by workers ${r.items_workers}`);
console.log(''.padEnd(w) + header.map((h) => h.padStart(18)).join('') + '   3.1.6/native' +
  (HAS_3169 ? ' 3.1.69/native' : ''));
for (const row of rows) {
  const v = results.map((r) => (r && row in r.rows ? r.rows[row] : null));
  const cell = (x) => (x == null ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1)).padStart(18);
  const ratio = (x) => (v[0] && x ? (x / v[0]).toFixed(2) + 'x' : '-').padStart(14);
  console.log(row.padEnd(w) + v.map(cell).join('') + ratio(v[1]) + (HAS_3169 ? ratio(v[2]) : ''));
}
process.exit(results.every(Boolean) ? 0 : 1);
