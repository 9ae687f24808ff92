/* resize_rows.c - the separable engine: horizontal sums of source rows into a small ring,
 * a vertical sum per output row, then the store into any dst layout.
 *
 * Sums are exact integers (Q11 x Q11 of uint8 stays below 2^31), so the order in which
 * axes or taps are summed never changes a result: the fast and the strided paths, and a
 * transposed job, give the same bytes. */
#include "resize_internal.h"

#include <string.h>

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)

/* Packed source row: lanes are the bytes of a pixel; constant n and k let the compiler
   unroll the tap and lane loops. */
static inline __attribute__((always_inline)) void
h_packed(const uint8_t *restrict row, int dw, const int n, const int k,
         const int32_t *restrict ofs, const int16_t *restrict w, int32_t *restrict out) {
    for (int x = 0; x < dw; x++) {
        const uint8_t *s = row + (ptrdiff_t)ofs[x] * n;
        const int16_t *wx = w + (ptrdiff_t)x * k;
        for (int c = 0; c < n; c++) {
            int32_t a = 0;
            for (int t = 0; t < k; t++) a += wx[t] * s[t * n + c];
            out[x * n + c] = a;
        }
    }
}

#define H_PACKED_K(N)                                                             \
    switch (t->kx) {                                                              \
    case 1: h_packed(row, dw, N, 1, t->xofs, t->xw, out); break;                  \
    case 2: h_packed(row, dw, N, 2, t->xofs, t->xw, out); break;                  \
    case 3: h_packed(row, dw, N, 3, t->xofs, t->xw, out); break;                  \
    default: h_packed(row, dw, N, t->kx, t->xofs, t->xw, out); break;             \
    }

/* Strided source: one channel at a time, each with its own address and strides. */
static void h_strided(const rz_plan *pl, const rz_tabs *t, int y, int32_t *restrict out) {
    const rz_view *s = &pl->s;
    const int n = s->n, dw = pl->d.w, k = t->kx;
    for (int c = 0; c < n; c++) {
        const uint8_t *p = (const uint8_t *)(s->ptr[c] + (uintptr_t)((ptrdiff_t)y * s->sy[c]));
        const ptrdiff_t sx = s->sx[c];
        for (int x = 0; x < dw; x++) {
            const uint8_t *q = p + (ptrdiff_t)t->xofs[x] * sx;
            const int16_t *wx = t->xw + (ptrdiff_t)x * k;
            int32_t a = 0;
            for (int i = 0; i < k; i++) a += wx[i] * q[i * sx];
            out[x * n + c] = a;
        }
    }
}

static void h_row(const rz_plan *pl, const rz_tabs *t, int y, int32_t *restrict out) {
    const rz_view *s = &pl->s;
    const int dw = pl->d.w;
    if (!s->packed) {
        h_strided(pl, t, y, out);
        return;
    }
    const uint8_t *row = (const uint8_t *)(s->base + (uintptr_t)((ptrdiff_t)y * s->row));
    switch (s->n) {
    case 1: H_PACKED_K(1) break;
    case 2: H_PACKED_K(2) break;
    case 3: H_PACKED_K(3) break;
    default: H_PACKED_K(4) break;
    }
}

static inline uint8_t round_q22(int32_t a) {
    a = (a + (1 << (2 * RZ_BITS - 1))) >> (2 * RZ_BITS);
    return (uint8_t)(a > 255 ? 255 : a < 0 ? 0 : a);
}

static void v_row(int32_t *const *rows, const int16_t *wy, int k, int len, uint8_t *restrict o) {
    if (k == 2) {
        const int32_t *restrict r0 = rows[0], *restrict r1 = rows[1];
        const int32_t w0 = wy[0], w1 = wy[1];
        for (int i = 0; i < len; i++) o[i] = round_q22(w0 * r0[i] + w1 * r1[i]);
        return;
    }
    for (int i = 0; i < len; i++) {
        int32_t a = 0;
        for (int j = 0; j < k; j++) a += wy[j] * rows[j][i];
        o[i] = round_q22(a);
    }
}

static void store(const rz_plan *pl, int y, const uint8_t *restrict lanes) {
    const rz_view *d = &pl->d;
    const int n = d->n, dw = d->w;
    if (d->packed) { /* so swizzled: rz_rows writes an identical order in place */
        uint8_t *o = (uint8_t *)(d->base + (uintptr_t)((ptrdiff_t)y * d->row));
        for (int x = 0; x < dw; x++)
            for (int k = 0; k < n; k++) o[x * n + pl->lane_dst[k]] = lanes[x * n + k];
        return;
    }
    for (int k = 0; k < n; k++) {
        const int c = pl->lane_ch[k];
        uint8_t *o = (uint8_t *)(d->ptr[c] + (uintptr_t)((ptrdiff_t)y * d->sy[c]));
        const ptrdiff_t sx = d->sx[c];
        for (int x = 0; x < dw; x++) o[x * sx] = lanes[x * n + k];
    }
}

size_t rz_rows_scratch(const rz_plan *pl, const rz_tabs *t) {
    size_t len = (size_t)pl->d.w * (size_t)pl->d.n;
    return ALIGN16(sizeof(int32_t) * len) * (size_t)t->ky + ALIGN16(sizeof(int) * (size_t)t->ky) +
           ALIGN16(len);
}

/* Source row y lives in ring slot y % ky while an output row needs it; consecutive
   output rows share source rows, so each is summed horizontally once per task. */
void rz_rows(const rz_plan *pl, const rz_tabs *t, void *scratch, int y0, int y1) {
    const int ky = t->ky;
    const size_t len = (size_t)pl->d.w * (size_t)pl->d.n;
    const size_t row_bytes = ALIGN16(sizeof(int32_t) * len);
    uint8_t *sc = scratch;
    int *tags = (int *)(void *)(sc + row_bytes * (size_t)ky);
    uint8_t *lanes = sc + row_bytes * (size_t)ky + ALIGN16(sizeof(int) * (size_t)ky);
    int32_t *rows[64];
    int32_t **rp = ky <= 64 ? rows : NULL;
    for (int i = 0; i < ky; i++) tags[i] = -1;
    const int direct = pl->d.packed && !(pl->path & WARMPOOL_RESIZE_SWIZZLED);
    for (int y = y0; y < y1; y++) {
        const int first = t->yofs[y];
        const int16_t *wy = t->yw + (ptrdiff_t)y * ky;
        for (int j = 0; j < ky; j++) {
            const int sy = first + j, slot = sy % ky;
            int32_t *r = (int32_t *)(void *)(sc + row_bytes * (size_t)slot);
            if (tags[slot] != sy) {
                h_row(pl, t, sy, r);
                tags[slot] = sy;
            }
            if (rp) rp[j] = r;
        }
        uint8_t *o = direct ? (uint8_t *)(pl->d.base + (uintptr_t)((ptrdiff_t)y * pl->d.row))
                            : lanes;
        if (rp) {
            v_row(rp, wy, ky, (int)len, o);
        } else { /* huge vertical factors: sum slot by slot */
            for (size_t i = 0; i < len; i++) {
                int32_t a = 0;
                for (int j = 0; j < ky; j++)
                    a += wy[j] * ((int32_t *)(void *)(sc + row_bytes * (size_t)((first + j) % ky)))[i];
                o[i] = round_q22(a);
            }
        }
        if (!direct) store(pl, y, lanes);
    }
}
