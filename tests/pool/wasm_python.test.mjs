// tests/pool/test_wasm_python.py in the threaded CPython on Wasm (one python.js process
// with a timeout): destroy from Python while no Web Worker can start (3.1.6), or the
// workers starting while the JS main thread is held (3.1.69). This side makes
// the FIFO that holds the JS main thread and releases it HOLD_S seconds after the start.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runPython } from '../../pyodide-patches/wasm-python/run.mjs';

const HOLD_S = 6;

test('with warmpool.Pool(): destroy while no worker can start (threaded CPython on Wasm)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warmpool-hold-'));
  const fifo = path.join(dir, 'hold');
  execFileSync('mkfifo', [fifo]);
  // Non-blocking open: ENXIO until Python's reader has it open; then one byte releases it.
  let released = false;
  const release = () => {
    try {
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(fd, 'x');
      closeSync(fd);
      released = true;
    } catch { /* no reader yet, or gone */ }
  };
  const t0 = Date.now() / 1000;
  const timer = setTimeout(release, HOLD_S * 1000);
  const retry = setInterval(() => { if (!released && Date.now() / 1000 > t0 + HOLD_S) release(); }, 200);
  try {
    const run = await runPython(['-m', 'unittest', '-v', 'tests/pool/test_wasm_python.py'], {
      timeoutMs: 120000,
      env: { WARMPOOL_HOLD_FIFO: fifo, WARMPOOL_HOLD_S: String(HOLD_S), WARMPOOL_HOLD_T0: String(t0) },
    });
    const detail = `exit ${run.code} timedOut=${run.timedOut} released=${released}\n${run.stderr.slice(-4000)}`;
    assert.equal(run.timedOut, false, detail);
    assert.match(run.stderr, /\nOK\b/, detail);
    assert.equal(run.code, 0, detail);
  } finally {
    clearTimeout(timer);
    clearInterval(retry);
    rmSync(dir, { recursive: true, force: true });
  }
});
