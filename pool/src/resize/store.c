/* store.c - packing a source row of 4-byte pixels with gap bytes (s_compact), and output
 * rows into dst: a row of lanes pixel by pixel, or a tile of rows
 * through a transpose when dst pixels are adjacent along y (a (w, h, 3) array for
 * surfarray.make_surface seen from the source's rows): each dst run of up to RZ_TILE
 * pixels is written at once instead of one byte per cache line per output row.
 * Only the described bytes of dst are written (gap bytes never). */
#include "resize/resize_internal.h"

#include <string.h>

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

/* Tile rows carry slack: the tile loops read a pixel as 4 bytes. */
size_t rz_lane_row(const rz_plan *pl) {
    return ALIGN16((size_t)pl->d.w * (size_t)pl->d.n + 16);
}

static uint32_t load32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

const uint8_t *rz_compact_row(const rz_plan *pl, int y, uint8_t *buf) {
    const uint8_t *px = (const uint8_t *)(pl->s_px + (uintptr_t)((ptrdiff_t)y * pl->s.sy[0]));
    const int w = pl->s.w;
    if (pl->s.n == 3) {
        const uint8_t b0 = pl->s_byte[0], b1 = pl->s_byte[1], b2 = pl->s_byte[2];
        int x = 0;
#if defined(WP_RESIZE_SIMD128)
        if (pl->simd) x = rz_compact3_simd(px, pl->s_byte, w, buf);
#endif
        for (; x < w; x++) {
            buf[3 * x] = px[4 * x + b0];
            buf[3 * x + 1] = px[4 * x + b1];
            buf[3 * x + 2] = px[4 * x + b2];
        }
        return buf;
    }
    int x = 0;
#if RZ_HAVE_AVX2
    if (pl->simd512) x = rz_compact1_avx512(px, 0, w, buf);
#elif defined(WP_RESIZE_SIMD128)
    if (pl->simd) x = rz_compact1_simd(px, w, buf);
#endif
    for (; x < w; x++) buf[x] = px[4 * x];
    return buf;
}

void rz_store_row(const rz_plan *pl, int y, const uint8_t *restrict lanes) {
    const rz_view *d = &pl->d;
    const int n = d->n;
    int dw = d->w;
    if (d->packed) { /* so swizzled: DIRECT otherwise */
        uint8_t *o = (uint8_t *)(d->base + (uintptr_t)((ptrdiff_t)y * d->row));
        for (int x = 0; x < dw; x++)
            for (int k = 0; k < n; k++) o[x * n + pl->lane_dst[k]] = lanes[x * n + k];
        return;
    }
    if (pl->d_pixels) {
        uint8_t *o = (uint8_t *)(pl->d_px + (uintptr_t)((ptrdiff_t)y * d->sy[0]));
        const ptrdiff_t sx = d->sx[0];
        int x = 0;
#if RZ_HAVE_AVX2
        if (pl->simd512 && n == 3 && sx == 4) x = rz_store_gap3_avx512(lanes, o, dw, pl->d_byte);
        if (pl->simd512 && n == 1 && sx == 4) x = rz_store_gap1_avx512(lanes, o, dw, 0);
#elif defined(WP_RESIZE_SIMD128)
        if (pl->simd && n == 3 && sx == 4) x = rz_store_gap3_simd(lanes, o, dw, pl->d_byte);
        if (pl->simd && n == 1 && sx == 4) x = rz_store_gap1_simd(lanes, o, dw);
#endif
        for (; x < dw; x++)
            for (int k = 0; k < n; k++) o[x * sx + pl->d_byte[k]] = lanes[x * n + k];
        return;
    }
    for (int k = 0; k < n; k++) {
        const int c = pl->lane_ch[k];
        uint8_t *o = (uint8_t *)(d->ptr[c] + (uintptr_t)((ptrdiff_t)y * d->sy[c]));
        const ptrdiff_t sx = d->sx[c];
        for (int x = 0; x < dw; x++) o[x * sx] = lanes[x * n + k];
    }
}

/* Three lanes into 3-byte dst pixels, bytes in lane order or reversed: a 4-byte copy per
   pixel, each overlapping the next pixel's first byte, which that pixel then rewrites;
   the run's last pixel is written as 2 + 1 bytes, so nothing past the run is touched. */
static inline __attribute__((always_inline)) void
run3(uint8_t *restrict q, const uint8_t *restrict p, size_t step, int rows, const int rev) {
    int t = 0;
    for (; t + 1 < rows; t++) {
        uint32_t v = load32(p + step * (size_t)t);
        if (rev) v = __builtin_bswap32(v) >> 8;
        memcpy(q + 3 * t, &v, 4);
    }
    const uint8_t *l = p + step * (size_t)t;
    uint8_t *o = q + 3 * t;
    o[0] = l[rev ? 2 : 0];
    o[1] = l[1];
    o[2] = l[rev ? 0 : 2];
}

/* Columns [x0, x1), tile rows [t0, t1) of a tile. */
static void store_rect(const rz_plan *pl, uint8_t *q0, const uint8_t *restrict tile, int x0,
                       int x1, int t0, int t1) {
    const rz_view *d = &pl->d;
    const int n = d->n, rows = t1 - t0;
    const size_t step = rz_lane_row(pl);
    const ptrdiff_t sx = d->sx[0], sy = d->sy[0];
    const uint8_t *b = pl->d_byte;
    q0 += t0 * sy;
    tile += step * (size_t)t0;
    if (rows <= 0) return;
    if (n == 3 && sy == 3 && b[1] == 1 && (b[0] == 0 || b[0] == 2)) {
        const int rev = b[0] == 2;
        for (int x = x0; x < x1; x++) {
            if (rev) run3(q0 + x * sx, tile + 3 * x, step, rows, 1);
            else run3(q0 + x * sx, tile + 3 * x, step, rows, 0);
        }
        return;
    }
    if (n == 4 && sy == 4 && b[0] == 0 && b[1] == 1 && b[2] == 2 && b[3] == 3) {
        for (int x = x0; x < x1; x++)
            for (int t = 0; t < rows; t++) memcpy(q0 + x * sx + 4 * t, tile + step * (size_t)t + 4 * x, 4);
        return;
    }
    for (int x = x0; x < x1; x++) {
        uint8_t *q = q0 + x * sx;
        for (int t = 0; t < rows; t++) {
            const uint8_t *l = tile + step * (size_t)t + (size_t)n * (size_t)x;
            for (int k = 0; k < n; k++) q[t * sy + b[k]] = l[k];
        }
    }
}

void rz_store_tile(const rz_plan *pl, int y, int rows, const uint8_t *restrict tile, int x0) {
    const rz_view *d = &pl->d;
    const int n = d->n, dw = d->w;
    uint8_t *q0 = (uint8_t *)(pl->d_px + (uintptr_t)((ptrdiff_t)y * d->sy[0]));
    int x = x0, t = 0;
#if RZ_HAVE_SIMD
    /* gap-free dst pixels along y (the channel bytes of a pixel are then 0..n-1) */
    if (pl->simd && (n == 3 || n == 4) && d->sy[0] == n && rows >= 8) {
        t = rows & ~7;
        x += rz_store_tile_simd(tile + (size_t)(n * x0), rz_lane_row(pl), t, q0 + x0 * d->sx[0],
                                d->sx[0], dw - x0, n, pl->d_byte);
    }
#endif
    store_rect(pl, q0, tile, x0, x, t, rows);
    store_rect(pl, q0, tile, x, dw, 0, rows);
}
