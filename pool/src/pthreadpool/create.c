/* create.c - pool lifetime, thread count, and the entry points that cannot be honoured. */
#include "pthreadpool/internal.h"
#include "prim/pthreadpool_prim.h"

#include <errno.h>
#include <stdlib.h>

/* How long create waits for the workers: long enough for a loaded machine, short of a
   hang if the platform never starts them (jobs then run serially). */
#define READY_TIMEOUT_MS 10000.0

pthreadpool_t pthreadpool_create(size_t threads_count) {
    if (!threads_count) {
        threads_count = wp_logical_cpus();
        if (threads_count > WARMPOOL_MAX_WORKERS + 1) threads_count = WARMPOOL_MAX_WORKERS + 1;
    }
    if (threads_count - 1 > WARMPOOL_MAX_WORKERS) { errno = EINVAL; return NULL; }
    struct pthreadpool *p = malloc(sizeof *p);
    if (!p) { errno = ENOMEM; return NULL; }
    warmpool_options o = {0};
    o.workers = (unsigned)(threads_count - 1);
    o.name = "pthreadpool";
    o.flags = WARMPOOL_CLAIM_ONE; /* an item may wait for the others (work-stealing tests) */
    p->pool = warmpool_create_ex(&o);
    if (!p->pool) { int err = errno; free(p); errno = err; return NULL; }
    p->threads = (size_t)warmpool_workers(p->pool) + 1;
    if (p->threads > 1 && wp_may_wait_for_threads()) warmpool_wait_ready(p->pool, READY_TIMEOUT_MS);
    return p;
}

void pthreadpool_destroy(pthreadpool_t p) {
    if (!p) return;
    warmpool_destroy(p->pool);
    free(p);
}

size_t pthreadpool_get_threads_count(pthreadpool_t p) { return p ? p->threads : 1; }

size_t pthreadpool_set_threads_count(pthreadpool_t p, size_t num_threads) {
    size_t now = pthreadpool_get_threads_count(p);
    if (num_threads && num_threads != now) errno = ENOTSUP;
    return now;
}

pthreadpool_t pthreadpool_create_v2(struct pthreadpool_executor *executor, void *executor_context,
                                    size_t max_num_threads) {
    (void)executor, (void)executor_context, (void)max_num_threads;
    errno = ENOTSUP;
    return NULL;
}

bool pthreadpool_update_executor(pthreadpool_t p, struct pthreadpool_executor *executor,
                                 void *executor_context) {
    (void)p, (void)executor, (void)executor_context;
    errno = ENOTSUP;
    return false;
}

void pthreadpool_release_executor_threads(struct pthreadpool *p) { (void)p; }

warmpool *warmpool_of_pthreadpool(pthreadpool_t p) { return p ? p->pool : NULL; }
