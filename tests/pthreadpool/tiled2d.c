/* tiled2d.c - a 2D tiled job through our pthreadpool.h, for Python's ctypes on the
 * threaded CPython-on-Wasm (linked into one side module with the layer and the pool). */
#include "compat/pthreadpool.h"
#include "warmpool.h"

#include <errno.h>
#include <stdint.h>

struct grid { uint32_t *out; size_t cols; };

static void tile(void *ctx, size_t i, size_t j, size_t ni, size_t nj) {
    struct grid *g = ctx;
    for (size_t a = i; a < i + ni; a++)
        for (size_t b = j; b < j + nj; b++) {
            uint32_t v = (uint32_t)(a * g->cols + b);
            for (int k = 0; k < 200; k++) v = v * 1664525u + 1013904223u; /* some work */
            g->out[a * g->cols + b] = v;
        }
}

/* Runs out[i*cols+j] = f(i*cols+j) over rows x cols in tiles of ti x tj on a warm pool of
   `threads`, again until the pool's workers have taken part (at most `jobs` times: on a
   loaded machine a worker thread may not get a CPU for a while); returns the tiles the
   workers ran (>= 0), or -errno.
   *threads_out gets pthreadpool_get_threads_count(). */
int ptp_tiled2d(unsigned threads, unsigned rows, unsigned cols, unsigned ti, unsigned tj,
                unsigned jobs, uint32_t *out, unsigned *threads_out) {
    pthreadpool_t p = pthreadpool_create(threads);
    if (!p) return -errno;
    *threads_out = (unsigned)pthreadpool_get_threads_count(p);
    struct grid g = {out, cols};
    /* Warm: the workers spin between the jobs instead of sleeping, so even on a loaded
       machine they are there when a job starts (a cold worker that wakes after the
       caller finished is not waited for). */
    warmpool_warm(warmpool_of_pthreadpool(p), 1);
    warmpool_stats st;
    int err = 0;
    for (unsigned k = 0; k < jobs && !err; k++) {
        pthreadpool_parallelize_2d_tile_2d(p, tile, &g, rows, cols, ti, tj, 0);
        err = warmpool_get_stats(warmpool_of_pthreadpool(p), &st, sizeof st);
        if (!err && st.items_workers) break;
    }
    pthreadpool_destroy(p);
    return err ? -err : (int)st.items_workers;
}
