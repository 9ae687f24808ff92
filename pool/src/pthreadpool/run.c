/* run.c - a pthreadpool call as one warmpool job over its tiles.
 *
 * Static calls hand out one tile at a time: pthreadpool lets a thread steal any single
 * item from a busy one, and code relies on it (an item may wait for the others), so no
 * tile may sit behind another in a chunk. They run as the pool's item jobs, the tile's
 * coordinates computed in front of the task call (ITEM in parallelize.c); a plain
 * parallelize_1d's task is the item function itself. Static calls whose task takes the
 * thread index run as chunk jobs of grain 1 (run_static). Dynamic calls may merge tiles,
 * so they let warmpool size the chunks and turn each chunk into as few calls as possible.
 */
#include "pthreadpool/internal.h"
#include "pool/items.h"
#include "prim/pthreadpool_prim.h"

/* The tile coordinates t[] of flat tile index f (row-major, last dimension fastest). */
static void unflatten(const struct ptp_job *j, size_t f, size_t *t) {
    for (unsigned d = j->dims; d-- > 1;) {
        size_t n = j->ntiles[d];
        if (n == 1) { t[d] = 0; continue; }
        t[d] = f % n;
        f /= n;
    }
    t[0] = f;
}

/* First item and item count of `tiles` tiles starting at tile t in dimension d. */
static void span(const struct ptp_job *j, unsigned d, size_t t, size_t tiles, size_t *start,
                 size_t *count) {
    start[d] = t * j->tile[d];
    count[d] = ptp_min(tiles * j->tile[d], j->range[d] - start[d]);
}

/* Tiles [b, e) of a static call whose task takes the thread index (grain 1: one tile). */
static void run_static(void *arg, unsigned thread, size_t b, size_t e) {
    const struct ptp_job *j = arg;
    unsigned fpu = j->denormals_off ? wp_denormals_off() : 0;
    size_t start[PTP_MAX_DIMS], count[PTP_MAX_DIMS];
    for (size_t f = b; f < e; f++) {
        ptp_tile(j, j->dims, f, start, count);
        j->invoke(j, thread, start, count);
    }
    if (j->denormals_off) wp_fpu_restore(fpu);
}

/* A chunk of a dynamic call: per row of the outer dimensions, one call for the tiles of
   the chunk in that row; with two dynamic dimensions, whole rows of tiles merge into one
   rectangle. */
static void run_dynamic(void *arg, unsigned thread, size_t b, size_t e) {
    const struct ptp_job *j = arg;
    unsigned fpu = j->denormals_off ? wp_denormals_off() : 0;
    const unsigned last = j->dims - 1, outer = j->dims - j->dynamic;
    size_t t[PTP_MAX_DIMS], start[PTP_MAX_DIMS], count[PTP_MAX_DIMS];
    for (size_t f = b; f < e;) {
        unflatten(j, f, t);
        for (unsigned d = 0; d < outer; d++) span(j, d, t[d], 1, start, count);
        size_t n_last = j->ntiles[last], run;
        if (j->dynamic == 2 && t[last] == 0 && e - f >= n_last) {
            size_t rows = ptp_min((e - f) / n_last, j->ntiles[last - 1] - t[last - 1]);
            span(j, last - 1, t[last - 1], rows, start, count);
            span(j, last, 0, n_last, start, count);
            run = rows * n_last;
        } else {
            if (j->dynamic == 2) span(j, last - 1, t[last - 1], 1, start, count);
            run = ptp_min(e - f, n_last - t[last]);
            span(j, last, t[last], run, start, count);
        }
        j->invoke(j, thread, start, count);
        f += run;
    }
    if (j->denormals_off) wp_fpu_restore(fpu);
}

/* DISABLE_DENORMALS for item jobs: once per thread and job, not per item (the MXCSR
   writes would cost more than a fine item). */
static unsigned fpu_enter(void) { return wp_denormals_off(); }
static void fpu_leave(unsigned saved) { wp_fpu_restore(saved); }
static const wp_bracket no_denormals = {fpu_enter, fpu_leave};
static const wp_bracket *bracket(uint32_t flags) {
    return flags & PTHREADPOOL_FLAG_DISABLE_DENORMALS ? &no_denormals : NULL;
}

/* Fills j for a call; returns its tile count, 0 for an empty range. */
static size_t setup(struct ptp_job *j, ptp_fn fn, void *ctx, uint32_t uarch, uint32_t flags,
                    unsigned dynamic, unsigned dims, const size_t *range, const size_t *tile) {
    j->fn = fn;
    j->ctx = ctx;
    j->uarch = uarch;
    j->dims = dims;
    j->dynamic = dynamic;
    j->denormals_off = (flags & PTHREADPOOL_FLAG_DISABLE_DENORMALS) != 0;
    size_t total = 1;
    for (unsigned d = 0; d < dims; d++) {
        if (!range[d]) return 0;
        j->range[d] = range[d];
        j->tile[d] = tile[d] ? ptp_min(tile[d], range[d]) : 1;
        j->ntiles[d] = (range[d] - 1) / j->tile[d] + 1;
        total *= j->ntiles[d];
    }
    return total;
}

void ptp_run(pthreadpool_t pool, ptp_invoke invoke, ptp_fn fn, void *ctx, uint32_t uarch,
             uint32_t flags, unsigned dynamic, unsigned dims, const size_t *range,
             const size_t *tile) {
    struct ptp_job j;
    j.invoke = invoke;
    size_t total = setup(&j, fn, ctx, uarch, flags, dynamic, dims, range, tile);
    if (!total) return;
    warmpool *p = pool ? pool->pool : NULL;
    if (dynamic)
        warmpool_parallel_for_with_thread(p, 0, total, 0, run_dynamic, &j);
    else
        warmpool_parallel_for_with_thread(p, 0, total, 1, run_static, &j);
}

void ptp_run_static(pthreadpool_t pool, void (*item)(void *job, size_t tile), ptp_fn fn,
                    void *ctx, uint32_t uarch, uint32_t flags, unsigned dims,
                    const size_t *range, const size_t *tile) {
    struct ptp_job j;
    j.invoke = NULL;
    size_t total = setup(&j, fn, ctx, uarch, flags, 0, dims, range, tile);
    if (total) wp_parallel_for_items(pool ? pool->pool : NULL, total, item, &j, bracket(flags));
}

void ptp_run_items(pthreadpool_t pool, pthreadpool_task_1d_t fn, void *ctx, size_t range,
                   uint32_t flags) {
    wp_parallel_for_items(pool ? pool->pool : NULL, range, fn, ctx, bracket(flags));
}
