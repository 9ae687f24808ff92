/* bench_report.c - prints pool_bench's tables: ns per call, ours / best peer, our stats. */
#include "pool_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n samples, nearest rank. */
static double quantile(const double *v, int n, double q) {
    double s[MAX_ROUNDS];
    if (n <= 0 || n > MAX_ROUNDS)
        return 0;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s[(int)(q * (n - 1) + 0.5)];
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

static void print_main_table(const bench_results *r, double med[NC][NJOBS]) {
    printf("\nns per parallel_for call, 2 threads in total (caller + 1 worker); median of %d "
           "%s interleaved rounds [25%%..75%%]\n\n",
           r->rounds, r->only_quiet ? "quiet" : "(NOT QUIET: other processes were busy)");
    printf("| %-29s |", "contender");
    for (int j = 0; j < NJOBS; j++)
        printf(" %-25s |", bench_job_name[j]);
    printf("\n|-------------------------------|");
    for (int j = 0; j < NJOBS; j++)
        printf("---------------------------|");
    printf("\n");
    for (int k = 0; k < NC; k++) {
        printf("| %-29s |", r->c[k].name);
        for (int j = 0; j < NJOBS; j++) {
            char m[16], lo[16], hi[16], cell[64];
            const double *v = r->c[k].ns[j];
            med[k][j] = quantile(v, r->rounds, 0.5);
            fmt_ns(m, sizeof m, med[k][j]);
            fmt_ns(lo, sizeof lo, quantile(v, r->rounds, 0.25));
            fmt_ns(hi, sizeof hi, quantile(v, r->rounds, 0.75));
            snprintf(cell, sizeof cell, "%s [%s..%s]", m, lo, hi);
            printf(" %-25s |", cell);
        }
        printf("\n");
    }
    printf("\nfloor for a warm hand-off: a cache line's round trip between two spinning threads "
           "on different CPUs takes %.0f ns [%.0f..%.0f]\n",
           quantile(r->pingpong, r->rounds, 0.5), quantile(r->pingpong, r->rounds, 0.25),
           quantile(r->pingpong, r->rounds, 0.75));
}

static void print_ratios(const bench_results *r, double med[NC][NJOBS]) {
    printf("\nours / best peer (the serial loop is not a peer; < 1 means we win). Cold is also "
           "set against the best peer whose workers sleep between calls (OpenMP passive, "
           "condvar): OpenMP default/active and pthreadpool spin between back-to-back "
           "calls.\n\n");
    printf("| %-13s | %-28s | %-7s | %-9s | %-9s | %-19s | %-7s | %-13s |\n", "job",
           "best peer", "peer ns", "cold/best", "warm/best", "best sleeping peer", "peer ns",
           "cold/sleeping");
    printf("|---------------|------------------------------|---------|-----------|-----------|"
           "---------------------|---------|---------------|\n");
    for (int j = 0; j < NJOBS; j++) {
        int best = -1, sleepy = -1;
        for (int k = 0; k < NC; k++) {
            if (r->c[k].peer && (best < 0 || med[k][j] < med[best][j]))
                best = k;
            if (r->c[k].peer == 2 && (sleepy < 0 || med[k][j] < med[sleepy][j]))
                sleepy = k;
        }
        char b1[16], b2[16];
        fmt_ns(b1, sizeof b1, med[best][j]);
        fmt_ns(b2, sizeof b2, med[sleepy][j]);
        printf("| %-13s | %-28s | %-7s | %-9.2f | %-9.2f | %-19s | %-7s | %-13.2f |\n",
               bench_job_name[j], r->c[best].name, b1, med[OURS_COLD][j] / med[best][j],
               med[OURS_WARM][j] / med[best][j], r->c[sleepy].name, b2,
               med[OURS_COLD][j] / med[sleepy][j]);
    }
}

static unsigned long long jobs_serial(const warmpool_stats *s) {
    return s->jobs_serial_not_ready + s->jobs_serial_nested + s->jobs_serial_concurrent +
           s->jobs_serial_tiny + s->jobs_serial_no_workers;
}

static void print_stats(const bench_results *r) {
    printf("\nwarmpool stats over the measured calls of all %d rounds (warm-up calls "
           "included)\n\n", r->done);
    printf("| %-4s | %-13s | %9s | %6s | %-17s | %8s | %8s | %8s | %8s | %8s | %5s |\n",
           "mode", "job", "parallel", "serial", "items caller/work", "joins", "late",
           "wakes", "c.sleeps", "w.sleeps", "cools");
    printf("|------|---------------|-----------|--------|-------------------|----------|"
           "----------|----------|----------|----------|-------|\n");
    for (int m = 0; m < 2; m++)
        for (int j = 0; j < NJOBS; j++) {
            const warmpool_stats *s = &r->stats[m][j];
            double items = (double)(s->items_caller + s->items_workers);
            char split[32];
            snprintf(split, sizeof split, "%.1f%% / %.1f%%",
                     items ? 100.0 * s->items_caller / items : 0,
                     items ? 100.0 * s->items_workers / items : 0);
            printf("| %-4s | %-13s | %9llu | %6llu | %-17s | %8llu | %8llu | %8llu | %8llu | "
                   "%8llu | %5llu |\n",
                   m ? "warm" : "cold", bench_job_name[j], (unsigned long long)s->jobs_parallel,
                   jobs_serial(s), split, (unsigned long long)s->joins,
                   (unsigned long long)s->late_wakeups, (unsigned long long)s->futex_wakes,
                   (unsigned long long)s->caller_sleeps, (unsigned long long)s->worker_sleeps,
                   (unsigned long long)s->cooldowns);
        }
}

static void print_notes(const bench_results *r) {
    const contender *c = r->c;
    printf("\ncalls per cell, latest (n=2/1000/100000):");
    for (int k = 0; k < NC; k++)
        printf(" %s %llu/%llu/%llu;", c[k].name, (unsigned long long)c[k].iters[0],
               (unsigned long long)c[k].iters[1], (unsigned long long)c[k].iters[2]);
    int stuck = 0;
    for (int i = 0; i < r->rounds; i++)
        stuck += r->warm_ms[i] >= 50;
    printf("\nwarmpool warm: from warm(1) (worker asleep) until the worker had joined 32 jobs "
           "of n=100000: median %.2f ms, max %.2f ms; not within 50 ms in %d of %d rounds",
           quantile(r->warm_ms, r->rounds, 0.5), quantile(r->warm_ms, r->rounds, 1.0), stuck,
           r->rounds);
    printf("\nwarmpool n=100000, 100 untimed calls per round: the worker ran a median %.0f%% "
           "(max %.0f%%) of its chunks on the caller's CPU when cold, %.0f%% (max %.0f%%) when "
           "warm",
           quantile(r->same_cpu[0], r->rounds, 0.5), quantile(r->same_cpu[0], r->rounds, 1.0),
           quantile(r->same_cpu[1], r->rounds, 0.5), quantile(r->same_cpu[1], r->rounds, 1.0));
    printf("\nother processes used a median %.0f%% (max %.0f%%) of the 2 CPUs per round; %d of "
           "%d rounds were quiet (< %.0f%%); the host stole %.0f ms",
           quantile(r->foreign, r->done, 0.5), quantile(r->foreign, r->done, 1.0), r->quiet,
           r->done, QUIET_PCT, r->steal_ms);
    printf("\nidle wait after each contender's cells (spinning left over), ms per round:");
    for (int k = 0; k < NC; k++)
        if (!c[k].omp_policy)
            printf(" %s %.1f;", c[k].name, c[k].settle_ms / r->done);
    for (int k = 0; k < NC; k++)
        if (c[k].omp_policy && c[k].omp_threads != 2)
            printf("\nWARNING: %s ran with a team of %d threads", c[k].name, c[k].omp_threads);
    printf("\nresults checked: %s; %.1f s in total\n",
           r->failed ? "SOME ITEMS WERE NOT DONE EXACTLY ONCE" : "every item done once per call",
           r->total_s);
}

void bench_report(const bench_results *r) {
    double med[NC][NJOBS];
    print_main_table(r, med);
    print_ratios(r, med);
    print_stats(r);
    print_notes(r);
}
