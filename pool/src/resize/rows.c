/* rows.c - the separable engine: horizontal sums of source rows into a small ring,
 * a vertical sum per output row, then the store into any dst layout.
 *
 * Sums are exact integers (Q11 x Q11 of uint8 stays below 2^31), so the order in which
 * axes or taps are summed never changes a result: the fast and the strided paths, the
 * SIMD loops (prim/resize_avx2.c, prim/resize_simd128.c), and a transposed job all give the same
 * bytes. */
#include "resize/resize_internal.h"

#include <string.h>

#define ALIGN16(x) (((x) + 15) & ~(size_t)15)
/* Tap and lane loops have constant trip counts in the specialised copies; gcc -O2 keeps
   them as loops unless told (clang reads the same pragma). */
#define RZ_UNROLL _Pragma("GCC unroll 4")

/* Packed source row: lanes are the bytes of a pixel; constant n and k let the compiler
   unroll the tap and lane loops. */
static inline __attribute__((always_inline)) void
h_packed(const uint8_t *restrict row, int dw, const int n, const int k,
         const int32_t *restrict ofs, const int16_t *restrict w, int32_t *restrict out) {
    for (int x = 0; x < dw; x++) {
        const uint8_t *s = row + (ptrdiff_t)ofs[x] * n;
        const int16_t *wx = w + (ptrdiff_t)x * k;
        int32_t a[4] = { 0, 0, 0, 0 };
        RZ_UNROLL
        for (int t = 0; t < k; t++) {
            const int32_t wt = wx[t];
            RZ_UNROLL
            for (int c = 0; c < n; c++) a[c] += wt * s[t * n + c];
        }
        RZ_UNROLL
        for (int c = 0; c < n; c++) out[x * n + c] = a[c];
    }
}

#define H_PACKED_K(N)                                                             \
    switch (t->kx) {                                                              \
    case 1: h_packed(row, dw, N, 1, t->xofs, t->xw, out); break;                  \
    case 2: h_packed(row, dw, N, 2, t->xofs, t->xw, out); break;                  \
    case 3: h_packed(row, dw, N, 3, t->xofs, t->xw, out); break;                  \
    default: h_packed(row, dw, N, t->kx, t->xofs, t->xw, out); break;             \
    }

static void h_packed4_scalar(const uint8_t *restrict row, int dw, const rz_tabs *t,
                             int32_t *restrict out) {
    H_PACKED_K(4)
}

/* Channels that share x and y strides (pixels3d without its alpha plane: 3 of every 4
   bytes, stepping backwards): whole pixels at a time, gap bytes never read. */
static inline __attribute__((always_inline)) void
h_pix(const uint8_t *restrict row, int dw, const int n, const int k, ptrdiff_t step,
      const ptrdiff_t *coff, const int32_t *restrict ofs, const int16_t *restrict w,
      int32_t *restrict out) {
    ptrdiff_t o[4] = { 0, 0, 0, 0 };
    for (int c = 0; c < n; c++) o[c] = coff[c];
    for (int x = 0; x < dw; x++) {
        const uint8_t *s = row + (ptrdiff_t)ofs[x] * step;
        const int16_t *wx = w + (ptrdiff_t)x * k;
        int32_t a[4] = { 0, 0, 0, 0 };
        RZ_UNROLL
        for (int t = 0; t < k; t++) {
            const int32_t wt = wx[t];
            RZ_UNROLL
            for (int c = 0; c < n; c++) a[c] += wt * s[t * step + o[c]];
        }
        RZ_UNROLL
        for (int c = 0; c < n; c++) out[x * n + c] = a[c];
    }
}

#define H_PIX_K(N)                                                                          \
    switch (t->kx) {                                                                        \
    case 2: h_pix(row, dw, N, 2, s->sx[0], loff, t->xofs, t->xw, out); break;               \
    case 3: h_pix(row, dw, N, 3, s->sx[0], loff, t->xofs, t->xw, out); break;               \
    default: h_pix(row, dw, N, t->kx, s->sx[0], loff, t->xofs, t->xw, out); break;          \
    }

static void h_packed3_scalar(const uint8_t *restrict row, int dw, const rz_tabs *t,
                             int32_t *restrict out) {
    H_PACKED_K(3)
}

/* The output pixels [x0, dw) of a row that the vector loop left. */
static inline rz_tabs tabs_from(const rz_tabs *t, int x0) {
    rz_tabs rest = *t;
    rest.xofs += x0;
    rest.xw += (ptrdiff_t)x0 * t->kx;
    return rest;
}

/* Strided source: one channel at a time, each with its own address and strides. */
static void h_strided(const rz_plan *pl, const rz_tabs *t, int y, int32_t *restrict out) {
    const rz_view *s = &pl->s;
    const int n = s->n, dw = pl->d.w, k = t->kx;
    for (int l = 0; l < n; l++) {
        const int c = pl->lane_ch[l];
        const uint8_t *p = (const uint8_t *)(s->ptr[c] + (uintptr_t)((ptrdiff_t)y * s->sy[c]));
        const ptrdiff_t sx = s->sx[c];
        for (int x = 0; x < dw; x++) {
            const uint8_t *q = p + (ptrdiff_t)t->xofs[x] * sx;
            const int16_t *wx = t->xw + (ptrdiff_t)x * k;
            int32_t a = 0;
            for (int i = 0; i < k; i++) a += wx[i] * q[i * sx];
            out[x * n + l] = a;
        }
    }
}

static void h_row(const rz_plan *pl, const rz_tabs *t, int y, int32_t *restrict out,
                  uint8_t *cbuf) {
    const rz_view *s = &pl->s;
    int dw = pl->d.w;
    if (s->packed || pl->s_compact) {
        const uint8_t *row = pl->s_compact ? rz_compact_row(pl, y, cbuf)
                                           : (const uint8_t *)(s->base + (uintptr_t)((ptrdiff_t)y * s->row));
        switch (s->n) {
        case 1: {
            int x0 = 0;
#if RZ_HAVE_SIMD
            if (pl->simd) x0 = rz_h_packed1_simd(row, s->w, dw, t->kx, t->xofs, t->xw, out);
#endif
            if (x0 < dw) {
                rz_tabs rest = tabs_from(t, x0);
                t = &rest;
                out += x0;
                dw -= x0;
                H_PACKED_K(1)
            }
            break;
        }
        case 2: H_PACKED_K(2) break;
        case 3: {
            int x0 = 0;
#if RZ_HAVE_SIMD
            if (pl->s_unit == 3 || pl->s_compact) x0 = rz_h_packed3_simd(row, s->w, dw, t->kx, t->xofs, t->xw, out);
#endif
            if (x0 < dw) {
                rz_tabs rest = tabs_from(t, x0);
                h_packed3_scalar(row, dw - x0, &rest, out + 3 * x0);
            }
            break;
        }
        default: {
            int x0 = 0;
#if RZ_HAVE_SIMD
            if (pl->simd) x0 = rz_h_packed4_simd(row, s->w, dw, t->kx, t->xofs, t->xw, out);
#endif
            if (x0 < dw) {
                rz_tabs rest = tabs_from(t, x0);
                h_packed4_scalar(row, dw - x0, &rest, out + 4 * x0);
            }
        }
        }
    } else if (s->pix) {
        const uint8_t *row = (const uint8_t *)(s->ptr[0] + (uintptr_t)((ptrdiff_t)y * s->sy[0]));
        ptrdiff_t loff[4] = { 0, 0, 0, 0 }; /* lane k: byte of its channel */
        for (int k = 0; k < s->n; k++) loff[k] = s->coff[pl->lane_ch[k]];
#if RZ_HAVE_AVX2
        rz_tabs rest;
        if (pl->s_unit == 4) {
            const uint8_t *px = (const uint8_t *)(pl->s_px + (uintptr_t)((ptrdiff_t)y * s->sy[0]));
            int x0 = rz_h_gap3_avx512(px, s->w, dw, t->kx, t->xofs, t->xw, out, pl->s_byte);
            if (x0 == dw) return;
            rest = tabs_from(t, x0);
            t = &rest; /* the scalar loop below does pixels [x0, dw) */
            out += 3 * x0;
            dw -= x0;
        }
#endif
        switch (s->n) {
        case 1: H_PIX_K(1) break;
        case 2: H_PIX_K(2) break;
        case 3: H_PIX_K(3) break;
        default: H_PIX_K(4) break;
        }
    } else {
        h_strided(pl, t, y, out);
    }
}

/* No clamp: weights are >= 0 and sum to at most 2049 per axis (cv2's rounding of linear
   weights; box weights sum to exactly 2048), so a sum stays below 256 << 22. */
static inline uint8_t round_q22(int32_t a) {
    return (uint8_t)((a + (1 << (2 * RZ_BITS - 1))) >> (2 * RZ_BITS));
}

/* Scalar code (baseline x86-64 has no 32-bit vector multiply, and every exact formulation
   needs one: a Q11 weight times a 19-bit horizontal sum); SIMD code does the bulk where
   there is some (AVX2, Wasm SIMD128). */
static void v_row(int simd, int32_t *const *rows, const int16_t *wy, int k, int len,
                  uint8_t *restrict o) {
    (void)simd; /* used only where there is SIMD code */
#if RZ_HAVE_SIMD
    int32_t *rest[64]; /* k <= 64 here */
    if (simd) {
        int done = rz_v_row_simd(rows, wy, k, len, o);
        for (int j = 0; j < k; j++) rest[j] = rows[j] + done;
        rows = rest;
        len -= done;
        o += done;
    }
#endif
    if (k == 2) {
        const int32_t *restrict r0 = rows[0], *restrict r1 = rows[1];
        const int32_t w0 = wy[0], w1 = wy[1];
        for (int i = 0; i < len; i++) o[i] = round_q22(w0 * r0[i] + w1 * r1[i]);
        return;
    }
    if (k == 3) {
        const int32_t *restrict r0 = rows[0], *restrict r1 = rows[1], *restrict r2 = rows[2];
        const int32_t w0 = wy[0], w1 = wy[1], w2 = wy[2];
        for (int i = 0; i < len; i++) o[i] = round_q22(w0 * r0[i] + w1 * r1[i] + w2 * r2[i]);
        return;
    }
    for (int i = 0; i < len; i++) {
        int32_t a = 0;
        for (int j = 0; j < k; j++) a += wy[j] * rows[j][i];
        o[i] = round_q22(a);
    }
}

/* Ring rows carry 8 int32 of slack: the 3-channel vector loop stores 8 lanes at a time. */
#define RING_SLACK 32

size_t rz_rows_scratch(const rz_plan *pl, const rz_tabs *t) {
    size_t len = (size_t)pl->d.w * (size_t)pl->d.n;
    size_t out = pl->store == RZ_STORE_TILE ? rz_lane_row(pl) * RZ_TILE
               : pl->store == RZ_STORE_ROW  ? rz_lane_row(pl) : 0;
    size_t compact = pl->s_compact ? ALIGN16((size_t)pl->s.w * (size_t)pl->s.n) : 0;
    return ALIGN16(sizeof(int32_t) * len + RING_SLACK) * (size_t)t->ky +
           ALIGN16(sizeof(int) * (size_t)t->ky) + out + compact;
}

/* Source row y lives in ring slot y % ky while an output row needs it; consecutive
   output rows share source rows, so each is summed horizontally once per task. */
void rz_rows(const rz_plan *pl, const rz_tabs *t, void *scratch, int y0, int y1) {
    const int ky = t->ky;
    const size_t len = (size_t)pl->d.w * (size_t)pl->d.n;
    const size_t row_bytes = ALIGN16(sizeof(int32_t) * len + RING_SLACK);
    uint8_t *sc = scratch;
    int *tags = (int *)(void *)(sc + row_bytes * (size_t)ky);
    uint8_t *lanes = sc + row_bytes * (size_t)ky + ALIGN16(sizeof(int) * (size_t)ky);
    const size_t lane_row = pl->store == RZ_STORE_DIRECT ? 0 : rz_lane_row(pl);
    uint8_t *cbuf = lanes + (pl->store == RZ_STORE_TILE ? lane_row * RZ_TILE : lane_row);
    int32_t *rows[64];
    int32_t **rp = ky <= 64 ? rows : NULL;
    for (int i = 0; i < ky; i++) tags[i] = -1;
    int tile_y = y0; /* first output row in the tile */
    for (int y = y0; y < y1; y++) {
        const int first = t->yofs[y];
        const int16_t *wy = t->yw + (ptrdiff_t)y * ky;
        for (int j = 0; j < ky; j++) {
            const int sy = first + j, slot = sy % ky;
            int32_t *r = (int32_t *)(void *)(sc + row_bytes * (size_t)slot);
            if (tags[slot] != sy) {
                h_row(pl, t, sy, r, cbuf);
                tags[slot] = sy;
            }
            if (rp) rp[j] = r;
        }
        uint8_t *o = pl->store == RZ_STORE_DIRECT
                         ? (uint8_t *)(pl->d.base + (uintptr_t)((ptrdiff_t)y * pl->d.row))
                     : pl->store == RZ_STORE_TILE ? lanes + lane_row * (size_t)(y - tile_y)
                                                  : lanes;
        if (rp) {
            v_row(pl->simd, rp, wy, ky, (int)len, o);
        } else { /* huge vertical factors: sum slot by slot */
            for (size_t i = 0; i < len; i++) {
                int32_t a = 0;
                for (int j = 0; j < ky; j++)
                    a += wy[j] * ((int32_t *)(void *)(sc + row_bytes * (size_t)((first + j) % ky)))[i];
                o[i] = round_q22(a);
            }
        }
        if (pl->store == RZ_STORE_ROW) {
            rz_store_row(pl, y, lanes);
        } else if (pl->store == RZ_STORE_TILE && (y + 1 - tile_y == RZ_TILE || y + 1 == y1)) {
            rz_store_tile(pl, tile_y, y + 1 - tile_y, lanes, 0);
            tile_y = y + 1;
        }
    }
}
