// Ordinary pthread + dylink programs built with Debian's emcc 3.1.6 (tests/patches/programs/,
// built by make, stock), run stock and patched: shared static data of start-up libraries
// (zero-library-memory must leave it alone), patches that are not needed (no dlsym),
// a thread catching up from main-module C on a MEMFS-only library, ES module output.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD, ROOT } from '../../pyodide-patches/host/host_api.mjs';

const PROG = path.join(BUILD, 'programs');
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
  test(`static data (${v}): a thread reads what main stored, stock and patched`, () => {
    let r = runNode(dir, ['static_data.js']);
    assert.equal(r.code, 0, r.why);
    assert.match(r.out, /thread read 123/);
    const p = patched(dir, 'static_data.js');
    r = runNode(p.dir, ['static_data.js']);
    assert.equal(r.code, 0, r.why);
    assert.match(r.out, /thread read 123/);
  });
  test(`static data (${v}): zeroing a start-up library's memory in workers loses it`, () => {
    const p = patched(dir, 'static_data.js', { edit: OLD_ZERO });
    const r = runNode(p.dir, ['static_data.js']);
    assert.notEqual(r.code, 0, r.why);
    assert.match(r.out, /thread read (0|42)\b/);
  });
}

// ---- not needed vs missing ------------------------------------------------------------
test('a program that never calls dlsym: record-dlsym-slot is not needed, the rest applies', () => {
  for (const v of ['mm2-O0', 'mm2-O2']) {
    const src = path.join(PROG, v, 'static_data.js');
    assert.doesNotMatch(readFileSync(src, 'utf8'), /function\s+__dlsym_js/);
    const r = wpatch('--check', src);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /not-needed emscripten\/record-dlsym-slot: no _dlsym_js: the program never calls dlsym/);
    assert.match(r.stdout, /ready\s+emscripten\/runtime\b/);
  }
});
test('a needed anchor that changed shape still refuses the file, untouched', () => {
  const d = copyDir(path.join(PROG, 'mm1-O2')), f = path.join(d, 'static_data.js');
  const text = readFileSync(f, 'utf8').replace(/result=addFunction\(result,result\.sig\)/, 'result=addFunction(result)');
  assert.match(text, /function __dlsym_js/);
  writeFileSync(f, text);
  const r = wpatch(f);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /MISSING\s+emscripten\/record-dlsym-slot/);
  assert.match(r.stderr, /1 anchor\(s\) missing; file left untouched/);
  assert.equal(readFileSync(f, 'utf8'), text);
});
test('a build without threads needs none of the Emscripten set', () => {
  const d = copyDir(path.join(PROG, 'mm2-O2')), f = path.join(d, 'static_data.js');
  writeFileSync(f, readFileSync(f, 'utf8').replace(/var PThread\s*=/g, 'var PThreads='));
  const r = wpatch('--set', 'emscripten', f);
  assert.equal(r.status, 2);
  assert.match(r.stdout, /not-needed emscripten\/runtime: not a -pthread build/);
  assert.match(r.stderr, /no patch of the chosen sets is needed here/);
});

// ---- catching up from main-module C, library only in MEMFS ------------------------------
const MEMFS = path.join(PROG, 'memfs');
const SIDE = { WP_SIDE_ANSWER: path.join(MEMFS, 'libside_answer.so') };
test('MEMFS-only library, main-module C calls _emscripten_thread_sync_code(): fails stock', () => {
  const r = runNode(MEMFS, ['memfs_sync.js', 'sync'], SIDE);
  assert.notEqual(r.code, 0);
  assert.match(r.why, /ENOENT/);
});
test('...passes patched', () => {
  const p = patched(MEMFS, 'memfs_sync.js');
  const r = runNode(p.dir, ['memfs_sync.js', 'sync'], SIDE);
  assert.equal(r.code, 0, r.why);
  assert.match(r.out, /sync: 7/);
});
test('...fails without dlopen-replay', () => {
  const p = patched(MEMFS, 'memfs_sync.js', { variant: ['--without', 'dlopen-replay'] });
  const r = runNode(p.dir, ['memfs_sync.js', 'sync'], SIDE);
  assert.notEqual(r.code, 0);
  assert.match(r.why, /ENOENT/);
});
// Limit (upstream 3.1.6, patched or not): a worker's own dlopen of a library the main
// thread loaded finds it in C's shared list and never tells the worker's JS, so dlsym on
// it fails; the thread must call _emscripten_thread_sync_code() first.
test('limit: a running thread\'s own dlopen of the library, without a sync, fails patched too', () => {
  const p = patched(MEMFS, 'memfs_sync.js');
  const r = runNode(p.dir, ['memfs_sync.js', 'dlopen'], SIDE);
  assert.notEqual(r.code, 0, 'the limit is gone: update the README');
  assert.match(r.why, /__dlsym_js/);
});

// ---- ES module output ------------------------------------------------------------------
const ES6 = path.join(PROG, 'es6-O2');
test('-sEXPORT_ES6: the ES module variants apply, the patched module parses and runs', () => {
  const c = wpatch('--check', path.join(ES6, 'static_data.mjs'));
  assert.equal(c.status, 1, c.stdout + c.stderr);
  for (const n of ['worker-script-url-es6', 'runtime', 'zero-library-memory']) {
    assert.match(c.stdout, new RegExp(`ready\\s+emscripten/${n}\\b`));
  }
  assert.match(c.stdout, /not-needed emscripten\/main-script-url: ES module output/);
  const p = patched(ES6, 'static_data.mjs');
  const r = runNode(p.dir, [RUN_ES6, 'static_data.mjs']);
  assert.equal(r.code, 0, r.why);
  assert.match(r.out, /thread read 123/);
});
// The module evaluated from another directory (a bundle), no locateFile: the worker
// script is looked up next to import.meta.url unless the patch takes mainScriptUrlOrBlob.
for (const [label, ok] of [['stock', false], ['patched', true]]) {
  test(`-sEXPORT_ES6 loaded from elsewhere with mainScriptUrlOrBlob: ${ok ? 'passes' : 'fails'} ${label}`, () => {
    const home = ok ? patched(ES6, 'static_data.mjs').dir : ES6;
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'wp-elsewhere-'));
    for (const f of ['static_data.mjs', 'static_data.wasm']) copyFileSync(path.join(home, f), path.join(elsewhere, f));
    const r = runNode(home, [RUN_ES6, path.join(elsewhere, 'static_data.mjs'), path.join(home, 'static_data.mjs')]);
    if (ok) {
      assert.equal(r.code, 0, r.why);
      assert.match(r.out, /thread read 123/);
    } else {
      assert.match(r.why, /Cannot find module .*wp-elsewhere.*static_data\.worker\.js/);
    }
  });
}
