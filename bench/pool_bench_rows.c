/* pool_bench_rows.c - pool_bench's second set of rows, each with its peer from the same
   run: fine grains (grain 1 over FINE_N items) next to pthreadpool_parallelize_1d, the
   thread-index variant next to the plain one, and the caller's cost of a cold job (after
   IDLE_MS without one) next to the same work run serially after the same idle, with where
   that cost goes (from the pool's own trace events) and what the futex wake alone costs
   on this machine. */
#include "pool_bench.h"
#include "warmpool_trace.h"

#include <linux/futex.h>
#include <pthread.h>
#include <pthreadpool.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FINE_N 46189  /* a prime-ish odd size with no convenient split */
#define IDLE_MS 2.0   /* long enough for every worker to be asleep */
#define ROWS_MAX_ROUNDS 64

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double quant(const double *v, int n, double q) {
    double s[1024];
    if (n <= 0) return 0;
    if (n > 1024) n = 1024;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s[(int)(q * (n - 1) + 0.5)];
}
static void sleep_ms(double ms) {
    struct timespec ts = {(time_t)(ms / 1e3), (long)((ms - (time_t)(ms / 1e3) * 1e3) * 1e6)};
    nanosleep(&ts, NULL);
}

/* ---- the work: x[i] = x[i] * a + b over a job's items ------------------------------- */

typedef struct work {
    float *x;
    size_t n;
    float a, b;
    _Atomic unsigned bad_thread; /* a thread index outside 0..workers */
    unsigned workers;
} work;

static void w_chunk(void *ctx, size_t lo, size_t hi) {
    work *w = ctx;
    for (size_t i = lo; i < hi; i++) w->x[i] = w->x[i] * w->a + w->b;
}
static void w_chunk_t(void *ctx, unsigned thread, size_t lo, size_t hi) {
    work *w = ctx;
    if (thread > w->workers) atomic_store(&w->bad_thread, 1);
    for (size_t i = lo; i < hi; i++) w->x[i] = w->x[i] * w->a + w->b;
}
static void w_item(void *ctx, size_t i) {
    work *w = ctx;
    w->x[i] = w->x[i] * w->a + w->b;
}
static void w_tile(void *ctx, size_t start, size_t tile) { w_chunk(ctx, start, start + tile); }

/* Items not done exactly `calls` times since the last reset. */
static size_t w_bad(const work *w, uint64_t calls) {
    size_t bad = 0;
    for (size_t i = 0; i < w->n; i++) bad += w->x[i] != (float)calls;
    return bad + atomic_load(&w->bad_thread);
}
static void w_reset(work *w) {
    memset(w->x, 0, w->n * sizeof *w->x);
    atomic_store(&w->bad_thread, 0);
}

/* ---- contenders: one call each ------------------------------------------------------- */

typedef struct rows_ctx {
    warmpool *pool;          /* one worker */
    pthreadpool_t pp;        /* 2 threads */
    size_t grain;
} rows_ctx;

typedef void (*row_fn)(rows_ctx *r, work *w);
static void c_ours(rows_ctx *r, work *w) { warmpool_parallel_for(r->pool, 0, w->n, r->grain, w_chunk, w); }
static void c_ours_t(rows_ctx *r, work *w) {
    warmpool_parallel_for_with_thread(r->pool, 0, w->n, r->grain, w_chunk_t, w);
}
static void c_pp_1d(rows_ctx *r, work *w) { pthreadpool_parallelize_1d(r->pp, w_item, w, w->n, 0); }
static void c_pp_tile(rows_ctx *r, work *w) {
    pthreadpool_parallelize_1d_tile_1d(r->pp, w_tile, w, w->n, (w->n + 1) / 2, 0);
}
static void c_serial(rows_ctx *r, work *w) { (void)r; w_chunk(w, 0, w->n); }

typedef struct row {
    const char *name;
    row_fn fn;
    size_t n, grain;
    uint64_t iters;
    double ns[ROWS_MAX_ROUNDS];
} row;

/* ns per call over `iters` back-to-back calls, after a few untimed ones; 0 if any item
   was not done exactly once per call. */
static double time_row(rows_ctx *rc, row *r, work *w) {
    rc->grain = r->grain;
    w->n = r->n;
    w_reset(w);
    uint64_t warm = r->iters / 8 + 2;
    for (uint64_t i = 0; i < warm; i++) r->fn(rc, w);
    uint64_t t0 = bench_now_ns();
    for (uint64_t i = 0; i < r->iters; i++) r->fn(rc, w);
    double ns = (double)(bench_now_ns() - t0) / (double)r->iters;
    return w_bad(w, warm + r->iters) ? 0 : ns;
}

static uint64_t calibrate(rows_ctx *rc, row *r, work *w, double ms) {
    rc->grain = r->grain;
    w->n = r->n;
    uint64_t k = 1;
    for (;;) {
        uint64_t t0 = bench_now_ns();
        for (uint64_t i = 0; i < k; i++) r->fn(rc, w);
        uint64_t dt = bench_now_ns() - t0;
        if (dt > 2000000 || k >= (1u << 24)) {
            double it = (double)k * ms * 1e6 / (double)(dt ? dt : 1);
            return it < 3 ? 3 : it > 1e7 ? (uint64_t)1e7 : (uint64_t)it;
        }
        k *= 2;
    }
}

/* Waits until no thread of the process burns CPU (peers spin after their calls). */
static void settle(void) {
    for (int i = 0; i < 100; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
        sleep_ms(2);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
        if ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6 < 0.3) break;
    }
}

/* Interleaved rounds over rows[]; returns the rounds done (0: a check failed). */
static int run_rows(rows_ctx *rc, row *rows, int nrows, work *w, int rounds, double ms) {
    for (int k = 0; k < nrows; k++) rows[k].iters = calibrate(rc, &rows[k], w, ms);
    for (int round = 0; round < rounds; round++)
        for (int kk = 0; kk < nrows; kk++) {
            row *r = &rows[(kk + round) % nrows];
            r->ns[round] = time_row(rc, r, w);
            if (!r->ns[round]) {
                fprintf(stderr, "pool_bench: %s: items not done exactly once\n", r->name);
                return 0;
            }
            settle();
        }
    return rounds;
}

static void print_row(const row *r, int rounds, const row *ref) {
    double m = quant(r->ns, rounds, 0.5);
    char ratio[32] = "";
    if (ref) snprintf(ratio, sizeof ratio, "%.2f", m / quant(ref->ns, rounds, 0.5));
    printf("| %-44s | %10.0f | %10.0f..%-10.0f | %-8s |\n", r->name, m, quant(r->ns, rounds, 0.25),
           quant(r->ns, rounds, 0.75), ratio);
}

/* ---- cold after idle ------------------------------------------------------------------ */

/* The futex wake alone, after the same idle: a wake with a thread asleep on the word, and
   one with nobody waiting (the bare system call). The sleeper is a plain thread. */
struct sleeper { _Atomic uint32_t word, stop; };
static void *sleeper_main(void *arg) {
    struct sleeper *s = arg;
    while (!atomic_load(&s->stop)) {
        uint32_t v = atomic_load(&s->word);
        syscall(SYS_futex, (uint32_t *)&s->word, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
    }
    return NULL;
}
static void futex_floor(int calls, double *with_sleeper, double *no_waiter) {
    struct sleeper s = {0, 0};
    _Atomic uint32_t other = 0;
    pthread_t t;
    if (pthread_create(&t, NULL, sleeper_main, &s)) return;
    for (int i = 0; i < calls; i++) {
        sleep_ms(IDLE_MS);
        atomic_fetch_add(&s.word, 1);
        uint64_t t0 = bench_now_ns();
        syscall(SYS_futex, (uint32_t *)&s.word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        with_sleeper[i] = (double)(bench_now_ns() - t0);
        sleep_ms(IDLE_MS);
        t0 = bench_now_ns();
        syscall(SYS_futex, (uint32_t *)&other, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
        no_waiter[i] = (double)(bench_now_ns() - t0);
    }
    atomic_store(&s.stop, 1);
    atomic_fetch_add(&s.word, 1);
    syscall(SYS_futex, (uint32_t *)&s.word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    pthread_join(t, NULL);
}

/* ns of each of `calls` calls, each after IDLE_MS without any. */
static int cold_calls(rows_ctx *rc, row_fn fn, work *w, size_t n, size_t grain, int calls,
                      double *ns) {
    rc->grain = grain;
    w->n = n;
    w_reset(w);
    for (int i = 0; i < calls; i++) {
        sleep_ms(IDLE_MS);
        uint64_t t0 = bench_now_ns();
        fn(rc, w);
        ns[i] = (double)(bench_now_ns() - t0);
    }
    return w_bad(w, (uint64_t)calls) == 0;
}

/* Where a traced cold job's time went on the caller, medians over the jobs, ns. */
typedef struct breakdown {
    double start, chunks, claims, wait, total; /* publish (+ wake), fn calls, claiming and
                                                  stealing between them, closing the gate
                                                  and waiting for joined workers */
    int jobs, joined;  /* jobs seen; jobs a worker joined */
    int waited;        /* jobs where the caller waited >= 1 us after its last chunk */
} breakdown;

static void trace_breakdown(rows_ctx *rc, work *w, size_t n, int calls, breakdown *b) {
    memset(b, 0, sizeof *b);
    double *start = calloc(calls, sizeof(double)), *chunks = calloc(calls, sizeof(double)),
           *claims = calloc(calls, sizeof(double)), *wait = calloc(calls, sizeof(double)),
           *total = calloc(calls, sizeof(double));
    uint32_t *seqs = calloc(calls, sizeof(uint32_t));
    if (!start || !chunks || !claims || !wait || !total || !seqs || warmpool_trace_start(1 << 16)) goto out;
    rc->grain = 0;
    w->n = n;
    sleep_ms(IDLE_MS);
    warmpool_trace_clear();
    uint64_t since = warmpool_trace_now_ns();
    for (int i = 0; i < calls; i++) {
        sleep_ms(IDLE_MS);
        c_ours(rc, w);
    }
    warmpool_trace_enable(0);
    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(since);
    if (!s) goto out;
    pid_t me = (pid_t)syscall(SYS_gettid);
    for (size_t t = 0; t < warmpool_trace_thread_count(s); t++) {
        const warmpool_trace_thread *th = warmpool_trace_thread_at(s, t);
        if (th->tid != (uint64_t)me) continue;
        uint64_t begin = 0, first = 0, last = 0, in = 0, sum = 0;
        for (size_t e = 0; e < th->count; e++) {
            const warmpool_trace_event *ev = &th->events[e];
            if (ev->fn != (uint64_t)(uintptr_t)rc->pool && ev->kind != WARMPOOL_TRACE_CHUNK_BEGIN &&
                ev->kind != WARMPOOL_TRACE_CHUNK_END)
                continue;
            switch (ev->kind) {
            case WARMPOOL_TRACE_JOB_BEGIN: begin = ev->ns; first = last = sum = 0; break;
            case WARMPOOL_TRACE_CHUNK_BEGIN: if (begin) { in = ev->ns; if (!first) first = ev->ns; } break;
            case WARMPOOL_TRACE_CHUNK_END: if (begin && in) { sum += ev->ns - in; last = ev->ns; in = 0; } break;
            case WARMPOOL_TRACE_JOB_END:
                if (begin && first && b->jobs < calls) {
                    int j = b->jobs++;
                    start[j] = (double)(first - begin);
                    chunks[j] = (double)sum;
                    claims[j] = (double)(last - first - sum);
                    wait[j] = (double)(ev->ns - last);
                    total[j] = (double)(ev->ns - begin);
                    seqs[j] = ev->seq;
                    b->waited += wait[j] >= 1000;
                }
                begin = 0;
                break;
            }
        }
    }
    /* A worker's wake-up that joined one of those jobs. */
    for (size_t t = 0; t < warmpool_trace_thread_count(s); t++) {
        const warmpool_trace_thread *th = warmpool_trace_thread_at(s, t);
        for (size_t e = 0; e < th->count; e++) {
            const warmpool_trace_event *ev = &th->events[e];
            if (ev->kind != WARMPOOL_TRACE_WAKE || ev->fn != (uint64_t)(uintptr_t)rc->pool || !ev->a) continue;
            for (int j = 0; j < b->jobs; j++)
                if (seqs[j] == ev->seq) { b->joined++; break; }
        }
    }
    warmpool_trace_free(s);
    b->start = quant(start, b->jobs, 0.5);
    b->chunks = quant(chunks, b->jobs, 0.5);
    b->claims = quant(claims, b->jobs, 0.5);
    b->wait = quant(wait, b->jobs, 0.5);
    b->total = quant(total, b->jobs, 0.5);
out:
    warmpool_trace_enable(0);
    free(start); free(chunks); free(claims); free(wait); free(total); free(seqs);
}

/* ---- the report ------------------------------------------------------------------------ */

int bench_rows(int smoke) {
    work w = {0};
    w.a = 1;
    w.b = 1;
    w.workers = 1;
    w.x = aligned_alloc(64, ((100000 * sizeof(float)) + 63) / 64 * 64);
    rows_ctx rc = {warmpool_create(1), pthreadpool_create(2), 0};
    if (!w.x || !rc.pool || !rc.pp || warmpool_wait_ready(rc.pool, 5000)) {
        fprintf(stderr, "pool_bench: rows: setup failed\n");
        return 1;
    }
    row fine[] = {
        {"warmpool parallel_for grain 1", c_ours, FINE_N, 1, 0, {0}},
        {"pthreadpool_parallelize_1d", c_pp_1d, FINE_N, 1, 0, {0}},
        {"serial inline loop", c_serial, FINE_N, 1, 0, {0}},
    };
    row thr[] = {
        {"n=2 empty: plain", c_ours, 2, 0, 0, {0}},
        {"n=2 empty: with_thread", c_ours_t, 2, 0, 0, {0}},
        {"n=1000 tiny: plain", c_ours, 1000, 0, 0, {0}},
        {"n=1000 tiny: with_thread", c_ours_t, 1000, 0, 0, {0}},
        {"n=46189 grain 1: plain", c_ours, FINE_N, 1, 0, {0}},
        {"n=46189 grain 1: with_thread", c_ours_t, FINE_N, 1, 0, {0}},
    };
    int nf = sizeof fine / sizeof fine[0], nt = sizeof thr / sizeof thr[0];
    int rc_ = 0;
    if (smoke) {
        /* A few checked calls of every contender. */
        for (int k = 0; k < nf + nt; k++) {
            row *r = k < nf ? &fine[k] : &thr[k - nf];
            r->iters = 5;
            int ok = time_row(&rc, r, &w) > 0;
            printf("%-4s rows: %s\n", ok ? "ok" : "FAIL", r->name);
            rc_ |= !ok;
        }
        double ns[8];
        int ok = cold_calls(&rc, c_ours, &w, 100000, 0, 8, ns) && cold_calls(&rc, c_ours, &w, 2, 0, 8, ns);
        printf("%-4s rows: cold after idle\n", ok ? "ok" : "FAIL");
        rc_ |= !ok;
        goto done;
    }

    const int rounds = 9;
    printf("\nfine grains: grain 1 over %d items (x = x * a + b), 2 threads; ns per call, median "
           "of %d interleaved rounds [25%%..75%%]\n\n", FINE_N, rounds);
    printf("| %-44s | %10s | %-22s | %-8s |\n", "contender", "ns", "quartiles", "/ pthreadpool");
    printf("|----------------------------------------------|------------|------------------------|----------|\n");
    if (!run_rows(&rc, fine, nf, &w, rounds, 20)) { rc_ = 1; goto done; }
    for (int k = 0; k < nf; k++) print_row(&fine[k], rounds, &fine[1]);
    double ratio = quant(fine[0].ns, rounds, 0.5) / quant(fine[1].ns, rounds, 0.5);
    printf("goal: warmpool / pthreadpool_parallelize_1d <= 1.0: %.2f (%s)\n", ratio,
           ratio <= 1.0 ? "met" : "NOT MET");

    printf("\nthe thread-index variant (parallel_for_with_thread) next to the plain one, same "
           "pool (1 worker), back-to-back calls; ns per call [25%%..75%%]\n\n");
    printf("| %-44s | %10s | %-22s | %-8s |\n", "job: variant", "ns", "quartiles", "/ plain");
    printf("|----------------------------------------------|------------|------------------------|----------|\n");
    if (!run_rows(&rc, thr, nt, &w, rounds, 20)) { rc_ = 1; goto done; }
    for (int k = 0; k < nt; k++) print_row(&thr[k], rounds, k % 2 ? &thr[k - 1] : NULL);

    /* Cold: a pool per job kind, since the pool learns from its own cold jobs. */
    enum { CALLS = 150 };
    static double c_serial_e[CALLS], c_ours_e[CALLS], c_serial_b[CALLS], c_ours_b[CALLS],
        c_pp_b[CALLS], f_sleep[CALLS], f_none[CALLS];
    warmpool *big = warmpool_create(1);
    rows_ctx rb = {big, rc.pp, 0};
    if (!big || warmpool_wait_ready(big, 5000)) { rc_ = 1; goto done; }
    int ok = 1;
    for (int rep = 0; rep < 2 && ok; rep++) { /* interleaved halves */
        int h = rep * (CALLS / 2);
        ok &= cold_calls(&rc, c_serial, &w, 2, 0, CALLS / 2, c_serial_e + h);
        ok &= cold_calls(&rc, c_ours, &w, 2, 0, CALLS / 2, c_ours_e + h);
        ok &= cold_calls(&rb, c_serial, &w, 100000, 0, CALLS / 2, c_serial_b + h);
        ok &= cold_calls(&rb, c_ours, &w, 100000, 0, CALLS / 2, c_ours_b + h);
        ok &= cold_calls(&rb, c_pp_tile, &w, 100000, 0, CALLS / 2, c_pp_b + h);
    }
    futex_floor(CALLS, f_sleep, f_none);
    if (!ok) { fprintf(stderr, "pool_bench: cold: items not done exactly once\n"); rc_ = 1; goto done; }
    printf("\ncold after idle: each call after %.0f ms without one (every worker asleep), %d calls; "
           "the caller's ns per call, median [25%%..75%%] p90\n\n", IDLE_MS, CALLS);
    printf("| %-44s | %10s | %-22s | %8s |\n", "job: contender", "ns", "quartiles", "p90");
    printf("|----------------------------------------------|------------|------------------------|----------|\n");
    struct { const char *name; double *v; } cold[] = {
        {"n=2 empty: serial call after the same idle", c_serial_e},
        {"n=2 empty: warmpool cold", c_ours_e},
        {"n=100000 tiny: serial call after the same idle", c_serial_b},
        {"n=100000 tiny: warmpool cold", c_ours_b},
        {"n=100000 tiny: pthreadpool 1d_tile_1d (n/2)", c_pp_b},
        {"floor: FUTEX_WAKE, one thread asleep on it", f_sleep},
        {"floor: FUTEX_WAKE, nobody waiting", f_none},
    };
    for (size_t k = 0; k < sizeof cold / sizeof cold[0]; k++)
        printf("| %-44s | %10.0f | %10.0f..%-10.0f | %8.0f |\n", cold[k].name, quant(cold[k].v, CALLS, 0.5),
               quant(cold[k].v, CALLS, 0.25), quant(cold[k].v, CALLS, 0.75), quant(cold[k].v, CALLS, 0.9));
    double over = quant(c_ours_e, CALLS, 0.5) - quant(c_serial_e, CALLS, 0.5);
    printf("goal: a cold empty job costs the caller at most serial + 3 us: serial + %.2f us (%s)\n",
           over / 1e3, over <= 3000 ? "met" : "NOT MET");

    breakdown be, bb;
    trace_breakdown(&rc, &w, 2, 100, &be);
    trace_breakdown(&rb, &w, 100000, 100, &bb);
    printf("\nwhere a cold job's time goes on the caller (traced run, 100 jobs, medians in ns; "
           "tracing adds a clock read per event):\n\n");
    printf("| %-13s | %-21s | %-10s | %-18s | %-20s | %-8s | %-13s | %-13s |\n", "job", "publish (+ wake)",
           "fn calls", "claims and steals", "gate + wait workers", "total", "worker joined",
           "caller waited");
    printf("|---------------|-----------------------|------------|--------------------|----------------------|----------|---------------|---------------|\n");
    const breakdown *bs[2] = {&be, &bb};
    const char *bn[2] = {"n=2 empty", "n=100000 tiny"};
    for (int k = 0; k < 2; k++)
        printf("| %-13s | %21.0f | %10.0f | %18.0f | %20.0f | %8.0f | %6d of %-4d | %6d of %-4d |\n", bn[k],
               bs[k]->start, bs[k]->chunks, bs[k]->claims, bs[k]->wait, bs[k]->total, bs[k]->joined,
               bs[k]->jobs, bs[k]->waited, bs[k]->jobs);
    printf("A cold job pays the futex wake only when the pool's last cold job ran long enough "
           "for a woken worker to help (n=100000); the floor rows are what that wake costs here.\n");
    warmpool_destroy(big);
done:
    warmpool_destroy(rc.pool);
    pthreadpool_destroy(rc.pp);
    free(w.x);
    return rc_;
}
