/* internal.h - one pthreadpool call as a job over its flattened tile space. */
#ifndef WARMPOOL_PTHREADPOOL_INTERNAL_H
#define WARMPOOL_PTHREADPOOL_INTERNAL_H
#include "compat/pthreadpool.h"
#include "warmpool.h"

#define PTP_MAX_DIMS 6

struct pthreadpool {
    warmpool *pool;
    size_t threads; /* workers + the caller */
};

/* Every task type, cast to one that -Wcast-function-type accepts; the job's invoker casts
   it back. */
typedef void (*ptp_fn)(void);
struct ptp_job;
/* Calls the task once: start[d] is the first index in dimension d, count[d] how many
   (tiled dimensions only pass count). */
typedef void (*ptp_invoke)(const struct ptp_job *job, unsigned thread, const size_t *start,
                           const size_t *count);

struct ptp_job {
    ptp_invoke invoke;
    ptp_fn fn;
    void *ctx;
    uint32_t uarch;
    unsigned dims;
    unsigned dynamic; /* how many trailing dimensions a call may merge tiles of: 0, 1, 2 */
    int denormals_off;
    size_t range[PTP_MAX_DIMS], tile[PTP_MAX_DIMS], ntiles[PTP_MAX_DIMS];
};

static inline size_t ptp_min(size_t a, size_t b) { return a < b ? a : b; }

/* Tile f of a static call: its first item s[d] and item count c[d] per dimension. Inline
   with a constant `dims`, the loops unroll into the caller (parallelize.c's ITEM). */
static inline void ptp_tile(const struct ptp_job *j, unsigned dims, size_t f, size_t *s,
                            size_t *c) {
    for (unsigned d = dims; d-- > 0;) {
        size_t n = j->ntiles[d], t = f;
        if (d) {
            t = n == 1 ? 0 : f % n;
            if (n != 1) f /= n;
        }
        s[d] = t * j->tile[d];
        c[d] = ptp_min(j->tile[d], j->range[d] - s[d]);
    }
}

/* Runs a call: range[d] items in dimension d, in tiles of tile[d] (1: untiled), through
   `invoke`: the last `dynamic` dimensions merged as the dynamic variants allow, or (0) a
   static call whose task takes the thread index. */
void ptp_run(pthreadpool_t pool, ptp_invoke invoke, ptp_fn fn, void *ctx, uint32_t uarch,
             uint32_t flags, unsigned dynamic, unsigned dims, const size_t *range,
             const size_t *tile);
/* A static call without thread index: `item` runs tile f (see ITEM in parallelize.c). */
void ptp_run_static(pthreadpool_t pool, void (*item)(void *job, size_t tile), ptp_fn fn,
                    void *ctx, uint32_t uarch, uint32_t flags, unsigned dims,
                    const size_t *range, const size_t *tile);
/* A parallelize_1d: the task is the pool's item function. */
void ptp_run_items(pthreadpool_t pool, pthreadpool_task_1d_t fn, void *ctx, size_t range,
                   uint32_t flags);
#endif
