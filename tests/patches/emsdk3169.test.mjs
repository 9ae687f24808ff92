// Each trap of tests/patches/emscripten.test.mjs on Emscripten 3.1.69's output
// (build/wasm-3.1.69, make EMSDK_VERSION=3.1.69): which scenarios still fail on the stock
// host (the patch or workaround is still needed), which pass there (not needed from
// 3.1.69 on), and what the patch tool does with 3.1.69's output. Run with
// WARMPOOL_WB=build/wasm-3.1.69 (make test-patches-emsdk-3.1.69 sets it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD, ROOT } from '../../pyodide-patches/host/host_api.mjs';
import { HOST, PATCHED, runScenario } from '../harness/host_scenario.mjs';

const T = { timeout: 120000 };
const WPATCH = path.join(ROOT, 'pyodide-patches/wpatch.py');
const PY = '/usr/bin/python3';
const TRAP = /null function|signature mismatch|out of bounds|invalid index|is not a function|unwind|unreachable|timed out|Aborted/;

test('the build under test is 3.1.69\'s', () => {
  assert.match(BUILD, /wasm-3\.1\.69$/, 'set WARMPOOL_WB=build/wasm-3.1.69');
  // 3.1.69 writes no X.worker.js: the main JS is the worker script.
  assert.throws(() => readFileSync(path.join(HOST, 'host.worker.js')), /ENOENT/);
});

// Not needed from 3.1.69 on: the stock host passes.
for (const [name, why] of [
  ['memfs-only', 'dlopen reads the library in C and hands its bytes to every thread'],
  ['dirty-heap', 'a library loaded at run time gets calloc\'ed memory'],
  ['elsewhere', 'workers start from Module.mainScriptUrlOrBlob'],
  ['dlsym-pointer', 'dlsym\'d table slots reach the workers'],
]) {
  test(`${name}: passes unpatched on 3.1.69 (${why})`, T, async () => {
    const r = await runScenario(name, HOST);
    assert.ok(r.ok, r.why.slice(0, 3000));
  });
}

// Still needed on 3.1.69: the stock host fails the way it does on 3.1.6.
test('elsewhere-global: fails unpatched on 3.1.69 (globalThis.PTHREAD_MAIN_JS is ours)', T, async () => {
  const r = await runScenario('elsewhere-global', HOST, { timeoutMs: 15000 });
  assert.equal(r.ok, false, 'the unpatched host passed');
  assert.match(r.why, /Cannot find module .*warmpool-elsewhere.*bundle\.js|timed out/, r.why.slice(0, 2000));
});
test('pyodide-load: fails unpatched on 3.1.69 (a JS-loaded library is placed anew in each worker)', T, async () => {
  const r = await runScenario('pyodide-load', HOST, { timeoutMs: 15000 });
  assert.equal(r.ok, false, 'the unpatched host passed');
  assert.match(r.why, TRAP, r.why.slice(0, 2000));
});
// A C dlopen on the main thread while the pool's workers sleep in a futex wait: 3.1.69's
// dlopen waits until every thread has loaded the library, and a thread only does that
// when its wait returns (or its event loop runs). The pool cuts its sleeps into slices
// where the runtime has no _emscripten_thread_sync_code (pool/src/prim/emscripten.c):
// without them (libwarmpool-noslice.so) the call never returns.
test('late C dlopen: blocks on 3.1.69 while the pool sleeps without sliced sleeps', T, async () => {
  const r = await runScenario('late-c-dlopen', HOST,
    { lib: path.join(BUILD, 'test/libwarmpool-noslice.so'), timeoutMs: 15000 });
  assert.equal(r.ok, false, 'the late dlopen returned: the trap is gone, update the trap table');
  assert.ok(r.timedOut, r.why.slice(0, 2000));
  assert.ok(Object.entries(r.checks).some(([k, v]) => k.startsWith('before: ') && v.ok),
    `the part before the late load should pass: ${JSON.stringify(r.checks).slice(0, 1000)}`);
});
for (const lib of [undefined, path.join(BUILD, 'test/libwarmpool-nosync.so')]) {
  test(`late C dlopen: returns on 3.1.69 with sliced sleeps (${lib ? 'no sync-on-wake' : 'with sync-on-wake'})`, T, async () => {
    const r = await runScenario('late-c-dlopen', HOST, { lib, timeoutMs: 30000 });
    assert.ok(r.ok, r.why.slice(0, 3000));
  });
}

// The Emscripten set on real 3.1.69 output (the em3.1.58 shape: build/wasm-3.1.69/host-patched).
test('elsewhere-global: passes with worker-script-url-4 on 3.1.69 output', T, async () => {
  const r = await runScenario('elsewhere-global', PATCHED);
  assert.ok(r.ok, r.why.slice(0, 3000));
});
test('pyodide-load: placement replay passes on 3.1.69 output', T, async () => {
  const r = await runScenario('pyodide-load', PATCHED, { timeoutMs: 15000 });
  assert.ok(r.ok, r.why.slice(0, 3000));
});

// The patch tool on 3.1.69's output at -O0/-O1/-O2, MODULARIZE, EXPORT_ES6: each file is
// recognised, or refused with every missing anchor named and left untouched.
const SHAPES = ['fixtures/O0/host.js', 'fixtures/O1/host.js', 'host/host.js', 'shapes/plain-O2.js', 'shapes/es6-O2.mjs'];
const wpatch = (...a) => spawnSync(PY, [WPATCH, ...a], { encoding: 'utf8', timeout: 60000 });
for (const f of SHAPES) {
  test(`wpatch on 3.1.69 ${f}: recognised, or refused naming each missing anchor`, T, () => {
    const src = path.join(BUILD, f);
    const r = wpatch('--check', '--set', 'emscripten', src);
    assert.ok([0, 1, 2].includes(r.status), r.stderr);
    const out = r.stdout + r.stderr;
    if (r.status === 2) assert.match(out, /MISSING\s+emscripten\/\S+|unknown shape/, out);
    const dir = mkdtempSync(path.join(tmpdir(), 'wpatch-3169-'));
    const copy = path.join(dir, path.basename(f));
    copyFileSync(src, copy);
    const w = wpatch('--set', 'emscripten', copy);
    if (w.status !== 0) {
      assert.equal(readFileSync(copy, 'utf8'), readFileSync(src, 'utf8'), 'a refused file must stay untouched');
    }
  });
  test(`wpatch patches 3.1.69 ${f} fully, as the em3.1.58 shape`, T, () => {
    const r = wpatch('--check', '--set', 'emscripten', path.join(BUILD, f));
    assert.ok(r.status === 1 || r.status === 0, r.stdout + r.stderr);
    assert.match(r.stdout, /shape em3\.1\.58/, r.stdout);
  });
}

// What 3.1.69's side modules may import beyond 3.1.6's list (allowed-3.1.69.txt), every
// Pyodide runtime must export from its wasm (the rest, e.g. emscripten_get_now, are JS
// library functions that every Emscripten runtime provides).
test('every npm Pyodide exports the imports allowed-3.1.69.txt adds', () => {
  const extra = readFileSync(path.join(ROOT, 'pyodide-patches/imports/allowed-3.1.69.txt'), 'utf8')
    .split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
  const m = new WebAssembly.Module(readFileSync(path.join(BUILD, 'libwarmpool.so')));
  const imported = new Set(WebAssembly.Module.imports(m).map((i) => i.name));
  assert.ok(extra.length > 0 && extra.every((n) => imported.has(n)),
    `the threaded library should import ${extra.join(', ')} (else the list is stale)`);
  for (const dir of ['pyodide-0.27', 'pyodide', 'pyodide-314']) {
    const w = new WebAssembly.Module(readFileSync(path.join(ROOT, 'node_modules', dir, 'pyodide.asm.wasm')));
    const have = new Set(WebAssembly.Module.exports(w).map((e) => e.name));
    const missing = extra.filter((n) => !have.has(n));
    assert.deepEqual(missing, [], `${dir} lacks ${missing.join(', ')}`);
  }
});
