// Runs demo/demo.py in stock Pyodide (npm, offline) under Node: the checkout is mounted at
// /repo, so the package finds build/wasm/libwarmpool-serial.so as it would in a real app.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const indexURL = path.join(root, "node_modules/pyodide") + "/";
const timer = setTimeout(() => { console.error("pyodide demo: timed out"); process.exit(1); }, 120000);
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const py = await loadPyodide({ indexURL });
for (const dir of ["python", "build", "demo"]) {
  py.FS.mkdirTree(`/repo/${dir}`);
  py.mountNodeFS(`/repo/${dir}`, fs.realpathSync(path.join(root, dir)));
}
py.runPython(`
import sys, runpy
sys.path.insert(0, "/repo/python")
runpy.run_path("/repo/demo/demo.py", run_name="__main__")
`);
clearTimeout(timer);
