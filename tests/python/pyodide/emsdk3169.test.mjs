// Side modules built by Emscripten 3.1.69 (build/wasm-3.1.69) in npm Pyodide 0.27.x
// (Emscripten 3.1.58), 0.29.x (4.0.9) and 314.x (5.0.3): the package's pool suite
// (tests/python/test_pool.py) loads the serial library and the test kernels through
// ctypes.CDLL and runs its jobs, one fresh Pyodide per version (worker.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./run.mjs";

const here = path.join(ROOT, "tests/python/pyodide");
const LIB = "/repo/build/wasm-3.1.69/libwarmpool-serial.so";
const KERNELS = "/repo/build/py-wasm-3.1.69/libkernels-serial.so";
const MOUNTS = [
  [path.join(ROOT, "python"), "/repo/python"],
  [path.join(ROOT, "build"), "/repo/build"],
  [path.join(ROOT, "tests/python"), "/repo/tests/python"],
];

function runIn(dir, module, timeoutMs) {
  return new Promise((resolve) => {
    const results = [];
    let version = null, tail = "";
    const w = new Worker(path.join(here, "worker.mjs"), {
      stdout: true, stderr: true,
      workerData: {
        indexURL: path.join(ROOT, "node_modules", dir) + "/", asmJs: null, mounts: MOUNTS,
        env: { WARMPOOL_LIB: LIB, WARMPOOL_KERNELS: KERNELS }, testsDir: "/repo/tests/python",
        driverDir: "/repo/tests/python/pyodide", module, skip: [], loadOptions: {},
      },
    });
    const keep = (c) => { tail = (tail + c).slice(-3000); };
    w.stdout.setEncoding("utf8").on("data", keep);
    w.stderr.setEncoding("utf8").on("data", keep);
    const end = (why) => { clearTimeout(timer); w.terminate().finally(() => resolve({ results, version, why, tail })); };
    const timer = setTimeout(() => end(`timed out after ${timeoutMs} ms`), timeoutMs);
    w.on("message", (m) => {
      if (m.type === "loaded") version = m.version;
      else if (m.type === "result") results.push(m);
      else if (m.type === "done") end(null);
      else if (m.type === "fatal") end(m.message);
    });
    w.on("error", (e) => end(String(e && e.stack || e)));
  });
}

for (const [dir, want] of [["pyodide-0.27", /^0\.27\./], ["pyodide", /^0\.29\./], ["pyodide-314", /^314\./]]) {
  test(`3.1.69 serial side module in npm ${dir}: test_pool through ctypes.CDLL`, { timeout: 300000 }, async (t) => {
    for (const f of [LIB, KERNELS]) assert.ok(fs.existsSync(path.join(ROOT, f.slice("/repo/".length))), `${f} not built`);
    const r = await runIn(dir, "test_pool", 240000);
    assert.equal(r.why, null, `${r.why}\n${r.tail}`);
    assert.match(String(r.version), want);
    const ran = r.results.filter((x) => x.status !== "skip");
    assert.ok(ran.length >= 5, `only ${ran.length} tests ran`);
    t.diagnostic(`Pyodide ${r.version}: ${ran.filter((x) => x.status === "pass").length}/${ran.length} passed`);
    for (const x of r.results) {
      await t.test(x.id, { skip: x.status === "skip" ? x.detail : false }, () => {
        if (x.status !== "pass") assert.fail(`${x.status}: ${x.detail}`);
      });
    }
  });
}
