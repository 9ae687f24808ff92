"""destroy before the workers start, from Python in the threaded CPython on Wasm.

The runtime pre-starts no workers, and here the JS main thread is held busy (as a Python
program running in one synchronous call on it would hold it), so no Web Worker can
start: `with warmpool.Pool() as p: p.parallel_for(...)` must run the job serially and
leave the block promptly; once the main thread is free the late workers exit without
running anything, and the runtime still runs a parallel pool.

The hold: file system calls run on the JS main thread here (Python runs on a pthread), so
a Python thread that opens and reads a FIFO blocks the JS main thread in Node's
synchronous read until wasm_python.test.mjs writes to it, HOLD_S seconds after the start.
No other call that the runtime runs on the JS main thread may happen meanwhile (file
system calls, time.sleep's select()): it would wait for the hold too. Waits here spin.

Emscripten 3.1.69 has no such window: its pthread_create returns only once the JS main
thread made the Web Worker, which then starts the thread without the main thread. So on
a runtime built with it, the same hold shows the workers starting and running the job
while the main thread is held.
"""
import ctypes
import os
import sys
import threading
import time
import unittest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from support import kernels, warmpool  # noqa: E402

U32 = ctypes.c_uint32
# Emscripten before 3.1.69 (3.1.6 here): a new thread's Web Worker starts running it only
# after the JS main thread hears back from it (see the module docstring).
WORKERS_NEED_MAIN = tuple(sys._emscripten_info.emscripten_version) < (3, 1, 69)


def spin(seconds):
    t = time.monotonic() + seconds
    while time.monotonic() < t:
        pass


class DestroyBeforeStart(unittest.TestCase):
    def test_with_block_while_no_worker_can_start(self):
        k = kernels()
        fifo = os.environ["WARMPOOL_HOLD_FIFO"]
        hold_s = float(os.environ["WARMPOOL_HOLD_S"])
        t_start = float(os.environ["WARMPOOL_HOLD_T0"])  # when the release timer started
        n = 3000
        counts = (U32 * n)()
        out = {}

        go = threading.Event()

        def hold():
            go.wait(30)  # a futex wait: runs here, not on the JS main thread
            fd = os.open(fifo, os.O_RDONLY)  # blocks until the test side opens it to write
            try:
                os.read(fd, 1)
            except OSError:
                pass  # the runtime's FIFO read may fail (ESPIPE): the open held the thread
            os.close(fd)

        with warmpool.Pool(0):  # load the library now: loading reads files
            pass
        holder = threading.Thread(target=hold)
        holder.start()
        spin(0.5)  # the holder's Web Worker is running (pthread_create waits for the main thread)
        # pthread_create from this thread waits until the JS main thread made the Web
        # Worker, which then loads the runtime (a while) and starts only once the main
        # thread hears back: hold the main thread right after create.
        t0 = time.time()
        with warmpool.Pool(2) as pool:
            go.set()
            spin(0.3)
            if WORKERS_NEED_MAIN:
                out["ready"] = pool.ready()
            else:
                t = time.monotonic() + 3  # the release comes at hold_s: well after
                while pool.ready() < 2 and time.monotonic() < t:
                    pass
                out["ready"] = pool.ready()
                out["held"] = holder.is_alive()
            pool.parallel_for(k.kern_count, 0, n, counts, 4)
            out["stats"] = pool.stats()
        out["left_at"] = time.time()
        out["seconds"] = out["left_at"] - t0
        holder.join(30)
        self.assertFalse(holder.is_alive())
        released_at = t_start + hold_s
        self.assertTrue(all(c == 1 for c in counts))
        # Without the fix, destroy waits for workers that start only after the release.
        self.assertLess(out["left_at"], released_at - 0.5, out)
        if not WORKERS_NEED_MAIN:
            self.assertTrue(out["held"], out)  # the main thread was held all along
            self.assertEqual(out["ready"], 2, out)
            self.assertEqual(out["stats"]["jobs_parallel"], 1, out)
            return
        self.assertLess(out["ready"], 2, out)  # a spare Web Worker may start at once
        self.assertEqual(out["stats"]["jobs_serial_not_ready"], 1, out)
        self.assertEqual(out["stats"]["items_workers"], 0, out)
        # The late workers ran nothing, and the runtime still runs a parallel pool.
        time.sleep(0.3)
        self.assertTrue(all(c == 1 for c in counts))
        with warmpool.Pool(2) as pool:
            self.assertTrue(pool.wait_ready(10))
            busy = (U32 * 200)()
            pool.parallel_for(k.kern_spin, 0, 200, ctypes.c_double(0.2), 1)
            pool.parallel_for(k.kern_count, 0, 200, busy, 1)
            self.assertGreater(pool.stats()["items_workers"], 0)
            self.assertTrue(all(c == 1 for c in busy))


if __name__ == "__main__":
    unittest.main()
