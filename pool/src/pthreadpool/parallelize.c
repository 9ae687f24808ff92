/* parallelize.c - every pthreadpool_parallelize_* entry point: each describes its grid to
   ptp_run() and gives the invoker that calls its task type. */
#include "pthreadpool/internal.h"

/* j: the job, thread: warmpool's thread index, s/c: starts and counts per dimension */
#define INVOKER(name) \
    static void name(const struct ptp_job *j, unsigned thread, const size_t *s, const size_t *c)

/* The same for a static call without thread index, as the pool's item function for tile
   f: the task call is inlined after the tile's coordinates, so a tile costs one call of
   ours in front of the task. */
#define ITEM(name, dims) \
    static inline void name##_call(const struct ptp_job *j, const size_t *s, const size_t *c); \
    static void name(void *arg, size_t f) { \
        size_t s[dims], c[dims]; \
        ptp_tile(arg, dims, f, s, c); \
        name##_call(arg, s, c); \
    } \
    static inline void name##_call(const struct ptp_job *j, const size_t *s, const size_t *c)

/* The task is the pool's item function: see run.c. */
void pthreadpool_parallelize_1d(pthreadpool_t threadpool, pthreadpool_task_1d_t function,
    void *context, size_t range, uint32_t flags) {
    ptp_run_items(threadpool, function, context, range, flags);
}

INVOKER(inv_1d_with_thread) {
    (void)c;
    ((pthreadpool_task_1d_with_thread_t)j->fn)(j->ctx, thread, s[0]);
}

void pthreadpool_parallelize_1d_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_1d_with_thread_t function, void *context, size_t range, uint32_t flags) {
    const size_t r[] = {range}, t[] = {1};
    ptp_run(threadpool, inv_1d_with_thread, (ptp_fn)function, context, 0, flags, 0, 1,
            r, t);
}

ITEM(item_1d_with_uarch, 1) {
    (void)c;
    ((pthreadpool_task_1d_with_id_t)j->fn)(j->ctx, j->uarch, s[0]);
}

void pthreadpool_parallelize_1d_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_1d_with_id_t function, void *context, uint32_t default_uarch_index,
    uint32_t max_uarch_index, size_t range, uint32_t flags) {
    const size_t r[] = {range}, t[] = {1};
    (void)max_uarch_index;
    ptp_run_static(threadpool, item_1d_with_uarch, (ptp_fn)function, context,
                   default_uarch_index, flags, 1, r, t);
}

ITEM(item_1d_tile_1d, 1) {
    ((pthreadpool_task_1d_tile_1d_t)j->fn)(j->ctx, s[0], c[0]);
}

void pthreadpool_parallelize_1d_tile_1d(pthreadpool_t threadpool,
    pthreadpool_task_1d_tile_1d_t function, void *context, size_t range, size_t tile,
    uint32_t flags) {
    const size_t r[] = {range}, t[] = {tile};
    ptp_run_static(threadpool, item_1d_tile_1d, (ptp_fn)function, context, 0, flags, 1, r, t);
}

INVOKER(inv_1d_tile_1d_dynamic) {
    (void)thread;
    ((pthreadpool_task_1d_tile_1d_dynamic_t)j->fn)(j->ctx, s[0], c[0]);
}

void pthreadpool_parallelize_1d_tile_1d_dynamic(pthreadpool_t threadpool,
    pthreadpool_task_1d_tile_1d_dynamic_t function, void *context, size_t range, size_t tile,
    uint32_t flags) {
    const size_t r[] = {range}, t[] = {tile};
    ptp_run(threadpool, inv_1d_tile_1d_dynamic, (ptp_fn)function, context, 0, flags, 1, 1, r,
            t);
}

INVOKER(inv_1d_tile_1d_dynamic_with_thread) {
    ((pthreadpool_task_1d_tile_1d_dynamic_with_id_t)j->fn)(j->ctx, thread, s[0], c[0]);
}

void pthreadpool_parallelize_1d_tile_1d_dynamic_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_1d_tile_1d_dynamic_with_id_t function, void *context, size_t range,
    size_t tile, uint32_t flags) {
    const size_t r[] = {range}, t[] = {tile};
    ptp_run(threadpool, inv_1d_tile_1d_dynamic_with_thread, (ptp_fn)function, context, 0,
            flags, 1, 1, r, t);
}

INVOKER(inv_1d_tile_1d_dynamic_with_uarch_with_thread) {
    ((pthreadpool_task_1d_tile_1d_dynamic_with_id_with_thread_t)j->fn)(j->ctx, j->uarch,
                                                                       thread, s[0], c[0]);
}

void pthreadpool_parallelize_1d_tile_1d_dynamic_with_uarch_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_1d_tile_1d_dynamic_with_id_with_thread_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range, size_t tile,
    uint32_t flags) {
    const size_t r[] = {range}, t[] = {tile};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_1d_tile_1d_dynamic_with_uarch_with_thread, (ptp_fn)function,
            context, default_uarch_index, flags, 1, 1, r, t);
}

ITEM(item_2d, 2) {
    (void)c;
    ((pthreadpool_task_2d_t)j->fn)(j->ctx, s[0], s[1]);
}

void pthreadpool_parallelize_2d(pthreadpool_t threadpool, pthreadpool_task_2d_t function,
    void *context, size_t range_i, size_t range_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, 1};
    ptp_run_static(threadpool, item_2d, (ptp_fn)function, context, 0, flags, 2, r, t);
}

INVOKER(inv_2d_with_thread) {
    (void)c;
    ((pthreadpool_task_2d_with_thread_t)j->fn)(j->ctx, thread, s[0], s[1]);
}

void pthreadpool_parallelize_2d_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_2d_with_thread_t function, void *context, size_t range_i, size_t range_j,
    uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, 1};
    ptp_run(threadpool, inv_2d_with_thread, (ptp_fn)function, context, 0, flags, 0, 2,
            r, t);
}

ITEM(item_2d_tile_1d, 2) {
    ((pthreadpool_task_2d_tile_1d_t)j->fn)(j->ctx, s[0], s[1], c[1]);
}

void pthreadpool_parallelize_2d_tile_1d(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_1d_t function, void *context, size_t range_i, size_t range_j,
    size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, tile_j};
    ptp_run_static(threadpool, item_2d_tile_1d, (ptp_fn)function, context, 0, flags, 2, r, t);
}

ITEM(item_2d_tile_1d_with_uarch, 2) {
    ((pthreadpool_task_2d_tile_1d_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], c[1]);
}

void pthreadpool_parallelize_2d_tile_1d_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_1d_with_id_t function, void *context, uint32_t default_uarch_index,
    uint32_t max_uarch_index, size_t range_i, size_t range_j, size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, tile_j};
    (void)max_uarch_index;
    ptp_run_static(threadpool, item_2d_tile_1d_with_uarch, (ptp_fn)function, context,
                   default_uarch_index, flags, 2, r, t);
}

INVOKER(inv_2d_tile_1d_with_uarch_with_thread) {
    ((pthreadpool_task_2d_tile_1d_with_id_with_thread_t)j->fn)(j->ctx, j->uarch, thread, s[0],
                                                               s[1], c[1]);
}

void pthreadpool_parallelize_2d_tile_1d_with_uarch_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_1d_with_id_with_thread_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, tile_j};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_2d_tile_1d_with_uarch_with_thread, (ptp_fn)function, context,
            default_uarch_index, flags, 0, 2, r, t);
}

INVOKER(inv_2d_tile_1d_dynamic) {
    (void)thread;
    ((pthreadpool_task_2d_tile_1d_dynamic_t)j->fn)(j->ctx, s[0], s[1], c[1]);
}

void pthreadpool_parallelize_2d_tile_1d_dynamic(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_1d_dynamic_t function, void *context, size_t range_i,
    size_t range_j, size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, tile_j};
    ptp_run(threadpool, inv_2d_tile_1d_dynamic, (ptp_fn)function, context, 0, flags, 1, 2, r,
            t);
}

INVOKER(inv_2d_tile_1d_dynamic_with_thread) {
    ((pthreadpool_task_2d_tile_1d_dynamic_with_id_t)j->fn)(j->ctx, thread, s[0], s[1], c[1]);
}

void pthreadpool_parallelize_2d_tile_1d_dynamic_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_1d_dynamic_with_id_t function, void *context, size_t range_i,
    size_t range_j, size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, tile_j};
    ptp_run(threadpool, inv_2d_tile_1d_dynamic_with_thread, (ptp_fn)function, context, 0,
            flags, 1, 2, r, t);
}

INVOKER(inv_2d_tile_1d_dynamic_with_uarch_with_thread) {
    ((pthreadpool_task_2d_tile_1d_dynamic_with_id_with_thread_t)j->fn)(j->ctx, j->uarch,
        thread, s[0], s[1], c[1]);
}

void pthreadpool_parallelize_2d_tile_1d_dynamic_with_uarch_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_1d_dynamic_with_id_with_thread_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {1, tile_j};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_2d_tile_1d_dynamic_with_uarch_with_thread, (ptp_fn)function,
            context, default_uarch_index, flags, 1, 2, r, t);
}

ITEM(item_2d_tile_2d, 2) {
    ((pthreadpool_task_2d_tile_2d_t)j->fn)(j->ctx, s[0], s[1], c[0], c[1]);
}

void pthreadpool_parallelize_2d_tile_2d(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_2d_t function, void *context, size_t range_i, size_t range_j,
    size_t tile_i, size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {tile_i, tile_j};
    ptp_run_static(threadpool, item_2d_tile_2d, (ptp_fn)function, context, 0, flags, 2, r, t);
}

INVOKER(inv_2d_tile_2d_dynamic) {
    (void)thread;
    ((pthreadpool_task_2d_tile_2d_dynamic_t)j->fn)(j->ctx, s[0], s[1], c[0], c[1]);
}

void pthreadpool_parallelize_2d_tile_2d_dynamic(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_2d_dynamic_t function, void *context, size_t range_i,
    size_t range_j, size_t tile_i, size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {tile_i, tile_j};
    ptp_run(threadpool, inv_2d_tile_2d_dynamic, (ptp_fn)function, context, 0, flags, 2, 2, r,
            t);
}

INVOKER(inv_2d_tile_2d_dynamic_with_uarch) {
    (void)thread;
    ((pthreadpool_task_2d_tile_2d_dynamic_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], c[0],
                                                           c[1]);
}

void pthreadpool_parallelize_2d_tile_2d_dynamic_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_2d_dynamic_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t tile_i, size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {tile_i, tile_j};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_2d_tile_2d_dynamic_with_uarch, (ptp_fn)function, context,
            default_uarch_index, flags, 2, 2, r, t);
}

INVOKER(inv_2d_tile_2d_dynamic_with_thread) {
    ((pthreadpool_task_2d_tile_2d_dynamic_with_id_t)j->fn)(j->ctx, thread, s[0], s[1], c[0],
                                                           c[1]);
}

void pthreadpool_parallelize_2d_tile_2d_dynamic_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_2d_dynamic_with_id_t function, void *context, size_t range_i,
    size_t range_j, size_t tile_i, size_t tile_j, uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {tile_i, tile_j};
    ptp_run(threadpool, inv_2d_tile_2d_dynamic_with_thread, (ptp_fn)function, context, 0,
            flags, 2, 2, r, t);
}

ITEM(item_2d_tile_2d_with_uarch, 2) {
    ((pthreadpool_task_2d_tile_2d_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], c[0], c[1]);
}

void pthreadpool_parallelize_2d_tile_2d_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_2d_tile_2d_with_id_t function, void *context, uint32_t default_uarch_index,
    uint32_t max_uarch_index, size_t range_i, size_t range_j, size_t tile_i, size_t tile_j,
    uint32_t flags) {
    const size_t r[] = {range_i, range_j}, t[] = {tile_i, tile_j};
    (void)max_uarch_index;
    ptp_run_static(threadpool, item_2d_tile_2d_with_uarch, (ptp_fn)function, context,
                   default_uarch_index, flags, 2, r, t);
}

ITEM(item_3d, 3) {
    (void)c;
    ((pthreadpool_task_3d_t)j->fn)(j->ctx, s[0], s[1], s[2]);
}

void pthreadpool_parallelize_3d(pthreadpool_t threadpool, pthreadpool_task_3d_t function,
    void *context, size_t range_i, size_t range_j, size_t range_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, 1};
    ptp_run_static(threadpool, item_3d, (ptp_fn)function, context, 0, flags, 3, r, t);
}

ITEM(item_3d_tile_1d, 3) {
    ((pthreadpool_task_3d_tile_1d_t)j->fn)(j->ctx, s[0], s[1], s[2], c[2]);
}

void pthreadpool_parallelize_3d_tile_1d(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_1d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, tile_k};
    ptp_run_static(threadpool, item_3d_tile_1d, (ptp_fn)function, context, 0, flags, 3, r, t);
}

INVOKER(inv_3d_tile_1d_with_thread) {
    ((pthreadpool_task_3d_tile_1d_with_thread_t)j->fn)(j->ctx, thread, s[0], s[1], s[2], c[2]);
}

void pthreadpool_parallelize_3d_tile_1d_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_1d_with_thread_t function, void *context, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, tile_k};
    ptp_run(threadpool, inv_3d_tile_1d_with_thread, (ptp_fn)function, context, 0, flags, 0, 3,
            r, t);
}

ITEM(item_3d_tile_1d_with_uarch, 3) {
    ((pthreadpool_task_3d_tile_1d_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], s[2], c[2]);
}

void pthreadpool_parallelize_3d_tile_1d_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_1d_with_id_t function, void *context, uint32_t default_uarch_index,
    uint32_t max_uarch_index, size_t range_i, size_t range_j, size_t range_k, size_t tile_k,
    uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, tile_k};
    (void)max_uarch_index;
    ptp_run_static(threadpool, item_3d_tile_1d_with_uarch, (ptp_fn)function, context,
                   default_uarch_index, flags, 3, r, t);
}

INVOKER(inv_3d_tile_1d_with_uarch_with_thread) {
    ((pthreadpool_task_3d_tile_1d_with_id_with_thread_t)j->fn)(j->ctx, j->uarch, thread, s[0],
                                                               s[1], s[2], c[2]);
}

void pthreadpool_parallelize_3d_tile_1d_with_uarch_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_1d_with_id_with_thread_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, tile_k};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_3d_tile_1d_with_uarch_with_thread, (ptp_fn)function, context,
            default_uarch_index, flags, 0, 3, r, t);
}

INVOKER(inv_3d_tile_1d_dynamic) {
    (void)thread;
    ((pthreadpool_task_3d_tile_1d_dynamic_t)j->fn)(j->ctx, s[0], s[1], s[2], c[2]);
}

void pthreadpool_parallelize_3d_tile_1d_dynamic(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_1d_dynamic_t function, void *context, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, tile_k};
    ptp_run(threadpool, inv_3d_tile_1d_dynamic, (ptp_fn)function, context, 0, flags, 1, 3, r,
            t);
}

INVOKER(inv_3d_tile_1d_dynamic_with_thread) {
    ((pthreadpool_task_3d_tile_1d_dynamic_with_id_t)j->fn)(j->ctx, thread, s[0], s[1], s[2],
                                                           c[2]);
}

void pthreadpool_parallelize_3d_tile_1d_dynamic_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_1d_dynamic_with_id_t function, void *context, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, tile_k};
    ptp_run(threadpool, inv_3d_tile_1d_dynamic_with_thread, (ptp_fn)function, context, 0,
            flags, 1, 3, r, t);
}

INVOKER(inv_3d_tile_1d_dynamic_with_uarch_with_thread) {
    ((pthreadpool_task_3d_tile_1d_dynamic_with_id_with_thread_t)j->fn)(j->ctx, j->uarch,
        thread, s[0], s[1], s[2], c[2]);
}

void pthreadpool_parallelize_3d_tile_1d_dynamic_with_uarch_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_1d_dynamic_with_id_with_thread_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, 1, tile_k};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_3d_tile_1d_dynamic_with_uarch_with_thread, (ptp_fn)function,
            context, default_uarch_index, flags, 1, 3, r, t);
}

ITEM(item_3d_tile_2d, 3) {
    ((pthreadpool_task_3d_tile_2d_t)j->fn)(j->ctx, s[0], s[1], s[2], c[1], c[2]);
}

void pthreadpool_parallelize_3d_tile_2d(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_2d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_j, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, tile_j, tile_k};
    ptp_run_static(threadpool, item_3d_tile_2d, (ptp_fn)function, context, 0, flags, 3, r, t);
}

INVOKER(inv_3d_tile_2d_dynamic) {
    (void)thread;
    ((pthreadpool_task_3d_tile_2d_dynamic_t)j->fn)(j->ctx, s[0], s[1], s[2], c[1], c[2]);
}

void pthreadpool_parallelize_3d_tile_2d_dynamic(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_2d_dynamic_t function, void *context, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_j, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, tile_j, tile_k};
    ptp_run(threadpool, inv_3d_tile_2d_dynamic, (ptp_fn)function, context, 0, flags, 2, 3, r,
            t);
}

INVOKER(inv_3d_tile_2d_dynamic_with_uarch) {
    (void)thread;
    ((pthreadpool_task_3d_tile_2d_dynamic_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], s[2],
                                                           c[1], c[2]);
}

void pthreadpool_parallelize_3d_tile_2d_dynamic_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_2d_dynamic_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_j, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, tile_j, tile_k};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_3d_tile_2d_dynamic_with_uarch, (ptp_fn)function, context,
            default_uarch_index, flags, 2, 3, r, t);
}

INVOKER(inv_3d_tile_2d_dynamic_with_thread) {
    ((pthreadpool_task_3d_tile_2d_dynamic_with_id_t)j->fn)(j->ctx, thread, s[0], s[1], s[2],
                                                           c[1], c[2]);
}

void pthreadpool_parallelize_3d_tile_2d_dynamic_with_thread(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_2d_dynamic_with_id_t function, void *context, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_j, size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, tile_j, tile_k};
    ptp_run(threadpool, inv_3d_tile_2d_dynamic_with_thread, (ptp_fn)function, context, 0,
            flags, 2, 3, r, t);
}

ITEM(item_3d_tile_2d_with_uarch, 3) {
    ((pthreadpool_task_3d_tile_2d_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], s[2], c[1],
                                                   c[2]);
}

void pthreadpool_parallelize_3d_tile_2d_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_3d_tile_2d_with_id_t function, void *context, uint32_t default_uarch_index,
    uint32_t max_uarch_index, size_t range_i, size_t range_j, size_t range_k, size_t tile_j,
    size_t tile_k, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k}, t[] = {1, tile_j, tile_k};
    (void)max_uarch_index;
    ptp_run_static(threadpool, item_3d_tile_2d_with_uarch, (ptp_fn)function, context,
                   default_uarch_index, flags, 3, r, t);
}

ITEM(item_4d, 4) {
    (void)c;
    ((pthreadpool_task_4d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3]);
}

void pthreadpool_parallelize_4d(pthreadpool_t threadpool, pthreadpool_task_4d_t function,
    void *context, size_t range_i, size_t range_j, size_t range_k, size_t range_l,
    uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l}, t[] = {1, 1, 1, 1};
    ptp_run_static(threadpool, item_4d, (ptp_fn)function, context, 0, flags, 4, r, t);
}

ITEM(item_4d_tile_1d, 4) {
    ((pthreadpool_task_4d_tile_1d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], c[3]);
}

void pthreadpool_parallelize_4d_tile_1d(pthreadpool_t threadpool,
    pthreadpool_task_4d_tile_1d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t tile_l, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l}, t[] = {1, 1, 1, tile_l};
    ptp_run_static(threadpool, item_4d_tile_1d, (ptp_fn)function, context, 0, flags, 4, r, t);
}

ITEM(item_4d_tile_2d, 4) {
    ((pthreadpool_task_4d_tile_2d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], c[2], c[3]);
}

void pthreadpool_parallelize_4d_tile_2d(pthreadpool_t threadpool,
    pthreadpool_task_4d_tile_2d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t tile_k, size_t tile_l, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l}, t[] = {1, 1, tile_k, tile_l};
    ptp_run_static(threadpool, item_4d_tile_2d, (ptp_fn)function, context, 0, flags, 4, r, t);
}

ITEM(item_4d_tile_2d_with_uarch, 4) {
    ((pthreadpool_task_4d_tile_2d_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], s[2], s[3],
                                                   c[2], c[3]);
}

void pthreadpool_parallelize_4d_tile_2d_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_4d_tile_2d_with_id_t function, void *context, uint32_t default_uarch_index,
    uint32_t max_uarch_index, size_t range_i, size_t range_j, size_t range_k, size_t range_l,
    size_t tile_k, size_t tile_l, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l}, t[] = {1, 1, tile_k, tile_l};
    (void)max_uarch_index;
    ptp_run_static(threadpool, item_4d_tile_2d_with_uarch, (ptp_fn)function, context,
                   default_uarch_index, flags, 4, r, t);
}

INVOKER(inv_4d_tile_2d_dynamic) {
    (void)thread;
    ((pthreadpool_task_4d_tile_2d_dynamic_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], c[2], c[3]);
}

void pthreadpool_parallelize_4d_tile_2d_dynamic(pthreadpool_t threadpool,
    pthreadpool_task_4d_tile_2d_dynamic_t function, void *context, size_t range_i,
    size_t range_j, size_t range_k, size_t range_l, size_t tile_k, size_t tile_l,
    uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l}, t[] = {1, 1, tile_k, tile_l};
    ptp_run(threadpool, inv_4d_tile_2d_dynamic, (ptp_fn)function, context, 0, flags, 2, 4, r,
            t);
}

INVOKER(inv_4d_tile_2d_dynamic_with_uarch) {
    (void)thread;
    ((pthreadpool_task_4d_tile_2d_dynamic_with_id_t)j->fn)(j->ctx, j->uarch, s[0], s[1], s[2],
                                                           s[3], c[2], c[3]);
}

void pthreadpool_parallelize_4d_tile_2d_dynamic_with_uarch(pthreadpool_t threadpool,
    pthreadpool_task_4d_tile_2d_dynamic_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t tile_k, size_t tile_l, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l}, t[] = {1, 1, tile_k, tile_l};
    (void)max_uarch_index;
    ptp_run(threadpool, inv_4d_tile_2d_dynamic_with_uarch, (ptp_fn)function, context,
            default_uarch_index, flags, 2, 4, r, t);
}

ITEM(item_5d, 5) {
    (void)c;
    ((pthreadpool_task_5d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], s[4]);
}

void pthreadpool_parallelize_5d(pthreadpool_t threadpool, pthreadpool_task_5d_t function,
    void *context, size_t range_i, size_t range_j, size_t range_k, size_t range_l,
    size_t range_m, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l, range_m}, t[] = {1, 1, 1, 1, 1};
    ptp_run_static(threadpool, item_5d, (ptp_fn)function, context, 0, flags, 5, r, t);
}

ITEM(item_5d_tile_1d, 5) {
    ((pthreadpool_task_5d_tile_1d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], s[4], c[4]);
}

void pthreadpool_parallelize_5d_tile_1d(pthreadpool_t threadpool,
    pthreadpool_task_5d_tile_1d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t range_m, size_t tile_m, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l, range_m};
    const size_t t[] = {1, 1, 1, 1, tile_m};
    ptp_run_static(threadpool, item_5d_tile_1d, (ptp_fn)function, context, 0, flags, 5, r, t);
}

ITEM(item_5d_tile_2d, 5) {
    ((pthreadpool_task_5d_tile_2d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], s[4], c[3], c[4]);
}

void pthreadpool_parallelize_5d_tile_2d(pthreadpool_t threadpool,
    pthreadpool_task_5d_tile_2d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t range_m, size_t tile_l, size_t tile_m,
    uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l, range_m};
    const size_t t[] = {1, 1, 1, tile_l, tile_m};
    ptp_run_static(threadpool, item_5d_tile_2d, (ptp_fn)function, context, 0, flags, 5, r, t);
}

ITEM(item_6d, 6) {
    (void)c;
    ((pthreadpool_task_6d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], s[4], s[5]);
}

void pthreadpool_parallelize_6d(pthreadpool_t threadpool, pthreadpool_task_6d_t function,
    void *context, size_t range_i, size_t range_j, size_t range_k, size_t range_l,
    size_t range_m, size_t range_n, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l, range_m, range_n};
    const size_t t[] = {1, 1, 1, 1, 1, 1};
    ptp_run_static(threadpool, item_6d, (ptp_fn)function, context, 0, flags, 6, r, t);
}

ITEM(item_6d_tile_1d, 6) {
    ((pthreadpool_task_6d_tile_1d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], s[4], s[5], c[5]);
}

void pthreadpool_parallelize_6d_tile_1d(pthreadpool_t threadpool,
    pthreadpool_task_6d_tile_1d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t range_m, size_t range_n, size_t tile_n,
    uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l, range_m, range_n};
    const size_t t[] = {1, 1, 1, 1, 1, tile_n};
    ptp_run_static(threadpool, item_6d_tile_1d, (ptp_fn)function, context, 0, flags, 6, r, t);
}

ITEM(item_6d_tile_2d, 6) {
    ((pthreadpool_task_6d_tile_2d_t)j->fn)(j->ctx, s[0], s[1], s[2], s[3], s[4], s[5], c[4],
                                           c[5]);
}

void pthreadpool_parallelize_6d_tile_2d(pthreadpool_t threadpool,
    pthreadpool_task_6d_tile_2d_t function, void *context, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t range_m, size_t range_n, size_t tile_m,
    size_t tile_n, uint32_t flags) {
    const size_t r[] = {range_i, range_j, range_k, range_l, range_m, range_n};
    const size_t t[] = {1, 1, 1, 1, tile_m, tile_n};
    ptp_run_static(threadpool, item_6d_tile_2d, (ptp_fn)function, context, 0, flags, 6, r, t);
}

