"""The installed package (a wheel, installed as its users install it) in whichever runtime
runs this: imported from the install and not the checkout, loading the library inside
it, which $WARMPOOL_LIB does not override; in Pyodide, the very library Pyodide preloaded
from the wheel (one copy, one handle).

Environment: WARMPOOL_TEST_INSTALLED=1; in Pyodide, WARMPOOL_TEST_PRELOADED (JSON: the
library names Pyodide held right after installing the wheel).
"""
import json
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import warmpool  # noqa: E402
from warmpool import _lib  # noqa: E402

PKG = os.path.dirname(os.path.abspath(warmpool.__file__))


def under(path, root):
    return os.path.realpath(path).startswith(os.path.realpath(root) + os.sep)


class Installed(unittest.TestCase):
    def test_imported_from_the_install(self):
        self.assertEqual(os.environ.get("WARMPOOL_TEST_INSTALLED"), "1")
        checkout = os.path.realpath(os.path.join(ROOT, "python"))
        self.assertFalse(under(warmpool.__file__, checkout), warmpool.__file__)
        self.assertNotIn(checkout, [os.path.realpath(p or ".") for p in sys.path])

    def test_installed_files(self):
        from importlib import metadata
        dist = metadata.distribution("warmpool")
        self.assertEqual(dist.version, warmpool.__version__)
        libs = [str(f) for f in dist.files if str(f).endswith(".so")]
        self.assertEqual(libs, [f"warmpool/{_lib.library_filename()}"])
        path = os.path.join(PKG, _lib.library_filename())
        self.assertEqual(_lib._flavour_of(path), _lib.runtime_flavour())

    def test_own_library_wins_over_the_environment(self):
        own = os.path.join(PKG, _lib.library_filename())
        saved = os.environ.get(_lib.ENV_VAR)
        self.addCleanup(lambda: os.environ.__setitem__(_lib.ENV_VAR, saved) if saved is not None
                        else os.environ.pop(_lib.ENV_VAR, None))
        for other in (os.path.join(ROOT, "build", "wasm" if _lib.is_emscripten() else "native",
                                   _lib.library_filename()), "/nonexistent/libwarmpool.so"):
            with self.subTest(other=other):
                os.environ[_lib.ENV_VAR] = other
                self.assertEqual(warmpool.find_library(), own)
        self.assertEqual(_lib.load().path, os.path.realpath(own))

    @unittest.skipUnless(os.environ.get("WARMPOOL_TEST_PRELOADED"), "not Pyodide")
    def test_same_library_as_pyodide_preloaded(self):
        # Pyodide dlopens every .so of a wheel when installing it (RTLD_LOCAL since 0.28):
        # ctypes.CDLL must reach that same instance, not load a second copy with globals
        # of its own. Emscripten's dlopen matches libraries by the name they were opened as.
        import pyodide_js
        preloaded = json.loads(os.environ["WARMPOOL_TEST_PRELOADED"])
        lib = _lib.load()
        self.assertIn(lib.path, preloaded)
        ldso = pyodide_js._module.LDSO
        by_name = ldso.loadedLibsByName.as_object_map()
        by_handle = ldso.loadedLibsByHandle.as_object_map()
        self.assertTrue(by_handle[str(lib.cdll._handle)] == by_name[lib.path])
        ours = [n for n in by_name if os.path.basename(n) == _lib.library_filename()]
        self.assertEqual(sorted(ours), sorted(n for n in preloaded
                                              if os.path.basename(n) == _lib.library_filename()))

    def test_pool_runs_a_resize(self):
        w, h = 64, 48
        src = bytearray((i * 7) & 255 for i in range(w * h * 4))
        a, b = bytearray(w * h), bytearray(w * h)
        with warmpool.Pool() as pool:
            warmpool.resize(warmpool.Image(src, (h, w, 4)), warmpool.Image(a, (h // 2, w // 2, 4)),
                            "area", pool=pool)
        warmpool.resize(warmpool.Image(src, (h, w, 4)), warmpool.Image(b, (h // 2, w // 2, 4)), "area")
        self.assertEqual(a, b)
        self.assertTrue(any(a))


if __name__ == "__main__":
    unittest.main()
