/* warmpool_resize.h - uint8 image resizing (area, bilinear) on any strides, on the pool.
 *
 * The manual
 * ----------
 * An image is described, not owned: a pointer to channel 0 of pixel (0,0) and signed byte
 * strides between horizontal neighbours (stride_x), vertical neighbours (stride_y) and
 * channels (stride_c). Any layout works: numpy arrays of any strides, transposed or
 * flipped views, padded rows, and pygame's surfarray.pixels3d, whose (W,H,3) array has
 * strides (4, pitch, -1): channel 0 (red) is byte 2 of a BGRA pixel, green and blue
 * step backwards from it.
 * An optional separate alpha plane (pygame's pixels_alpha) is channel number `channels`.
 *
 *   warmpool_image src = { data, 1920, 1080, 3, 4, pitch, -1, alpha, 4, pitch };
 *   warmpool_image dst = { ... 960, 540 ... };
 *   warmpool_resizer *rz = warmpool_resizer_create();        // NULL and errno ENOMEM
 *   int err = warmpool_resize(rz, pool, &src, &dst, WARMPOOL_RESIZE_AREA);  // 0 or errno
 *   warmpool_resizer_destroy(rz);
 *
 * Filters (results are defined exactly; the test suite checks a slow reference bit for bit)
 * - WARMPOOL_RESIZE_AREA: when neither axis grows, each output pixel is the mean of the
 *   source area it covers (integer and fractional factors), like cv2.INTER_AREA. Weights
 *   are the covered fractions in 11-bit fixed point, rounded so that each output pixel's
 *   weights sum to exactly 2048 per axis; the result is (sum w_x*w_y*s + 2^21) >> 22.
 *   An exact 2x2 halving is therefore (a+b+c+d+2)>>2, as cv2's SIMD path computes it.
 *   When either axis grows, cv2.INTER_AREA is not an area filter: it interpolates
 *   linearly with its own coordinates (nearest-like for integer factors). We do the same,
 *   on both axes, as cv2 does. Within 1 LSB of cv2.resize(..., INTER_AREA).
 * - WARMPOOL_RESIZE_BILINEAR: cv2.INTER_LINEAR: pixel centres (x + 0.5) * sw/dw - 0.5,
 *   edges clamped, cv2's 11-bit weights computed the way cv2 computes them, result
 *   (b0*h0 + b1*h1 + 2^21) >> 22 of the horizontal sums h. Within 1 LSB of cv2 (cv2's own
 *   SIMD and scalar code differ by that much). An exact halving samples the corners of
 *   2x2 blocks, so it is the same 2x2 mean as area (cv2 switches to its area code too).
 * Both filters treat x and y alike, so resizing a transposed image gives the transposed
 * result, bit for bit; channels never mix.
 *
 * Layout analysis (what makes it fast)
 * The job runs along the source's rows (x and y are swapped for the job when the source
 * is stored the other way: warmpool_resize_layout() reports TRANSPOSED): source rows are
 * read in memory order, once per task. Source rows are read as interleaved pixels when
 * every channel steps alike: gap-free (stride_x == channel count, any order, alpha plane
 * included: a BGRA surface as pixels3d + pixels_alpha, a 24-bit surface, RGB arrays) or
 * 4-byte pixels with gap bytes (pixels3d alone, pixels_alpha), whose gap bytes are never
 * read (AVX-512 masked loads natively; on Wasm the row is first packed a byte lane at a
 * time; elsewhere byte by byte).
 * Destinations: gap-free interleaved rows are written in place (channels reordered on
 * store, never mixed: SWIZZLED); 4-byte pixels with gap bytes through masked stores (Wasm:
 * byte lanes); a destination whose pixels are adjacent along y instead (a (w, h, 3) array
 * for surfarray.make_surface from pixels3d: DST_TILED) through tiles of 16 output rows,
 * transposed in vector registers 8x8 (4x4 on Wasm) pixels at a time, so each destination
 * run of pixels is written at once; an exact halving into 3-byte pixels along y goes from
 * the source rows to the destination in registers, without a tile. Anything else takes
 * the general strided path (same results). An exact halving has its own kernels; other
 * sizes use a separable fixed-point engine. Vector loops, same bytes as the scalar ones:
 * AVX2 natively when the CPU has it (chosen at run time), AVX-512 BW/VL for the gap-byte
 * loads and stores, SIMD128 in the Wasm build; 1, 3 and 4 channels (2 channels: scalar).
 *
 * Memory: only the described bytes of src are read and only those of dst are written
 * (padding bytes, e.g. the alpha byte of a pixels3d view without its alpha plane, are
 * never touched). A view is rejected with EINVAL, before anything is touched, when:
 * a pointer is NULL, width or height < 1, channels is not 1..4 or channels plus alpha
 * exceeds 4, src and dst channel counts differ, the filter is unknown, two dst pixels or
 * channels share a byte, or a dst byte may be a src byte (overlap; bytes that interleave
 * without touching are fine). EOVERFLOW: an extent does not fit the address space, or
 * a side is longer than WARMPOOL_RESIZE_MAX_SIDE.
 *
 * Thread safety: a resizer keeps weight tables and per-task scratch, so one resizer
 * serves one call at a time; a second concurrent call on the same resizer returns EBUSY
 * (use one resizer per thread). Different resizers may run concurrently, also on one pool.
 * NULL resizer: the call allocates and frees its own (convenient, not allocation-free).
 * NULL pool: everything runs on the caller. With a pool, output rows are split into
 * tasks run with warmpool_parallel_for; a call from inside a pool job runs serially.
 * After the first call, a resizer allocates again only when a later call needs larger
 * tables or scratch than any before.
 *
 * Wasm: same code and results (integer arithmetic; cv2's float coordinate maths is
 * IEEE-exact in both). The AVX2/AVX-512 loops are x86-64 only; the engine's horizontal
 * (1, 3, 4 channels) and vertical loops have SIMD128 versions (so the Wasm build needs
 * an engine with Wasm SIMD: every current browser and Node has it). Only that file is
 * built with -msimd128: with it, clang auto-vectorises the rest of the engine badly.
 * Without masked loads, Wasm halves 3-channel gap-byte pixels into gap-byte pixels with
 * scalar code (`make bench-resize` prints both builds' times). No variadic
 * functions and no 64-bit integer arguments, so ctypes in Pyodide can call everything
 * here; images are passed by pointer to a struct.
 */
#ifndef WARMPOOL_RESIZE_H
#define WARMPOOL_RESIZE_H

#include <stddef.h>
#include "warmpool.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WARMPOOL_RESIZE_MAX_SIDE (1 << 24) /* largest width or height */

#define WARMPOOL_RESIZE_AREA     0
#define WARMPOOL_RESIZE_BILINEAR 1
/* OR-ed into the filter: no SIMD kernels (same bytes, slower; for tests and comparisons,
   e.g. with Wasm, whose build has no SIMD). */
#define WARMPOOL_RESIZE_SCALAR   0x100

typedef struct warmpool_image {
    void *data;                   /* channel 0 of pixel (0,0) */
    int width, height, channels;  /* channels in `data`: 1..4 */
    ptrdiff_t stride_x, stride_y, stride_c;  /* bytes; any sign */
    void *alpha;                  /* optional alpha plane (channel `channels`); NULL: none */
    ptrdiff_t alpha_stride_x, alpha_stride_y;
} warmpool_image;

typedef struct warmpool_resizer warmpool_resizer;

warmpool_resizer *warmpool_resizer_create(void); /* NULL and errno ENOMEM */
void warmpool_resizer_destroy(warmpool_resizer *rz); /* NULL: no-op */

/* Resizes src into dst (all of both). 0, or EINVAL/EOVERFLOW (see above), ENOMEM, EBUSY. */
int warmpool_resize(warmpool_resizer *rz, warmpool *pool, const warmpool_image *src,
                    const warmpool_image *dst, int filter);

/* Path bits reported by warmpool_resize_layout(). */
#define WARMPOOL_RESIZE_SRC_PACKED 1u /* src read as interleaved rows */
#define WARMPOOL_RESIZE_DST_PACKED 2u /* dst written as interleaved rows */
#define WARMPOOL_RESIZE_TRANSPOSED 4u /* x and y swapped for both */
#define WARMPOOL_RESIZE_SWIZZLED   8u /* channel order differs: reordered on store */
#define WARMPOOL_RESIZE_HALVE     16u /* exact halving: the 2x2 mean (both filters) */
#define WARMPOOL_RESIZE_DST_TILED 32u /* dst pixels adjacent along y: written in tiles */

/* Validates like warmpool_resize() and stores the path bits in *path. 0 or errno. */
int warmpool_resize_layout(const warmpool_image *src, const warmpool_image *dst, int filter,
                           unsigned *path);

/* 1 if calls without WARMPOOL_RESIZE_SCALAR use the vector loops (AVX2 on a CPU that has
   it; always in the Wasm build), 0 if only scalar code runs. */
int warmpool_resize_simd(void);

#ifdef __cplusplus
}
#endif
#endif
