/* xnnpack_ops.c - runs Debian's libXNNPACK through four operators (3x3 convolution,
 * depthwise 3x3 convolution, fully connected, sigmoid) on a 1-thread pool and on an
 * N-thread pool, and checks the outputs are byte-identical. It links whatever
 * libpthreadpool.so.0 the loader finds (LD_LIBRARY_PATH): ours or Debian's.
 *
 *   xnnpack_ops [--threads N] [--bench ROUNDS]
 * Prints CHECK lines, "library: warmpool" when our layer is the one loaded (then also
 * that the N-thread pool ran jobs on its workers), "digest: HEX" of the outputs, and
 * with --bench "bench: conv3x3 NS" (best of ROUNDS runs of the convolution, N threads).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xnnpack.h>

#include "warmpool.h"

#define H 48
#define W 48
#define CIN 32
#define COUT 32
#define FC_BATCH 64
#define FC_IN 256
#define FC_OUT 192
#define SIG_N (64 * 1024)

static int failures;
static void check(int ok, const char *what) {
    printf("CHECK %s %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) failures++;
}

static float *filled(size_t n, uint32_t seed) {
    float *x = malloc(n * sizeof *x + XNN_EXTRA_BYTES);
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        x[i] = (float)((int32_t)(seed >> 8) % 2001 - 1000) / 1000.0f;
    }
    return x;
}

struct net {
    xnn_operator_t conv, dw, fc, sig;
    float *conv_in, *conv_w, *conv_b, *conv_out, *dw_w, *dw_b, *dw_out;
    float *fc_in, *fc_w, *fc_b, *fc_out, *sig_in, *sig_out;
};

static int make_net(struct net *n) {
    n->conv_in = filled(H * W * CIN, 1);
    n->conv_w = filled(COUT * 9 * CIN, 2);
    n->conv_b = filled(COUT, 3);
    n->dw_w = filled(9 * COUT, 4);
    n->dw_b = filled(COUT, 5);
    n->fc_in = filled(FC_BATCH * FC_IN, 6);
    n->fc_w = filled(FC_OUT * FC_IN, 7);
    n->fc_b = filled(FC_OUT, 8);
    n->sig_in = filled(SIG_N, 9);
    n->conv_out = calloc(H * W * COUT + 16, sizeof(float));
    n->dw_out = calloc(H * W * COUT + 16, sizeof(float));
    n->fc_out = calloc(FC_BATCH * FC_OUT + 16, sizeof(float));
    n->sig_out = calloc(SIG_N + 16, sizeof(float));
    return xnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, CIN, COUT, CIN, COUT,
                                             n->conv_w, n->conv_b, -INFINITY, INFINITY, 0,
                                             &n->conv) == xnn_status_success &&
           xnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, COUT, 1, 1, COUT, COUT,
                                             n->dw_w, n->dw_b, -INFINITY, INFINITY,
                                             XNN_FLAG_DEPTHWISE_CONVOLUTION,
                                             &n->dw) == xnn_status_success &&
           xnn_create_fully_connected_nc_f32(FC_IN, FC_OUT, FC_IN, FC_OUT, n->fc_w, n->fc_b,
                                             -INFINITY, INFINITY, 0, &n->fc) == xnn_status_success &&
           xnn_create_sigmoid_nc_f32(1, 1, 1, 0, &n->sig) == xnn_status_success;
}

static int run_net(struct net *n, pthreadpool_t pool) {
    memset(n->conv_out, 0, H * W * COUT * sizeof(float));
    memset(n->dw_out, 0, H * W * COUT * sizeof(float));
    memset(n->fc_out, 0, FC_BATCH * FC_OUT * sizeof(float));
    memset(n->sig_out, 0, SIG_N * sizeof(float));
    return xnn_setup_convolution2d_nhwc_f32(n->conv, 1, H, W, n->conv_in, n->conv_out, pool) ==
               xnn_status_success &&
           xnn_run_operator(n->conv, pool) == xnn_status_success &&
           xnn_setup_convolution2d_nhwc_f32(n->dw, 1, H, W, n->conv_out, n->dw_out, pool) ==
               xnn_status_success &&
           xnn_run_operator(n->dw, pool) == xnn_status_success &&
           xnn_setup_fully_connected_nc_f32(n->fc, FC_BATCH, n->fc_in, n->fc_out, pool) ==
               xnn_status_success &&
           xnn_run_operator(n->fc, pool) == xnn_status_success &&
           xnn_setup_sigmoid_nc_f32(n->sig, SIG_N, n->sig_in, n->sig_out, pool) ==
               xnn_status_success &&
           xnn_run_operator(n->sig, pool) == xnn_status_success;
}

/* The outputs, concatenated: what both runs must agree on byte for byte. */
static unsigned char *outputs(const struct net *n, size_t *size) {
    const size_t a = H * W * COUT * 4, b = FC_BATCH * FC_OUT * 4, c = SIG_N * 4;
    unsigned char *o = malloc(2 * a + b + c);
    memcpy(o, n->conv_out, a);
    memcpy(o + a, n->dw_out, a);
    memcpy(o + 2 * a, n->fc_out, b);
    memcpy(o + 2 * a + b, n->sig_out, c);
    *size = 2 * a + b + c;
    return o;
}

static uint64_t fnv(const unsigned char *p, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
    size_t threads = 2;
    int rounds = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--bench")) rounds = atoi(argv[i + 1]);
    }
    /* Only our layer has it: tells which libpthreadpool.so.0 the loader picked. */
    warmpool *(*of_pool)(pthreadpool_t) =
        (warmpool * (*)(pthreadpool_t)) dlsym(RTLD_DEFAULT, "warmpool_of_pthreadpool");
    int (*get_stats)(const warmpool *, warmpool_stats *, size_t) =
        (int (*)(const warmpool *, warmpool_stats *, size_t))dlsym(RTLD_DEFAULT, "warmpool_get_stats");
    printf("library: %s\n", of_pool ? "warmpool" : "other");
    if (xnn_initialize(NULL) != xnn_status_success) { check(0, "xnn_initialize"); return 1; }
    struct net n;
    check(make_net(&n), "operators created");

    pthreadpool_t one = pthreadpool_create(1), many = pthreadpool_create(threads);
    check(one && many, "pools created");
    check(pthreadpool_get_threads_count(many) == threads, "N-thread pool has N threads");
    size_t size;
    check(run_net(&n, one), "1-thread run");
    unsigned char *ref = outputs(&n, &size);
    /* Several runs: each must match, and on a loaded machine a worker may wake too late
       to take part in a given job (the caller does not wait for it). */
    int runs_ok = 1, same = 1;
    for (int r = 0; r < 10; r++) {
        runs_ok &= run_net(&n, many);
        unsigned char *got = outputs(&n, &size);
        same &= !memcmp(ref, got, size);
        free(got);
    }
    check(runs_ok, "N-thread runs");
    check(same, "N-thread outputs byte-identical to the 1-thread run");
    float lo = 1, hi = 0;
    for (size_t i = 0; i < SIG_N; i++) {
        if (n.sig_out[i] < lo) lo = n.sig_out[i];
        if (n.sig_out[i] > hi) hi = n.sig_out[i];
    }
    check(lo > 0.2f && hi < 0.8f && hi > lo, "sigmoid outputs in range (the run did work)");
    if (of_pool && get_stats) {
        warmpool_stats st;
        check(!get_stats(of_pool(many), &st, sizeof st), "stats of the N-thread pool");
        check(st.jobs_parallel > 0 && st.items_workers > 0, "XNNPACK's jobs ran on the pool's workers");
    }
    printf("digest: %016llx\n", (unsigned long long)fnv(ref, size));

    if (rounds > 0) {
        double best = 1e30;
        for (int r = 0; r < rounds; r++) {
            double t0 = now_ns();
            xnn_run_operator(n.conv, many);
            double t = now_ns() - t0;
            if (t < best) best = t;
        }
        printf("bench: conv3x3 %.0f\n", best);
    }
    pthreadpool_destroy(one);
    pthreadpool_destroy(many);
    printf("RESULT %s\n", failures ? "FAIL" : "ok");
    return failures ? 1 : 0;
}
