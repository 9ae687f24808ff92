/* bench.h - the jobs, the timing loop and the result check shared by the pool benchmark
   (pool_bench.c) and its OpenMP child process (peer_omp.c). */
#ifndef WARMPOOL_BENCH_H
#define WARMPOOL_BENCH_H
#include <stddef.h>
#include <stdint.h>

enum { JOB_EMPTY, JOB_1K, JOB_100K, NJOBS };

/* Items per job: "empty" has one item per thread (2 threads in total). */
extern const size_t bench_job_n[NJOBS];
extern const char *const bench_job_name[NJOBS];

/* Each item of the empty job bumps its own cache line, so the job is next to free but
   the check still sees every item done exactly once per call. */
#define BENCH_SLOT_STRIDE 16

typedef struct bench_data {
    float *x[NJOBS];    /* tiny job: x[i] = x[i] * a + b */
    float a, b;         /* 1 and 1, read at run time so x[i] counts the calls */
    uint32_t *slot;     /* empty job: slot[i * BENCH_SLOT_STRIDE]++ */
} bench_data;

/* One parallel-for call of `job` over all its items. */
typedef void (*bench_call_fn)(void *state, int job, bench_data *d);

int bench_data_init(bench_data *d);            /* 0, or -1 when out of memory */
void bench_data_free(bench_data *d);
void bench_reset(bench_data *d, int job);     /* zero the job's items */
/* Items of `job` that were not done exactly `calls` times since the reset. */
size_t bench_bad_items(const bench_data *d, int job, uint64_t calls);

/* The tasks over items [lo, hi); inline so that every contender runs the same loop. */
static inline void bench_tiny_loop(const bench_data *d, int job, size_t lo, size_t hi) {
    float *x = d->x[job];
    const float a = d->a, b = d->b;
    for (size_t i = lo; i < hi; i++)
        x[i] = x[i] * a + b;
}
static inline void bench_empty_loop(const bench_data *d, size_t lo, size_t hi) {
    for (size_t i = lo; i < hi; i++)
        d->slot[i * BENCH_SLOT_STRIDE]++;
}
static inline void bench_job_loop(const bench_data *d, int job, size_t lo, size_t hi) {
    if (job == JOB_EMPTY)
        bench_empty_loop(d, lo, hi);
    else
        bench_tiny_loop(d, job, lo, hi);
}

uint64_t bench_now_ns(void);
/* Untimed calls for ms: a new thread often starts on its creator's CPU, and the first
   calls wait until the scheduler moves it. */
void bench_warm_for(bench_call_fn call, void *st, int job, bench_data *d, double ms);
/* Calls needed for about target_ms of calls (at least 3). */
uint64_t bench_calibrate(bench_call_fn call, void *st, int job, bench_data *d,
                         double target_ms);

/* A timed cell: reset, a few untimed warm-up calls, `iters` timed calls, check. */
typedef struct bench_cell {
    double ns_per_call;
    size_t bad_items;   /* 0 when every item was done exactly once per call */
} bench_cell;
bench_cell bench_measure(bench_call_fn call, void *st, int job, bench_data *d,
                         uint64_t iters);
/* The smoke test: `calls` calls, each followed by the full check. Bad items summed. */
size_t bench_smoke(bench_call_fn call, void *st, int job, bench_data *d, unsigned calls);

/* peer_condvar.c: the classic pool to beat. Workers wait on a condition variable, the
   caller broadcasts, runs its own static share and waits until every worker checked in. */
typedef struct cv_pool cv_pool;
typedef void (*cv_fn)(void *ctx, size_t begin, size_t end);
cv_pool *cv_pool_create(unsigned workers);  /* NULL on failure */
void cv_pool_destroy(cv_pool *p);
void cv_pool_run(cv_pool *p, size_t n, cv_fn fn, void *ctx);

#endif
