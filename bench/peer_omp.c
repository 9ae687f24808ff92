/* peer_omp.c - the OpenMP peer (gcc libgomp), run by pool_bench as a child process,
   because libgomp reads OMP_WAIT_POLICY once at start-up.
     peer_omp bench TARGET_MS FIRST_JOB ITERS0 ITERS1 ITERS2   (ITERS 0: calibrate)
     peer_omp smoke CALLS
   prints one line per job: "job J iters N ns X bad B threads T". */
#include "bench.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static int team_size;

static void omp_call(void *st, int job, bench_data *d) {
    (void)st;
    const size_t n = bench_job_n[job];
    if (job == JOB_EMPTY) {
        uint32_t *slot = d->slot;
#pragma omp parallel for num_threads(2) schedule(static)
        for (size_t i = 0; i < n; i++)
            slot[i * BENCH_SLOT_STRIDE]++;
    } else {
        float *x = d->x[job];
        const float a = d->a, b = d->b;
#pragma omp parallel for num_threads(2) schedule(static)
        for (size_t i = 0; i < n; i++)
            x[i] = x[i] * a + b;
    }
}

int main(int argc, char **argv) {
    bench_data d;
    if (argc < 3 || bench_data_init(&d)) {
        fprintf(stderr, "usage: peer_omp bench MS FIRST I0 I1 I2 | peer_omp smoke CALLS\n");
        return 2;
    }
#pragma omp parallel num_threads(2)
    {
#pragma omp single
        team_size = omp_get_num_threads();
    }
    int smoke = argv[1][0] == 's';
    if (smoke) {
        unsigned calls = (unsigned)atoi(argv[2]);
        for (int j = 0; j < NJOBS; j++)
            printf("job %d iters %u ns 0 bad %zu threads %d\n", j, calls,
                   bench_smoke(omp_call, NULL, j, &d, calls), team_size);
    } else {
        if (argc < 4 + NJOBS)
            return 2;
        double ms = atof(argv[2]);
        int first = atoi(argv[3]);
        for (int k = 0; k < NJOBS; k++) {
            int j = (first + k) % NJOBS;
            uint64_t iters = strtoull(argv[4 + j], NULL, 10);
            if (iters)
                bench_warm_for(omp_call, NULL, j, &d, 10);
            else
                iters = bench_calibrate(omp_call, NULL, j, &d, ms);
            bench_cell c = bench_measure(omp_call, NULL, j, &d, iters);
            printf("job %d iters %llu ns %.3f bad %zu threads %d\n", j,
                   (unsigned long long)iters, c.ns_per_call, c.bad_items, team_size);
        }
    }
    bench_data_free(&d);
    return 0;
}
