"""The pygame story: resize a 1920x1080 BGRA surface to 960x540, 100 calls per
contender, every contender in the same run, rounds interleaved; medians of the rounds.

    /usr/bin/python3 bench/resize_bench.py [--rounds N] [--calls N]

Contenders: pygame.transform.smoothscale; cv2.resize(INTER_AREA) on a contiguous RGB
array, on the pixels3d view, and on the surface bytes reinterpreted as a contiguous
(H, W, 4) array (the trick); warmpool.resize on the raw pixels3d + pixels_alpha views,
serial and on a Pool (and on pixels3d alone, whose gap byte per pixel is never read, so
it cannot take the interleaved fast path). cv2 runs at 1 thread and at its default
thread count. A second table resizes a contiguous RGBA array by other factors.
"""
import argparse
import contextlib
import os
import statistics
import sys
import time

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pygame.surfarray  # noqa: E402

import warmpool  # noqa: E402

W, H, DW, DH = 1920, 1080, 960, 540


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=100)
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    src = pygame.Surface((W, H), pygame.SRCALPHA, 32)
    dst = pygame.Surface((DW, DH), pygame.SRCALPHA, 32)
    smooth_dst = pygame.Surface((DW, DH), pygame.SRCALPHA, 32)
    p3 = pygame.surfarray.pixels3d(src)
    pa = pygame.surfarray.pixels_alpha(src)
    p3[...] = rng.integers(0, 256, p3.shape, np.uint8)
    pa[...] = rng.integers(0, 256, pa.shape, np.uint8)
    d3, da = pygame.surfarray.pixels3d(dst), pygame.surfarray.pixels_alpha(dst)
    rgb = np.ascontiguousarray(p3.swapaxes(0, 1))                   # (H, W, 3) RGB
    # The trick: the surface's own bytes are a contiguous (H, W, 4) BGRA image.
    bgra = np.frombuffer(src.get_view("0"), np.uint8).reshape(H, src.get_pitch() // 4, 4)[:, :W]
    dst_bgra = np.frombuffer(dst.get_view("0"), np.uint8).reshape(DH, dst.get_pitch() // 4, 4)[:, :DW]
    assert bgra.flags.c_contiguous and dst_bgra.flags.c_contiguous
    pool = warmpool.Pool(1)  # caller + 1 worker: the 2 cores of this machine
    pool.wait_ready(5.0)
    area = cv2.INTER_AREA
    cv_default = cv2.getNumThreads()

    def cv_threads(n):
        return lambda: cv2.setNumThreads(n)

    def quiet_cv2():
        # cv2's TBB workers keep spinning for a while after a parallel resize, on the
        # core our pool worker needs; one serial cv2 call sends them back to sleep.
        cv2.setNumThreads(1)
        cv2.resize(rgb[:8, :8], (4, 4), interpolation=area)
        time.sleep(0.01)

    # (name, set-up before timing, one call)
    contenders = [
        ("pygame.transform.smoothscale", None,
         lambda: pygame.transform.smoothscale(src, (DW, DH), smooth_dst)),
        ("cv2 contiguous RGB, 1 thread", cv_threads(1),
         lambda: cv2.resize(rgb, (DW, DH), interpolation=area)),
        (f"cv2 contiguous RGB, {cv_default} threads", cv_threads(cv_default),
         lambda: cv2.resize(rgb, (DW, DH), interpolation=area)),
        ("cv2 on pixels3d, 1 thread", cv_threads(1),
         lambda: cv2.resize(p3, (DH, DW), interpolation=area)),
        ("cv2 trick (bytes as HxWx4), 1 thread", cv_threads(1),
         lambda: cv2.resize(bgra, (DW, DH), dst=dst_bgra, interpolation=area)),
        (f"cv2 trick (bytes as HxWx4), {cv_default} threads", cv_threads(cv_default),
         lambda: cv2.resize(bgra, (DW, DH), dst=dst_bgra, interpolation=area)),
        ("ours pixels3d+alpha, 1 thread", quiet_cv2,
         lambda: warmpool.resize((p3, pa), (d3, da))),
        ("ours pixels3d+alpha, pool (2 threads)", quiet_cv2,
         lambda: warmpool.resize((p3, pa), (d3, da), pool=pool)),
        ("ours pixels3d alone (gap byte), 1 thread", quiet_cv2,
         lambda: warmpool.resize(p3, d3)),
        ("ours pixels3d alone (gap byte), pool", quiet_cv2,
         lambda: warmpool.resize(p3, d3, pool=pool)),
        ("ours Surface -> Surface, pool (2 threads)", quiet_cv2,
         lambda: warmpool.resize(src, dst, pool=pool)),
    ]

    # Other factors on a contiguous RGBA array (fewer calls: these are slower).
    rgba = np.ascontiguousarray(np.dstack([rgb, pa.T]))
    extra = []
    for (ew, eh, filt, flag) in [(1280, 720, "area", area), (961, 541, "area", area),
                                 (1280, 720, "bilinear", cv2.INTER_LINEAR),
                                 (2880, 1620, "bilinear", cv2.INTER_LINEAR)]:
        out = np.zeros((eh, ew, 4), np.uint8)
        tag = f"{ew}x{eh} {filt}"
        extra += [
            (f"{tag}: cv2, 1 thread", cv_threads(1),
             lambda ew=ew, eh=eh, flag=flag: cv2.resize(rgba, (ew, eh), interpolation=flag)),
            (f"{tag}: cv2, {cv_default} threads", cv_threads(cv_default),
             lambda ew=ew, eh=eh, flag=flag: cv2.resize(rgba, (ew, eh), interpolation=flag)),
            (f"{tag}: ours, 1 thread", quiet_cv2,
             lambda out=out, filt=filt: warmpool.resize(rgba, out, filt)),
            (f"{tag}: ours, pool (2 threads)", quiet_cv2,
             lambda out=out, filt=filt: warmpool.resize(rgba, out, filt, pool=pool)),
        ]

    # Correctness first: ours equals cv2's exact-halving result on the same bytes.
    cv2.setNumThreads(1)
    want = cv2.resize(bgra, (DW, DH), interpolation=area)
    warmpool.resize((p3, pa), (d3, da), pool=pool)
    diff = int(np.abs(dst_bgra.astype(int) - want).max())
    print(f"check: ours vs cv2 trick, max difference {diff} (expected 0 for a 2x2 box)")

    extra_calls = max(1, args.calls // 5)
    times = {name: [] for name, _, _ in contenders + extra}
    for r in range(args.rounds):
        for name, setup, call in contenders + extra:
            calls = args.calls if (name, setup, call) in contenders else extra_calls
            if setup:
                setup()
            call()  # warm caches and tables
            # Only our pooled runs keep the worker spinning: it would steal cv2's core.
            with pool.warm() if "pool" in name else contextlib.nullcontext():
                t0 = time.perf_counter()
                for _ in range(calls):
                    call()
                times[name].append((time.perf_counter() - t0) * args.calls / calls)
    cv2.setNumThreads(cv_default)

    med = {k: statistics.median(v) for k, v in times.items()}
    ref = med["cv2 contiguous RGB, 1 thread"]
    print(f"\n{W}x{H} -> {DW}x{DH}, {args.calls} calls, median of {args.rounds} interleaved rounds")
    print(f"{'contender':46s} {'seconds':>8s} {'min':>8s} {'us/call':>8s} {'vs cv2 contig 1t':>17s}")
    for name, _, _ in contenders:
        print(f"{name:46s} {med[name]:8.4f} {min(times[name]):8.4f} "
              f"{med[name] / args.calls * 1e6:8.0f} {ref / med[name]:16.2f}x")
    best = {k: min(v) for k, v in times.items()}

    def ratio(a, b):  # how many times faster a is than b: medians, and best rounds
        return f"{med[b] / med[a]:.2f}x (best rounds {best[b] / best[a]:.2f}x)"

    o1, op = "ours pixels3d+alpha, 1 thread", "ours pixels3d+alpha, pool (2 threads)"
    c1, cd = "cv2 contiguous RGB, 1 thread", f"cv2 contiguous RGB, {cv_default} threads"
    print(f"\ngoal 1: ours on pixels3d, 1 thread, vs cv2 contiguous, 1 thread: {ratio(o1, c1)}"
          f" {'met' if med[o1] <= med[c1] else 'NOT met'} on medians")
    print(f"goal 2: ours on pixels3d with the pool vs cv2 contiguous, 1 thread: {ratio(op, c1)}"
          f" {'met' if med[op] < med[c1] else 'NOT met'} on medians;"
          f" vs cv2 contiguous, {cv_default} threads: {ratio(op, cd)}")
    print(f"pool speed-up over our 1 thread: {ratio(op, o1)}")
    ours1 = med[o1]
    print(f"ours on pixels3d vs cv2 on pixels3d (1 thread): "
          f"{med['cv2 on pixels3d, 1 thread'] / ours1:.1f}x faster")
    print(f"\nother factors, contiguous RGBA array, {extra_calls} calls scaled to {args.calls}")
    for i in range(0, len(extra), 4):
        names = [e[0] for e in extra[i:i + 4]]
        c1 = med[names[0]]
        print("  ".join(f"{n.split(': ')[1]} {med[n]:.4f}s" for n in names) +
              f"  | {names[0].split(':')[0]}: ours 1t vs cv2 1t {c1 / med[names[2]]:.2f}x, "
              f"pool vs cv2 {cv_default}t {med[names[1]] / med[names[3]]:.2f}x")
    pool.close()


if __name__ == "__main__":
    main()
