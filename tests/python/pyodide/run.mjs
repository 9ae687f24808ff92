// Runs a Python unittest module in stock Pyodide (npm, offline) under Node. Each instance
// lives in its own worker thread so a hang can be cut off (terminate) and a C trap, which
// kills a Pyodide instance for good, costs only the test that trapped: a fresh instance
// runs the rest.
import { Worker } from "node:worker_threads";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, PINNED, indexURL } from "../../../tools/pyodide.mjs";

export { ROOT };
const here = path.join(ROOT, "tests/python/pyodide");
// Inside Pyodide the checkout appears at /repo. From the checkout, the package's own search
// finds /repo/build/wasm/libwarmpool-serial.so next to /repo/python as in a real checkout;
// installed from a wheel, python/ is not mounted at all.
const mounts = (installed) => [
  ...(installed ? [] : [[path.join(ROOT, "python"), "/repo/python"]]),
  [path.join(ROOT, "build"), "/repo/build"],
  [path.join(ROOT, "tests"), "/repo/tests"],
];

function startInstance(module, skip, opts) {
  const version = opts.version || PINNED;
  return new Worker(path.join(here, "worker.mjs"), {
    // Captured, not inherited: a dying instance's last words go into its test's failure
    // (Pyodide prints the fatal error there) instead of the TAP stream.
    stdout: true, stderr: true,
    workerData: {
      version, indexURL: opts.indexURL || indexURL(version), asmJs: opts.asmJs || null,
      mounts: mounts(!!opts.install), env: opts.env || {},
      testsDir: opts.testsDir || "/repo/tests/python", driverDir: "/repo/tests/python/pyodide",
      module, skip: [...skip], loadOptions: opts.loadOptions || {}, install: opts.install || null,
    },
  });
}

/** Runs `module`; resolves {results: [{id, status, detail}], instances, loadMs, loaded,
 * installs}.
 * opts: version (a key of tools/pyodide.mjs VERSIONS, default PINNED), loadTimeoutMs,
 * testTimeoutMs, maxInstances, asmJs (a patched pyodide.asm.js, or pyodide.asm.mjs from
 * 314 on), indexURL (another npm Pyodide's directory, with a trailing slash: overrides
 * version's), testsDir (Pyodide path of the tests), env, loadOptions (more loadPyodide
 * options), install ({wheel, how}: each instance installs that wheel, how = "loadPackage"
 * or "lockfile", and runs without the checkout's python/; installs lists what each
 * install reported).
 * Never rejects: problems become results. */
export async function runModule(module, opts = {}) {
  const loadTimeout = opts.loadTimeoutMs ?? 60000;
  const testTimeout = opts.testTimeoutMs ?? 120000;
  const maxInstances = opts.maxInstances ?? 8;
  const results = [];
  const done = new Set();
  const loadMs = [];
  const loaded = [];
  const installs = [];
  let instances = 0;
  for (;;) {
    if (instances === maxInstances) {
      results.push({ id: `${module} (runner)`, status: "error",
                     detail: `gave up after ${instances} Pyodide instances died` });
      break;
    }
    instances++;
    const outcome = await new Promise((resolve) => {
      const w = startInstance(module, done, opts);
      let tail = "";
      const keep = (chunk) => { tail = (tail + chunk).slice(-4000); };
      w.stdout.setEncoding("utf8").on("data", keep);
      w.stderr.setEncoding("utf8").on("data", keep);
      let current = null;
      let timer = null;
      let settled = false;
      const finish = (o) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const why = o.why && tail.trim() ? `${o.why}\n--- instance output ---\n${tail.trim()}` : o.why;
        w.terminate().finally(() => resolve({ ...o, why, current }));
      };
      const arm = (ms, what) => {
        clearTimeout(timer);
        timer = setTimeout(() => finish({ kind: "dead", why: `timeout: ${what} took over ${ms} ms` }), ms);
      };
      arm(loadTimeout, "loading Pyodide");
      w.on("message", (m) => {
        if (m.type === "loaded") { loadMs.push(m.ms); loaded.push(m); arm(loadTimeout, "installing"); }
        else if (m.type === "installed") { installs.push(m); arm(testTimeout, "the first test"); }
        else if (m.type === "start") { current = m.id; arm(testTimeout, m.id); }
        else if (m.type === "result") {
          results.push({ id: m.id, status: m.status, detail: m.detail });
          done.add(m.id);
          current = null;
          arm(testTimeout, "the next test");
        } else if (m.type === "done") finish({ kind: "done" });
        else if (m.type === "fatal") finish({ kind: "dead", why: m.message });
      });
      w.on("error", (e) => finish({ kind: "dead", why: String(e && e.stack || e) }));
      w.on("exit", (code) => finish({ kind: "dead", why: `worker exited with code ${code}` }));
    });
    if (outcome.kind === "done") break;
    if (outcome.current === null) {
      // Died outside any test (load, import, fixture): nothing to skip, so retrying
      // would die the same way.
      results.push({ id: `${module} (instance)`, status: "error", detail: outcome.why });
      break;
    }
    results.push({ id: outcome.current, status: "error",
                   detail: `the Pyodide instance died in this test: ${outcome.why}` });
    done.add(outcome.current);
  }
  return { results, instances, loadMs, loaded, installs };
}

export function counts(results) {
  const c = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  return c;
}

// The package suite's modules (tests/python/test_*.py).
export function suiteModules() {
  return fs.readdirSync(path.join(ROOT, "tests/python"))
    .filter((f) => /^test_.*\.py$/.test(f)).sort().map((f) => f.slice(0, -3));
}

// Runs `module` with `opts` as a node:test test `t`: one subtest per Python test, a
// failure for anything that did not pass. Returns runModule's result.
export async function reportModule(t, module, opts = {}) {
  const run = await runModule(module, opts);
  const { results, instances, loadMs, loaded } = run;
  const c = counts(results);
  t.diagnostic(`${module} on Pyodide ${loaded[0]?.version ?? "?"}: ${c.pass} passed, ` +
               `${c.fail + c.error} failed, ${c.skip} skipped; ${instances} instance(s), ` +
               `load ${loadMs.join("/")} ms`);
  for (const r of results) {
    if (r.status === "skip") { await t.test(r.id, { skip: r.detail }, () => {}); continue; }
    await t.test(r.id, () => {
      if (r.status !== "pass") assert.fail(`${r.status}: ${r.detail}`);
    });
  }
  assert.ok(results.length > 0, "no test ran");
  return run;
}
