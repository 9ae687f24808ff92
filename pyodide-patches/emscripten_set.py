"""The Emscripten patch set: worker script URL propagation and library placement replay,
for -pthread MAIN_MODULE output of Emscripten 3.1.x (-O0/-O1/-O2, Debian's 3.1.6) and
4.0.x (as in Pyodide 0.29, Emscripten 4.0.9). The JS they insert is replay_runtime.js;
README.md explains each patch and the failure it fixes."""

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


def register(api):
    api.shape("em3", r"function\s+loadDynamicLibrary\s*\(\s*lib\s*,\s*flags\s*,\s*handle\s*\)",
              "Emscripten 3.1.x MAIN_MODULE output, -O0/-O1/-O2")
    api.shape("em4", r"function\s+loadDynamicLibrary\s*\(\s*libName\s*,\s*flags\s*=",
              "Emscripten 4.0.x MAIN_MODULE output, as in Pyodide 0.29", priority=1)

    def add(name, shapes, anchor, replacement, doc, **kw):
        api.patch(name=name, set="emscripten", shapes=shapes, anchor=anchor,
                  replacement=replacement, doc=doc, **kw)

    # ---- Emscripten 3.1.x --------------------------------------------------------------
    em3_rt = runtime(api, EM3)
    add("runtime", ("em3",),
        r"var\s+ENVIRONMENT_IS_PTHREAD\s*=\s*Module\s*\[\s*" + Q + "ENVIRONMENT_IS_PTHREAD" + Q +
        r"\s*\]\s*\|\|\s*false\s*;",
        "\\g<0>{MARK}\n" + em3_rt,
        "the replay/URL runtime (replay_runtime.js), once, in the runtime's scope")
    add("worker-script-url", ("em3",),
        r"var\s+pthreadMainJs\s*=\s*locateFile\s*\(\s*(?P<f>" + Q + r"[^\"']+" + Q + r")\s*\)\s*;",
        "var pthreadMainJs = wpWorkerUrl(locateFile(\\g<f>), \\g<f>);{MARK}",
        "the worker script (X.worker.js) is found next to the main script the embedder "
        "named, not next to the script that happened to load the runtime")
    add("main-script-url", ("em3",),
        r"(?P<k>" + prop("urlOrBlob") + S + ":" + S + r")Module\s*\[\s*" + Q +
        "mainScriptUrlOrBlob" + Q + r"\s*\]\s*\|\|\s*_scriptDir",
        "\\g<k>wpMainJs() || _scriptDir{MARK}",
        "workers load the main script from Module.mainScriptUrlOrBlob or "
        "globalThis.PTHREAD_MAIN_JS")
    add("run-message-log", ("em3",),
        r"(?P<k>" + prop("cmd") + S + ":" + S + Q + "run" + Q + S + ",)",
        "\\g<k>{MARK}\"wpLog\": wpRunInfo(),",
        "every 'run' message carries the address of the placement log")
    add("run-message-receive", ("em3",),
        r"(?P<h>receiveObjectTransfer\s*:\s*function\s*\(\s*(?P<d>\w+)\s*\)\s*\{)",
        "\\g<h>{MARK}wpOnRun(\\g<d>);",
        "a worker picks the log address out of its 'run' message")
    add("thread-start-replay", ("em3",),
        r"function\s+invokeEntryPoint\s*\(\s*\w+\s*,\s*\w+\s*\)\s*\{",
        "\\g<0>{MARK}wpReplay();",
        "a thread replays the log before its entry point runs (new or reused worker)")
    add("zero-library-memory", ("em3",),
        r"var\s+memoryBase\s*=\s*metadata\.memorySize\s*\?\s*alignMemory\s*\(\s*getMemory\s*\("
        r"[^;]*;",
        "\\g<0>{MARK}if (memoryBase) HEAPU8.fill(0, memoryBase, memoryBase + metadata.memorySize);",
        "a library's memory comes from malloc once the runtime runs, and is not zeroed: "
        "its .bss holds garbage and its data-init flag can read 1, hanging the load forever")
    add("record-placement", ("em3", "em4"),
        r"moduleExports\s*=\s*relocateExports\s*\(\s*instance\.exports\s*,\s*memoryBase\s*\)\s*;",
        "\\g<0>{MARK}wpPlaced(moduleExports, binary, memoryBase, metadata.memorySize, "
        "tableBase, metadata.tableSize);",
        "the main thread remembers where each library instance was placed")
    add("record-library", ("em3",),
        r"(?P<h>function\s+moduleLoaded\s*\(\s*(?P<m>\w+)\s*\)\s*\{)",
        "\\g<h>{MARK}wpRecordLib(lib, \\g<m>, dso.global);",
        "the main thread logs each library it loads, whoever asked (JS or C dlopen)")
    add("got-slots", ("em3",),
        r"GOT\[\s*symName\s*\]\.value\s*=\s*addFunction\s*\(\s*value\s*(?:,\s*value\.sig\s*)?\)",
        "GOT[symName].value = wpGotSlot(symName, value){MARK}",
        "function-address (GOT) slots get the main thread's index in every worker",
        count="+")
    add("record-dlsym-slot", ("em3", "em4"),
        r"result\s*=\s*addFunction\s*\(\s*result\s*,\s*result\.sig\s*\)",
        "result = wpSlot(addFunction(result, result.sig), handle, symbol){MARK}",
        "table slots dlsym() adds on the main thread are logged for the workers")

    # ---- Emscripten 4.0.x (src/lib/libpthread.js, libdylink.js, runtime_pthread.js) -------
    # Workers run the main script itself (no X.worker.js); getMemory already uses calloc;
    # a worker placing a library from a dso record grows its table by the library's size
    # instead of up to the recorded base (checked only with ASSERTIONS).
    add("runtime-4", ("em4",),
        r"var\s+ENVIRONMENT_IS_PTHREAD\s*=\s*ENVIRONMENT_IS_WORKER\s*&&[^;]*;",
        "\\g<0>{MARK}\n" + runtime(api, EM4),
        "the replay/URL runtime (replay_runtime.js), once, in the runtime's scope")
    add("worker-script-url-4", ("em4",),
        r"var\s+pthreadMainJs\s*=\s*_scriptName\s*;",
        "var pthreadMainJs = wpWorkerUrl(_scriptName, \"\");{MARK}",
        "workers start from Module.mainScriptUrlOrBlob or globalThis.PTHREAD_MAIN_JS, even "
        "when the runtime was built without mainScriptUrlOrBlob in INCOMING_MODULE_JS_API")
    add("run-message-log-4", ("em4",),
        r"(?P<k>" + prop("cmd") + S + ":" + S + Q + "run" + Q + S + ",)",
        "\\g<k>{MARK}\"wpLog\": wpRunInfo(),",
        "every 'run' message carries the address of the placement log")
    add("run-message-receive-4", ("em4",),
        r"(?P<h>else\s+if\s*\(\s*cmd\s*===\s*" + Q + "run" + Q + r"\s*\)\s*\{)",
        "\\g<h>{MARK}wpOnRun(msgData);",
        "a worker picks the log address out of its 'run' message")
    add("thread-start-replay-4", ("em4",),
        r"(?<![\w$])__emscripten_dlsync_self\s*\(\s*\)\s*;",
        "{MARK}wpReplay();\\g<0>",
        "a thread replays the log before its entry point runs (new or reused worker)")
    add("table-fit-4", ("em4",),
        r"wasmTable\.grow\s*\(\s*metadata\.tableSize\s*\)",
        "wpTableFit(tableBase, metadata.tableSize){MARK}",
        "a library placed at a recorded table base gets a table that reaches it")
    add("record-library-4", ("em4",),
        r"(?P<h>function\s+moduleLoaded\s*\(\s*(?P<m>\w+)\s*\)\s*\{)",
        "\\g<h>{MARK}wpRecordLib(libName, \\g<m>, dso.global);",
        "the main thread logs each library it loads, whoever asked (JS or C dlopen)")
    add("got-slots-4", ("em4",),
        r"(?P<lhs>GOT\[\s*symName\s*\]|entry)\.value\s*=\s*addFunction\s*\(\s*value\s*"
        r"(?:,\s*value\.sig\s*)?\)",
        "\\g<lhs>.value = wpGotSlot(symName, value){MARK}",
        "function-address (GOT) slots get the main thread's index in every worker",
        count="+")
