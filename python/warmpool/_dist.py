"""What is distributed: the version and the three wheels, each carrying one flavour of the
C library inside the package directory. setup.py builds from this table, the Makefile
names the wheels from it (run as a script it prints their file names), and _lib.py names
the wheel a runtime needs when it finds the wrong flavour installed.

No imports beyond the standard library: setup.py and the Makefile read this file without
importing the package.
"""
__version__ = "0.1.0"

# flavour -> (library file, its first four bytes, platform tags, stored).
# native: needs GLIBC_2.34 at most and only libc/libm, on x86-64 with AVX2/AVX-512 chosen
#   at run time: what manylinux_2_34 promises (setup.py checks the library against it).
# pyodide: the serial side module (no -pthread) from Emscripten 3.1.6 with WASM_BIGINT,
#   which loads in Pyodide 0.27 (pyodide_2024_0), 0.28/0.29 (pyodide_2025_0, and
#   pyemscripten_2025_0 for 0.29.4+) and 314 (pyemscripten_2026_0).
# threaded: the -pthread side module, for Python runtimes built with Wasm threads by the
#   same Emscripten; stored, not deflated: such a runtime may have no zlib.
FLAVOURS = {
    "native": ("libwarmpool.so", b"\x7fELF", ("manylinux_2_34_x86_64",), False),
    "pyodide": ("libwarmpool-serial.so", b"\0asm",
                ("pyemscripten_2025_0_wasm32", "pyemscripten_2026_0_wasm32",
                 "pyodide_2024_0_wasm32", "pyodide_2025_0_wasm32"), False),
    "threaded": ("libwarmpool.so", b"\0asm", ("emscripten_3_1_6_wasm32",), True),
}
ORDER = ("native", "pyodide", "threaded")
DESCRIBE = {
    "native": "native Linux x86-64 CPython",
    "pyodide": "Wasm runtimes without threads such as Pyodide",
    "threaded": "Wasm runtimes with threads",
}


def platform_tag(flavour):
    """The compressed platform tag set of the flavour's wheel ("a.b" means a or b)."""
    return ".".join(FLAVOURS[flavour][2])


def wheel_name(flavour, version=__version__):
    return f"warmpool-{version}-py3-none-{platform_tag(flavour)}.whl"


if __name__ == "__main__":
    print(" ".join(wheel_name(f) for f in ORDER))
