// The Python package's unittest suite (tests/python) and this runtime's own Python tests
// (tests/python/wasm-python/test_*.py), run inside the threaded CPython against the THREADED side
// module build/wasm/libwarmpool.so, each in one python.js process with a timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WASM_LIB, KERNELS, runPython } from '../../../pyodide-patches/wasm-python/run.mjs';

// unittest's summary: "Ran N tests in Ts" then "OK (skipped=S)" or "FAILED (failures=F, ...)".
function summary(run) {
  const text = run.stderr;
  const ran = /Ran (\d+) tests? in/.exec(text);
  const ok = /\n(OK|FAILED)\b([^\n]*)/.exec(text);
  const count = (what) => Number((new RegExp(`${what}=(\\d+)`).exec(ok ? ok[2] : '') || [0, 0])[1]);
  return {
    ran: ran ? Number(ran[1]) : 0, ok: !!ok && ok[1] === 'OK',
    failures: count('failures'), errors: count('errors'), skipped: count('skipped'),
  };
}

async function suite(name, startDir, pattern) {
  for (const f of [WASM_LIB, KERNELS]) assert.ok(existsSync(f), `${f} missing: make wasm-python-libs`);
  const run = await runPython(['-m', 'unittest', 'discover', '-v', '-s', join(ROOT, startDir),
    '-p', pattern], { timeoutMs: 600000 });
  const s = summary(run);
  console.log(`# ${name}: ${s.ran} run, ${s.ran - s.skipped - s.failures - s.errors} passed, ` +
    `${s.failures + s.errors} failed, ${s.skipped} skipped, ${(run.ms / 1000).toFixed(1)} s`);
  const detail = `exit ${run.code} timedOut=${run.timedOut}\n${run.stderr.slice(-4000)}`;
  assert.equal(run.timedOut, false, detail);
  assert.ok(s.ran > 0, detail);
  assert.ok(s.ok, detail);
  assert.equal(run.code, 0, detail);
  return s;
}

test('tests/python (the package suite) on the threaded side module', async () => {
  await suite('package suite', 'tests/python', 'test_*.py');
});

test('tests/python/wasm-python/test_threaded.py: workers, warm/cool, ready, nested, concurrent', async () => {
  const s = await suite('threaded-runtime suite', 'tests/python/wasm-python', 'test_*.py');
  assert.equal(s.skipped, 0, 'these tests must not skip in this runtime');
});
