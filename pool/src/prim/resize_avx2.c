/* resize_avx2.c - x86-64 kernels chosen at run time: AVX2 versions of the engine's two
 * hot loops, of the 1-, 3- and 4-channel halving and of the tile transpose (also fused
 * with a 3-channel halving), and AVX-512 loops for gap-byte pixels.
 *
 * The library is built for baseline x86-64 (SSE2), which has no 32-bit vector multiply;
 * every exact formulation multiplies a Q11 weight by a sum of up to 19 bits, so SSE2
 * vector code is slower than scalar code. These functions are compiled for AVX2 only
 * and used when the CPU has it; they give the same bytes as the scalar loops (same
 * integer sums). */
#include "resize/resize_internal.h"

#include <string.h>

#include <immintrin.h>

int rz_avx2(void) {
    return __builtin_cpu_supports("avx2");
}
int rz_simd(void) { return rz_avx2(); }

#define AVX2 __attribute__((target("avx2")))

/* Sixteen outputs: two 8-lane sums, narrowed 32 -> 16 -> 8 bits (values are 0..255, see
   round_q22 in rows.c, so the saturating packs never clip). A constant k keeps
   the weights and row pointers in registers. */
static inline __attribute__((always_inline)) AVX2 int
v_row(int32_t *const *rows, const int16_t *wy, const int k, int len, uint8_t *restrict o) {
    const __m256i half = _mm256_set1_epi32(1 << (2 * RZ_BITS - 1));
    int i = 0;
    for (; i + 16 <= len; i += 16) {
        __m256i a0 = half, a1 = half;
        for (int j = 0; j < k; j++) {
            const __m256i w = _mm256_set1_epi32(wy[j]);
            a0 = _mm256_add_epi32(a0, _mm256_mullo_epi32(w, _mm256_loadu_si256((const __m256i *)(rows[j] + i))));
            a1 = _mm256_add_epi32(a1, _mm256_mullo_epi32(w, _mm256_loadu_si256((const __m256i *)(rows[j] + i + 8))));
        }
        a0 = _mm256_srai_epi32(a0, 2 * RZ_BITS);
        a1 = _mm256_srai_epi32(a1, 2 * RZ_BITS);
        /* packs works per 128-bit lane: put the halves back in order before bytes */
        __m256i p16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(a0, a1), 0xD8);
        __m256i p8 = _mm256_permute4x64_epi64(_mm256_packus_epi16(p16, p16), 0x08);
        _mm_storeu_si128((__m128i *)(o + i), _mm256_castsi256_si128(p8));
    }
    return i;
}

AVX2 int rz_v_row_simd(int32_t *const *rows, const int16_t *wy, int k, int len,
                       uint8_t *restrict o) {
    switch (k) {
    case 2: return v_row(rows, wy, 2, len, o);
    case 3: return v_row(rows, wy, 3, len, o);
    default: return v_row(rows, wy, k, len, o);
    }
}

/* Two output pixels of four channels per vector; their source pixels come from two
   32-bit loads per tap, widened to 32-bit lanes. */
static inline __attribute__((always_inline)) AVX2 int
h4(const uint8_t *restrict row, int dw, const int k, const int32_t *restrict ofs,
   const int16_t *restrict w, int32_t *restrict out) {
    int x = 0;
    for (; x + 2 <= dw; x += 2) {
        const uint8_t *s0 = row + (ptrdiff_t)ofs[x] * 4, *s1 = row + (ptrdiff_t)ofs[x + 1] * 4;
        const int16_t *w0 = w + (ptrdiff_t)x * k, *w1 = w0 + k;
        __m256i a = _mm256_setzero_si256();
        for (int t = 0; t < k; t++) {
            int32_t p0, p1;
            memcpy(&p0, s0 + 4 * t, 4);
            memcpy(&p1, s1 + 4 * t, 4);
            const __m256i v = _mm256_cvtepu8_epi32(_mm_set_epi32(0, 0, p1, p0));
            const __m256i wv = _mm256_set_m128i(_mm_set1_epi32(w1[t]), _mm_set1_epi32(w0[t]));
            a = _mm256_add_epi32(a, _mm256_mullo_epi32(wv, v));
        }
        _mm256_storeu_si256((__m256i *)(out + 4 * x), a);
    }
    return x;
}

/* Linear weights (k = 2) read two adjacent source pixels: one 16-byte load holds both,
   a byte shuffle interleaves their channels as 16-bit pairs, and pmaddwd multiplies each
   pair by the pixel's (w0, w1), stored side by side in w, and adds: one output pixel per
   instruction, no 32-bit multiply. Stops where the load would pass the row's end (sw). */
static inline AVX2 int h4_pairs(const uint8_t *restrict row, int sw, int dw,
                                const int32_t *restrict ofs, const int16_t *restrict w,
                                int32_t *restrict out) {
    const __m128i pairs = _mm_setr_epi8(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1);
    int n = dw;
    while (n > 0 && ofs[n - 1] + 4 > sw) n--; /* ofs never decreases */
    _Pragma("GCC unroll 4")
    for (int x = 0; x < n; x++) {
        const __m128i px = _mm_loadu_si128((const __m128i *)(row + (ptrdiff_t)ofs[x] * 4));
        const __m128i wp = _mm_broadcastd_epi32(_mm_loadu_si32(w + 2 * (ptrdiff_t)x));
        _mm_storeu_si128((__m128i *)(out + 4 * x), _mm_madd_epi16(_mm_shuffle_epi8(px, pairs), wp));
    }
    return n;
}

AVX2 int rz_h_packed4_simd(const uint8_t *restrict row, int sw, int dw, int k,
                           const int32_t *restrict ofs, const int16_t *restrict w,
                           int32_t *restrict out) {
    switch (k) {
    case 2: return h4_pairs(row, sw, dw, ofs, w, out);
    case 3: return h4(row, dw, 3, ofs, w, out);
    default: return h4(row, dw, k, ofs, w, out);
    }
}

/* Three channels, two output pixels per vector. Each tap pair (t, t+1) of a pixel is one
   16-byte load at its source pixel t (one 128-bit half per output pixel); a byte shuffle
   makes (channel of pixel t, channel of pixel t+1) 16-bit pairs and pmaddwd multiplies
   them by (w_t, w_t+1) and adds: 3 sums per half, lane 3 zero. An odd last tap gets a
   shuffle that zeroes pixel t+1. The two halves' sums are packed into 6 lanes and stored
   with 8 lanes (the caller's out has slack; the next store rewrites the 2 extra). `unit`
   is the pixel step: 3 (packed, plain loads, stopping where a load would pass the row's
   end) or 4 (a gap byte: masked loads touch only the taps' channel bytes). */
static inline __attribute__((always_inline)) AVX2 __m256i pair_shuffle(const uint8_t *byte,
                                                                       int unit, int two) {
    int8_t m[16];
    for (int i = 0; i < 16; i++) m[i] = -1;
    for (int k = 0; k < 3; k++) {
        m[4 * k] = (int8_t)byte[k];
        if (two) m[4 * k + 2] = (int8_t)(unit + byte[k]);
    }
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)m));
}

static inline __attribute__((always_inline)) AVX2 uint32_t tap_pair(const int16_t *w, int t, int k) {
    return (uint16_t)w[t] | (t + 1 < k ? (uint32_t)(uint16_t)w[t + 1] << 16 : 0u);
}

AVX2 int rz_h_packed3_simd(const uint8_t *restrict row, int sw, int dw, int k,
                           const int32_t *restrict ofs, const int16_t *restrict w,
                           int32_t *restrict out) {
    static const uint8_t byte[3] = { 0, 1, 2 };
    if (k < 2) return 0;
    const __m256i sh2 = pair_shuffle(byte, 3, 1), sh1 = pair_shuffle(byte, 3, 0);
    const __m256i pack = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    const __m256i dup = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    const int last = (k - 1) & ~1; /* the tap of the last load */
    int n = dw;
    while (n > 0 && 3 * (ofs[n - 1] + last) + 16 > 3 * sw) n--; /* ofs never decreases */
    int x = 0;
    if (k == 2) {
        for (; x + 2 <= n; x += 2) {
            const __m128i a = _mm_loadu_si128((const __m128i *)(row + (ptrdiff_t)ofs[x] * 3));
            const __m128i b = _mm_loadu_si128((const __m128i *)(row + (ptrdiff_t)ofs[x + 1] * 3));
            const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
            const __m256i wv = _mm256_permutevar8x32_epi32(
                _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)(w + 2 * x))), dup);
            const __m256i r = _mm256_madd_epi16(_mm256_shuffle_epi8(v, sh2), wv);
            _mm256_storeu_si256((__m256i *)(out + 3 * x), _mm256_permutevar8x32_epi32(r, pack));
        }
        return x;
    }
    for (; x + 2 <= n; x += 2) {
        const uint8_t *p0 = row + (ptrdiff_t)ofs[x] * 3, *p1 = row + (ptrdiff_t)ofs[x + 1] * 3;
        const int16_t *w0 = w + (ptrdiff_t)x * k, *w1 = w0 + k;
        __m256i acc = _mm256_setzero_si256();
        for (int t = 0; t < k; t += 2) {
            const __m128i a = _mm_loadu_si128((const __m128i *)(p0 + 3 * t));
            const __m128i b = _mm_loadu_si128((const __m128i *)(p1 + 3 * t));
            const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
            const __m256i wv = _mm256_setr_m128i(_mm_set1_epi32((int)tap_pair(w0, t, k)),
                                                 _mm_set1_epi32((int)tap_pair(w1, t, k)));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_shuffle_epi8(v, t + 1 < k ? sh2 : sh1), wv));
        }
        _mm256_storeu_si256((__m256i *)(out + 3 * x), _mm256_permutevar8x32_epi32(acc, pack));
    }
    return x;
}

/* The same for gap-byte pixels (AVX-512 BW/VL): m1 and m2 mask one and two pixels'
   channel bytes, so loads never pass the row's end either. */
#define AVX512 __attribute__((target("avx2,avx512f,avx512bw,avx512vl")))
#define LOADM2(p) _mm_maskz_loadu_epi8(m2, (p))
#define LOADM1(p) _mm_maskz_loadu_epi8(m1, (p))

static inline __attribute__((always_inline)) AVX512 int
h3_gap_body(const uint8_t *restrict row, int dw, int k, const int32_t *restrict ofs,
            const int16_t *restrict w, int32_t *restrict out, const uint8_t *byte,
            __mmask16 m1, __mmask16 m2) {
    if (k < 2) return 0;
    const __m256i sh2 = pair_shuffle(byte, 4, 1), sh1 = pair_shuffle(byte, 4, 0);
    const __m256i pack = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    const __m256i dup = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    int x = 0;
    if (k == 2) {
        for (; x + 2 <= dw; x += 2) {
            const __m128i a = LOADM2(row + (ptrdiff_t)ofs[x] * 4);
            const __m128i b = LOADM2(row + (ptrdiff_t)ofs[x + 1] * 4);
            const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
            const __m256i wv = _mm256_permutevar8x32_epi32(
                _mm256_castsi128_si256(_mm_loadl_epi64((const __m128i *)(w + 2 * x))), dup);
            const __m256i r = _mm256_madd_epi16(_mm256_shuffle_epi8(v, sh2), wv);
            _mm256_storeu_si256((__m256i *)(out + 3 * x), _mm256_permutevar8x32_epi32(r, pack));
        }
        return x;
    }
    for (; x + 2 <= dw; x += 2) {
        const uint8_t *p0 = row + (ptrdiff_t)ofs[x] * 4, *p1 = row + (ptrdiff_t)ofs[x + 1] * 4;
        const int16_t *w0 = w + (ptrdiff_t)x * k, *w1 = w0 + k;
        __m256i acc = _mm256_setzero_si256();
        for (int t = 0; t < k; t += 2) {
            const int two = t + 1 < k;
            const __m128i a = two ? LOADM2(p0 + 4 * t) : LOADM1(p0 + 4 * t);
            const __m128i b = two ? LOADM2(p1 + 4 * t) : LOADM1(p1 + 4 * t);
            const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(a), b, 1);
            const __m256i wv = _mm256_setr_m128i(_mm_set1_epi32((int)tap_pair(w0, t, k)),
                                                 _mm_set1_epi32((int)tap_pair(w1, t, k)));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_shuffle_epi8(v, two ? sh2 : sh1), wv));
        }
        _mm256_storeu_si256((__m256i *)(out + 3 * x), _mm256_permutevar8x32_epi32(acc, pack));
    }
    return x;
}

static unsigned pixel_mask3(const uint8_t *byte) {
    return 1u << byte[0] | 1u << byte[1] | 1u << byte[2];
}

AVX512 int rz_h_gap3_avx512(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                            const int16_t *w, int32_t *out, const uint8_t *byte) {
    (void)sw;
    const unsigned m = pixel_mask3(byte);
    return h3_gap_body(row, dw, k, ofs, w, out, byte, (__mmask16)m, (__mmask16)(m | m << 4));
}

/* A row of 3-lane pixels into 4-byte pixels: eight per step, lanes read 32 at a time
   (the lane row has slack), spread by a shuffle to bytes byte[k], masked store. */
AVX512 int rz_store_gap3_avx512(const uint8_t *lanes, uint8_t *o, int dw, const uint8_t *byte) {
    int8_t m[16];
    for (int i = 0; i < 16; i++) m[i] = -1;
    for (int p = 0; p < 4; p++)
        for (int k = 0; k < 3; k++) m[4 * p + byte[k]] = (int8_t)(3 * p + k);
    const __m256i sh = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)m));
    const __m256i spread = _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6);
    const __mmask32 mask = (__mmask32)(pixel_mask3(byte) * 0x11111111u);
    int x = 0;
    for (; x + 8 <= dw; x += 8) {
        const __m256i l = _mm256_loadu_si256((const __m256i *)(lanes + 3 * x));
        _mm256_mask_storeu_epi8(o + 4 * x, mask,
                                _mm256_shuffle_epi8(_mm256_permutevar8x32_epi32(l, spread), sh));
    }
    return x;
}

/* Four interleaved channels, eight output pixels (64 source bytes per row) at a time:
   vertical sums in 16-bit lanes, then a pixel is one 64-bit group, so even and odd
   source pixels are the low and high qwords of each pair of vectors. The four source
   vectors come from `load` (plain loads here, masked ones for gap-byte pixels). */
#define HALVE8(load, s0, s1)                                                                  \
    __extension__({                                                                           \
        const __m256i z_ = _mm256_setzero_si256();                                            \
        __m256i v_[4], r_[2];                                                                 \
        for (int h_ = 0; h_ < 2; h_++) {                                                      \
            const __m256i a_ = load((s0) + 32 * h_), b_ = load((s1) + 32 * h_);               \
            /* per 128-bit lane: pixels 0,1 (lo) and 2,3 (hi) of that lane's four */          \
            v_[2 * h_] = _mm256_add_epi16(_mm256_unpacklo_epi8(a_, z_), _mm256_unpacklo_epi8(b_, z_)); \
            v_[2 * h_ + 1] = _mm256_add_epi16(_mm256_unpackhi_epi8(a_, z_), _mm256_unpackhi_epi8(b_, z_)); \
        }                                                                                     \
        for (int h_ = 0; h_ < 2; h_++) {                                                      \
            const __m256i sum_ = _mm256_add_epi16(_mm256_unpacklo_epi64(v_[2 * h_], v_[2 * h_ + 1]), \
                                                  _mm256_unpackhi_epi64(v_[2 * h_], v_[2 * h_ + 1])); \
            r_[h_] = _mm256_srli_epi16(_mm256_add_epi16(sum_, _mm256_set1_epi16(2)), 2);      \
        }                                                                                     \
        /* qwords come out as outputs 0-1, 4-5, 2-3, 6-7 */                                   \
        _mm256_permute4x64_epi64(_mm256_packus_epi16(r_[0], r_[1]), 0xD8);                    \
    })
#define LOAD256(p) _mm256_loadu_si256((const __m256i *)(p))

AVX2 int rz_halve_row4_simd(const uint8_t *restrict s0, const uint8_t *restrict s1,
                            uint8_t *restrict d, int dw) {
    int x = 0;
    for (; x + 8 <= dw; x += 8)
        _mm256_storeu_si256((__m256i *)(d + 4 * x), HALVE8(LOAD256, s0 + 8 * x, s1 + 8 * x));
    return x;
}

/* Three interleaved channels: byte shuffles split even and odd source pixels, 16-bit
   sums do the rest. Four output pixels (24 source bytes per row) per 128-bit lane. */
#define EA _mm_setr_epi8(0, 1, 2, 6, 7, 8, 12, 13, 14, -1, -1, -1, -1, -1, -1, -1)
#define EB _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, 10, 11, 12, -1, -1, -1, -1)
#define OA _mm_setr_epi8(3, 4, 5, 9, 10, 11, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1)
#define OB _mm_setr_epi8(-1, -1, -1, -1, -1, -1, 7, 8, 9, 13, 14, 15, -1, -1, -1, -1)

/* Eight output pixels: lane 0 holds outputs 0-3 in its bytes 0-11, lane 1 outputs 4-7
   (it reads 24 bytes further on). Per lane and row, byte shuffles of two overlapping
   loads (bytes 0-15 and 8-23) put each output channel's two source bytes side by side,
   pmaddubsw by ones adds them in 16-bit lanes: channel values 0-7 from both loads,
   8-11 from the second. Reads exactly 48 bytes of each row. */
static inline __attribute__((always_inline)) AVX2 __m256i halve3x8(const uint8_t *s0,
                                                                   const uint8_t *s1) {
    /* value v = 3p + c: source bytes 6p + c and 6p + 3 + c */
    const __m256i pa = _mm256_broadcastsi128_si256(
        _mm_setr_epi8(0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11, 12, 15, 13, -1));
    const __m256i pb = _mm256_broadcastsi128_si256(
        _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 8));
    const __m256i pc = _mm256_broadcastsi128_si256(
        _mm_setr_epi8(6, 9, 10, 13, 11, 14, 12, 15, -1, -1, -1, -1, -1, -1, -1, -1));
    const __m256i ones = _mm256_set1_epi8(1);
    __m256i lo = _mm256_set1_epi16(2), hi = lo;
    const uint8_t *rows[2] = { s0, s1 };
    for (int r = 0; r < 2; r++) {
        const __m256i a = _mm256_loadu2_m128i((const __m128i *)(rows[r] + 24), (const __m128i *)rows[r]);
        const __m256i b = _mm256_loadu2_m128i((const __m128i *)(rows[r] + 32), (const __m128i *)(rows[r] + 8));
        const __m256i p = _mm256_or_si256(_mm256_shuffle_epi8(a, pa), _mm256_shuffle_epi8(b, pb));
        lo = _mm256_add_epi16(lo, _mm256_maddubs_epi16(p, ones));
        hi = _mm256_add_epi16(hi, _mm256_maddubs_epi16(_mm256_shuffle_epi8(b, pc), ones));
    }
    return _mm256_packus_epi16(_mm256_srli_epi16(lo, 2), _mm256_srli_epi16(hi, 2));
}

/* Stops where a load or store would pass the end of a row (the 4-pixel loop stores 16
   bytes, 12 of them its own). */
AVX2 int rz_halve_row3_simd(const uint8_t *restrict s0, const uint8_t *restrict s1,
                            uint8_t *restrict d, int dw) {
    const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7), two = _mm256_set1_epi16(2);
    int x = 0;
    for (; x + 8 <= dw; x += 8) {
        const __m256i out = _mm256_permutevar8x32_epi32(halve3x8(s0 + 6 * x, s1 + 6 * x), join);
        _mm_storeu_si128((__m128i *)(d + 3 * x), _mm256_castsi256_si128(out));
        _mm_storel_epi64((__m128i *)(d + 3 * x + 16), _mm256_extracti128_si256(out, 1));
    }
    for (; 6 * x + 24 <= 6 * dw && 3 * x + 16 <= 3 * dw; x += 4) {
        __m256i sum = two;
        const uint8_t *rows[2] = { s0 + 6 * x, s1 + 6 * x };
        for (int r = 0; r < 2; r++) {
            const __m128i a = _mm_loadu_si128((const __m128i *)rows[r]);
            const __m128i b = _mm_loadu_si128((const __m128i *)(rows[r] + 8));
            const __m128i e = _mm_or_si128(_mm_shuffle_epi8(a, EA), _mm_shuffle_epi8(b, EB));
            const __m128i o = _mm_or_si128(_mm_shuffle_epi8(a, OA), _mm_shuffle_epi8(b, OB));
            sum = _mm256_add_epi16(sum, _mm256_add_epi16(_mm256_cvtepu8_epi16(e),
                                                         _mm256_cvtepu8_epi16(o)));
        }
        sum = _mm256_srli_epi16(sum, 2);
        const __m128i out = _mm_packus_epi16(_mm256_castsi256_si128(sum),
                                             _mm256_extracti128_si256(sum, 1));
        _mm_storeu_si128((__m128i *)(d + 3 * x), out); /* bytes 12..15: rewritten next */
    }
    return x;
}

/* Four-byte pixels with a gap byte (pixels3d without its alpha plane): AVX-512 masked
   loads and stores never touch the gap bytes (masked bytes are not accessed at all), so
   the whole-pixel arithmetic of the 4-channel kernel applies with the gap lanes zero. */
int rz_avx512(void) {
    return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

/* Gap-byte pixels of a halving: the 4-channel kernel with masked loads (gap lanes 0),
   eight output pixels a step. */
AVX512 int rz_halve_row_gap4_avx512(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw,
                                    unsigned pixel_mask) {
    const __mmask32 m = (__mmask32)(pixel_mask * 0x11111111u);
#define LOADGAP(p) _mm256_maskz_loadu_epi8(m, (p))
    int x = 0;
    for (; x + 8 <= dw; x += 8)
        _mm256_mask_storeu_epi8(d + 4 * x, m, HALVE8(LOADGAP, s0 + 8 * x, s1 + 8 * x));
    return x;
}

/* The same, packed to three lanes: 24 bytes per eight pixels, stored as 32 (the lane row
   has slack; the next store rewrites the extra 8). */
AVX512 int rz_halve_row_gap3_avx512(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw,
                                    const uint8_t *byte) {
    const __mmask32 m = (__mmask32)(pixel_mask3(byte) * 0x11111111u);
    int8_t sh[16];
    for (int i = 0; i < 16; i++) sh[i] = -1;
    for (int p = 0; p < 4; p++)
        for (int k = 0; k < 3; k++) sh[3 * p + k] = (int8_t)(4 * p + byte[k]);
    const __m256i shv = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)sh));
    const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    int x = 0;
    for (; x + 8 <= dw; x += 8)
        _mm256_storeu_si256((__m256i *)(d + 3 * x),
                            _mm256_permutevar8x32_epi32(
                                _mm256_shuffle_epi8(HALVE8(LOADGAP, s0 + 8 * x, s1 + 8 * x), shv), join));
#undef LOADGAP
    return x;
}

/* One channel, 32 output bytes per step: pmaddubsw by ones adds byte pairs, the two rows
   are added, (+2) >> 2, packed back (packus works per 128-bit lane: permute after). */
AVX2 int rz_halve_row1_simd(const uint8_t *restrict s0, const uint8_t *restrict s1,
                            uint8_t *restrict d, int dw) {
    const __m256i ones = _mm256_set1_epi8(1), two = _mm256_set1_epi16(2);
    int x = 0;
    for (; x + 32 <= dw; x += 32) {
        __m256i r[2];
        for (int h = 0; h < 2; h++) {
            const __m256i a = _mm256_loadu_si256((const __m256i *)(s0 + 2 * x + 32 * h));
            const __m256i b = _mm256_loadu_si256((const __m256i *)(s1 + 2 * x + 32 * h));
            const __m256i sum = _mm256_add_epi16(_mm256_maddubs_epi16(a, ones),
                                                 _mm256_maddubs_epi16(b, ones));
            r[h] = _mm256_srli_epi16(_mm256_add_epi16(sum, two), 2);
        }
        _mm256_storeu_si256((__m256i *)(d + x),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(r[0], r[1]), 0xD8));
    }
    return x;
}

/* One channel in 4-byte pixels (pixels_alpha: byte b of each), sixteen at a time: a
   masked load touches only those bytes, a shift brings them to the bottom of their
   dwords, vpmovdb packs them. */
AVX512 int rz_compact1_avx512(const uint8_t *px, int b, int w, uint8_t *out) {
    const __mmask64 m = (__mmask64)(0x1111111111111111ull << b);
    int x = 0;
    for (; x + 16 <= w; x += 16) {
        const __m512i v = _mm512_maskz_loadu_epi8(m, px + 4 * x);
        _mm_storeu_si128((__m128i *)(out + x),
                         _mm512_cvtepi32_epi8(_mm512_srlv_epi32(v, _mm512_set1_epi32(8 * b))));
    }
    return x;
}

/* And back: sixteen lanes widened to dwords, shifted to byte b, masked store. */
AVX512 int rz_store_gap1_avx512(const uint8_t *lanes, uint8_t *o, int dw, int b) {
    const __mmask64 m = (__mmask64)(0x1111111111111111ull << b);
    int x = 0;
    for (; x + 16 <= dw; x += 16) {
        const __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(lanes + x)));
        _mm512_mask_storeu_epi8(o + 4 * x, m, _mm512_sllv_epi32(v, _mm512_set1_epi32(8 * b)));
    }
    return x;
}

/* One packed channel, linear taps (k = 2), eight outputs per step. Their taps lie within
   16 bytes when the factor is below 2: one load at the first output's tap, a shuffle
   whose control (tap - first tap, + 1) is built from ofs, widened to 16-bit pairs,
   pmaddwd by (w0, w1) (side by side in w). Groups whose taps spread wider are left to
   the caller, as are those whose load would pass the row's end. (Gathers would do, but
   are slow on CPUs with the gather-data-sampling mitigation.) */
AVX2 int rz_h_packed1_simd(const uint8_t *restrict row, int sw, int dw, int k,
                           const int32_t *restrict ofs, const int16_t *restrict w,
                           int32_t *restrict out) {
    if (k != 2) return 0;
    const __m256i lo16 = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1,
                                          0, 1, 4, 5, 8, 9, 12, 13, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m128i dup = _mm_set1_epi16(0x0101), next = _mm_set1_epi16(0x0100);
    int x = 0;
    for (; x + 8 <= dw; x += 8) {
        const int first = ofs[x];
        if (first + 16 > sw || ofs[x + 7] + 1 - first > 15) break;
        const __m256i d = _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)(ofs + x)),
                                           _mm256_set1_epi32(first));
        /* the low 16 bits of each dword (d < 16), as eight words */
        const __m256i dw16 = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(d, lo16), 0x08);
        const __m128i ctl = _mm_add_epi16(_mm_mullo_epi16(_mm256_castsi256_si128(dw16), dup), next);
        const __m128i px = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(row + first)), ctl);
        const __m256i wv = _mm256_loadu_si256((const __m256i *)(w + 2 * x));
        _mm256_storeu_si256((__m256i *)(out + x), _mm256_madd_epi16(_mm256_cvtepu8_epi16(px), wv));
    }
    return x;
}

/* Writing dst pixels adjacent along y (3 or 4 bytes each, gap-free) 8 rows x 8 columns
   at a time: each row's 8 pixels as dwords with their bytes already in dst order, an
   8x8 dword transpose makes each vector one dst column's 8 pixels, stored as exactly
   their 8 * n bytes. */

/* The shuffle that spreads 4 pixels of `unit` bytes (lane k at byte src[k]) per 128-bit
   lane to dwords with lane k at byte dst[k]. */
static inline __attribute__((always_inline)) AVX2 __m256i spread_shuffle(int n, int unit,
                                                                         const uint8_t *src,
                                                                         const uint8_t *dst) {
    int8_t e[16];
    for (int i = 0; i < 16; i++) e[i] = -1;
    for (int p = 0; p < 4; p++)
        for (int k = 0; k < n; k++) e[4 * p + dst[k]] = (int8_t)(unit * p + src[k]);
    return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)e));
}

static const uint8_t lane_order[4] = { 0, 1, 2, 3 };

/* r[i]: row i's 8 pixels (dwords, dst byte order). Column x + j at q + (x + j) * sx. */
static inline __attribute__((always_inline)) AVX2 void
transpose_store(__m256i *r, uint8_t *q, ptrdiff_t sx, int x, const int n) {
    const __m256i pack = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                          0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    const __m256i join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    __m256i u[8];
    for (int i = 0; i < 8; i += 2) {
        u[i] = _mm256_unpacklo_epi32(r[i], r[i + 1]);
        u[i + 1] = _mm256_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int h = 0; h < 8; h += 4) {
        const __m256i a = u[h], b = u[h + 1], c = u[h + 2], d = u[h + 3];
        u[h] = _mm256_unpacklo_epi64(a, c);     /* columns 0, 4 */
        u[h + 1] = _mm256_unpackhi_epi64(a, c); /* columns 1, 5 */
        u[h + 2] = _mm256_unpacklo_epi64(b, d); /* columns 2, 6 */
        u[h + 3] = _mm256_unpackhi_epi64(b, d); /* columns 3, 7 */
    }
    for (int j = 0; j < 4; j++) {
        const __m256i col[2] = { _mm256_permute2x128_si256(u[j], u[j + 4], 0x20),
                                 _mm256_permute2x128_si256(u[j], u[j + 4], 0x31) };
        for (int h = 0; h < 2; h++) {
            uint8_t *o = q + (x + j + 4 * h) * sx;
            if (n == 4) {
                _mm256_storeu_si256((__m256i *)o, col[h]);
            } else {
                const __m256i p = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(col[h], pack), join);
                _mm_storeu_si128((__m128i *)o, _mm256_castsi256_si128(p));
                _mm_storel_epi64((__m128i *)(o + 16), _mm256_extracti128_si256(p, 1));
            }
        }
    }
}

/* A tile (rows of lanes `step` bytes apart). Rows [0, rows) (a multiple of 8), columns
   [0, returned). */
static inline __attribute__((always_inline)) AVX2 int
tile_avx2(const uint8_t *restrict tile, size_t step, int rows, uint8_t *restrict q0, ptrdiff_t sx,
          int dw, const uint8_t *byte, const int n) {
    const __m256i spread = spread_shuffle(n, n, lane_order, byte);
    /* 3 bytes a pixel: lane 1 starts at pixel 4 (byte 12) */
    const __m256i lanes_in = _mm256_setr_epi32(0, 1, 2, 3, 3, 4, 5, 6);
    int x = 0;
    for (; x + 8 <= dw; x += 8)
        for (int t = 0; t < rows; t += 8) {
            __m256i r[8];
            for (int i = 0; i < 8; i++) {
                const __m256i l = _mm256_loadu_si256(
                    (const __m256i *)(tile + step * (size_t)(t + i) + (size_t)(n * x)));
                r[i] = _mm256_shuffle_epi8(n == 3 ? _mm256_permutevar8x32_epi32(l, lanes_in) : l,
                                           spread);
            }
            transpose_store(r, q0 + n * t, sx, x, n);
        }
    return x;
}

AVX2 int rz_store_tile_simd(const uint8_t *tile, size_t step, int rows, uint8_t *q0, ptrdiff_t sx,
                            int dw, int n, const uint8_t *byte) {
    return n == 3 ? tile_avx2(tile, step, rows, q0, sx, dw, byte, 3)
                  : tile_avx2(tile, step, rows, q0, sx, dw, byte, 4);
}

/* A halving straight into 3-byte dst pixels along y, no tile in between: 8 output rows
   (source rows 2t, 2t + 1 at s + 2t * srow), 8 columns per step, halved in registers. */
AVX2 int rz_halve_tile3_avx2(const uint8_t *s, ptrdiff_t srow, int rows, uint8_t *q0,
                             ptrdiff_t sx, int dw, const uint8_t *byte) {
    const __m256i spread = spread_shuffle(3, 3, lane_order, byte);
    int x = 0;
    for (; x + 8 <= dw; x += 8)
        for (int t = 0; t < rows; t += 8) {
            __m256i r[8];
            for (int i = 0; i < 8; i++) {
                const uint8_t *s0 = s + 2 * (t + i) * srow + 6 * x;
                r[i] = _mm256_shuffle_epi8(halve3x8(s0, s0 + srow), spread);
            }
            transpose_store(r, q0 + 3 * t, sx, x, 3);
        }
    return x;
}

/* The same from 4-byte source pixels with a gap byte (lane k at byte src[k]). */
AVX512 int rz_halve_tile_gap3_avx512(const uint8_t *s, ptrdiff_t srow, int rows, uint8_t *q0,
                                     ptrdiff_t sx, int dw, const uint8_t *src, const uint8_t *byte) {
    const __mmask32 m = (__mmask32)(pixel_mask3(src) * 0x11111111u);
    const __m256i spread = spread_shuffle(3, 4, src, byte);
#define LOADGAP(p) _mm256_maskz_loadu_epi8(m, (p))
    int x = 0;
    for (; x + 8 <= dw; x += 8)
        for (int t = 0; t < rows; t += 8) {
            __m256i r[8];
            for (int i = 0; i < 8; i++) {
                const uint8_t *s0 = s + 2 * (t + i) * srow + 8 * x;
                r[i] = _mm256_shuffle_epi8(HALVE8(LOADGAP, s0, s0 + srow), spread);
            }
            transpose_store(r, q0 + 3 * t, sx, x, 3);
        }
#undef LOADGAP
    return x;
}
