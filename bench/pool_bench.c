/* pool_bench.c - ns per parallel_for call of warmpool next to its peers, at 2 threads in
   total (caller + 1 worker), all measured in one run with interleaved rounds.

     pool_bench [--rounds N] [--ms MS] [--omp PATH]   the table (make bench-pool)
     pool_bench --smoke                               a few checked calls each (make test)

   OpenMP runs in child processes (peer_omp), one per wait policy per round, because
   libgomp reads OMP_WAIT_POLICY only at start-up. */
#include "bench.h"
#include "warmpool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthreadpool.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { OURS_COLD, OURS_WARM, SERIAL, OMP_DEFAULT, OMP_ACTIVE, OMP_PASSIVE, PP_1D, PP_TILE,
       CONDVAR, NC };

typedef struct contender {
    const char *name;
    int peer;               /* 0: ours or the serial loop; 1: a peer; 2: a peer whose
                               workers sleep between calls */
    const char *omp_policy; /* child process with this OMP_WAIT_POLICY ("" = unset) */
    bench_call_fn call;
    void *st;
    uint64_t iters[NJOBS];
    double *ns[NJOBS];      /* one sample per measured round */
    double settle_ms;       /* time until the process was idle after its cells */
    double *first_join_ms;  /* ours warm: warm(1) to the worker's first join, per round */
    int omp_threads;
} contender;

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

/* warm(1) wakes the sleeping worker, and the kernel often queues it on the caller's CPU,
   where it only runs once the scheduler moves it (1-4 ms on this VM). The warm row is
   the warm steady state, so untimed calls run until the worker has joined a few jobs;
   the time to its first join is reported on its own. */
static double warm_up(warmpool *p, bench_data *d) {
    warmpool_warm(p, 1);
    warmpool_reset_stats(p);
    uint64_t t0 = bench_now_ns(), first = 0;
    warmpool_stats s;
    do {
        ours_call(p, JOB_1K, d);
        warmpool_get_stats(p, &s, sizeof s);
        if (s.joins && !first)
            first = bench_now_ns() - t0;
    } while (s.joins < 32 && bench_now_ns() - t0 < 50000000);
    return first ? (double)first / 1e6 : 50.0;
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

/* ---- OpenMP child process ---------------------------------------------------------- */

typedef struct omp_result {
    uint64_t iters[NJOBS];
    bench_cell cell[NJOBS];
    int threads;
    int got;   /* jobs reported */
} omp_result;

/* Runs peer_omp with the policy in its environment; 0 or -1. */
static int run_omp(const char *exe, const char *policy, char *const args[], omp_result *r) {
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    char pol[64];
    if (!env)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "OMP_WAIT_POLICY=", 16) && strncmp(environ[i], "GOMP_SPINCOUNT=", 15))
            env[k++] = environ[i];
    if (*policy) {
        snprintf(pol, sizeof pol, "OMP_WAIT_POLICY=%s", policy);
        env[k++] = pol;
    }
    int fd[2];
    if (pipe2(fd, O_CLOEXEC)) {
        free(env);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    char *argv[12] = {(char *)exe};
    for (int i = 0; args[i] && i < 10; i++)
        argv[i + 1] = args[i];
    pid_t pid;
    int err = posix_spawn(&pid, exe, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(fd[1]);
    if (err) {
        close(fd[0]);
        fprintf(stderr, "pool_bench: cannot run %s: %s\n", exe, strerror(err));
        return -1;
    }
    FILE *f = fdopen(fd[0], "r");
    char line[256];
    memset(r, 0, sizeof *r);
    while (f && fgets(line, sizeof line, f)) {
        int j, threads;
        unsigned long long iters;
        double ns;
        size_t bad;
        if (sscanf(line, "job %d iters %llu ns %lf bad %zu threads %d", &j, &iters, &ns,
                   &bad, &threads) == 5 && j >= 0 && j < NJOBS) {
            r->iters[j] = iters;
            r->cell[j].ns_per_call = ns;
            r->cell[j].bad_items = bad;
            r->threads = threads;
            r->got++;
        }
    }
    if (f)
        fclose(f);
    else
        close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && r->got == NJOBS ? 0 : -1;
}

/* ---- helpers ------------------------------------------------------------------------- */

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Waits until no thread of this process burns CPU (peers that spin after a job would
   otherwise steal the second core from whoever runs next). Returns the ms waited. */
static double quiesce(void) {
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < 100; i++) {
        double c0 = cpu_ms();
        nanosleep(&(struct timespec){0, 2000000}, NULL);
        if (cpu_ms() - c0 < 0.3)
            break;
    }
    return (double)(bench_now_ns() - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n samples, nearest rank. */
static double quantile(const double *v, int n, double q) {
    double *s = malloc(n * sizeof *s);
    if (!s || n == 0) {
        free(s);
        return 0;
    }
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double r = s[(int)(q * (n - 1) + 0.5)];
    free(s);
    return r;
}

static void fmt_ns(char *buf, size_t size, double ns) {
    if (ns >= 1e6)
        snprintf(buf, size, "%.2fM", ns / 1e6);
    else if (ns >= 1e4)
        snprintf(buf, size, "%.1fk", ns / 1e3);
    else if (ns >= 100)
        snprintf(buf, size, "%.0f", ns);
    else
        snprintf(buf, size, "%.1f", ns);
}

static void add_stats(warmpool_stats *sum, const warmpool_stats *s) {
    sum->jobs_parallel += s->jobs_parallel;
    sum->jobs_serial_not_ready += s->jobs_serial_not_ready;
    sum->jobs_serial_nested += s->jobs_serial_nested;
    sum->jobs_serial_concurrent += s->jobs_serial_concurrent;
    sum->jobs_serial_tiny += s->jobs_serial_tiny;
    sum->jobs_serial_no_workers += s->jobs_serial_no_workers;
    sum->items_caller += s->items_caller;
    sum->items_workers += s->items_workers;
    sum->chunks_workers += s->chunks_workers;
    sum->joins += s->joins;
    sum->late_wakeups += s->late_wakeups;
    sum->futex_wakes += s->futex_wakes;
    sum->caller_sleeps += s->caller_sleeps;
    sum->worker_sleeps += s->worker_sleeps;
    sum->warm_on += s->warm_on;
    sum->cooldowns += s->cooldowns;
}

static uint64_t jobs_serial(const warmpool_stats *s) {
    return s->jobs_serial_not_ready + s->jobs_serial_nested + s->jobs_serial_concurrent +
           s->jobs_serial_tiny + s->jobs_serial_no_workers;
}

/* Where the peer_omp binary lives: next to this one unless --omp says otherwise. */
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

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char **argv) {
    int rounds = 15, smoke = 0;
    double ms = 20;
    char omp_exe[4096];
    default_omp_path(omp_exe, sizeof omp_exe);
    if (getenv("BENCH_ROUNDS"))
        rounds = atoi(getenv("BENCH_ROUNDS"));
    if (getenv("BENCH_MS"))
        ms = atof(getenv("BENCH_MS"));
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--smoke"))
            smoke = 1;
        else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ms") && i + 1 < argc)
            ms = atof(argv[++i]);
        else if (!strcmp(argv[i], "--omp") && i + 1 < argc)
            snprintf(omp_exe, sizeof omp_exe, "%s", argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--smoke] [--rounds N] [--ms MS] [--omp PATH]\n", argv[0]);
            return 2;
        }
    }
    if (rounds < 1 || ms <= 0) {
        fprintf(stderr, "pool_bench: bad --rounds or --ms\n");
        return 2;
    }

    bench_data d;
    warmpool *cold = warmpool_create(1), *warm = warmpool_create(1);
    pthreadpool_t pp = pthreadpool_create(2); /* counts the caller */
    cv_pool *cv = cv_pool_create(1);
    if (bench_data_init(&d) || !cold || !warm || !pp || !cv) {
        fprintf(stderr, "pool_bench: setup failed: %s\n", strerror(errno));
        return 1;
    }
    if (warmpool_wait_ready(cold, 5000) || warmpool_wait_ready(warm, 5000)) {
        fprintf(stderr, "pool_bench: workers not ready after 5 s\n");
        return 1;
    }

    contender c[NC] = {
        [OURS_COLD] = {.name = "warmpool cold", .call = ours_call, .st = cold},
        [OURS_WARM] = {.name = "warmpool warm", .call = ours_call, .st = warm},
        [SERIAL] = {.name = "serial inline loop", .call = serial_call},
        [OMP_DEFAULT] = {.name = "OpenMP default wait", .peer = 1, .omp_policy = ""},
        [OMP_ACTIVE] = {.name = "OpenMP active wait", .peer = 1, .omp_policy = "active"},
        [OMP_PASSIVE] = {.name = "OpenMP passive wait", .peer = 2, .omp_policy = "passive"},
        [PP_1D] = {.name = "pthreadpool_parallelize_1d", .peer = 1, .call = pp_1d_call, .st = pp},
        [PP_TILE] = {.name = "pthreadpool 1d_tile_1d (n/2)", .peer = 1, .call = pp_tile_call,
                     .st = pp},
        [CONDVAR] = {.name = "mutex+condvar pool", .peer = 2, .call = cv_call, .st = cv},
    };
    warmpool_stats stats[2][NJOBS];
    memset(stats, 0, sizeof stats);
    int failed = 0, passed = 0;

    if (smoke) {
        /* Every contender, every job, a few calls, each call checked item by item. */
        const unsigned calls = 7;
        for (int k = 0; k < NC; k++) {
            for (int j = 0; j < NJOBS; j++) {
                size_t bad = 0;
                const char *why = "";
                if (c[k].omp_policy) {
                    if (j > 0)
                        break;
                    char cs[16];
                    snprintf(cs, sizeof cs, "%u", calls);
                    char *args[] = {"smoke", cs, NULL};
                    omp_result r;
                    int rc = run_omp(omp_exe, c[k].omp_policy, args, &r);
                    for (int jj = 0; jj < NJOBS; jj++)
                        bad += r.cell[jj].bad_items;
                    if (rc || r.threads != 2)
                        why = rc ? " (child failed)" : " (team size is not 2)", bad++;
                    printf("%-4s %-28s all jobs%s\n", bad ? "FAIL" : "ok", c[k].name, why);
                } else {
                    if (k == OURS_WARM)
                        warmpool_warm(warm, 1);
                    warmpool *p = k == OURS_COLD ? cold : k == OURS_WARM ? warm : NULL;
                    warmpool_stats s;
                    if (p)
                        warmpool_reset_stats(p);
                    bad = c[k].call ? bench_smoke(c[k].call, c[k].st, j, &d, calls) : 1;
                    if (p) {
                        warmpool_get_stats(p, &s, sizeof s);
                        /* The counters must account for every item exactly once. */
                        if (s.items_caller + s.items_workers != calls * bench_job_n[j])
                            why = " (stats: items caller+workers != items)", bad++;
                        warmpool_warm(warm, 0);
                    }
                    printf("%-4s %-28s %s%s\n", bad ? "FAIL" : "ok", c[k].name,
                           bench_job_name[j], why);
                }
                bad ? failed++ : passed++;
            }
        }
        printf("%d passed, %d failed\n", passed, failed);
        return failed != 0;
    }

    for (int k = 0; k < NC; k++)
        for (int j = 0; j < NJOBS; j++)
            c[k].ns[j] = calloc(rounds, sizeof(double));
    c[OURS_WARM].first_join_ms = calloc(rounds, sizeof(double));

    uint64_t t_start = bench_now_ns();
    /* Round 0 calibrates the calls per cell and is not counted. */
    for (int round = 0; round <= rounds; round++) {
        for (int kk = 0; kk < NC; kk++) {
            int k = (kk + round) % NC, first = round % NJOBS;
            contender *x = &c[k];
            if (x->omp_policy) {
                char ms_s[32], first_s[16], it[NJOBS][32];
                snprintf(ms_s, sizeof ms_s, "%g", ms);
                snprintf(first_s, sizeof first_s, "%d", first);
                for (int j = 0; j < NJOBS; j++)
                    snprintf(it[j], sizeof it[j], "%llu", (unsigned long long)x->iters[j]);
                char *args[] = {"bench", ms_s, first_s, it[0], it[1], it[2], NULL};
                omp_result r;
                if (run_omp(omp_exe, x->omp_policy, args, &r)) {
                    fprintf(stderr, "pool_bench: %s child failed\n", x->name);
                    return 1;
                }
                x->omp_threads = r.threads;
                for (int j = 0; j < NJOBS; j++) {
                    x->iters[j] = r.iters[j];
                    failed += r.cell[j].bad_items != 0;
                    if (round)
                        x->ns[j][round - 1] = r.cell[j].ns_per_call;
                }
                continue;
            }
            int ours = k == OURS_COLD || k == OURS_WARM;
            if (k == OURS_WARM) {
                double ms1 = warm_up(warm, &d);
                if (round)
                    x->first_join_ms[round - 1] = ms1;
            }
            for (int jj = 0; jj < NJOBS; jj++) {
                int j = (first + jj) % NJOBS;
                if (!round) {
                    x->iters[j] = bench_calibrate(x->call, x->st, j, &d, ms);
                    continue;
                }
                if (ours)
                    warmpool_reset_stats(x->st);
                bench_cell cell = bench_measure(x->call, x->st, j, &d, x->iters[j]);
                if (ours) {
                    warmpool_stats s;
                    warmpool_get_stats(x->st, &s, sizeof s);
                    add_stats(&stats[k == OURS_WARM][j], &s);
                }
                x->ns[j][round - 1] = cell.ns_per_call;
                if (cell.bad_items) {
                    fprintf(stderr, "pool_bench: %s %s: %zu items not done exactly once\n",
                            x->name, bench_job_name[j], cell.bad_items);
                    failed++;
                }
            }
            if (k == OURS_WARM)
                warmpool_warm(warm, 0);
            double q = quiesce();
            if (round)
                x->settle_ms += q / rounds;
        }
    }
    double total_s = (double)(bench_now_ns() - t_start) / 1e9;

    /* ---- the tables ---------------------------------------------------------------- */
    double med[NC][NJOBS];
    printf("\nns per parallel_for call, 2 threads in total (caller + 1 worker); median of %d "
           "interleaved rounds [25%%..75%%]\n\n",
           rounds);
    printf("| %-29s |", "contender");
    for (int j = 0; j < NJOBS; j++)
        printf(" %-25s |", bench_job_name[j]);
    printf("\n|%s|", "-------------------------------");
    for (int j = 0; j < NJOBS; j++)
        printf("%s|", "---------------------------");
    printf("\n");
    for (int k = 0; k < NC; k++) {
        printf("| %-29s |", c[k].name);
        for (int j = 0; j < NJOBS; j++) {
            char m[16], lo[16], hi[16], cell[64];
            med[k][j] = quantile(c[k].ns[j], rounds, 0.5);
            fmt_ns(m, sizeof m, med[k][j]);
            fmt_ns(lo, sizeof lo, quantile(c[k].ns[j], rounds, 0.25));
            fmt_ns(hi, sizeof hi, quantile(c[k].ns[j], rounds, 0.75));
            snprintf(cell, sizeof cell, "%s [%s..%s]", m, lo, hi);
            printf(" %-25s |", cell);
        }
        printf("\n");
    }

    printf("\nours / best peer (the serial loop is not a peer; < 1 means we win). Cold is also "
           "set against the best peer whose workers sleep between calls (OpenMP passive, "
           "condvar): OpenMP default/active and pthreadpool spin between back-to-back "
           "calls.\n\n");
    printf("| %-13s | %-28s | %-7s | %-9s | %-9s | %-19s | %-7s | %-14s |\n", "job",
           "best peer", "peer ns", "cold/best", "warm/best", "best sleeping peer", "peer ns",
           "cold/sleeping");
    printf("|---------------|------------------------------|---------|-----------|-----------|"
           "---------------------|---------|----------------|\n");
    for (int j = 0; j < NJOBS; j++) {
        int best = -1, sleepy = -1;
        for (int k = 0; k < NC; k++) {
            if (c[k].peer && (best < 0 || med[k][j] < med[best][j]))
                best = k;
            if (c[k].peer == 2 && (sleepy < 0 || med[k][j] < med[sleepy][j]))
                sleepy = k;
        }
        char b1[16], b2[16];
        fmt_ns(b1, sizeof b1, med[best][j]);
        fmt_ns(b2, sizeof b2, med[sleepy][j]);
        printf("| %-13s | %-28s | %-7s | %-9.2f | %-9.2f | %-19s | %-7s | %-14.2f |\n",
               bench_job_name[j], c[best].name, b1, med[OURS_COLD][j] / med[best][j],
               med[OURS_WARM][j] / med[best][j], c[sleepy].name, b2,
               med[OURS_COLD][j] / med[sleepy][j]);
    }

    printf("\nwarmpool stats over the measured calls (warm-up calls included)\n\n");
    printf("| %-4s | %-13s | %9s | %6s | %-17s | %8s | %8s | %8s | %8s | %8s | %6s |\n",
           "mode", "job", "parallel", "serial", "items caller/work", "joins", "late",
           "wakes", "c.sleeps", "w.sleeps", "cools");
    printf("|------|---------------|-----------|--------|-------------------|----------|"
           "----------|----------|----------|----------|--------|\n");
    for (int m = 0; m < 2; m++)
        for (int j = 0; j < NJOBS; j++) {
            warmpool_stats *s = &stats[m][j];
            double items = (double)(s->items_caller + s->items_workers);
            char split[32];
            snprintf(split, sizeof split, "%.1f%% / %.1f%%",
                     items ? 100.0 * s->items_caller / items : 0,
                     items ? 100.0 * s->items_workers / items : 0);
            printf("| %-4s | %-13s | %9llu | %6llu | %-17s | %8llu | %8llu | %8llu | %8llu | "
                   "%8llu | %6llu |\n",
                   m ? "warm" : "cold", bench_job_name[j], (unsigned long long)s->jobs_parallel,
                   (unsigned long long)jobs_serial(s), split, (unsigned long long)s->joins,
                   (unsigned long long)s->late_wakeups, (unsigned long long)s->futex_wakes,
                   (unsigned long long)s->caller_sleeps, (unsigned long long)s->worker_sleeps,
                   (unsigned long long)s->cooldowns);
        }

    printf("\ncalls per cell:");
    for (int k = 0; k < NC; k++)
        printf(" %s %llu/%llu/%llu;", c[k].name, (unsigned long long)c[k].iters[0],
               (unsigned long long)c[k].iters[1], (unsigned long long)c[k].iters[2]);
    printf("\nwarmpool warm: worker's first join after warm(1) (worker asleep before): median "
           "%.2f ms, max %.2f ms (untimed; the warm row starts after 32 joins)",
           quantile(c[OURS_WARM].first_join_ms, rounds, 0.5),
           quantile(c[OURS_WARM].first_join_ms, rounds, 1.0));
    printf("\nidle wait after each contender's cells (spinning left over), ms:");
    for (int k = 0; k < NC; k++)
        if (!c[k].omp_policy)
            printf(" %s %.1f;", c[k].name, c[k].settle_ms);
    for (int k = 0; k < NC; k++)
        if (c[k].omp_policy && c[k].omp_threads != 2)
            printf("\nWARNING: %s ran with a team of %d threads", c[k].name, c[k].omp_threads);
    printf("\nresults checked: %s; %.1f s in total\n",
           failed ? "SOME ITEMS WERE NOT DONE EXACTLY ONCE" : "every item done once per call",
           total_s);

    for (int k = 0; k < NC; k++)
        for (int j = 0; j < NJOBS; j++)
            free(c[k].ns[j]);
    free(c[OURS_WARM].first_join_ms);
    warmpool_destroy(cold);
    warmpool_destroy(warm);
    pthreadpool_destroy(pp);
    cv_pool_destroy(cv);
    bench_data_free(&d);
    return failed != 0;
}
