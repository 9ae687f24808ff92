// The threaded CPython runtime itself: C threads behind ctypes.CDLL, one test per build
// workaround (each fails on a runtime built without it), and the known limits pinned.
// Each case runs in a fresh python.js process: a trap kills the whole runtime.
// Runs on the runtime of either toolchain (WARMPOOL_WB: make EMSDK_VERSION=3.1.69 ...):
// where a toolchain's runtime is built without a workaround (its stamp says which it has),
// the workaround's scenario passing there is the proof that toolchain does not need it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, PYDIR, PROBE, runPython, pyJson, parseResult, runtimeInfo } from '../../pyodide-patches/wasm-python/run.mjs';

const WASMFIX = join(ROOT, 'pyodide-patches/wasm-python/wasmfix.py');
const { emsdk: EMSDK, workarounds: APPLIED } = runtimeInfo();
// The build workarounds each toolchain's runtime gets (build.sh's WP_* per toolchain).
const WORKAROUNDS = {
  '3.1.6': ['emjs', 'no-cns', 'pre-js', 'wasmfix', 'zero-mem'],
  '3.1.69': ['pre-js'],
};
const has = (w) => !!APPLIED && APPLIED.has(w);
// For a "without it, it breaks" test: only where the runtime has that workaround.
const onlyWith = (w) => ({ skip: !has(w) && `${EMSDK} builds without ${w} (the test above passes without it)` });

// A copy of the runtime in a temp dir, with `edit(dir)` applied: shows what a workaround
// is for by running without it (stdlib and PYTHONHOME stay the real ones).
function variant(edit) {
  const dir = mkdtempSync(join(tmpdir(), 'wasm-python-'));
  for (const f of ['python.js', 'python.wasm', 'python.worker.js']) {
    if (existsSync(join(PYDIR, f))) copyFileSync(join(PYDIR, f), join(dir, f));  // no worker.js from 3.1.69
  }
  // getpath's landmark beside the program: the stdlib is found even when PYTHONHOME is not.
  symlinkSync(join(PYDIR, 'lib'), join(dir, 'lib'));
  edit(dir);
  return { pythonJs: join(dir, 'python.js'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

const LOAD = `import ctypes\nlib = ctypes.CDLL(${JSON.stringify(PROBE)})\n`;

async function py(body, opts = {}) {
  const run = await runPython(pyJson(body), opts);
  const out = parseResult(run);
  return { run, out, why: `exit ${run.code} timedOut=${run.timedOut}\n${run.stderr.slice(-1500)}` };
}

test('the runtime\'s stamp names its toolchain and the workarounds it was built with', () => {
  assert.ok(EMSDK in WORKAROUNDS, `runtime toolchain ${EMSDK} (${PYDIR}/stamp)`);
  assert.deepEqual([...APPLIED].sort(), WORKAROUNDS[EMSDK]);
});

// Several runtimes share one cache and one build lock: a runtime already installed from
// the cache must not wait for another key's build (minutes) to answer "ready".
const BUILD = join(ROOT, 'pyodide-patches/wasm-python/build.sh');
test('build.sh: an installed cached runtime is ready at once while another build holds the lock', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wasm-python-cache-'));
  const pyver = readdirSync(join(PYDIR, 'lib')).find((d) => /^python3\.\d+$/.test(d)).slice('python'.length);
  const env = { ...process.env, WASM_PYTHON_CACHE: join(tmp, 'wasm-python'), WASM_PYTHON_EMSDK: EMSDK, WASM_PYTHON_VERSION: pyver };
  const key = execFileSync('bash', [BUILD, '--print-key'], { env, encoding: 'utf8', timeout: 60000 }).trim().split('\n').pop();
  assert.match(key, /^[0-9a-f]{16}$/);
  mkdirSync(join(tmp, 'wasm-python', key, 'python'), { recursive: true });
  writeFileSync(join(tmp, 'wasm-python', key, 'stamp'), `${key} test\n`);
  const out = join(tmp, 'out');
  mkdirSync(out);
  writeFileSync(join(out, 'stamp'), `${key} test\n`);
  const lock = join(tmp, 'wasm-python', '.lock');
  // Its own process group: sleep inherits the locked fd, so both must go at the end.
  const holder = spawn('flock', [lock, 'sleep', '120'], { stdio: 'ignore', detached: true });
  try {
    const t = Date.now() + 10000;  // until the holder has it
    while (spawnSync('flock', ['-n', lock, 'true']).status === 0 && Date.now() < t) await new Promise((r) => setTimeout(r, 50));
    assert.notEqual(spawnSync('flock', ['-n', lock, 'true']).status, 0, 'the lock holder did not take the lock');
    const run = spawnSync('bash', [BUILD, out], { env, encoding: 'utf8', timeout: 30000 });
    assert.equal(run.error, undefined, `build.sh waited for the lock: ${run.error}`);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ready: .*cached/);
  } finally {
    try { process.kill(-holder.pid, 'SIGKILL'); } catch { /* gone already */ }
    rmSync(tmp, { recursive: true, force: true });
  }
});

// Trap (3.1.6): the threaded MAIN_MODULE links only with EMCC_READ_METADATA=python, which
// misses EM_JS bodies (wp_emjs.h + emjs.py). libffi's call path is EM_JS, so ctypes
// working here on a runtime without 'emjs' (3.1.69) shows that toolchain does not need it.
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
// it there ('no-cns'). With it, time.sleep(0.05) sleeps until CLOCK_MONOTONIC's value is
// reached again, i.e. for the time since start-up: wait until that is over 1.5 s so the
// bug shows. A runtime without 'no-cns' must really use clock_nanosleep (pyconfig.h).
test('time.sleep returns after about the time asked (clock_nanosleep only where it works)', async () => {
  const { out, why } = await py(`import time, sysconfig
out['cns'] = bool(sysconfig.get_config_var('HAVE_CLOCK_NANOSLEEP'))
while time.monotonic() < 1.5: pass
t = time.monotonic(); time.sleep(0.05); out['dt'] = time.monotonic() - t`, { timeoutMs: 60000 });
  assert.ok(out, why);
  assert.equal(out.cns, !has('no-cns'), 'HAVE_CLOCK_NANOSLEEP');
  assert.ok(out.dt >= 0.045 && out.dt < 0.5, `slept ${out.dt} s`);
});

// Trap (3.1.6): the program sees a fixed environment; wp_pre.js copies the host's
// PYTHON*/WARMPOOL*/WPB_* variables into it (the runner passes WARMPOOL_LIB that way).
const ENV_PY = `import os\nout['v'] = os.environ.get('WARMPOOL_ENV_PROBE')`;
test('the host\'s WARMPOOL* variables reach os.environ (wp_pre.js)', async () => {
  const { out, why } = await py(ENV_PY, { env: { WARMPOOL_ENV_PROBE: 'seen' } });
  assert.ok(out, why);
  assert.equal(out.v, 'seen');
});
test('...and do not without wp_pre.js (the workaround is needed)', onlyWith('pre-js'), async () => {
  const v = variant((dir) => {
    const js = join(dir, 'python.js');
    const src = readFileSync(js, 'utf8');
    const patched = src.replace(/ENV\[(\w+)\]\s*=\s*process\.env\[\1\]/, 'void 0');
    assert.notEqual(patched, src, 'wp_pre.js is not in python.js');
    writeFileSync(js, patched);
  });
  try {
    const { out, why } = await py(ENV_PY, { pythonJs: v.pythonJs, env: { WARMPOOL_ENV_PROBE: 'seen' } });
    assert.ok(out, why);
    assert.equal(out.v, null, 'the variable got through without wp_pre.js');
  } finally { v.done(); }
});

// Trap: the side module's zero-initialised statics live in memory from getMemory(), which
// 3.1.6 takes from malloc without clearing (fixed by wpatch.py's zero-library-memory, which
// build.sh applies to the installed python.js). Dirty freed heap first so that reuse
// shows; the same run on a copy without that patch (getMemory's malloc as is) must see
// garbage.
const BSS = `import ctypes
m = ctypes.CDLL(None)
m.malloc.restype = ctypes.c_void_p; m.malloc.argtypes = [ctypes.c_size_t]
m.free.argtypes = [ctypes.c_void_p]
# Take every free chunk that could hold the library's memory (20 B data + 64 KiB bss):
# blocks a little bigger than that, until malloc had to cut them from fresh memory;
# dirty them, give them back. Whatever chunk the loader then gets overlaps a dirty one.
size = (1 << 16) + 256
blocks = [m.malloc(size) for _ in range(384)]
for b in blocks: ctypes.memset(b, 0xa5, size)
for b in blocks: m.free(b)
${LOAD}out['nonzero'] = lib.probe_bss_nonzero()`;
test('side-module bss reads zero after the heap was dirtied (zero-library-memory where applied)', async () => {
  const patched = readFileSync(join(PYDIR, 'python.js'), 'utf8').includes('/*wpatch:zero-library-memory*/');
  assert.equal(patched, has('zero-mem'), 'zero-library-memory in python.js');
  const { out, why } = await py(BSS);
  assert.ok(out, why);
  assert.equal(out.nonzero, 0);
});
test('...and reads garbage with getMemory back on malloc (the workaround is needed)', onlyWith('zero-mem'), async () => {
  const v = variant((dir) => {
    const js = join(dir, 'python.js');
    const src = readFileSync(js, 'utf8');
    const patched = src.replace(/\/\*wpatch:zero-library-memory\*\/if \(memoryBase && runtimeInitialized\) HEAPU8\.fill\([^;]*\);/, '');
    assert.notEqual(patched, src, 'the zero-library-memory patch is not in python.js');
    writeFileSync(js, patched);
  });
  try {
    const { out, why } = await py(BSS, { pythonJs: v.pythonJs });
    assert.ok(out, why);
    assert.ok(out.nonzero > 0, 'bss was zero even without calloc: is the test still meaningful?');
  } finally { v.done(); }
});

// Trap: LLVM 14 wasm-ld applies data relocations before global relocations in a
// shared-memory PIC link; python.wasm is fixed after linking (pyodide-patches/wasm-python/wasmfix.py).
// A runtime without 'wasmfix' (3.1.69: LLVM 19, linked at -O2 as configure says) starting
// at all shows the fix is not needed there: CPython's deepfreeze is full of such pointers.
test('CPython starts from python.wasm as linked (a runtime built without wasmfix)', { skip: has('wasmfix') && `${EMSDK} builds with wasmfix` }, async () => {
  const { out, why } = await py(`import ctypes, json\nout['ok'] = json.loads('[1]')[0]`);
  assert.ok(out, why);
  assert.equal(out.ok, 1);
});
test('python.wasm start function applies global relocations first', onlyWith('wasmfix'), () => {
  const msg = execFileSync('/usr/bin/python3', [WASMFIX, '--check', join(PYDIR, 'python.wasm')],
    { encoding: 'utf8' });
  assert.match(msg, /already global relocs first/);
});
test('...and CPython cannot start with wasm-ld\'s order (the fix is needed)', onlyWith('wasmfix'), async () => {
  const v = variant((dir) => execFileSync('/usr/bin/python3', [WASMFIX, '--unfix', join(dir, 'python.wasm')]));
  try {
    const { run, out } = await py(`out['ok'] = 1`, { pythonJs: v.pythonJs, timeoutMs: 60000 });
    assert.equal(out, null, 'CPython started with data relocations first');
    assert.notEqual(run.code, 0);
  } finally { v.done(); }
});

// The known limits (pyodide-patches/wasm-python/README.md), per toolchain: 'dies' = the
// runtime dies (the cause's message is checked), 'works' = the limit is gone there.
const LIMITS = {
  '3.1.6': { staticPointer: 'wrong', lateLoad: 'dies', syncHelper: true, mainHandle: 'dies', callback: 'dies' },
  '3.1.69': { staticPointer: 'right', lateLoad: 'works', syncHelper: false, mainHandle: 'works', callback: 'dies' },
};
const L = LIMITS[EMSDK] || {};

// The same ordering in a -pthread SIDE module is a different story on 3.1.6: its GOT
// entry for its own exported symbol is only filled in by JS after instantiation, so a
// static pointer to an exported symbol is wrong (local symbols are right). There, side
// modules must not keep static pointers to their exported symbols; 3.1.69 gets both right.
test(`limit: side module static pointer to its own exported symbol is ${L.staticPointer} on ${EMSDK}`, async () => {
  const { out, why } = await py(`${LOAD}out['v'] = lib.probe_static_pointers()`);
  assert.ok(out, why);
  // 1: the exported one is right, 2: the local one is right.
  assert.equal(out.v, L.staticPointer === 'right' ? 3 : 2, `probe_static_pointers() = ${out.v}`);
});

// The sync function is looked up on the main Python thread: on 3.1.6 dlsym on the main
// module's handle (ctypes.CDLL(None)) only works in the thread that first used dlopen.
const LATE = (sync) => `import ctypes, threading
${sync ? 'sync = ctypes.CFUNCTYPE(None)(ctypes.cast(ctypes.CDLL(None)._emscripten_thread_sync_code, ctypes.c_void_p).value)' : ''}
started, go, res = threading.Event(), threading.Event(), {}
def body():
    started.set()
    go.wait(30)
    try:
        ${sync ? 'sync()' : 'pass'}
        res['v'] = lib.probe_add(2, 3)
    except BaseException as e:
        res['err'] = repr(e)
t = threading.Thread(target=body); t.start(); started.wait(30)
lib = ctypes.CDLL(${JSON.stringify(PROBE)})   # loaded after the thread exists
go.set(); t.join(30)
out.update(res)`;

// Limit (3.1.6): a library dlopen()ed after a Python thread started is not loaded in that
// thread's Web Worker; calling it from there kills the runtime. 3.1.69's dlopen makes
// every running thread load it before it returns.
test(`limit: library loaded after a Python thread started, called from it: ${L.lateLoad} on ${EMSDK}`, async () => {
  const { run, out, why } = await py(LATE(false), { timeoutMs: 60000 });
  if (L.lateLoad === 'works') {
    assert.ok(out, why);
    assert.equal(out.v, 5, JSON.stringify(out));
  } else {
    assert.ok(!(out && out.v === 5), 'the call from the older thread worked: the limit is gone?');
    assert.equal(out, null, 'the runtime dies (dlsym has no such library in that Worker)');
    assert.match(run.stderr, /__dlsym_js/);
  }
});

// 3.1.6's way around it: the older thread syncs first. 3.1.69 has no such export (its sync
// is C code inside dlopen), so the recipe is neither possible nor needed there.
test(`limit: ...unless that thread calls _emscripten_thread_sync_code() first (${L.syncHelper ? 'exported' : 'absent'} on ${EMSDK})`, async () => {
  const { run, out, why } = await py(LATE(true), { timeoutMs: 60000 });
  if (L.syncHelper) {
    assert.ok(out, why);
    assert.equal(out.v, 5, JSON.stringify(out));
  } else {
    assert.equal(out, null, 'the sync helper exists on this toolchain');
    assert.match(run.stderr, /AttributeError: .*_emscripten_thread_sync_code/);
  }
});

// Limit (3.1.6): ctypes.CDLL(None) (the main module) only resolves symbols on the Python
// thread that first used dlopen; emcc 3.1.6 registers the main module's handle in that
// Worker only. 3.1.69 resolves it on every thread.
test(`limit: ctypes.CDLL(None) lookups on other Python threads: ${L.mainHandle} on ${EMSDK}`, async () => {
  const { run, out, why } = await py(`import ctypes, threading
ctypes.CDLL(None).abs   # the first dlopen user: this thread
res = {}
def body():
    try:
        res['v'] = ctypes.CDLL(None).labs(-4)
    except BaseException as e:
        res['err'] = repr(e)
t = threading.Thread(target=body); t.start(); t.join(30)
out.update(res)`, { timeoutMs: 60000 });
  if (L.mainHandle === 'works') {
    assert.ok(out, why);
    assert.equal(out.v, 4, JSON.stringify(out));
  } else {
    assert.ok(!(out && out.v === 4), 'CDLL(None) worked on another thread: the limit is gone?');
    assert.equal(out, null);
    assert.match(run.stderr, /__dlsym_js/);
  }
});

// Limit (both toolchains): a C thread can never call a Python (ctypes) callback: the
// callback is a JS function added to the table of the calling Python thread's Worker only.
test(`limit: a C thread cannot call a ctypes callback (${L.callback} on ${EMSDK})`, async () => {
  assert.equal(L.callback, 'dies', 'no toolchain here lifts this limit yet');
  const { run, out } = await py(`${LOAD}calls = []
cb = ctypes.CFUNCTYPE(None)(lambda: calls.append(1))
lib.probe_call_on_thread(cb)
out['calls'] = len(calls)`, { timeoutMs: 30000 });
  assert.ok(!(out && out.calls === 1), 'a C thread ran a Python callback: the limit is gone?');
  assert.equal(out, null, 'the runtime dies');
  assert.match(run.stderr, /table index is out of bounds/);
});
