/* resize_internal.h - what the resize files share (see warmpool_resize.h for the manual). */
#ifndef WARMPOOL_RESIZE_INTERNAL_H
#define WARMPOOL_RESIZE_INTERNAL_H
#include "warmpool_resize.h"
#include <stdint.h>

#define RZ_BITS 11            /* weights are Q11 per axis, like cv2's INTER_RESIZE_COEF_BITS */
#define RZ_ONE (1 << RZ_BITS)

/* Per-axis weight kinds: the box (area, nothing grows), cv2's pixel-centre linear, and the
   linear interpolation cv2's INTER_AREA falls back to when an axis grows. */
enum rz_mode { RZ_BOX, RZ_LINEAR, RZ_AREA_LINEAR };

/* A view in the orientation the job runs in: per-channel addresses and strides. */
typedef struct rz_view {
    int w, h, n;
    uintptr_t ptr[4];
    ptrdiff_t sx[4], sy[4];
    int pix;          /* every channel steps by sx[0] and sy[0]; channel c at ptr[0]+coff[c] */
    ptrdiff_t coff[4];
    int packed;       /* channels interleaved without gaps along x: */
    uintptr_t base;   /*   byte 0 of pixel (0,0) */
    ptrdiff_t row;    /*   bytes between rows */
    uint8_t off[4];   /*   byte of channel c within a pixel */
} rz_view;

/* Rows in flight hold "lanes": lane k is source byte k of a packed pixel, or channel k. */
typedef struct rz_plan {
    rz_view s, d;
    int mode;
    unsigned path;          /* WARMPOOL_RESIZE_* bits */
    int simd;               /* use the SIMD loops (rz_simd(), not WARMPOOL_RESIZE_SCALAR) */
    int simd512;            /* ... and the AVX-512 one */
    unsigned gap_mask;      /* both 4-byte pixels, same 3 channel bytes (bit b: byte b) */
    ptrdiff_t gap_s, gap_d; /* ...: byte 0 of pixel (0,0) relative to ptr[0] */
    uint8_t lane_ch[4];     /* channel carried by lane k */
    uint8_t lane_dst[4];    /* packed dst: byte of the pixel lane k goes to */
    /* Views whose channels share strides (pix) as pixels: byte 0 is the lowest channel
       byte; lane k is byte s_byte[k] of a src pixel and goes to byte d_byte[k] of a dst
       pixel. Src lanes are in byte order. */
    uintptr_t s_px, d_px;   /* byte 0 of pixel (0,0) */
    uint8_t s_byte[4], d_byte[4];
    int d_pixels;           /* d_px and d_byte are valid */
    int s_unit;             /* the 3-channel vector loads: 3 (packed) or 4 (gap byte,
                               masked loads); 0: none */
    int s_compact;          /* 4-byte pixels with gap bytes: rows packed first */
    int store;              /* RZ_STORE_* */
} rz_plan;

/* How output rows reach dst: v sums written in place (packed, same order), a row of
   lanes stored pixel by pixel, or tiles of RZ_TILE rows stored through a transpose
   (dst pixels adjacent along y: each dst run of RZ_TILE pixels is written at once). */
enum { RZ_STORE_DIRECT, RZ_STORE_ROW, RZ_STORE_TILE };
#define RZ_TILE 16

/* Validates both views and chooses the path (layout.c). 0 or errno. */
int rz_plan_make(rz_plan *pl, const warmpool_image *src, const warmpool_image *dst, int filter);

/* One axis: for output index d, taps k source indices from ofs[d] (always inside
   [0, sn)), weights w[d*k + t] summing to RZ_ONE. */
int rz_box_taps(int sn, int dn);                                  /* area.c */
void rz_box_table(int sn, int dn, int k, int32_t *ofs, int16_t *w);
int rz_linear_taps(int sn);                                       /* bilinear.c */
void rz_linear_table(int area_mode, int sn, int dn, int k, int32_t *ofs, int16_t *w);

typedef struct rz_tabs {
    int kx, ky;
    const int32_t *xofs, *yofs;
    const int16_t *xw, *yw;
} rz_tabs;

/* Output rows [y0, y1) with the separable engine (rows.c). scratch holds
   rz_rows_scratch() bytes, 16-byte aligned, used by one task at a time. */
size_t rz_rows_scratch(const rz_plan *pl, const rz_tabs *t);
void rz_rows(const rz_plan *pl, const rz_tabs *t, void *scratch, int y0, int y1);

/* The vector files are picked by the build, which says so with -DWP_RESIZE_AVX2
   (prim/resize_avx2.c, x86-64) or -DWP_RESIZE_SIMD128 (prim/resize_simd128.c, Wasm);
   without either the engine is scalar. */
/* AVX2 and AVX-512 kernels, used when the CPU has them. */
#if defined(WP_RESIZE_AVX2)
#define RZ_HAVE_AVX2 1
int rz_avx2(void); /* the CPU has AVX2 */
int rz_avx512(void); /* the CPU has AVX-512 BW and VL */
int rz_halve_row_gap4_avx512(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw,
                             unsigned pixel_mask);
/* The same halving, output as three lanes (bytes byte[0..2] of each pixel). */
int rz_halve_row_gap3_avx512(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw,
                             const uint8_t *byte);
/* Three channels, 4-byte pixels with a gap byte (masked loads never touch it): like
   rz_h_packed3_simd with unit 4. */
int rz_h_gap3_avx512(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                     const int16_t *w, int32_t *out, const uint8_t *byte);
/* One channel at byte b of 4-byte pixels: w of them packed into out, and back. */
int rz_compact1_avx512(const uint8_t *px, int b, int w, uint8_t *out);
int rz_store_gap1_avx512(const uint8_t *lanes, uint8_t *o, int dw, int b);
/* A row of 3-lane pixels into 4-byte dst pixels, bytes d_byte[k], gap untouched. */
int rz_store_gap3_avx512(const uint8_t *lanes, uint8_t *o, int dw, const uint8_t *byte);
/* An exact halving into such a dst with n = 3, rows [0, rows) (a multiple of 8) straight
   from the source (output row t from rows s + 2t * srow and the next), columns
   [0, returned): packed 3-byte source pixels, or 4-byte ones with lane k at byte src[k]
   (masked loads). */
int rz_halve_tile3_avx2(const uint8_t *s, ptrdiff_t srow, int rows, uint8_t *q0, ptrdiff_t sx,
                        int dw, const uint8_t *byte);
int rz_halve_tile_gap3_avx512(const uint8_t *s, ptrdiff_t srow, int rows, uint8_t *q0,
                              ptrdiff_t sx, int dw, const uint8_t *src, const uint8_t *byte);
#else
#define RZ_HAVE_AVX2 0
#endif

#if defined(WP_RESIZE_SIMD128)
/* Gap-byte rows (4-byte pixels, lane k at byte byte[k]) packed and stored back one byte
   lane at a time, gap bytes untouched: the pixels they did. */
int rz_compact3_simd(const uint8_t *px, const uint8_t *byte, int w, uint8_t *out);
int rz_compact1_simd(const uint8_t *px, int w, uint8_t *out);
int rz_store_gap3_simd(const uint8_t *lanes, uint8_t *o, int dw, const uint8_t *byte);
int rz_store_gap1_simd(const uint8_t *lanes, uint8_t *o, int dw);
#endif

/* The engine's two hot loops in SIMD: AVX2 or Wasm SIMD128. rz_simd(): they may be
   used. Each returns how many items it did; the caller finishes the rest with the
   scalar loop. */
#if RZ_HAVE_AVX2 || defined(WP_RESIZE_SIMD128)
#define RZ_HAVE_SIMD 1
int rz_simd(void);
int rz_v_row_simd(int32_t *const *rows, const int16_t *wy, int k, int len, uint8_t *o);
int rz_h_packed4_simd(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                      const int16_t *w, int32_t *out);
/* One packed channel. */
int rz_h_packed1_simd(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                      const int16_t *w, int32_t *out);
/* Three packed channels (3-byte pixels, lane k = byte k): 3 int32 per output pixel.
   out has 8 int32 of slack past 3 * dw. */
int rz_h_packed3_simd(const uint8_t *row, int sw, int dw, int k, const int32_t *ofs,
                      const int16_t *w, int32_t *out);
/* Exact halvings of packed rows of 1, 3, 4 channels: dw outputs from rows s0, s1 (2 * dw
   pixels each), reading and writing only those. */
int rz_halve_row1_simd(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw);
int rz_halve_row3_simd(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw);
int rz_halve_row4_simd(const uint8_t *s0, const uint8_t *s1, uint8_t *d, int dw);
/* Rows [0, rows) (a multiple of 8) of a tile into dst pixels of n = 3 or 4 bytes adjacent
   along y (column x at q0 + x * sx), lane k to byte byte[k]: the columns it did. */
int rz_store_tile_simd(const uint8_t *tile, size_t step, int rows, uint8_t *q0, ptrdiff_t sx,
                       int dw, int n, const uint8_t *byte);
#else
#define RZ_HAVE_SIMD 0
#endif

/* Output rows [y0, y1) of an exact halving; src and dst channels share strides.
   scratch: rz_halve_scratch() bytes (16-byte aligned), or NULL when that is 0. */
size_t rz_halve_scratch(const rz_plan *pl);
void rz_halve_rows(const rz_plan *pl, void *scratch, int y0, int y1);

/* Writing output rows (store.c). Rows of lanes (d.w * d.n bytes, rz_lane_row() apart in
   a tile) reach dst: rz_store_row() for one row y (RZ_STORE_ROW), rz_store_tile() for
   rows [y, y + rows), columns [x0, d.w) of a tile (RZ_STORE_TILE). */
size_t rz_lane_row(const rz_plan *pl);
/* Row y of an s_compact source packed into buf (s.w * s.n bytes); returns buf. */
const uint8_t *rz_compact_row(const rz_plan *pl, int y, uint8_t *buf);
void rz_store_row(const rz_plan *pl, int y, const uint8_t *lanes);
void rz_store_tile(const rz_plan *pl, int y, int rows, const uint8_t *tile, int x0);

#endif
