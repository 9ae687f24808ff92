"""Native CPython in a venv that pip installed the native wheel into: pip refuses the two
Wasm wheels by their tags, and a Wasm wheel unpacked by hand gives WrongFlavourError
naming the native wheel.

Environment: WHEEL_NATIVE, WHEEL_PYODIDE, WHEEL_THREADED (paths, from mk/45-wheels.mk).
"""
import os
import subprocess
import sys
import tempfile
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
WHEELS = {f: os.environ.get("WHEEL_" + f.upper()) for f in ("native", "pyodide", "threaded")}


def pip(*args):
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True,
                          env=env, timeout=120)


@unittest.skipUnless(all(WHEELS.values()), "WHEEL_* are not set (make test-install-native)")
@unittest.skipIf(sys.prefix == sys.base_prefix, "not in a venv")
class Native(unittest.TestCase):
    def test_pip_takes_the_native_wheel(self):
        r = pip("install", "--no-index", "--no-deps", "--dry-run", WHEELS["native"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_pip_refuses_the_wasm_wheels(self):
        for flavour in ("pyodide", "threaded"):
            with self.subTest(flavour=flavour):
                r = pip("install", "--no-index", "--no-deps", "--dry-run", WHEELS[flavour])
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("is not a supported wheel on this platform", r.stderr)

    def test_wasm_wheel_unpacked_by_hand(self):
        # The threaded library has the native one's file name: only its content differs.
        for flavour in ("threaded", "pyodide"):
            with self.subTest(flavour=flavour), tempfile.TemporaryDirectory() as tmp:
                with zipfile.ZipFile(WHEELS[flavour]) as z:
                    z.extractall(tmp)
                env = dict(os.environ, PYTHONPATH=tmp, WARMPOOL_TEST_WRONG_WHEEL=flavour)
                r = subprocess.run([sys.executable, "-m", "unittest", "-v", "test_wrong_flavour"],
                                   cwd=HERE, env=env, capture_output=True, text=True, timeout=120)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("Ran 2 tests", r.stderr)
                self.assertNotIn("skipped", r.stderr)


if __name__ == "__main__":
    unittest.main()
