// Runs a Python unittest module in stock Pyodide (npm, offline) under Node. Each instance
// lives in its own worker thread so a hang can be cut off (terminate) and a C trap, which
// kills a Pyodide instance for good, costs only the test that trapped: a fresh instance
// runs the rest.
import { Worker } from "node:worker_threads";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "../../..");
export const INDEX_URL = path.join(ROOT, "node_modules/pyodide") + "/";
// Inside Pyodide the checkout appears at /repo, so the package's own search finds
// /repo/build/wasm/libwarmpool-serial.so next to /repo/python, as in a real checkout.
const MOUNTS = [
  [path.join(ROOT, "python"), "/repo/python"],
  [path.join(ROOT, "build"), "/repo/build"],
  [path.join(ROOT, "tests/python"), "/repo/tests/python"],
];

function startInstance(module, skip, opts) {
  return new Worker(path.join(here, "worker.mjs"), {
    // Captured, not inherited: a dying instance's last words go into its test's failure
    // (Pyodide prints the fatal error there) instead of the TAP stream.
    stdout: true, stderr: true,
    workerData: {
      indexURL: opts.indexURL || INDEX_URL, asmJs: opts.asmJs || null, mounts: MOUNTS, env: opts.env || {},
      testsDir: opts.testsDir || "/repo/tests/python", driverDir: "/repo/tests/python/pyodide",
      module, skip: [...skip], loadOptions: opts.loadOptions || {},
    },
  });
}

/** Runs `module`; resolves {results: [{id, status, detail}], instances, loadMs}.
 * opts: loadTimeoutMs, testTimeoutMs, maxInstances, asmJs (a patched pyodide.asm.js, or
 * pyodide.asm.mjs from 314 on), indexURL (another npm Pyodide, with a trailing slash),
 * testsDir (Pyodide path of the tests), env, loadOptions (more loadPyodide options).
 * Never rejects: problems become results. */
export async function runModule(module, opts = {}) {
  const loadTimeout = opts.loadTimeoutMs ?? 60000;
  const testTimeout = opts.testTimeoutMs ?? 120000;
  const maxInstances = opts.maxInstances ?? 8;
  const results = [];
  const done = new Set();
  const loadMs = [];
  const loaded = [];
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
        if (m.type === "loaded") { loadMs.push(m.ms); loaded.push(m); arm(testTimeout, "the first test"); }
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
  return { results, instances, loadMs, loaded };
}

export function counts(results) {
  const c = { pass: 0, fail: 0, error: 0, skip: 0 };
  for (const r of results) c[r.status]++;
  return c;
}
