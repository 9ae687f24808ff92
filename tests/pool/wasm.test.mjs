// The pool's properties on real Wasm threads, in the patched Pyodide-like host: one
// scenario process, one subtest per property it checked. Then destroy before the workers
// start, in the same host built without pre-started workers (build/wasm/host-nopool).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD } from '../../pyodide-patches/host/host_api.mjs';
import { PATCHED, runScenario } from '../harness/host_scenario.mjs';

// The hosts make names (WARMPOOL_POOL_HOST, WARMPOOL_NOPOOL_HOST, under the build): by
// default the patched one and the one without pre-started workers.
const env = process.env;
const HOSTDIR = env.WARMPOOL_POOL_HOST ? path.join(BUILD, env.WARMPOOL_POOL_HOST) : PATCHED;
const NOPOOL = env.WARMPOOL_NOPOOL_HOST ?? 'host-nopool';

async function scenario(t, name, hostDir, minChecks, timeoutMs) {
  const r = await runScenario(name, hostDir, { timeoutMs });
  assert.ok(!r.timedOut && !r.error, r.why.slice(0, 3000));
  assert.ok(Object.keys(r.checks).length >= minChecks, `only ${Object.keys(r.checks).length} checks ran`);
  for (const [label, v] of Object.entries(r.checks)) {
    await t.test(label, () => assert.ok(v.ok, v.detail));
  }
}

test('pool properties on Wasm threads', { timeout: 180000 }, async (t) => {
  await scenario(t, 'props', HOSTDIR, 20, 150000);
});

test('destroy before the workers start (host without pre-started workers)',
  { timeout: 120000, skip: !NOPOOL && 'no such host is built with this Emscripten' }, async (t) => {
  await scenario(t, 'destroy-unstarted', path.join(BUILD, NOPOOL), 20, 60000);
});
