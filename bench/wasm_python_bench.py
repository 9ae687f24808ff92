"""parallel_for jobs driven from Python through ctypes; the same script runs in native
CPython, in the threaded CPython-on-Wasm (python.js) and in stock Pyodide (serial library).
bench/wasm_python_bench.mjs starts it in each runtime and prints the rows side by side.

Environment: WARMPOOL_LIB (the pool library), WARMPOOL_KERNELS (tests/python/kernels.c built for
this runtime), WPB_WORKERS (pool workers besides the caller, default 1: 2 threads).
Prints one line: "RESULT " + JSON {"runtime":..., "rows": {name: microseconds}}.
"""
import ctypes
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import warmpool  # noqa: E402

WORKERS = int(os.environ.get("WPB_WORKERS", "1"))
REPEATS = int(os.environ.get("WPB_REPEATS", "300"))


def runtime_name():
    if sys.platform != "emscripten":
        return "native CPython %d.%d" % sys.version_info[:2]
    threads = warmpool._lib.has_wasm_threads()
    emcc = ".".join(map(str, sys._emscripten_info.emscripten_version))
    return "%s %d.%d (%s, emcc %s)" % ("threaded CPython-on-Wasm" if threads else "Pyodide",
                                       *sys.version_info[:2], "threads" if threads else "serial",
                                       emcc)


def median_us(fn, repeats, between=None):
    times = []
    for _ in range(repeats):
        if between:
            between()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2] * 1e6


def main():
    k = ctypes.CDLL(os.environ["WARMPOOL_KERNELS"])
    k.kern_count.restype = None
    k.kern_count.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
    k.kern_thread_id.restype = ctypes.c_uint64
    k.kern_thread_id.argtypes = []
    rows = {}
    with warmpool.Pool(WORKERS) as pool:
        if pool.workers:
            pool.wait_ready(10)
        ready = pool.ready()
        nthreads = 1 + pool.workers
        jobs = [("empty", nthreads, 1), ("range 1,000", 1000, 0), ("range 100,000", 100000, 0)]
        for name, n, grain in jobs:
            buf = (ctypes.c_uint32 * n)()
            addr = ctypes.addressof(buf)

            def call(n=n, grain=grain, addr=addr):
                pool.parallel_for(k.kern_count, 0, n, addr, grain)
            call()
            # Cold: the pool's workers have gone to sleep (2 ms without a job).
            rows[f"{name}: cold"] = median_us(call, REPEATS // 3, lambda: time.sleep(0.002))
            with pool.warm():
                call()
                rows[f"{name}: warm"] = median_us(call, REPEATS)
            # The same work on the calling thread only, through ctypes.
            rows[f"{name}: serial ctypes"] = median_us(
                lambda n=n, addr=addr: k.kern_count(addr, 0, n), REPEATS)
        stats = pool.stats()
    # Per-call ctypes overhead: a C function with no arguments returning an int64.
    f = k.kern_thread_id
    loops = 2000
    rows["ctypes call overhead"] = median_us(lambda: [f() for _ in range(loops)], 15) / loops
    out = {"runtime": runtime_name(), "workers": WORKERS, "ready": ready, "rows": rows,
           "items_workers": stats.get("items_workers", 0)}
    print("RESULT " + json.dumps(out), flush=True)


main()
