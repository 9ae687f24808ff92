// Runs a unittest discovery inside the threaded CPython (one python.js process with a
// timeout) and checks its summary.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, runPython } from '../../../pyodide-patches/wasm-python/run.mjs';

// unittest's summary: "Ran N tests in Ts" then "OK (skipped=S)" or "FAILED (failures=F, ...)".
export function summary(run) {
  const text = run.stderr;
  const ran = /Ran (\d+) tests? in/.exec(text);
  const ok = /\n(OK|FAILED)\b([^\n]*)/.exec(text);
  const count = (what) => Number((new RegExp(`${what}=(\\d+)`).exec(ok ? ok[2] : '') || [0, 0])[1]);
  return {
    ran: ran ? Number(ran[1]) : 0, ok: !!ok && ok[1] === 'OK',
    failures: count('failures'), errors: count('errors'), skipped: count('skipped'),
  };
}

// `python -m unittest discover -s startDir -p pattern` with env; asserts it ran and passed.
export async function suite(name, startDir, pattern, { env = {} } = {}) {
  const run = await runPython(['-m', 'unittest', 'discover', '-v', '-s', join(ROOT, startDir),
    '-p', pattern], { timeoutMs: 600000, env });
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
