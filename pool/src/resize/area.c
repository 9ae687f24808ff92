/* area.c - the area (box) filter: weight tables and the exact 2x2 halving kernel. */
#include "resize/resize_internal.h"

#include <string.h>

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

/* Output d covers source coordinates [d*sn/dn, (d+1)*sn/dn). Scaled by dn that is
   [d*sn, (d+1)*sn) against source i's [i*dn, (i+1)*dn): integers, so coverage is exact. */
static void box_span(int sn, int dn, int d, int *first, int *last) {
    *first = (int)((int64_t)d * sn / dn);
    *last = (int)(((int64_t)(d + 1) * sn + dn - 1) / dn) - 1;
}

int rz_box_taps(int sn, int dn) {
    int k = 1;
    for (int d = 0; d < dn; d++) {
        int f, l;
        box_span(sn, dn, d, &f, &l);
        if (l - f + 1 > k) k = l - f + 1;
    }
    return k;
}

/* Rounding the running total rather than each weight keeps every weight within one unit
   of its exact value and makes each output's weights sum to exactly RZ_ONE. */
void rz_box_table(int sn, int dn, int k, int32_t *ofs, int16_t *w) {
    for (int d = 0; d < dn; d++) {
        int f, l;
        box_span(sn, dn, d, &f, &l);
        int start = f < sn - k ? f : sn - k;
        int16_t *wd = w + (size_t)d * k;
        for (int t = 0; t < k; t++) wd[t] = 0;
        int64_t lo = (int64_t)d * sn, hi = lo + sn, covered = 0, prev = 0;
        for (int i = f; i <= l; i++) {
            int64_t a = (int64_t)i * dn, b = a + dn;
            covered += (hi < b ? hi : b) - (lo > a ? lo : a);
            int64_t cum = (2 * covered * RZ_ONE + sn) / (2 * (int64_t)sn);
            wd[i - start] = (int16_t)(cum - prev);
            prev = cum;
        }
        ofs[d] = start;
    }
}

/* The fixed-point box of a 2x2 halving is exactly (a+b+c+d+2)>>2. A constant channel
   count makes the inner loop a fixed-shape interleaved pattern gcc and clang vectorise. */
static inline __attribute__((always_inline)) void
halve_row(const uint8_t *restrict s0, const uint8_t *restrict s1, uint8_t *restrict d, int dw,
          const int n) {
    for (int x = 0; x < dw; x++)
        for (int c = 0; c < n; c++) {
            const int i = 2 * x * n + c;
            d[x * n + c] = (uint8_t)((s0[i] + s0[i + n] + s1[i] + s1[i + n] + 2) >> 2);
        }
}

/* Four channels: whole pixels as 32-bit lanes, even and odd pixels split by a shuffle,
   and the four bytes summed two at a time in 16-bit fields (4*255+2 fits), which beats
   what either compiler makes of the interleaved loop by about 3x. */
typedef uint32_t rz_u32x4 __attribute__((vector_size(16)));

static void halve_row4(const uint8_t *restrict s0, const uint8_t *restrict s1,
                       uint8_t *restrict d, int dw) {
    const rz_u32x4 m = { 0x00ff00ffu, 0x00ff00ffu, 0x00ff00ffu, 0x00ff00ffu };
    const rz_u32x4 half = { 0x00020002u, 0x00020002u, 0x00020002u, 0x00020002u };
    int x = 0;
    for (; x + 4 <= dw; x += 4) {
        rz_u32x4 a0, a1, b0, b1;
        memcpy(&a0, s0 + 8 * x, 16);
        memcpy(&a1, s0 + 8 * x + 16, 16);
        memcpy(&b0, s1 + 8 * x, 16);
        memcpy(&b1, s1 + 8 * x + 16, 16);
        rz_u32x4 e0 = __builtin_shufflevector(a0, a1, 0, 2, 4, 6);
        rz_u32x4 o0 = __builtin_shufflevector(a0, a1, 1, 3, 5, 7);
        rz_u32x4 e1 = __builtin_shufflevector(b0, b1, 0, 2, 4, 6);
        rz_u32x4 o1 = __builtin_shufflevector(b0, b1, 1, 3, 5, 7);
        rz_u32x4 lo = (e0 & m) + (o0 & m) + (e1 & m) + (o1 & m) + half;
        rz_u32x4 hi = ((e0 >> 8) & m) + ((o0 >> 8) & m) + ((e1 >> 8) & m) + ((o1 >> 8) & m) + half;
        rz_u32x4 out = ((lo >> 2) & m) | ((hi << 6) & ~m);
        memcpy(d + 4 * x, &out, 16);
    }
    halve_row(s0 + 8 * x, s1 + 8 * x, d + 4 * x, dw - x, 4);
}

/* One channel: byte pairs as 16-bit lanes; the pair sum is low byte plus high byte
   (either byte order), four of them fit the lane. */
typedef uint16_t rz_u16x8 __attribute__((vector_size(16)));
typedef uint8_t rz_u8x8 __attribute__((vector_size(8)));

static void halve_row1(const uint8_t *restrict s0, const uint8_t *restrict s1,
                       uint8_t *restrict d, int dw) {
    int x = 0;
    for (; x + 8 <= dw; x += 8) {
        rz_u16x8 a, b;
        memcpy(&a, s0 + 2 * x, 16);
        memcpy(&b, s1 + 2 * x, 16);
        rz_u16x8 sum = ((a & 0xff) + (a >> 8) + (b & 0xff) + (b >> 8) + 2) >> 2;
        rz_u8x8 out = __builtin_convertvector(sum, rz_u8x8);
        memcpy(d + x, &out, 8);
    }
    halve_row(s0 + 2 * x, s1 + 2 * x, d + x, dw - x, 1);
}

static void halve_row_swizzled(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw, int n,
                               const uint8_t *lane_dst) {
    for (int x = 0; x < dw; x++)
        for (int k = 0; k < n; k++) {
            const int i = 2 * x * n + k;
            d[x * n + lane_dst[k]] = (uint8_t)((s0[i] + s0[i + n] + s1[i] + s1[i + n] + 2) >> 2);
        }
}

/* Views whose channels share strides but are not gap-free (pixels3d without its alpha
   plane): byte by byte, so the gap bytes are never read. */
static inline __attribute__((always_inline)) void
halve_row_pix(const uint8_t *s0, const uint8_t *s1, ptrdiff_t sp, const ptrdiff_t *so,
              uint8_t *d, ptrdiff_t dp, const ptrdiff_t *dof, int dw, const int n) {
    ptrdiff_t a[4] = { 0, 0, 0, 0 }, b[4] = { 0, 0, 0, 0 };
    for (int c = 0; c < n; c++) { a[c] = so[c]; b[c] = dof[c]; }
    for (int x = 0; x < dw; x++) {
        const uint8_t *p0 = s0 + 2 * x * sp, *p1 = s1 + 2 * x * sp;
        uint8_t *q = d + x * dp;
        for (int c = 0; c < n; c++)
            q[b[c]] = (uint8_t)((p0[a[c]] + p0[a[c] + sp] + p1[a[c]] + p1[a[c] + sp] + 2) >> 2);
    }
}

static void halve_rows_pix(const rz_plan *pl, int y0, int y1) {
    const rz_view *s = &pl->s, *d = &pl->d;
    for (int y = y0; y < y1; y++) {
        const uint8_t *s0 = (const uint8_t *)(s->ptr[0] + (uintptr_t)(2 * (ptrdiff_t)y * s->sy[0]));
        const uint8_t *s1 = s0 + s->sy[0];
        uint8_t *o = (uint8_t *)(d->ptr[0] + (uintptr_t)((ptrdiff_t)y * d->sy[0]));
        int x = 0;
#if RZ_HAVE_AVX2
        if (pl->gap_mask && pl->simd512)
            x = rz_halve_row_gap4_avx512(s0 + pl->gap_s, s1 + pl->gap_s, o + pl->gap_d, d->w,
                                         pl->gap_mask);
#endif
        s0 += 2 * x * s->sx[0];
        s1 += 2 * x * s->sx[0];
        o += x * d->sx[0];
        if (d->n == 3)
            halve_row_pix(s0, s1, s->sx[0], s->coff, o, d->sx[0], d->coff, d->w - x, 3);
        else
            halve_row_pix(s0, s1, s->sx[0], s->coff, o, d->sx[0], d->coff, d->w - x, d->n);
    }
}

/* One output row of a packed source as lanes (its own byte order). */
static void halve_packed(const rz_plan *pl, const uint8_t *s0, const uint8_t *s1, uint8_t *o) {
    const int dw = pl->d.w;
    switch (pl->s.n) {
    case 1: {
        int x = 0;
#if RZ_HAVE_SIMD
        if (pl->simd) x = rz_halve_row1_simd(s0, s1, o, dw);
#endif
        halve_row1(s0 + 2 * x, s1 + 2 * x, o + x, dw - x);
        break;
    }
    case 2: halve_row(s0, s1, o, dw, 2); break;
    case 3: {
        int x = 0;
#if RZ_HAVE_SIMD
        if (pl->simd) x = rz_halve_row3_simd(s0, s1, o, dw);
#endif
        halve_row(s0 + 6 * x, s1 + 6 * x, o + 3 * x, dw - x, 3);
        break;
    }
    default: {
        int x = 0;
#if RZ_HAVE_SIMD
        if (pl->simd) x = rz_halve_row4_simd(s0, s1, o, dw);
#endif
        halve_row4(s0 + 8 * x, s1 + 8 * x, o + 4 * x, dw - x);
        break;
    }
    }
}

/* Output row y as lanes, for a dst written through tiles or a row store. cbuf: two
   source rows (s_compact). */
static void halve_lanes(const rz_plan *pl, int y, uint8_t *o, uint8_t *cbuf) {
    const rz_view *s = &pl->s;
    const int n = s->n, dw = pl->d.w;
    if (pl->s_compact) {
        const size_t half = ALIGN16((size_t)s->w * (size_t)n);
        halve_packed(pl, rz_compact_row(pl, 2 * y, cbuf), rz_compact_row(pl, 2 * y + 1, cbuf + half), o);
        return;
    }
    if (s->packed) {
        const uint8_t *s0 = (const uint8_t *)(s->base + (uintptr_t)(2 * (ptrdiff_t)y * s->row));
        halve_packed(pl, s0, s0 + s->row, o);
        return;
    }
    const uint8_t *s0 = (const uint8_t *)(s->ptr[0] + (uintptr_t)(2 * (ptrdiff_t)y * s->sy[0]));
    const uint8_t *s1 = s0 + s->sy[0];
    int x = 0;
#if RZ_HAVE_AVX2
    if (pl->s_unit == 4) {
        const ptrdiff_t px = (ptrdiff_t)(pl->s_px - s->ptr[0]);
        x = rz_halve_row_gap3_avx512(s0 + px, s1 + px, o, dw, pl->s_byte);
    }
#endif
    ptrdiff_t so[4] = { 0, 0, 0, 0 }, lo[4] = { 0, 1, 2, 3 };
    for (int k = 0; k < n; k++) so[k] = s->coff[pl->lane_ch[k]];
    s0 += 2 * x * s->sx[0];
    s1 += 2 * x * s->sx[0];
    halve_row_pix(s0, s1, s->sx[0], so, o + n * x, n, lo, dw - x, n);
}

#if RZ_HAVE_AVX2
/* Output row y's lanes for columns [x0, d.w), at their places in a tile row o. */
static void halve_lanes_from(const rz_plan *pl, int y, int x0, uint8_t *o) {
    const rz_view *s = &pl->s;
    const int n = s->n;
    const uint8_t *s0 = (const uint8_t *)(s->ptr[0] + (uintptr_t)(2 * (ptrdiff_t)y * s->sy[0]));
    ptrdiff_t so[4] = { 0, 0, 0, 0 }, lo[4] = { 0, 1, 2, 3 };
    for (int k = 0; k < n; k++) so[k] = s->coff[pl->lane_ch[k]];
    s0 += 2 * x0 * s->sx[0];
    halve_row_pix(s0, s0 + s->sy[0], s->sx[0], so, o + n * x0, n, lo, pl->d.w - x0, n);
}
#endif

/* Three channels into 3-byte dst pixels along y: blocks of 8 output rows go from the
   source rows straight to dst (the vector kernels halve and transpose in registers),
   their last columns through the tile. Returns the first row not done. */
static int halve_tiled(const rz_plan *pl, uint8_t *tile, int y0, int y1) {
    int y = y0;
#if RZ_HAVE_AVX2
    const rz_view *s = &pl->s, *d = &pl->d;
    const int packed3 = pl->simd && s->packed && !pl->s_compact, gap3 = pl->s_unit == 4;
    if (d->n != 3 || d->sy[0] != 3 || !(packed3 || gap3)) return y0;
    const size_t step = rz_lane_row(pl);
    while (y1 - y >= 8) {
        const int rows = y1 - y >= RZ_TILE ? RZ_TILE : 8;
        uint8_t *q0 = (uint8_t *)(pl->d_px + (uintptr_t)((ptrdiff_t)y * d->sy[0]));
        const int x = packed3
            ? rz_halve_tile3_avx2((const uint8_t *)(s->base + (uintptr_t)(2 * (ptrdiff_t)y * s->row)),
                                  s->row, rows, q0, d->sx[0], d->w, pl->d_byte)
            : rz_halve_tile_gap3_avx512((const uint8_t *)(pl->s_px + (uintptr_t)(2 * (ptrdiff_t)y * s->sy[0])),
                                        s->sy[0], rows, q0, d->sx[0], d->w, pl->s_byte, pl->d_byte);
        if (x < d->w) {
            for (int t = 0; t < rows; t++) halve_lanes_from(pl, y + t, x, tile + step * (size_t)t);
            rz_store_tile(pl, y, rows, tile, x);
        }
        y += rows;
    }
#else
    (void)pl; (void)tile; (void)y1;
#endif
    return y;
}

/* Lanes go through a tile, or a row when the source is packed first (s_compact). */
static size_t lanes_size(const rz_plan *pl) {
    return pl->store == RZ_STORE_TILE ? rz_lane_row(pl) * RZ_TILE
           : pl->s_compact            ? rz_lane_row(pl) : 0;
}

size_t rz_halve_scratch(const rz_plan *pl) {
    return lanes_size(pl) + (pl->s_compact ? 2 * ALIGN16((size_t)pl->s.w * (size_t)pl->s.n) : 0);
}

void rz_halve_rows(const rz_plan *pl, void *scratch, int y0, int y1) {
    const rz_view *s = &pl->s, *d = &pl->d;
    uint8_t *cbuf = scratch ? (uint8_t *)scratch + lanes_size(pl) : NULL;
    if (pl->store == RZ_STORE_TILE) {
        uint8_t *tile = scratch;
        const size_t step = rz_lane_row(pl);
        for (int y = halve_tiled(pl, tile, y0, y1); y < y1; y += RZ_TILE) {
            const int rows = y1 - y < RZ_TILE ? y1 - y : RZ_TILE;
            for (int t = 0; t < rows; t++) halve_lanes(pl, y + t, tile + step * (size_t)t, cbuf);
            rz_store_tile(pl, y, rows, tile, 0);
        }
        return;
    }
    if (pl->s_compact) {
        for (int y = y0; y < y1; y++) {
            uint8_t *o = pl->store == RZ_STORE_DIRECT
                             ? (uint8_t *)(d->base + (uintptr_t)((ptrdiff_t)y * d->row)) : scratch;
            halve_lanes(pl, y, o, cbuf);
            if (pl->store == RZ_STORE_ROW) rz_store_row(pl, y, o);
        }
        return;
    }
    const int n = d->n, dw = d->w;
    if (!s->packed || !d->packed) {
        halve_rows_pix(pl, y0, y1);
        return;
    }
    for (int y = y0; y < y1; y++) {
        const uint8_t *s0 = (const uint8_t *)(s->base + (uintptr_t)(2 * (ptrdiff_t)y * s->row));
        const uint8_t *s1 = s0 + s->row;
        uint8_t *o = (uint8_t *)(d->base + (uintptr_t)((ptrdiff_t)y * d->row));
        if (pl->path & WARMPOOL_RESIZE_SWIZZLED)
            halve_row_swizzled(s0, s1, o, dw, n, pl->lane_dst);
        else
            halve_packed(pl, s0, s1, o);
    }
}
