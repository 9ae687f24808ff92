// host_api.mjs - JS glue for the threaded test host (build/wasm/host*/host.js): starts it
// directly or "from a script elsewhere", loads libraries the way Pyodide does (JS
// loadDynamicLibrary, addFunction in between, then C dlopen) and calls the pool through
// the wasm table, as ctypes does. Used by the Wasm tests under tests/ and bench/wasm_bench.mjs.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

// The C structs JS reads and writes, as laid out on wasm32: [offset, size] per field.
// tests/layout/ checks this table against the wasm32 build of tests/layout/layout.c.
const u64 = (names, first) => Object.fromEntries(names.map((n, i) => [n, [first + 8 * i, 8]]));
export const LAYOUT = {
  warmpool_options: { size: 40, fields: { workers: [0, 4], cool_after_ms: [8, 8], name: [16, 4],
    stack_size: [20, 4], on_start: [24, 4], on_start_arg: [28, 4], flags: [32, 4] } },
  warmpool_stats: { size: 160, fields: { version: [0, 4], size: [4, 4], ...u64([
    'workers_requested', 'workers_started', 'create_errno', 'jobs_parallel',
    'jobs_serial_not_ready', 'jobs_serial_nested', 'jobs_serial_concurrent', 'jobs_serial_tiny',
    'jobs_serial_no_workers', 'items_caller', 'items_workers', 'chunks_workers', 'joins',
    'late_wakeups', 'futex_wakes', 'caller_sleeps', 'worker_sleeps', 'warm_on', 'cooldowns'], 8) } },
};
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
// The Wasm build in use: build/wasm (emcc 3.1.6), or the one make's EMSDK_VERSION picked
// (WARMPOOL_WB, e.g. build/wasm-3.1.69).
export const BUILD = path.resolve(ROOT, process.env.WARMPOOL_WB || 'build/wasm');

// from: 'direct' (require the file), 'elsewhere' (its text evaluated by a loader in another
// directory, as bundlers and Pyodide's loader do), opts: Emscripten Module settings.
export async function startHost(dir, { from = 'direct', opts = {} } = {}) {
  const hostJs = path.resolve(dir, 'host.js');
  let factory;
  if (from === 'direct') {
    factory = createRequire(import.meta.url)(hostJs);
  } else {
    const fake = path.join(tmpdir(), 'warmpool-elsewhere', 'bundle.js');
    const wrapped = vm.runInThisContext(
      `(function (require, module, exports, __filename, __dirname) {${readFileSync(hostJs, 'utf8')}\n})`,
      { filename: fake });
    const mod = { exports: {} };
    wrapped(createRequire(fake), mod, mod.exports, fake, path.dirname(fake));
    factory = mod.exports;
    opts = { wasmBinary: readFileSync(path.join(dir, 'host.wasm')), ...opts };
  }
  // An absolute path is a file on disk: 3.1.69 reads a library C cannot find in its FS
  // from locateFile(path), which would put the script's directory in front (3.1.6 read
  // the path as given).
  const locateFile = (p, dir) => (path.isAbsolute(p) ? p : dir + p);
  const M = await factory({ print: () => {}, locateFile, ...opts });
  return new Host(M);
}

export class Host {
  constructor(M) {
    this.M = M;
    this.libs = {};
  }
  get u8() { return this.M.HEAPU8; }
  cstr(s) {
    const n = Buffer.byteLength(s) + 1;
    const p = this.M._malloc(n);
    this.M.stringToUTF8(s, p, n);
    return p;
  }
  // Puts a file into the main thread's MEMFS only (workers have their own, empty FS).
  memfsWrite(file, bytes) {
    this.M.FS.mkdirTree(path.dirname(file));
    this.M.FS.writeFile(file, bytes);
  }
  // Pyodide's way: JS loads the library first (from MEMFS when memfs, else from disk).
  // The `fs` flag is what Pyodide's Emscripten has (and 3.1.6); stock 3.1.69 dropped it
  // and reads only from disk or the URL: there a MEMFS-only file cannot be JS-loaded.
  get jsLoadsFromFs() { return /\bflags\.fs\b/.test(String(this.M.loadDynamicLibrary)); }
  async jsLoad(file, { memfs = false } = {}) {
    const flags = { loadAsync: !process.env.SYNC_LOAD, global: true, nodelete: true, allowUndefined: true };
    if (memfs) {
      if (!this.jsLoadsFromFs) throw new Error(`jsLoad ${file}: this runtime's loadDynamicLibrary cannot read its FS`);
      flags.fs = this.M.FS;
    }
    await this.M.loadDynamicLibrary(file, flags);
  }
  // A JS function in the table, as Pyodide adds between library loads.
  addGap(n = 1) {
    for (let i = 0; i < n; i++) this.M.addFunction(() => 0, 'i');
  }
  dlopen(file) {
    // 3.1.69's dlopen reads the library in C, from the runtime's FS, and hands those bytes
    // to every other thread; a file only on the host's disk is what Pyodide mounts with
    // NODEFS: put it into MEMFS at the same path (3.1.6 read it from disk in each thread).
    if (!this.jsLoadsFromFs && path.isAbsolute(file) && !this.M.FS.analyzePath(file).exists) {
      this.memfsWrite(file, readFileSync(file));
    }
    const p = this.cstr(file);
    const h = this.M._host_dlopen(p);
    this.M._free(p);
    if (!h) throw new Error(`dlopen ${file}: ${this.M.UTF8ToString(this.M._host_dlerror())}`);
    return h;
  }
  // The table index of a symbol, as ctypes gets it.
  dlsym(h, name) {
    const p = this.cstr(name);
    const f = this.M._host_dlsym(h, p);
    this.M._free(p);
    if (!f) throw new Error(`dlsym ${name}: ${this.M.UTF8ToString(this.M._host_dlerror())}`);
    return f;
  }
  // (3.1.69's runtime exports the table, 3.1.6's only its getter)
  fn(h, name) {
    const i = this.dlsym(h, name);
    return this.M.getWasmTableEntry ? this.M.getWasmTableEntry(i) : this.M.wasmTable.get(i);
  }
  // Binds every function we use from libwarmpool and the kernels library.
  bind(poolHandle, kernelsHandle) {
    const P = {};
    for (const n of ['warmpool_create', 'warmpool_create_ex', 'warmpool_destroy',
      'warmpool_parallel_for', 'warmpool_warm', 'warmpool_is_warm', 'warmpool_workers',
      'warmpool_ready', 'warmpool_get_stats', 'warmpool_reset_stats']) P[n.slice(9)] = this.fn(poolHandle, n);
    const K = {};
    if (kernelsHandle) {
      for (const n of ['k_calls_get', 'k_fill_ptr', 'k_nested_ptr', 'k_job_size', 'k_job_init',
        'k_job_off_main', 'k_job_bad', 'k_concurrent', 'k_create_held']) K[n.slice(2)] = this.fn(kernelsHandle, n);
    }
    return { P, K };
  }
  stats(P, pool) {
    const L = LAYOUT.warmpool_stats;
    const p = this.M._malloc(L.size);
    const rc = P.get_stats(pool, p, L.size);
    if (rc) throw new Error(`get_stats: ${rc}`);
    const dv = new DataView(this.u8.buffer);
    const s = {};
    for (const [n, [off, size]] of Object.entries(L.fields)) {
      s[n] = size === 8 ? Number(dv.getBigUint64(p + off, true)) : dv.getUint32(p + off, true);
    }
    this.M._free(p);
    return s;
  }
  // A zeroed warmpool_options with `workers` and `cool_after_ms` set (free it with _free).
  options(workers, coolMs = 0) {
    const L = LAYOUT.warmpool_options;
    const p = this.M._calloc(1, L.size);
    const dv = new DataView(this.u8.buffer);
    dv.setUint32(p + L.fields.workers[0], workers, true);
    dv.setFloat64(p + L.fields.cool_after_ms[0], coolMs, true);
    return p;
  }
  // Stops every pthread worker so that Node can exit.
  terminate() {
    try { this.M.PThread.terminateAllThreads(); } catch { /* already gone */ }
  }
}

// A job over [lo, hi): a hit counter per item in wasm memory and a k_job record.
export class Job {
  constructor(host, K, pool, lo, hi, spin = 0) {
    this.host = host; this.K = K; this.lo = lo; this.hi = hi;
    this.hits = host.M._calloc(hi - lo, 4);
    this.job = host.M._malloc(K.job_size());
    K.job_init(this.job, this.hits, lo, lo, hi, pool, spin);
  }
  counts() { return new Uint32Array(this.host.u8.buffer, this.hits, this.hi - this.lo); }
  // Items hit other than exactly `times` times (at most 5 reported).
  wrong(times = 1) {
    const c = this.counts(), bad = [];
    for (let i = 0; i < c.length && bad.length < 5; i++) if (c[i] !== times) bad.push([this.lo + i, c[i]]);
    return bad;
  }
  offMain() { return this.K.job_off_main(this.job); }
  bad() { return this.K.job_bad(this.job); }
  free() { this.host.M._free(this.hits); this.host.M._free(this.job); }
}

// Resolves once pred() is true; rejects after ms. Yields to the event loop in between, which
// is what lets Emscripten's workers start.
export async function until(pred, ms, what) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
