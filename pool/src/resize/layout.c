/* layout.c - validating image views and choosing the fastest safe path.
 *
 * Addresses are handled as integers: a view may legitimately start below the bytes it
 * names first (pixels3d points at byte 2 of a BGRA pixel and steps backwards), and the
 * overlap tests compare bytes of unrelated buffers, which C pointers may not do. */
#include "resize/resize_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Every extent stays below this, so sums of a few of them never overflow. */
#define MAX_SPAN ((int64_t)(PTRDIFF_MAX / 8))

typedef struct plane { uintptr_t p; ptrdiff_t sx, sy; int w, h; } plane;

static int64_t span(int n, ptrdiff_t s, int *err) {
    int64_t a = s < 0 ? -(int64_t)s : (int64_t)s;
    if (a > MAX_SPAN || (n > 1 && a > MAX_SPAN / (n - 1))) { *err = EOVERFLOW; return 0; }
    return (int64_t)(n - 1) * a;
}

/* The lowest and highest byte a plane names; EOVERFLOW if that wraps the address space. */
static int plane_range(const plane *a, uintptr_t *lo, uintptr_t *hi) {
    int err = 0;
    int64_t ex = span(a->w, a->sx, &err), ey = span(a->h, a->sy, &err);
    if (err) return err;
    uintptr_t below = (uintptr_t)((a->sx < 0 ? ex : 0) + (a->sy < 0 ? ey : 0));
    uintptr_t above = (uintptr_t)((a->sx > 0 ? ex : 0) + (a->sy > 0 ? ey : 0));
    if (below > a->p || above > UINTPTR_MAX - a->p) return EOVERFLOW;
    *lo = a->p - below;
    *hi = a->p + above;
    return 0;
}

/* b - a as a signed number (uintptr_t subtraction wraps on 32-bit Wasm). */
static int64_t addr_diff(uintptr_t b, uintptr_t a) {
    return b >= a ? (int64_t)(b - a) : -(int64_t)(a - b);
}

static int64_t floor_div(int64_t a, int64_t b) { /* b > 0 */
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* Is d == i*sa + j*sb for some i in [ilo, ihi], j in [jlo, jhi], (i,j) != (0,0) when
   `self`? With |sa| <= |sb| only j near d/sb can work, which keeps this O(1) for
   ordinary layouts and bounded by the row count for odd ones. */
static int lattice_hits(int64_t d, int64_t sa, int64_t ilo, int64_t ihi, int64_t sb,
                        int64_t jlo, int64_t jhi, int self) {
    int64_t t;
    if ((sa < 0 ? -sa : sa) > (sb < 0 ? -sb : sb)) {
        t = sa; sa = sb; sb = t;
        t = ilo; ilo = jlo; jlo = t;
        t = ihi; ihi = jhi; jhi = t;
    }
    if (sa < 0) { sa = -sa; t = ilo; ilo = -ihi; ihi = -t; }
    if (sb < 0) { sb = -sb; t = jlo; jlo = -jhi; jhi = -t; }
    if (sb == 0) /* both strides zero: every (i,j) names byte 0 */
        return d == 0 && (!self || ilo < ihi || jlo < jhi);
    int64_t m = (ihi > -ilo ? ihi : -ilo) * sa;
    int64_t j0 = -floor_div(-(d - m), sb), j1 = floor_div(d + m, sb);
    if (j0 < jlo) j0 = jlo;
    if (j1 > jhi) j1 = jhi;
    for (int64_t j = j0; j <= j1; j++) {
        int64_t r = d - j * sb;
        if (sa == 0) {
            if (r == 0 && (!self || j != 0 || ilo < ihi)) return 1;
        } else if (r % sa == 0) {
            int64_t i = r / sa;
            if (i >= ilo && i <= ihi && !(self && i == 0 && j == 0)) return 1;
        }
    }
    return 0;
}

/* May a byte of `a` be a byte of `b`? Exact when both step alike, else by address range. */
static int planes_meet(const plane *a, const plane *b) {
    uintptr_t alo, ahi, blo, bhi;
    if (plane_range(a, &alo, &ahi) || plane_range(b, &blo, &bhi)) return 1;
    if (ahi < blo || bhi < alo) return 0;
    if (a->sx != b->sx || a->sy != b->sy) return 1;
    int64_t d = addr_diff(b->p, a->p); /* a + i*sx + j*sy == b + k*sx + l*sy */
    return lattice_hits(d, a->sx, -(int64_t)(b->w - 1), a->w - 1, a->sy,
                        -(int64_t)(b->h - 1), a->h - 1, 0);
}

static int plane_self_overlaps(const plane *a) {
    return lattice_hits(0, a->sx, -(int64_t)(a->w - 1), a->w - 1, a->sy,
                        -(int64_t)(a->h - 1), a->h - 1, 1);
}

static plane plane_of(const rz_view *v, int c) {
    plane p = { v->ptr[c], v->sx[c], v->sy[c], v->w, v->h };
    return p;
}

static int view_init(rz_view *v, const warmpool_image *im) {
    if (!im || !im->data || im->width < 1 || im->height < 1 || im->channels < 1 ||
        im->channels > 4 || im->channels + (im->alpha != NULL) > 4)
        return EINVAL;
    if (im->width > WARMPOOL_RESIZE_MAX_SIDE || im->height > WARMPOOL_RESIZE_MAX_SIDE)
        return EOVERFLOW; /* kernels index rows with int */
    v->w = im->width;
    v->h = im->height;
    v->n = im->channels + (im->alpha != NULL);
    int err = 0;
    (void)span(im->channels, im->stride_c, &err); /* only its overflow check */
    if (err) return err;
    for (int c = 0; c < im->channels; c++) {
        int64_t o = (int64_t)c * im->stride_c; /* within the span just checked */
        if (o < 0 ? (uintptr_t)-o > (uintptr_t)im->data
                  : (uintptr_t)o > UINTPTR_MAX - (uintptr_t)im->data)
            return EOVERFLOW;
        v->ptr[c] = (uintptr_t)im->data + (uintptr_t)o;
        v->sx[c] = im->stride_x;
        v->sy[c] = im->stride_y;
    }
    if (im->alpha) {
        v->ptr[v->n - 1] = (uintptr_t)im->alpha;
        v->sx[v->n - 1] = im->alpha_stride_x;
        v->sy[v->n - 1] = im->alpha_stride_y;
    }
    /* The stride of an axis of length 1 is never used: make it the packed one. */
    for (int c = 0; c < v->n; c++) {
        if (v->w == 1) v->sx[c] = v->n;
        if (v->h == 1) v->sy[c] = v->n;
        plane p = plane_of(v, c);
        uintptr_t lo, hi;
        if ((err = plane_range(&p, &lo, &hi))) return err;
    }
    return 0;
}

static void view_swap_axes(rz_view *v) {
    int t = v->w; v->w = v->h; v->h = t;
    for (int c = 0; c < v->n; c++) {
        ptrdiff_t s = v->sx[c]; v->sx[c] = v->sy[c]; v->sy[c] = s;
    }
}

/* Channels interleaved without gaps along x, in any order? Fills base/row/off. */
static int view_packed(rz_view *v) {
    uintptr_t lo = v->ptr[0];
    unsigned seen = 0;
    for (int c = 0; c < v->n; c++) {
        if (v->sx[c] != v->n || v->sy[c] != v->sy[0]) return 0;
        if (v->ptr[c] < lo) lo = v->ptr[c];
    }
    for (int c = 0; c < v->n; c++) {
        uintptr_t o = v->ptr[c] - lo;
        if (o >= (uintptr_t)v->n || (seen >> o & 1u)) return 0;
        seen |= 1u << o;
        v->off[c] = (uint8_t)o;
    }
    v->base = lo;
    v->row = v->sy[0];
    return 1;
}

/* Do the x steps of every channel stay below its y steps (rows are walked in memory
   order)? */
static int x_inner(const rz_view *v) {
    for (int c = 0; c < v->n; c++) {
        ptrdiff_t ax = v->sx[c] < 0 ? -v->sx[c] : v->sx[c], ay = v->sy[c] < 0 ? -v->sy[c] : v->sy[c];
        if (ax > ay) return 0;
    }
    return 1;
}

/* Packed views first (src counts more: it is read more), then memory order. */
/* Both views 3 channels in 4-byte pixels (x step 4), each channel at the same byte of
   the pixel in src and dst: which bytes (the halving kernel's masks), else 0. */
static unsigned gap_mask(rz_plan *pl) {
    const rz_view *s = &pl->s, *d = &pl->d;
    if (!s->pix || !d->pix || s->n != 3 || s->sx[0] != 4 || d->sx[0] != 4) return 0;
    ptrdiff_t ms = 0, md = 0;
    for (int c = 0; c < 3; c++) {
        if (s->coff[c] < ms) ms = s->coff[c];
        if (d->coff[c] < md) md = d->coff[c];
    }
    unsigned mask = 0;
    for (int c = 0; c < 3; c++) {
        ptrdiff_t b = s->coff[c] - ms;
        if (b > 3 || d->coff[c] - md != b) return 0;
        mask |= 1u << b;
    }
    pl->gap_s = ms;
    pl->gap_d = md;
    return mask;
}

/* Pixels of at most 4 bytes (every channel steps alike) laid out along x: rows can be
   read a pixel at a time. */
static int pixel_rows(const rz_view *v) {
    for (int c = 0; c < v->n; c++)
        if (v->sx[c] != v->sx[0] || v->sy[c] != v->sy[0]) return 0;
    ptrdiff_t ax = v->sx[0] < 0 ? -v->sx[0] : v->sx[0], ay = v->sy[0] < 0 ? -v->sy[0] : v->sy[0];
    return ax <= 4 && ax < ay;
}

/* The source's memory order counts most: its rows are read many times (once per output
   row that needs them), while a dst that runs the other way is written through tiles. */
static int orientation_score(rz_view s, rz_view d) {
    return 8 * (view_packed(&s) || pixel_rows(&s)) + 4 * view_packed(&d) + 2 * x_inner(&s) +
           x_inner(&d);
}

/* A pix view whose channels sit within `unit` bytes (a pixel): the byte of lane k
   (lanes in the order lane_ch) relative to the lowest, and that lowest byte's address.
   0 if the channels lie further apart (planes that happen to share strides). */
static int pixel_bytes(const rz_view *v, const uint8_t *lane_ch, uint8_t *byte, uintptr_t *px) {
    ptrdiff_t lo = 0, hi = 0;
    for (int c = 0; c < v->n; c++) {
        if (v->coff[c] < lo) lo = v->coff[c];
        if (v->coff[c] > hi) hi = v->coff[c];
    }
    ptrdiff_t ax = v->sx[0] < 0 ? -v->sx[0] : v->sx[0];
    if (!v->pix || hi - lo > 3 || hi - lo >= ax) return 0;
    for (int k = 0; k < v->n; k++) byte[k] = (uint8_t)(v->coff[lane_ch[k]] - lo);
    *px = v->ptr[0] + (uintptr_t)lo;
    return 1;
}

int rz_plan_make(rz_plan *pl, const warmpool_image *src, const warmpool_image *dst,
                 int filter) {
    int err;
    const int scalar = filter & WARMPOOL_RESIZE_SCALAR;
    filter &= ~WARMPOOL_RESIZE_SCALAR;
    if (filter != WARMPOOL_RESIZE_AREA && filter != WARMPOOL_RESIZE_BILINEAR) return EINVAL;
    pl->simd = pl->simd512 = 0;
#if RZ_HAVE_SIMD
    pl->simd = !scalar && rz_simd();
#endif
#if RZ_HAVE_AVX2
    pl->simd512 = !scalar && rz_avx512();
#endif
    (void)scalar;
    if ((err = view_init(&pl->s, src)) || (err = view_init(&pl->d, dst))) return err;
    rz_view *s = &pl->s, *d = &pl->d;
    if (s->n != d->n) return EINVAL;

    for (int c = 0; c < d->n; c++) {
        plane a = plane_of(d, c);
        if (plane_self_overlaps(&a)) return EINVAL;
        for (int e = 0; e < c; e++) {
            plane b = plane_of(d, e);
            if (planes_meet(&a, &b)) return EINVAL;
        }
        for (int e = 0; e < s->n; e++) {
            plane b = plane_of(s, e);
            if (planes_meet(&a, &b)) return EINVAL;
        }
    }

    pl->path = 0;
    rz_view ts = *s, td = *d;
    view_swap_axes(&ts);
    view_swap_axes(&td);
    if (orientation_score(ts, td) > orientation_score(*s, *d)) {
        *s = ts;
        *d = td;
        pl->path |= WARMPOOL_RESIZE_TRANSPOSED;
    }
    for (rz_view *v = s; v; v = v == s ? d : NULL) {
        v->pix = 1;
        for (int c = 0; c < v->n; c++) {
            v->pix &= v->sx[c] == v->sx[0] && v->sy[c] == v->sy[0];
            v->coff[c] = (ptrdiff_t)addr_diff(v->ptr[c], v->ptr[0]);
        }
    }
    s->packed = view_packed(s);
    d->packed = view_packed(d);
    if (s->packed) pl->path |= WARMPOOL_RESIZE_SRC_PACKED;
    if (d->packed) pl->path |= WARMPOOL_RESIZE_DST_PACKED;
    /* lanes: the channels in src byte order when src pixels are interleaved */
    for (int k = 0; k < s->n; k++) pl->lane_ch[k] = (uint8_t)k;
    if (s->pix)
        for (int c = 0; c < s->n; c++) {
            int rank = 0;
            for (int e = 0; e < s->n; e++) rank += s->coff[e] < s->coff[c];
            pl->lane_ch[rank] = (uint8_t)c;
        }
    for (int k = 0; k < s->n; k++) {
        pl->lane_dst[k] = d->packed ? d->off[pl->lane_ch[k]] : (uint8_t)k;
        if (d->packed && pl->lane_dst[k] != k) pl->path |= WARMPOOL_RESIZE_SWIZZLED;
    }
    pl->s_px = pl->d_px = 0;
    memset(pl->s_byte, 0, sizeof pl->s_byte);
    memset(pl->d_byte, 0, sizeof pl->d_byte);
    const int s_pixels = pixel_bytes(s, pl->lane_ch, pl->s_byte, &pl->s_px);
    const int d_pixels = pixel_bytes(d, pl->lane_ch, pl->d_byte, &pl->d_px);
    pl->d_pixels = d_pixels;
    pl->s_unit = 0;
    if (pl->simd && s->n == 3 && s->packed) pl->s_unit = 3;
    if (pl->simd512 && s->n == 3 && s_pixels && s->sx[0] == 4) pl->s_unit = 4;
    /* Pixels with gap bytes that the vector loops cannot skip (one channel; three without
       masked loads): rows are packed first, byte by byte where nothing else can. */
    pl->s_compact = pl->simd && s_pixels && !s->packed && s->sx[0] == 4 &&
                    (s->n == 1 || (s->n == 3 && pl->s_unit != 4));
    const ptrdiff_t dax = d->sx[0] < 0 ? -d->sx[0] : d->sx[0];
    const ptrdiff_t day = d->sy[0] < 0 ? -d->sy[0] : d->sy[0];
    if (d_pixels && day < dax) {
        pl->store = RZ_STORE_TILE;
        pl->path |= WARMPOOL_RESIZE_DST_TILED;
    } else {
        pl->store = d->packed && !(pl->path & WARMPOOL_RESIZE_SWIZZLED) ? RZ_STORE_DIRECT
                                                                        : RZ_STORE_ROW;
    }

    int grows = d->w > s->w || d->h > s->h;
    pl->mode = filter == WARMPOOL_RESIZE_BILINEAR ? RZ_LINEAR : grows ? RZ_AREA_LINEAR : RZ_BOX;
    pl->gap_mask = gap_mask(pl);
    /* An exact halving is the 2x2 mean for both filters: bilinear samples every output at
       the corner shared by four sources, with weights 1024 and 1024 on each axis. */
    if (pl->mode != RZ_AREA_LINEAR && s->pix && d->pix && s->w == 2 * d->w && s->h == 2 * d->h)
        pl->path |= WARMPOOL_RESIZE_HALVE;
    /* A halving reads each source byte once: packing rows first pays only where the
       packed kernel is a vector one and the packing too (one channel with AVX-512; on
       Wasm, byte-lane packing beats the scalar gap-byte halving, except for three
       channels stored back into gap-byte pixels). */
#if defined(WP_RESIZE_SIMD128)
    const int compact_halving = pl->simd && (s->n == 1 || pl->store != RZ_STORE_ROW);
#else
    const int compact_halving = pl->simd512 && s->n == 1;
#endif
    if ((pl->path & WARMPOOL_RESIZE_HALVE) && !compact_halving) pl->s_compact = 0;
    return 0;
}

int warmpool_resize_layout(const warmpool_image *src, const warmpool_image *dst, int filter,
                           unsigned *path) {
    rz_plan pl;
    if (!path) return EINVAL;
    int err = rz_plan_make(&pl, src, dst, filter);
    if (!err) *path = pl.path;
    return err;
}

int warmpool_resize_simd(void) {
#if RZ_HAVE_SIMD
    return rz_simd();
#else
    return 0;
#endif
}
