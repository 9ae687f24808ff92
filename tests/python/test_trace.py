"""The tracer from Python: pool events of a parallel_for (every chunk once, on the thread
that ran it), snapshot(since), pause/stop, and the JSON (parses, nests, names threads)."""
import ctypes
import json
import os
import tempfile
import unittest

from support import WORKERS, kernels, warmpool
from warmpool import trace


def balanced(doc):
    """B/E nest per thread in file order."""
    depth = {}
    for e in doc["traceEvents"]:
        key = (e["pid"], e["tid"])
        if e["ph"] == "B":
            depth[key] = depth.get(key, 0) + 1
        elif e["ph"] == "E":
            depth[key] = depth.get(key, 0) - 1
            if depth[key] < 0:
                return False
    return all(v == 0 for v in depth.values())


class Trace(unittest.TestCase):
    def setUp(self):
        trace.start()
        trace.clear()
        self.addCleanup(trace.stop)

    def test_parallel_for_chunks_once_on_their_thread(self):
        n, grain = 256, 8
        out = (ctypes.c_uint64 * n)()
        with warmpool.Pool(WORKERS, name="pytrace") as pool:
            pool.wait_ready(10)
            t0 = trace.now()
            with pool.warm():
                pool.parallel_for(kernels().kern_record_thread, 0, n, out, grain)
            workers = pool.workers
        with trace.snapshot(since=t0) as snap:
            threads = snap.threads()
            doc = json.loads(snap.json())
        seen, owner = {}, {}
        for tid, name, events in threads:
            for e in events:
                self.assertGreaterEqual(e.ns, t0)
                if e.kind == "chunk_begin":
                    seen[(e.a, e.b)] = seen.get((e.a, e.b), 0) + 1
                    ids = set(out[e.a:e.b])
                    self.assertEqual(len(ids), 1)           # one thread ran the chunk
                    owner.setdefault(tid, set()).update(ids)
        kinds = {e.kind for _, _, ev in threads for e in ev}
        if workers:
            want = {(b, min(b + grain, n)) for b in range(0, n, grain)}
            self.assertEqual(set(seen), want)
            self.assertTrue(all(c == 1 for c in seen.values()), seen)
            # trace threads and the kernel's thread ids correspond one to one
            self.assertTrue(all(len(v) == 1 for v in owner.values()), owner)
            self.assertEqual(len({min(v) for v in owner.values()}), len(owner))
            self.assertIn("job_begin", kinds)
        else:                                               # a serial build: one serial job
            self.assertIn("serial", kinds)
        self.assertTrue(balanced(doc))
        names = {e["args"]["name"] for e in doc["traceEvents"]
                 if e["ph"] == "M" and e["name"] == "thread_name"}
        if workers:
            self.assertTrue(any(x.startswith("pytrace-") for x in names), names)

    def test_since_stop_and_save(self):
        with warmpool.Pool(0) as pool:
            buf = (ctypes.c_uint32 * 10)()
            pool.parallel_for(kernels().kern_count, 0, 10, buf)
            t1 = trace.now()
            pool.parallel_for(kernels().kern_count, 0, 5, buf)
            trace.stop()
            self.assertFalse(trace.enabled())
            pool.parallel_for(kernels().kern_count, 0, 7, buf)  # not recorded
        with trace.snapshot(since=t1) as snap:
            serial = [e for _, _, ev in snap.threads() for e in ev if e.kind == "serial"]
            self.assertEqual([(e.a, e.b) for e in serial], [(0, 5)])
            with tempfile.TemporaryDirectory() as d:
                path = snap.save(os.path.join(d, "t.json"))
                with open(path) as f:
                    self.assertIn("serial: no workers", f.read())
        self.assertRaises(ValueError, snap.json)


if __name__ == "__main__":
    unittest.main()
