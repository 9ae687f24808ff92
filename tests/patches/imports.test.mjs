// The side-module import check: the libraries pass, a module that imports time() fails
// and names the import.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD, ROOT } from '../../pyodide-patches/host/host_api.mjs';

const CHECK = path.join(ROOT, 'pyodide-patches/imports/check_imports.mjs');
const run = (...args) => spawnSync(process.execPath, [CHECK, ...args], { encoding: 'utf8', timeout: 30000 });

test('libwarmpool.so and libwarmpool-serial.so import only allowed symbols', () => {
  const r = run(path.join(BUILD, 'libwarmpool.so'), path.join(BUILD, 'libwarmpool-serial.so'));
  assert.equal(r.status, 0, r.stderr);
});
test('a side module importing time() is refused, naming the import', () => {
  const r = run(path.join(BUILD, 'test/libbad_time.so'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /import env\.time \(function\) is not in/);
});
// Weak: the address is tested (GOT.func) before the call, so a runtime without the symbol
// (Emscripten 4.0.x names it differently) still loads the library.
test('the threaded library tests the runtime sync\'s address before calling it', async () => {
  const mod = new WebAssembly.Module(
    (await import('node:fs')).readFileSync(path.join(BUILD, 'libwarmpool.so')));
  const imps = WebAssembly.Module.imports(mod);
  assert.ok(imps.some((i) => i.module === 'GOT.func' && i.name === '_emscripten_thread_sync_code'));
});
