// The Python package's unittest suite (tests/python) and this runtime's own Python tests
// (tests/python/wasm-python/test_*.py), run inside the threaded CPython against the THREADED side
// module build/wasm/libwarmpool.so, each in one python.js process with a timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { WASM_LIB, KERNELS } from '../../../pyodide-patches/wasm-python/run.mjs';
import { suite } from './unittest.mjs';

const built = () => {
  for (const f of [WASM_LIB, KERNELS]) assert.ok(existsSync(f), `${f} missing: make wasm-python-libs`);
};

test('tests/python (the package suite) on the threaded side module', async () => {
  built();
  await suite('package suite', 'tests/python', 'test_*.py');
});

test('tests/python/wasm-python/test_threaded.py: workers, warm/cool, ready, nested, concurrent', async () => {
  built();
  const s = await suite('threaded-runtime suite', 'tests/python/wasm-python', 'test_*.py');
  assert.equal(s.skipped, 0, 'these tests must not skip in this runtime');
});
