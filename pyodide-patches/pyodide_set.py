"""The Pyodide patch set, for pyodide.asm.js (pyodide.asm.mjs from 314 on) of a -pthread
build of Pyodide 0.27 (Emscripten 3.1.58, shape em3.1.58), 0.29 (4.0.9, em4) or 314
(5.0.3, em5). In a threaded build Pyodide's own JS runs in every pthread
worker too, where there is no loadPyodide: Module is empty (no Module.API, no preRun) and
the `sentinel` imports that Pyodide's instantiateWasm adds on the main thread are missing.

- pyodide-helpers: helper functions for the guards below, and the loadPyodide option
  `pthreadMainJs` (the URL of pyodide.asm.js) handed to the runtime as
  Module.mainScriptUrlOrBlob, from where the emscripten set's worker-script-url-4 starts
  the pthread workers (it also honours self.PTHREAD_MAIN_JS). Needed when Pyodide itself
  runs in a Web Worker: the runtime would otherwise start pthreads from that worker's
  script.
- pyodide-init-guard, pyodide-api-*, pyodide-js-init-guard: Pyodide-only initialisation
  (API.tests/version, Module.hiwire, helpers assigned onto API, Pyodide's JS core
  pyodide_js_init) runs only when not ENVIRONMENT_IS_PTHREAD.
- pyodide-jspi-guard: the JSPI suspender set-up is queued in preRun only on the main thread.
- pyodide-sentinel-imports: pthread workers get the `sentinel` import module (stubs with
  the same meaning: one unique marker value per instance). Only 0.28/0.29 import it.

The anchors are written against the whitespace-minified one-line body npm ships (local
names kept) and tolerate spacing; ENVIRONMENT_IS_PTHREAD is tested with `typeof`, so the
set also applies to (and keeps working in) a build without threads, such as the npm one.
"""

IS_PTHREAD = 'typeof ENVIRONMENT_IS_PTHREAD!="undefined"&&!!ENVIRONMENT_IS_PTHREAD'

HELPERS = (
    "function wpPyIsPthread(){return " + IS_PTHREAD + "}"
    # Mirrors Pyodide's own fallback: create returns this instance's marker, is compares.
    "function wpPySentinel(){var m=Symbol(\"sentinel\");"
    "return{create_sentinel:()=>m,is_sentinel:x=>x===m?1:0}}"
    # loadPyodide keeps unknown options in API.config: that is how the option gets here.
    "(function(c){var u=c&&c.pthreadMainJs||typeof self!=\"undefined\"&&self.PTHREAD_MAIN_JS;"
    "if(u&&!Module.mainScriptUrlOrBlob)Module.mainScriptUrlOrBlob=u})"
    "(Module.API&&Module.API.config);"
)

# Helpers Pyodide's prelude assigns onto API at load time (name on API, local name).
API_HELPERS = [("getTypeTag", "getTypeTag"), ("pyproxyIsAlive", "pyproxyIsAlive"),
               ("isPromise", "isPromise"), ("typedArrayAsUint8Array", "bufferAsUint8Array")]


# Every Pyodide runtime defines its factory under this name; other runtimes of the same
# Emscripten versions (wasm-vips...) need none of these patches.
PYODIDE = r"_createPyodideModule"


def register(api):
    api.runtime("pyodide", PYODIDE, "a Pyodide runtime (no _createPyodideModule)")

    def add(name, anchor, replacement, doc, needs=(), **kw):
        api.patch(name=name, set="pyodide", shapes=("em3.1.58", "em4", "em5"), anchor=anchor,
                  replacement=replacement, doc=doc,
                  needs=((PYODIDE, "not a Pyodide runtime"),) + tuple(needs), **kw)

    # 0.29/314: `var Module=moduleArg;`, 0.27 (3.1.58): `var Module=Object.assign({},moduleArg);`
    add("pyodide-helpers",
        r"var\s+Module\s*=\s*(?:moduleArg|Object\.assign\s*\(\s*\{\s*\}\s*,\s*moduleArg\s*\))\s*;",
        "\\g<0>{MARK}" + HELPERS.replace("\\", "\\\\"),
        "guard helpers; loadPyodide({pthreadMainJs}) or self.PTHREAD_MAIN_JS becomes "
        "Module.mainScriptUrlOrBlob (the URL pthread workers start from)")
    add("pyodide-init-guard",
        r"API\.tests\s*=\s*Tests\s*;\s*API\.version\s*=\s*(?P<q>[\"'])[^\"']*(?P=q)\s*;"
        r"(?:\s*API\.abiVersion\s*=\s*[\"'][^\"']*[\"']\s*;)?\s*Module\.hiwire\s*=\s*Hiwire\s*;",
        "if(!wpPyIsPthread()){{MARK}\\g<0>}",
        "API.tests, API.version, Module.hiwire only on the main thread")
    for key, local in API_HELPERS:
        add("pyodide-api-" + key,
            r"(?<![\w$.])API\s*\.\s*" + key + r"\s*=\s*" + local + r"\s*;",
            "wpPyIsPthread()||(API." + key + "=" + local + "){MARK};",
            f"API.{key} is assigned only on the main thread")
    add("pyodide-js-init-guard", r"(?<![\w$.])pyodide_js_init\s*\(\s*\)\s*;",
        "wpPyIsPthread()||pyodide_js_init(){MARK};",
        "Pyodide's JS core (pyodide_js_init: API.fatal_error, the FFI...) is set up "
        "only on the main thread")
    # 0.29/314: the block only queues initSuspenders; 0.27 also sets Module.adjustWasmImports,
    # wrapException, createInvoke (main-thread JSPI wiring too).
    add("pyodide-jspi-guard",
        r"if\s*\(\s*jspiSupported\s*\)\s*\{(?P<b>\s*Module\.preRun\.push\s*\(\s*initSuspenders\s*\)"
        r"\s*;?[^{}]*)\}",
        "if(jspiSupported&&!wpPyIsPthread()){{MARK}\\g<b>}",
        "JSPI suspenders are set up (in preRun) only on the main thread")
    # In a -pthread build getWasmImports() starts with assignWasmImports(); (Emscripten
    # 4.0.9 src/preamble.js): anchor on its first `return {env: ...`, whatever precedes.
    add("pyodide-sentinel-imports",
        r"function\s+getWasmImports\s*\(\s*\)\s*\{[^{}]*?return\s*\{(?=\s*[\"']?env[\"']?\s*:)",
        "\\g<0>{MARK}...(wpPyIsPthread()?{sentinel:wpPySentinel()}:{}),",
        "pthread workers get stub imports for the `sentinel` module",
        needs=[(r"\b_create_sentinel\b", "no sentinel imports (only Pyodide 0.28/0.29 import them)")])
