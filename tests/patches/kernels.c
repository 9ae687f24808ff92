/* kernels.c - a side module of test kernels for the pool in the Node host. Its own
   globals (k_calls) and its own table entries (k_fill's address is taken here) make a
   library placed at the wrong memory or table base in a worker visible. */
#include "warmpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

struct k_job {
    _Atomic uint32_t *hits;  /* hits[i - base] counts calls for item i */
    size_t base;
    _Atomic uint32_t off_main; /* items run on a thread other than `main_thread` */
    uintptr_t main_thread;
    warmpool *pool;          /* for nested calls */
    _Atomic uint32_t bad;    /* chunks seen outside [lo, hi) or empty */
    size_t lo, hi;
    unsigned spin;           /* busy-work per item, so workers get a share of small jobs */
};

static _Atomic uint32_t k_calls; /* chunks run by k_fill, in this library's memory */

/* Static, so its address is this library's own table slot (__table_base + n), not a GOT
   entry that an earlier library with the same symbol would answer. */
static void k_fill(void *ctx, size_t b, size_t e) {
    struct k_job *j = ctx;
    if (b >= e || b < j->lo || e > j->hi) atomic_fetch_add(&j->bad, 1);
    for (size_t i = b; i < e; i++) {
        for (volatile unsigned k = 0; k < j->spin; k++) {}
        atomic_fetch_add(&j->hits[i - j->base], 1);
    }
    if ((uintptr_t)pthread_self() != j->main_thread)
        atomic_fetch_add(&j->off_main, (uint32_t)(e - b));
    atomic_fetch_add(&k_calls, 1);
}

/* Same as k_fill, but its address is never taken here: a pointer to it exists only
   once dlsym() has put it in the table, as for ctypes' `lib.k_fill2`. */
void k_fill2(void *ctx, size_t b, size_t e) { k_fill(ctx, b, e); }

/* Each chunk runs a nested parallel_for over its own items on the same pool. */
static void k_nested(void *ctx, size_t b, size_t e) {
    struct k_job *j = ctx;
    warmpool_parallel_for(j->pool, b, e, 1, k_fill, j);
}

uint32_t k_calls_get(void) { return atomic_load(&k_calls); }
warmpool_fn k_fill_ptr(void) { return k_fill; }
warmpool_fn k_nested_ptr(void) { return k_nested; }
size_t k_job_size(void) { return sizeof(struct k_job); }
void k_job_init(struct k_job *j, _Atomic uint32_t *hits, size_t base, size_t lo, size_t hi,
                warmpool *pool, unsigned spin) {
    j->hits = hits; j->base = base; j->lo = lo; j->hi = hi; j->pool = pool; j->spin = spin;
    atomic_store(&j->off_main, 0);
    atomic_store(&j->bad, 0);
    j->main_thread = (uintptr_t)pthread_self();
}
uint32_t k_job_off_main(struct k_job *j) { return atomic_load(&j->off_main); }
uint32_t k_job_bad(struct k_job *j) { return atomic_load(&j->bad); }

/* Several threads submit to one pool at once (concurrent calls run serially on their
   own thread, never block). */
struct k_sub { warmpool *pool; struct k_job *job; size_t lo, hi; };
static void *k_submitter(void *arg) {
    struct k_sub *s = arg;
    for (int r = 0; r < 20; r++) warmpool_parallel_for(s->pool, s->lo, s->hi, 3, k_fill, s->job);
    return NULL;
}
/* nthreads submitters, each over its own slice of [lo, hi), 20 rounds each. 0 or errno. */
int k_concurrent(warmpool *pool, struct k_job *job, unsigned nthreads) {
    pthread_t t[8];
    struct k_sub s[8];
    if (nthreads > 8) return 22;
    size_t n = job->hi - job->lo;
    for (unsigned i = 0; i < nthreads; i++) {
        s[i] = (struct k_sub){pool, job, job->lo + n * i / nthreads, job->lo + n * (i + 1) / nthreads};
        int err = pthread_create(&t[i], NULL, k_submitter, &s[i]);
        if (err) { while (i--) pthread_join(t[i], NULL); return err; }
    }
    for (unsigned i = 0; i < nthreads; i++) pthread_join(t[i], NULL);
    return 0;
}

/* Holds pool workers in on_start until *gate becomes nonzero: a pool that cannot be ready. */
static void k_hold(void *arg, unsigned worker) {
    (void)worker;
    _Atomic uint32_t *gate = arg;
    while (!atomic_load(gate)) sched_yield();
}
warmpool *k_create_held(unsigned workers, _Atomic uint32_t *gate) {
    warmpool_options o = {0};
    o.workers = workers;
    o.on_start = k_hold;
    o.on_start_arg = (void *)gate;
    return warmpool_create_ex(&o);
}
