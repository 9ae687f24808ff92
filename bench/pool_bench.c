/* pool_bench.c - ns per parallel_for call of warmpool next to its peers, at 2 threads in
   total (caller + 1 worker), all measured in one run with interleaved rounds.

     pool_bench [--rounds N] [--ms MS] [--budget S] [--omp PATH]   the tables
     pool_bench --smoke                        every contender, a few checked calls
     pool_bench --rows                         only the second set of rows (pool_bench_rows.c)

   OpenMP runs in child processes (peer_omp), one per wait policy per round, because
   libgomp reads OMP_WAIT_POLICY only at start-up.

   The machine is shared: a round during which other processes used more than QUIET_PCT
   of the CPUs does not count. Rounds go on until N quiet ones were measured or the time
   budget is spent; with fewer than 5 quiet rounds every round counts and the table says
   so. */
#include "pool_bench.h"

#include <errno.h>
#include <pthread.h>
#include <pthreadpool.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---- the contenders: one parallel-for call each ------------------------------------ */

typedef struct job_ctx {
    bench_data *d;
    int job;
} job_ctx;

static void chunk_fn(void *ctx, size_t b, size_t e) {
    job_ctx *c = ctx;
    bench_job_loop(c->d, c->job, b, e);
}

static void ours_call(void *st, int job, bench_data *d) {
    job_ctx c = {d, job};
    warmpool_parallel_for(st, 0, bench_job_n[job], 0, chunk_fn, &c);
}

static void serial_call(void *st, int job, bench_data *d) {
    (void)st;
    bench_job_loop(d, job, 0, bench_job_n[job]);
}

static void pp_item(void *ctx, size_t i) {
    job_ctx *c = ctx;
    bench_job_loop(c->d, c->job, i, i + 1);
}

static void pp_1d_call(void *st, int job, bench_data *d) {
    job_ctx c = {d, job};
    pthreadpool_parallelize_1d(st, pp_item, &c, bench_job_n[job], 0);
}

static void pp_tile_fn(void *ctx, size_t start, size_t tile) {
    job_ctx *c = ctx;
    bench_job_loop(c->d, c->job, start, start + tile);
}

static void pp_tile_call(void *st, int job, bench_data *d) {
    job_ctx c = {d, job};
    size_t n = bench_job_n[job];
    pthreadpool_parallelize_1d_tile_1d(st, pp_tile_fn, &c, n, n / 2, 0);
}

static void cv_call(void *st, int job, bench_data *d) {
    job_ctx c = {d, job};
    cv_pool_run(st, bench_job_n[job], chunk_fn, &c);
}

/* warm(1) wakes the sleeping worker, and the kernel often queues it on the caller's CPU,
   where it runs only once the scheduler moves one of them (ms, sometimes never while
   both spin, on this VM). The warm row is the warm steady state, so untimed calls run
   until the worker has joined 32 jobs (at most 50 ms); that time is reported apart. */
static double warm_up(warmpool *p, bench_data *d) {
    warmpool_warm(p, 1);
    warmpool_reset_stats(p);
    uint64_t t0 = bench_now_ns(), t;
    warmpool_stats s;
    do {
        ours_call(p, JOB_100K, d);
        warmpool_get_stats(p, &s, sizeof s);
        t = bench_now_ns() - t0;
    } while (s.joins < 32 && t < 50000000);
    return (double)t / 1e6;
}

static double quiesce(void);

/* ---- where the worker runs ------------------------------------------------------------- */

typedef struct where_ctx {
    bench_data *d;
    pthread_t caller;
    int caller_cpu;
    _Atomic unsigned worker_chunks, on_caller_cpu;
} where_ctx;

static void where_chunk(void *ctx, size_t b, size_t e) {
    where_ctx *w = ctx;
    if (!pthread_equal(pthread_self(), w->caller)) {
        atomic_fetch_add(&w->worker_chunks, 1);
        if (sched_getcpu() == w->caller_cpu)
            atomic_fetch_add(&w->on_caller_cpu, 1);
    }
    bench_job_loop(w->d, JOB_100K, b, e);
}

/* Untimed: % of the worker's chunks in 100 calls of n=100000 that ran on the CPU the
   caller started the job on (sharing it rather than using the other CPU); 0 if the
   worker ran none. */
static double worker_on_caller_cpu(warmpool *p, bench_data *d, int warm) {
    where_ctx w = {.d = d, .caller = pthread_self()};
    if (warm)
        warm_up(p, d);
    for (int i = 0; i < 100; i++) {
        w.caller_cpu = sched_getcpu();
        warmpool_parallel_for(p, 0, bench_job_n[JOB_100K], 0, where_chunk, &w);
    }
    warmpool_warm(p, 0);
    quiesce();
    return w.worker_chunks ? 100.0 * w.on_caller_cpu / w.worker_chunks : 0;
}

/* ---- spin ping-pong: the floor for a warm hand-off ---------------------------------- */

typedef struct pingpong {
    _Atomic uint32_t ball; /* odd: served by the caller; even: returned */
    _Atomic int stop;
} pingpong;

static inline void cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void *pong(void *arg) {
    pingpong *pp = arg;
    for (uint32_t want = 1;; want += 2) {
        while (atomic_load_explicit(&pp->ball, memory_order_acquire) != want) {
            if (atomic_load_explicit(&pp->stop, memory_order_relaxed))
                return NULL;
            cpu_pause();
        }
        atomic_store_explicit(&pp->ball, want + 1, memory_order_release);
    }
}

/* ns per round trip of a cache line between two spinning threads, timed for about ms
   after 2 ms of warm-up; 0 when it cannot be set up. Both threads are pinned to
   different CPUs: a new thread often starts on its creator's CPU and stays there. */
static double pingpong_ns(double ms) {
    pingpong pp = {0, 0};
    pthread_t t, self = pthread_self();
    cpu_set_t saved, mine, other;
    int cpu = sched_getcpu();
    if (cpu < 0 || pthread_getaffinity_np(self, sizeof saved, &saved))
        return 0;
    CPU_ZERO(&mine);
    CPU_SET(cpu, &mine);
    other = saved;
    CPU_CLR(cpu, &other);
    if (!CPU_COUNT(&other))
        return 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setaffinity_np(&attr, sizeof other, &other);
    pthread_setaffinity_np(self, sizeof mine, &mine);
    int err = pthread_create(&t, &attr, pong, &pp);
    pthread_attr_destroy(&attr);
    if (err) {
        pthread_setaffinity_np(self, sizeof saved, &saved);
        return 0;
    }
    uint32_t v = 0;
    uint64_t t0 = 0, trips = 0, start = bench_now_ns();
    for (;;) {
        atomic_store_explicit(&pp.ball, ++v, memory_order_release);
        while (atomic_load_explicit(&pp.ball, memory_order_acquire) != v + 1)
            cpu_pause();
        v++;
        if (!t0 && bench_now_ns() - start > 2000000)
            t0 = bench_now_ns();
        else if (t0 && ++trips % 64 == 0 && bench_now_ns() - t0 > ms * 1e6)
            break;
    }
    double ns = (double)(bench_now_ns() - t0) / (double)trips;
    atomic_store(&pp.stop, 1);
    pthread_join(t, NULL);
    pthread_setaffinity_np(self, sizeof saved, &saved);
    return ns;
}

/* ---- CPU accounting ------------------------------------------------------------------ */

static double process_cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* This process and its finished children (the OpenMP runs). */
static double own_cpu_ms(void) {
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return process_cpu_ms() + ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 +
           ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

/* Every process on the machine, and what the host stole. */
static void machine_cpu_ms(double *busy, double *steal) {
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                     &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
        memset(v, 0, sizeof v);
    if (f)
        fclose(f);
    double tick_ms = 1000.0 / (double)sysconf(_SC_CLK_TCK);
    *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) * tick_ms;
    *steal = (double)v[7] * tick_ms;
}

/* Waits until no thread of this process burns CPU (peers that spin after a job would
   otherwise take the second CPU from whoever runs next). Returns the ms waited. */
static double quiesce(void) {
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < 100; i++) {
        double c0 = process_cpu_ms();
        nanosleep(&(struct timespec){0, 2000000}, NULL);
        if (process_cpu_ms() - c0 < 0.3)
            break;
    }
    return (double)(bench_now_ns() - t0) / 1e6;
}

/* ---- one round ----------------------------------------------------------------------- */

typedef struct setup {
    bench_data d;
    warmpool *cold, *warm;
    double ms;
    char omp_exe[4096];
} setup;

static void add_stats(warmpool_stats *sum, const warmpool_stats *s) {
    sum->jobs_parallel += s->jobs_parallel;
    sum->jobs_serial_not_ready += s->jobs_serial_not_ready;
    sum->jobs_serial_nested += s->jobs_serial_nested;
    sum->jobs_serial_concurrent += s->jobs_serial_concurrent;
    sum->jobs_serial_tiny += s->jobs_serial_tiny;
    sum->jobs_serial_no_workers += s->jobs_serial_no_workers;
    sum->items_caller += s->items_caller;
    sum->items_workers += s->items_workers;
    sum->joins += s->joins;
    sum->late_wakeups += s->late_wakeups;
    sum->futex_wakes += s->futex_wakes;
    sum->caller_sleeps += s->caller_sleeps;
    sum->worker_sleeps += s->worker_sleeps;
    sum->cooldowns += s->cooldowns;
}

/* Calls for the next cell: about ms of calls at the speed just seen, so that one slow
   calibration (a thread still waiting to be moved to a free CPU) costs one round. */
static uint64_t next_iters(double ms, double ns_per_call) {
    double n = ms * 1e6 / (ns_per_call > 0 ? ns_per_call : 1);
    return n < 3 ? 3 : n > 1e7 ? (uint64_t)1e7 : (uint64_t)n;
}

/* The three jobs of OpenMP with one wait policy, in a child process. Round 0 lets the
   child calibrate. 0, or -1 when the child failed. */
static int round_omp(setup *S, bench_results *r, contender *x, int round, int first) {
    char ms_s[32], first_s[16], it[NJOBS][32];
    snprintf(ms_s, sizeof ms_s, "%g", S->ms);
    snprintf(first_s, sizeof first_s, "%d", first);
    for (int j = 0; j < NJOBS; j++)
        snprintf(it[j], sizeof it[j], "%llu", (unsigned long long)x->iters[j]);
    char *args[] = {"bench", ms_s, first_s, it[0], it[1], it[2], NULL};
    omp_result o;
    if (run_omp(S->omp_exe, x->omp_policy, args, &o))
        return -1;
    x->omp_threads = o.threads;
    for (int j = 0; j < NJOBS; j++) {
        x->iters[j] = next_iters(S->ms, o.cell[j].ns_per_call);
        r->failed += o.cell[j].bad_items != 0;
        if (round)
            x->ns[j][round - 1] = o.cell[j].ns_per_call;
    }
    return 0;
}

/* The three jobs of an in-process contender; round 0 calibrates instead. */
static void round_local(setup *S, bench_results *r, int k, int round, int first) {
    contender *x = &r->c[k];
    int ours = k == OURS_COLD || k == OURS_WARM;
    if (k == OURS_WARM) {
        double t = warm_up(S->warm, &S->d);
        if (round)
            r->warm_ms[round - 1] = t;
    }
    for (int jj = 0; jj < NJOBS; jj++) {
        int j = (first + jj) % NJOBS;
        if (!round) {
            x->iters[j] = bench_calibrate(x->call, x->st, j, &S->d, S->ms);
            continue;
        }
        if (ours)
            warmpool_reset_stats(x->st);
        bench_cell cell = bench_measure(x->call, x->st, j, &S->d, x->iters[j]);
        if (ours) {
            warmpool_stats s;
            warmpool_get_stats(x->st, &s, sizeof s);
            add_stats(&r->stats[k == OURS_WARM][j], &s);
        }
        x->ns[j][round - 1] = cell.ns_per_call;
        x->iters[j] = next_iters(S->ms, cell.ns_per_call);
        if (cell.bad_items) {
            fprintf(stderr, "pool_bench: %s %s: %zu items not done exactly once\n", x->name,
                    bench_job_name[j], cell.bad_items);
            r->failed++;
        }
    }
    if (k == OURS_WARM)
        warmpool_warm(S->warm, 0);
}

/* Every contender in a rotated order, then the ping-pong floor. 0 or -1. */
static int run_round(setup *S, bench_results *r, int round) {
    double busy0, steal0, busy1, steal1, own0 = own_cpu_ms();
    uint64_t wall0 = bench_now_ns();
    machine_cpu_ms(&busy0, &steal0);
    for (int kk = 0; kk < NC; kk++) {
        int k = (kk + round) % NC, first = round % NJOBS;
        if (r->c[k].omp_policy) {
            if (round_omp(S, r, &r->c[k], round, first)) {
                fprintf(stderr, "pool_bench: %s: the child process failed\n", r->c[k].name);
                return -1;
            }
            continue;
        }
        round_local(S, r, k, round, first);
        double q = quiesce();
        if (round)
            r->c[k].settle_ms += q;
    }
    if (!round)
        return 0;
    r->pingpong[round - 1] = pingpong_ns(5);
    quiesce();
    r->same_cpu[0][round - 1] = worker_on_caller_cpu(S->cold, &S->d, 0);
    r->same_cpu[1][round - 1] = worker_on_caller_cpu(S->warm, &S->d, 1);
    double wall_ms = (double)(bench_now_ns() - wall0) / 1e6;
    machine_cpu_ms(&busy1, &steal1);
    double f = 100.0 * (busy1 - busy0 - (own_cpu_ms() - own0)) / (2 * wall_ms);
    r->foreign[round - 1] = f < 0 ? 0 : f;
    r->steal_ms += steal1 - steal0;
    r->quiet += f < QUIET_PCT;
    r->done = round;
    return 0;
}

/* Keeps the quiet rounds' samples only, when there are enough of them. */
static void keep_quiet_rounds(bench_results *r) {
    int kept = 0;
    r->only_quiet = r->quiet >= 5;
    for (int i = 0; i < r->done; i++) {
        if (r->only_quiet && r->foreign[i] >= QUIET_PCT)
            continue;
        for (int k = 0; k < NC; k++)
            for (int j = 0; j < NJOBS; j++)
                r->c[k].ns[j][kept] = r->c[k].ns[j][i];
        r->warm_ms[kept] = r->warm_ms[i];
        r->pingpong[kept] = r->pingpong[i];
        r->same_cpu[0][kept] = r->same_cpu[0][i];
        r->same_cpu[1][kept] = r->same_cpu[1][i];
        kept++;
    }
    r->rounds = kept;
}

/* ---- smoke test ---------------------------------------------------------------------- */

/* Every contender, every job, a few calls, each call checked item by item; our stats must
   account for every item. Prints "N passed, N failed"; returns the failures. */
static int smoke(setup *S, bench_results *r) {
    const unsigned calls = 7;
    int passed = 0, failed = 0;
    for (int k = 0; k < NC; k++) {
        contender *x = &r->c[k];
        if (x->omp_policy) {
            char cs[16];
            snprintf(cs, sizeof cs, "%u", calls);
            char *args[] = {"smoke", cs, NULL};
            omp_result o;
            int rc = run_omp(S->omp_exe, x->omp_policy, args, &o);
            size_t bad = 0;
            for (int j = 0; j < NJOBS; j++)
                bad += o.cell[j].bad_items;
            const char *why = rc ? " (child failed)" : o.threads != 2 ? " (team is not 2)"
                              : bad ? " (items not done exactly once)" : "";
            printf("%-4s %-28s all jobs%s\n", *why ? "FAIL" : "ok", x->name, why);
            *why ? failed++ : passed++;
            continue;
        }
        for (int j = 0; j < NJOBS; j++) {
            warmpool *p = k == OURS_COLD ? S->cold : k == OURS_WARM ? S->warm : NULL;
            if (p) {
                warmpool_warm(p, k == OURS_WARM);
                warmpool_reset_stats(p);
            }
            const char *why = bench_smoke(x->call, x->st, j, &S->d, calls)
                                  ? " (items not done exactly once)" : "";
            if (p) {
                warmpool_stats s;
                warmpool_get_stats(p, &s, sizeof s);
                if (!*why && s.items_caller + s.items_workers != calls * bench_job_n[j])
                    why = " (stats: items caller + workers != items done)";
                warmpool_warm(p, 0);
            }
            printf("%-4s %-28s %s%s\n", *why ? "FAIL" : "ok", x->name, bench_job_name[j], why);
            *why ? failed++ : passed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed;
}

/* ---- main ---------------------------------------------------------------------------- */

/* peer_omp lives next to this program unless --omp says otherwise. */
static void default_omp_path(char *buf, size_t size) {
    ssize_t n = readlink("/proc/self/exe", buf, size - 16);
    if (n <= 0) {
        snprintf(buf, size, "./peer_omp");
        return;
    }
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    strcpy(slash ? slash + 1 : buf, "peer_omp");
}

int main(int argc, char **argv) {
    int rounds = 15, smoke_only = 0, rows_only = 0;
    double budget_s = 40;
    setup *S = calloc(1, sizeof *S);
    bench_results *r = calloc(1, sizeof *r);
    if (!S || !r)
        return 1;
    S->ms = 20;
    default_omp_path(S->omp_exe, sizeof S->omp_exe);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--smoke"))
            smoke_only = 1;
        else if (!strcmp(argv[i], "--rows"))
            rows_only = 1;
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ms") && i + 1 < argc)
            S->ms = atof(argv[++i]);
        else if (!strcmp(argv[i], "--budget") && i + 1 < argc)
            budget_s = atof(argv[++i]);
        else if (!strcmp(argv[i], "--omp") && i + 1 < argc)
            snprintf(S->omp_exe, sizeof S->omp_exe, "%s", argv[++i]);
        else
            rounds = 0;
    }
    if (rounds < 1 || rounds >= MAX_ROUNDS || S->ms <= 0 || budget_s <= 0) {
        fprintf(stderr, "usage: %s [--smoke | --rows] [--rounds 1..%d] [--ms MS] [--budget S] "
                        "[--omp PATH]\n", argv[0], MAX_ROUNDS - 1);
        return 2;
    }

    S->cold = warmpool_create(1);
    S->warm = warmpool_create(1);
    pthreadpool_t pp = pthreadpool_create(2); /* counts the caller */
    cv_pool *cv = cv_pool_create(1);
    if (bench_data_init(&S->d) || !S->cold || !S->warm || !pp || !cv) {
        fprintf(stderr, "pool_bench: setup failed: %s\n", strerror(errno));
        return 1;
    }
    if (warmpool_wait_ready(S->cold, 5000) || warmpool_wait_ready(S->warm, 5000)) {
        fprintf(stderr, "pool_bench: workers not ready after 5 s\n");
        return 1;
    }
    contender *c = r->c;
    c[OURS_COLD] = (contender){.name = "warmpool cold", .call = ours_call, .st = S->cold};
    c[OURS_WARM] = (contender){.name = "warmpool warm", .call = ours_call, .st = S->warm};
    c[SERIAL] = (contender){.name = "serial inline loop", .call = serial_call};
    c[OMP_DEFAULT] = (contender){.name = "OpenMP default wait", .peer = 1, .omp_policy = ""};
    c[OMP_ACTIVE] = (contender){.name = "OpenMP active wait", .peer = 1, .omp_policy = "active"};
    c[OMP_PASSIVE] = (contender){.name = "OpenMP passive wait", .peer = 2,
                                 .omp_policy = "passive"};
    c[PP_1D] = (contender){.name = "pthreadpool_parallelize_1d", .peer = 1, .call = pp_1d_call,
                           .st = pp};
    c[PP_TILE] = (contender){.name = "pthreadpool 1d_tile_1d (n/2)", .peer = 1,
                             .call = pp_tile_call, .st = pp};
    c[CONDVAR] = (contender){.name = "mutex+condvar pool", .peer = 2, .call = cv_call, .st = cv};

    int rc;
    if (smoke_only) {
        rc = smoke(S, r) != 0;
        rc |= bench_rows(1);
    } else if (rows_only) {
        rc = bench_rows(0);
    } else {
        /* Round 0 calibrates the calls per cell and is not counted. */
        uint64_t t0 = bench_now_ns();
        rc = 0;
        for (int round = 0; round < MAX_ROUNDS && r->quiet < rounds && !rc; round++) {
            double spent = (double)(bench_now_ns() - t0) / 1e9;
            if (round > 1 && spent * (1.0 + 1.0 / round) > budget_s)
                break; /* the next round would end past the budget */
            rc = run_round(S, r, round);
        }
        r->total_s = (double)(bench_now_ns() - t0) / 1e9;
        keep_quiet_rounds(r);
        if (!rc && r->rounds)
            bench_report(r);
        rc = rc || !r->rounds || r->failed;
        if (!rc)
            rc = bench_rows(0);
    }
    warmpool_destroy(S->cold);
    warmpool_destroy(S->warm);
    pthreadpool_destroy(pp);
    cv_pool_destroy(cv);
    bench_data_free(&S->d);
    free(S);
    free(r);
    return rc;
}
