"""Finding and loading the library; the signature table; missing symbols."""
import ctypes
import os
import shutil
import sys
import tempfile
import unittest

from support import EMSCRIPTEN, ROOT, WASM_THREADS, warmpool
from warmpool import _dist, _lib


class Finding(unittest.TestCase):
    def setUp(self):
        self.saved = os.environ.pop(_lib.ENV_VAR, None)

    def tearDown(self):
        os.environ.pop(_lib.ENV_VAR, None)
        if self.saved is not None:
            os.environ[_lib.ENV_VAR] = self.saved

    def test_filename_for_this_runtime(self):
        name = _lib.library_filename()
        if EMSCRIPTEN and not WASM_THREADS:
            self.assertEqual(name, "libwarmpool-serial.so")
        else:
            self.assertEqual(name, "libwarmpool.so")

    @unittest.skipUnless(EMSCRIPTEN and not WASM_THREADS, "a Wasm runtime without threads")
    def test_threaded_side_module_cannot_load_here(self):
        # Why the serial library is picked: the -pthread build refuses to link.
        threaded = os.path.join(ROOT, "build", "wasm", "libwarmpool.so")
        if not os.path.exists(threaded):
            self.skipTest(f"{threaded} is not built")
        with self.assertRaisesRegex(OSError, "shared state of memory"):
            _lib.Library(threaded)

    def test_default_search_finds_a_file_of_that_name(self):
        path = _lib.find_library()
        self.assertEqual(os.path.basename(path), _lib.library_filename())
        self.assertTrue(os.path.exists(path))

    def test_default_search_prefers_the_build_of_this_runtimes_toolchain(self):
        # build/wasm-3.1.69 (make EMSDK_VERSION=3.1.69) before build/wasm (3.1.6): a
        # runtime built with 3.1.69 loads the side module built with it.
        dirs = _lib.checkout_dirs()
        if not EMSCRIPTEN:
            self.assertEqual(dirs, ["native"])
            return
        version = ".".join(map(str, sys._emscripten_info.emscripten_version))
        self.assertEqual(dirs, ["wasm-" + version, "wasm"])
        own = os.path.join(ROOT, "build", dirs[0], _lib.library_filename())
        if not os.path.exists(own):
            self.skipTest(f"{own} is not built")
        self.assertEqual(_lib.find_library(), own)

    def test_explicit_path_and_directory(self):
        path = _lib.find_library()
        self.assertEqual(_lib.find_library(path), path)
        self.assertEqual(_lib.find_library(os.path.dirname(path)), path)

    def package(self, files):
        """A package directory holding `files` (name -> bytes, or a path to copy)."""
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        for name, content in files.items():
            if isinstance(content, str):
                shutil.copy(content, os.path.join(d, name))
            else:
                with open(os.path.join(d, name), "wb") as f:
                    f.write(content)
        return d

    def test_env_var_when_the_package_carries_no_library(self):
        path = _lib.find_library()
        os.environ[_lib.ENV_VAR] = os.path.dirname(path)
        self.assertEqual(_lib._search(self.package({})), path)
        os.environ[_lib.ENV_VAR] = "/nonexistent/libwarmpool.so"
        with self.assertRaisesRegex(FileNotFoundError, "WARMPOOL_LIB"):
            _lib._search(self.package({}))

    def test_nothing_found_names_the_wheel(self):
        with self.assertRaises(FileNotFoundError) as cm:
            _lib._search(self.package({}))
        self.assertIn(_dist.wheel_name(_lib.runtime_flavour()), str(cm.exception))

    def test_package_copy_wins_over_env_var(self):
        name = _lib.library_filename()
        pkg = self.package({name: _lib.find_library()})
        for env in ("/nonexistent/libwarmpool.so", os.path.dirname(_lib.find_library())):
            with self.subTest(env=env):
                os.environ[_lib.ENV_VAR] = env
                self.assertEqual(_lib._search(pkg), os.path.join(pkg, name))

    def test_package_of_another_flavour_names_the_right_wheel(self):
        mine = _lib.runtime_flavour()
        for flavour, (name, magic, _tags, _stored) in _dist.FLAVOURS.items():
            if flavour == mine:
                continue
            with self.subTest(flavour=flavour):
                pkg = self.package({name: magic + bytes(60)})
                os.environ[_lib.ENV_VAR] = os.path.dirname(_lib.find_library())
                with self.assertRaises(warmpool.WrongFlavourError) as cm:
                    _lib._search(pkg)
                msg = str(cm.exception)
                self.assertIn(_dist.wheel_name(mine), msg)
                self.assertIn(f"{name} (for {_dist.DESCRIBE[flavour]})", msg)

    def test_missing_file_is_a_clear_error(self):
        with self.assertRaisesRegex(FileNotFoundError, "/nonexistent/x.so"):
            warmpool.Pool(1, library="/nonexistent/x.so")

    def test_loaded_once(self):
        self.assertIs(_lib.load(), _lib.load(_lib.find_library()))


class Table(unittest.TestCase):
    def test_every_row_resolves_and_is_typed(self):
        lib = _lib.load()
        for name, (restype, argtypes) in _lib.SIGNATURES.items():
            if not name.startswith("warmpool_") or "_trace" in name or "resize" in name:
                continue  # other components' rows are tested with their functions
            with self.subTest(name=name):
                f = getattr(lib, name)
                self.assertEqual(f.argtypes, argtypes)
                self.assertIs(f.restype, restype)

    def test_missing_symbol_raises_only_when_used(self):
        name = "warmpool_not_in_this_library"
        _lib.SIGNATURES[name] = (ctypes.c_int, [ctypes.c_void_p])
        self.addCleanup(_lib.SIGNATURES.pop, name)
        lib = _lib.load()  # loading is unaffected
        self.assertFalse(lib.has(name))
        with self.assertRaises(warmpool.MissingSymbolError) as cm:
            getattr(lib, name)
        self.assertIn(name, str(cm.exception))
        self.assertIn("rebuild", str(cm.exception))
        with warmpool.Pool(1) as pool:  # the rest still works
            self.assertGreaterEqual(pool.workers, 0)

    def test_function_without_a_row_is_refused(self):
        with self.assertRaisesRegex(AttributeError, "SIGNATURES"):
            _lib.load().warmpool_no_row_for_this

    def test_rows_added_later_are_used(self):
        # A component adds a row after the library was loaded (lazy lookup).
        lib = _lib.Library(_lib.find_library())
        _lib.SIGNATURES["warmpool_is_warm"] = (ctypes.c_int, [ctypes.c_void_p])
        self.assertEqual(lib.warmpool_is_warm(None), 0)


if __name__ == "__main__":
    unittest.main()
