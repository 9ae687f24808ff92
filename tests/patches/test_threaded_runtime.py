"""pyodide-patches/browser/threaded_runtime.py: the browser adaptation of the Node-built CPython glue."""
import os
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pyodide-patches", "browser"))
import threaded_runtime as tr  # noqa: E402

# The shapes emcc 3.1.6 writes at -O0 (spaced) and -O1/-O2 (whitespace-minified): the
# loop installing Node's FS methods sits in the ENVIRONMENT_IS_NODE branch, the throw in
# its else branch.
GUARD_O0 = '''    if (ENVIRONMENT_IS_NODE) {
      for (var _key in NODERAWFS) {
        FS[_key] = _wrapNodeError(NODERAWFS[_key]);
      }
    } else {
      throw new Error("NODERAWFS is currently only supported on Node.js environment.")
    }'''
GUARD_O2 = ('if(ENVIRONMENT_IS_NODE){for(var _key in NODERAWFS){FS[_key]=_wrapNodeError(NODERAWFS[_key])}}'
            'else{throw new Error("NODERAWFS is currently only supported on Node.js environment.")}')
# 3.1.69 (-O2): the throw is a guard of its own, the loop follows it unguarded.
GUARD_3169 = ('if(!ENVIRONMENT_IS_NODE){throw new Error("NODERAWFS is currently only supported on Node.js '
              'environment.")}var VFS=Object.assign({},FS);for(var _key in NODERAWFS){FS[_key]='
              '_wrapNodeError(NODERAWFS[_key])}')
EXPORTS = "".join('var %s=Module["%s"]=function(){};' % (n, n) for n in tr.NEEDED) + \
    'var FS={};var wasmMemory;'


class PatchGlue(unittest.TestCase):
    def test_removes_the_node_only_guard_in_every_shape(self):
        for guard in (GUARD_O0, GUARD_O2, GUARD_3169):
            out = tr.patch_glue(guard)
            self.assertNotIn("only supported on Node.js", out)
            self.assertIn(tr.PATCH_MARK, out)
            # Node's FS methods go in only under Node, whichever branch held them.
            self.assertEqual(out.count("if(ENVIRONMENT_IS_NODE)for(var _key in NODERAWFS)"), 1)

    def test_is_idempotent(self):
        for guard in (GUARD_O2, GUARD_3169):
            once = tr.patch_glue(guard)
            self.assertEqual(tr.patch_glue(once), once)

    def test_a_path_module_outside_node_only_where_the_glue_calls_one(self):
        uses = GUARD_3169 + 'var PATH_FS={resolve:(...p)=>nodePath["posix"]["resolve"](...p)};'
        out = tr.patch_glue(uses)
        self.assertTrue(out.startswith(tr.NODEPATH_MARK))
        self.assertEqual(tr.patch_glue(out), out)
        self.assertNotIn(tr.NODEPATH_MARK, tr.patch_glue(GUARD_3169))
        self.assertNotIn(tr.NODEPATH_MARK, tr.patch_glue(GUARD_O2))

    def test_guard_without_one_install_loop_is_refused(self):
        for js in (GUARD_3169.replace("for(var _key in NODERAWFS)", "for(var k in NODERAWFS)"),
                   GUARD_3169 + "for(var _key in NODERAWFS){}"):
            with self.assertRaises(SystemExit) as cm:
                tr.patch_glue(js)
            self.assertIn("exactly one", str(cm.exception))

    def test_glue_without_noderawfs_is_left_alone(self):
        js = "var Module={};" + EXPORTS
        self.assertEqual(tr.patch_glue(js), js)

    def test_unknown_noderawfs_glue_is_refused(self):
        with self.assertRaises(SystemExit) as cm:
            tr.patch_glue('NODERAWFS; throw new Error("NODERAWFS is not supported here")')
        self.assertIn("browser guard was not found", str(cm.exception))


# The pthread clock: the parent posting "run" (-O0 and minified) and the worker receiving it.
RUN_O0 = """      worker.runPthread = () => {
        // Ask the worker to start executing its pthread entry point function.
        msg.time = performance.now();
        worker.postMessage(msg, threadParams.transferList);"""
RUN_O2 = "worker.runPthread=()=>{msg.time=performance.now();worker.postMessage(msg,threadParams.transferList)"
WORKER = 'else if(e.data.cmd==="run"){Module["__performance_now_clock_drift"]=performance.now()-e.data.time;Module'


class PatchClock(unittest.TestCase):
    def test_parent_posts_its_time_origin_in_every_shape(self):
        for js in (RUN_O0, RUN_O2):
            out = tr.patch_clock(js, tr.RUN_TIME, tr.RUN_TIME_NEW, "python.js")
            self.assertIn("msg.timeOrigin=performance.timeOrigin;", out)
            self.assertIn("worker.postMessage(msg", out)
            self.assertEqual(tr.patch_clock(out, tr.RUN_TIME, tr.RUN_TIME_NEW, "python.js"), out)

    def test_worker_takes_the_drift_from_the_time_origins(self):
        out = tr.patch_clock(WORKER, tr.DRIFT, tr.DRIFT_NEW, "python.worker.js")
        self.assertNotIn("=performance.now()-e.data.time;", out.replace(":performance.now()-e.data.time", ""))
        self.assertIn("e.data.timeOrigin-performance.timeOrigin", out)
        # A parent that sends no timeOrigin (an unpatched python.js) keeps the old drift.
        self.assertIn(":performance.now()-e.data.time", out)

    def test_unknown_glue_is_refused(self):
        with self.assertRaises(SystemExit) as cm:
            tr.patch_clock("msg.time = Date.now();", tr.RUN_TIME, tr.RUN_TIME_NEW, "python.js")
        self.assertIn("pthread clock", str(cm.exception))


class CheckExports(unittest.TestCase):
    def test_accepts_module_exports_and_worker_globals(self):
        tr.check_exports(EXPORTS)

    def test_names_every_missing_export(self):
        js = EXPORTS.replace('Module["_PyRun_StringFlags"]', 'x').replace("var FS={};", "")
        with self.assertRaises(SystemExit) as cm:
            tr.check_exports(js)
        self.assertIn("_PyRun_StringFlags", str(cm.exception))
        self.assertIn("FS", str(cm.exception))


class Stdlib(unittest.TestCase):
    def test_stored_zip_of_sources_without_tests_or_caches(self):
        with tempfile.TemporaryDirectory() as d:
            lib = os.path.join(d, "lib")
            for rel in ("os.py", "json/__init__.py", "json/__pycache__/x.pyc", "test/t.py",
                        "_sysconfigdata__emscripten_wasm32-emscripten.py", "README.txt"):
                os.makedirs(os.path.dirname(os.path.join(lib, rel)), exist_ok=True)
                with open(os.path.join(lib, rel), "w") as f:
                    f.write("x = 1\n")
            out = os.path.join(d, "python311.zip")
            tr.zip_stdlib(lib, out)
            with zipfile.ZipFile(out) as z:
                names = sorted(z.namelist())
                # zlib is not in this CPython: zipimport can only read stored members.
                self.assertTrue(all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist()))
            self.assertEqual(names, ["_sysconfigdata__emscripten_wasm32-emscripten.py",
                                     "json/__init__.py", "os.py"])


if __name__ == "__main__":
    unittest.main()
