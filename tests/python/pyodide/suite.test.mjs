// The Python package's unittest suite in stock Pyodide (serial side module, from the
// checkout), on every supported version ($PYODIDE_VERSIONS to pick), one fresh Pyodide
// per test file, each Python test reported as a node:test subtest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { reportModule, suiteModules } from "./run.mjs";
import { selectedVersions } from "../../../tools/pyodide.mjs";

for (const version of selectedVersions()) {
  for (const mod of suiteModules()) {
    test(`pyodide ${version}: ${mod}`, { timeout: 600000 }, async (t) => {
      const { loaded } = await reportModule(t, mod, { version });
      assert.ok(loaded[0].version.startsWith(version + "."), `loaded Pyodide ${loaded[0].version}`);
    });
  }
}
