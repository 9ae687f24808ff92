"""Pool behaviour: every item once, contexts of every kind, errors, lifetime, stats."""
import array
import ctypes
import errno
import struct
import threading
import time
import unittest

from support import (EMSCRIPTEN, JS_MAIN_FREE, WORKERS, Fill, Gate, Nested, Sum, jobs_from_threads,
                     kernels, native_only,
                     needs_numpy, needs_threads, numpy, warmpool)

U32 = ctypes.c_uint32
# An upper bound, not a timing goal: on a threaded Wasm runtime that pre-starts no Web
# Workers, workers of pools destroyed before they started still start (and leave) first,
# and a busy 2-core machine stretches that queue.
READY_S = 60


def counts_ok(counts):
    return all(c == 1 for c in counts)


class Basics(unittest.TestCase):
    def setUp(self):
        self.k = kernels()
        self.pool = warmpool.Pool(WORKERS)
        self.addCleanup(self.pool.close)

    def test_every_item_exactly_once(self):
        for n, grain in [(1, 0), (7, 1), (1000, 0), (1000, 3), (4097, 64), (50, 1000)]:
            with self.subTest(n=n, grain=grain):
                counts = (U32 * n)()
                self.pool.parallel_for(self.k.kern_count, 0, n, counts, grain)
                self.assertTrue(counts_ok(counts), list(counts)[:20])

    def test_subrange_only(self):
        counts = (U32 * 100)()
        self.pool.parallel_for(self.k.kern_count, 10, 90, counts, 7)
        self.assertEqual(list(counts), [0] * 10 + [1] * 80 + [0] * 10)

    def test_empty_and_reversed_ranges_do_nothing(self):
        counts = (U32 * 10)()
        self.pool.parallel_for(self.k.kern_count, 5, 5, counts)
        self.pool.parallel_for(self.k.kern_count, 8, 3, counts)
        self.assertEqual(list(counts), [0] * 10)

    def test_fill_with_structure_ctx(self):
        n = 3000
        dst = (U32 * n)()
        f = Fill(dst, 0xA5A5)
        self.pool.parallel_for(self.k.kern_fill, 0, n, f)
        self.assertEqual(list(dst), [0xA5A5 ^ i for i in range(n)])
        # The same struct by pointer and by int address.
        f.value = 7
        self.pool.parallel_for(self.k.kern_fill, 0, n, ctypes.pointer(f))
        self.assertEqual(dst[n - 1], 7 ^ (n - 1))
        f.value = 9
        self.pool.parallel_for(self.k.kern_fill, 0, n, ctypes.addressof(f))
        self.assertEqual(dst[5], 9 ^ 5)

    def test_sum(self):
        n = 10001
        src = (U32 * n)(*range(n))
        s = Sum(src)
        self.pool.parallel_for(self.k.kern_sum, 0, n, s, 100)
        self.assertEqual(s.total, n * (n - 1) // 2)
        self.assertEqual(s.chunks, (n + 99) // 100)

    def test_bytearray_and_array_ctx(self):
        n = 513
        ba = bytearray(4 * n)
        self.pool.parallel_for(self.k.kern_count, 0, n, ba)
        self.assertTrue(counts_ok(array.array("I", bytes(ba))) if array.array("I").itemsize == 4
                        else counts_ok(memoryview(ba).cast("I")))
        arr = array.array("I", [0]) * n
        self.pool.parallel_for(self.k.kern_count, 0, n, arr)
        self.assertTrue(counts_ok(arr))
        # While C has the buffer, Python cannot resize it; afterwards it can again.
        ba.append(1)
        self.assertEqual(len(ba), 4 * n + 1)

    def test_bytes_and_simple_ctypes_ctx(self):
        # kern_spin reads one double from ctx: read-only bytes and a c_double by address.
        self.pool.parallel_for(self.k.kern_spin, 0, 4, struct.pack("d", 0.0))
        self.pool.parallel_for(self.k.kern_spin, 0, 4, ctypes.c_double(0.0))
        counts = (U32 * 8)()
        self.pool.parallel_for(self.k.kern_count, 0, 8, ctypes.c_void_p(ctypes.addressof(counts)))
        self.pool.parallel_for(self.k.kern_count, 0, 8, ctypes.cast(counts, ctypes.POINTER(U32)))
        self.assertEqual(list(counts), [2] * 8)

    def test_readonly_buffer_is_refused(self):
        with self.assertRaisesRegex(TypeError, "read-only"):
            self.pool.parallel_for(self.k.kern_count, 0, 1, memoryview(bytearray(4)).toreadonly())
        with self.assertRaisesRegex(TypeError, "ctx must be"):
            self.pool.parallel_for(self.k.kern_count, 0, 1, object())

    def test_fn_as_int_address(self):
        counts = (U32 * 64)()
        addr = ctypes.cast(self.k.kern_count, ctypes.c_void_p).value
        self.pool.parallel_for(addr, 0, 64, counts)
        self.assertTrue(counts_ok(counts))

    def test_bad_fn(self):
        for bad, exc in [(None, TypeError), (0, ValueError), ("kern_count", TypeError),
                         (True, TypeError), (ctypes.c_void_p(), ValueError)]:
            with self.subTest(fn=bad), self.assertRaises(exc):
                self.pool.parallel_for(bad, 0, 1)

    def test_bad_range(self):
        for b, e in [(-1, 5), (0, 1 << 64), (0.0, 1)]:
            with self.subTest(b=b, e=e), self.assertRaises((OverflowError, TypeError)):
                self.pool.parallel_for(self.k.kern_count, b, e, None)

    def test_python_callback_refused(self):
        F = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)
        cb = F(lambda c, b, e: None)
        with self.assertRaisesRegex(TypeError, "CFUNCTYPE"):
            self.pool.parallel_for(cb, 0, 10)
        with warmpool.Pool(1, allow_python_callbacks=True) as allowing:
            if EMSCRIPTEN:  # never: a JS function cannot run on a pool thread
                with self.assertRaisesRegex(TypeError, "cannot run on pool threads"):
                    allowing.parallel_for(cb, 0, 10)
            else:
                allowing.parallel_for(cb, 0, 10)

    def test_nested_runs_serially(self):
        n = 16
        counts = (U32 * (n * n))()
        pf = ctypes.cast(self.pool._lib.warmpool_parallel_for, ctypes.c_void_p).value
        ctx = Nested(pf, self.pool._handle, counts, n)
        # Wasm workers start only after the JS event loop turns: do not wait there.
        ready = self.pool.workers and self.pool.wait_ready(0 if EMSCRIPTEN else 10)
        self.pool.reset_stats()
        self.pool.parallel_for(self.k.kern_nested, 0, n, ctx, 1)
        self.assertTrue(counts_ok(counts))
        s = self.pool.stats()
        if ready:
            self.assertEqual((s["jobs_parallel"], s["jobs_serial_nested"]), (1, n), s)
        elif not self.pool.workers:
            self.assertEqual(s["jobs_serial_no_workers"], n + 1, s)


class ThreadIndex(unittest.TestCase):
    def test_each_chunk_gets_its_thread_index(self):
        k = kernels()
        n = 40000
        with warmpool.Pool(WORKERS) as pool:
            for grain in (0, 1, 97):
                x = (U32 * n)()
                pool.reset_stats()
                pool.parallel_for(k.kern_thread_index, 0, n, x, grain, with_thread=True)
                s = pool.stats()
                self.assertTrue(all(1 <= v <= pool.workers + 1 for v in x), set(x))
                # index k > 0 is worker k: the items they did are the workers' items
                self.assertEqual(sum(1 for v in x if v > 1), s["items_workers"], s)

    def test_serial_jobs_see_thread_zero(self):
        k = kernels()
        x = (U32 * 10)()
        with warmpool.Pool(0) as pool:
            pool.parallel_for(k.kern_thread_index, 0, 10, x, 1, with_thread=True)
        self.assertEqual(list(x), [1] * 10)


class Lifetime(unittest.TestCase):
    def test_context_manager_closes(self):
        with warmpool.Pool(WORKERS) as pool:
            self.assertFalse(pool.closed)
        self.assertTrue(pool.closed)
        pool.close()  # twice is fine

    def test_closed_pool_raises(self):
        pool = warmpool.Pool(WORKERS)
        pool.close()
        k = kernels()
        calls = [lambda: pool.parallel_for(k.kern_count, 0, 1, None),
                 lambda: pool.workers, pool.ready, lambda: pool.wait_ready(0.01),
                 pool.stats, pool.reset_stats, lambda: pool.is_warm,
                 lambda: pool.warm().__enter__(), lambda: pool.__enter__()]
        for i, call in enumerate(calls):
            with self.subTest(call=i), self.assertRaises(warmpool.PoolClosedError):
                call()
        self.assertIn("closed", repr(pool))

    def test_default_workers(self):
        expect = warmpool.default_workers()
        self.assertGreaterEqual(expect, 0)
        self.assertLessEqual(expect, warmpool.DEFAULT_MAX_WORKERS)
        with warmpool.Pool() as pool:
            s = pool.stats()
            self.assertEqual(s["workers_requested"], expect)
            if EMSCRIPTEN and not warmpool._lib.has_wasm_threads():
                self.assertEqual(pool.workers, 0)
            else:
                self.assertEqual(pool.workers, expect)

    def test_too_many_workers_is_an_oserror_with_errno_text(self):
        with self.assertRaises(OSError) as cm:
            warmpool.Pool(warmpool.WARMPOOL_MAX_WORKERS + 1)
        self.assertEqual(cm.exception.errno, errno.EINVAL)
        self.assertIn("warmpool_create(257)", str(cm.exception))
        import os
        self.assertIn(os.strerror(errno.EINVAL), str(cm.exception))

    def test_bad_worker_arguments(self):
        with self.assertRaises(ValueError):
            warmpool.Pool(-1)
        with self.assertRaises(TypeError):
            warmpool.Pool(1.5)

    def test_zero_workers_runs_on_caller(self):
        k = kernels()
        with warmpool.Pool(0) as pool:
            self.assertEqual(pool.workers, 0)
            self.assertTrue(pool.wait_ready(0))
            ids = (ctypes.c_uint64 * 100)()
            pool.parallel_for(k.kern_record_thread, 0, 100, ids, 1)
            self.assertEqual(set(ids), {k.kern_thread_id()})
            s = pool.stats()
            self.assertEqual(s["items_workers"], 0)
            self.assertEqual(s["items_caller"], 100)

    def test_create_ex_options(self):
        with warmpool.Pool(1, name="pytest", cool_after_ms=5) as pool:
            counts = (U32 * 10)()
            pool.parallel_for(kernels().kern_count, 0, 10, counts)
            self.assertTrue(counts_ok(counts))


class State(unittest.TestCase):
    def setUp(self):
        self.pool = warmpool.Pool(WORKERS)
        self.addCleanup(self.pool.close)

    def test_stats_dict(self):
        s = self.pool.stats()
        self.assertEqual(s["version"], 1)
        self.assertEqual(s["size"], ctypes.sizeof(warmpool.pool._Stats))
        self.assertEqual(s["workers_requested"], WORKERS)
        self.assertEqual(s["workers_started"], self.pool.workers)
        counts = (U32 * 1000)()
        self.pool.reset_stats()
        self.pool.parallel_for(kernels().kern_count, 0, 1000, counts, 10)
        s = self.pool.stats()
        self.assertEqual(s["items_caller"] + s["items_workers"], 1000)
        self.pool.reset_stats()
        self.assertEqual(self.pool.stats()["items_caller"], 0)

    def test_warm_block(self):
        self.assertFalse(self.pool.is_warm)
        before = self.pool.stats()["warm_on"]
        with self.pool.warm():
            with self.pool.warm():  # nested: still warm after the inner block
                pass
            warm_inside = self.pool.is_warm
        self.assertFalse(self.pool.is_warm)
        self.assertEqual(self.pool.stats()["warm_on"], before + 1)
        if self.pool.workers:
            self.assertTrue(warm_inside)

    def test_close_inside_warm_block(self):
        pool = warmpool.Pool(WORKERS)
        with pool.warm():
            pool.close()
        self.assertTrue(pool.closed)

    def test_wait_ready_and_ready(self):
        if EMSCRIPTEN and not self.pool.workers:
            self.assertTrue(self.pool.wait_ready(0))
            self.assertEqual(self.pool.ready(), 0)
            return
        if not JS_MAIN_FREE:
            self.skipTest("Wasm workers start only after the JS event loop turns")
        self.assertTrue(self.pool.wait_ready(READY_S))
        self.assertEqual(self.pool.ready(), self.pool.workers)

    def test_workers_share_the_work(self):
        if not self.pool.workers:
            self.skipTest("this library starts no workers (serial build)")
        if not JS_MAIN_FREE:
            self.skipTest("Wasm workers start only after the JS event loop turns")
        k = kernels()
        self.assertTrue(self.pool.wait_ready(READY_S))
        ms = ctypes.c_double(0.2)
        self.pool.reset_stats()
        ids = (ctypes.c_uint64 * 200)()
        with self.pool.warm():
            self.pool.parallel_for(k.kern_spin, 0, 200, ms, 1)
            self.pool.parallel_for(k.kern_record_thread, 0, 200, ids, 1)
        s = self.pool.stats()
        self.assertGreater(s["items_workers"], 0, s)
        self.assertEqual(s["jobs_parallel"], 2, s)


class _FakeLib(warmpool.Library):
    """A library that fills only part of warmpool_stats, like an older or newer build."""
    def __init__(self, version, size):
        self.path, self._v, self._size = "fake", version, size

    def warmpool_create(self, n):
        return 0x1000

    def warmpool_destroy(self, h):
        pass

    def warmpool_parallel_for(self, *args):
        raise AssertionError("not used")

    def warmpool_get_stats(self, h, addr, size):
        s = warmpool.pool._Stats.from_address(addr)
        s.version, s.size = self._v, min(self._size, size)
        for name, _ in s._fields_[2:]:
            setattr(s, name, 7)
        return 0


class StatsVersions(unittest.TestCase):
    def test_older_library_fills_a_prefix(self):
        with warmpool.Pool(1, library=_FakeLib(1, 8 + 4 * 8)) as pool:
            s = pool.stats()
        self.assertEqual(list(s), ["version", "size", "workers_requested", "workers_started",
                                   "create_errno", "jobs_parallel"])

    def test_newer_library_is_cut_to_what_we_know(self):
        with warmpool.Pool(1, library=_FakeLib(2, 4096)) as pool:
            s = pool.stats()
        self.assertEqual(s["version"], 2)
        self.assertEqual(s["size"], ctypes.sizeof(warmpool.pool._Stats))
        self.assertEqual(s["cooldowns"], 7)

    def test_nothing_filled_is_an_error(self):
        with warmpool.Pool(1, library=_FakeLib(0, 0)) as pool:
            with self.assertRaisesRegex(RuntimeError, "filled nothing"):
                pool.stats()


@native_only
class Callbacks(unittest.TestCase):
    def test_allowed_python_callback_runs_every_item(self):
        seen = []
        lock = threading.Lock()

        def cb(ctx, b, e):
            with lock:
                seen.extend(range(b, e))
        F = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)
        fn = F(cb)
        with warmpool.Pool(WORKERS, allow_python_callbacks=True) as pool:
            pool.parallel_for(fn, 0, 500, None, 7)
        self.assertEqual(sorted(seen), list(range(500)))

    def test_close_from_own_callback_is_refused_not_a_deadlock(self):
        errors = []
        F = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)

        def cb(ctx, b, e):
            try:
                pool.close()
            except RuntimeError as exc:
                errors.append(exc)
        fn = F(cb)
        with warmpool.Pool(0, allow_python_callbacks=True) as pool:  # runs on this thread
            pool.parallel_for(fn, 0, 1)
            self.assertFalse(pool.closed)
        self.assertEqual(len(errors), 1)
        self.assertIn("callback", str(errors[0]))


@needs_threads
class Threads(unittest.TestCase):
    def test_concurrent_calls_from_python_threads(self):
        k = kernels()
        n, nthreads = 20000, 4
        bufs = [(U32 * n)() for _ in range(nthreads)]
        with warmpool.Pool(WORKERS) as pool:
            jobs_from_threads(self, pool, k.kern_count, bufs, n, 20)
        for b in bufs:
            self.assertTrue(all(c == 20 for c in b))

    def test_close_waits_for_a_running_job(self):
        k = kernels()
        g = Gate(timeout_ms=20000.0)
        pool = warmpool.Pool(WORKERS)
        t = threading.Thread(target=pool.parallel_for, args=(k.kern_gate, 0, 1, g))
        t.start()
        deadline = time.monotonic() + 10
        while not g.arrived and time.monotonic() < deadline:
            time.sleep(0.001)
        self.assertEqual(g.arrived, 1)
        closer = threading.Thread(target=pool.close)
        closer.start()
        time.sleep(0.05)
        self.assertTrue(closer.is_alive(), "close() did not wait for the running job")
        self.assertTrue(pool.closed)  # but new calls are refused already
        with self.assertRaises(warmpool.PoolClosedError):
            pool.parallel_for(k.kern_count, 0, 1, None)
        g.open = 1
        t.join(10)
        closer.join(10)
        self.assertFalse(t.is_alive() or closer.is_alive())
        self.assertEqual(g.timed_out, 0)


@needs_numpy
class Numpy(unittest.TestCase):
    def test_numpy_arrays_as_ctx(self):
        k = kernels()
        a = numpy.zeros(777, dtype=numpy.uint32)
        with warmpool.Pool(WORKERS) as pool:
            pool.parallel_for(k.kern_count, 0, a.size, a, 5)
            self.assertTrue((a == 1).all())
            ids = numpy.zeros(300, dtype=numpy.uint64)[::1]
            pool.parallel_for(k.kern_record_thread, 0, ids.size, ids)
            self.assertNotIn(0, set(ids.tolist()))

if __name__ == "__main__":
    unittest.main()
