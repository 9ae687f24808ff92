// The threaded CPython runtime itself: C threads behind ctypes.CDLL, one test per build
// workaround (each fails on a runtime built without it), and the two known limits pinned.
// Each case runs in a fresh python.js process: a trap kills the whole runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, PYDIR, PROBE, runPython, pyJson, parseResult } from './runner.mjs';

const LOAD = `import ctypes\nlib = ctypes.CDLL(${JSON.stringify(PROBE)})\n`;

async function py(body, opts) {
  const run = await runPython(pyJson(body), opts);
  const out = parseResult(run);
  return { run, out, why: `exit ${run.code} timedOut=${run.timedOut}\n${run.stderr.slice(-1500)}` };
}

test('runtime reports pthreads and ctypes works', async () => {
  const { out, why } = await py(`out['pthreads'] = bool(sys._emscripten_info.pthreads)
import ctypes
out['abs'] = ctypes.CDLL(None).abs(-5)  # libc from the main module, through libffi`);
  assert.ok(out, why);
  assert.equal(out.pthreads, true);
  assert.equal(out.abs, 5);
});

test('ctypes.CDLL on a -pthread side module that starts two pthreads', async () => {
  const { out, why } = await py(`${LOAD}out['v'] = lib.probe_two_threads()`);
  assert.ok(out, why);
  assert.equal(out.v, 42, 'both C threads ran and were joined');
});

// Trap: clock_nanosleep ignores TIMER_ABSTIME in emcc 3.1.6; CPython is configured without
// it. With it, time.sleep(0.05) sleeps for the absolute deadline (= hangs).
test('time.sleep returns after about the time asked (configured without clock_nanosleep)', async () => {
  const { out, why } = await py(`import time
t = time.monotonic(); time.sleep(0.05); out['dt'] = time.monotonic() - t`, { timeoutMs: 60000 });
  assert.ok(out, why);
  assert.ok(out.dt >= 0.045 && out.dt < 5, `slept ${out.dt} s`);
});

// Trap: the side module's zero-initialised statics live in memory from getMemory(), which
// 3.1.6 takes from malloc without clearing. Dirty a freed block first so that reuse shows.
test('side-module bss reads zero after the heap was dirtied (getMemory via calloc)', async () => {
  const { out, why } = await py(`blocks = [bytearray(b'\\xa5') * (1 << 17) for _ in range(16)]
del blocks
${LOAD}out['nonzero'] = lib.probe_bss_nonzero()`);
  assert.ok(out, why);
  assert.equal(out.nonzero, 0);
});

// Trap: LLVM 14 wasm-ld applies data relocations before global relocations in a
// shared-memory PIC link. python.wasm is fixed after linking (tools/wasm-python/wasmfix.py);
// if it were not, CPython's static pointers to exported symbols would be wrong and it
// would not start. --check exits 0 only when global relocations come first.
test('python.wasm start function applies global relocations first', () => {
  const msg = execFileSync('/usr/bin/python3', [join(ROOT, 'tools/wasm-python/wasmfix.py'),
    '--check', join(PYDIR, 'python.wasm')], { encoding: 'utf8' });
  assert.match(msg, /already global relocs first/);
});

// The same LLVM 14 ordering in a -pthread side module: a static pointer to an exported
// symbol and one to a local symbol. Pinned so a toolchain change shows up here.
test('side module: static pointers to exported and local symbols', async () => {
  const { out, why } = await py(`${LOAD}out['v'] = lib.probe_static_pointers()`);
  assert.ok(out, why);
  assert.equal(out.v & 2, 2, 'pointer to a local symbol is right');
  out.v === 3 || console.log('# side module: static pointer to an exported symbol is WRONG (v=%d)', out.v);
});

const LATE = (sync) => `import ctypes, threading
started, go, res = threading.Event(), threading.Event(), {}
def body():
    started.set()
    go.wait(30)
    try:
        ${sync ? "ctypes.CDLL(None)._emscripten_thread_sync_code()" : 'pass'}
        res['v'] = lib.probe_add(2, 3)
    except BaseException as e:
        res['err'] = repr(e)
t = threading.Thread(target=body); t.start(); started.wait(30)
lib = ctypes.CDLL(${JSON.stringify(PROBE)})   # loaded after the thread exists
go.set(); t.join(30)
out.update(res)`;

// Limit: a library dlopen()ed after a Python thread started is not loaded in that
// thread's Web Worker; calling it from there fails (the runtime dies, it never returns 5).
test('limit: library loaded after a Python thread started cannot be called from it', async () => {
  const { run, out } = await py(LATE(false), { timeoutMs: 60000 });
  assert.ok(!(out && out.v === 5), 'expected the call from the older thread to fail');
  assert.ok(run.timedOut || run.code !== 0 || (out && out.err), 'it fails, and does not pass silently');
});

test('limit: ...unless that thread calls _emscripten_thread_sync_code() first', async () => {
  const { out, why } = await py(LATE(true), { timeoutMs: 60000 });
  assert.ok(out, why);
  assert.equal(out.v, 5, JSON.stringify(out));
});

// Limit: a C thread can never call a Python (ctypes) callback: the callback is a JS
// function in the table of the Python thread's Worker only.
test('limit: a C thread cannot call a ctypes callback', async () => {
  const { run, out } = await py(`${LOAD}calls = []
cb = ctypes.CFUNCTYPE(None)(lambda: calls.append(1))
lib.probe_call_on_thread(cb)
out['calls'] = len(calls)`, { timeoutMs: 30000 });
  assert.ok(!(out && out.calls === 1), 'a C thread ran a Python callback: the limit is gone?');
});
