"""warmpool.resize: uint8 image resizing (area, bilinear) on any strides, optionally on a Pool.

    warmpool.resize(src, dst, filter="area", pool=None)

Resizes all of `src` into all of `dst` (same channel count). Each image may be:
- an object with `__array_interface__` (numpy arrays of any strides, pygame's
  surfarray.pixels3d/pixels2d/pixels_alpha arrays): shape (H, W) or (H, W, C), uint8.
  Axis 0 is the row axis, as in numpy and cv2; a pixels3d array (W, H, 3) is therefore an
  image of W rows, which is fine as long as src and dst use the same convention (the
  filters treat x and y alike, so the result is the same bytes).
- an `Image(buffer, shape, strides=None, offset=0)`: any buffer object (bytearray,
  array.array, ctypes array, mmap, ...) plus an explicit numpy-style shape and byte
  strides; every described byte is checked to lie inside the buffer. A C-contiguous
  uint8 memoryview works as is.
- a pair `(colour, alpha)` of the above: a separate alpha plane, e.g.
  `(pixels3d(s), pixels_alpha(s))`, shape (H, W) matching the colour image.
- a pygame Surface (24 or 32 bits per pixel): its raw pixel buffer, with the channel byte
  order (RGB or BGR) taken from its masks and the row stride from its pitch. R, G, B (and
  A) map to R, G, B (and A) whatever their byte order; a surface's alpha is left out when
  the other image has one channel fewer (RGBA surface -> RGB surface or array). Between
  two 32-bit surfaces without alpha the unused 4th bytes are resized too (they belong to
  the surfaces), which makes both gap-free and fast.
Speed: every layout pygame code holds has vector loops (see warmpool_resize.h): 1-, 3-
and 4-channel interleaved images (arrays, 24- and 32-bit surfaces, pixels3d with or
without pixels_alpha), destinations whose pixels run along the source's columns (a
(w, h, 3) array for surfarray.make_surface: written through tiles). Gap bytes (the alpha
byte of pixels3d alone, the colour bytes around pixels_alpha) are never read or written;
their vector loops need AVX-512 natively (on Wasm they move one byte lane at a time).
Nothing here imports numpy or pygame.

filter: "area" (cv2.INTER_AREA) or "bilinear" (cv2.INTER_LINEAR); both are defined
exactly in warmpool_resize.h. pool: a warmpool.Pool to split output rows over its
threads, or None to run on the calling thread.
Raises TypeError/ValueError for unusable arguments (shape, dtype, channel count,
overlapping src and dst) before touching any pixel; errors from C carry the errno text.
Thread-safe: each thread keeps its own C resizer (weight tables and scratch), reused
from call to call.
"""
import ctypes
import os
import sys
import threading

from . import _lib

__all__ = ["resize", "layout", "simd", "Image", "FILTERS"]


FILTERS = {"area": 0, "bilinear": 1}
PATH_BITS = {1: "src_packed", 2: "dst_packed", 4: "transposed", 8: "swizzled", 16: "halve",
             32: "dst_tiled"}


class _CImage(ctypes.Structure):  # warmpool_image
    _fields_ = [("data", ctypes.c_void_p), ("width", ctypes.c_int), ("height", ctypes.c_int),
                ("channels", ctypes.c_int), ("stride_x", ctypes.c_ssize_t),
                ("stride_y", ctypes.c_ssize_t), ("stride_c", ctypes.c_ssize_t),
                ("alpha", ctypes.c_void_p), ("alpha_stride_x", ctypes.c_ssize_t),
                ("alpha_stride_y", ctypes.c_ssize_t)]


def _c_strides(shape):
    out, s = [], 1
    for n in reversed(shape):
        out.append(s)
        s *= n
    return tuple(reversed(out))


class Image:
    """A uint8 image in any buffer: numpy-style `shape` (H, W) or (H, W, C) and byte
    `strides` (default: C-contiguous), element [0, 0, 0] at byte `offset`."""

    def __init__(self, buffer, shape, strides=None, offset=0):
        shape = tuple(int(v) for v in shape)
        if len(shape) not in (2, 3):
            raise ValueError("shape must be (H, W) or (H, W, C)")
        strides = _c_strides(shape) if strides is None else tuple(int(v) for v in strides)
        if len(strides) != len(shape):
            raise ValueError("strides and shape differ in length")
        self.buffer, self.shape, self.strides, self.offset = buffer, shape, strides, int(offset)

    def __repr__(self):
        return f"Image(shape={self.shape}, strides={self.strides}, offset={self.offset})"


def _buffer_address(buf, writable, keep):
    """Address of byte 0 of a buffer object and its length."""
    mv = memoryview(buf)
    if not mv.c_contiguous:
        raise ValueError("Image needs a contiguous buffer (describe the layout with strides)")
    if mv.ndim != 1 or mv.format != "B":
        mv = mv.cast("B")
    n = mv.nbytes
    if n == 0:
        raise ValueError("empty buffer")
    try:
        view = (ctypes.c_char * n).from_buffer(mv)
    except TypeError:  # read-only
        if writable:
            raise ValueError("the destination buffer is read-only") from None
        view = (ctypes.c_char * n).from_buffer_copy(mv)
    keep.append(view)
    return ctypes.addressof(view), n


def _array(obj, writable, keep):
    """(address, shape, strides) of an __array_interface__ object or an Image."""
    if isinstance(obj, memoryview):
        obj = Image(obj, obj.shape, obj.strides)
    if isinstance(obj, Image):
        addr, n = _buffer_address(obj.buffer, writable, keep)
        lo = hi = obj.offset
        for size, st in zip(obj.shape, obj.strides):
            if size < 1:
                raise ValueError("image sizes must be >= 1")
            lo += min(0, (size - 1) * st)
            hi += max(0, (size - 1) * st)
        if lo < 0 or hi >= n:
            raise ValueError(f"shape {obj.shape} with strides {obj.strides} at offset "
                             f"{obj.offset} reaches bytes {lo}..{hi} of a {n}-byte buffer")
        return addr + obj.offset, obj.shape, obj.strides
    ai = getattr(obj, "__array_interface__", None)
    if ai is None:
        raise TypeError(f"cannot use {type(obj).__name__} as an image: need "
                        "__array_interface__, an Image, a (colour, alpha) pair or a Surface")
    if ai.get("typestr") not in ("|u1", "<u1", ">u1"):
        raise TypeError(f"images must be uint8, not {ai.get('typestr')}")
    shape = tuple(ai["shape"])
    data = ai["data"]
    if not isinstance(data, tuple):  # a buffer instead of an address
        return _array(Image(data, shape, ai.get("strides"), ai.get("offset", 0)), writable, keep)
    if writable and data[1]:
        raise ValueError("the destination array is read-only")
    keep.append(obj)
    strides = ai.get("strides") or _c_strides(shape)
    return data[0], shape, tuple(strides)


def _describe(obj, writable, keep):
    """A dict describing obj as (colour channels, optional alpha plane)."""
    if _is_surface(obj):
        return _surface(obj, keep)
    if isinstance(obj, tuple) and len(obj) == 2:
        d = _describe(obj[0], writable, keep)
        a, shape, strides = _array(obj[1], writable, keep)
        if len(shape) == 3 and shape[2] == 1:
            shape, strides = shape[:2], strides[:2]
        if shape != (d["h"], d["w"]):
            raise ValueError(f"alpha plane shape {shape} does not match the colour image "
                             f"{(d['h'], d['w'])}")
        if d["alpha"] is not None:
            raise ValueError("the colour image already has an alpha plane")
        d["alpha"], d["asy"], d["asx"] = a, strides[0], strides[1]
        return d
    addr, shape, strides = _array(obj, writable, keep)
    if len(shape) == 2:
        shape, strides = shape + (1,), strides + (0,)
    if len(shape) != 3 or not 1 <= shape[2] <= 4:
        raise ValueError(f"image shape must be (H, W) or (H, W, 1..4), not {shape}")
    return {"data": addr, "h": shape[0], "w": shape[1], "n": shape[2], "sy": strides[0],
            "sx": strides[1], "sc": strides[2], "alpha": None, "asx": 0, "asy": 0,
            "surface": None, "pad": None}


def _is_surface(obj):
    return all(hasattr(obj, a) for a in ("get_masks", "get_shifts", "get_pitch",
                                         "get_bytesize", "_pixels_address"))


def _surface(s, keep):
    """A 24/32-bit surface's raw pixels: byte of each channel from its mask and shift."""
    bs = s.get_bytesize()
    if bs not in (3, 4):
        raise ValueError(f"only 24- and 32-bit surfaces can be resized, not {8 * bs}-bit")
    offs = []
    for mask, shift in zip(s.get_masks(), s.get_shifts()):
        if not mask:
            offs.append(None)
            continue
        if mask != 0xff << shift or shift % 8:
            raise ValueError(f"surface channel mask {mask:#x} is not a whole byte")
        offs.append(shift // 8 if sys.byteorder == "little" else bs - 1 - shift // 8)
    r, g, b, a = offs
    if None in (r, g, b) or g - r != b - g:
        raise ValueError(f"unsupported surface channel layout (byte offsets R{r} G{g} B{b})")
    w, h = s.get_size()
    keep.append(s)
    base = s._pixels_address
    unused = [i for i in range(bs) if i not in offs]
    return {"data": base + r, "h": h, "w": w, "n": 3, "sy": s.get_pitch(), "sx": bs,
            "sc": g - r, "alpha": None if a is None else base + a, "asx": bs,
            "asy": s.get_pitch(), "surface": s,
            "pad": base + unused[0] if unused and a is None else None}


MAX_SIDE = 1 << 24          # WARMPOOL_RESIZE_MAX_SIDE
_MAX_STRIDE = 1 << (8 * ctypes.sizeof(ctypes.c_ssize_t) - 2)


def _cimage(d, with_alpha=True):
    if not (1 <= d["w"] <= MAX_SIDE and 1 <= d["h"] <= MAX_SIDE):
        raise ValueError(f"image sides must be 1..{MAX_SIDE}, not {d['w']}x{d['h']}")
    if any(abs(d[k]) >= _MAX_STRIDE for k in ("sx", "sy", "sc", "asx", "asy")):
        raise ValueError("a stride does not fit this platform's ptrdiff_t")
    alpha = d["alpha"] if with_alpha else None
    return _CImage(d["data"], d["w"], d["h"], d["n"], d["sx"], d["sy"], d["sc"], alpha,
                   d["asx"] if alpha else 0, d["asy"] if alpha else 0)


def _error(err, what):
    name = {22: "EINVAL", 75: "EOVERFLOW", 12: "ENOMEM", 16: "EBUSY"}.get(err, str(err))
    text = f"{what}: {os.strerror(err)} ({name})"
    if err == 12:
        return MemoryError(text)
    if err == 16:
        return RuntimeError(text)
    return ValueError(text + ": the images overlap, or a view is impossible "
                      "(sizes, channel counts, strides)")


def _prepare(src, dst, filter):
    try:
        code = FILTERS[filter]
    except (KeyError, TypeError):
        raise ValueError(f"filter must be one of {sorted(FILTERS)}, not {filter!r}") from None
    keep = []
    s, d = _describe(src, False, keep), _describe(dst, True, keep)
    # Two 32-bit surfaces without alpha: their unused bytes are part of the surfaces, so
    # carrying them along as a 4th channel makes both gap-free (the fast path).
    if s.get("pad") is not None and d.get("pad") is not None:
        for x in (s, d):
            x["alpha"], x["asx"], x["asy"] = x["pad"], x["sx"], x["sy"]
    # A surface's alpha channel is used when the other side has a channel for it.
    cs, cd = _cimage(s), _cimage(d)
    ns, nd = cs.channels + bool(cs.alpha), cd.channels + bool(cd.alpha)
    if ns == nd + 1 and s["surface"] is not None and cs.alpha:
        cs, ns = _cimage(s, False), nd
    elif nd == ns + 1 and d["surface"] is not None and cd.alpha:
        cd, nd = _cimage(d, False), ns
    if ns != nd:
        raise ValueError(f"src has {ns} channels, dst has {nd}")
    return code, cs, cd, keep, [x["surface"] for x in (s, d) if x["surface"] is not None]


_local = threading.local()


class _Resizer:
    """One C resizer (weight tables + scratch) per thread and library."""

    def __init__(self, lib):
        self.lib = lib
        self.handle = lib.warmpool_resizer_create()
        if not self.handle:
            raise MemoryError("warmpool_resizer_create failed")

    def __del__(self):
        h, self.handle = getattr(self, "handle", None), None
        if h:
            self.lib.warmpool_resizer_destroy(h)


def _resizer(lib):
    cache = getattr(_local, "resizers", None)
    if cache is None:
        cache = _local.resizers = {}
    r = cache.get(lib.path)
    if r is None:
        r = cache[lib.path] = _Resizer(lib)
    return r


_default = []


def _default_library():
    # load() looks at the file system every time; resizing is called per frame.
    if not _default:
        _default.append(_lib.default_library())
    return _default[0]


def resize(src, dst, filter="area", pool=None):
    """Resizes src into dst (see the module docstring). Returns dst."""
    code, cs, cd, keep, surfaces = _prepare(src, dst, filter)
    if pool is None:
        lib = _default_library()
    elif hasattr(pool, "_use") and hasattr(pool, "_lib"):
        lib = pool._lib
    else:
        raise TypeError("pool must be a warmpool.Pool or None")
    locked = []
    try:
        for s in surfaces:
            s.lock()
            locked.append(s)
        r = _resizer(lib)
        if pool is None:
            err = lib.warmpool_resize(r.handle, None, ctypes.addressof(cs), ctypes.addressof(cd), code)
        else:
            with pool._use() as h:
                err = lib.warmpool_resize(r.handle, h, ctypes.addressof(cs), ctypes.addressof(cd), code)
    finally:
        for s in locked:
            s.unlock()
    del keep
    if err:
        raise _error(err, "warmpool_resize")
    return dst


def layout(src, dst, filter="area", library=None):
    """The path warmpool_resize would take, as a set of names: src_packed, dst_packed,
    transposed, swizzled, halve, dst_tiled (empty: the general strided path)."""
    code, cs, cd, keep, _ = _prepare(src, dst, filter)
    lib = library if isinstance(library, _lib.Library) else _lib.load(library)
    path = ctypes.c_uint(0)
    err = lib.warmpool_resize_layout(ctypes.addressof(cs), ctypes.addressof(cd), code,
                                     ctypes.addressof(path))
    del keep
    if err:
        raise _error(err, "warmpool_resize_layout")
    return {name for bit, name in PATH_BITS.items() if path.value & bit}


def simd(library=None):
    """True if resize() runs vector loops with this library on this CPU (AVX2 natively,
    always in the Wasm build); False if only scalar code runs (same bytes, slower)."""
    lib = library if isinstance(library, _lib.Library) else _lib.load(library)
    return bool(lib.warmpool_resize_simd())
