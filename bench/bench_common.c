/* bench_common.c - jobs, timing loop and result check for pool_bench and peer_omp.
   Built with -D_GNU_SOURCE (posix_memalign, clock_gettime). */
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

const size_t bench_job_n[NJOBS] = {2, 1000, 100000};
const char *const bench_job_name[NJOBS] = {"n=2 empty", "n=1000 tiny", "n=100000 tiny"};

/* A volatile source keeps the compiler from folding x*a+b into a constant increment. */
static volatile float one = 1.0f;

int bench_data_init(bench_data *d) {
    memset(d, 0, sizeof *d);
    d->a = one;
    d->b = one;
    /* Separate cache lines per array so jobs never share a line. */
    for (int j = JOB_1K; j < NJOBS; j++)
        if (posix_memalign((void **)&d->x[j], 64, bench_job_n[j] * sizeof(float)))
            goto fail;
    if (posix_memalign((void **)&d->slot, 64,
                       bench_job_n[JOB_EMPTY] * BENCH_SLOT_STRIDE * sizeof(uint32_t)))
        goto fail;
    for (int j = 0; j < NJOBS; j++)
        bench_reset(d, j);
    return 0;
fail:
    bench_data_free(d);
    return -1;
}

void bench_data_free(bench_data *d) {
    for (int j = 0; j < NJOBS; j++)
        free(d->x[j]);
    free(d->slot);
    memset(d, 0, sizeof *d);
}

void bench_reset(bench_data *d, int job) {
    if (job == JOB_EMPTY)
        memset(d->slot, 0, bench_job_n[job] * BENCH_SLOT_STRIDE * sizeof(uint32_t));
    else
        memset(d->x[job], 0, bench_job_n[job] * sizeof(float));
}

size_t bench_bad_items(const bench_data *d, int job, uint64_t calls) {
    size_t bad = 0;
    for (size_t i = 0; i < bench_job_n[job]; i++) {
        /* Floats count exactly up to 2^24 calls; cells stay far below that. */
        int ok = job == JOB_EMPTY ? d->slot[i * BENCH_SLOT_STRIDE] == (uint32_t)calls
                                  : d->x[job][i] == (float)calls;
        bad += !ok;
    }
    return bad;
}

uint64_t bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_warm_for(bench_call_fn call, void *st, int job, bench_data *d, double ms) {
    uint64_t t0 = bench_now_ns();
    do
        call(st, job, d);
    while ((double)(bench_now_ns() - t0) < ms * 1e6);
}

uint64_t bench_calibrate(bench_call_fn call, void *st, int job, bench_data *d,
                         double target_ms) {
    bench_warm_for(call, st, job, d, 10);
    uint64_t k = 1, dt = 0;
    for (;;) {
        uint64_t t0 = bench_now_ns();
        for (uint64_t i = 0; i < k; i++)
            call(st, job, d);
        dt = bench_now_ns() - t0;
        if (dt >= 1000000 || k >= ((uint64_t)1 << 26))
            break;
        k *= 2;
    }
    /* The fastest of a few batches: one preempted batch must not shrink the cell. */
    for (int r = 0; r < 3; r++) {
        uint64_t t0 = bench_now_ns();
        for (uint64_t i = 0; i < k; i++)
            call(st, job, d);
        uint64_t t = bench_now_ns() - t0;
        if (t < dt)
            dt = t;
    }
    double iters = (double)k * target_ms * 1e6 / (double)(dt ? dt : 1);
    if (iters < 3)
        iters = 3;
    if (iters > 1e7) /* the float counters must stay exact */
        iters = 1e7;
    bench_reset(d, job);
    return (uint64_t)iters;
}

bench_cell bench_measure(bench_call_fn call, void *st, int job, bench_data *d,
                         uint64_t iters) {
    bench_cell c;
    uint64_t warm = iters / 8 + 2;
    bench_reset(d, job);
    for (uint64_t i = 0; i < warm; i++)
        call(st, job, d);
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < iters; i++)
        call(st, job, d);
    uint64_t dt = bench_now_ns() - t0;
    c.ns_per_call = (double)dt / (double)iters;
    c.bad_items = bench_bad_items(d, job, warm + iters);
    return c;
}

size_t bench_smoke(bench_call_fn call, void *st, int job, bench_data *d, unsigned calls) {
    size_t bad = 0;
    bench_reset(d, job);
    for (unsigned i = 1; i <= calls; i++) {
        call(st, job, d);
        bad += bench_bad_items(d, job, i);
    }
    return bad;
}
