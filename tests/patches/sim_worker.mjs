// Runs pyodide.asm.js the way a pthread worker of a threaded Pyodide sees it, without a
// threaded build: a Web-Worker-like global scope, ENVIRONMENT_IS_PTHREAD true (the stock
// build has no such variable, so the patched guards' `typeof` check finds this global),
// an empty Module (workers get no loadPyodide settings) and optionally JSPI. It stops at
// wasm instantiation and reports how far the runtime got and which imports it offered.
import fs from "node:fs";
import vm from "node:vm";

export async function simulateWorker(asmJs, { jspi = false, pthread = true, moduleArg = {},
                                              globals = {}, waitMs = 300 } = {}) {
  const seen = { fetched: [], imports: null, missingImports: null };
  const wasm = Object.create(WebAssembly);
  const stall = () => new Promise(() => {});
  const check = async (bytesOrResp, imports) => {
    const bytes = bytesOrResp instanceof Uint8Array || bytesOrResp instanceof ArrayBuffer
      ? bytesOrResp : await bytesOrResp.arrayBuffer();
    const mod = new WebAssembly.Module(bytes);
    seen.imports = imports;
    seen.missingImports = WebAssembly.Module.imports(mod)
      .filter((i) => !(imports[i.module] && i.name in imports[i.module]))
      .map((i) => `${i.module}.${i.name}`);
    return stall();
  };
  wasm.instantiate = check;
  wasm.instantiateStreaming = async (resp, imports) => check(await resp, imports);
  if (jspi) wasm.Suspending = class Suspending { constructor(f) { this.f = f; } };
  const wasmBytes = fs.readFileSync(new URL("../../node_modules/pyodide/pyodide.asm.wasm",
                                            import.meta.url));
  const g = {
    console: { log() {}, warn() {}, error() {}, info() {}, debug() {} },
    WebAssembly: wasm, setTimeout, clearTimeout, TextDecoder, TextEncoder, URL,
    performance, crypto: globalThis.crypto, navigator: { userAgent: "sim" },
    location: { href: "http://127.0.0.1/pyodide/pyodide.asm.js" },
    WorkerGlobalScope: function WorkerGlobalScope() {},
    importScripts() {}, postMessage() {}, addEventListener() {},
    fetch: async (url) => {
      seen.fetched.push(String(url));
      return new Response(wasmBytes, { headers: { "content-type": "application/wasm" } });
    },
    Response,
  };
  if (pthread) g.ENVIRONMENT_IS_PTHREAD = true;
  Object.assign(g, globals);
  g.self = g;
  g.globalThis = g;
  const ctx = vm.createContext(g);
  vm.runInContext(fs.readFileSync(asmJs, "utf8"), ctx, { filename: asmJs });
  let error = null;
  ctx._createPyodideModule(moduleArg).catch((e) => { error = e; });
  await new Promise((r) => setTimeout(r, waitMs));
  return { error: error && String(error.stack || error).split("\n").slice(0, 3).join(" | "),
           ...seen, moduleArg };
}
