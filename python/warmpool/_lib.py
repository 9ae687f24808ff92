"""Finds, loads and types the warmpool C library.

SIGNATURES is the one table of C prototypes: name -> (restype, [argtypes]), for every C
function of the library (pool, tracer, resize kernels).

Functions are looked up lazily, on first use, so a library built before a function existed
still loads: only using that function raises MissingSymbolError.
"""
import ctypes
import os
import sys

__all__ = ["SIGNATURES", "Library", "MissingSymbolError", "load", "default_library",
           "library_filename", "find_library"]

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


def is_emscripten():
    return sys.platform == "emscripten"


def has_wasm_threads():
    info = getattr(sys, "_emscripten_info", None)
    return bool(info is not None and getattr(info, "pthreads", False))


def library_filename():
    """The file name this runtime needs: a -pthread side module only loads into a runtime
    built with threads (else "mismatch in shared state of memory"), hence the serial one."""
    if is_emscripten() and not has_wasm_threads():
        return "libwarmpool-serial.so"
    return "libwarmpool.so"


def _candidates():
    here = os.path.dirname(os.path.abspath(__file__))
    name = library_filename()
    yield os.path.join(here, name)
    # A source checkout: python/warmpool/ next to build/.
    root = os.path.dirname(os.path.dirname(here))
    yield os.path.join(root, "build", "wasm" if is_emscripten() else "native", name)


def find_library(path=None):
    """The library file to load: `path`, else $WARMPOOL_LIB, else next to the package (or
    in the checkout's build/ directory). A directory means: the right file name in it."""
    explicit = path if path is not None else os.environ.get(ENV_VAR) or None
    if explicit is not None:
        explicit = os.fspath(explicit)
        if os.path.isdir(explicit):
            explicit = os.path.join(explicit, library_filename())
        if not os.path.exists(explicit):
            origin = "path" if path is not None else "$" + ENV_VAR
            raise FileNotFoundError(f"warmpool library not found: {explicit} (from {origin})")
        return explicit
    tried = list(_candidates())
    for c in tried:
        if os.path.exists(c):
            return c
    raise FileNotFoundError("warmpool library not found; tried " + ", ".join(tried) +
                            f"; set ${ENV_VAR} or pass a path")


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
