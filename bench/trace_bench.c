/* trace_bench.c - what tracing costs: ns per instrumented call+return (minus a plain
   call) with the tracer off, on and paused, and the pool's own events on an empty
   parallel_for, off vs on. Rounds are interleaved; medians are printed. Built with
   -finstrument-functions: everything except traced() is WARMPOOL_TRACE_NOINSTR. */
#include "warmpool.h"
#include "warmpool_trace.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#define NI WARMPOOL_TRACE_NOINSTR
#define ROUNDS 7

static volatile unsigned sink;
__attribute__((noinline)) void traced(unsigned x) { sink += x; }
__attribute__((noinline)) NI void plain(unsigned x) { sink += x; }

NI static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

NI static double per_call(void (*f)(unsigned), unsigned n) {
    double t0 = now_ns();
    for (unsigned i = 0; i < n; i++) f(i);
    return (now_ns() - t0) / n;
}

/* The floor under any event that carries its own timestamp: one TSC read, back to back
   (on the reference VM it also waits for the work before it, like a fence). */
NI static double per_tsc_read(unsigned n) {
#if defined(__x86_64__)
    uint64_t s = 0;
    double t0 = now_ns();
    for (unsigned i = 0; i < n; i++) s += __rdtsc();
    sink += (unsigned)s;
    return (now_ns() - t0) / n;
#else
    (void)n;
    return 0;
#endif
}

NI static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
NI static double median(double *v) { qsort(v, ROUNDS, sizeof *v, by_value); return v[ROUNDS / 2]; }

static unsigned slots[2 * 16];
NI static void empty_job(void *ctx, size_t b, size_t e) {
    (void)ctx;
    for (size_t i = b; i < e; i++) slots[i * 16]++;
}

static float xs[1000];
static volatile float one = 1.0f;
NI static void tiny_job(void *ctx, size_t b, size_t e) {
    (void)ctx;
    for (size_t i = b; i < e; i++) xs[i] = xs[i] * one + one;
}

/* ns per parallel_for: the empty job (2 items, grain 1) or 1000 tiny items (auto grain). */
NI static double per_job(warmpool *p, unsigned n, int big) {
    double t0 = now_ns();
    for (unsigned i = 0; i < n; i++)
        warmpool_parallel_for(p, 0, big ? 1000 : 2, big ? 0 : 1, big ? tiny_job : empty_job, NULL);
    return (now_ns() - t0) / n;
}

NI int main(void) {
    enum { PLAIN, OFF, ON, PAUSED, N_CALL };
    double call[N_CALL][ROUNDS], job[2][ROUNDS], big[2][ROUNDS], tsc[ROUNDS];
    const unsigned calls = 5000000, jobs = 20000;
    uint64_t t_on = 0;
    warmpool_trace_start(getenv("EVENTS") ? strtoul(getenv("EVENTS"), NULL, 0) : 0);
    warmpool_trace_enable(0);
    warmpool *p = warmpool_create(1);
    if (!p || warmpool_wait_ready(p, 10000)) { fprintf(stderr, "pool failed\n"); return 1; }
    warmpool_warm(p, 1);
    for (int r = 0; r < ROUNDS; r++) {
        tsc[r] = per_tsc_read(calls);
        call[PLAIN][r] = per_call(plain, calls);
        call[OFF][r] = per_call(traced, calls);
        warmpool_trace_enable(1);
        call[ON][r] = per_call(traced, calls);
        warmpool_trace_pause();
        call[PAUSED][r] = per_call(traced, calls);
        warmpool_trace_resume();
        warmpool_trace_enable(0);
        warmpool_warm(p, 1);
        job[0][r] = per_job(p, jobs, 0);
        warmpool_trace_enable(1);
        t_on = warmpool_trace_now_ns();
        job[1][r] = per_job(p, jobs, 0);
        warmpool_trace_enable(0);
    }
    /* Events per empty job of the last round, on the caller and on the worker. */
    warmpool_trace_snapshot *snap = warmpool_trace_snapshot_since(t_on);
    double ev_caller = 0, ev_worker = 0, njobs = 0; /* the ring keeps only the last jobs */
    for (size_t i = 0; i < warmpool_trace_thread_count(snap); i++) {
        const warmpool_trace_thread *t = warmpool_trace_thread_at(snap, i);
        for (size_t k = 0; k < t->count; k++) {
            unsigned kind = t->events[k].kind;
            if (kind == WARMPOOL_TRACE_CALL || kind == WARMPOOL_TRACE_RETURN) continue;
            njobs += kind == WARMPOOL_TRACE_JOB_BEGIN;
            *(t->events[k].thread || kind == WARMPOOL_TRACE_WAKE ? &ev_worker : &ev_caller) += 1;
        }
    }
    warmpool_trace_free(snap);
    for (int r = 0; r < ROUNDS; r++) {
        warmpool_warm(p, 1);
        big[0][r] = per_job(p, jobs / 4, 1);
        warmpool_trace_enable(1);
        big[1][r] = per_job(p, jobs / 4, 1);
        warmpool_trace_enable(0);
    }
    warmpool_destroy(p);
    double base = median(call[PLAIN]);
    printf("%-52s %10s %10s\n", "tracer (medians of 7 interleaved rounds)", "ns", "overhead");
    printf("%-52s %10.2f %10s\n", "plain call+return (not instrumented)", base, "");
    static const char *const label[N_CALL] = {"", "instrumented call+return, tracer off",
                                              "instrumented call+return, tracer on",
                                              "instrumented call+return, on but paused"};
    for (int k = OFF; k < N_CALL; k++) {
        double m = median(call[k]);
        printf("%-52s %10.2f %+10.2f\n", label[k], m, m - base);
    }
    printf("%-52s %10s %10.2f\n", "  -> per traced event (on, half a call+return)", "",
           (median(call[ON]) - base) / 2);
    if (median(tsc) > 0)
        printf("%-52s %10s %10.2f\n", "  -> one TSC read alone (the floor per event)", "", median(tsc));
    double j0 = median(job[0]), j1 = median(job[1]);
    printf("%-52s %10.0f\n", "empty parallel_for (warm, 1 worker), tracer off", j0);
    printf("%-52s %10.0f %+9.1f%%\n", "empty parallel_for (warm, 1 worker), tracer on", j1,
           (j1 - j0) / j0 * 100);
    /* The measured difference also moves who runs the chunks; this is the tracer's own
       work on the caller's path: its events times the cost of one. */
    double b0 = median(big[0]), b1 = median(big[1]);
    printf("%-52s %10.0f\n", "1000 tiny items (warm, 1 worker), tracer off", b0);
    printf("%-52s %10.0f %+9.1f%%\n", "1000 tiny items (warm, 1 worker), tracer on", b1,
           (b1 - b0) / b0 * 100);
    double per_ev = (median(call[ON]) - base) / 2, caller = ev_caller / (njobs ? njobs : 1);
    printf("%-52s %10.1f %10.1f\n", "  pool events per job: caller, worker", caller,
           ev_worker / (njobs ? njobs : 1));
    printf("%-52s %10.0f %+9.1f%%\n", "  caller's events x ns per event, vs the job (off)",
           caller * per_ev, caller * per_ev / j0 * 100);
    return 0;
}
