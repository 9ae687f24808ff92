// One Pyodide instance in a worker thread: runs one Python test module and streams each
// test's start and result to the parent, which can kill this thread on a hang or a trap.
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import fs from "node:fs";

const { indexURL, asmJs, mounts, env, testsDir, driverDir, module, skip, loadOptions } = workerData;
const post = (m) => parentPort.postMessage(m);

try {
  const options = { ...loadOptions };
  if (asmJs) {
    // The loader skips fetching pyodide.asm.js when the factory exists already: this is
    // how a patched copy (outside node_modules) is used. An ES module (314's
    // pyodide.asm.mjs) exports the factory instead, which loadPyodide takes as an option.
    const m = await import(pathToFileURL(asmJs).href);
    if (m.default) options.createPyodideModule = m.default;
  }
  const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
  const t0 = Date.now();
  const py = await loadPyodide({ ...options, indexURL, env: { HOME: "/home/pyodide", ...env } });
  post({ type: "loaded", ms: Date.now() - t0, version: py.version,
         mainScriptUrlOrBlob: py._module?.mainScriptUrlOrBlob ?? null });
  for (const [host, at] of mounts) {
    py.FS.mkdirTree(at);
    py.mountNodeFS(at, fs.realpathSync(host));
  }
  py.globals.set("_post", (s) => post(JSON.parse(s)));
  py.runPython(`
import sys
sys.path.insert(0, ${JSON.stringify(driverDir)})
import driver
driver.run(${JSON.stringify(testsDir)}, ${JSON.stringify(module)}, ${JSON.stringify(JSON.stringify(skip))}, _post)
`);
  post({ type: "done" });
} catch (e) {
  // After a trap in C (or any fatal error) this instance is unusable: the parent starts
  // a fresh one for the remaining tests.
  post({ type: "fatal", message: String(e && e.stack || e).slice(0, 4000) });
}
