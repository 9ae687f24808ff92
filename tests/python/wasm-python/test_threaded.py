"""The pool on real Wasm threads, driven from the threaded CPython (python.js).

Run by suite.test.mjs here next to the package suite (tests/python). Here the JS main
thread is free (CPython runs main() on a pthread, PROXY_TO_PTHREAD), so pool
workers start while Python runs and wait_ready() works, unlike in a Pyodide-like host.
"""
import ctypes
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from support import Nested, jobs_from_threads, kernels, warmpool  # noqa: E402

U32 = ctypes.c_uint32
WORKERS = 2
EMSCRIPTEN_THREADS = sys.platform == "emscripten" and warmpool._lib.has_wasm_threads()


@unittest.skipUnless(EMSCRIPTEN_THREADS, "threaded CPython-on-Wasm only")
class ThreadedWasm(unittest.TestCase):
    def setUp(self):
        self.k = kernels()  # loaded before any test thread exists (see the limits)

    def test_runtime_loads_the_threaded_library(self):
        self.assertEqual(warmpool._lib.library_filename(), "libwarmpool.so")
        path = warmpool._lib.default_library().path
        self.assertTrue(path.endswith("libwarmpool.so"), path)

    def test_serial_until_ready_then_parallel(self):
        with warmpool.Pool(WORKERS) as pool:
            n = 4000
            counts = (U32 * n)()
            ready_before = pool.ready()
            pool.parallel_for(self.k.kern_count, 0, n, counts, 1)  # right after create
            self.assertTrue(all(c == 1 for c in counts))
            s = pool.stats()
            self.assertEqual(s["jobs_serial_not_ready"] + s["jobs_parallel"], 1, s)
            if ready_before < WORKERS:
                # Workers are Web Workers that start asynchronously: the first job almost
                # always runs serially; it may only go parallel if they became ready
                # between ready() and the call.
                self.assertTrue(s["jobs_serial_not_ready"] == 1 or s["jobs_parallel"] == 1)
            self.assertTrue(pool.wait_ready(20), "workers never became ready")
            self.assertEqual(pool.ready(), WORKERS)
            pool.reset_stats()
            ms = ctypes.c_double(0.2)
            pool.parallel_for(self.k.kern_spin, 0, 200, ms, 1)
            s = pool.stats()
            self.assertEqual(s["jobs_parallel"], 1, s)
            self.assertGreater(s["items_workers"], 0, s)

    def test_workers_run_items_on_other_threads(self):
        with warmpool.Pool(WORKERS) as pool:
            self.assertTrue(pool.wait_ready(20))
            ids = (ctypes.c_uint64 * 400)()
            ms = ctypes.c_double(0.1)
            pool.reset_stats()
            with pool.warm():
                pool.parallel_for(self.k.kern_spin, 0, 400, ms, 1)
                pool.parallel_for(self.k.kern_record_thread, 0, 400, ids, 1)
            s = pool.stats()
            self.assertGreater(s["items_workers"], 0, s)
            self.assertGreater(s["chunks_workers"], 0, s)
            self.assertEqual(s["items_workers"] + s["items_caller"], 800, s)
            # A fast kernel can be finished by the caller before a worker joins: retry
            # (warm) until a worker recorded its thread id, for at most 10 s.
            me = self.k.kern_thread_id()
            deadline = time.monotonic() + 10
            with pool.warm():
                while not set(ids) - {me} and time.monotonic() < deadline:
                    pool.parallel_for(self.k.kern_record_thread, 0, 400, ids, 1)
            self.assertGreater(len(set(ids) - {me}), 0, "no item ran on a pool thread")

    def test_warm_and_cool(self):
        with warmpool.Pool(WORKERS, cool_after_ms=50) as pool:
            self.assertTrue(pool.wait_ready(20))
            with pool.warm():
                self.assertTrue(pool.is_warm)
                counts = (U32 * 1000)()
                pool.parallel_for(self.k.kern_count, 0, 1000, counts, 10)
                self.assertTrue(all(c == 1 for c in counts))
            self.assertFalse(pool.is_warm)
            # Warm without an end: the pool cools by itself after cool_after_ms.
            pool._lib.warmpool_warm(pool._handle, 1)
            deadline = time.monotonic() + 10
            while pool.is_warm and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertFalse(pool.is_warm)
            self.assertGreaterEqual(pool.stats()["cooldowns"], 1)

    def test_nested_call_runs_serially_on_a_worker(self):
        with warmpool.Pool(WORKERS) as pool:
            self.assertTrue(pool.wait_ready(20))
            n = 16
            counts = (U32 * (n * n))()
            pf = ctypes.cast(pool._lib.warmpool_parallel_for, ctypes.c_void_p).value
            ctx = Nested(pf, pool._handle, counts, n)
            pool.reset_stats()
            pool.parallel_for(self.k.kern_nested, 0, n, ctx, 1)
            self.assertTrue(all(c == 1 for c in counts))
            self.assertEqual(pool.stats()["jobs_serial_nested"], n)

    def test_concurrent_calls_from_python_threads(self):
        n, nthreads, rounds = 5000, 3, 20
        bufs = [(U32 * n)() for _ in range(nthreads)]
        with warmpool.Pool(WORKERS) as pool:
            self.assertTrue(pool.wait_ready(20))
            pool.reset_stats()
            jobs_from_threads(self, pool, self.k.kern_count, bufs, n, rounds)
            s = pool.stats()
        for b in bufs:
            self.assertTrue(all(c == rounds for c in b))
        self.assertEqual(s["jobs_parallel"] + s["jobs_serial_concurrent"], nthreads * rounds, s)

    def test_python_callback_refused(self):
        F = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)
        with warmpool.Pool(WORKERS) as pool:
            with self.assertRaisesRegex(TypeError, "JS function"):
                pool.parallel_for(F(lambda c, b, e: None), 0, 10)


if __name__ == "__main__":
    unittest.main()
