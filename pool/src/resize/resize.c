/* resize.c - the resize engine's entry: depends on the pool (warmpool_parallel_for_with_thread) and on
 * the vector loops in prim/resize_avx2.c or prim/resize_simd128.c that the build picks.
 * The resizer object and the parallel driver: weight tables are cached per
 * (axis sizes, mode), scratch is one slot per pool thread, tasks are bands of output rows. */
#include "resize/resize_internal.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define TASKS_PER_THREAD 8 /* small tasks: a preempted worker delays the job less */
#define ALIGN64(x) (((x) + 63) & ~(size_t)63)

struct warmpool_resizer {
    atomic_int busy;
    void *tab;
    size_t tab_cap;
    int key[5]; /* mode, sw, dw, sh, dh the tables were made for; mode -1: none */
    rz_tabs t;
    void *scratch;
    size_t scratch_cap;
};

warmpool_resizer *warmpool_resizer_create(void) {
    warmpool_resizer *rz = calloc(1, sizeof *rz);
    if (!rz) { errno = ENOMEM; return NULL; }
    atomic_init(&rz->busy, 0);
    rz->key[0] = -1;
    return rz;
}

void warmpool_resizer_destroy(warmpool_resizer *rz) {
    if (!rz) return;
    free(rz->tab);
    free(rz->scratch);
    free(rz);
}

/* Grows *buf to at least `need` bytes, keeping nothing (callers refill it). */
static int reserve(void **buf, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    void *p = aligned_alloc(64, ALIGN64(need));
    if (!p) return ENOMEM;
    free(*buf);
    *buf = p;
    *cap = ALIGN64(need);
    return 0;
}

static int axis_taps(int mode, int sn, int dn) {
    return mode == RZ_BOX ? rz_box_taps(sn, dn) : rz_linear_taps(sn);
}

static void axis_table(int mode, int sn, int dn, int k, int32_t *ofs, int16_t *w) {
    if (mode == RZ_BOX) rz_box_table(sn, dn, k, ofs, w);
    else rz_linear_table(mode == RZ_AREA_LINEAR, sn, dn, k, ofs, w);
}

static int make_tables(warmpool_resizer *rz, const rz_plan *pl) {
    const int key[5] = { pl->mode, pl->s.w, pl->d.w, pl->s.h, pl->d.h };
    if (!memcmp(key, rz->key, sizeof key)) return 0;
    rz->key[0] = -1;
    const int sw = pl->s.w, dw = pl->d.w, sh = pl->s.h, dh = pl->d.h;
    const int kx = axis_taps(pl->mode, sw, dw), ky = axis_taps(pl->mode, sh, dh);
    const size_t ox = ALIGN64(sizeof(int32_t) * (size_t)dw), oy = ALIGN64(sizeof(int32_t) * (size_t)dh);
    const size_t wx = ALIGN64(sizeof(int16_t) * (size_t)dw * (size_t)kx);
    const size_t wy = ALIGN64(sizeof(int16_t) * (size_t)dh * (size_t)ky);
    int err = reserve(&rz->tab, &rz->tab_cap, ox + oy + wx + wy);
    if (err) return err;
    uint8_t *p = rz->tab;
    int32_t *xofs = (int32_t *)(void *)p, *yofs = (int32_t *)(void *)(p + ox);
    int16_t *xw = (int16_t *)(void *)(p + ox + oy), *yw = (int16_t *)(void *)(p + ox + oy + wx);
    axis_table(pl->mode, sw, dw, kx, xofs, xw);
    axis_table(pl->mode, sh, dh, ky, yofs, yw);
    rz->t = (rz_tabs){ kx, ky, xofs, yofs, xw, yw };
    memcpy(rz->key, key, sizeof key);
    return 0;
}

typedef struct job {
    const rz_plan *pl;
    const rz_tabs *t;
    uint8_t *scratch;
    size_t slot;
    int tasks;
} job;

/* First output row of task i. Tiles are written 8 rows at a time by the vector loops:
   bands start on multiples of 8 there, so only the image's last rows are left over. */
static int task_row(const job *jb, size_t i) {
    const int64_t h = jb->pl->d.h;
    if (i == (size_t)jb->tasks) return (int)h;
    const int y = (int)(h * (int64_t)i / jb->tasks);
    return jb->pl->store == RZ_STORE_TILE ? y & ~7 : y;
}

/* Tiled dst columns run across every band: two bands side by side share a cache line in
   each column. Tasks taken one after the other are given bands from the two ends of the
   image, so the threads running at the same time rarely write neighbouring bands. */
static size_t task_band(const job *jb, size_t i) {
    if (jb->pl->store != RZ_STORE_TILE) return i;
    return i % 2 ? (size_t)jb->tasks - 1 - i / 2 : i / 2;
}

/* Scratch is one slot per pool thread, not per task: a thread's tasks reuse the slot its
   cache already holds. */
static void run_tasks(void *ctx, unsigned thread, size_t begin, size_t end) {
    const job *jb = ctx;
    uint8_t *scratch = jb->scratch ? jb->scratch + jb->slot * thread : NULL;
    for (size_t t = begin; t < end; t++) {
        const size_t i = task_band(jb, t);
        const int y0 = task_row(jb, i), y1 = task_row(jb, i + 1);
        if (y0 == y1) continue;
        if (jb->pl->path & WARMPOOL_RESIZE_HALVE)
            rz_halve_rows(jb->pl, scratch, y0, y1);
        else
            rz_rows(jb->pl, jb->t, scratch, y0, y1);
    }
}

static int resize_with(warmpool_resizer *rz, warmpool *pool, const rz_plan *pl) {
    const unsigned threads = warmpool_workers(pool) + 1;
    int tasks = threads == 1 ? 1 : (int)(threads * TASKS_PER_THREAD);
    if (tasks > pl->d.h) tasks = pl->d.h;
    job jb = { pl, NULL, NULL, 0, tasks };
    int err;
    if (!(pl->path & WARMPOOL_RESIZE_HALVE)) {
        if ((err = make_tables(rz, pl))) return err;
        jb.t = &rz->t;
        jb.slot = ALIGN64(rz_rows_scratch(pl, &rz->t));
    } else {
        jb.slot = ALIGN64(rz_halve_scratch(pl));
    }
    if (jb.slot) {
        if ((err = reserve(&rz->scratch, &rz->scratch_cap, jb.slot * (size_t)threads))) return err;
        jb.scratch = rz->scratch;
    }
    warmpool_parallel_for_with_thread(pool, 0, (size_t)tasks, 1, run_tasks, &jb);
    return 0;
}

int warmpool_resize(warmpool_resizer *rz, warmpool *pool, const warmpool_image *src,
                    const warmpool_image *dst, int filter) {
    rz_plan pl;
    int err = rz_plan_make(&pl, src, dst, filter);
    if (err) return err;
    if (!rz) {
        warmpool_resizer *tmp = warmpool_resizer_create();
        if (!tmp) return ENOMEM;
        err = resize_with(tmp, pool, &pl);
        warmpool_resizer_destroy(tmp);
        return err;
    }
    int expected = 0;
    if (!atomic_compare_exchange_strong(&rz->busy, &expected, 1)) return EBUSY;
    err = resize_with(rz, pool, &pl);
    atomic_store(&rz->busy, 0);
    return err;
}
