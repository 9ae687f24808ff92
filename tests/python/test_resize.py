"""warmpool.resize against a pure-Python reference (runs everywhere, Pyodide included),
a numpy reference, cv2.resize (within 1 LSB) and pygame surfaces when those exist."""
import ctypes
import math
import os
import importlib
import random
import sys
import unittest

from support import needs_numpy, numpy as np

import warmpool
from warmpool.resize import Image, layout, simd

try:
    import cv2
except ImportError:
    cv2 = None
try:
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    import pygame.surfarray
except ImportError:
    pygame = None

needs_cv2 = unittest.skipIf(cv2 is None or np is None, "cv2 (and numpy) not installed")
needs_pygame = unittest.skipIf(pygame is None or np is None, "pygame (and numpy) not installed")


# ---- the reference: the definitions of warmpool_resize.h, written plainly ---------------

def _f32(x):
    return ctypes.c_float(x).value


def axis_weights(filt, grows, sn, dn):
    """For each output index, a full-length list of Q11 weights over the sn inputs."""
    rows = []
    for d in range(dn):
        w = [0] * sn
        if filt == "area" and not grows:
            covered = prev = 0
            for i in range(sn):
                c = min((d + 1) * sn, (i + 1) * dn) - max(d * sn, i * dn)
                if c <= 0:
                    continue
                covered += c
                cum = (2 * covered * 2048 + sn) // (2 * sn)   # round half up
                w[i] = cum - prev
                prev = cum
        else:
            inv = dn / sn
            scale = 1.0 / inv
            if filt == "bilinear":
                f = _f32((d + 0.5) * scale - 0.5)
                s = math.floor(f)
                f = _f32(f - s)
            else:
                s = math.floor(d * scale)
                f = _f32((d + 1) - (s + 1) * inv)
                f = 0.0 if f <= 0 else _f32(f - math.floor(f))
            if s < 0:
                s, f = 0, 0.0
            if s >= sn - 1:
                s, f = sn - 1, 0.0
            w[s] += round(_f32(_f32(1.0 - f) * 2048))        # round half to even, like cv2
            if s + 1 < sn:
                w[s + 1] += round(_f32(f * 2048))
        rows.append(w)
    return rows


def ref_resize(get, sw, sh, n, dw, dh, filt):
    """Output as {(x, y, c): value}; get(x, y, c) reads the source."""
    grows = dw > sw or dh > sh
    wx, wy = axis_weights(filt, grows, sw, dw), axis_weights(filt, grows, sh, dh)
    out = {}
    for y in range(dh):
        for x in range(dw):
            for c in range(n):
                s = 0
                for j in range(sh):
                    if wy[y][j]:
                        for i in range(sw):
                            if wx[x][i]:
                                s += wx[x][i] * wy[y][j] * get(i, j, c)
                out[x, y, c] = min(255, (s + (1 << 21)) >> 22)
    return out


def ref_resize_taps(get, sw, sh, n, dw, dh, filt):
    """ref_resize, summing only the nonzero weights (fast enough for bigger images)."""
    grows = dw > sw or dh > sh
    taps = lambda rows: [[(i, v) for i, v in enumerate(r) if v] for r in rows]
    wx, wy = taps(axis_weights(filt, grows, sw, dw)), taps(axis_weights(filt, grows, sh, dh))
    out = {}
    for y in range(dh):
        for x in range(dw):
            for c in range(n):
                s = sum(a * b * get(i, j, c) for j, b in wy[y] for i, a in wx[x])
                out[x, y, c] = min(255, (s + (1 << 21)) >> 22)
    return out


def np_ref(a, dw, dh, filt):
    """The same definition on a (H, W, C) numpy array, exact in int64."""
    h, w = a.shape[:2]
    grows = dw > w or dh > h
    wx = np.array(axis_weights(filt, grows, w, dw), np.int64)
    wy = np.array(axis_weights(filt, grows, h, dh), np.int64)
    a3 = a.reshape(h, w, -1).astype(np.int64)
    t = np.einsum("yj,jic->yic", wy, a3)
    o = np.einsum("xi,yic->yxc", wx, t)
    return np.minimum((o + (1 << 21)) >> 22, 255).astype(np.uint8).reshape((dh, dw) + a.shape[2:])


# ---- bytearray images: what Pyodide has -------------------------------------------------

def make_image(w, h, n, order="yxc", flip=(False, False, False), pad=0, fill=None):
    """A bytearray-backed Image (numpy-style shape (H, W, n)) in a given memory order."""
    sizes = {"x": w, "y": h, "c": n}
    strides, s = {}, 1
    for axis in reversed(order):
        strides[axis] = s
        s *= sizes[axis]
        if axis == order[1]:
            s += pad
    buf = bytearray(s + 3)
    offset = 0
    for axis, f in zip("xyc", flip):
        if f:
            offset += (sizes[axis] - 1) * strides[axis]
            strides[axis] = -strides[axis]
    img = Image(buf, (h, w, n), (strides["y"], strides["x"], strides["c"]), offset)
    if fill is not None:
        for y in range(h):
            for x in range(w):
                for c in range(n):
                    img_set(img, x, y, c, fill(x, y, c))
    return img


def img_at(img, x, y, c):
    return img.offset + y * img.strides[0] + x * img.strides[1] + c * img.strides[2]


def img_get(img, x, y, c):
    return img.buffer[img_at(img, x, y, c)]


def img_set(img, x, y, c, v):
    img.buffer[img_at(img, x, y, c)] = v


class VectorLoopsTest(unittest.TestCase):
    def test_in_use_where_expected(self):
        # The Wasm build has SIMD128 loops (a build without -msimd128 on their file would
        # quietly run the scalar ones, 3x slower in a browser); natively, AVX2 CPUs do.
        if sys.platform == "emscripten":
            self.assertTrue(simd())
        elif os.path.exists("/proc/cpuinfo"):
            with open("/proc/cpuinfo") as f:
                self.assertEqual(simd(), "avx2" in f.read().split())
        else:
            self.skipTest("no /proc/cpuinfo to say whether the CPU has AVX2")

    def test_same_bytes_as_the_scalar_loops(self):
        # Packed 1-, 3- and 4-channel rows (the vector loops' layouts), both filters,
        # shrinking, growing and exact halvings, widths where a 16-byte load at the last
        # taps would pass the row's end. dst has a byte either side that must stay.
        rmod = importlib.import_module("warmpool.resize")
        lib = rmod._default_library()
        rnd = random.Random(11)
        for sw, sh, dw, dh in [(67, 9, 45, 7), (33, 5, 47, 6), (20, 4, 13, 3), (5, 3, 4, 2),
                               (129, 3, 100, 2), (7, 7, 6, 5), (66, 6, 33, 3), (70, 4, 35, 2)]:
            for n in (4, 3, 1):
                src = bytearray(rnd.randrange(256) for _ in range(sw * sh * n))
                for filt in ("area", "bilinear"):
                    outs = []
                    for flags in (0, 0x100):  # WARMPOOL_RESIZE_SCALAR: no vector loops
                        dst = bytearray(b"\xa5" * (dw * dh * n + 2))
                        code, cs, cd, keep, _ = rmod._prepare(Image(src, (sh, sw, n)),
                                                              Image(dst, (dh, dw, n), offset=1), filt)
                        err = lib.warmpool_resize(None, None, ctypes.addressof(cs),
                                                  ctypes.addressof(cd), code | flags)
                        self.assertEqual(err, 0)
                        outs.append(dst)
                    what = f"{sw}x{sh} -> {dw}x{dh} n={n} {filt}"
                    self.assertEqual(outs[0], outs[1], what)
                    self.assertEqual((outs[0][0], outs[0][-1]), (0xa5, 0xa5), what)


class BytearrayTest(unittest.TestCase):
    def check(self, sw, sh, dw, dh, n, filt, src_kw, dst_kw, pool=None):
        rnd = random.Random(sw * 1000 + dw * 10 + n)
        src = make_image(sw, sh, n, fill=lambda x, y, c: rnd.randrange(256), **src_kw)
        dst = make_image(dw, dh, n, **dst_kw)
        before = bytearray(dst.buffer)
        warmpool.resize(src, dst, filt, pool=pool)
        want = ref_resize(lambda x, y, c: img_get(src, x, y, c), sw, sh, n, dw, dh, filt)
        touched = set()
        for (x, y, c), v in want.items():
            self.assertEqual(img_get(dst, x, y, c), v, f"pixel {x},{y} channel {c}")
            touched.add(img_at(dst, x, y, c))
        for i, (b, a) in enumerate(zip(before, dst.buffer)):
            if i not in touched:
                self.assertEqual(a, b, f"byte {i} outside the image changed")

    def test_layouts_and_filters(self):
        cases = [
            ((9, 7, 4, 3, 3), {}, {}),
            ((8, 6, 4, 3, 4), {"order": "xyc"}, {"order": "xyc"}),
            ((5, 4, 9, 7, 1), {"order": "cyx", "flip": (True, False, False)}, {"pad": 5}),
            ((7, 5, 3, 6, 2), {"flip": (False, True, True), "pad": 2}, {"order": "ycx"}),
            ((1, 6, 3, 2, 3), {}, {"flip": (True, True, True)}),
            ((6, 1, 2, 1, 4), {"order": "xyc", "pad": 1}, {}),
        ]
        for args, skw, dkw in cases:
            for filt in ("area", "bilinear"):
                with self.subTest(args=args, filt=filt, src=skw, dst=dkw):
                    self.check(*args[:4], args[4], filt, skw, dkw)

    def test_pool_gives_the_same_bytes(self):
        with warmpool.Pool(1) as pool:
            self.check(12, 10, 5, 4, 4, "area", {}, {"order": "xyc"}, pool=pool)
            self.check(6, 4, 13, 9, 3, "bilinear", {"flip": (True, True, False)}, {}, pool=pool)

    def test_separate_alpha_plane(self):
        rnd = random.Random(5)
        rgb = make_image(6, 4, 3, fill=lambda x, y, c: rnd.randrange(256))
        alpha = make_image(6, 4, 1, order="xyc", fill=lambda x, y, c: rnd.randrange(256))
        out = make_image(3, 2, 4)
        a2 = Image(alpha.buffer, (4, 6), alpha.strides[:2], alpha.offset)
        warmpool.resize((rgb, a2), out)
        get = lambda x, y, c: img_get(alpha, x, y, 0) if c == 3 else img_get(rgb, x, y, c)
        want = ref_resize(get, 6, 4, 4, 3, 2, "area")
        for (x, y, c), v in want.items():
            self.assertEqual(img_get(out, x, y, c), v)

    def test_bgra_buffer_reads_as_rgba(self):
        # A pygame-style BGRA surface buffer: R at byte 2, stepping back to B, alpha at 3.
        w, h = 8, 6
        buf = bytearray(range(256)) * 2
        src = (Image(buf, (h, w, 3), (4 * w, 4, -1), 2), Image(buf, (h, w), (4 * w, 4), 3))
        dst = make_image(4, 3, 4)
        self.assertEqual(layout(src, dst), {"src_packed", "dst_packed", "swizzled", "halve"})
        out = bytearray(4 * 6 * 8)
        self.assertEqual(layout(src, (Image(out, (3, 4, 3), (16, 4, -1), 2),
                                      Image(out, (3, 4), (16, 4), 3))),
                         {"src_packed", "dst_packed", "halve"})
        warmpool.resize(src, dst)
        r = (buf[2] + buf[6] + buf[4 * w + 2] + buf[4 * w + 6] + 2) >> 2
        self.assertEqual(img_get(dst, 0, 0, 0), r)  # red stays red

    def test_pygame_layouts_at_vector_sizes(self):
        # The layouts of pygame code, in buffers, at sizes where the vector loops run:
        # pixels3d of a 32-bit surface (gap byte) and of a 24-bit one (padded pitch),
        # a (w, h, 3) array for make_surface (pixels along the source's columns),
        # pixels_alpha (one byte in four). Every other byte of dst stays as it was.
        rnd = random.Random(18)

        def surface(w, h, bpp):  # buffer, pitch; pixel (x, y) at y * pitch + bpp * x
            pitch = (bpp * w + 3) & ~3
            return bytearray(rnd.randrange(256) for _ in range(pitch * h + 1)), pitch

        def p3(w, h, bpp):       # numpy-style (W, H, 3), red at byte 2, stepping back
            buf, pitch = surface(w, h, bpp)
            return Image(buf, (w, h, 3), (bpp, pitch, -1), 2)

        def alpha(w, h):
            buf, pitch = surface(w, h, 4)
            return Image(buf, (w, h, 1), (4, pitch, 0), 3)

        def zeros(w, h, n):      # C-contiguous (w, h, n)
            return Image(bytearray(w * h * n + 5), (w, h, n), (h * n, n, 1), 2)

        cases = [((48, 20), (24, 10), "area"), ((40, 12), (61, 17), "bilinear"),
                 ((50, 14), (20, 9), "area"), ((45, 30), (30, 20), "bilinear"),
                 ((20, 16), (50, 40), "area")]
        kinds = [("pixels3d 32 -> make_surface array", lambda w, h: p3(w, h, 4), lambda w, h: zeros(w, h, 3)),
                 ("pixels3d -> pixels3d", lambda w, h: p3(w, h, 4), lambda w, h: p3(w, h, 4)),
                 ("pixels3d 24 -> pixels3d 24", lambda w, h: p3(w, h, 3), lambda w, h: p3(w, h, 3)),
                 ("pixels3d 24 -> make_surface array", lambda w, h: p3(w, h, 3), lambda w, h: zeros(w, h, 3)),
                 ("pixels_alpha -> pixels_alpha", alpha, alpha),
                 ("pixels_alpha -> (w, h) array", alpha, lambda w, h: zeros(w, h, 1))]
        # Failures are collected and asserted once: a failed subTest alone is not reported
        # by every runner this file runs under (Pyodide's drops the test).
        bad = []
        for (sw, sh), (dw, dh), filt in cases:
            for name, make_src, make_dst in kinds:
                src, dst = make_src(sw, sh), make_dst(dw, dh)
                n = src.shape[2]
                before = bytearray(dst.buffer)
                warmpool.resize(src, dst, filt)
                # numpy convention: axis 0 (the surface's x) is the row axis, so the
                # image is sh columns by sw rows
                want = ref_resize_taps(lambda x, y, c: img_get(src, x, y, c), sh, sw, n, dh, dw, filt)
                touched = set()
                what = f"{name} {(sw, sh)}->{(dw, dh)} {filt}"
                wrong = [(x, y, c) for (x, y, c), v in want.items() if img_get(dst, x, y, c) != v]
                if wrong:
                    bad.append(f"{what}: {len(wrong)} wrong values, first at pixel {wrong[0]}")
                touched = {img_at(dst, x, y, c) for (x, y, c) in want}
                changed = [i for i, (b, a) in enumerate(zip(before, dst.buffer))
                           if a != b and i not in touched]
                if changed:
                    bad.append(f"{what}: {len(changed)} bytes outside the image changed")
        self.assertEqual(bad, [])

    def test_bytes_source_and_contiguous_memoryview(self):
        src = bytes(range(64))
        dst = bytearray(16)
        warmpool.resize(Image(src, (8, 8)), memoryview(dst).cast("B", (4, 4)))
        self.assertEqual(dst[0], (0 + 1 + 8 + 9 + 2) >> 2)

    def test_errors(self):
        a, b = bytearray(64), bytearray(16)
        with self.assertRaises(ValueError):        # channel count
            warmpool.resize(Image(a, (4, 4, 4)), Image(b, (2, 2, 3)))
        with self.assertRaises(ValueError):        # src and dst overlap
            warmpool.resize(Image(a, (4, 4, 4)), Image(a, (2, 2, 4), (16, 4, 1), 8))
        with self.assertRaises(ValueError):        # outside the buffer
            warmpool.resize(Image(a, (4, 4, 4)), Image(b, (2, 2, 4), (9, 4, 1)))
        with self.assertRaises(ValueError):        # read-only destination
            warmpool.resize(Image(a, (4, 4)), Image(bytes(4), (2, 2)))
        with self.assertRaises(ValueError):
            warmpool.resize(Image(a, (4, 4)), Image(b, (2, 2)), filter="cubic")
        with self.assertRaises(ValueError):        # dst pixels share bytes
            warmpool.resize(Image(a, (4, 4)), Image(b, (2, 2), (1, 1)))
        with self.assertRaises(TypeError):
            warmpool.resize(a, b)
        with self.assertRaises(TypeError):
            warmpool.resize(Image(a, (4, 4)), Image(b, (2, 2)), pool=3)
        self.assertEqual(b, bytearray(16))         # nothing was written


# ---- numpy, cv2, pygame (native) -----------------------------------------------------------

def strided_variants(a):
    """The same image in other memory layouts (numpy views of other buffers)."""
    yield "contiguous", a
    yield "transposed", np.ascontiguousarray(a.swapaxes(0, 1)).swapaxes(0, 1)
    yield "flipped", np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1]
    big = np.zeros((a.shape[0] + 3, a.shape[1] * 2 + 1) + a.shape[2:], np.uint8)
    big[1:1 + a.shape[0], 1:1 + 2 * a.shape[1]:2] = a
    yield "padded, every other column", big[1:1 + a.shape[0], 1:1 + 2 * a.shape[1]:2]
    if a.ndim == 3:
        yield "planar", np.ascontiguousarray(a.transpose(2, 0, 1)).transpose(1, 2, 0)
        yield "channels reversed", np.ascontiguousarray(a[..., ::-1])[..., ::-1]


@needs_numpy
class NumpyTest(unittest.TestCase):
    def test_any_strides_match_reference(self):
        rng = np.random.default_rng(7)
        for (sw, sh, dw, dh) in [(23, 17, 7, 5), (16, 12, 8, 6), (5, 7, 12, 15), (31, 2, 9, 3),
                                 (1, 13, 4, 5), (40, 30, 41, 29)]:
            for n in (1, 3, 4):
                a = rng.integers(0, 256, (sh, sw, n), np.uint8)
                if n == 1:
                    a = a[..., 0]
                for filt in ("area", "bilinear"):
                    want = np_ref(a, dw, dh, filt)
                    for sname, s in strided_variants(a):
                        for dname, d0 in strided_variants(np.zeros_like(want)):
                            with self.subTest(size=(sw, sh, dw, dh), n=n, filt=filt, src=sname,
                                              dst=dname):
                                d0[...] = 0
                                warmpool.resize(s, d0, filt)
                                np.testing.assert_array_equal(d0, want)

    def test_pixels3d_layout_against_reference(self):
        rng = np.random.default_rng(3)
        buf = rng.integers(0, 256, (20, 32, 4), np.uint8)           # H, W, BGRA
        p3 = buf[:, :, 2::-1].swapaxes(0, 1)                         # (W, H, 3), (4, 4W, -1)
        self.assertEqual(p3.strides, (4, 128, -1))
        out = np.zeros((16, 10, 3), np.uint8)                        # (W', H', 3)
        warmpool.resize(p3, out, "area")
        np.testing.assert_array_equal(out, np_ref(np.ascontiguousarray(p3), 10, 16, "area"))


@needs_cv2
class Cv2Test(unittest.TestCase):
    def test_within_one_lsb_of_cv2(self):
        rng = np.random.default_rng(11)
        cases = [(1920, 1080, 960, 540), (100, 80, 37, 23), (100, 80, 33, 20), (90, 90, 30, 30),
                 (37, 23, 100, 80), (64, 48, 64, 100), (50, 50, 20, 70), (640, 480, 641, 479)]
        for (sw, sh, dw, dh) in cases:
            for n in (1, 3, 4):
                a = rng.integers(0, 256, (sh, sw, n), np.uint8)
                if n == 1:
                    a = a[..., 0]
                for filt, flag in (("area", cv2.INTER_AREA), ("bilinear", cv2.INTER_LINEAR)):
                    with self.subTest(size=(sw, sh, dw, dh), n=n, filt=filt):
                        ours = warmpool.resize(a, np.zeros((dh, dw) + a.shape[2:], np.uint8), filt)
                        theirs = cv2.resize(a, (dw, dh), interpolation=flag)
                        diff = np.abs(ours.astype(int) - theirs)
                        self.assertLessEqual(diff.max(), 1)
                        if (sw, sh) == (2 * dw, 2 * dh) and filt == "area":
                            self.assertEqual(diff.max(), 0)  # both (a+b+c+d+2)>>2

    def test_pixels3d_like_view_matches_cv2_on_the_copy(self):
        rng = np.random.default_rng(12)
        buf = rng.integers(0, 256, (108, 192, 4), np.uint8)
        p3 = buf[:, :, 2::-1].swapaxes(0, 1)
        out = np.zeros((96, 54, 3), np.uint8)
        warmpool.resize(p3, out)
        theirs = cv2.resize(np.ascontiguousarray(p3), (54, 96), interpolation=cv2.INTER_AREA)
        self.assertLessEqual(np.abs(out.astype(int) - theirs).max(), 1)


@needs_pygame
class PygameTest(unittest.TestCase):
    def surfaces(self, size):
        yield "BGRA alpha", pygame.Surface(size, pygame.SRCALPHA, 32)
        yield "BGRX", pygame.Surface(size, 0, 32)
        yield "RGBX", pygame.Surface(size, 0, 32, (0xff, 0xff00, 0xff0000, 0))
        yield "RGBA alpha", pygame.Surface(size, pygame.SRCALPHA, 32,
                                           (0xff, 0xff00, 0xff0000, 0xff000000))
        yield "BGR 24-bit", pygame.Surface(size, 0, 24)

    def fill(self, s, seed):
        rng = np.random.default_rng(seed)
        pygame.surfarray.pixels3d(s)[...] = rng.integers(0, 256, s.get_size() + (3,), np.uint8)
        if s.get_masks()[3]:
            pygame.surfarray.pixels_alpha(s)[...] = rng.integers(0, 256, s.get_size(), np.uint8)

    def test_surface_to_surface_any_channel_order(self):
        for sname, src in self.surfaces((36, 22)):
            self.fill(src, 1)
            rgb = np.array(pygame.surfarray.pixels3d(src))      # (W, H, 3) copy, RGB
            for dname, dst in self.surfaces((12, 11)):
                with self.subTest(src=sname, dst=dname):
                    warmpool.resize(src, dst)
                    got = np.array(pygame.surfarray.pixels3d(dst))
                    np.testing.assert_array_equal(got, np_ref(rgb, 11, 12, "area"))
                    if src.get_masks()[3] and dst.get_masks()[3]:
                        a = np.array(pygame.surfarray.pixels_alpha(src))
                        np.testing.assert_array_equal(np.array(pygame.surfarray.pixels_alpha(dst)),
                                                      np_ref(a, 11, 12, "area"))

    def test_pixels3d_and_alpha_views_take_the_packed_path(self):
        src = pygame.Surface((64, 40), pygame.SRCALPHA, 32)
        dst = pygame.Surface((32, 20), pygame.SRCALPHA, 32)
        self.fill(src, 2)
        ps = (pygame.surfarray.pixels3d(src), pygame.surfarray.pixels_alpha(src))
        pd = (pygame.surfarray.pixels3d(dst), pygame.surfarray.pixels_alpha(dst))
        self.assertEqual(layout(ps, pd), {"src_packed", "dst_packed", "transposed", "halve"})
        self.assertEqual(layout(src, dst), {"src_packed", "dst_packed", "halve"})
        with warmpool.Pool(1) as pool:
            warmpool.resize(ps, pd, pool=pool)
        want = np_ref(np.dstack([np.array(ps[0]), np.array(ps[1])]), 20, 32, "area")
        np.testing.assert_array_equal(np.dstack([np.array(pd[0]), np.array(pd[1])]), want)
        # into an RGBA numpy array (H, W, 4): the channel order is swapped, not mixed
        arr = np.zeros((20, 32, 4), np.uint8)
        self.assertIn("swizzled", layout(src, arr))
        warmpool.resize(src, arr, "bilinear")
        whole = np.dstack([np.array(ps[0]), np.array(ps[1])]).swapaxes(0, 1)
        np.testing.assert_array_equal(arr, np_ref(np.ascontiguousarray(whole), 32, 20, "bilinear"))

    def test_opaque_32bit_surfaces_carry_their_unused_byte(self):
        src = pygame.Surface((40, 30), 0, 32)
        dst = pygame.Surface((20, 15), 0, 32)
        rgb = pygame.Surface((20, 15), 0, 32, (0xff, 0xff00, 0xff0000, 0))
        self.fill(src, 5)
        self.assertEqual(layout(src, dst), {"src_packed", "dst_packed", "halve"})
        self.assertEqual(layout(src, rgb), {"src_packed", "dst_packed", "swizzled", "halve"})
        want = np_ref(np.array(pygame.surfarray.pixels3d(src)), 15, 20, "area")
        for d in (dst, rgb):
            warmpool.resize(src, d)
            np.testing.assert_array_equal(np.array(pygame.surfarray.pixels3d(d)), want)

    def test_pixels3d_without_alpha_leaves_alpha_bytes(self):
        src = pygame.Surface((30, 20), pygame.SRCALPHA, 32)
        dst = pygame.Surface((15, 10), pygame.SRCALPHA, 32)
        self.fill(src, 3)
        dst.fill((0, 0, 0, 77))
        p3 = pygame.surfarray.pixels3d(src)
        self.assertEqual(layout(p3, pygame.surfarray.pixels3d(dst)), {"transposed", "halve"})
        warmpool.resize(p3, pygame.surfarray.pixels3d(dst))
        self.assertTrue((np.array(pygame.surfarray.pixels_alpha(dst)) == 77).all())
        np.testing.assert_array_equal(np.array(pygame.surfarray.pixels3d(dst)),
                                      np_ref(np.array(p3), 10, 15, "area"))

    def test_every_pygame_layout_matches_cv2(self):
        # The bench's table, smaller: each layout against cv2 on a contiguous (H, W, C)
        # copy of the same pixels (within 1 LSB; exact for a 2x2 mean) and the exact
        # definition; bytes of dst outside the view (alpha, colour, padding) untouched.
        rng = np.random.default_rng(18)
        p3 = pygame.surfarray.pixels3d

        def surf(size, bits, alpha=False):
            s = pygame.Surface(size, pygame.SRCALPHA if alpha else 0, bits)
            p3(s)[...] = rng.integers(0, 256, size + (3,), np.uint8)
            if alpha:
                pygame.surfarray.pixels_alpha(s)[...] = rng.integers(0, 256, size, np.uint8)
            return s

        def raw(s):  # all of a surface's bytes, padding included
            return bytes(s.get_buffer().raw) if s is not None else None

        cols = [((194, 108), (97, 54), "area"), ((194, 108), (129, 72), "bilinear"),
                ((65, 36), (194, 108), "bilinear"), ((194, 108), (61, 35), "area")]
        for ss, ds, filt in cols:
            flag = cv2.INTER_AREA if filt == "area" else cv2.INTER_LINEAR
            rows = []
            s32, d32 = surf(ss, 32, True), surf(ds, 32, True)
            rows.append(("pixels3d -> make_surface array", p3(s32), np.zeros(ds + (3,), np.uint8), None))
            rows.append(("pixels3d -> pixels3d", p3(s32), p3(d32), d32))
            s24, d24 = surf(ss, 24), surf(ds, 24)
            rows.append(("24-bit surface -> 24-bit surface", s24, d24, d24))
            rows.append(("pixels3d 24 -> pixels3d 24", p3(s24), p3(surf(ds, 24)), None))
            rows.append(("pixels3d 24 -> make_surface array", p3(s24), np.zeros(ds + (3,), np.uint8), None))
            da = surf(ds, 32, True)
            rows.append(("pixels_alpha -> pixels_alpha", pygame.surfarray.pixels_alpha(s32),
                         pygame.surfarray.pixels_alpha(da), da))
            rows.append(("grayscale", np.ascontiguousarray(pygame.surfarray.pixels_alpha(s32).T),
                         np.zeros(ds[::-1], np.uint8), None))
            for name, src, dst, dsurf in rows:
                with self.subTest(layout=name, size=(ss, ds), filt=filt):
                    if isinstance(src, pygame.Surface):
                        ref = np.ascontiguousarray(p3(src).swapaxes(0, 1))
                        view = lambda: np.array(p3(dst)).swapaxes(0, 1)
                    elif name == "grayscale":
                        ref, view = src, lambda: dst
                    else:
                        ref = np.ascontiguousarray(np.asarray(src).swapaxes(0, 1))
                        view = lambda: np.asarray(dst).swapaxes(0, 1)
                    before = raw(dsurf)
                    warmpool.resize(src, dst, filt)
                    got = np.array(view())
                    theirs = cv2.resize(ref, ds if name != "grayscale" else ds, interpolation=flag)
                    if name == "grayscale":
                        theirs = cv2.resize(ref, (ds[0], ds[1]), interpolation=flag)
                    self.assertEqual(got.shape, theirs.shape)
                    diff = np.abs(got.astype(int) - theirs)
                    self.assertLessEqual(diff.max(), 1)
                    if ss == (2 * ds[0], 2 * ds[1]):
                        self.assertEqual(diff.max(), 0)
                    np.testing.assert_array_equal(got, np_ref(ref, ds[0], ds[1], filt))
                    if dsurf is not None:
                        # dst's surface: every byte outside the view (alpha, colour,
                        # row padding) as it was
                        after = raw(dsurf)
                        mask = np.zeros(len(after), bool)
                        w, h = dsurf.get_size()
                        pitch, bpp = dsurf.get_pitch(), dsurf.get_bytesize()
                        idx = (np.arange(h)[:, None] * pitch + np.arange(w)[None, :] * bpp)
                        offs = [3] if name.startswith("pixels_alpha") else [0, 1, 2]
                        for o in offs:
                            mask[(idx + o).ravel()] = True
                        b0, b1 = np.frombuffer(before, np.uint8), np.frombuffer(after, np.uint8)
                        np.testing.assert_array_equal(b1[~mask], b0[~mask])

    def test_dst_along_y_is_tiled(self):
        src = pygame.Surface((64, 40), pygame.SRCALPHA, 32)
        p3 = pygame.surfarray.pixels3d(src)
        self.assertEqual(layout(p3, np.zeros((32, 20, 3), np.uint8)), {"halve", "dst_tiled", "transposed"})
        self.assertEqual(layout(p3, np.zeros((30, 20, 3), np.uint8), "bilinear"),
                         {"dst_tiled", "transposed"})

    def test_smoothscale_is_close_for_halving(self):
        # not the same filter, but a 2x2 box either way: a sanity check of orientation
        src = pygame.Surface((40, 30), 0, 32)
        self.fill(src, 4)
        ours = pygame.Surface((20, 15), 0, 32)
        warmpool.resize(src, ours)
        theirs = pygame.transform.smoothscale(src, (20, 15))
        d = np.abs(np.array(pygame.surfarray.pixels3d(ours), int) -
                   np.array(pygame.surfarray.pixels3d(theirs), int))
        self.assertLessEqual(d.max(), 1)


if __name__ == "__main__":
    unittest.main()
