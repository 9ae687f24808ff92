// Runs demo/demo.py in stock Pyodide (npm, offline) under Node, with warmpool installed as a
// Pyodide app installs it: pyodide.loadPackage(the wheel's URL). Only demo/ is mounted.
//
//   node demo/pyodide_demo.mjs [--version 314|0.29|0.27] [--summary FILE] WHEEL
//
// The newest supported Pyodide by default (tools/pyodide.mjs). Exits non-zero if the
// wheel does not install, the demo fails, or it takes over two minutes.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ROOT, NEWEST, indexURL, installWheel } from '../tools/pyodide.mjs';

const { values: opt, positionals } = parseArgs({
  options: { version: { type: 'string', default: NEWEST }, summary: { type: 'string' } },
  allowPositionals: true,
});
const wheel = positionals[0];
if (positionals.length !== 1 || !fs.existsSync(wheel)) {
  console.error(`usage: pyodide_demo.mjs [--version V] [--summary FILE] WHEEL (got ${positionals.join(' ') || 'no wheel'})`);
  process.exit(2);
}
const timer = setTimeout(() => { console.error('pyodide demo: timed out'); process.exit(1); }, 120000);
const index = indexURL(opt.version);
const { loadPyodide } = await import(pathToFileURL(index + 'pyodide.mjs').href);
const env = { HOME: '/home/pyodide' };
if (opt.summary) env.WARMPOOL_DEMO_SUMMARY = '/out/' + path.basename(opt.summary);
const py = await loadPyodide({ indexURL: index, env });
const inst = await installWheel(py, wheel, 'loadPackage');
if (!inst.ok) {
  console.error(`pyodide demo: ${path.basename(wheel)} did not install in Pyodide ${py.version}:\n  ${inst.messages.join('\n  ')}`);
  process.exit(1);
}
const mounts = [[path.join(ROOT, 'demo'), '/demo']];
if (opt.summary) {
  fs.mkdirSync(path.dirname(path.resolve(opt.summary)), { recursive: true });
  mounts.push([path.dirname(path.resolve(opt.summary)), '/out']);
}
for (const [host, at] of mounts) {
  py.FS.mkdirTree(at);
  py.mountNodeFS(at, fs.realpathSync(host));
}
try {
  py.runPython('import runpy; runpy.run_path("/demo/demo.py", run_name="__main__")');
} catch (e) {
  // SystemExit(1) when the pool's pixels differ, or any Python error: its traceback.
  console.error(String(e.message || e));
  process.exit(1);
}
clearTimeout(timer);
