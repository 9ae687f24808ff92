"""Adapts the threaded CPython-on-Wasm (pyodide-patches/wasm-python, built for Node) to a browser
Web Worker, writing python.js, python.wasm, python.worker.js and python311.zip to OUT.

    /usr/bin/python3 pyodide-patches/browser/threaded_runtime.py PYTHON_DIR OUT_DIR

Why: the wasm is the same for Node and the browser; only the JS glue differs. CPython's
Node target links -sNODERAWFS, whose glue throws "NODERAWFS is currently only supported
on Node.js environment" anywhere else. Without that throw the glue keeps Emscripten's
ordinary in-memory FS (NODERAWFS only overrode its methods under Node), which is what the
page wants: the worker writes the stdlib and our files into it. Everything else (pthread
workers, dlopen) is the glue's own browser code path.

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
PATCH_MARK = "/* warmpool web: not Node, keep MEMFS */"
# What web/runtimes.js uses from the glue.
NEEDED = ["_Py_InitializeEx", "_Py_IsInitialized", "_PyRun_SimpleString", "_PyRun_StringFlags",
          "_PyImport_AddModule", "_PyModule_GetDict", "_PyUnicode_AsUTF8", "_Py_DecRef",
          "_PyErr_Print", "_setenv", "_malloc", "_free"]
# Reached as Module.X or, the glue being a classic script, as a global of the worker.
NEEDED_GLOBALS = ["FS", "wasmMemory"]
SKIP_DIRS = {"__pycache__", "site-packages", "test", "tests", "idlelib", "tkinter", "turtledemo",
             "ensurepip", "lib2to3", "pydoc_data", "venv"}


def patch_glue(js):
    if PATCH_MARK in js:
        return js
    js, n = NODERAWFS_THROW.subn(PATCH_MARK, js)
    if n == 0 and "NODERAWFS" in js:
        raise SystemExit("threaded_runtime: python.js mentions NODERAWFS but its browser "
                         "guard was not found; cannot adapt this glue")
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
        js = patch_glue(f.read())
    check_exports(js)
    with open(os.path.join(out, "python.js.tmp"), "w", encoding="utf-8") as f:
        f.write(js)
    os.replace(os.path.join(out, "python.js.tmp"), os.path.join(out, "python.js"))
    for name in ("python.wasm", "python.worker.js"):
        shutil.copyfile(os.path.join(src, name), os.path.join(out, name))
    zip_stdlib(os.path.join(src, "lib", "python3.11"), os.path.join(out, "python311.zip"))
    print(f"threaded_runtime: {out}: python.js (browser glue), python.wasm, python.worker.js, "
          f"python311.zip ({os.path.getsize(os.path.join(out, 'python311.zip')) >> 10} KiB)")


if __name__ == "__main__":
    main()
