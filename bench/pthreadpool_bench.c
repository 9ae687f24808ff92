/* pthreadpool_bench.c - ns per pthreadpool call at 2 threads, for the same calls on
 * whichever pthreadpool it was linked with: built twice, against our layer
 * (build/pthreadpool) and against Debian's libpthreadpool; bench/pthreadpool_bench.py
 * runs both in alternating rounds and prints them side by side.
 *
 *   pthreadpool_bench [--ms MS]   prints "ROW <name> <ns per call>" per row, and
 *                                 "FLOOR <name> <ns>": the same tiles run on one thread,
 *                                 each after one atomic claim, halved: what 2 threads
 *                                 cost at least when every tile is claimed on its own
 *                                 (pthreadpool's contract) and the hand-off is free.
 * Every row checks once that each item was done exactly once.
 */
#define _GNU_SOURCE
#include <pthreadpool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAXN (1u << 20)
static float x[MAXN];
static unsigned char seen[MAXN];

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

struct row {
    const char *name;
    size_t ri, rj, ti, tj; /* 1d rows use ri (and ti) only */
    int kind;              /* 0: 1d, 1: 1d_tile_1d, 2: 2d_tile_2d */
    int work;              /* multiply-adds per item */
};

static int g_work, g_check;

static void item(float *v, size_t i) {
    float a = v[i];
    for (int k = 0; k < g_work; k++) a = a * 0.999f + 0.001f;
    v[i] = a;
    if (g_check) seen[i]++;
}
static void task_1d(void *ctx, size_t i) { item(ctx, i); }
static void task_1d_tile(void *ctx, size_t i, size_t n) {
    for (size_t k = i; k < i + n; k++) item(ctx, k);
}
static size_t g_cols;
static void task_2d_tile(void *ctx, size_t i, size_t j, size_t ni, size_t nj) {
    for (size_t a = i; a < i + ni; a++)
        for (size_t b = j; b < j + nj; b++) item(ctx, a * g_cols + b);
}

static void call(pthreadpool_t p, const struct row *r) {
    g_work = r->work;
    g_cols = r->rj;
    switch (r->kind) {
    case 0: pthreadpool_parallelize_1d(p, task_1d, x, r->ri, 0); break;
    case 1: pthreadpool_parallelize_1d_tile_1d(p, task_1d_tile, x, r->ri, r->ti, 0); break;
    default: pthreadpool_parallelize_2d_tile_2d(p, task_2d_tile, x, r->ri, r->rj, r->ti, r->tj, 0);
    }
}

static _Atomic size_t claims;
/* The floor's call: every tile of the row after its own atomic claim, one thread. */
static void floor_call(const struct row *r) {
    g_work = r->work;
    g_cols = r->rj;
    size_t ti = r->ti ? r->ti : 1, tj = r->tj ? r->tj : 1;
    if (r->kind == 0) {
        for (size_t i = 0; i < r->ri; i++) {
            atomic_fetch_add_explicit(&claims, 1, memory_order_relaxed);
            task_1d(x, i);
        }
    } else if (r->kind == 1) {
        for (size_t i = 0; i < r->ri; i += ti) {
            atomic_fetch_add_explicit(&claims, 1, memory_order_relaxed);
            task_1d_tile(x, i, r->ri - i < ti ? r->ri - i : ti);
        }
    } else {
        for (size_t i = 0; i < r->ri; i += ti)
            for (size_t j = 0; j < r->rj; j += tj) {
                atomic_fetch_add_explicit(&claims, 1, memory_order_relaxed);
                size_t ni = r->ri - i < ti ? r->ri - i : ti, nj = r->rj - j < tj ? r->rj - j : tj;
                task_2d_tile(x, i, j, ni, nj);
            }
    }
}

static int cmp(const void *a, const void *b) {
    double d = *(const double *)a - *(const double *)b;
    return (d > 0) - (d < 0);
}

int main(int argc, char **argv) {
    double ms = 40;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--ms")) ms = atof(argv[i + 1]);
    static const struct row rows[] = {
        {"1d n=10000 fine", 10000, 0, 0, 0, 0, 1},
        {"1d n=64 coarse", 64, 0, 0, 0, 0, 2000},
        {"1d_tile_1d n=100000 tile=16 fine", 100000, 0, 16, 0, 1, 1},
        {"1d_tile_1d n=2^20 tile=2^16 coarse", MAXN, 0, 1u << 16, 0, 1, 1},
        {"2d_tile_2d 256x256 tile=4x16 fine", 256, 256, 4, 16, 2, 1},
        {"2d_tile_2d 1024x1024 tile=64x256 coarse", 1024, 1024, 64, 256, 2, 1},
    };
    pthreadpool_t p = pthreadpool_create(2);
    if (!p || pthreadpool_get_threads_count(p) != 2) { fprintf(stderr, "create(2) failed\n"); return 1; }
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const struct row *w = &rows[r];
        size_t n = w->kind == 2 ? w->ri * w->rj : w->ri;
        memset(seen, 0, n);
        g_check = 1;
        call(p, w);
        g_check = 0;
        for (size_t i = 0; i < n; i++)
            if (seen[i] != 1) { fprintf(stderr, "%s: item %zu done %d times\n", w->name, i, seen[i]); return 1; }
        for (int k = 0; k < 20; k++) call(p, w); /* warm-up */
        /* batches of calls for about ms, the median batch's ns per call */
        double t_call0 = now_ns();
        call(p, w);
        double one = now_ns() - t_call0;
        int per = one > 0 ? (int)(ms * 1e6 / 25 / one) : 1000;
        if (per < 1) per = 1;
        double b[25];
        for (int k = 0; k < 25; k++) {
            double t0 = now_ns();
            for (int c = 0; c < per; c++) call(p, w);
            b[k] = (now_ns() - t0) / per;
        }
        qsort(b, 25, sizeof b[0], cmp);
        printf("ROW %s\t%.0f\n", w->name, b[12]);
        for (int k = 0; k < 25; k++) {
            double t0 = now_ns();
            for (int c = 0; c < per; c++) floor_call(w);
            b[k] = (now_ns() - t0) / per / 2;
        }
        qsort(b, 25, sizeof b[0], cmp);
        printf("FLOOR %s\t%.0f\n", w->name, b[12]);
        fflush(stdout);
    }
    pthreadpool_destroy(p);
    return 0;
}
