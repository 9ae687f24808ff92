// Starts the threaded CPython (build/wasm-python/python/python.js) under Node and runs
// Python in it. The runtime is linked with NODERAWFS, so Python sees the real file system:
// python/, build/wasm/ and build/wasm-python/ are used in place, nothing is copied.
//
//   node pyodide-patches/wasm-python/run.mjs -m unittest ...    (a CLI, same as below)
//   import { runPython } from './run.mjs'; await runPython(['-c', 'print(1)'])
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOutput, runChild } from '../../tools/child.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PYDIR = process.env.WASM_PYTHON_DIR || join(ROOT, 'build/wasm-python/python');
export const PYTHON_JS = join(PYDIR, 'python.js');
export const WASM_LIB = process.env.WARMPOOL_LIB || join(ROOT, 'build/wasm/libwarmpool.so');
export const KERNELS = process.env.WARMPOOL_KERNELS || join(ROOT, 'build/py-wasm/libkernels.so');
export const PROBE = join(ROOT, 'build/wasm-python/libprobe.so');

// Run python.js with args; resolves what tools/child.mjs's runChild does.
// A run that outlives timeoutMs is killed and reported as timedOut: a hang is a failure.
export function runPython(args, { env = {}, timeoutMs = 120000, cwd = ROOT, echo = false,
  pythonJs = PYTHON_JS } = {}) {
  if (!existsSync(pythonJs)) {
    return Promise.reject(new Error(`${pythonJs} missing: run make wasm-python`));
  }
  const fullEnv = {
    ...process.env,
    PYTHONHOME: PYDIR,
    // NODERAWFS writes through to the real tree: keep __pycache__ out of python/.
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONUNBUFFERED: '1',
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
