/* The native demo: real jobs on the pool, timed against a serial loop, with the pool's
   stats so you can see who did the work. */
#include "warmpool.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { W = 1024, H = 768, ITER = 256 };

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Mandelbrot rows: uneven work per row, which dynamic chunking balances. */
static void mandel_rows(void *ctx, size_t y0, size_t y1) {
    uint8_t *img = ctx;
    for (size_t y = y0; y < y1; y++)
        for (size_t x = 0; x < W; x++) {
            double cr = -2.2 + 3.0 * x / W, ci = -1.2 + 2.4 * y / H, zr = 0, zi = 0;
            int i = 0;
            while (i < ITER && zr * zr + zi * zi < 4) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                i++;
            }
            img[y * W + x] = (uint8_t)i;
        }
}

/* Many small jobs: what an interactive app does on every pointer move. */
struct small { float *v; size_t n; };
static void scale_chunk(void *ctx, size_t b, size_t e) {
    struct small *s = ctx;
    for (size_t i = b; i < e; i++) s->v[i] = s->v[i] * 0.999f + 0.001f;
}

static double time_job(warmpool *p, int reps, void (*job)(warmpool *, void *), void *arg) {
    double best = 1e30;
    for (int r = 0; r < reps; r++) {
        double t0 = now_ms();
        job(p, arg);
        double t = now_ms() - t0;
        if (t < best) best = t;
    }
    return best;
}
static void mandel_job(warmpool *p, void *img) { warmpool_parallel_for(p, 0, H, 1, mandel_rows, img); }
static void small_job(warmpool *p, void *s) {
    struct small *sm = s;
    warmpool_parallel_for(p, 0, sm->n, 0, scale_chunk, sm);
}

static void print_stats(warmpool *p) {
    warmpool_stats st;
    if (warmpool_get_stats(p, &st, sizeof st)) return;
    printf("    stats: %llu parallel jobs, serial (not ready %llu, tiny %llu, nested %llu, "
           "concurrent %llu); items caller %llu / workers %llu; futex wakes %llu\n",
           (unsigned long long)st.jobs_parallel, (unsigned long long)st.jobs_serial_not_ready,
           (unsigned long long)st.jobs_serial_tiny, (unsigned long long)st.jobs_serial_nested,
           (unsigned long long)st.jobs_serial_concurrent, (unsigned long long)st.items_caller,
           (unsigned long long)st.items_workers, (unsigned long long)st.futex_wakes);
}

int main(int argc, char **argv) {
    unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    warmpool *pool = warmpool_create(workers);
    if (!pool) { fprintf(stderr, "warmpool_create: %s\n", strerror(errno)); return 1; }
    /* A job submitted this early runs serially: the workers may not be up yet. */
    uint8_t *img = malloc((size_t)W * H), *ref = malloc((size_t)W * H);
    mandel_job(pool, img);
    if (warmpool_wait_ready(pool, 5000)) { fprintf(stderr, "workers did not start\n"); return 1; }
    printf("warmpool demo: %u worker(s) + the caller\n", warmpool_workers(pool));

    double serial = time_job(NULL, 3, mandel_job, ref);
    double cold = time_job(pool, 3, mandel_job, img);
    int same = memcmp(img, ref, (size_t)W * H) == 0;
    printf("  mandelbrot %dx%d: serial %.2f ms, pool %.2f ms (x%.2f), image %s\n", W, H,
           serial, cold, serial / cold, same ? "identical" : "DIFFERS");
    if (argc > 2) { /* one line of make demo's closing summary */
        FILE *f = fopen(argv[2], "w");
        if (!f) { fprintf(stderr, "%s: %s\n", argv[2], strerror(errno)); return 1; }
        fprintf(f, "{\"runtime\": \"C (native)\", \"job\": \"mandelbrot %dx%d\", \"workers\": %u, "
                "\"serial_ms\": %.3f, \"pool_ms\": %.3f, \"identical\": %s}\n", W, H,
                warmpool_workers(pool), serial, cold, same ? "true" : "false");
        fclose(f);
    }

    struct small s = {calloc(20000, sizeof(float)), 20000};
    double ser = 0, c = 0, w = 0;
    enum { MOVES = 300 };
    for (int i = 0; i < MOVES; i++) ser += time_job(NULL, 1, small_job, &s);
    for (int i = 0; i < MOVES; i++) c += time_job(pool, 1, small_job, &s);
    warmpool_warm(pool, 1); /* pointer-down */
    for (int i = 0; i < MOVES; i++) w += time_job(pool, 1, small_job, &s);
    warmpool_warm(pool, 0); /* pointer-up */
    printf("  %d small jobs of 20000 items: serial %.1f us, cold pool %.1f us, warm pool %.1f us "
           "per job\n", MOVES, ser * 1e3 / MOVES, c * 1e3 / MOVES, w * 1e3 / MOVES);
    print_stats(pool);
    warmpool_destroy(pool);
    free(img); free(ref); free(s.v);
    return same ? 0 : 1;
}
