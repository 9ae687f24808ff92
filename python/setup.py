"""Builds one wheel of warmpool carrying one flavour of the C library (warmpool/_dist.py):
`make wheels` copies python/ with that library into warmpool/ and builds there with
WARMPOOL_FLAVOUR=native|pyodide|threaded. Offline, with setuptools and wheel only.

The wheel is not pure (the library is platform code), yet has no extension module: the
distribution says it has one so that setuptools installs into the platlib root, which
bdist_wheel then archives at the wheel's root. Overriding only bdist_wheel's
root_is_pure would put the package under .data/platlib or .data/purelib instead, which
Pyodide's installer does not handle.
"""
import os
import re
import runpy
import subprocess
import sys

from setuptools import setup
from setuptools.dist import Distribution
from wheel.bdist_wheel import bdist_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
PKG = os.path.join(HERE, "warmpool")
DIST = runpy.run_path(os.path.join(PKG, "_dist.py"))
FLAVOURS = DIST["FLAVOURS"]
# What manylinux allows a library to need besides glibc's symbol versions (PEP 600 and
# auditwheel's policy; ours needs only the first two).
MANYLINUX_LIBS = {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
                  "libgcc_s.so.1"}


def fail(msg):
    sys.exit(f"setup.py: {msg}")


def flavour():
    f = os.environ.get("WARMPOOL_FLAVOUR")
    if f not in FLAVOURS:
        fail(f"set WARMPOOL_FLAVOUR to one of {', '.join(FLAVOURS)} (got {f!r}); "
             "`make wheels` builds all three")
    return f


def check_library(f):
    """Exactly one library in the package, of this flavour."""
    name, magic, tags, _stored = FLAVOURS[f]
    libs = sorted(x for x in os.listdir(PKG) if x.endswith(".so"))
    if libs != [name]:
        fail(f"warmpool/ must hold exactly {name} for the {f} wheel, holds {libs}")
    path = os.path.join(PKG, name)
    with open(path, "rb") as fh:
        if fh.read(4) != magic:
            fail(f"{path} is not a {f} library (first bytes are not {magic!r})")
    for tag in tags:
        m = re.fullmatch(r"manylinux_(\d+)_(\d+)_x86_64", tag)
        if m:
            check_manylinux(path, (int(m[1]), int(m[2])))


def check_manylinux(path, glibc):
    """The tag promises the library runs with glibc >= `glibc` and needs nothing outside
    the manylinux set: read what it really needs."""
    dyn = subprocess.run(["objdump", "-T", "-p", path], check=True, capture_output=True,
                         text=True).stdout
    needs = {tuple(map(int, v.split("."))) for v in re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)", dyn)}
    too_new = sorted(v for v in needs if v[:2] > glibc)
    if too_new:
        fail(f"{path} needs GLIBC_{'.'.join(map(str, too_new[-1]))}, newer than the "
             f"manylinux_{glibc[0]}_{glibc[1]} tag allows")
    needed = set(re.findall(r"^\s*NEEDED\s+(\S+)", dyn, re.M))
    if needed - MANYLINUX_LIBS:
        fail(f"{path} links {sorted(needed - MANYLINUX_LIBS)}, outside manylinux")
    if re.search(r"\b(GLIBCXX|CXXABI)_", dyn):
        fail(f"{path} needs libstdc++, which this wheel does not declare")


class PlatformDistribution(Distribution):
    def has_ext_modules(self):
        return True


class FlavourWheel(bdist_wheel):
    """py3-none-<this flavour's tags>: any Python 3, no Python ABI (ctypes only)."""

    def finalize_options(self):
        if FLAVOURS[FLAVOUR][3]:
            self.compression = "stored"
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        return "py3", "none", DIST["platform_tag"](FLAVOUR)


FLAVOUR = flavour()
check_library(FLAVOUR)
setup(
    distclass=PlatformDistribution,
    cmdclass={"bdist_wheel": FlavourWheel},
    packages=["warmpool"],
    package_data={"warmpool": [FLAVOURS[FLAVOUR][0]]},
    version=DIST["__version__"],
    zip_safe=False,
)
