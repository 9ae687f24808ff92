// Each runtime patch (and the pool's own sync-on-wake) against the failure it fixes: the
// scenario must fail on the unpatched host, in the way the platform notes describe, and
// pass on the patched one.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD } from '../../pyodide-patches/host/host_api.mjs';
import { HOST, PATCHED, runScenario } from '../harness/host_scenario.mjs';

const T = { timeout: 120000 };
const cases = [
  // [scenario, what it shows, signature of the unpatched failure, checks that must pass
  //  even unpatched (the failure is in the part the patch is about)]
  ['pyodide-load', 'JS loadDynamicLibrary + addFunction + C dlopen (placement replay)',
    /null function|signature mismatch|out of bounds|invalid index|unreachable|timed out|FAIL|Aborted/],
  ['memfs-only', 'library only in the main thread\'s MEMFS (bytes in the log)',
    /ENOENT[\s\S]*Could not load dynamic lib|Could not load dynamic lib[\s\S]*ENOENT/],
  ['late-pyodide', 'Pyodide-style load after the workers run (replay on wake)',
    /null function|signature mismatch|out of bounds|invalid index|unreachable|timed out|Aborted/,
    /^before: /],
  ['worker-reuse', 'a worker reused for a new thread after a late load',
    /null function|signature mismatch|out of bounds|invalid index|unreachable|timed out|Aborted/,
    /^round 0: /],
  ['elsewhere', 'host evaluated by a script elsewhere, Module.mainScriptUrlOrBlob (worker URL)',
    /Cannot find module .*warmpool-elsewhere.*host\.worker\.js|timed out/],
  ['elsewhere-global', 'host evaluated elsewhere, globalThis.PTHREAD_MAIN_JS (worker URL)',
    /Cannot find module .*warmpool-elsewhere.*host\.worker\.js|timed out/],
  ['dirty-heap', 'library memory from a dirty heap (zero-library-memory)',
    /timed out|k_calls = [1-9]/],
];

for (const [name, what, signature, firstPart] of cases) {
  test(`${name}: ${what}: fails unpatched`, T, async () => {
    const r = await runScenario(name, HOST, { timeoutMs: 15000 });
    assert.equal(r.ok, false, 'the unpatched host passed: this scenario does not need the patch');
    assert.match(r.why, signature, `unexpected failure:\n${r.why.slice(0, 2000)}`);
    if (firstPart) {
      const first = Object.entries(r.checks).filter(([k]) => firstPart.test(k));
      assert.ok(first.length > 0 && first.every(([, v]) => v.ok),
        `the part before the late load should pass unpatched: ${JSON.stringify(r.checks).slice(0, 1500)}`);
    }
  });
  test(`${name}: ${what}: passes patched`, T, async () => {
    const r = await runScenario(name, PATCHED);
    assert.ok(r.ok, r.why.slice(0, 3000));
  });
}

// The pool's wp_after_wake(): a worker asleep during a C dlopen must load the library when
// it wakes. Plain C dlopen needs no placement patch: a host with only zero-library-memory
// (3.1.6 gives the library dirty heap memory, whose data-init flag can read "busy" and hang
// the load) works with the real library and fails with the one built without the hook.
const NOSYNC = path.join(BUILD, 'test/libwarmpool-nosync.so');
const ZEROED = path.join(BUILD, 'host-zeroed');
test('late C dlopen: pool without sync-on-wake fails', T, async () => {
  const r = await runScenario('late-c-dlopen', ZEROED, { lib: NOSYNC, timeoutMs: 15000 });
  assert.equal(r.ok, false);
  assert.match(r.why, /null function|signature mismatch|out of bounds|invalid index|timed out/, r.why.slice(0, 2000));
});
for (const [label, dir] of [['zero-library-memory only', ZEROED], ['patched', PATCHED]]) {
  test(`late C dlopen: pool with sync-on-wake passes (${label} host)`, T, async () => {
    const r = await runScenario('late-c-dlopen', dir);
    assert.ok(r.ok, r.why.slice(0, 3000));
  });
}
test('dlsym\'d kernel pointer (ctypes lib.k_fill2) runs on workers (patched)', T, async () => {
  const r = await runScenario('dlsym-pointer', PATCHED);
  assert.ok(r.ok, r.why.slice(0, 3000));
});
