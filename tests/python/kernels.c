/* kernels.c - C kernels for the Python tests: real C work for Pool.parallel_for, built as
 * build/native/libkernels.so and as Wasm side modules (serial and -pthread).
 * Every kernel has the warmpool_fn shape: void k(void *ctx, size_t begin, size_t end).
 * Plain C only: no time_t/timespec across the Wasm ABI (Pyodide and emcc 3.1.6 differ). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime natively under -std=c11 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__EMSCRIPTEN__)
#include <emscripten.h>
#define KEXPORT EMSCRIPTEN_KEEPALIVE
#else
#define KEXPORT __attribute__((visibility("default")))
#include <time.h>
#endif
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
#include <pthread.h>
#define KTHREADS 1
#else
#define KTHREADS 0
#endif

static double now_ms(void) {
#if defined(__EMSCRIPTEN__)
    return emscripten_get_now();
#else
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
#endif
}

/* An id for the calling thread, 1 in builds without threads. */
KEXPORT uint64_t kern_thread_id(void) {
#if KTHREADS
    return (uint64_t)(uintptr_t)pthread_self();
#else
    return 1;
#endif
}

/* ctx: uint32_t[end]; each item adds 1, so a count of 1 everywhere means "every item
   exactly once" (chunks never overlap, so no atomics are needed). */
KEXPORT void kern_count(void *ctx, size_t b, size_t e) {
    uint32_t *x = ctx;
    for (size_t i = b; i < e; i++) x[i] += 1;
}

/* For parallel_for(..., with_thread=True): ctx: uint32_t[end]; x[i] = thread + 1. */
KEXPORT void kern_thread_index(void *ctx, unsigned thread, size_t b, size_t e) {
    uint32_t *x = ctx;
    for (size_t i = b; i < e; i++) x[i] = thread + 1;
}

/* ctx: struct kern_fill; dst[i] = value ^ i. */
struct kern_fill { uint32_t *dst; uint32_t value; };
KEXPORT void kern_fill(void *ctx, size_t b, size_t e) {
    struct kern_fill *f = ctx;
    for (size_t i = b; i < e; i++) f->dst[i] = f->value ^ (uint32_t)i;
}

/* ctx: struct kern_sum; total += sum of src[b..e), chunk sums added atomically. */
struct kern_sum { const uint32_t *src; _Atomic uint64_t total; _Atomic uint64_t chunks; };
KEXPORT void kern_sum(void *ctx, size_t b, size_t e) {
    struct kern_sum *s = ctx;
    uint64_t t = 0;
    for (size_t i = b; i < e; i++) t += s->src[i];
    atomic_fetch_add(&s->total, t);
    atomic_fetch_add(&s->chunks, 1);
}

/* ctx: double *ms per item; busy-waits that long per item (a clock, not a sleep call,
   so the Wasm build needs no time_t). */
KEXPORT void kern_spin(void *ctx, size_t b, size_t e) {
    double ms = *(const double *)ctx;
    for (size_t i = b; i < e; i++) {
        double until = now_ms() + ms;
        while (now_ms() < until) {}
    }
}

/* ctx: uint64_t[end]; out[i] = id of the thread that ran item i. */
KEXPORT void kern_record_thread(void *ctx, size_t b, size_t e) {
    uint64_t *out = ctx, me = kern_thread_id();
    for (size_t i = b; i < e; i++) out[i] = me;
}

/* ctx: struct kern_gate. The first chunk to arrive says so and then waits until the test
   opens the gate (or timeout_ms passes: a test that forgets must not hang). */
struct kern_gate { _Atomic uint32_t arrived; _Atomic uint32_t open; double timeout_ms;
                   _Atomic uint32_t timed_out; };
KEXPORT void kern_gate(void *ctx, size_t b, size_t e) {
    struct kern_gate *g = ctx;
    (void)b; (void)e;
    if (atomic_fetch_add(&g->arrived, 1) != 0) return;
    double until = now_ms() + g->timeout_ms;
    while (!atomic_load(&g->open)) {
        if (now_ms() > until) { atomic_store(&g->timed_out, 1); return; }
    }
}

/* ctx: struct kern_nested: each chunk calls pf(pool, 0, n, 0, kern_count, counts) from
   inside the job, i.e. a nested parallel_for (pf is warmpool_parallel_for's address, so
   this library does not link the pool). */
typedef void (*kern_pf)(void *, size_t, size_t, size_t, void (*)(void *, size_t, size_t),
                        void *);
struct kern_nested { kern_pf pf; void *pool; uint32_t *counts; size_t n; };
KEXPORT void kern_nested(void *ctx, size_t b, size_t e) {
    struct kern_nested *k = ctx;
    for (size_t i = b; i < e; i++) k->pf(k->pool, 0, k->n, 0, kern_count, k->counts + i * k->n);
}

/* Traps on purpose (a wasm `unreachable`, SIGILL natively): the Pyodide runner must
   survive an instance killed by C. Never called by the normal suite. */
KEXPORT void kern_trap(void *ctx, size_t b, size_t e) {
    (void)ctx; (void)b; (void)e;
    __builtin_trap();
}
