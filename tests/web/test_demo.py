"""web/demo.py natively (build/native/libwarmpool.so, a pool with real threads): the
timeline it sends with every frame is built from the pool's trace events and adds up to
the pool's own counters for that frame's pooled run, whoever ran the chunks.

    /usr/bin/python3 -m unittest tests/web/test_demo.py
"""
import json
import os
import sys
import time
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path[:0] = [os.path.join(REPO, "python"), os.path.join(REPO, "web")]
import demo  # noqa: E402

SCENE = os.path.join(REPO, "build", "web", "scene.bgra")


def call(method, **args):
    out = json.loads(demo.call(method, json.dumps(args)))
    if isinstance(out, dict) and "error" in out:
        raise AssertionError(out["traceback"])
    return out


def check(test, tl):
    """The lanes against the counters: what a test of the drawn picture checks too."""
    c = tl["counters"]
    caller, workers = tl["lanes"][0], tl["lanes"][1:]
    test.assertEqual(sum(len(w["chunks"]) for w in workers), c["chunks_workers"])
    test.assertEqual(sum(ch[2] for w in workers for ch in w["chunks"]), c["items_workers"])
    test.assertEqual(sum(ch[2] for ch in caller["chunks"]) + sum(s[1] for s in caller["serial"]),
                     c["items_caller"])
    test.assertEqual(len(tl["jobs"]), c["jobs_parallel"])
    test.assertEqual(len(caller["serial"]), sum(v for k, v in c.items() if k.startswith("jobs_serial_")))
    test.assertEqual(sum(1 for w in workers for wk in w["wakes"] if wk[3]), c["joins"])
    for j in tl["jobs"]:
        test.assertTrue(0 <= j[0] <= j[1] <= tl["t1"], j)


class Timeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(SCENE):
            raise unittest.SkipTest(f"{SCENE} missing: make web")
        call("init", scene=SCENE, sceneWidth=1280, sceneHeight=960, width=480, height=360, workers=2)
        deadline = time.monotonic() + 10
        while not demo.app.pool.ready() == 2:
            if time.monotonic() > deadline:
                raise AssertionError("pool workers did not start")
            time.sleep(0.01)

    def test_lanes_add_up_to_the_counters(self):
        joined = 0
        for warm in (False, True):
            if warm:
                call("down", x=100, y=100)
            for i in range(40):
                call("move", x=100 - i, y=100)
                tl = call("render")["timeline"]
                self.assertEqual(tl["warm"], warm)
                self.assertEqual([ln["thread"] for ln in tl["lanes"]], [0, 1, 2])
                check(self, tl)
                joined += tl["counters"]["chunks_workers"] > 0
            if warm:
                call("up")
        # With two workers and 80 frames, some chunks ran on workers (else the test
        # checked only the caller's lane).
        self.assertGreater(joined, 0)

    def test_warm_wakes_are_marked_spun(self):
        # Frames until a worker joins one from spinning: on a shared 2-core machine the
        # spinning workers are sometimes not scheduled for a while (5 s at most).
        call("down", x=10, y=10)
        spun, deadline, i = [], time.monotonic() + 5, 0
        try:
            while 1 not in spun and time.monotonic() < deadline:
                i += 1
                call("move", x=10 + i % 50, y=10)
                tl = call("render")["timeline"]
                check(self, tl)
                spun += [wk[2] for ln in tl["lanes"][1:] for wk in ln["wakes"] if wk[3]]
                time.sleep(0.002)
        finally:
            call("up")
        self.assertIn(1, spun, "no worker woke from spinning while the pool was warm")


if __name__ == "__main__":
    unittest.main()
