/* resize_simd128.c - the engine's two hot loops, the packed halvings, the tile transpose
 * and gap-byte packing in Wasm SIMD128, for the Wasm build (compiled with -msimd128; only this file is, because clang auto-vectorises the rest of
 * the engine badly). Same integer sums as the scalar loops, so the same bytes: the
 * linear taps use i32x4.dot_i16x8_s on two adjacent pixels, as the AVX2 code uses
 * pmaddwd, and Wasm has the 32-bit multiply that SSE2 lacks. */
#include "resize/resize_internal.h"

#include <wasm_simd128.h>

int rz_simd(void) { return 1; } /* an engine without SIMD128 would not load the module */

static inline __attribute__((always_inline)) int
v_row(int32_t *const *rows, const int16_t *wy, const int k, int len, uint8_t *restrict o) {
    const v128_t half = wasm_i32x4_splat(1 << (2 * RZ_BITS - 1));
    int i = 0;
    for (; i + 16 <= len; i += 16) {
        v128_t a[4] = { half, half, half, half };
        for (int j = 0; j < k; j++) {
            const v128_t w = wasm_i32x4_splat(wy[j]);
            for (int q = 0; q < 4; q++)
                a[q] = wasm_i32x4_add(a[q], wasm_i32x4_mul(w, wasm_v128_load(rows[j] + i + 4 * q)));
        }
        for (int q = 0; q < 4; q++) a[q] = wasm_i32x4_shr(a[q], 2 * RZ_BITS);
        /* 0..255 (see round_q22 in rows.c): the saturating narrows never clip */
        wasm_v128_store(o + i, wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(a[0], a[1]),
                                                       wasm_i16x8_narrow_i32x4(a[2], a[3])));
    }
    return i;
}

int rz_v_row_simd(int32_t *const *rows, const int16_t *wy, int k, int len, uint8_t *o) {
    switch (k) {
    case 2: return v_row(rows, wy, 2, len, o);
    case 3: return v_row(rows, wy, 3, len, o);
    default: return v_row(rows, wy, k, len, o);
    }
}

/* Linear weights (k = 2): one 16-byte load holds both source pixels, a shuffle
   interleaves their channels as 16-bit pairs (zeros from the second operand), and the
   dot product multiplies each pair by (w0, w1), stored side by side in w. Stops where
   the load would pass the row's end (sw). Other tap counts: the scalar loop. */
int rz_h_packed4_simd(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                      const int16_t *w, int32_t *out) {
    if (k != 2) return 0;
    const v128_t zero = wasm_i32x4_splat(0);
    int n = dw;
    while (n > 0 && ofs[n - 1] + 4 > sw) n--; /* ofs never decreases */
    for (int x = 0; x < n; x++) {
        const v128_t px = wasm_v128_load(row + (ptrdiff_t)ofs[x] * 4);
        const v128_t pairs =
            wasm_i8x16_shuffle(px, zero, 0, 16, 4, 16, 1, 16, 5, 16, 2, 16, 6, 16, 3, 16, 7, 16);
        wasm_v128_store(out + 4 * x, wasm_i32x4_dot_i16x8(pairs, wasm_v128_load32_splat(w + 2 * x)));
    }
    return n;
}

/* Three packed channels: each tap pair (t, t+1) is one 16-byte load at source pixel t, a
   shuffle to (channel of t, channel of t+1) 16-bit pairs (an odd last tap takes zeros
   for t+1), a dot product with (w_t, w_t+1): 3 sums and a zero, stored as 4 lanes over
   the next pixel's first (out has slack). Stops where a load would pass the row's end. */
int rz_h_packed3_simd(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                      const int16_t *w, int32_t *out) {
    if (k < 2) return 0;
    const v128_t zero = wasm_i32x4_splat(0);
    const int last = (k - 1) & ~1;
    int n = dw;
    while (n > 0 && 3 * (ofs[n - 1] + last) + 16 > 3 * sw) n--; /* ofs never decreases */
    if (k == 2) {
        for (int x = 0; x < n; x++) {
            const v128_t px = wasm_v128_load(row + (ptrdiff_t)ofs[x] * 3);
            const v128_t pairs =
                wasm_i8x16_shuffle(px, zero, 0, 16, 3, 16, 1, 16, 4, 16, 2, 16, 5, 16, 16, 16, 16, 16);
            wasm_v128_store(out + 3 * x, wasm_i32x4_dot_i16x8(pairs, wasm_v128_load32_splat(w + 2 * x)));
        }
        return n;
    }
    for (int x = 0; x < n; x++) {
        const uint8_t *p = row + (ptrdiff_t)ofs[x] * 3;
        const int16_t *wx = w + (ptrdiff_t)x * k;
        v128_t acc = zero;
        for (int t = 0; t < k; t += 2) {
            const v128_t px = wasm_v128_load(p + 3 * t);
            v128_t pairs;
            uint32_t wp = (uint16_t)wx[t];
            if (t + 1 < k) {
                pairs = wasm_i8x16_shuffle(px, zero, 0, 16, 3, 16, 1, 16, 4, 16, 2, 16, 5, 16, 16, 16, 16, 16);
                wp |= (uint32_t)(uint16_t)wx[t + 1] << 16;
            } else {
                pairs = wasm_i8x16_shuffle(px, zero, 0, 16, 16, 16, 1, 16, 16, 16, 2, 16, 16, 16, 16, 16, 16, 16);
            }
            acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(pairs, wasm_i32x4_splat((int32_t)wp)));
        }
        wasm_v128_store(out + 3 * x, acc);
    }
    return n;
}

/* One packed channel, linear taps, eight outputs per step: their taps lie within 16
   bytes when the factor is below 2, so one load at the first output's tap and a swizzle
   whose control is (tap - first tap, + 1), widened to 16-bit pairs, dot products with
   (w0, w1). Groups spread wider, or whose load would pass the row's end, are left to
   the caller. */
int rz_h_packed1_simd(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                      const int16_t *w, int32_t *out) {
    if (k != 2) return 0;
    int x = 0;
    for (; x + 8 <= dw; x += 8) {
        const int first = ofs[x];
        if (first + 16 > sw || ofs[x + 7] + 1 - first > 15) break;
        const v128_t f = wasm_i32x4_splat(first);
        const v128_t d = wasm_i16x8_narrow_i32x4(wasm_i32x4_sub(wasm_v128_load(ofs + x), f),
                                                 wasm_i32x4_sub(wasm_v128_load(ofs + x + 4), f));
        const v128_t ctl = wasm_i16x8_add(wasm_i16x8_mul(d, wasm_i16x8_splat(0x0101)),
                                          wasm_i16x8_splat(0x0100));
        const v128_t px = wasm_i8x16_swizzle(wasm_v128_load(row + first), ctl);
        wasm_v128_store(out + x, wasm_i32x4_dot_i16x8(wasm_u16x8_extend_low_u8x16(px), wasm_v128_load(w + 2 * x)));
        wasm_v128_store(out + x + 4,
                        wasm_i32x4_dot_i16x8(wasm_u16x8_extend_high_u8x16(px), wasm_v128_load(w + 2 * x + 8)));
    }
    return x;
}

/* A tile into dst pixels of n = 3 or 4 bytes adjacent along y: 4 rows x 4 columns at a
   time, each row's 4 pixels swizzled to dwords in dst byte order, a 4x4 dword transpose,
   each column's 4 pixels stored as exactly their 4 * n bytes. */
static inline __attribute__((always_inline)) int
tile(const uint8_t *tile, size_t step, int rows, uint8_t *q0, ptrdiff_t sx, int dw,
     const uint8_t *byte, const int n) {
    uint8_t e[16];
    for (int i = 0; i < 16; i++) e[i] = 0x80; /* out of range: 0 */
    for (int p = 0; p < 4; p++)
        for (int k = 0; k < n; k++) e[4 * p + byte[k]] = (uint8_t)(n * p + k);
    const v128_t spread = wasm_v128_load(e);
    int x = 0;
    for (; x + 4 <= dw; x += 4)
        for (int t = 0; t < rows; t += 4) {
            v128_t r[4];
            for (int i = 0; i < 4; i++)
                r[i] = wasm_i8x16_swizzle(wasm_v128_load(tile + step * (size_t)(t + i) + (size_t)(n * x)),
                                          spread);
            const v128_t a = wasm_i32x4_shuffle(r[0], r[1], 0, 4, 1, 5);
            const v128_t b = wasm_i32x4_shuffle(r[0], r[1], 2, 6, 3, 7);
            const v128_t c = wasm_i32x4_shuffle(r[2], r[3], 0, 4, 1, 5);
            const v128_t d = wasm_i32x4_shuffle(r[2], r[3], 2, 6, 3, 7);
            const v128_t col[4] = { wasm_i64x2_shuffle(a, c, 0, 2), wasm_i64x2_shuffle(a, c, 1, 3),
                                    wasm_i64x2_shuffle(b, d, 0, 2), wasm_i64x2_shuffle(b, d, 1, 3) };
            for (int j = 0; j < 4; j++) {
                uint8_t *o = q0 + (x + j) * sx + n * t;
                if (n == 4) {
                    wasm_v128_store(o, col[j]);
                } else {
                    const v128_t p = wasm_i8x16_shuffle(col[j], col[j], 0, 1, 2, 4, 5, 6, 8, 9, 10,
                                                        12, 13, 14, 0, 0, 0, 0);
                    wasm_v128_store64_lane(o, p, 0);
                    wasm_v128_store32_lane(o + 8, p, 2);
                }
            }
        }
    return x;
}

int rz_store_tile_simd(const uint8_t *tile_, size_t step, int rows, uint8_t *q0, ptrdiff_t sx,
                       int dw, int n, const uint8_t *byte) {
    return n == 3 ? tile(tile_, step, rows, q0, sx, dw, byte, 3)
                  : tile(tile_, step, rows, q0, sx, dw, byte, 4);
}

/* Exact halvings of packed rows, (a + b + c + d + 2) >> 2 in 16-bit lanes. */
static inline v128_t mean4(v128_t e0, v128_t o0, v128_t e1, v128_t o1, int high) {
    const v128_t two = wasm_i16x8_splat(2);
    v128_t s = high ? wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(e0), wasm_u16x8_extend_high_u8x16(o0))
                    : wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(e0), wasm_u16x8_extend_low_u8x16(o0));
    s = wasm_i16x8_add(s, high ? wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(e1), wasm_u16x8_extend_high_u8x16(o1))
                               : wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(e1), wasm_u16x8_extend_low_u8x16(o1)));
    return wasm_u16x8_shr(wasm_i16x8_add(s, two), 2);
}

/* Four channels, four outputs a step: even and odd source pixels by a dword shuffle. */
int rz_halve_row4_simd(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw) {
    int x = 0;
    for (; x + 4 <= dw; x += 4) {
        v128_t e[2], o[2];
        const uint8_t *rows[2] = { s0 + 8 * x, s1 + 8 * x };
        for (int r = 0; r < 2; r++) {
            const v128_t a = wasm_v128_load(rows[r]), b = wasm_v128_load(rows[r] + 16);
            e[r] = wasm_i32x4_shuffle(a, b, 0, 2, 4, 6);
            o[r] = wasm_i32x4_shuffle(a, b, 1, 3, 5, 7);
        }
        wasm_v128_store(d + 4 * x, wasm_u8x16_narrow_i16x8(mean4(e[0], o[0], e[1], o[1], 0),
                                                           mean4(e[0], o[0], e[1], o[1], 1)));
    }
    return x;
}

/* Three channels, four outputs (24 source bytes a row) a step: one byte shuffle of two
   overlapping loads picks the even pixels, one the odd; 12 bytes stored. */
int rz_halve_row3_simd(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw) {
    int x = 0;
    for (; x + 4 <= dw; x += 4) {
        v128_t e[2], o[2];
        const uint8_t *rows[2] = { s0 + 6 * x, s1 + 6 * x };
        for (int r = 0; r < 2; r++) {
            const v128_t a = wasm_v128_load(rows[r]), b = wasm_v128_load(rows[r] + 8);
            e[r] = wasm_i8x16_shuffle(a, b, 0, 1, 2, 6, 7, 8, 12, 13, 14, 26, 27, 28, 0, 0, 0, 0);
            o[r] = wasm_i8x16_shuffle(a, b, 3, 4, 5, 9, 10, 11, 23, 24, 25, 29, 30, 31, 0, 0, 0, 0);
        }
        const v128_t out = wasm_u8x16_narrow_i16x8(mean4(e[0], o[0], e[1], o[1], 0),
                                                   mean4(e[0], o[0], e[1], o[1], 1));
        wasm_v128_store64_lane(d + 3 * x, out, 0);
        wasm_v128_store32_lane(d + 3 * x + 8, out, 2);
    }
    return x;
}

/* One channel, sixteen outputs a step: pairwise sums of each row's bytes. */
int rz_halve_row1_simd(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw) {
    const v128_t two = wasm_i16x8_splat(2);
    int x = 0;
    for (; x + 16 <= dw; x += 16) {
        v128_t h[2];
        for (int i = 0; i < 2; i++) {
            const v128_t s = wasm_i16x8_add(wasm_u16x8_extadd_pairwise_u8x16(wasm_v128_load(s0 + 2 * x + 16 * i)),
                                            wasm_u16x8_extadd_pairwise_u8x16(wasm_v128_load(s1 + 2 * x + 16 * i)));
            h[i] = wasm_u16x8_shr(wasm_i16x8_add(s, two), 2);
        }
        wasm_v128_store(d + x, wasm_u8x16_narrow_i16x8(h[0], h[1]));
    }
    return x;
}

/* Rows of 4-byte pixels with gap bytes, packed (rz_compact_row) and stored back
   (rz_store_row) without touching the gap bytes: Wasm has no masked loads or stores, so
   byte lanes are loaded and stored one by one, which still beats scalar byte copies
   (one instruction a byte instead of two). byte[k]: the pixel byte of lane k. */
#define L8(v, p, i) v = wasm_v128_load8_lane((p), v, i)
#define S8(p, v, i) wasm_v128_store8_lane((p), v, i)

int rz_compact3_simd(const uint8_t *px, const uint8_t *byte, int w, uint8_t *out) {
    const int b0 = byte[0], b1 = byte[1], b2 = byte[2];
    int x = 0;
    for (; x + 4 <= w; x += 4) {
        const uint8_t *p = px + 4 * x;
        v128_t v = wasm_i32x4_splat(0);
        L8(v, p + b0, 0); L8(v, p + b1, 1); L8(v, p + b2, 2);
        L8(v, p + 4 + b0, 3); L8(v, p + 4 + b1, 4); L8(v, p + 4 + b2, 5);
        L8(v, p + 8 + b0, 6); L8(v, p + 8 + b1, 7); L8(v, p + 8 + b2, 8);
        L8(v, p + 12 + b0, 9); L8(v, p + 12 + b1, 10); L8(v, p + 12 + b2, 11);
        wasm_v128_store64_lane(out + 3 * x, v, 0);
        wasm_v128_store32_lane(out + 3 * x + 8, v, 2);
    }
    return x;
}

int rz_compact1_simd(const uint8_t *px, int w, uint8_t *out) {
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        const uint8_t *p = px + 4 * x;
        v128_t v = wasm_i32x4_splat(0);
        L8(v, p, 0); L8(v, p + 4, 1); L8(v, p + 8, 2); L8(v, p + 12, 3);
        L8(v, p + 16, 4); L8(v, p + 20, 5); L8(v, p + 24, 6); L8(v, p + 28, 7);
        L8(v, p + 32, 8); L8(v, p + 36, 9); L8(v, p + 40, 10); L8(v, p + 44, 11);
        L8(v, p + 48, 12); L8(v, p + 52, 13); L8(v, p + 56, 14); L8(v, p + 60, 15);
        wasm_v128_store(out + x, v);
    }
    return x;
}

/* Lanes to 4-byte dst pixels; the lane row has slack, so 16 bytes are loaded at a time. */
int rz_store_gap3_simd(const uint8_t *lanes, uint8_t *o, int dw, const uint8_t *byte) {
    const int b0 = byte[0], b1 = byte[1], b2 = byte[2];
    int x = 0;
    for (; x + 4 <= dw; x += 4) {
        const v128_t v = wasm_v128_load(lanes + 3 * x);
        uint8_t *q = o + 4 * x;
        S8(q + b0, v, 0); S8(q + b1, v, 1); S8(q + b2, v, 2);
        S8(q + 4 + b0, v, 3); S8(q + 4 + b1, v, 4); S8(q + 4 + b2, v, 5);
        S8(q + 8 + b0, v, 6); S8(q + 8 + b1, v, 7); S8(q + 8 + b2, v, 8);
        S8(q + 12 + b0, v, 9); S8(q + 12 + b1, v, 10); S8(q + 12 + b2, v, 11);
    }
    return x;
}

int rz_store_gap1_simd(const uint8_t *lanes, uint8_t *o, int dw) {
    int x = 0;
    for (; x + 16 <= dw; x += 16) {
        const v128_t v = wasm_v128_load(lanes + x);
        uint8_t *q = o + 4 * x;
        S8(q, v, 0); S8(q + 4, v, 1); S8(q + 8, v, 2); S8(q + 12, v, 3);
        S8(q + 16, v, 4); S8(q + 20, v, 5); S8(q + 24, v, 6); S8(q + 28, v, 7);
        S8(q + 32, v, 8); S8(q + 36, v, 9); S8(q + 40, v, 10); S8(q + 44, v, 11);
        S8(q + 48, v, 12); S8(q + 52, v, 13); S8(q + 56, v, 14); S8(q + 60, v, 15);
    }
    return x;
}
