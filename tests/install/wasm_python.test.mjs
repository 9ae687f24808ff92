// The threaded wheel in the threaded CPython-on-Wasm: that runtime unpacks it itself
// (tools/install_wheel.py: no pip, no zlib, so the wheel is stored), then the package
// suite and tests/install/test_installed.py run against the unpacked copy (python/ is not
// on its path; WARMPOOL_LIB, set by the runner, must not win). The Pyodide wheel there:
// refused by its tags, and unpacked anyway, a clear error naming the threaded wheel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPython } from '../../pyodide-patches/wasm-python/run.mjs';
import { suite } from '../python/wasm-python/unittest.mjs';

const THREADED = process.env.WHEEL_THREADED;
const PYODIDE = process.env.WHEEL_PYODIDE;
for (const w of [THREADED, PYODIDE]) assert.ok(w && fs.existsSync(w), `${w}: run make wheels`);
let tmp, site;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'warmpool-wasm-install-'));
  site = path.join(tmp, 'site');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const install = (wheel, target, ...flags) =>
  runPython(['tools/install_wheel.py', ...flags, '--target', target, wheel], { timeoutMs: 120000 });

test('the runtime unpacks the threaded wheel itself', async () => {
  const r = await install(THREADED, site);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.existsSync(path.join(site, 'warmpool', 'libwarmpool.so')));
  assert.ok(!fs.existsSync(path.join(site, 'warmpool', 'libwarmpool-serial.so')));
});

test('the package suite on the installed copy', async () => {
  await suite('package suite, installed', 'tests/python', 'test_*.py',
    { env: { PYTHONPATH: site, WARMPOOL_TEST_INSTALLED: '1' } });
});

test('tests/install/test_installed.py on the installed copy', async () => {
  const s = await suite('installed copy', 'tests/install', 'test_installed.py',
    { env: { PYTHONPATH: site, WARMPOOL_TEST_INSTALLED: '1' } });
  assert.equal(s.skipped, 1, 'only the Pyodide test skips here');
});

test('the Pyodide wheel: refused by its tags, and deflated for a runtime without zlib', async () => {
  const dir = path.join(tmp, 'refused');
  const r = await install(PYODIDE, dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /this runtime takes emscripten_3_1_6_wasm32/);
  const f = await install(PYODIDE, dir, '--ignore-tags');
  assert.equal(f.code, 1);
  assert.match(f.stderr, /no zlib: it needs a stored wheel/);
  assert.ok(!fs.existsSync(path.join(dir, 'warmpool')));
});

test('the Pyodide wheel unpacked anyway: the error names the threaded wheel', async () => {
  const dir = path.join(tmp, 'wrong');
  const u = spawnSync('/usr/bin/python3', ['-m', 'zipfile', '-e', PYODIDE, dir], { encoding: 'utf8' });
  assert.equal(u.status, 0, u.stderr);
  const s = await suite('wrong flavour', 'tests/install', 'test_wrong_flavour.py',
    { env: { PYTHONPATH: dir, WARMPOOL_TEST_INSTALLED: '1', WARMPOOL_TEST_WRONG_WHEEL: 'pyodide' } });
  assert.equal(s.ran, 2);
  assert.equal(s.skipped, 0);
});
