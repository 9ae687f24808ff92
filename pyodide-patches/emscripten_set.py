"""The Emscripten patch set: worker script URL propagation and library placement replay,
for -pthread MAIN_MODULE output, by shape (version features, see register()):
em3.1.6 (Debian's 3.1.6, -O0/-O1/-O2, classic or -sEXPORT_ES6), em3.1.58 (3.1.58 up to
4.0.3, e.g. Pyodide 0.26/0.27, 3.1.69), em4 (4.0.4+, Pyodide 0.28/0.29) and em5 (5.0.x and
late 4.0.x, Pyodide 314). The JS they insert is replay_runtime.js; README.md explains each
patch and the failure it fixes."""

import re

# Regex pieces: spacing and quote style differ between -O0 and minified output.
S = r"\s*"
Q = r"""["']"""


def prop(name):
    """`name` as an object key or a Module["name"] subscript, quoted or not."""
    return Q + "?" + name + Q + "?"


# What replay_runtime.js's placeholders become, per shape. DSO_*: C `struct dso` field
# offsets on wasm32 (3.1.6: next, prev, onsuccess, onerror, user_data, flags,
# mem_allocated, mem_addr, mem_size, table_addr, table_size, name[]; 4.0.9: event, flags,
# mem_allocated, mem_addr, mem_size, table_addr, table_size, file_data, file_data_size,
# name[]), the JS dso's exports field, the import object, how to load a library with a
# handle, how to resolve a global symbol to a function, and the runtime's own sync.
EM3 = dict(DSO_SIZE=48, DSO_MEM_ALLOCATED=24, DSO_MEM_ADDR=28, DSO_MEM_SIZE=32,
           DSO_TABLE_ADDR=36, DSO_TABLE_SIZE=40, DSO_FILE_DATA=-1, DSO_EXPORTS="module",
           IMPORTS="asmLibraryArg",
           LOAD_LIBRARY="loadDynamicLibrary", RESOLVE="resolveGlobalSymbol",
           RUNTIME_SYNC="__emscripten_thread_sync_code")
# 3.1.58 and later (the dso record gained file_data in 3.1.58 and has not changed since).
EM4 = dict(DSO_SIZE=40, DSO_MEM_ALLOCATED=8, DSO_MEM_ADDR=12, DSO_MEM_SIZE=16,
           DSO_TABLE_ADDR=20, DSO_TABLE_SIZE=24, DSO_FILE_DATA=28, DSO_EXPORTS="exports",
           IMPORTS="wasmImports",
           LOAD_LIBRARY="(function (n, f, h) { return loadDynamicLibrary(n, f, undefined, h); })",
           RESOLVE="(function (s) { return resolveGlobalSymbol(s, true).sym; })",
           RUNTIME_SYNC="__emscripten_dlsync_self")


def runtime(api, values):
    js = api.read("replay_runtime.js")
    for k in sorted(values, key=len, reverse=True):
        js = js.replace("WP_" + k, str(values[k]))
    left = re.findall(r"WP_[A-Z_]+", js)
    if left:
        raise ValueError(f"replay_runtime.js: unfilled placeholders {left}")
    # re templates treat backslashes specially
    return js.replace("\\", "\\\\")


# Version features the shapes are told apart by (see the README's shape table).
LOADER_3 = r"function\s+loadDynamicLibrary\s*\(\s*lib\s*,\s*flags\s*,\s*handle\s*\)"
LOADER_4 = r"function\s+loadDynamicLibrary\s*\(\s*libName\s*,\s*flags\s*="
TABLE_BY_GAP = r"var\s+tableGrowthNeeded\s*="                        # up to 4.0.3
# 4.0.4 on (table-fit-4 rewrites it: the shape must still be found in patched files)
TABLE_BY_SIZE = r"(?:wasmTable\.grow|wpTableFit\s*\(\s*tableBase\s*,)\s*\(?\s*metadata\.tableSize\s*\)"
GLOBALTHIS_ENV = r"ENVIRONMENT_IS_(?:WEB|WORKER)\s*=\s*!!\s*globalThis\."  # 4.0.16 on, 5.0
# -sEXPORT_ES6 output: the worker is created from new URL(..., import.meta.url).
ES6 = r"\bimport\.meta\.url\b"
IS_ES6 = "ES module output (-sEXPORT_ES6): the {} variant applies"
ONLY_ES6 = ((ES6, "not ES module output"),)


def es6_instead(name):
    return ((ES6, IS_ES6.format(name)),)


# Without threads nothing here is needed (the replay runtime and its callers go together).
PTHREAD = (r"\bvar\s+PThread\s*=", "not a -pthread build (no PThread)")

NEW = ("em3.1.58", "em4", "em5")   # the libName loader and the 3.1.58+ dso record


def register(api):
    api.shape("em3.1.6", (LOADER_3,), "Emscripten 3.1.x before 3.1.58 (Debian's 3.1.6): "
              "loadDynamicLibrary(lib, flags, handle), a separate X.worker.js",
              features=("loader (lib, flags, handle)",))
    api.shape("em3.1.58", (LOADER_4, TABLE_BY_GAP), "Emscripten 3.1.58 to 4.0.3 (Pyodide "
              "0.26/0.27; 3.1.69): libName loader, table grown by tableGrowthNeeded, workers "
              "run the main script", priority=1,
              features=("loader (libName, flags=...)", "tableGrowthNeeded"))
    api.shape("em4", (LOADER_4, TABLE_BY_SIZE), "Emscripten 4.0.4 to 4.0.15 (Pyodide "
              "0.28/0.29, 4.0.9): wasmTable.grow(metadata.tableSize)", priority=2,
              reject=(GLOBALTHIS_ENV,),
              features=("loader (libName, flags=...)", "wasmTable.grow(metadata.tableSize)"))
    api.shape("em5", (LOADER_4, TABLE_BY_SIZE, GLOBALTHIS_ENV), "Emscripten 5.0.x and 4.0.16+ "
              "(Pyodide 314, 5.0.3): environment tests on globalThis", priority=3,
              features=("loader (libName, flags=...)", "wasmTable.grow(metadata.tableSize)",
                        "ENVIRONMENT_IS_* = !!globalThis.*"))

    def add(name, shapes, anchor, replacement, doc, needs=(), **kw):
        api.patch(name=name, set="emscripten", shapes=shapes, anchor=anchor,
                  replacement=replacement, doc=doc, needs=(PTHREAD,) + tuple(needs), **kw)

    # ---- every shape --------------------------------------------------------------------
    add("record-placement", ("em3.1.6",) + NEW,
        r"moduleExports\s*=\s*relocateExports\s*\(\s*instance\.exports\s*,\s*memoryBase\s*\)\s*;",
        "\\g<0>{MARK}wpPlaced(moduleExports, binary, memoryBase, metadata.memorySize, "
        "tableBase, metadata.tableSize);",
        "the main thread remembers where each library instance was placed")
    add("record-dlsym-slot", ("em3.1.6",) + NEW,
        r"result\s*=\s*addFunction\s*\(\s*result\s*,\s*result\.sig\s*\)",
        "result = wpSlot(addFunction(result, result.sig), handle, symbol){MARK}",
        "table slots dlsym() adds on the main thread are logged for the workers",
        needs=[(r"(?:function\s+__dlsym_js|\b__dlsym_js\s*=)\s*\(", "no _dlsym_js: the program never calls dlsym")])
    # C code catching up in a worker (the main module's own _emscripten_thread_sync_code,
    # a C dlopen on a worker) reaches the loader through dlopenInternal with the C dso
    # record: replaying first places every logged library from the log's bytes, and the
    # loader then finds it loaded instead of reading a file the worker may not see.
    add("dlopen-replay", ("em3.1.6",) + NEW,
        r"(?:function\s+dlopenInternal\s*\(\s*handle\s*,\s*jsflags\s*\)|"
        r"var\s+dlopenInternal\s*=\s*\(\s*handle\s*,\s*jsflags\s*\)\s*=>)\s*\{",
        "\\g<0>{MARK}wpReplay();",
        "a worker replays the log before any C-initiated load (the main module's "
        "_emscripten_thread_sync_code, dlopen on a worker): libraries only in the main "
        "thread's MEMFS come from the log's bytes",
        needs=[(r"dlopenInternal\s*\(", "no dlopenInternal: C code never calls dlopen")])

    # ---- Emscripten 3.1.6 ---------------------------------------------------------------
    em3 = ("em3.1.6",)
    add("runtime", em3,
        r"var\s+ENVIRONMENT_IS_PTHREAD\s*=\s*Module\s*\[\s*" + Q + "ENVIRONMENT_IS_PTHREAD" + Q +
        r"\s*\]\s*\|\|\s*false\s*;",
        "\\g<0>{MARK}\n" + runtime(api, EM3),
        "the replay/URL runtime (replay_runtime.js), once, in the runtime's scope")
    add("worker-script-url", em3,
        r"var\s+pthreadMainJs\s*=\s*locateFile\s*\(\s*(?P<f>" + Q + r"[^\"']+" + Q + r")\s*\)\s*;",
        "var pthreadMainJs = wpWorkerUrl(locateFile(\\g<f>), \\g<f>);{MARK}",
        "the worker script (X.worker.js) is found next to the main script the embedder "
        "named, not next to the script that happened to load the runtime")
    add("worker-script-url-es6", em3,
        r"new\s+Worker\s*\(\s*(?P<u>new\s+URL\s*\(\s*(?P<f>" + Q + r"[^\"']+" + Q +
        r")\s*,\s*import\.meta\.url\s*\))",
        "new Worker(wpWorkerUrl(\\g<u>, \\g<f>){MARK}",
        "ES module output without locateFile: the worker script is found next to the main "
        "script the embedder named, not next to import.meta.url", count="+",
        needs=ONLY_ES6)
    add("main-script-url", em3,
        r"(?P<k>" + prop("urlOrBlob") + S + ":" + S + r")Module\s*\[\s*" + Q +
        "mainScriptUrlOrBlob" + Q + r"\s*\]\s*\|\|\s*_scriptDir",
        "\\g<k>wpMainJs() || _scriptDir{MARK}",
        "workers load the main script from Module.mainScriptUrlOrBlob or "
        "globalThis.PTHREAD_MAIN_JS",
        # ES module workers import Module.mainScriptUrlOrBlob as given, else ./X.mjs beside
        # the worker script, which worker-script-url-es6 already puts beside the main script.
        needs_not=[(ES6, "ES module output: workers import mainScriptUrlOrBlob or the "
                    "module beside their worker script")])
    add("run-message-log", em3,
        r"(?P<k>" + prop("cmd") + S + ":" + S + Q + "run" + Q + S + ",)",
        "\\g<k>{MARK}\"wpLog\": wpRunInfo(),",
        "every 'run' message carries the address of the placement log")
    add("run-message-receive", em3,
        r"(?P<h>receiveObjectTransfer\s*:\s*function\s*\(\s*(?P<d>\w+)\s*\)\s*\{)",
        "\\g<h>{MARK}wpOnRun(\\g<d>);",
        "a worker picks the log address out of its 'run' message")
    add("thread-start-replay", em3,
        r"function\s+invokeEntryPoint\s*\(\s*\w+\s*,\s*\w+\s*\)\s*\{",
        "\\g<0>{MARK}wpReplay();",
        "a thread replays the log before its entry point runs (new or reused worker)")
    # Before the runtime is initialised getMemory takes memory above __heap_base: on the
    # main thread never touched (zero), in a worker the very memory where the main thread
    # already placed and initialised that start-up library (workers load them at the same
    # addresses). Only malloc'd memory, i.e. a library placed for the first time once the
    # runtime runs, is cleared.
    add("zero-library-memory", em3,
        r"var\s+memoryBase\s*=\s*metadata\.memorySize\s*\?\s*alignMemory\s*\(\s*getMemory\s*\("
        r"[^;]*;",
        "\\g<0>{MARK}if (memoryBase && runtimeInitialized) "
        "HEAPU8.fill(0, memoryBase, memoryBase + metadata.memorySize);",
        "a library placed once the runtime runs gets malloc'd memory, not zeroed: its .bss "
        "holds garbage and its data-init flag can read 1, hanging the load forever; memory "
        "of start-up libraries (initialised by the main thread) is left alone")
    add("record-library", em3,
        r"(?P<h>function\s+moduleLoaded\s*\(\s*(?P<m>\w+)\s*\)\s*\{)",
        "\\g<h>{MARK}wpRecordLib(lib, \\g<m>, dso.global);",
        "the main thread logs each library it loads, whoever asked (JS or C dlopen)")
    add("got-slots", em3,
        r"GOT\[\s*symName\s*\]\.value\s*=\s*addFunction\s*\(\s*value\s*(?:,\s*value\.sig\s*)?\)",
        "GOT[symName].value = wpGotSlot(symName, value){MARK}",
        "function-address (GOT) slots get the main thread's index in every worker",
        count="+")

    # ---- 3.1.58 and later (src/lib/libpthread.js, libdylink.js, runtime_pthread.js) ------
    # Workers run the main script itself (no X.worker.js); getMemory already zeroes
    # (zeroMemory(_malloc()) in 3.1.58, calloc later). From 4.0.4 a worker placing a
    # library from a dso record grows its table by the library's size instead of up to
    # the recorded base (checked only with ASSERTIONS): table-fit-4.
    add("runtime-4", NEW,
        r"var\s+ENVIRONMENT_IS_PTHREAD\s*=\s*ENVIRONMENT_IS_WORKER\s*&&[^;]*;",
        "\\g<0>{MARK}\n" + runtime(api, EM4),
        "the replay/URL runtime (replay_runtime.js), once, in the runtime's scope")
    add("worker-script-url-4", NEW,
        r"var\s+pthreadMainJs\s*=\s*_scriptName\s*;",
        "var pthreadMainJs = wpWorkerUrl(_scriptName, \"\");{MARK}",
        "workers start from Module.mainScriptUrlOrBlob or globalThis.PTHREAD_MAIN_JS, even "
        "when the runtime was built without mainScriptUrlOrBlob in INCOMING_MODULE_JS_API",
        needs_not=es6_instead("worker-script-url-es6-4"))
    add("worker-script-url-es6-4", NEW,
        r"new\s+Worker\s*\(\s*(?P<u>new\s+URL\s*\(\s*" + Q + r"[^\"']+" + Q +
        r"\s*,\s*import\.meta\.url\s*\))",
        "new Worker(wpWorkerUrl(\\g<u>, \"\"){MARK}",
        "ES module output: workers start from Module.mainScriptUrlOrBlob or "
        "globalThis.PTHREAD_MAIN_JS, not from import.meta.url", count="+",
        needs=ONLY_ES6)
    add("run-message-log-4", NEW,
        r"(?P<k>" + prop("cmd") + S + ":" + S + Q + "run" + Q + S + ",)",
        "\\g<k>{MARK}\"wpLog\": wpRunInfo(),",
        "every 'run' message carries the address of the placement log")
    add("run-message-receive-4", NEW,
        r"(?P<h>else\s+if\s*\(\s*cmd\s*===\s*" + Q + "run" + Q + r"\s*\)\s*\{)",
        "\\g<h>{MARK}wpOnRun(msgData);",
        "a worker picks the log address out of its 'run' message")
    add("thread-start-replay-4", NEW,
        r"(?<![\w$])__emscripten_dlsync_self\s*\(\s*\)\s*;",
        "{MARK}wpReplay();\\g<0>",
        "a thread replays the log before its entry point runs (new or reused worker)")
    add("table-fit-4", ("em4", "em5"),
        r"wasmTable\.grow\s*\(\s*metadata\.tableSize\s*\)",
        "wpTableFit(tableBase, metadata.tableSize){MARK}",
        "a library placed at a recorded table base gets a table that reaches it")
    add("record-library-4", NEW,
        r"(?P<h>function\s+moduleLoaded\s*\(\s*(?P<m>\w+)\s*\)\s*\{)",
        "\\g<h>{MARK}wpRecordLib(libName, \\g<m>, dso.global);",
        "the main thread logs each library it loads, whoever asked (JS or C dlopen)")
    add("got-slots-4", NEW,
        r"(?P<lhs>GOT\[\s*symName\s*\]|entry)\.value\s*=\s*addFunction\s*\(\s*value\s*"
        r"(?:,\s*value\.sig\s*)?\)",
        "\\g<lhs>.value = wpGotSlot(symName, value){MARK}",
        "function-address (GOT) slots get the main thread's index in every worker",
        count="+")
