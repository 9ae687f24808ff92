// resize_wasm_bench.mjs - the Wasm rows of the resize table: the serial side module
// (build/wasm/libwarmpool-serial.so) in stock Pyodide under Node, called through the
// Python package as a page would, on the same layouts as bench/resize_bench.py (built in
// bytearrays: Pyodide has no numpy), 3-channel rows next to the 4-channel one. Each cell:
// ms per call with the vector loops (SIMD128) and without (WARMPOOL_RESIZE_SCALAR, same
// bytes, checked before timing), median of interleaved rounds.
// Usage: node resize_wasm_bench.mjs [rounds] [ms]
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rounds = Number(process.argv[2] || 3), ms = Number(process.argv[3] || 150);
const { loadPyodide } = await import(pathToFileURL(path.join(ROOT, "node_modules/pyodide/pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: path.join(ROOT, "node_modules/pyodide") + "/" });
for (const [host, at] of [["python", "/repo/python"], ["build", "/repo/build"]]) {
  py.FS.mkdirTree(at);
  py.mountNodeFS(at, fs.realpathSync(path.join(ROOT, host)));
}
py.runPython(`
import ctypes, importlib, statistics, sys, time
sys.path.insert(0, "/repo/python")
import warmpool
R = importlib.import_module("warmpool.resize")
lib = R._default_library()
COLS = [((1920, 1080), (960, 540), "area"), ((1920, 1080), (1280, 720), "bilinear"),
        ((640, 360), (1920, 1080), "bilinear")]
Image = R.Image

def surface(w, h, bpp):
    pitch = (bpp * w + 3) & ~3
    return bytearray(bytes(range(256)) * (pitch * h // 256 + 1))[:pitch * h], pitch

def p3(w, h, bpp):          # pixels3d: (W, H, 3), red at byte 2, stepping back
    buf, pitch = surface(w, h, bpp)
    return Image(buf, (w, h, 3), (bpp, pitch, -1), 2)

def surf24(w, h):           # a 24-bit surface's rows: (H, W, 3)
    buf, pitch = surface(w, h, 3)
    return Image(buf, (h, w, 3), (pitch, 3, -1), 2)

def rgba(w, h):             # pixels3d + pixels_alpha of a 32-bit surface
    buf, pitch = surface(w, h, 4)
    return (Image(buf, (w, h, 3), (4, pitch, -1), 2), Image(buf, (w, h), (4, pitch), 3))

def alpha(w, h):
    buf, pitch = surface(w, h, 4)
    return Image(buf, (w, h), (4, pitch), 3)

def zeros(*shape):
    n = 1
    for v in shape:
        n *= v
    return Image(bytearray(n), shape)

ROWS = [
    ("pixels3d (32-bit) -> (w, h, 3) array", lambda w, h: p3(w, h, 4), lambda w, h: zeros(w, h, 3)),
    ("pixels3d -> pixels3d", lambda w, h: p3(w, h, 4), lambda w, h: p3(w, h, 4)),
    ("contiguous (H, W, 3) -> contiguous", lambda w, h: zeros(h, w, 3), lambda w, h: zeros(h, w, 3)),
    ("24-bit surface -> 24-bit surface", surf24, surf24),
    ("pixels3d (24-bit) -> (w, h, 3) array", lambda w, h: p3(w, h, 3), lambda w, h: zeros(w, h, 3)),
    ("RGBA surface -> RGBA (pixels3d + alpha)", rgba, rgba),
    ("contiguous (H, W, 4) -> contiguous", lambda w, h: zeros(h, w, 4), lambda w, h: zeros(h, w, 4)),
    ("pixels_alpha -> pixels_alpha (1 ch)", alpha, alpha),
    ("grayscale (H, W) -> (h, w) (1 ch)", lambda w, h: zeros(h, w), lambda w, h: zeros(h, w)),
]

def bench(rounds, ms):
    rz = lib.warmpool_resizer_create()
    cells = []
    bad = []
    for name, ms_, md in ROWS:
        for (ss, ds, filt) in COLS:
            dst = md(*ds)
            code, cs, cd, keep, _ = R._prepare(ms_(*ss), dst, filt)
            calls = [lambda cs=cs, cd=cd, code=code, f=f: lib.warmpool_resize(
                rz, None, ctypes.addressof(cs), ctypes.addressof(cd), code | f) for f in (0, 0x100)]
            # the vector loops must give the scalar loops' bytes, and touch no others
            buf = (dst[0] if isinstance(dst, tuple) else dst).buffer
            outs = []
            for call in calls:
                buf[:] = bytes(len(buf))
                assert call() == 0
                outs.append(bytes(buf))
            if outs[0] != outs[1]:
                bad.append(f"{name} {ss}->{ds} {filt}: SIMD128 and scalar bytes differ")
            cells.append((name, filt, calls, [[], []], keep))
    for r in range(rounds):
        for name, filt, calls, times, keep in cells:
            for i, call in enumerate(calls):
                assert call() == 0
                t0 = time.perf_counter()
                call()
                n = max(2, int(ms / 1000 / max(time.perf_counter() - t0, 1e-6)))
                t0 = time.perf_counter()
                for _ in range(n):
                    call()
                times[i].append((time.perf_counter() - t0) / n * 1e3)
    lib.warmpool_resizer_destroy(rz)
    print(f"Wasm (serial side module, Pyodide {sys.version.split()[0]} in Node), ms per call, "
          f"SIMD128 / scalar, median of {rounds} rounds; simd() = {R.simd(lib)}")
    head = ["source -> destination"] + [f"{s[0]}x{s[1]}->{d[0]}x{d[1]} {f}" for s, d, f in COLS]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, _, _ in ROWS:
        row = [c for c in cells if c[0] == name]
        print("| " + name + " | " + " | ".join(
            f"{statistics.median(t[0]):.2f} / {statistics.median(t[1]):.2f}" for _, _, _, t, _ in row) + " |")
    if bad:
        print("WRONG RESULTS:\\n  " + "\\n  ".join(bad))
        sys.exit(1)
    print("check: every cell's SIMD128 bytes equal the scalar loops' (WARMPOOL_RESIZE_SCALAR)")
`);
py.globals.get("bench")(rounds, ms);
process.exit(0);
