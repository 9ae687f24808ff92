"""A 2D tiled pthreadpool job from Python (ctypes) on the threaded CPython-on-Wasm: the
side module built against our pthreadpool.h runs it on the pool's C worker threads."""
import ctypes
import os
import unittest


def expected(idx):
    v = idx
    for _ in range(200):
        v = (v * 1664525 + 1013904223) & 0xFFFFFFFF
    return v


class TiledJob(unittest.TestCase):
    def test_2d_tiled_job_runs_on_workers(self):
        lib = ctypes.CDLL(os.environ["WARMPOOL_PTP_TILED_LIB"])
        f = lib.ptp_tiled2d
        f.restype = ctypes.c_int
        f.argtypes = [ctypes.c_uint] * 6 + [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint)]
        rows, cols = 61, 97
        out = (ctypes.c_uint32 * (rows * cols))()
        threads = ctypes.c_uint(0)
        by_workers = f(3, rows, cols, 4, 16, 1000, ctypes.addressof(out), ctypes.byref(threads))
        self.assertEqual(threads.value, 3)
        self.assertGreaterEqual(by_workers, 0, os.strerror(-by_workers) if by_workers < 0 else "")
        self.assertEqual(list(out), [expected(i) for i in range(rows * cols)])
        self.assertGreater(by_workers, 0, "no tile ran on a pool worker")


if __name__ == "__main__":
    unittest.main()
