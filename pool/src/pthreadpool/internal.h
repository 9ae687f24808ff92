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

/* Runs a call: range[d] items in dimension d, in tiles of tile[d] (1: untiled), the last
   `dynamic` dimensions merged as the dynamic variants allow. */
void ptp_run(pthreadpool_t pool, ptp_invoke invoke, ptp_fn fn, void *ctx, uint32_t uarch,
             uint32_t flags, unsigned dynamic, unsigned dims, const size_t *range,
             const size_t *tile);
#endif
