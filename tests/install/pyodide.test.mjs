// The Pyodide wheel installed as Pyodide apps install it, on every supported version
// ($PYODIDE_VERSIONS to pick): by pyodide.loadPackage(its file:// URL), and by a lock-file
// entry that `import warmpool` resolves (loadPackagesFromImports). Then the package suite
// and tests/install/test_installed.py run against that copy, python/ not even mounted.
// The threaded and the native wheels installed there instead: a clear error naming the
// Pyodide wheel.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { reportModule, suiteModules } from "../python/pyodide/run.mjs";
import { selectedVersions } from "../../tools/pyodide.mjs";

const WHEEL = { pyodide: process.env.WHEEL_PYODIDE, threaded: process.env.WHEEL_THREADED,
                native: process.env.WHEEL_NATIVE };
for (const [f, w] of Object.entries(WHEEL)) {
  assert.ok(w && fs.existsSync(w), `WHEEL_${f.toUpperCase()}=${w}: run make wheels (make test-install-pyodide sets these)`);
}
const INSTALLED = { WARMPOOL_TEST_INSTALLED: "1" };
const modules = [...suiteModules().map((m) => [m, "/repo/tests/python"]), ["test_installed", "/repo/tests/install"]];

for (const version of selectedVersions()) {
  for (const how of ["loadPackage", "lockfile"]) {
    for (const [mod, testsDir] of modules) {
      test(`pyodide ${version}, installed by ${how}: ${mod}`, { timeout: 600000 }, async (t) => {
        const { installs, loaded } = await reportModule(t, mod, {
          version, testsDir, env: INSTALLED, install: { wheel: WHEEL.pyodide, how } });
        assert.ok(loaded[0].version.startsWith(version + "."), loaded[0].version);
        assert.ok(installs.length > 0);
        for (const i of installs) {
          assert.deepEqual(i.loaded, ["warmpool"], i.messages.join("\n"));
          assert.equal(i.ok, true, i.messages.join("\n"));
          assert.doesNotMatch(i.messages.join("\n"), /Didn't find package/);
        }
      });
    }
  }
  for (const wrong of ["threaded", "native"]) {
    test(`pyodide ${version}: the ${wrong} wheel names the Pyodide wheel`, { timeout: 300000 }, async (t) => {
      const { installs, results } = await reportModule(t, "test_wrong_flavour", {
        version, testsDir: "/repo/tests/install", env: { ...INSTALLED, WARMPOOL_TEST_WRONG_WHEEL: wrong },
        install: { wheel: WHEEL[wrong], how: "loadPackage" } });
      assert.deepEqual(results.map((r) => r.status), ["pass", "pass"]);
      // What Pyodide itself says when it preloads the library (a log, not an exception).
      if (wrong === "threaded") assert.match(installs[0].messages.join("\n"), /mismatch in shared state of memory/);
    });
  }
}
