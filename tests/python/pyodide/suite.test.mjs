// The Python package's unittest suite in stock Pyodide (serial side module), one fresh
// Pyodide per test file, each Python test reported as a node:test subtest.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, runModule, counts } from "./run.mjs";

const modules = fs.readdirSync(path.join(ROOT, "tests/python"))
  .filter((f) => /^test_.*\.py$/.test(f)).sort().map((f) => f.slice(0, -3));

for (const mod of modules) {
  test(`pyodide: ${mod}`, { timeout: 600000 }, async (t) => {
    const { results, instances, loadMs } = await runModule(mod);
    const c = counts(results);
    t.diagnostic(`${mod}: ${c.pass} passed, ${c.fail + c.error} failed, ${c.skip} skipped; ` +
                 `${instances} instance(s), load ${loadMs.join("/")} ms`);
    for (const r of results) {
      if (r.status === "skip") { await t.test(r.id, { skip: r.detail }, () => {}); continue; }
      await t.test(r.id, () => {
        if (r.status !== "pass") assert.fail(`${r.status}: ${r.detail}`);
      });
    }
    assert.ok(results.length > 0, "no test ran");
  });
}
