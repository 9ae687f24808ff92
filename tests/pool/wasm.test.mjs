// The pool's properties on real Wasm threads, in the patched Pyodide-like host: one
// scenario process, one subtest per property it checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PATCHED, runScenario } from '../harness/host_scenario.mjs';

test('pool properties on Wasm threads', { timeout: 180000 }, async (t) => {
  const r = await runScenario('props', PATCHED, { timeoutMs: 150000 });
  assert.ok(!r.timedOut && !r.error, r.why.slice(0, 3000));
  assert.ok(Object.keys(r.checks).length >= 20, `only ${Object.keys(r.checks).length} checks ran`);
  for (const [name, v] of Object.entries(r.checks)) {
    await t.test(name, () => assert.ok(v.ok, v.detail));
  }
});
