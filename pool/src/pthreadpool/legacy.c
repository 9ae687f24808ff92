/* legacy.c - pthreadpool's deprecated compute_* API: parallelize calls with flags 0,
   every dimension tiled in the _tiled ones. */
#include "pthreadpool/internal.h"

#define INVOKER(name) \
    static void name(const struct ptp_job *j, unsigned thread, const size_t *s, const size_t *c)

void pthreadpool_compute_1d(pthreadpool_t threadpool, pthreadpool_function_1d_t function,
                            void *argument, size_t range) {
    pthreadpool_parallelize_1d(threadpool, function, argument, range, 0);
}

void pthreadpool_compute_1d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_1d_tiled_t function, void *argument,
                                  size_t range, size_t tile) {
    pthreadpool_parallelize_1d_tile_1d(threadpool, function, argument, range, tile, 0);
}

void pthreadpool_compute_2d(pthreadpool_t threadpool, pthreadpool_function_2d_t function,
                            void *argument, size_t range_i, size_t range_j) {
    pthreadpool_parallelize_2d(threadpool, function, argument, range_i, range_j, 0);
}

void pthreadpool_compute_2d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_2d_tiled_t function, void *argument,
                                  size_t range_i, size_t range_j, size_t tile_i, size_t tile_j) {
    pthreadpool_parallelize_2d_tile_2d(threadpool, function, argument, range_i, range_j, tile_i,
                                       tile_j, 0);
}

INVOKER(inv_3d_tiled) {
    (void)thread;
    ((pthreadpool_function_3d_tiled_t)j->fn)(j->ctx, s[0], s[1], s[2], c[0], c[1], c[2]);
}

void pthreadpool_compute_3d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_3d_tiled_t function, void *argument,
                                  size_t range_i, size_t range_j, size_t range_k, size_t tile_i,
                                  size_t tile_j, size_t tile_k) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {tile_i, tile_j, tile_k};
    ptp_run(threadpool, inv_3d_tiled, (ptp_fn)function, argument, 0, 0, 0, 3, r, t);
}

INVOKER(inv_4d_tiled) {
    (void)thread;
    ((pthreadpool_function_4d_tiled_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], c[0], c[1], c[2],
                                             c[3]);
}

void pthreadpool_compute_4d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_4d_tiled_t function, void *argument,
                                  size_t range_i, size_t range_j, size_t range_k, size_t range_l,
                                  size_t tile_i, size_t tile_j, size_t tile_k, size_t tile_l) {
    const size_t r[] = {range_i, range_j, range_k, range_l};
    const size_t t[] = {tile_i, tile_j, tile_k, tile_l};
    ptp_run(threadpool, inv_4d_tiled, (ptp_fn)function, argument, 0, 0, 0, 4, r, t);
}
