/* pool_bench.h - what pool_bench.c measures and bench_report.c prints. */
#ifndef WARMPOOL_POOL_BENCH_H
#define WARMPOOL_POOL_BENCH_H
#include "bench.h"
#include "warmpool.h"

#define MAX_ROUNDS 200
#define QUIET_PCT 10.0 /* % of the 2 CPUs other processes may use in a quiet round */

enum { OURS_COLD, OURS_WARM, SERIAL, OMP_DEFAULT, OMP_ACTIVE, OMP_PASSIVE, PP_1D, PP_TILE,
       CONDVAR, NC };

typedef struct contender {
    const char *name;
    int peer;               /* 0: ours or the serial loop; 1: a peer; 2: a peer whose
                               workers sleep between calls */
    const char *omp_policy; /* run in peer_omp with this OMP_WAIT_POLICY ("" = unset) */
    bench_call_fn call;
    void *st;
    uint64_t iters[NJOBS];  /* calls per cell, from the calibration round */
    double ns[NJOBS][MAX_ROUNDS]; /* ns per call, one sample per round */
    double settle_ms;       /* summed idle waits after its cells */
    int omp_threads;        /* team size peer_omp reported */
} contender;

typedef struct bench_results {
    contender c[NC];
    int rounds;             /* rounds in the samples (the quiet ones if only_quiet) */
    int done, quiet, only_quiet;
    double warm_ms[MAX_ROUNDS];   /* warm(1) until the worker had joined 32 jobs */
    double pingpong[MAX_ROUNDS];  /* ns per spin round trip */
    double foreign[MAX_ROUNDS];   /* % of the CPUs other processes used, every round */
    double steal_ms, total_s;
    double same_cpu[2][MAX_ROUNDS]; /* cold, warm: % of the worker's chunks that ran on the
                                       caller's CPU */
    warmpool_stats stats[2][NJOBS]; /* ours cold / warm, summed over all rounds */
    int failed;             /* cells with items not done exactly once */
} bench_results;

void bench_report(const bench_results *r);

/* pool_bench_rows.c: fine grains vs pthreadpool, with_thread vs plain, cold after idle
   with its breakdown. smoke: a few checked calls of each instead. 0, or 1 on failure. */
int bench_rows(int smoke);

/* peer_omp_run.c: runs the OpenMP child with `policy` as OMP_WAIT_POLICY. */
typedef struct omp_result {
    uint64_t iters[NJOBS];
    bench_cell cell[NJOBS];
    int threads;  /* OpenMP team size */
    int got;      /* jobs reported */
} omp_result;
int run_omp(const char *exe, const char *policy, char *const args[], omp_result *r);

#endif
