// wpatch runtime (warmpool pyodide-patches/emscripten_set.py): inserted once into the
// runtime's scope. Names it uses from the runtime are the same in Emscripten 3.1.6 and
// 3.1.58 to 5.0.x, except the upper-case placeholders (struct dso offsets, the import
// object...), which emscripten_set.py fills in per shape.
//
// 1. Worker script URL: pthread workers are started from the URL the embedder gives
//    (Module.mainScriptUrlOrBlob, or globalThis.PTHREAD_MAIN_JS when the runtime runs in a
//    Web Worker that cannot pass options), not from what the runtime guesses.
// 2. Library placement replay: the main thread appends a record to a log in shared memory
//    for every library it loads (name, bytes, memory base, table base) and for every table
//    slot dlsym() adds. Workers replay the log, in order, when a thread starts on them and
//    every time C code calls _emscripten_thread_sync_code() (the pool does after each
//    wake-up), so a library sits at the same memory and table addresses in every thread,
//    even when JS loaded it (Pyodide's loadDynamicLibrary) before C dlopen'ed it, when the
//    file exists only in the main thread's MEMFS, or when it came after the workers started.
var wpR = { log: 0, cur: 0, seen: 0, buf: null, i32: null, u8: null, busy: false, dso: 0,
            placed: new WeakMap(), libs: {}, slots: {}, got: {}, pending: [], syncBound: false,
            debug: typeof process == "object" && process.env && !!process.env["WPATCH_DEBUG"] };
if (typeof Module == "object" && Module) Module["wpatchState"] = wpR; // for tests and debugging
// WPATCH_DEBUG=1 (Node): a trace on stderr, written synchronously so that it survives a
// worker that is about to crash.
function wpLog(msg) {
  if (!wpR.debug) return;
  msg = "wpatch[" + (ENVIRONMENT_IS_PTHREAD ? "worker" : "main") + "] " + msg;
  if (typeof require == "function") require("fs").writeSync(2, msg + "\n");
  else console.error(msg);
}

function wpMainJs() {
  return Module["mainScriptUrlOrBlob"] ||
    (typeof globalThis != "undefined" && globalThis["PTHREAD_MAIN_JS"]) || undefined;
}
// The worker script next to the main script the embedder named, else the runtime's guess.
function wpWorkerUrl(guess, file) {
  var u = wpMainJs();
  if (typeof u != "string") return guess;
  if (!file) return u;
  return u.slice(0, u.lastIndexOf("/") + 1) + file;
}

function wpViews() {
  var b = wasmMemory.buffer;
  if (wpR.buf !== b) { wpR.buf = b; wpR.i32 = new Int32Array(b); wpR.u8 = new Uint8Array(b); }
}
function wpStr(p, n) { return new TextDecoder().decode(wpR.u8.slice(p, p + n)); }

// Memory for the log and for a worker's dso record. A program's glue binds only the
// allocators its own code uses: 3.1.6 always has _malloc; from 3.1.69 the dylink code uses
// _calloc, and a MAIN_MODULE=2 program that exports no malloc has only that (its _malloc,
// if any, is an assertion stub that aborts).
function wpAlloc(n) {
  if (typeof _calloc == "function") return _calloc(n, 1);
  return _malloc(n);
}

// Called from wasm in place of _emscripten_thread_sync_code.
function wpSync() {
  wpReplay();
  WP_RUNTIME_SYNC();
}
wpSync.sig = "v";

// Main thread: the log header [count, first, last, sync slot], created on first need.
function wpHead() {
  if (ENVIRONMENT_IS_PTHREAD) return wpR.log;
  if (!wpR.log) {
    if (!runtimeInitialized) return 0;
    var h = wpAlloc(16);
    wpViews();
    wpR.i32.fill(0, h >> 2, (h >> 2) + 4);
    wpR.log = h;
    // One table slot for the sync hook, the same index in every thread.
    wpR.i32[(h >> 2) + 3] = addFunction(wpSync, "v");
    var pending = wpR.pending;
    wpR.pending = [];
    pending.forEach(function (a) { wpAppend(a[0], a[1], a[2]); });
  }
  return wpR.log;
}

// Main thread: appends a record [next, kind, (ptr, len) per blob..., ints...].
function wpAppend(kind, blobs, ints) {
  var h = wpHead();
  if (!h) { wpR.pending.push([kind, blobs, ints]); return; }
  var words = 2 + 2 * blobs.length + ints.length, size = words * 4;
  blobs.forEach(function (b) { size += b.length; });
  var rec = wpAlloc(size);
  wpViews();
  var i32 = wpR.i32, p = rec >> 2, off = rec + words * 4;
  i32[p] = 0;
  i32[p + 1] = kind;
  blobs.forEach(function (b, i) {
    i32[p + 2 + 2 * i] = off; i32[p + 3 + 2 * i] = b.length; wpR.u8.set(b, off); off += b.length;
  });
  ints.forEach(function (v, i) { i32[p + 2 + 2 * blobs.length + i] = v; });
  var last = i32[(h >> 2) + 2];
  Atomics.store(i32, last ? last >> 2 : (h >> 2) + 1, rec);
  i32[(h >> 2) + 2] = rec;
  Atomics.add(i32, h >> 2, 1);
  wpLog("record " + kind + " " + ints.join(","));
}

// Main thread, from loadWebAssemblyModule: where a library was just placed.
function wpPlaced(exports, binary, memoryBase, memorySize, tableBase, tableSize) {
  if (ENVIRONMENT_IS_PTHREAD) return;
  var bytes = null; // a compiled WebAssembly.Module has none: workers then read the file
  if (ArrayBuffer.isView(binary)) bytes = new Uint8Array(binary.buffer, binary.byteOffset, binary.byteLength);
  else if (binary instanceof ArrayBuffer) bytes = new Uint8Array(binary);
  wpR.placed.set(exports, [bytes, memoryBase >>> 0, memorySize >>> 0, tableBase >>> 0, tableSize >>> 0]);
}

// Main thread, when loadDynamicLibrary has a library's exports: log it once.
function wpRecordLib(name, exports, global) {
  if (ENVIRONMENT_IS_PTHREAD || wpR.libs[name]) return;
  var pl = wpR.placed.get(exports);
  if (!pl) return;
  wpR.libs[name] = 1;
  var enc = new TextEncoder().encode(name);
  // Bytes are copied: workers may not see the file (MEMFS is per thread).
  wpAppend(1, [enc, pl[0] ? new Uint8Array(pl[0]) : new Uint8Array(0)],
           [pl[1], pl[2], pl[3], pl[4], global ? 1 : 0]);
}

// Main thread, from dlsym: a table slot the workers must fill the same way.
function wpSlot(index, handle, symbol) {
  if (ENVIRONMENT_IS_PTHREAD || wpR.slots[index]) return index;
  wpR.slots[index] = 1;
  var lib = handle && LDSO.loadedLibsByHandle[handle];
  var enc = new TextEncoder();
  wpAppend(2, [enc.encode(lib ? lib.name : ""), enc.encode(symbol)], [index]);
  return index;
}

// Every GOT slot (the table index standing for a function's address, given to every
// export of every library and to undefined symbols) goes through here. The main thread
// logs the index it chose; a worker reuses that index instead of appending its own, which
// would land where the main thread later places another library.
function wpGotSlot(sym, value) {
  var idx;
  if (!ENVIRONMENT_IS_PTHREAD) {
    idx = addFunction(value, value.sig);
    if (wpR.got[sym] !== idx) {
      wpR.got[sym] = idx;
      wpAppend(3, [new TextEncoder().encode(sym)], [idx]);
    }
    return idx;
  }
  idx = wpR.got[sym];
  if (idx === undefined) return addFunction(value, value.sig);
  if (wasmTable.length <= idx) wasmTable.grow(idx + 1 - wasmTable.length);
  try {
    wasmTable.set(idx, value);
  } catch (e) {
    wasmTable.set(idx, convertJsFunctionToWasm(value, value.sig));
  }
  if (!functionsInTableMap) { functionsInTableMap = new WeakMap(); updateTableMap(0, wasmTable.length); }
  functionsInTableMap.set(value, idx);
  return idx;
}

// Any thread placing a library: the table must reach tableBase + size. A worker's table
// can be shorter (gaps the main thread filled with addFunction) or already long enough.
function wpTableFit(tableBase, size) {
  var need = tableBase + size - wasmTable.length;
  if (need > 0) wasmTable.grow(need);
}

// Main thread, building a 'run' message; worker, receiving it.
function wpRunInfo() { return wpHead(); }
function wpOnRun(data) {
  wpLog("run message, log " + (data && data["wpLog"]));
  if (!ENVIRONMENT_IS_PTHREAD || !data || !data["wpLog"]) return;
  wpR.log = data["wpLog"];
  wpBindSync();
}

// Worker: the sync hook answers at the main thread's slot, so no worker-chosen slot can
// collide with a library the main thread places later.
function wpBindSync() {
  if (wpR.syncBound) return;
  wpR.syncBound = true;
  wpViews();
  var slot = wpR.i32[(wpR.log >> 2) + 3];
  if (wasmTable.length <= slot) wasmTable.grow(slot + 1 - wasmTable.length);
  wasmTable.set(slot, convertJsFunctionToWasm(wpSync, "v"));
  if (!functionsInTableMap) { functionsInTableMap = new WeakMap(); updateTableMap(0, wasmTable.length); }
  functionsInTableMap.set(wpSync, slot);
  WP_IMPORTS["_emscripten_thread_sync_code"] = wpSync;
}

// Worker: applies every record it has not seen yet.
function wpReplay() {
  if (!ENVIRONMENT_IS_PTHREAD || !wpR.log || wpR.busy) return;
  wpViews();
  var i32 = wpR.i32, h = wpR.log >> 2;
  if (Atomics.load(i32, h) === wpR.seen) return;
  wpR.busy = true;
  try {
    for (;;) {
      var next = Atomics.load(i32, wpR.cur ? wpR.cur >> 2 : h + 1);
      if (!next) break;
      wpApply(next);
      wpR.cur = next;
      wpR.seen++;
    }
  } finally {
    wpR.busy = false;
  }
}

function wpApply(rec) {
  var i32 = wpR.i32, p = rec >> 2;
  wpLog("apply record " + i32[p + 1] + " at " + rec);
  if (i32[p + 1] === 1) {
    var name = wpStr(i32[p + 2], i32[p + 3]);
    wpLog("load " + name + " mem " + i32[p + 6] + " table " + i32[p + 8] + " (table now " + wasmTable.length + ")");
    if (LDSO.loadedLibsByName[name]) return;
    var n = i32[p + 5], bytes = n ? wpR.u8.slice(i32[p + 4], i32[p + 4] + n) : null;
    var memBase = i32[p + 6], memSize = i32[p + 7], tableBase = i32[p + 8], tableSize = i32[p + 9];
    // Gaps the main thread filled with addFunction stay empty here.
    if (wasmTable.length < tableBase) wasmTable.grow(tableBase - wasmTable.length);
    // A dso record saying "already placed", as C dlopen's would; the loader reads it only
    // during this synchronous load, so one per worker serves every replay (and a glue
    // without _free needs none).
    var dso = wpR.dso || (wpR.dso = wpAlloc(WP_DSO_SIZE));
    wpViews();
    i32 = wpR.i32;
    wpR.u8.fill(0, dso, dso + WP_DSO_SIZE);
    wpR.u8[dso + WP_DSO_MEM_ALLOCATED] = 1;
    i32[(dso + WP_DSO_MEM_ADDR) >> 2] = memBase;
    i32[(dso + WP_DSO_MEM_SIZE) >> 2] = memSize;
    i32[(dso + WP_DSO_TABLE_ADDR) >> 2] = tableBase;
    i32[(dso + WP_DSO_TABLE_SIZE) >> 2] = tableSize;
    // The bytes reach the loader as the dso's file data (4.0.x) or through a one-file FS
    // (3.1.x, which reads flags.fs).
    if (WP_DSO_FILE_DATA >= 0 && n) {
      i32[(dso + WP_DSO_FILE_DATA) >> 2] = i32[p + 4];
      i32[(dso + WP_DSO_FILE_DATA + 4) >> 2] = n;
    }
    var fs = bytes ? { findObject: function () { return true; },
                       readFile: function () { return bytes; } }
                   : (typeof FS != "undefined" ? FS : undefined);
    try {
      WP_LOAD_LIBRARY(name, { global: !!i32[p + 10], nodelete: true, fs: fs }, dso);
    } finally {
      delete LDSO.loadedLibsByHandle[dso];
    }
  } else if (i32[p + 1] === 2) {
    var lib = i32[p + 3] ? wpStr(i32[p + 2], i32[p + 3]) : "";
    var sym = wpStr(i32[p + 4], i32[p + 5]), index = i32[p + 6];
    var m = lib && LDSO.loadedLibsByName[lib];
    var f = m && typeof m.WP_DSO_EXPORTS == "object" ? m.WP_DSO_EXPORTS[sym] : WP_RESOLVE(sym);
    if (typeof f != "function") return;
    if (wasmTable.length <= index) wasmTable.grow(index + 1 - wasmTable.length);
    try { wasmTable.set(index, f); } catch (e) { /* a JS function: cannot run on a worker */ }
  } else if (i32[p + 1] === 3) {
    wpR.got[wpStr(i32[p + 2], i32[p + 3])] = i32[p + 4];
  }
}
// end of wpatch runtime
