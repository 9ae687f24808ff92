// The runner itself: a C trap and a C hang in the middle of a module cost only their own
// test (a fresh Pyodide runs the rest), and ordinary failures (subtests too) are reported
// as failures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runModule } from "./run.mjs";

test("runner survives a trap and a hang", { timeout: 300000 }, async () => {
  const { results, instances } = await runModule("test_runner_fixture", {
    testsDir: "/repo/tests/python/pyodide/fixtures",
    testTimeoutMs: 8000,
    env: { FIXTURE_HANG_MS: "600000" },
  });
  const by = Object.fromEntries(results.map((r) => [r.id.split(".").pop(), r]));
  assert.deepEqual(Object.keys(by).sort(), ["test_1_before", "test_2_trap",
    "test_3_after_trap", "test_4_hang", "test_5_after_hang", "test_6_plain_failure",
    "test_7_subtest_failure"]);
  assert.equal(by.test_1_before.status, "pass");
  assert.equal(by.test_2_trap.status, "error");
  assert.match(by.test_2_trap.detail, /died in this test.*unreachable/s);
  assert.equal(by.test_3_after_trap.status, "pass", by.test_3_after_trap.detail);
  assert.equal(by.test_4_hang.status, "error");
  assert.match(by.test_4_hang.detail, /timeout/);
  assert.equal(by.test_5_after_hang.status, "pass");
  assert.equal(by.test_6_plain_failure.status, "fail");
  assert.match(by.test_6_plain_failure.detail, /1 != 2/);
  // Only a subtest failed (Python 3.12+ then reports neither success nor failure).
  assert.equal(by.test_7_subtest_failure.status, "fail");
  assert.match(by.test_7_subtest_failure.detail, /i=1/);
  assert.equal(instances, 3);
});
