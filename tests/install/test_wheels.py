"""The three wheels in dist/ as files: each holds the package and exactly one library of
its flavour at the root (no .data/ directory), carries the tags _dist.py gives it, the
threaded one is stored, and the native library needs no more than its manylinux tag says.

Environment: WHEEL_NATIVE, WHEEL_PYODIDE, WHEEL_THREADED (paths, from mk/45-wheels.mk).
"""
import base64
import csv
import hashlib
import io
import os
import re
import runpy
import subprocess
import tempfile
import unittest
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIST = runpy.run_path(os.path.join(ROOT, "python", "warmpool", "_dist.py"))
WHEELS = {f: os.environ.get("WHEEL_" + f.upper()) for f in DIST["ORDER"]}
PY_FILES = sorted(f for f in os.listdir(os.path.join(ROOT, "python", "warmpool"))
                  if f.endswith(".py"))


def glibc_needs(path):
    """(versions of GLIBC_x symbols, DT_NEEDED libraries) of an ELF library."""
    out = subprocess.run(["objdump", "-T", "-p", path], check=True, capture_output=True,
                         text=True).stdout
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)", out)}
    return versions, set(re.findall(r"^\s*NEEDED\s+(\S+)", out, re.M))


class Wheels(unittest.TestCase):
    def wheel(self, flavour):
        path = WHEELS[flavour]
        if not path:
            self.skipTest(f"WHEEL_{flavour.upper()} is not set (make test-wheels sets it)")
        self.assertEqual(os.path.basename(path), DIST["wheel_name"](flavour))
        return zipfile.ZipFile(path)

    def test_one_library_of_its_flavour_at_the_root(self):
        for flavour in DIST["ORDER"]:
            with self.subTest(flavour=flavour), self.wheel(flavour) as z:
                names = z.namelist()
                self.assertEqual([n for n in names if ".data/" in n], [])
                libs = [n for n in names if n.endswith(".so")]
                lib, magic = DIST["FLAVOURS"][flavour][:2]
                self.assertEqual(libs, [f"warmpool/{lib}"])
                self.assertEqual(z.read(libs[0])[:4], magic)
                self.assertEqual(sorted(n[len("warmpool/"):] for n in names
                                        if n.startswith("warmpool/") and n.endswith(".py")),
                                 PY_FILES)

    def test_metadata_tags_and_record(self):
        for flavour in DIST["ORDER"]:
            with self.subTest(flavour=flavour), self.wheel(flavour) as z:
                di = f"warmpool-{DIST['__version__']}.dist-info/"
                wheel = z.read(di + "WHEEL").decode()
                self.assertIn("Root-Is-Purelib: false", wheel)
                tags = re.findall(r"^Tag: (\S+)$", wheel, re.M)
                self.assertEqual(sorted(tags),
                                 sorted(f"py3-none-{p}" for p in DIST["FLAVOURS"][flavour][2]))
                self.assertIn(f"Version: {DIST['__version__']}", z.read(di + "METADATA").decode())
                rows = list(csv.reader(io.StringIO(z.read(di + "RECORD").decode())))
                for name, digest, _size in rows:
                    if name == di + "RECORD":
                        continue
                    h = base64.urlsafe_b64encode(hashlib.sha256(z.read(name)).digest())
                    self.assertEqual(digest, "sha256=" + h.rstrip(b"=").decode(), name)

    def test_threaded_wheel_is_stored(self):
        # The threaded CPython-on-Wasm has no zlib: it cannot read a deflated member.
        with self.wheel("threaded") as z:
            self.assertEqual({i.compress_type for i in z.infolist()}, {zipfile.ZIP_STORED})

    def test_native_tag_is_honest(self):
        # manylinux_2_X: no GLIBC symbol newer than 2.X, nothing linked outside glibc
        # (AVX2/AVX-512 loops are chosen at run time, so any x86-64 will do).
        tags = DIST["FLAVOURS"]["native"][2]
        self.assertEqual(len(tags), 1)
        m = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", tags[0])
        self.assertIsNotNone(m, tags[0])
        with self.wheel("native") as z, tempfile.TemporaryDirectory() as tmp:
            path = z.extract("warmpool/libwarmpool.so", tmp)
            versions, needed = glibc_needs(path)
        # Equal, not just below: the tag names the oldest glibc the library runs on.
        self.assertEqual(max(v[:2] for v in versions), (int(m[1]), int(m[2])))
        self.assertLessEqual(needed, {"libc.so.6", "libm.so.6"})


if __name__ == "__main__":
    unittest.main()
