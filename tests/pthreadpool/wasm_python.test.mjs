// tests/pthreadpool/test_wasm_python.py in the threaded CPython-on-Wasm (one python.js
// process, with a timeout): a side module built against our pthreadpool.h, loaded with
// ctypes.CDLL, runs a 2D tiled job on the pool's workers.
// (The runtime passes only PYTHON*, WARMPOOL* and WPB_* variables to Python.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runPython } from '../../pyodide-patches/wasm-python/run.mjs';

// make passes the toolchain's build (WARMPOOL_PTP_TILED_LIB); by hand, 3.1.6's.
const LIB = process.env.WARMPOOL_PTP_TILED_LIB || join(ROOT, 'build/pthreadpool/wasm/libtiled2d.so');

test('2D tiled pthreadpool job from Python on Wasm threads', async () => {
  assert.ok(existsSync(LIB), `${LIB} missing: make test-pthreadpool-wasm-python builds it`);
  const run = await runPython(['-m', 'unittest', '-v', 'tests/pthreadpool/test_wasm_python.py'],
    { env: { WARMPOOL_PTP_TILED_LIB: LIB }, timeoutMs: 300000 });
  const detail = `exit ${run.code} timedOut=${run.timedOut}\n${run.stderr.slice(-4000)}`;
  assert.equal(run.timedOut, false, detail);
  assert.match(run.stderr, /\nOK\b/, detail);
  assert.equal(run.code, 0, detail);
});
