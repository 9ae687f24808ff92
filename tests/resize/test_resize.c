/* Resize kernels against a slow reference that reads every view pixel by pixel through
   its strides and sums full-length weight vectors. */
#include "harness/runner.h"
#include "warmpool.h"
#include "warmpool_resize.h"

#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GUARD 0xA5

/* ---- test images: exact-size heap buffers (ASan sees any stray byte) -------------- */

/* ORD_PYGAME: a BGRA surface as pixels3d + pixels_alpha (n == 4); ORD_P3: pixels3d alone
   (n == 3, gap byte); ORD_PA: pixels_alpha alone (n == 1, three gap bytes). Flip bit 2
   of those: the surface seen transposed. */
enum { ORD_YXC, ORD_XYC, ORD_CYX, ORD_YCX, ORD_PYGAME, ORD_P3, ORD_PA, ORD_COUNT };

typedef struct layout {
    int order;     /* memory order, outermost first, or pygame BGRA (n == 4) */
    int flip;      /* bit 0: x, bit 1: y, bit 2: c run backwards in memory */
    int pad;       /* extra bytes on the outermost stride */
    int pixel_pad; /* interleaved orders: one unused byte per pixel */
    int alpha;     /* 1: last channel in its own plane */
} layout;

typedef struct img {
    warmpool_image v;
    uint8_t *buf[2];
    size_t size[2];
    uint8_t *mark[2]; /* 1 where a described byte lives */
} img;

static uint32_t rng = 12345;
static uint32_t rnd(void) {
    rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
    return rng;
}

static uint8_t *px(const warmpool_image *v, int x, int y, int c) {
    if (v->alpha && c == v->channels)
        return (uint8_t *)v->alpha + x * v->alpha_stride_x + y * v->alpha_stride_y;
    return (uint8_t *)v->data + x * v->stride_x + y * v->stride_y + c * v->stride_c;
}

/* Strides for sizes listed outermost first; returns the buffer size and the offset of
   element (0,0,0) once flipped axes run backwards. */
static size_t strides_for(const int *size, const int *flip, int dims, int inner, int pad,
                          ptrdiff_t *stride, size_t *origin) {
    ptrdiff_t s = inner;
    size_t total = 0;
    for (int i = dims - 1; i >= 0; i--) {
        if (i == 0) s += pad;
        stride[i] = s;
        s *= size[i];
    }
    total = (size_t)s;
    *origin = 0;
    for (int i = 0; i < dims; i++)
        if (flip[i]) {
            *origin += (size_t)(size[i] - 1) * (size_t)stride[i];
            stride[i] = -stride[i];
        }
    return total;
}

static void img_free(img *m) {
    for (int i = 0; i < 2; i++) { free(m->buf[i]); free(m->mark[i]); }
    memset(m, 0, sizeof *m);
}

static void img_make(img *m, int w, int h, int n, layout lo) {
    memset(m, 0, sizeof *m);
    int nc = n - (lo.alpha || lo.order == ORD_PYGAME);
    m->v.width = w;
    m->v.height = h;
    m->v.channels = nc;
    if (lo.order >= ORD_PYGAME) { /* pixels3d: red is byte 2, alpha byte 3, rows of pitch */
        const int tr = lo.flip >> 2 & 1; /* bit 2: the surface seen transposed */
        const int sw = tr ? h : w, sh = tr ? w : h;
        ptrdiff_t pitch = 4 * (ptrdiff_t)sw + lo.pad, sx = 4, sy = pitch;
        m->size[0] = (size_t)pitch * (size_t)sh;
        m->buf[0] = malloc(m->size[0]);
        uint8_t *o = m->buf[0];
        if (lo.flip & 1) { o += (size_t)(sw - 1) * 4; sx = -4; }
        if (lo.flip & 2) { o += (size_t)(sh - 1) * (size_t)pitch; sy = -pitch; }
        if (tr) { ptrdiff_t t = sx; sx = sy; sy = t; }
        m->v.data = o + (lo.order == ORD_PA ? 3 : 2);
        m->v.stride_x = sx; m->v.stride_y = sy; m->v.stride_c = lo.order == ORD_PA ? 0 : -1;
        if (lo.order == ORD_PYGAME) {
            m->v.alpha = o + 3;
            m->v.alpha_stride_x = sx; m->v.alpha_stride_y = sy;
        }
    } else {
        int size[3], flip[3], axis[3]; /* axis: 0 x, 1 y, 2 c */
        static const int orders[4][3] = { { 1, 0, 2 }, { 0, 1, 2 }, { 2, 1, 0 }, { 1, 2, 0 } };
        const int dims = nc > 1 ? 3 : 2;
        int k = 0;
        for (int i = 0; i < 3; i++) {
            int a = orders[lo.order][i];
            if (a == 2 && dims == 2) continue;
            axis[k] = a;
            size[k] = a == 0 ? w : a == 1 ? h : nc;
            flip[k] = lo.flip >> a & 1;
            k++;
        }
        ptrdiff_t stride[3];
        size_t origin;
        /* a padded pixel: the channel axis keeps stride 1, the next axis gets nc + 1 */
        if (lo.pixel_pad && dims == 3 && axis[2] == 2) {
            int sz2[3] = { size[0], size[1], nc + 1 };
            m->size[0] = strides_for(sz2, flip, 3, 1, lo.pad, stride, &origin);
            if (flip[2]) origin -= 1; /* channel nc (the pad) is not used */
        } else {
            m->size[0] = strides_for(size, flip, dims, 1, lo.pad, stride, &origin);
        }
        m->buf[0] = malloc(m->size[0]);
        m->v.data = m->buf[0] + origin;
        for (int i = 0; i < dims; i++) {
            if (axis[i] == 0) m->v.stride_x = stride[i];
            if (axis[i] == 1) m->v.stride_y = stride[i];
            if (axis[i] == 2) m->v.stride_c = stride[i];
        }
        if (dims == 2) m->v.stride_c = (ptrdiff_t)(rnd() % 7) - 3; /* unused: any value */
        if (lo.alpha) {
            int asz[2] = { lo.order == ORD_XYC ? w : h, lo.order == ORD_XYC ? h : w };
            int afl[2] = { lo.order == ORD_XYC ? lo.flip & 1 : lo.flip >> 1 & 1,
                           lo.order == ORD_XYC ? lo.flip >> 1 & 1 : lo.flip & 1 };
            ptrdiff_t as[2];
            size_t ao;
            m->size[1] = strides_for(asz, afl, 2, 1, lo.pad, as, &ao);
            m->buf[1] = malloc(m->size[1]);
            m->v.alpha = m->buf[1] + ao;
            m->v.alpha_stride_x = lo.order == ORD_XYC ? as[0] : as[1];
            m->v.alpha_stride_y = lo.order == ORD_XYC ? as[1] : as[0];
        }
    }
    for (int i = 0; i < 2; i++) {
        if (!m->buf[i]) continue;
        memset(m->buf[i], GUARD, m->size[i]);
        m->mark[i] = calloc(m->size[i], 1);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < n; c++) {
                uint8_t *p = px(&m->v, x, y, c);
                for (int i = 0; i < 2; i++)
                    if (m->buf[i] && p >= m->buf[i] && p < m->buf[i] + m->size[i])
                        m->mark[i][p - m->buf[i]]++;
            }
}

static int img_n(const img *m) { return m->v.channels + (m->v.alpha != NULL); }

static void img_fill(img *m, int kind) {
    for (int y = 0; y < m->v.height; y++)
        for (int x = 0; x < m->v.width; x++)
            for (int c = 0; c < img_n(m); c++)
                *px(&m->v, x, y, c) = kind == 0 ? (uint8_t)rnd()
                                    : kind == 1 ? (uint8_t)((x * 7 + y * 13 + c * 50) & 255)
                                                : (uint8_t)(((x + y) & 1) ? 255 : 0);
}

/* Every described byte is named exactly once and no other byte changed. */
static int img_marks_ok(const img *m) {
    for (int i = 0; i < 2; i++)
        for (size_t j = 0; m->buf[i] && j < m->size[i]; j++)
            if (m->mark[i][j] > 1 || (!m->mark[i][j] && m->buf[i][j] != GUARD)) return 0;
    return 1;
}

/* ---- the reference ------------------------------------------------------------------ */

/* Full-length weights over all sn source indices for output d. */
static void ref_weights(int filter, int grows, int sn, int dn, int d, int32_t *wv) {
    for (int i = 0; i < sn; i++) wv[i] = 0;
    if (filter == WARMPOOL_RESIZE_AREA && !grows) {
        /* coverage of [d*sn, (d+1)*sn) by [i*dn, (i+1)*dn), rounded running total */
        int64_t covered = 0, prev = 0;
        for (int i = 0; i < sn; i++) {
            int64_t lo = (int64_t)d * sn, hi = lo + sn, a = (int64_t)i * dn, b = a + dn;
            int64_t c = (hi < b ? hi : b) - (lo > a ? lo : a);
            if (c <= 0) continue;
            covered += c;
            int64_t cum = (int64_t)floor((double)covered * 2048 / sn + 0.5);
            wv[i] = (int32_t)(cum - prev);
            prev = cum;
        }
        return;
    }
    double inv = (double)dn / sn, scale = 1.0 / inv;
    float f;
    int s;
    if (filter == WARMPOOL_RESIZE_BILINEAR) {
        f = (float)((d + 0.5) * scale - 0.5);
        s = (int)floorf(f);
        f -= (float)s;
    } else {
        s = (int)floor(d * scale);
        f = (float)((d + 1) - (s + 1) * inv);
        f = f <= 0 ? 0.f : f - floorf(f);
    }
    if (s < 0) { s = 0; f = 0; }
    if (s >= sn - 1) { s = sn - 1; f = 0; }
    wv[s] += (int32_t)lrintf((1.f - f) * 2048);
    if (s + 1 < sn) wv[s + 1] += (int32_t)lrintf(f * 2048);
}

static void ref_resize(const warmpool_image *s, const warmpool_image *d, int filter) {
    int n = s->channels + (s->alpha != NULL);
    int grows = d->width > s->width || d->height > s->height;
    int32_t *wx = malloc(sizeof(int32_t) * (size_t)s->width);
    int32_t *wy = malloc(sizeof(int32_t) * (size_t)s->height);
    for (int y = 0; y < d->height; y++) {
        ref_weights(filter, grows, s->height, d->height, y, wy);
        for (int x = 0; x < d->width; x++) {
            ref_weights(filter, grows, s->width, d->width, x, wx);
            for (int c = 0; c < n; c++) {
                int64_t sum = 0;
                for (int j = 0; j < s->height; j++) {
                    if (!wy[j]) continue;
                    for (int i = 0; i < s->width; i++)
                        if (wx[i]) sum += (int64_t)wx[i] * wy[j] * *px(s, i, j, c);
                }
                int64_t v = (sum + (1 << 21)) >> 22;
                *px(d, x, y, c) = (uint8_t)(v > 255 ? 255 : v);
            }
        }
    }
    free(wx);
    free(wy);
}

static int same_pixels(const warmpool_image *a, const warmpool_image *b) {
    int n = a->channels + (a->alpha != NULL);
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++)
            for (int c = 0; c < n; c++)
                if (*px(a, x, y, c) != *px(b, x, y, c)) {
                    fprintf(stderr, "    pixel (%d,%d) channel %d: %d, reference %d\n", x, y, c,
                            *px(a, x, y, c), *px(b, x, y, c));
                    return 0;
                }
    return 1;
}

static layout random_layout(int n) {
    layout lo = { 0 };
    lo.order = (int)(rnd() % (ORD_PYGAME + 1));
    if (lo.order == ORD_PYGAME) lo.order = n == 4 ? ORD_PYGAME : n == 3 ? ORD_P3 : n == 1 ? ORD_PA : ORD_YXC;
    lo.flip = (int)(rnd() % 8);
    lo.pad = (rnd() % 3 == 0) ? (int)(rnd() % 9) : 0;
    lo.pixel_pad = rnd() % 4 == 0;
    lo.alpha = lo.order < ORD_PYGAME && n >= 2 && rnd() % 3 == 0;
    return lo;
}

/* One case: our result (serial and on `pool`) equals the reference, untouched guards. */
static int check_case(warmpool_resizer *rz, warmpool *pool, int sw, int sh, int dw, int dh,
                      int n, layout ls, layout ld, int filter, int fill) {
    img s, d, r;
    img_make(&s, sw, sh, n, ls);
    img_make(&d, dw, dh, n, ld);
    layout plain = { 0 };
    img_make(&r, dw, dh, n, plain);
    img_fill(&s, fill);
    /* bytes the source does not describe hold noise: a kernel that used them would show */
    for (int i = 0; i < 2; i++)
        for (size_t j = 0; s.buf[i] && j < s.size[i]; j++)
            if (!s.mark[i][j]) s.buf[i][j] = (uint8_t)rnd();
    ref_resize(&s.v, &r.v, filter);
    int ok = 1;
    /* serial, on the pool, and without SIMD kernels: the same bytes every time */
    for (int pass = 0; pass < 3 && ok; pass++) {
        memset(d.buf[0], GUARD, d.size[0]);
        if (d.buf[1]) memset(d.buf[1], GUARD, d.size[1]);
        int err = warmpool_resize(rz, pass == 1 ? pool : NULL, &s.v, &d.v,
                                  filter | (pass == 2 ? WARMPOOL_RESIZE_SCALAR : 0));
        if (err) {
            fprintf(stderr, "    error %d\n", err);
            ok = 0;
            break;
        }
        ok = same_pixels(&d.v, &r.v) && img_marks_ok(&d);
    }
    if (!ok) {
        unsigned path = 0;
        warmpool_resize_layout(&s.v, &d.v, filter, &path);
        fprintf(stderr, "    %dx%d -> %dx%d n=%d filter=%d src{order %d flip %d pad %d pp %d a %d} "
                        "dst{order %d flip %d pad %d pp %d a %d} path %#x\n",
                sw, sh, dw, dh, n, filter, ls.order, ls.flip, ls.pad, ls.pixel_pad, ls.alpha,
                ld.order, ld.flip, ld.pad, ld.pixel_pad, ld.alpha, path);
    }
    img_free(&s);
    img_free(&d);
    img_free(&r);
    return ok;
}

/* ---- tests -------------------------------------------------------------------------- */

TEST(resize_random_layouts_match_reference) {
    static const int sizes[][4] = {
        { 8, 6, 4, 3 },   { 7, 13, 3, 5 },  { 13, 7, 5, 2 },  { 1, 9, 1, 4 },   { 9, 1, 4, 1 },
        { 17, 11, 17, 11 }, { 5, 3, 11, 7 }, { 3, 5, 2, 13 }, { 1, 1, 3, 2 },   { 4, 4, 1, 1 },
        { 31, 17, 10, 6 }, { 23, 29, 7, 11 }, { 16, 10, 8, 5 }, { 30, 14, 15, 7 }, { 6, 9, 9, 4 },
        { 2, 2, 5, 5 },   { 20, 3, 7, 9 },  { 19, 23, 19, 4 }, { 11, 2, 3, 2 },  { 40, 22, 20, 11 },
    };
    warmpool *pool = warmpool_create(1);
    REQUIRE(pool != NULL);
    warmpool_resizer *rz = warmpool_resizer_create();
    REQUIRE(rz != NULL);
    int fails = 0;
    for (int rep = 0; rep < 6; rep++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            for (int filter = 0; filter < 2; filter++) {
                static const int ns[] = { 1, 3, 4, 2 };
                int n = ns[(rep + i) % 4];
                layout ls = random_layout(n), ld = random_layout(n);
                if (!check_case(rz, pool, sizes[i][0], sizes[i][1], sizes[i][2], sizes[i][3], n,
                                ls, ld, filter, (int)(rnd() % 3)))
                    fails++;
            }
    CHECK_EQ_U(fails, 0);
    warmpool_resizer_destroy(rz);
    warmpool_destroy(pool);
}

TEST(resize_every_order_and_flip_both_filters) {
    warmpool_resizer *rz = warmpool_resizer_create();
    REQUIRE(rz != NULL);
    int fails = 0;
    for (int o = 0; o <= ORD_P3; o++)
        for (int f = 0; f < 8; f++)
            for (int filter = 0; filter < 2; filter++) {
                int n = o == ORD_PYGAME ? 4 : 3;
                layout ls = { o, f, f & 1 ? 3 : 0, 0, 0 }, ld = { (o + 1) % (ORD_P3 + 1), 7 - f, 0, 0, 0 };
                if (ld.order == ORD_PYGAME || (ld.order == ORD_P3 && n != 3)) ld.order = ORD_YXC;
                if (!check_case(rz, NULL, 12, 9, 5, 4, n, ls, ld, filter, 0)) fails++;
                if (!check_case(rz, NULL, 5, 4, 12, 9, n, ls, ld, filter, 0)) fails++;
            }
    CHECK_EQ_U(fails, 0);
    warmpool_resizer_destroy(rz);
}

TEST(resize_pygame_surfaces_take_the_packed_path) {
    layout pg = { ORD_PYGAME, 0, 0, 0, 0 }, rgba = { ORD_YXC, 0, 0, 0, 0 };
    layout pgt = { ORD_PYGAME, 4, 0, 0, 0 }, pg3 = { ORD_YXC, 0, 0, 1, 0 };
    img s, d, c, t, dt, p3s, p3d;
    img_make(&s, 64, 34, 4, pg);
    img_make(&d, 32, 17, 4, pg);
    img_make(&c, 32, 17, 4, rgba);
    img_make(&t, 64, 34, 4, pgt);
    img_make(&dt, 32, 17, 4, pgt);
    img_make(&p3s, 64, 34, 3, pg3);
    img_make(&p3d, 32, 17, 3, pg3);
    unsigned path = 0;
    CHECK(warmpool_resize_layout(&s.v, &d.v, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_SRC_PACKED | WARMPOOL_RESIZE_DST_PACKED | WARMPOOL_RESIZE_HALVE);
    CHECK(warmpool_resize_layout(&s.v, &d.v, WARMPOOL_RESIZE_BILINEAR, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_SRC_PACKED | WARMPOOL_RESIZE_DST_PACKED | WARMPOOL_RESIZE_HALVE);
    CHECK(warmpool_resize_layout(&s.v, &c.v, WARMPOOL_RESIZE_BILINEAR, &path) == 0 &&
          (path & WARMPOOL_RESIZE_HALVE));
    CHECK(warmpool_resize_layout(&d.v, &s.v, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_SRC_PACKED | WARMPOOL_RESIZE_DST_PACKED);
    /* BGRA surface into an RGBA array: same path, channels reordered on store */
    CHECK(warmpool_resize_layout(&s.v, &c.v, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_SRC_PACKED | WARMPOOL_RESIZE_DST_PACKED |
                     WARMPOOL_RESIZE_SWIZZLED | WARMPOOL_RESIZE_HALVE);
    /* both seen transposed: x and y swap back */
    CHECK(warmpool_resize_layout(&t.v, &dt.v, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_SRC_PACKED | WARMPOOL_RESIZE_DST_PACKED |
                     WARMPOOL_RESIZE_TRANSPOSED | WARMPOOL_RESIZE_HALVE);
    /* pixels3d without alpha has a gap byte per pixel: not packed, gap untouched */
    CHECK(warmpool_resize_layout(&p3s.v, &p3d.v, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_HALVE);
    CHECK(warmpool_resize_layout(&p3s.v, &c.v, WARMPOOL_RESIZE_BILINEAR, &path) == EINVAL);
    /* the same seen transposed (numpy's view of pixels3d): rows are walked in memory order */
    warmpool_image p3st = p3s.v, p3dt = p3d.v;
    p3st.width = p3s.v.height; p3st.height = p3s.v.width;
    p3st.stride_x = p3s.v.stride_y; p3st.stride_y = p3s.v.stride_x;
    p3dt.width = p3d.v.height; p3dt.height = p3d.v.width;
    p3dt.stride_x = p3d.v.stride_y; p3dt.stride_y = p3d.v.stride_x;
    CHECK(warmpool_resize_layout(&p3st, &p3dt, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_HALVE | WARMPOOL_RESIZE_TRANSPOSED);
    img_fill(&s, 0);
    img_fill(&t, 0);
    img_fill(&p3s, 0);
    CHECK(warmpool_resize(NULL, NULL, &s.v, &c.v, WARMPOOL_RESIZE_AREA) == 0);
    CHECK(warmpool_resize(NULL, NULL, &p3s.v, &p3d.v, WARMPOOL_RESIZE_AREA) == 0);
    CHECK(img_marks_ok(&c) && img_marks_ok(&p3d));
    /* red is red: channel 0 of the surface view lands in byte 0 of the RGBA array */
    int r = (*px(&s.v, 0, 0, 0) + *px(&s.v, 1, 0, 0) + *px(&s.v, 0, 1, 0) + *px(&s.v, 1, 1, 0) + 2) >> 2;
    CHECK_EQ_U(c.buf[0][0], r);
    img *all[] = { &s, &d, &c, &t, &dt, &p3s, &p3d };
    for (int i = 0; i < 7; i++) img_free(all[i]);
}

TEST(resize_halving_kernel_matches_reference) {
    /* the 4-channel kernel works in blocks of 4 output pixels: widths around that */
    int fails = 0;
    layout pg = { ORD_PYGAME, 0, 8, 0, 0 }, rgba = { ORD_YXC, 2, 4, 0, 0 };
    for (int w = 1; w <= 11; w++)
        for (int n = 1; n <= 4; n++) {
            layout l1 = n == 4 ? pg : rgba;
            if (!check_case(NULL, NULL, 2 * w, 6, w, 3, n, l1, rgba, WARMPOOL_RESIZE_AREA, 0)) fails++;
            if (!check_case(NULL, NULL, 2 * w, 6, w, 3, n, l1, l1, WARMPOOL_RESIZE_BILINEAR, 0)) fails++;
            if (!check_case(NULL, NULL, 2 * w, 6, w, 3, n, rgba, rgba, WARMPOOL_RESIZE_AREA, 2)) fails++;
            if (n == 4 && !check_case(NULL, NULL, 2 * w, 6, w, 3, n, pg, pg, WARMPOOL_RESIZE_AREA, 0)) fails++;
            layout gap = { ORD_YXC, 3, 2, 1, 0 }, gapt = { ORD_XYC, 0, 0, 1, 0 };
            layout p3 = { ORD_YXC, 4, 4, 1, 0 }, p3r = { ORD_YXC, 0, 0, 1, 0 }; /* pixels3d-like */
            if (n == 3 && !check_case(NULL, NULL, 2 * w, 6, w, 3, n, p3, p3, WARMPOOL_RESIZE_AREA, 0)) fails++;
            if (n == 3 && !check_case(NULL, NULL, 2 * w, 6, w, 3, n, p3r, p3r, WARMPOOL_RESIZE_AREA, 2)) fails++;
            if (n == 3 && !check_case(NULL, NULL, 2 * w, 6, w, 3, n, p3, p3r, WARMPOOL_RESIZE_AREA, 0)) fails++;
            if (n > 1 && !check_case(NULL, NULL, 2 * w, 6, w, 3, n, gap, gapt, WARMPOOL_RESIZE_AREA, 1)) fails++;
            if (n > 1 && !check_case(NULL, NULL, 2 * w, 6, w, 3, n, gapt, rgba, WARMPOOL_RESIZE_BILINEAR, 0)) fails++;
        }
    CHECK_EQ_U(fails, 0);
}

/* Sizes where every vector loop runs (rows of 16+ output pixels; factors below 2, where
   one channel's taps fit a 16-byte window, and above; odd box tap counts; halving), on
   the 3- and 1-channel layouts pygame code holds: packed RGB with padded rows (24-bit
   surfaces), pixels3d alone (gap byte), pixels_alpha, and destinations whose pixels run
   along y (written through tiles), transposed, flipped. Serial, pooled and scalar runs
   must give the reference's bytes and write nothing else. */
TEST(resize_vector_paths_match_reference) {
    static const int sizes[][4] = {
        { 67, 9, 45, 7 }, { 40, 12, 61, 17 }, { 96, 6, 48, 3 }, { 70, 10, 13, 4 },
        { 50, 8, 20, 8 }, { 33, 21, 66, 42 }, { 36, 40, 35, 18 }, { 66, 36, 33, 18 },
        { 48, 66, 24, 33 },
    };
    const layout rgb = { ORD_YXC, 0, 5, 0, 0 }, rgbt = { ORD_XYC, 0, 0, 0, 0 };
    const layout p3 = { ORD_P3, 0, 8, 0, 0 }, p3t = { ORD_P3, 4, 0, 0, 0 };
    const layout pa = { ORD_PA, 0, 4, 0, 0 }, pat = { ORD_PA, 4, 0, 0, 0 };
    const layout gray = { ORD_YXC, 0, 3, 0, 0 }, grayt = { ORD_XYC, 0, 0, 0, 0 };
    const layout flipped = { ORD_YXC, 3, 0, 0, 0 }, p3f = { ORD_P3, 2, 0, 0, 0 };
    /* dst columns with guard bytes between them, channels forwards and backwards */
    const layout rgbtp = { ORD_XYC, 0, 7, 0, 0 }, rgbtr = { ORD_XYC, 4, 3, 0, 0 };
    const layout rgbtf = { ORD_XYC, 1, 2, 0, 0 }, pg = { ORD_PYGAME, 0, 4, 0, 0 };
    const layout pairs3[][2] = { { rgb, rgb }, { rgb, rgbt }, { p3, rgb }, { p3, rgbt },
                                 { p3, p3 }, { p3, p3t }, { rgbt, p3 }, { rgb, p3t },
                                 { flipped, p3f }, { p3f, rgbt }, { p3, rgbtp }, { rgb, rgbtr },
                                 { p3, rgbtr }, { rgb, rgbtf }, { p3f, rgbtp } };
    const layout pairs4[][2] = { { pg, rgbtp }, { rgb, rgbtr }, { pg, rgbtf }, { rgb, rgbt } };
    const layout pairs1[][2] = { { gray, gray }, { pa, pa }, { pa, gray }, { gray, pat },
                                 { pa, grayt }, { grayt, pa } };
    warmpool *pool = warmpool_create(1);
    REQUIRE(pool != NULL);
    warmpool_resizer *rz = warmpool_resizer_create();
    REQUIRE(rz != NULL);
    int fails = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int filter = 0; filter < 2; filter++) {
            const int *z = sizes[i];
            for (size_t j = 0; j < sizeof pairs3 / sizeof pairs3[0]; j++)
                fails += !check_case(rz, pool, z[0], z[1], z[2], z[3], 3, pairs3[j][0], pairs3[j][1],
                                     filter, (int)(j % 3));
            for (size_t j = 0; j < sizeof pairs4 / sizeof pairs4[0]; j++)
                fails += !check_case(rz, pool, z[0], z[1], z[2], z[3], 4, pairs4[j][0], pairs4[j][1],
                                     filter, (int)(j % 3));
            for (size_t j = 0; j < sizeof pairs1 / sizeof pairs1[0]; j++)
                fails += !check_case(rz, pool, z[0], z[1], z[2], z[3], 1, pairs1[j][0], pairs1[j][1],
                                     filter, (int)(j % 3));
        }
    CHECK_EQ_U(fails, 0);
    warmpool_resizer_destroy(rz);
    warmpool_destroy(pool);
}

/* The paths those layouts take: a dst whose pixels run along y is written in tiles. */
TEST(resize_dst_along_y_is_tiled) {
    const layout p3 = { ORD_P3, 0, 0, 0, 0 }, rgbt = { ORD_XYC, 0, 0, 0, 0 };
    const layout rgb = { ORD_YXC, 0, 0, 0, 0 }, pa = { ORD_PA, 0, 0, 0, 0 };
    img s, d, r, a;
    img_make(&s, 64, 34, 3, p3);
    img_make(&d, 32, 17, 3, rgbt);
    img_make(&r, 32, 17, 3, rgb);
    img_make(&a, 64, 34, 1, pa);
    unsigned path = 0;
    CHECK(warmpool_resize_layout(&s.v, &d.v, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_HALVE | WARMPOOL_RESIZE_DST_TILED);
    CHECK(warmpool_resize_layout(&s.v, &r.v, WARMPOOL_RESIZE_BILINEAR, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_DST_PACKED | WARMPOOL_RESIZE_SWIZZLED | WARMPOOL_RESIZE_HALVE);
    /* the same pair seen transposed: still the source's rows, still tiles */
    warmpool_image st = s.v, dt = d.v;
    st.width = s.v.height; st.height = s.v.width; st.stride_x = s.v.stride_y; st.stride_y = s.v.stride_x;
    dt.width = d.v.height; dt.height = d.v.width; dt.stride_x = d.v.stride_y; dt.stride_y = d.v.stride_x;
    CHECK(warmpool_resize_layout(&st, &dt, WARMPOOL_RESIZE_BILINEAR, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_TRANSPOSED | WARMPOOL_RESIZE_DST_TILED | WARMPOOL_RESIZE_HALVE);
    img at;
    const layout grayt = { ORD_XYC, 0, 0, 0, 0 };
    img_make(&at, 32, 17, 1, grayt);
    CHECK(warmpool_resize_layout(&a.v, &at.v, WARMPOOL_RESIZE_AREA, &path) == 0);
    CHECK_EQ_U(path, WARMPOOL_RESIZE_HALVE | WARMPOOL_RESIZE_DST_TILED);
    img_free(&at);
    img *all[] = { &s, &d, &r, &a };
    for (int i = 0; i < 4; i++) img_free(all[i]);
}

TEST(resize_bigger_images_on_the_pool) {
    warmpool *pool = warmpool_create(2);
    REQUIRE(pool != NULL);
    warmpool_resizer *rz = warmpool_resizer_create();
    layout pg = { ORD_PYGAME, 0, 0, 0, 0 }, pl = { ORD_CYX, 0, 0, 0, 0 };
    int fails = 0;
    fails += !check_case(rz, pool, 96, 64, 48, 32, 4, pg, pg, WARMPOOL_RESIZE_AREA, 0);
    fails += !check_case(rz, pool, 96, 64, 37, 23, 4, pg, pg, WARMPOOL_RESIZE_AREA, 0);
    fails += !check_case(rz, pool, 96, 64, 37, 23, 3, pl, pl, WARMPOOL_RESIZE_BILINEAR, 0);
    fails += !check_case(rz, pool, 30, 20, 77, 51, 4, pg, pg, WARMPOOL_RESIZE_AREA, 0);
    fails += !check_case(rz, pool, 30, 20, 77, 51, 4, pg, pg, WARMPOOL_RESIZE_BILINEAR, 0);
    fails += !check_case(rz, pool, 200, 8, 3, 8, 1, pl, pl, WARMPOOL_RESIZE_AREA, 0);
    /* more than 64 source rows per output row: the engine's slot-by-slot sum */
    fails += !check_case(rz, pool, 6, 300, 4, 2, 3, pl, pl,
                         WARMPOOL_RESIZE_AREA, 0);
    fails += !check_case(rz, pool, 9, 260, 9, 3, 4, pg, pg, WARMPOOL_RESIZE_AREA, 0);
    CHECK_EQ_U(fails, 0);
    warmpool_resizer_destroy(rz);
    warmpool_destroy(pool);
}

TEST(resize_rejects_impossible_views) {
    uint8_t a[4 * 8 * 8], b[4 * 4 * 4];
    warmpool_image s = { a, 8, 8, 4, 4, 32, 1, NULL, 0, 0 };
    warmpool_image d = { b, 4, 4, 4, 4, 16, 1, NULL, 0, 0 };
    warmpool_image x;
    unsigned path;
    CHECK(warmpool_resize(NULL, NULL, &s, &d, WARMPOOL_RESIZE_AREA) == 0);
    CHECK(warmpool_resize(NULL, NULL, NULL, &d, 0) == EINVAL);
    CHECK(warmpool_resize(NULL, NULL, &s, NULL, 0) == EINVAL);
    CHECK(warmpool_resize(NULL, NULL, &s, &d, 2) == EINVAL);
    CHECK(warmpool_resize_layout(&s, &d, 0, NULL) == EINVAL);
    x = d; x.data = NULL;           CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.width = 0;             CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.height = -3;           CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.channels = 3;          CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.channels = 5;          CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.alpha = b + 3;         CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.stride_x = 0;          CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.stride_c = 0;          CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.stride_y = 8;          CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = d; x.stride_x = PTRDIFF_MAX / 2; CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EOVERFLOW);
    x = d; x.stride_y = -PTRDIFF_MAX;   CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EOVERFLOW);
    x = d; x.height = WARMPOOL_RESIZE_MAX_SIDE + 1; x.stride_y = 0;
    CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EOVERFLOW);
    /* dst inside src, dst == src */
    x = d; x.data = a + 40;         CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x = s;                          CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    /* left half into the right half of one image: interleaved, not touching: allowed */
    warmpool_image l = { a, 4, 8, 4, 4, 32, 1, NULL, 0, 0 }, r = l;
    r.data = a + 16;
    CHECK(warmpool_resize_layout(&l, &r, 0, &path) == 0);
    r.data = a + 12; /* one column shared */
    CHECK(warmpool_resize_layout(&l, &r, 0, &path) == EINVAL);
    /* a dst alpha plane inside its own colour bytes */
    x = d; x.channels = 3; x.alpha = b + 2; x.alpha_stride_x = 4; x.alpha_stride_y = 16;
    CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == EINVAL);
    x.alpha = b + 3;                 CHECK(warmpool_resize(NULL, NULL, &s, &x, 0) == 0);
}

/* After a first call, smaller or equal jobs reuse the resizer's tables and scratch: the
   heap does not grow (a leak or a per-call buffer kept alive would show). Sanitizer
   runtimes report zeros from mallinfo2: the check is real in the plain run. */
TEST(resize_heap_does_not_grow_per_call) {
    warmpool *pool = warmpool_create(1);
    REQUIRE(pool != NULL);
    warmpool_resizer *rz = warmpool_resizer_create();
    layout pg = { ORD_PYGAME, 0, 0, 0, 0 }, pl = { ORD_CYX, 0, 0, 0, 0 };
    img s, d, d2;
    img_make(&s, 90, 60, 4, pg);
    img_make(&d, 37, 23, 4, pg);
    img_make(&d2, 20, 11, 4, pl);
    img_fill(&s, 0);
    int errs = 0;
    /* every job of the loop once: the largest tables and scratch are then in place */
    errs += warmpool_resize(rz, pool, &s.v, &d.v, WARMPOOL_RESIZE_AREA) != 0;
    errs += warmpool_resize(rz, pool, &s.v, &d.v, WARMPOOL_RESIZE_BILINEAR) != 0;
    errs += warmpool_resize(rz, pool, &s.v, &d2.v, WARMPOOL_RESIZE_AREA) != 0;
    size_t before = mallinfo2().uordblks;
    for (int i = 0; i < 20; i++) {
        errs += warmpool_resize(rz, i & 1 ? pool : NULL, &s.v, &d.v, i % 3 ? 0 : 1) != 0;
        errs += warmpool_resize(rz, pool, &s.v, &d2.v, WARMPOOL_RESIZE_AREA) != 0;
    }
    CHECK_EQ_U(mallinfo2().uordblks, before);
    CHECK_EQ_U(errs, 0);
    img_free(&s);
    img_free(&d);
    img_free(&d2);
    warmpool_resizer_destroy(rz);
    warmpool_destroy(pool);
}

typedef struct conc { warmpool *pool; int errs; } conc;

static void *resize_thread(void *arg) {
    conc *c = arg;
    warmpool_resizer *rz = warmpool_resizer_create();
    uint8_t *s = malloc(64 * 48 * 4), *d = malloc(21 * 15 * 4), *e = malloc(21 * 15 * 4);
    for (int i = 0; i < 64 * 48 * 4; i++) s[i] = (uint8_t)(i * 31 + i / 7);
    warmpool_image vs = { s, 64, 48, 4, 4, 256, 1, NULL, 0, 0 };
    warmpool_image vd = { d, 21, 15, 4, 4, 84, 1, NULL, 0, 0 }, ve = vd;
    ve.data = e;
    c->errs += warmpool_resize(rz, NULL, &vs, &ve, WARMPOOL_RESIZE_AREA) != 0;
    for (int i = 0; i < 20; i++) {
        c->errs += warmpool_resize(rz, c->pool, &vs, &vd, WARMPOOL_RESIZE_AREA) != 0;
        c->errs += memcmp(d, e, 21 * 15 * 4) != 0;
    }
    free(s); free(d); free(e);
    warmpool_resizer_destroy(rz);
    return NULL;
}

TEST(resize_concurrent_callers_share_a_pool) {
    warmpool *pool = warmpool_create(1);
    REQUIRE(pool != NULL);
    conc c[2] = { { pool, 0 }, { pool, 0 } };
    pthread_t t[2];
    int started = 0;
    for (int i = 0; i < 2; i++) started += pthread_create(&t[i], NULL, resize_thread, &c[i]) == 0;
    CHECK_EQ_U(started, 2);
    for (int i = 0; i < started; i++) pthread_join(t[i], NULL);
    CHECK_EQ_U(c[0].errs + c[1].errs, 0);
    warmpool_destroy(pool);
}
