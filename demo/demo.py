"""The end-to-end demo: Python calls C through ctypes, C fans the work out to C threads.

Runs unchanged on native CPython, in stock Pyodide (serial library) and in the threaded
CPython-on-Wasm runtime. It resizes a pygame-style BGRA frame (strides (4, 4W, -1) as
surfarray.pixels3d gives them) the way an interactive app would on every pointer move,
serially and on the pool, warm, and prints timings and the pool's stats.
"""
import json
import os
import sys
import time

import warmpool

W, H, OW, OH = 1280, 720, 640, 360
MOVES = 30


def frame(width, height, seed):
    # Deterministic pixels: a cheap gradient with some texture.
    row = bytes(((x * 7 + seed) ^ (x >> 3)) & 255 for x in range(width * 4))
    return bytearray(b"".join(row[(y % 97):] + row[:(y % 97)] for y in range(height)))


def pixels3d(buf, width, height):
    """(colour, alpha) views of a BGRA buffer, as pygame's pixels3d + pixels_alpha."""
    pitch = width * 4
    colour = warmpool.Image(buf, (height, width, 3), (pitch, 4, -1), 2)
    alpha = warmpool.Image(buf, (height, width), (pitch, 4), 3)
    return colour, alpha


def per_call_ms(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) * 1e3 / n


def runtime_name():
    v = sys.version.split()[0]
    if sys.platform != "emscripten":
        return f"CPython {v} (native)"
    threads = "threads" if sys._emscripten_info.pthreads else "no threads"
    if "pyodide" in sys.modules:
        import pyodide
        return f"Pyodide {pyodide.__version__}, Python {v} ({threads})"
    return f"CPython {v} on Wasm ({threads})"


def main():
    runtime = runtime_name()
    src_buf, dst_buf, ref_buf = frame(W, H, 1), bytearray(OW * OH * 4), bytearray(OW * OH * 4)
    src, dst, ref = pixels3d(src_buf, W, H), pixels3d(dst_buf, OW, OH), pixels3d(ref_buf, OW, OH)
    with warmpool.Pool() as pool:
        # The very first job may run before the workers are up: it runs serially, never hangs.
        warmpool.resize(src, dst, "area", pool=pool)
        if pool.workers:
            try:
                pool.wait_ready(5.0)
            except (OSError, ValueError) as e:  # Wasm main thread: workers start later
                print(f"  (workers not ready yet: {e})")
        library = warmpool.find_library()
        print(f"warmpool Python demo on {runtime}: {pool.workers} worker(s) + the caller, "
              f"library {library}")
        serial = per_call_ms(lambda: warmpool.resize(src, ref, "area"), MOVES)
        cold = per_call_ms(lambda: warmpool.resize(src, dst, "area", pool=pool), MOVES)
        with pool.warm():  # pointer-down .. pointer-up
            warm = per_call_ms(lambda: warmpool.resize(src, dst, "area", pool=pool), MOVES)
        same = dst_buf == ref_buf
        print(f"  resize {W}x{H} -> {OW}x{OH} BGRA pixels3d layout, {MOVES} moves: "
              f"serial {serial:.2f} ms, pool cold {cold:.2f} ms, pool warm {warm:.2f} ms "
              f"per frame; pool result {'identical' if same else 'DIFFERS'} to serial")
        st = pool.stats()
        print(f"  stats: {st['jobs_parallel']} parallel jobs, "
              f"{st['jobs_serial_not_ready']} serial before ready, "
              f"items caller {st['items_caller']} / workers {st['items_workers']}, "
              f"warm on {st['warm_on']}, cooldowns {st['cooldowns']}")
        out = os.environ.get("WARMPOOL_DEMO_SUMMARY")
        if out:  # one line of make demo's closing summary
            with open(out, "w") as f:
                json.dump({"runtime": runtime, "job": f"resize {W}x{H}->{OW}x{OH}",
                           "workers": pool.workers, "serial_ms": serial, "pool_ms": warm,
                           "identical": same, "library": library,
                           "installed": os.path.dirname(library) == os.path.dirname(
                               os.path.abspath(warmpool.__file__))}, f)
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
