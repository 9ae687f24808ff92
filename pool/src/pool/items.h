/* items.h - one call per item, for layers inside the library (the pthreadpool layer's
 * parallelize_1d); not part of the public API. */
#ifndef WARMPOOL_POOL_ITEMS_H
#define WARMPOOL_POOL_ITEMS_H
#include "warmpool.h"

typedef void (*wp_item_fn)(void *ctx, size_t item);

/* Per-thread state set around a thread's part of a job (the pthreadpool layer's
   floating-point mode): enter() before the thread's first item, leave(what enter
   returned) after its last, on the caller and on every worker that takes part. */
typedef struct wp_bracket {
    unsigned (*enter)(void);
    void (*leave)(unsigned saved);
} wp_bracket;

/* Calls fn(ctx, i) once for every i in [0, n), like warmpool_parallel_for with grain 1
   (same serial fallbacks, same thread-safety), but without the range arguments and the
   loop a chunk function needs: on fine items that call is what the job costs. Items are
   claimed one at a time, so an item may wait for others to finish. `around` may be
   NULL. NULL fn: nothing. */
void wp_parallel_for_items(warmpool *pool, size_t n, wp_item_fn fn, void *ctx,
                           const wp_bracket *around);
#endif
