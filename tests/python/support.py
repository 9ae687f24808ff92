"""Shared helpers for the warmpool tests (native CPython and Pyodide run the same files)."""
import ctypes
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))       # the checkout: tests/python/../..
# WARMPOOL_TEST_INSTALLED=1: the suite runs against an installed wheel, else against
# the checkout's python/.
INSTALLED = os.environ.get("WARMPOOL_TEST_INSTALLED") == "1"
if not INSTALLED:
    sys.path.insert(0, os.path.join(ROOT, "python"))

import warmpool  # noqa: E402
from warmpool import _lib  # noqa: E402

if INSTALLED and os.path.realpath(warmpool.__file__).startswith(
        os.path.realpath(os.path.join(ROOT, "python")) + os.sep):
    raise ImportError(f"WARMPOOL_TEST_INSTALLED=1 but warmpool comes from the checkout's "
                      f"python/: {warmpool.__file__}")

EMSCRIPTEN = _lib.is_emscripten()
# Pool workers on Wasm start only when the JS main thread runs its event loop. Runtimes
# whose Python runs on a pthread (the threaded CPython runner) keep that thread free and
# say so here; in Pyodide-like hosts Python blocks it.
JS_MAIN_FREE = not EMSCRIPTEN or os.environ.get("WARMPOOL_JS_MAIN_FREE") == "1"
WASM_THREADS = _lib.has_wasm_threads()
# Python threads: natively, or in a Wasm runtime built with pthreads.
PY_THREADS = not EMSCRIPTEN or WASM_THREADS

try:
    import numpy  # noqa: F401
except ImportError:
    numpy = None

needs_numpy = unittest.skipIf(numpy is None, "numpy is not installed")
needs_threads = unittest.skipUnless(PY_THREADS, "this runtime cannot start threads")
native_only = unittest.skipIf(EMSCRIPTEN, "native CPython only")


def kernels_path():
    p = os.environ.get("WARMPOOL_KERNELS")
    if p:
        return p
    if EMSCRIPTEN:
        name = "libkernels.so" if WASM_THREADS else "libkernels-serial.so"
        return os.path.join(ROOT, "build", "py-wasm", name)
    return os.path.join(ROOT, "build", "native", "libkernels.so")


_kernels = None


def kernels():
    """The test kernels library (tests/python/kernels.c) with its prototypes set."""
    global _kernels
    if _kernels is None:
        k = ctypes.CDLL(kernels_path())
        k.kern_thread_id.restype = ctypes.c_uint64
        k.kern_thread_id.argtypes = []
        for name in ("kern_count", "kern_fill", "kern_sum", "kern_spin",
                     "kern_record_thread", "kern_gate", "kern_nested", "kern_trap"):
            f = getattr(k, name)
            f.restype = None
            f.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
        k.kern_thread_index.restype = None
        k.kern_thread_index.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_size_t,
                                        ctypes.c_size_t]
        _kernels = k
    return _kernels


class Fill(ctypes.Structure):
    _fields_ = [("dst", ctypes.POINTER(ctypes.c_uint32)), ("value", ctypes.c_uint32)]


class Sum(ctypes.Structure):
    _fields_ = [("src", ctypes.POINTER(ctypes.c_uint32)), ("total", ctypes.c_uint64),
                ("chunks", ctypes.c_uint64)]


class Gate(ctypes.Structure):
    _fields_ = [("arrived", ctypes.c_uint32), ("open", ctypes.c_uint32),
                ("timeout_ms", ctypes.c_double), ("timed_out", ctypes.c_uint32)]


class Nested(ctypes.Structure):
    _fields_ = [("pf", ctypes.c_void_p), ("pool", ctypes.c_void_p),
                ("counts", ctypes.POINTER(ctypes.c_uint32)), ("n", ctypes.c_size_t)]


# Workers for pools in tests: 2 so the pool really fans out natively (the serial Wasm
# library starts none whatever is asked).
WORKERS = 2


def jobs_from_threads(test, pool, fn, bufs, n, rounds, grain=64):
    """Runs `rounds` parallel_for(fn, 0, n, buf) from one Python thread per buf at once;
    fails the test if a thread hangs or a call raises."""
    import threading
    errors = []

    def run(buf):
        try:
            for _ in range(rounds):
                pool.parallel_for(fn, 0, n, buf, grain)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    ts = [threading.Thread(target=run, args=(b,)) for b in bufs]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
        test.assertFalse(t.is_alive(), "a parallel_for hung")
    test.assertEqual(errors, [])
