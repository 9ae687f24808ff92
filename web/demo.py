"""The web demo's Python side: a pan/zoom view of a pygame-style surface, resized by
warmpool's kernels on every pointer move, the pool warmed while the pointer is down.

Runs unchanged in stock Pyodide (serial side module) and in a threaded CPython-on-Wasm.
The worker talks to it through call(method, json) -> json only, so no JS<->Python proxy
machinery is needed. No numpy, no pygame: the surface is a bytearray laid out as a 32-bit
BGRA pygame surface, and the kernels get the pixels3d view of it (strides (4, 4W, -1)).
"""
import ctypes
import json
import math
import sys
import time

app = None


def _now_ms():
    return time.perf_counter() * 1e3


class App:
    def __init__(self, scene, sceneWidth, sceneHeight, width, height, workers=None, **_):
        import warmpool  # noqa: deferred so that an import error reaches the page as text

        self.wp = warmpool
        self.sw, self.sh, self.dw, self.dh = sceneWidth, sceneHeight, width, height
        with open(scene, "rb") as f:
            self.src = bytearray(f.read())
        if len(self.src) != self.sw * self.sh * 4:
            raise ValueError(f"{scene}: {len(self.src)} bytes, expected {self.sw}x{self.sh}x4")
        self.dst = bytearray(self.dw * self.dh * 4)
        # Pinned (a bytearray with an exported buffer cannot be resized), so its address
        # stays valid for runtimes that read the pixels straight from Wasm memory.
        self._pin = (ctypes.c_char * len(self.dst)).from_buffer(self.dst)
        self.dst_addr = ctypes.addressof(self._pin)
        from warmpool import trace
        self.tracer = trace
        trace.start()  # before the pool, so that its threads' start is recorded too
        self.pool = warmpool.Pool(workers)
        self.warm_ctx = None
        self.zoom = 0.5
        self.cx, self.cy = self.sw / 2, self.sh / 2
        self.grab = None
        self.seq = 0
        self.slowest = None  # (ms, seq, trace snapshot)

    # --- input -------------------------------------------------------------------------
    def down(self, x, y):
        self.grab = (x, y, self.cx, self.cy)
        if self.warm_ctx is None:
            self.warm_ctx = self.pool.warm()
            self.warm_ctx.__enter__()
        return self.stats()

    def move(self, x, y):
        if self.grab is None:
            return {}
        gx, gy, gcx, gcy = self.grab
        self.cx = gcx - (x - gx) / self.zoom
        self.cy = gcy - (y - gy) / self.zoom
        return {}

    def up(self):
        self.grab = None
        if self.warm_ctx is not None:
            ctx, self.warm_ctx = self.warm_ctx, None
            ctx.__exit__(None, None, None)
        return self.stats()

    def wheel(self, x, y, dy):
        # Zoom about the pointer: the scene point under it stays put.
        x0, y0, _, _ = self.rect()
        px, py = x0 + x / self.zoom, y0 + y / self.zoom
        self.zoom = min(4.0, max(min(self.dw / self.sw, self.dh / self.sh), self.zoom * math.exp(-dy / 500)))
        self.cx = px - (x - self.dw / 2) / self.zoom
        self.cy = py - (y - self.dh / 2) / self.zoom
        return {}

    # --- frames ------------------------------------------------------------------------
    def rect(self):
        """The integer source rectangle shown: (x0, y0, w, h), inside the scene."""
        w = max(1, min(self.sw, round(self.dw / self.zoom)))
        h = max(1, min(self.sh, round(self.dh / self.zoom)))
        self.cx = min(max(self.cx, w / 2), self.sw - w / 2)
        self.cy = min(max(self.cy, h / 2), self.sh - h / 2)
        x0 = min(max(round(self.cx - w / 2), 0), self.sw - w)
        y0 = min(max(round(self.cy - h / 2), 0), self.sh - h)
        return x0, y0, w, h

    def views(self, rect):
        """What pygame's surfarray.pixels3d + pixels_alpha would give for the crop and for
        the destination surface: (W, H, 3) with strides (4, 4W, -1), red at byte 2 of each
        BGRA pixel, and the (W, H) alpha plane at byte 3. Together they are one packed
        4-channel image, which warmpool.resize detects and takes its fast path for."""
        x0, y0, w, h = rect
        at = (y0 * self.sw + x0) * 4
        Image = self.wp.Image
        src = (Image(self.src, (w, h, 3), (4, 4 * self.sw, -1), at + 2),
               Image(self.src, (w, h), (4, 4 * self.sw), at + 3))
        dst = (Image(self.dst, (self.dw, self.dh, 3), (4, 4 * self.dw, -1), 2),
               Image(self.dst, (self.dw, self.dh), (4, 4 * self.dw), 3))
        return src, dst

    def render(self):
        self.seq += 1
        rect = self.rect()
        filt = "area" if rect[2] >= self.dw and rect[3] >= self.dh else "bilinear"
        src, dst = self.views(rect)
        since = self.tracer.now()
        # Both runs write the same pixels. Their order alternates, so that neither one is
        # always the run that finds the crop already in the cache.
        ms = {}
        order = (None, self.pool) if self.seq % 2 else (self.pool, None)
        t0 = _now_ms()
        for pool in order:
            if pool is not None:
                before, t_pool = self.pool.stats(), self.tracer.now()
            t = _now_ms()
            self.wp.resize(src, dst, filter=filt, pool=pool)
            ms["serial" if pool is None else "pooled"] = _now_ms() - t
            if pool is not None:
                t_pool_end, after = self.tracer.now(), self.pool.stats()
        total = _now_ms() - t0
        # The pooled run as the pool's own events saw it, and what its counters say.
        with self.tracer.snapshot(max(0, t_pool - CLOCK_SLACK_NS)) as snap:
            timeline = lanes(snap, t_pool, t_pool_end, self.pool.workers)
        timeline["warm"] = self.pool.is_warm
        timeline["counters"] = {k: after[k] - before[k] for k in COUNTED if k in after}
        slowest_changed = False
        # Keep the slowest frame's events (the tracer's own ring buffers move on).
        if self.slowest is None or total > self.slowest[0]:
            snap = self.tracer.snapshot(since)
            if self.slowest is not None:
                self.slowest[2].close()
            self.slowest = (total, self.seq, snap)
            slowest_changed = True
        out = {"seq": self.seq, "srcRect": list(rect), "filter": filt, "width": self.dw,
               "height": self.dh, "zoom": self.zoom, "serialMs": ms["serial"], "pooledMs": ms["pooled"],
               "stats": self.stats(), "timeline": timeline}
        if slowest_changed:
            out["slowest"] = {"seq": self.seq, "ms": total}
        return out

    def stats(self):
        s = dict(self.pool.stats())
        s["warm"] = self.pool.is_warm
        s["workers"] = self.pool.workers
        s["ready"] = self.pool.ready()
        s["jobs_serial"] = sum(v for k, v in s.items() if k.startswith("jobs_serial_"))
        return s

    def bench(self, runs=30):
        """A bigger job than one frame: the whole scene (1280x960) area-resized to 960x720,
        pixels3d + alpha layout. Serial and pooled runs interleave with the pool cool (a
        warm pool's spinning workers would slow the serial runs down on a machine with few
        cores), then pooled runs with the pool warm. Medians in ms."""
        W, H = 960, 720
        out = bytearray(W * H * 4)
        Image = self.wp.Image
        src = (Image(self.src, (self.sw, self.sh, 3), (4, 4 * self.sw, -1), 2),
               Image(self.src, (self.sw, self.sh), (4, 4 * self.sw), 3))
        dst = (Image(out, (W, H, 3), (4, 4 * W, -1), 2), Image(out, (W, H), (4, 4 * W), 3))
        times = {"serial": [], "pooled": [], "pooled_warm": []}

        def run(pool, key):
            t = _now_ms()
            self.wp.resize(src, dst, filter="area", pool=pool)
            times[key].append(_now_ms() - t)

        for i in range(runs):
            for pool in ((None, self.pool) if i % 2 else (self.pool, None)):
                run(pool, "serial" if pool is None else "pooled")
        with self.pool.warm():
            for i in range(runs):
                run(self.pool, "pooled_warm")
        med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
        return {"runs": runs, "size": f"{self.sw}x{self.sh}->{W}x{H}", "serialMs": med["serial"],
                "pooledMs": med["pooled"], "pooledWarmMs": med["pooled_warm"], "stats": self.stats()}

    def python(self):
        return {"version": sys.version.split()[0], "platform": sys.platform,
                "implementation": sys.implementation.name}

    def ready(self):
        return {"ready": self.pool.ready(), "workers": self.pool.workers}

    def buffer_info(self):
        """Where the destination surface lives, for runtimes without a buffer bridge."""
        return {"address": self.dst_addr, "size": len(self.dst)}

    def save_trace(self):
        if self.slowest is None:
            return {"error": "no frame rendered yet"}
        path = f"/tmp/warmpool-slowest-frame-{self.slowest[1]}.json"
        self.slowest[2].save(path)
        return {"path": path, "name": path.rsplit("/", 1)[1], "seq": self.slowest[1]}


# Workers' clocks may read a little early relative to the caller's (see lanes()).
CLOCK_SLACK_NS = 20_000_000
# Pool counters that one pooled run changes; the timeline's lanes must add up to them.
COUNTED = ("jobs_parallel", "jobs_serial_no_workers", "jobs_serial_not_ready", "jobs_serial_tiny",
           "jobs_serial_concurrent", "jobs_serial_nested", "items_caller", "items_workers",
           "chunks_workers", "joins", "late_wakeups", "futex_wakes")


def lanes(snap, t0, t1, workers):
    """One pooled run, from the tracer's events: the jobs the caller published between t0
    and t1 (ns, the caller's clock) and what every pool thread did for them. One lane per
    pool thread (0: the caller, 1..workers), each with its chunks [start, end, items],
    serial jobs [at, items, reason], wake-ups [at, latency since the job was published,
    spun (1: it was spinning, warm; 0: it slept on the futex, cold), joined], sleeps [at];
    and the jobs [start, end, seq]. Times in microseconds from t0.

    A worker's events are matched to jobs by sequence number (its chunks belong to the job
    of its last wake-up), not by time: on Wasm each worker reads its own performance.now(),
    whose origin is only approximately the caller's."""
    us = lambda ns: round((ns - t0) / 1e3, 3)  # noqa: E731
    lane = [{"thread": i, "name": "caller" if i == 0 else f"worker {i}", "chunks": [], "serial": [],
             "wakes": [], "sleeps": []} for i in range(workers + 1)]
    threads = [evs for _, _, evs in snap.threads()]
    jobs = {}
    for evs in threads:
        for e in evs:
            if e.thread == 0 and t0 <= e.ns <= t1:
                if e.kind == "job_begin":
                    jobs[e.seq] = [us(e.ns), None, e.seq, e.ns]
                elif e.kind == "job_end" and e.seq in jobs:
                    jobs[e.seq][1] = us(e.ns)
    for evs in threads:
        job = None  # a worker's current job
        start = {}
        for e in evs:
            if e.thread > workers:
                continue
            mine = lane[e.thread]
            if e.thread == 0:
                if not t0 <= e.ns <= t1:
                    continue
            elif e.kind == "wake":
                job = e.seq if e.a else None
            elif e.kind == "sleep":
                job = None
            elif job not in jobs:
                continue
            if e.kind == "chunk_begin":
                start[e.thread] = e
            elif e.kind == "chunk_end" and e.thread in start:
                b = start.pop(e.thread)
                mine["chunks"].append([us(b.ns), us(e.ns), b.b - b.a])
            elif e.kind == "serial":
                mine["serial"].append([us(e.ns), e.b - e.a, e.c])
            elif e.kind == "wake" and e.seq in jobs:
                mine["wakes"].append([us(e.ns), round((e.ns - jobs[e.seq][3]) / 1e3, 3), int(e.b), int(e.a)])
            elif e.kind == "sleep" and t0 <= e.ns <= t1:
                mine["sleeps"].append(us(e.ns))
    return {"t0": 0, "t1": us(t1), "lanes": lane, "jobs": [j[:3] for j in jobs.values()]}


def _init(**kw):
    global app
    app = App(**kw)
    return {"python": sys.version.split()[0], "workers": app.pool.workers,
            "trace": True, "lib": app.wp.load_library().path}


def call(method, args_json):
    """The worker's only entry point: JSON in, JSON out; errors come back as {"error"}."""
    args = json.loads(args_json)
    try:
        if method == "init":
            out = _init(**args)
        else:
            out = getattr(app, method)(**args)
    except Exception as e:  # the page shows it; the worker stays alive
        import traceback
        out = {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()}
    return json.dumps(out)
