// The Pyodide patch set (pyodide-patches/pyodide_set.py) against the real npm
// pyodide.asm.js: anchors, idempotence, --check, refusal of a file with missing anchors,
// a pthread-worker simulation that fails without each patch, the pthreadMainJs option,
// and the patched copy running the Python suite. node_modules is never written.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, runModule, counts } from "../python/pyodide/run.mjs";
import { simulateWorker } from "./sim_worker.mjs";

const PY = "/usr/bin/python3";
const WPATCH = path.join(ROOT, "pyodide-patches/wpatch.py");
const STOCK = path.join(ROOT, "node_modules/pyodide/pyodide.asm.js");
const sha = (f) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
const stockHash = sha(STOCK);
let tmp, patched, firstRun;

function sh(args, script = WPATCH) {
  const r = spawnSync(PY, [script, ...args], { encoding: "utf8", timeout: 120000 });
  assert.equal(r.error, undefined, String(r.error));
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function pyodidePatches() {
  return sh(["--list"]).out.split("\n").filter((l) => l.startsWith("patch pyodide/"))
    .map((l) => l.split(" ")[1].slice("pyodide/".length));
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wp-pyodide-"));
  patched = path.join(tmp, "pyodide.asm.js");
  firstRun = sh(["--set", "pyodide", STOCK, "-o", patched]); // every test uses this copy
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("every Pyodide anchor is found in npm pyodide.asm.js", () => {
  const names = pyodidePatches();
  assert.ok(names.length >= 8, names.join(","));
  const r = sh(["--check", "--set", "pyodide", STOCK]);
  assert.equal(r.code, 1, r.out + r.err); // found, not yet applied
  for (const n of names) assert.match(r.out, new RegExp(`ready\\s+pyodide/${n}\\b`));
  assert.doesNotMatch(r.out + r.err, /MISSING|AMBIGUOUS/);
});

test("patching writes the copy, then a second run changes nothing; --check says so", () => {
  let r = firstRun;
  assert.equal(r.code, 0, r.err);
  assert.equal(sha(STOCK), stockHash, "node_modules was modified");
  const text = fs.readFileSync(patched, "utf8");
  for (const n of pyodidePatches()) assert.ok(text.includes(`/*wpatch:${n}*/`), n);
  const before = sha(patched);
  r = sh(["--set", "pyodide", patched]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /already patched/);
  assert.equal(sha(patched), before);
  r = sh(["--check", "--set", "pyodide", patched]);
  assert.equal(r.code, 0);
  assert.match(r.out, /fully patched/);
  assert.doesNotMatch(r.out, /\bready\b/);
});

test("a file with missing anchors is refused with the list and left untouched", () => {
  const other = path.join(tmp, "other-version.asm.js");
  // Another Pyodide version's prelude: the init block and getWasmImports look different.
  const text = fs.readFileSync(STOCK, "utf8")
    .replace("API.tests=Tests;", "API.testSuite=Tests;")
    .replace("function getWasmImports(){", "function wasmImportObject(){");
  fs.writeFileSync(other, text);
  const before = sha(other);
  const out = path.join(tmp, "never-written.js");
  const r = sh(["--set", "pyodide", other, "-o", out]);
  assert.equal(r.code, 2);
  assert.match(r.err, /pyodide\/pyodide-init-guard not found/);
  assert.match(r.err, /pyodide\/pyodide-sentinel-imports not found/);
  assert.match(r.err, /2 anchor\(s\) missing; file left untouched/);
  assert.doesNotMatch(r.err, /pyodide-jspi-guard/);
  assert.equal(sha(other), before);
  assert.ok(!fs.existsSync(out));
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith(".wpatch")), []);
  const c = sh(["--check", "--set", "pyodide", other]);
  assert.equal(c.code, 2);
  assert.match(c.out, /MISSING\s+pyodide\/pyodide-init-guard/);
});

test("pthread worker simulation: stock fails, patched reaches wasm instantiation", async () => {
  const stock = await simulateWorker(STOCK);
  assert.match(stock.error, /Cannot set properties of undefined \(setting 'tests'\)/);
  const stockJspi = await simulateWorker(STOCK, { jspi: true });
  assert.match(stockJspi.error, /reading 'push'/);
  for (const jspi of [false, true]) {
    const r = await simulateWorker(patched, { jspi });
    assert.equal(r.error, null);
    assert.deepEqual(r.fetched.map((u) => path.basename(u)), ["pyodide.asm.wasm"]);
    assert.deepEqual(r.missingImports, []); // the sentinel module is there
    const s = r.imports.sentinel;
    const m = s.create_sentinel();
    assert.equal(s.is_sentinel(m), 1);
    assert.equal(s.is_sentinel({}), 0);
    assert.equal(s.is_sentinel(undefined), 0);
  }
});

test("the -pthread shape of getWasmImports (assignWasmImports first) is anchored", async () => {
  // Emscripten 4.0.9 emits `assignWasmImports();` first in a -pthread build (preamble.js).
  const src = path.join(tmp, "pthread-shape.asm.js");
  const out = path.join(tmp, "pthread-shape.patched.js");
  const text = fs.readFileSync(STOCK, "utf8");
  assert.ok(text.includes("function getWasmImports(){return{"));
  fs.writeFileSync(src, text.replace("function getWasmImports(){return{",
    "function assignWasmImports(){}function getWasmImports(){assignWasmImports();return{"));
  const r = sh(["--set", "pyodide", src, "-o", out]);
  assert.equal(r.code, 0, r.err);
  const sim = await simulateWorker(out);
  assert.equal(sim.error, null);
  assert.deepEqual(sim.missingImports, []);
});

test("each Pyodide patch is needed: leaving one out breaks the worker", async () => {
  for (const name of pyodidePatches()) {
    const out = path.join(tmp, `without-${name}.js`);
    const r = sh([STOCK, out, "--set", "pyodide", "--without", name],
                 path.join(ROOT, "tests/patches/patch_variant.py"));
    assert.equal(r.code, 0, r.err);
    const sim = await simulateWorker(out, { jspi: true });
    const broken = sim.error !== null || sim.missingImports === null || sim.missingImports.length > 0;
    assert.ok(broken, `without ${name} the worker still starts`);
  }
});

test("pthreadMainJs option and self.PTHREAD_MAIN_JS reach Module.mainScriptUrlOrBlob", async () => {
  const url = "http://127.0.0.1:8000/pyodide/pyodide.asm.js";
  const cfg = () => ({ API: { config: { pthreadMainJs: url } } });
  const a = await simulateWorker(patched, { pthread: false, moduleArg: cfg(), waitMs: 50 });
  assert.equal(a.moduleArg.mainScriptUrlOrBlob, url);
  // Pyodide in a Web Worker whose code cannot pass options: the global.
  const w = await simulateWorker(patched, { pthread: false, globals: { PTHREAD_MAIN_JS: url },
                                            moduleArg: { API: { config: {} } }, waitMs: 50 });
  assert.equal(w.moduleArg.mainScriptUrlOrBlob, url);
  const s = await simulateWorker(STOCK, { pthread: false, moduleArg: cfg(), waitMs: 50 });
  assert.equal(s.moduleArg.mainScriptUrlOrBlob, undefined);
  const explicit = { ...cfg(), mainScriptUrlOrBlob: "http://other/x.js" };
  const e = await simulateWorker(patched, { pthread: false, moduleArg: explicit, waitMs: 50 });
  assert.equal(e.moduleArg.mainScriptUrlOrBlob, "http://other/x.js"); // explicit wins
});

test("the patched copy loads in Node and runs the Python suite", { timeout: 600000 }, async (t) => {
  const url = "http://127.0.0.1:8000/pyodide/pyodide.asm.js";
  const mods = fs.readdirSync(path.join(ROOT, "tests/python"))
    .filter((f) => /^test_.*\.py$/.test(f)).sort().map((f) => f.slice(0, -3));
  for (const mod of mods) {
    const { results, loaded } = await runModule(mod, { asmJs: patched,
                                                       loadOptions: { pthreadMainJs: url } });
    const c = counts(results);
    t.diagnostic(`${mod} on patched pyodide.asm.js: ${c.pass} passed, ${c.fail + c.error} failed, ${c.skip} skipped`);
    assert.equal(loaded[0]?.mainScriptUrlOrBlob, url);
    assert.ok(c.pass > 0, mod);
    assert.deepEqual(results.filter((r) => r.status === "fail" || r.status === "error"), []);
  }
});

// ---- every supported Pyodide (npm fixtures installed side by side, never committed) ----
// [version, package dir, runtime file, shape, Pyodide patches it does not need]
const RUNTIMES = [
  ["0.27.7", "node_modules/pyodide-0.27/", "pyodide.asm.js", "em3.1.58", ["pyodide-sentinel-imports"]],
  ["0.29.5", "node_modules/pyodide/", "pyodide.asm.js", "em4", []],
  ["314.0.7", "node_modules/pyodide-314/", "pyodide.asm.mjs", "em5", ["pyodide-sentinel-imports"]],
];
// Library-placement patches (present without threads) and the -pthread ones.
const DYLINK = ["record-placement", "record-library-4", "got-slots-4", "record-dlsym-slot", "dlopen-replay"];
const PTHREAD = ["runtime-4", "worker-script-url-4", "run-message-log-4", "run-message-receive-4",
  "thread-start-replay-4"];
const rowState = (out, set, name) => (out.match(new RegExp(`^\\s+(\\S+)\\s+${set}/${name}\\b`, "m")) || [])[1];

for (const [version, dir, file, shape, notNeeded] of RUNTIMES) {
  const src = path.join(ROOT, dir, file);
  const copy = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `wp-${version}-`));
    return path.join(d, file);
  };
  test(`${version}: shape ${shape}, every Pyodide patch it needs is found; patched copy parses, idempotent`, () => {
    assert.equal(JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8")).version, version);
    const before = sha(src);
    const c = sh(["--check", "--set", "pyodide", src]);
    assert.equal(c.code, 1, c.out + c.err);
    assert.match(c.out, new RegExp(`shape ${shape.replace(/\./g, "\\.")} `));
    for (const n of pyodidePatches()) {
      assert.equal(rowState(c.out, "pyodide", n), notNeeded.includes(n) ? "not-needed" : "ready", `${n}\n${c.out}`);
    }
    const out = copy();
    let r = sh(["--set", "pyodide", src, "-o", out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(sha(src), before, "node_modules was modified");
    const once = sha(out);
    r = sh(["--set", "pyodide", out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /already patched/);
    assert.equal(sha(out), once);
    // Default sets: the Emscripten set is not needed (no threads), the Pyodide one applies.
    r = sh(["--check", src]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /not-needed emscripten\/runtime-4: not a -pthread build/);
  });
  test(`${version}: Emscripten set: dynamic-linking anchors found, pthread ones only in a -pthread build`, () => {
    const stock = sh(["--check", "--set", "emscripten", src]);
    assert.equal(stock.code, 2);
    assert.match(stock.err, /no patch of the chosen sets is needed here/);
    // The same text as if PThread existed: what a -pthread build of this version would add
    // is missing, what dynamic linking has is found.
    const f = copy();
    fs.writeFileSync(f, fs.readFileSync(src, "utf8") + "\nvar PThread={};\n");
    const r = sh(["--check", "--set", "emscripten", f]);
    assert.equal(r.code, 2, r.out + r.err);
    for (const n of DYLINK) assert.equal(rowState(r.out, "emscripten", n), "ready", `${n}\n${r.out}`);
    for (const n of PTHREAD) {
      const s = rowState(r.out, "emscripten", n);
      if (n === "worker-script-url-4" && file.endsWith(".mjs")) assert.equal(s, "not-needed");
      else assert.equal(s, "MISSING", `${n}\n${r.out}`);
    }
    assert.equal(rowState(r.out, "emscripten", "table-fit-4"), shape === "em3.1.58" ? undefined : "ready",
      "3.1.58 grows the table itself (tableGrowthNeeded)");
    assert.equal(rowState(r.out, "emscripten", "zero-library-memory"), undefined, "3.1.58+ zero library memory");
  });
  test(`${version}: the patched copy loads with loadPyodide and passes a smoke module of the Python suite`, { timeout: 300000 }, async (t) => {
    const out = copy();
    assert.equal(sh(["--set", "pyodide", src, "-o", out]).code, 0);
    // pthreadMainJs reaches the runtime only through the patched helpers: proof that the
    // patched copy is the one that ran.
    const url = "http://127.0.0.1:8000/pyodide/" + file;
    const { results, loaded } = await runModule("test_lib", { asmJs: out, indexURL: path.join(ROOT, dir) + "/",
                                                             loadOptions: { pthreadMainJs: url } });
    const c = counts(results);
    t.diagnostic(`test_lib on patched ${version}: ${c.pass} passed, ${c.fail + c.error} failed, ${c.skip} skipped`);
    assert.equal(loaded[0]?.version, version);
    assert.equal(loaded[0]?.mainScriptUrlOrBlob, url);
    assert.ok(c.pass > 0);
    assert.deepEqual(results.filter((x) => x.status === "fail" || x.status === "error"), []);
  });
}
