// The pool's properties on real Wasm threads, in the patched Pyodide-like host: one
// scenario process, one subtest per property it checked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { BUILD } from '../../pyodide-patches/host/host_api.mjs';
import { PATCHED, runScenario } from '../harness/host_scenario.mjs';

// The host make names (WARMPOOL_POOL_HOST, under the build): the patched one by default.
const HOSTDIR = process.env.WARMPOOL_POOL_HOST ? path.join(BUILD, process.env.WARMPOOL_POOL_HOST) : PATCHED;

test('pool properties on Wasm threads', { timeout: 180000 }, async (t) => {
  const r = await runScenario('props', HOSTDIR, { timeoutMs: 150000 });
  assert.ok(!r.timedOut && !r.error, r.why.slice(0, 3000));
  assert.ok(Object.keys(r.checks).length >= 20, `only ${Object.keys(r.checks).length} checks ran`);
  for (const [name, v] of Object.entries(r.checks)) {
    await t.test(name, () => assert.ok(v.ok, v.detail));
  }
});
