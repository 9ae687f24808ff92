"""Finds, loads and types the warmpool C library.

SIGNATURES is the one table of C prototypes: name -> (restype, [argtypes]), for every C
function of the library (pool, tracer, resize kernels).

Functions are looked up lazily, on first use, so a library built before a function existed
still loads: only using that function raises MissingSymbolError.
"""
import ctypes
import os
import sys

from . import _dist

__all__ = ["SIGNATURES", "Library", "MissingSymbolError", "WrongFlavourError", "load",
           "default_library", "library_filename", "find_library"]

_p = ctypes.c_void_p          # opaque pointers (warmpool *, fn, ctx): plain addresses
_sz = ctypes.c_size_t

SIGNATURES = {
    "warmpool_create":       (_p, [ctypes.c_uint]),
    "warmpool_create_ex":    (_p, [_p]),
    "warmpool_destroy":      (None, [_p]),
    "warmpool_parallel_for": (None, [_p, _sz, _sz, _sz, _p, _p]),
    "warmpool_parallel_for_with_thread": (None, [_p, _sz, _sz, _sz, _p, _p]),
    "warmpool_warm":         (None, [_p, ctypes.c_int]),
    "warmpool_is_warm":      (ctypes.c_int, [_p]),
    "warmpool_workers":      (ctypes.c_uint, [_p]),
    "warmpool_ready":        (ctypes.c_uint, [_p]),
    "warmpool_wait_ready":   (ctypes.c_int, [_p, ctypes.c_double]),
    "warmpool_get_stats":    (ctypes.c_int, [_p, _p, _sz]),
    "warmpool_reset_stats":  (None, [_p]),
    # the tracer (warmpool_trace.h; Python side in trace.py)
    "warmpool_trace_start":          (ctypes.c_int, [_sz]),
    "warmpool_trace_enable":         (None, [ctypes.c_int]),
    "warmpool_trace_enabled":        (ctypes.c_int, []),
    "warmpool_trace_pause":          (None, []),
    "warmpool_trace_resume":         (None, []),
    "warmpool_trace_name_thread":    (None, [ctypes.c_char_p]),
    "warmpool_trace_clear":          (None, []),
    "warmpool_trace_now_ns":         (ctypes.c_uint64, []),
    "warmpool_trace_snapshot_since": (_p, [ctypes.c_uint64]),
    "warmpool_trace_free":           (None, [_p]),
    "warmpool_trace_thread_count":   (_sz, [_p]),
    "warmpool_trace_thread_at":      (_p, [_p, _sz]),
    "warmpool_trace_json":           (_p, [_p, ctypes.c_uint, _p]),
    "warmpool_trace_json_free":      (None, [_p]),
    # the resize kernels (warmpool_resize.h; Python side in resize.py)
    "warmpool_resizer_create":  (_p, []),
    "warmpool_resizer_destroy": (None, [_p]),
    "warmpool_resize":          (ctypes.c_int, [_p, _p, _p, _p, ctypes.c_int]),
    "warmpool_resize_layout":   (ctypes.c_int, [_p, _p, ctypes.c_int, _p]),
    "warmpool_resize_simd":     (ctypes.c_int, []),
}

ENV_VAR = "WARMPOOL_LIB"


class MissingSymbolError(AttributeError):
    """The loaded library has no such function (built from older sources)."""


class WrongFlavourError(OSError):
    """The package carries a library built for another runtime (a wheel of the wrong
    flavour was installed); the message names the wheel to install instead."""


def is_emscripten():
    return sys.platform == "emscripten"


def has_wasm_threads():
    info = getattr(sys, "_emscripten_info", None)
    return bool(info is not None and getattr(info, "pthreads", False))


def runtime_flavour():
    """Which flavour of the library this runtime loads (keys of _dist.FLAVOURS)."""
    if not is_emscripten():
        return "native"
    return "threaded" if has_wasm_threads() else "pyodide"


def library_filename():
    """The file name this runtime needs: a -pthread side module only loads into a runtime
    built with threads (else "mismatch in shared state of memory"), hence the serial one."""
    return _dist.FLAVOURS[runtime_flavour()][0]


def checkout_dirs():
    """The directories under a checkout's build/ that may hold this runtime's library, best
    first. On Emscripten the build made with this runtime's own Emscripten comes first
    (build/wasm-3.1.69 from `make EMSDK_VERSION=3.1.69`), then the default build/wasm."""
    if not is_emscripten():
        return ["native"]
    info = getattr(sys, "_emscripten_info", None)
    version = getattr(info, "emscripten_version", None)
    own = ["wasm-" + ".".join(map(str, version))] if version else []
    return own + ["wasm"]


_HERE = os.path.dirname(os.path.abspath(__file__))


def _magic(path):
    try:
        with open(path, "rb") as f:
            return f.read(4)
    except OSError:
        return b""


def _flavour_of(path):
    name, magic = os.path.basename(path), _magic(path)
    for flavour, (lib, lib_magic, _tags, _stored) in _dist.FLAVOURS.items():
        if name == lib and magic == lib_magic:
            return flavour
    return None


def _runtime_text():
    threads = ""
    if is_emscripten():
        threads = ", with Wasm threads" if has_wasm_threads() else ", no Wasm threads"
    return (f"{sys.implementation.name} {sys.version.split()[0]} on "
            f"{sys.platform}{threads}")


def _own_library(package_dir=_HERE):
    """The library inside the package directory (an installed wheel carries one), None if
    there is none (a checkout). Raises WrongFlavourError if the package carries libraries
    but none of this runtime's flavour: rather that than a link error or a crash."""
    try:
        found = sorted(f for f in os.listdir(package_dir)
                       if f.startswith("libwarmpool") and f.endswith(".so"))
    except OSError:
        return None
    if not found:
        return None
    want = runtime_flavour()
    path = os.path.join(package_dir, library_filename())
    if os.path.exists(path) and _flavour_of(path) == want:
        return path
    have = []
    for f in found:
        flavour = _flavour_of(os.path.join(package_dir, f))
        have.append(f"{f} ({'for ' + _dist.DESCRIBE[flavour] if flavour else 'unknown build'})")
    raise WrongFlavourError(
        f"this warmpool in {package_dir} carries {', '.join(have)}, but this runtime "
        f"({_runtime_text()}) needs {library_filename()} for {_dist.DESCRIBE[want]}: "
        f"install {_dist.wheel_name(want)} instead")


def _explicit(path, origin):
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, library_filename())
    if not os.path.exists(path):
        raise FileNotFoundError(f"warmpool library not found: {path} (from {origin})")
    return path


def find_library(path=None):
    """The library file to load: `path`; else the copy inside the package (an installed
    wheel), which $WARMPOOL_LIB does not override; else $WARMPOOL_LIB; else the checkout's
    build/ directory (checkout_dirs()). A directory means: this runtime's file name in it."""
    if path is not None:
        return _explicit(path, "path")
    return _search(_HERE)


def _search(package_dir):
    own = _own_library(package_dir)
    if own is not None:
        return own
    env = os.environ.get(ENV_VAR)
    if env:
        return _explicit(env, "$" + ENV_VAR)
    # A source checkout: python/warmpool/ next to build/.
    root = os.path.dirname(os.path.dirname(package_dir))
    for sub in checkout_dirs():
        checkout = os.path.join(root, "build", sub, library_filename())
        if os.path.exists(checkout):
            return checkout
    raise FileNotFoundError(
        f"warmpool library not found: the package carries none, ${ENV_VAR} is not set "
        f"and {checkout} does not exist; install {_dist.wheel_name(runtime_flavour())}, "
        f"set ${ENV_VAR} or pass a path")


class Library:
    """A loaded library whose functions come typed from SIGNATURES: lib.warmpool_create(...)."""

    def __init__(self, path):
        self.path = path
        # use_errno: C reports errors through errno; ctypes copies it out right after a call.
        self.cdll = ctypes.CDLL(path, use_errno=True)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            restype, argtypes = SIGNATURES[name]
        except KeyError:
            raise AttributeError(f"{name} has no row in warmpool._lib.SIGNATURES") from None
        try:
            fn = getattr(self.cdll, name)
        except AttributeError:
            raise MissingSymbolError(
                f"{name} is not in {self.path}: the library predates this function; "
                "rebuild it from current sources") from None
        fn.restype = restype
        fn.argtypes = argtypes
        setattr(self, name, fn)  # cached: __getattr__ runs once per name
        return fn

    def has(self, name):
        try:
            getattr(self, name)
            return True
        except AttributeError:
            return False

    def __repr__(self):
        return f"<warmpool.Library {self.path!r}>"


_loaded = {}


def load(path=None):
    """The Library at find_library(path); loaded once per file."""
    real = os.path.realpath(find_library(path))
    lib = _loaded.get(real)
    if lib is None:
        lib = _loaded[real] = Library(real)
    return lib


def default_library():
    return load(None)
