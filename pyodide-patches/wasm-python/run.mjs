// Starts the threaded CPython (build/wasm-python/python/python.js, or the 3.1.69 one in
// build/wasm-3.1.69/wasm-python/python/) under Node and runs Python in it. The runtime is linked with NODERAWFS, so Python sees the real file system:
// python/, build/wasm/ and build/wasm-python/ are used in place, nothing is copied.
//
//   node pyodide-patches/wasm-python/run.mjs -m unittest ...    (a CLI, same as below)
//   import { runPython } from './run.mjs'; await runPython(['-c', 'print(1)'])
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOutput, runChild } from '../../tools/child.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// WARMPOOL_WB (exported by make: build/wasm, or build/wasm-3.1.69 with EMSDK_VERSION=3.1.69)
// picks the toolchain: its side modules and the runtime built with the same emcc.
const WB = resolve(ROOT, process.env.WARMPOOL_WB || 'build/wasm');
const B = dirname(WB);
const SUFFIX = basename(WB).replace(/^wasm/, '');  // '' or '-3.1.69'
const WPY = SUFFIX ? join(WB, 'wasm-python') : join(B, 'wasm-python');
export const PYDIR = process.env.WASM_PYTHON_DIR || join(WPY, 'python');
export const PYTHON_JS = join(PYDIR, 'python.js');
export const WASM_LIB = process.env.WARMPOOL_LIB || join(WB, 'libwarmpool.so');
export const KERNELS = process.env.WARMPOOL_KERNELS || join(B, `py-wasm${SUFFIX}/libkernels.so`);
export const PROBE = process.env.WASM_PYTHON_PROBE || join(WPY, 'libprobe.so');

// What build.sh's stamp says of a runtime: the Emscripten version it was built with
// ('3.1.6', '3.1.69') and the set of build workarounds applied to it (its WP_* names:
// 'emjs', 'wasmfix', 'no-cns', 'pre-js', 'zero-mem'); null fields when it is not built.
export function runtimeInfo(pydir = PYDIR) {
  let text = '';
  try { text = readFileSync(join(pydir, 'stamp'), 'utf8'); } catch { return { emsdk: null, workarounds: null }; }
  const v = /\) (\d+\.\d+\.\d+)/.exec(text);
  const w = /^workarounds:(.*)$/m.exec(text);
  return { emsdk: v ? v[1] : null, workarounds: w ? new Set(w[1].trim().split(/\s+/).filter(Boolean)) : null };
}
export const EMSDK = runtimeInfo().emsdk;

// Run python.js with args; resolves what tools/child.mjs's runChild does.
// A run that outlives timeoutMs is killed and reported as timedOut: a hang is a failure.
// pydir: another runtime's directory (its python.js and PYTHONHOME), e.g. the other toolchain's.
export function runPython(args, { env = {}, timeoutMs = 120000, cwd = ROOT, echo = false,
  pydir = PYDIR, pythonJs = join(pydir, 'python.js') } = {}) {
  if (!existsSync(pythonJs)) {
    return Promise.reject(new Error(`${pythonJs} missing: run make wasm-python`));
  }
  const fullEnv = {
    ...process.env,
    PYTHONHOME: pydir,
    // NODERAWFS writes through to the real tree: keep __pycache__ out of python/.
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
    // Emscripten's stdio answers isatty() with true even into a pipe, and 3.13 then colours
    // its tracebacks (ANSI escapes in the stderr the tests match).
    PYTHON_COLORS: '0',
    WARMPOOL_LIB: WASM_LIB,
    WARMPOOL_KERNELS: KERNELS,
    // Python runs on a pthread (PROXY_TO_PTHREAD): the JS main thread stays free.
    WARMPOOL_JS_MAIN_FREE: '1',
    ...env,
  };
  return runChild(process.execPath, ['--no-experimental-fetch', pythonJs, ...args],
    { cwd, env: fullEnv, timeoutMs, echo });
}

// Python source that runs `body` and prints one JSON line "RESULT {...}" from `out`.
export function pyJson(body) {
  return ['-c', `import json, sys\nout = {}\n${body}\nprint("RESULT " + json.dumps(out), flush=True)`];
}

export function parseResult(run) {
  return parseOutput(run.stdout).result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const run = await runPython(process.argv.slice(2), { timeoutMs: 30 * 60 * 1000, echo: true });
  if (run.timedOut) console.error('wasm-python runner: timed out');
  process.exit(run.code ?? 1);
}
