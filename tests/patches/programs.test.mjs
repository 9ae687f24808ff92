// Ordinary pthread + dylink programs (tests/patches/programs/, built by make, stock), run
// stock and patched: shared static data of start-up libraries (zero-library-memory must
// leave it alone), patches that are not needed (no dlsym), a thread catching up on a
// MEMFS-only library, ES module output. Built by Debian's emcc 3.1.6 (build/wasm) or by
// 3.1.69 (WARMPOOL_WB=build/wasm-3.1.69, make test-wasm-3.1.69): each test states what
// happens with the toolchain under test, and its name says which one that is.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD, ROOT } from '../../pyodide-patches/host/host_api.mjs';

const PROG = path.join(BUILD, 'programs');
const EM69 = /wasm-3\.1\.69$/.test(BUILD);
const TC = EM69 ? '3.1.69' : '3.1.6';
const TOOL = path.join(ROOT, 'pyodide-patches/wpatch.py');
const VARIANT = path.join(ROOT, 'tests/patches/patch_variant.py');
const RUN_ES6 = path.join(ROOT, 'tests/patches/programs/run_es6.mjs');
const PY = '/usr/bin/python3';
const py = (args) => spawnSync(PY, args, { encoding: 'utf8', timeout: 60000 });
const wpatch = (...args) => py([TOOL, ...args]);

// A copy of a program directory (its .wasm, worker, libraries) with the main script
// replaced by `edit(stockText)` or patched by the tool (extra args: e.g. --without NAME).
function copyDir(dir) {
  const d = mkdtempSync(path.join(tmpdir(), 'wp-prog-'));
  for (const f of readdirSync(dir)) copyFileSync(path.join(dir, f), path.join(d, f));
  return d;
}
function patched(dir, main, { variant = [], edit } = {}) {
  const d = copyDir(dir), out = path.join(d, main);
  const r = variant.length ? py([VARIANT, path.join(dir, main), out, ...variant])
    : wpatch(path.join(dir, main), '-o', out);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  if (edit) {
    const text = readFileSync(out, 'utf8'), changed = edit(text);
    assert.notEqual(changed, text, 'the edit found nothing to change');
    writeFileSync(out, changed);
  }
  return { dir: d, out: r.stdout };
}
function runNode(dir, args, env = {}) {
  const r = spawnSync(process.execPath, ['--no-experimental-fetch', ...args],
    { cwd: dir, encoding: 'utf8', timeout: 30000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, why: `exit ${r.status} ${r.signal || ''}\n${r.stdout}\n${r.stderr}`.slice(-2500) };
}

// ---- shared static data of start-up libraries ------------------------------------------
const STATIC = ['mm1-O0', 'mm1-O2', 'mm2-O0', 'mm2-O2', 'dynlibs-O0', 'dynlibs-O2'];
// The zero-library-memory patch as it was: it cleared the memory of every library a thread
// placed, start-up libraries that workers lay at the main thread's address included.
const OLD_ZERO = (t) => t.replace('if (memoryBase && runtimeInitialized) HEAPU8.fill', 'if (memoryBase) HEAPU8.fill');
for (const v of STATIC) {
  const dir = path.join(PROG, v);
  test(`${TC} static data (${v}): a thread reads what main stored, stock and patched`, () => {
    let r = runNode(dir, ['static_data.js']);
    assert.equal(r.code, 0, r.why);
    assert.match(r.out, /thread read 123/);
    const p = patched(dir, 'static_data.js');
    r = runNode(p.dir, ['static_data.js']);
    assert.equal(r.code, 0, r.why);
    assert.match(r.out, /thread read 123/);
  });
  test(`${TC} static data (${v}): zeroing a start-up library's memory in workers loses it`,
    { skip: EM69 && 'no zero-library-memory on 3.1.58+ (the loader zeroes with calloc)' }, () => {
    const p = patched(dir, 'static_data.js', { edit: OLD_ZERO });
    const r = runNode(p.dir, ['static_data.js']);
    assert.notEqual(r.code, 0, r.why);
    assert.match(r.out, /thread read (0|42)\b/);
  });
}

test(`${TC}: zero-library-memory ${EM69 ? 'is not part of the patch set' : 'applies'}`, () => {
  const r = wpatch('--check', path.join(PROG, 'mm2-O2', 'static_data.js'));
  assert.equal(r.status, 1, r.stdout + r.stderr);
  if (EM69) assert.doesNotMatch(r.stdout, /zero-library-memory/);
  else assert.match(r.stdout, /ready\s+emscripten\/zero-library-memory/);
});

// ---- not needed vs missing ------------------------------------------------------------
test(`${TC}: a program that never calls dlsym: record-dlsym-slot is not needed, the rest applies`, () => {
  for (const v of ['mm2-O0', 'mm2-O2']) {
    const src = path.join(PROG, v, 'static_data.js');
    assert.doesNotMatch(readFileSync(src, "utf8"), /(function\s+|var\s+)__dlsym_js\b/);
    const r = wpatch('--check', src);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /not-needed emscripten\/record-dlsym-slot: no _dlsym_js: the program never calls dlsym/);
    assert.match(r.stdout, /ready\s+emscripten\/runtime\b/);
  }
});
test(`${TC}: a needed anchor that changed shape still refuses the file, untouched`, () => {
  const d = copyDir(path.join(PROG, 'mm1-O2')), f = path.join(d, 'static_data.js');
  const text = readFileSync(f, 'utf8').replace(/result=addFunction\(result,result\.sig\)/, 'result=addFunction(result)');
  assert.match(text, /(function\s+|var\s+)__dlsym_js\b/);
  writeFileSync(f, text);
  const r = wpatch(f);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /MISSING\s+emscripten\/record-dlsym-slot/);
  assert.match(r.stderr, /1 anchor\(s\) missing; file left untouched/);
  assert.equal(readFileSync(f, 'utf8'), text);
});
test(`${TC}: a build without threads needs none of the Emscripten set`, () => {
  const d = copyDir(path.join(PROG, 'mm2-O2')), f = path.join(d, 'static_data.js');
  writeFileSync(f, readFileSync(f, 'utf8').replace(/var PThread\s*=/g, 'var PThreads='));
  const r = wpatch('--set', 'emscripten', f);
  assert.equal(r.status, 2);
  assert.match(r.stdout, /not-needed emscripten\/runtime(-4)?: not a -pthread build/);
  assert.match(r.stderr, /no patch of the chosen sets is needed here/);
});

// ---- catching up on a MEMFS-only library ----------------------------------------------
// 3.1.6: the thread catches up when main-module C calls _emscripten_thread_sync_code();
// stock, the worker looks for the file in its own (empty) MEMFS. 3.1.69 has no such hook:
// the main thread's dlopen reads the file in C and blocks until every thread has loaded
// the bytes (the thread waits in timed futex waits, so it gets there), and the thread
// just calls into the library: the scenario passes stock, and dlopen-replay is not needed.
const MEMFS = path.join(PROG, 'memfs');
const SIDE = { WP_SIDE_ANSWER: path.join(MEMFS, 'libside_answer.so') };
const memfsRun = (dir, mode) => runNode(dir, ['memfs_sync.js', mode], SIDE);
function memfsPasses(r, mode) {
  assert.equal(r.code, 0, r.why);
  assert.match(r.out, new RegExp(`${mode}: 7`));
}
function memfsFailsEnoent(r) {
  assert.notEqual(r.code, 0);
  assert.match(r.why, /ENOENT/);
}
test(`${TC}: MEMFS-only library, a running thread catches up: ${EM69 ? 'passes' : 'fails'} stock`, () => {
  const r = memfsRun(MEMFS, 'sync');
  if (EM69) memfsPasses(r, 'sync');
  else memfsFailsEnoent(r);
});
test(`${TC}: ...passes patched`, () => {
  memfsPasses(memfsRun(patched(MEMFS, 'memfs_sync.js').dir, 'sync'), 'sync');
});
test(`${TC}: ...${EM69 ? 'passes' : 'fails'} without dlopen-replay`, () => {
  const r = memfsRun(patched(MEMFS, 'memfs_sync.js', { variant: ['--without', 'dlopen-replay'] }).dir, 'sync');
  if (EM69) memfsPasses(r, 'sync');
  else memfsFailsEnoent(r);
});
// Limit (upstream 3.1.6, patched or not): a worker's own dlopen of a library the main
// thread loaded finds it in C's shared list and never tells the worker's JS, so dlsym on
// it fails; the thread must call _emscripten_thread_sync_code() first. 3.1.69: the thread
// has loaded the library by then (the main thread's dlopen waited for it), so its own
// dlopen finds it in C's list and in its JS, stock and patched.
if (EM69) {
  for (const label of ['stock', 'patched']) {
    test(`3.1.69: a running thread's own dlopen of the library, without a sync, passes ${label} (no limit)`, () => {
      const dir = label === 'stock' ? MEMFS : patched(MEMFS, 'memfs_sync.js').dir;
      memfsPasses(memfsRun(dir, 'dlopen'), 'dlopen');
    });
  }
} else {
  test('3.1.6 limit: a running thread\'s own dlopen of the library, without a sync, fails patched too', () => {
    const r = memfsRun(patched(MEMFS, 'memfs_sync.js').dir, 'dlopen');
    assert.notEqual(r.code, 0, 'the limit is gone: update the README');
    assert.match(r.why, /__dlsym_js/);
  });
}

// ---- ES module output ------------------------------------------------------------------
const ES6 = path.join(PROG, 'es6-O2');
const ES6_READY = EM69 ? ['worker-script-url-es6-4', 'runtime-4'] : ['worker-script-url-es6', 'runtime', 'zero-library-memory'];
const ES6_NOT = EM69 ? /not-needed emscripten\/worker-script-url-4: ES module output/
  : /not-needed emscripten\/main-script-url: ES module output/;
test(`${TC} -sEXPORT_ES6: the ES module variants apply, the patched module parses and runs`, () => {
  const c = wpatch('--check', path.join(ES6, 'static_data.mjs'));
  assert.equal(c.status, 1, c.stdout + c.stderr);
  for (const n of ES6_READY) assert.match(c.stdout, new RegExp(`ready\\s+emscripten/${n}\\b`));
  assert.match(c.stdout, ES6_NOT);
  const p = patched(ES6, 'static_data.mjs');
  const r = runNode(p.dir, [RUN_ES6, 'static_data.mjs']);
  assert.equal(r.code, 0, r.why);
  assert.match(r.out, /thread read 123/);
});
// The module evaluated from another directory under another name (a bundle), no
// locateFile: 3.1.6 looks for X.worker.js next to import.meta.url, 3.1.69 starts its
// workers from new URL('X.mjs', import.meta.url); both ignore mainScriptUrlOrBlob unless
// patched. The bundle's start-up library sits beside it (3.1.69 looks for it there).
for (const [label, ok] of [['stock', false], ['patched', true]]) {
  test(`${TC} -sEXPORT_ES6 loaded from elsewhere with mainScriptUrlOrBlob: ${ok ? 'passes' : 'fails'} ${label}`, () => {
    const home = ok ? patched(ES6, 'static_data.mjs').dir : ES6;
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'wp-elsewhere-'));
    copyFileSync(path.join(home, 'static_data.mjs'), path.join(elsewhere, 'bundle.mjs'));
    copyFileSync(path.join(home, 'static_data.wasm'), path.join(elsewhere, 'bundle.wasm'));
    copyFileSync(path.join(home, 'libside_data.so'), path.join(elsewhere, 'libside_data.so'));
    const r = runNode(home, [RUN_ES6, path.join(elsewhere, 'bundle.mjs'), path.join(home, 'static_data.mjs')]);
    if (ok) {
      assert.equal(r.code, 0, r.why);
      assert.match(r.out, /thread read 123/);
    } else {
      assert.notEqual(r.code, 0, r.why);
      assert.match(r.why, new RegExp(`Cannot find module .*wp-elsewhere.*static_data\\.${EM69 ? 'mjs' : 'worker\\.js'}`));
    }
  });
}
// An embedder that gives the ES module nothing (no require, __dirname or wasmBinary).
test(`${TC} -sEXPORT_ES6 under Node with a plain import and factory(): ${EM69 ? 'passes' : 'fails'}`, () => {
  const r = runNode(ES6, [RUN_ES6, '--plain', 'static_data.mjs']);
  if (EM69) {
    assert.equal(r.code, 0, r.why);
    assert.match(r.out, /thread read 123/);
  } else {
    assert.notEqual(r.code, 0, r.why);
    assert.match(r.why, /(__dirname|require) is not defined/);
  }
});
