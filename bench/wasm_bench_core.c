/* wasm_bench_core.c - the Wasm rows of `make bench`: one timing loop, compiled twice, so
   the Wasm and native figures come from the same code. As a -pthread side module it is
   loaded into the Node test host next to libwarmpool.so (bench/wasm_bench.mjs); natively
   (-DWB_MAIN) it is a tiny program that prints one round as JSON. The jobs are bench.h's:
   n=2 "empty" (each item bumps its own cache line) and n=1000 "tiny" (x = x * a + b). */
#include "bench.h"
#include "warmpool.h"

#include <stdlib.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
/* A double of milliseconds: no time_t crosses the Wasm ABI. */
static double now_ms(void) { return emscripten_get_now(); }
#else
#include <stdio.h>
#include <string.h>
#include <time.h>
static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}
#endif

typedef struct wb_ctx {
    bench_data d;
    int job;
} wb_ctx;

static void wb_chunk(void *ctx, size_t b, size_t e) {
    wb_ctx *c = ctx;
    bench_job_loop(&c->d, c->job, b, e);
}

/* ns per parallel_for of job 0 (n=2 empty) or 1 (n=1000 tiny) on `pool`, cold or warm,
   timed for about `ms`. -1 if an item was not done exactly once per call, -2 out of memory. */
double wb_measure(warmpool *pool, int job, int warm, double ms) {
    size_t n = job ? 1000 : 2;
    int bj = job ? JOB_1K : JOB_EMPTY;
    wb_ctx c = {.job = bj};
    c.d.a = 1.0f;
    c.d.b = 1.0f;
    float *x = calloc(n, sizeof *x);
    uint32_t *slot = calloc(n * BENCH_SLOT_STRIDE, sizeof *slot);
    if (!x || !slot) { free(x); free(slot); return -2; }
    c.d.x[bj] = x;
    c.d.slot = slot;
    warmpool_warm(pool, warm);
    uint64_t calls = 0;
    for (int i = 0; i < 200; i++, calls++) warmpool_parallel_for(pool, 0, n, 0, wb_chunk, &c);
    uint64_t timed = 0;
    double t0 = now_ms(), t;
    do {
        for (int i = 0; i < 16; i++) warmpool_parallel_for(pool, 0, n, 0, wb_chunk, &c);
        timed += 16;
        t = now_ms();
    } while (t - t0 < ms);
    calls += timed;
    warmpool_warm(pool, 0);
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        if (job ? x[i] != (float)calls : slot[i * BENCH_SLOT_STRIDE] != calls) bad = 1;
    free(x);
    free(slot);
    return bad ? -1 : (t - t0) * 1e6 / (double)timed;
}

#ifdef WB_MAIN
/* One round, natively: {"empty_cold":ns,"empty_warm":ns,"tiny_cold":ns,"tiny_warm":ns} */
int main(int argc, char **argv) {
    double ms = argc > 1 ? atof(argv[1]) : 100;
    warmpool *p = warmpool_create(1);
    if (!p || warmpool_wait_ready(p, 5000)) return 1;
    double r[4];
    for (int k = 0; k < 4; k++) r[k] = wb_measure(p, k / 2, k % 2, ms);
    warmpool_destroy(p);
    printf("{\"empty_cold\":%.1f,\"empty_warm\":%.1f,\"tiny_cold\":%.1f,\"tiny_warm\":%.1f}\n",
           r[0], r[1], r[2], r[3]);
    return 0;
}
#endif
