"""Adapts the threaded CPython-on-Wasm (pyodide-patches/wasm-python, built for Node) to a browser
Web Worker, writing python.js, python.wasm, python.worker.js and python311.zip to OUT.

    /usr/bin/python3 pyodide-patches/browser/threaded_runtime.py PYTHON_DIR OUT_DIR

Why: the wasm is the same for Node and the browser; only the JS glue differs. CPython's
Node target links -sNODERAWFS, whose glue throws "NODERAWFS is currently only supported
on Node.js environment" anywhere else. Without that throw, and with NODERAWFS's methods
installed only under Node (3.1.6 does that itself, 3.1.69's glue must be told), the glue
keeps Emscripten's ordinary in-memory FS, which is what the
page wants: the worker writes the stdlib and our files into it. Everything else (pthread
workers, dlopen) is the glue's own browser code path.

Its pthread clock is fixed too: 3.1.6 gives each pthread worker the clock
performance.now() - drift, with drift measured as (the worker's now when the "run"
message arrives) - (the parent's now when it was posted), which folds the message's
delivery time (a millisecond or more) into every timestamp the thread takes: the pool's
trace then shows workers waking before the job they woke for. Both ends of a worker's
clock are on one timeline (performance.timeOrigin), so the parent also posts its
timeOrigin and the worker takes drift = parent's timeOrigin - its own.

The stdlib becomes one *stored* zip on CPython's default sys.path (PREFIX/lib/python311.zip):
this build has no zlib, and zipimport reads stored members without it.
Fails, naming what is missing, if the glue lacks an export the page calls.
"""
import os
import re
import shutil
import sys
import zipfile

NODERAWFS_THROW = re.compile(
    r'throw\s+new\s+Error\(\s*["\']NODERAWFS is currently only supported on Node\.js environment\.?["\']\s*\)')
# The loop that swaps FS's methods for Node's. 3.1.6 runs it only under Node (the throw is
# its else branch); in 3.1.69 the throw is a guard of its own and the loop follows it
# unguarded, so without the throw alone a browser would get Node-only FS methods.
NODERAWFS_LOOP = re.compile(r'for\s*\(\s*var\s+_key\s+in\s+NODERAWFS\s*\)')
NODERAWFS_LOOP_NEW = "if(ENVIRONMENT_IS_NODE)for(var _key in NODERAWFS)"
PATCH_MARK = "/* warmpool web: not Node, keep MEMFS */"
# 3.1.69's NODERAWFS also links library_nodepath.js: PATH and PATH_FS call Node's `path`
# module (nodePath), which a browser lacks ("reading 'posix'"). Outside Node the glue gets
# a POSIX-only stand-in with the few functions those two call; Node's branch still assigns
# the real module over it.
NODEPATH_USE = re.compile(r'nodePath\[\s*["\']posix["\']\s*\]')
NODEPATH_MARK = "/* warmpool web: a path module outside Node */"
NODEPATH_SHIM = NODEPATH_MARK + r"""var nodePath=(function(){
if(typeof process=="object"&&process.versions&&process.versions.node)return undefined;
function parts(p,out){p.split("/").forEach(function(s){if(!s||s===".")return;
if(s!=="..")out.push(s);else if(out.length&&out[out.length-1]!=="..")out.pop();else out.push("..")});return out}
function normalize(p){var abs=p.charAt(0)==="/",segs=parts(p,[]);
if(abs)while(segs[0]==="..")segs.shift();
var r=(abs?"/":"")+segs.join("/");if(!r)return abs?"/":".";
return p.length>1&&p.charAt(p.length-1)==="/"&&r!=="/"?r+"/":r}
function resolve(){var r="";for(var i=arguments.length-1;i>=0&&r.charAt(0)!=="/";i--){
if(arguments[i])r=arguments[i]+(r?"/"+r:"")}r=normalize("/"+r);
return r.length>1&&r.charAt(r.length-1)==="/"?r.slice(0,-1):r}
function relative(from,to){var f=resolve(from).split("/").filter(Boolean),t=resolve(to).split("/").filter(Boolean),i=0;
while(i<f.length&&i<t.length&&f[i]===t[i])i++;
return f.slice(i).map(function(){return".."}).concat(t.slice(i)).join("/")}
function dirname(p){var s=p.replace(/\/+$/,"");if(!s)return p?"/":".";var i=s.lastIndexOf("/");
return i<0?".":i===0?"/":s.slice(0,i).replace(/\/+$/,"")||"/"}
function basename(p){var s=p.replace(/\/+$/,"");return s.slice(s.lastIndexOf("/")+1)}
var m={isAbsolute:function(p){return p.charAt(0)==="/"},normalize:normalize,dirname:dirname,basename:basename,
join:function(){var a=[].slice.call(arguments).filter(function(x){return x});return a.length?normalize(a.join("/")):"."},
resolve:resolve,relative:relative};m.posix=m;return m})();
"""
# What web/runtimes.js uses from the glue.
NEEDED = ["_Py_InitializeEx", "_Py_IsInitialized", "_PyRun_SimpleString", "_PyRun_StringFlags",
          "_PyImport_AddModule", "_PyModule_GetDict", "_PyUnicode_AsUTF8", "_Py_DecRef",
          "_PyErr_Print", "_setenv", "_malloc", "_free"]
# Reached as Module.X or, the glue being a classic script, as a global of the worker.
NEEDED_GLOBALS = ["FS", "wasmMemory"]
SKIP_DIRS = {"__pycache__", "site-packages", "test", "tests", "idlelib", "tkinter", "turtledemo",
             "ensurepip", "lib2to3", "pydoc_data", "venv"}


# The parent's side (spawnThread, python.js) and the worker's (python.worker.js).
RUN_TIME = re.compile(r'msg\.time\s*=\s*performance\.now\(\)\s*;')
RUN_TIME_NEW = "msg.time=performance.now();msg.timeOrigin=performance.timeOrigin;"
DRIFT = re.compile(r'Module\[\s*["\']__performance_now_clock_drift["\']\s*\]\s*=\s*'
                   r'performance\.now\(\)\s*-\s*e\.data\.time')
DRIFT_NEW = ('Module["__performance_now_clock_drift"]=e.data.timeOrigin!==undefined?'
             'e.data.timeOrigin-performance.timeOrigin:performance.now()-e.data.time')
CLOCK_MARK = "/* warmpool web: one clock for all threads */"


def patch_clock(js, pattern, new, what):
    if CLOCK_MARK in js:
        return js
    js, n = pattern.subn(lambda _: CLOCK_MARK + new, js)
    if n != 1:
        raise SystemExit(f"threaded_runtime: {what}: found {n} places for the pthread clock "
                         "fix, expected 1; cannot adapt this glue")
    return js


def patch_glue(js):
    if PATCH_MARK in js:
        return js
    if not NODERAWFS_THROW.search(js):
        if "NODERAWFS" in js:
            raise SystemExit("threaded_runtime: python.js mentions NODERAWFS but its browser "
                             "guard was not found; cannot adapt this glue")
        return js
    if len(NODERAWFS_LOOP.findall(js)) != 1:
        raise SystemExit("threaded_runtime: python.js has the NODERAWFS guard but not exactly one "
                         "loop installing its FS methods; cannot adapt this glue")
    js = NODERAWFS_THROW.sub(PATCH_MARK, js)
    js = NODERAWFS_LOOP.sub(NODERAWFS_LOOP_NEW, js)
    if NODEPATH_USE.search(js) and NODEPATH_MARK not in js:
        js = NODEPATH_SHIM + js
    return js


def check_exports(js):
    def exported(n):
        return re.search(r'Module\[\s*["\']%s["\']\s*\]\s*=' % re.escape(n), js)

    def toplevel(n):
        return re.search(r'(?:^|[;\n}])\s*var\s+%s\s*[=;,]' % re.escape(n), js)

    missing = [n for n in NEEDED if not exported(n)]
    missing += [n for n in NEEDED_GLOBALS if not exported(n) and not toplevel(n)]
    if missing:
        raise SystemExit("threaded_runtime: python.js does not export " + ", ".join(missing))


def zip_stdlib(libdir, out):
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        for root, dirs, files in os.walk(libdir):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            for f in sorted(files):
                if f.endswith((".py", ".json")) or f.startswith("_sysconfigdata"):
                    full = os.path.join(root, f)
                    z.write(full, os.path.relpath(full, libdir))
    os.replace(tmp, out)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "python.js"), encoding="utf-8") as f:
        js = patch_clock(patch_glue(f.read()), RUN_TIME, RUN_TIME_NEW, "python.js")
    check_exports(js)
    with open(os.path.join(src, "python.worker.js"), encoding="utf-8") as f:
        worker = patch_clock(f.read(), DRIFT, DRIFT_NEW, "python.worker.js")
    for name, text in (("python.js", js), ("python.worker.js", worker)):
        with open(os.path.join(out, name + ".tmp"), "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(os.path.join(out, name + ".tmp"), os.path.join(out, name))
    shutil.copyfile(os.path.join(src, "python.wasm"), os.path.join(out, "python.wasm"))
    zip_stdlib(os.path.join(src, "lib", "python3.11"), os.path.join(out, "python311.zip"))
    print(f"threaded_runtime: {out}: python.js, python.worker.js (browser glue), python.wasm, "
          f"python311.zip ({os.path.getsize(os.path.join(out, 'python311.zip')) >> 10} KiB)")


if __name__ == "__main__":
    main()
