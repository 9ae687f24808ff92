"""pyodide-patches/browser/threaded_runtime.py: the browser adaptation of the Node-built CPython glue."""
import os
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "pyodide-patches", "browser"))
import threaded_runtime as tr  # noqa: E402

# The shapes emcc 3.1.6 writes at -O0 (spaced) and -O1/-O2 (whitespace-minified).
GUARD_O0 = '''    } else {
      throw new Error("NODERAWFS is currently only supported on Node.js environment.")
    }'''
GUARD_O2 = 'else{throw new Error("NODERAWFS is currently only supported on Node.js environment.")}'
EXPORTS = "".join('var %s=Module["%s"]=function(){};' % (n, n) for n in tr.NEEDED) + \
    'var FS={};var wasmMemory;'


class PatchGlue(unittest.TestCase):
    def test_removes_the_node_only_guard_in_every_shape(self):
        for guard in (GUARD_O0, GUARD_O2):
            js = "if(ENVIRONMENT_IS_NODE){NODERAWFS...}" + guard
            out = tr.patch_glue(js)
            self.assertNotIn("only supported on Node.js", out)
            self.assertIn(tr.PATCH_MARK, out)

    def test_is_idempotent(self):
        once = tr.patch_glue("NODERAWFS;" + GUARD_O2)
        self.assertEqual(tr.patch_glue(once), once)

    def test_glue_without_noderawfs_is_left_alone(self):
        js = "var Module={};" + EXPORTS
        self.assertEqual(tr.patch_glue(js), js)

    def test_unknown_noderawfs_glue_is_refused(self):
        with self.assertRaises(SystemExit) as cm:
            tr.patch_glue('NODERAWFS; throw new Error("NODERAWFS is not supported here")')
        self.assertIn("browser guard was not found", str(cm.exception))


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
