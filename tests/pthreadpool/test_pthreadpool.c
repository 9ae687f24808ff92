/* test_pthreadpool.c - what pthreadpool's own suite (test/pthreadpool.cc) does not cover:
 * the _dynamic variants, the entry points that cannot be honoured, DISABLE_DENORMALS,
 * create's thread count and readiness, nested and concurrent calls, an item waiting for
 * the others while the workers sleep. */
#include "compat/pthreadpool.h"
#include "warmpool.h"
#include "harness/runner.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* --- the dynamic variants: every item once, calls on tile boundaries, tiles merged */
#define DMAX 4
struct rec {
    size_t range[DMAX], tile[DMAX];
    unsigned dims, dyn;  /* dynamic (trailing) dimensions */
    _Atomic unsigned char hits[64 * 64 * 8 * 8];
    atomic_int calls, bad, bad_thread, bad_uarch;
    size_t threads;
};

static void record(struct rec *r, const size_t *s, const size_t *c) {
    atomic_fetch_add(&r->calls, 1);
    size_t lo[DMAX], n[DMAX];
    for (unsigned d = 0; d < r->dims; d++) {
        lo[d] = s[d];
        n[d] = d + r->dyn >= r->dims ? c[d - (r->dims - r->dyn)] : 1;
        if (d + r->dyn >= r->dims) {
            if (lo[d] % r->tile[d] || !n[d] || lo[d] + n[d] > r->range[d] ||
                (n[d] % r->tile[d] && lo[d] + n[d] != r->range[d]))
                atomic_fetch_add(&r->bad, 1);
        } else if (lo[d] >= r->range[d]) atomic_fetch_add(&r->bad, 1);
    }
    size_t idx[DMAX] = {0};
    for (;;) {
        size_t f = 0;
        for (unsigned d = 0; d < r->dims; d++) f = f * r->range[d] + lo[d] + idx[d];
        atomic_fetch_add(&r->hits[f], 1);
        unsigned d = r->dims;
        while (d-- > 0) {
            if (++idx[d] < n[d]) break;
            idx[d] = 0;
        }
        if (d == (unsigned)-1) break;
    }
}
static void thr(struct rec *r, size_t t) { if (t >= r->threads) atomic_fetch_add(&r->bad_thread, 1); }
static void ua(struct rec *r, uint32_t u) { if (u != 7) atomic_fetch_add(&r->bad_uarch, 1); }

static void d1(void *c, size_t i, size_t n) { record(c, (size_t[]){i}, (size_t[]){n}); }
static void d1t(void *c, uint32_t t, size_t i, size_t n) { thr(c, t); d1(c, i, n); }
static void d1ut(void *c, uint32_t u, size_t t, size_t i, size_t n) { ua(c, u); thr(c, t); d1(c, i, n); }
static void d2t1(void *c, size_t i, size_t j, size_t n) { record(c, (size_t[]){i, j}, (size_t[]){n}); }
static void d2t1t(void *c, uint32_t t, size_t i, size_t j, size_t n) { thr(c, t); d2t1(c, i, j, n); }
static void d2t1ut(void *c, uint32_t u, size_t t, size_t i, size_t j, size_t n) {
    ua(c, u); thr(c, t); d2t1(c, i, j, n);
}
static void d2t2(void *c, size_t i, size_t j, size_t ni, size_t nj) {
    record(c, (size_t[]){i, j}, (size_t[]){ni, nj});
}
static void d2t2id(void *c, uint32_t id, size_t i, size_t j, size_t ni, size_t nj) {
    struct rec *r = c;
    if (r->threads) thr(c, id); else ua(c, id);
    d2t2(c, i, j, ni, nj);
}
static void d3t1(void *c, size_t i, size_t j, size_t k, size_t n) {
    record(c, (size_t[]){i, j, k}, (size_t[]){n});
}
static void d3t1t(void *c, uint32_t t, size_t i, size_t j, size_t k, size_t n) { thr(c, t); d3t1(c, i, j, k, n); }
static void d3t1ut(void *c, uint32_t u, size_t t, size_t i, size_t j, size_t k, size_t n) {
    ua(c, u); thr(c, t); d3t1(c, i, j, k, n);
}
static void d3t2(void *c, size_t i, size_t j, size_t k, size_t nj, size_t nk) {
    record(c, (size_t[]){i, j, k}, (size_t[]){nj, nk});
}
static void d3t2id(void *c, uint32_t id, size_t i, size_t j, size_t k, size_t nj, size_t nk) {
    struct rec *r = c;
    if (r->threads) thr(c, id); else ua(c, id);
    d3t2(c, i, j, k, nj, nk);
}
static void d4t2(void *c, size_t i, size_t j, size_t k, size_t l, size_t nk, size_t nl) {
    record(c, (size_t[]){i, j, k, l}, (size_t[]){nk, nl});
}
static void d4t2u(void *c, uint32_t u, size_t i, size_t j, size_t k, size_t l, size_t nk, size_t nl) {
    ua(c, u); d4t2(c, i, j, k, l, nk, nl);
}

static struct rec R;
static void setup(unsigned dims, unsigned dyn, const size_t *range, const size_t *tile, size_t threads) {
    memset(&R, 0, sizeof R);
    R.dims = dims;
    R.dyn = dyn;
    R.threads = threads;
    for (unsigned d = 0; d < dims; d++) { R.range[d] = range[d]; R.tile[d] = d + dyn >= dims ? tile[d] : 1; }
}
/* Every item exactly once, calls well-formed; returns the number of tiles. */
static size_t verify(const char *what) {
    size_t items = 1, tiles = 1;
    for (unsigned d = 0; d < R.dims; d++) {
        items *= R.range[d];
        tiles *= (R.range[d] + R.tile[d] - 1) / R.tile[d];
    }
    size_t wrong = 0;
    for (size_t f = 0; f < items; f++) wrong += R.hits[f] != 1;
    if (wrong || R.bad || R.bad_thread || R.bad_uarch) {
        fprintf(stderr, "%s: %zu items not done once, %d bad calls, %d bad thread, %d bad uarch\n",
                what, wrong, R.bad, R.bad_thread, R.bad_uarch);
        test_fail(__FILE__, __LINE__, what);
    }
    return tiles;
}

TEST(dynamic_variants_cover_the_grid_in_whole_tiles) {
    pthreadpool_t p = pthreadpool_create(3);
    REQUIRE(p);
    for (int pass = 0; pass < 2; pass++) {
        pthreadpool_t q = pass ? p : NULL; /* NULL: serial on the caller, same contract */
        size_t th = pthreadpool_get_threads_count(q);
        const size_t r1[] = {1000}, t1[] = {7};
        setup(1, 1, r1, t1, 0);
        pthreadpool_parallelize_1d_tile_1d_dynamic(q, d1, &R, 1000, 7, 0);
        size_t tiles = verify("1d_tile_1d_dynamic");
        if (q) CHECK(R.calls < (int)tiles / 4); /* tiles merged */
        setup(1, 1, r1, t1, th);
        pthreadpool_parallelize_1d_tile_1d_dynamic_with_thread(q, d1t, &R, 1000, 7, 0);
        verify("1d_tile_1d_dynamic_with_thread");
        setup(1, 1, r1, t1, th);
        pthreadpool_parallelize_1d_tile_1d_dynamic_with_uarch_with_thread(q, d1ut, &R, 7, 9, 1000, 7, 0);
        verify("1d_tile_1d_dynamic_with_uarch_with_thread");

        const size_t r2[] = {13, 59}, t2[] = {4, 5};
        setup(2, 1, r2, t2, 0);
        pthreadpool_parallelize_2d_tile_1d_dynamic(q, d2t1, &R, 13, 59, 5, 0);
        tiles = verify("2d_tile_1d_dynamic");
        if (q) CHECK(R.calls < (int)tiles);
        setup(2, 1, r2, t2, th);
        pthreadpool_parallelize_2d_tile_1d_dynamic_with_thread(q, d2t1t, &R, 13, 59, 5, 0);
        verify("2d_tile_1d_dynamic_with_thread");
        setup(2, 1, r2, t2, th);
        pthreadpool_parallelize_2d_tile_1d_dynamic_with_uarch_with_thread(q, d2t1ut, &R, 7, 9, 13, 59, 5, 0);
        verify("2d_tile_1d_dynamic_with_uarch_with_thread");

        const size_t r22[] = {61, 37}, t22[] = {4, 3};
        setup(2, 2, r22, t22, 0);
        pthreadpool_parallelize_2d_tile_2d_dynamic(q, d2t2, &R, 61, 37, 4, 3, 0);
        tiles = verify("2d_tile_2d_dynamic");
        if (q) CHECK(R.calls < (int)tiles / 4);
        setup(2, 2, r22, t22, 0);
        pthreadpool_parallelize_2d_tile_2d_dynamic_with_uarch(q, d2t2id, &R, 7, 9, 61, 37, 4, 3, 0);
        verify("2d_tile_2d_dynamic_with_uarch");
        setup(2, 2, r22, t22, th);
        pthreadpool_parallelize_2d_tile_2d_dynamic_with_thread(q, d2t2id, &R, 61, 37, 4, 3, 0);
        verify("2d_tile_2d_dynamic_with_thread");

        const size_t r3[] = {5, 7, 41}, t3[] = {1, 2, 6};
        setup(3, 1, r3, t3, 0);
        pthreadpool_parallelize_3d_tile_1d_dynamic(q, d3t1, &R, 5, 7, 41, 6, 0);
        verify("3d_tile_1d_dynamic");
        setup(3, 1, r3, t3, th);
        pthreadpool_parallelize_3d_tile_1d_dynamic_with_thread(q, d3t1t, &R, 5, 7, 41, 6, 0);
        verify("3d_tile_1d_dynamic_with_thread");
        setup(3, 1, r3, t3, th);
        pthreadpool_parallelize_3d_tile_1d_dynamic_with_uarch_with_thread(q, d3t1ut, &R, 7, 9, 5, 7, 41, 6, 0);
        verify("3d_tile_1d_dynamic_with_uarch_with_thread");
        setup(3, 2, r3, t3, 0);
        pthreadpool_parallelize_3d_tile_2d_dynamic(q, d3t2, &R, 5, 7, 41, 2, 6, 0);
        verify("3d_tile_2d_dynamic");
        setup(3, 2, r3, t3, 0);
        pthreadpool_parallelize_3d_tile_2d_dynamic_with_uarch(q, d3t2id, &R, 7, 9, 5, 7, 41, 2, 6, 0);
        verify("3d_tile_2d_dynamic_with_uarch");
        setup(3, 2, r3, t3, th);
        pthreadpool_parallelize_3d_tile_2d_dynamic_with_thread(q, d3t2id, &R, 5, 7, 41, 2, 6, 0);
        verify("3d_tile_2d_dynamic_with_thread");

        const size_t r4[] = {3, 4, 17, 23}, t4[] = {1, 1, 4, 5};
        setup(4, 2, r4, t4, 0);
        pthreadpool_parallelize_4d_tile_2d_dynamic(q, d4t2, &R, 3, 4, 17, 23, 4, 5, 0);
        verify("4d_tile_2d_dynamic");
        setup(4, 2, r4, t4, 0);
        pthreadpool_parallelize_4d_tile_2d_dynamic_with_uarch(q, d4t2u, &R, 7, 9, 3, 4, 17, 23, 4, 5, 0);
        verify("4d_tile_2d_dynamic_with_uarch");
    }
    pthreadpool_destroy(p);
}

/* --- what cannot be honoured says so */
TEST(unsupported_entry_points_fail_clearly) {
    pthreadpool_t p = pthreadpool_create(2);
    REQUIRE(p);
    errno = 0;
    CHECK_EQ_U(pthreadpool_set_threads_count(p, 1), 2);
    CHECK(errno == ENOTSUP);
    errno = 0;
    CHECK_EQ_U(pthreadpool_set_threads_count(p, 0), 2);
    CHECK_EQ_U(pthreadpool_set_threads_count(p, 2), 2);
    CHECK(errno == 0);
    struct pthreadpool_executor ex = {0};
    errno = 0;
    CHECK(pthreadpool_create_v2(&ex, NULL, 2) == NULL);
    CHECK(errno == ENOTSUP);
    errno = 0;
    CHECK(!pthreadpool_update_executor(p, &ex, NULL));
    CHECK(errno == ENOTSUP);
    pthreadpool_release_executor_threads(p);
    pthreadpool_destroy(p);
}

/* --- create */
TEST(create_counts_threads_and_waits_for_workers) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    pthreadpool_t p = pthreadpool_create(0);
    REQUIRE(p);
    CHECK_EQ_U(pthreadpool_get_threads_count(p), cpus > WARMPOOL_MAX_WORKERS ? WARMPOOL_MAX_WORKERS + 1 : cpus);
    pthreadpool_destroy(p);
    p = pthreadpool_create(4);
    REQUIRE(p);
    CHECK_EQ_U(pthreadpool_get_threads_count(p), 4);
    /* ready as soon as create returns: a first job's items may wait on each other */
    CHECK_EQ_U(warmpool_ready(warmpool_of_pthreadpool(p)), 3);
    pthreadpool_destroy(p);
    p = pthreadpool_create(1);
    REQUIRE(p);
    CHECK_EQ_U(pthreadpool_get_threads_count(p), 1);
    CHECK_EQ_U(warmpool_workers(warmpool_of_pthreadpool(p)), 0);
    pthreadpool_destroy(p);
    CHECK_EQ_U(pthreadpool_get_threads_count(NULL), 1);
    CHECK(warmpool_of_pthreadpool(NULL) == NULL);
    errno = 0;
    CHECK(pthreadpool_create(WARMPOOL_MAX_WORKERS + 2) == NULL);
    CHECK(errno == EINVAL);
    pthreadpool_destroy(NULL);
}

static atomic_int zero_calls;
static void count_call(void *c, size_t i) { (void)c, (void)i; atomic_fetch_add(&zero_calls, 1); }
static void count_call2(void *c, size_t i, size_t j, size_t ti, size_t tj) { (void)c, (void)i, (void)j, (void)ti, (void)tj; atomic_fetch_add(&zero_calls, 1); }
TEST(empty_ranges_and_zero_tiles) {
    pthreadpool_t p = pthreadpool_create(2);
    REQUIRE(p);
    atomic_store(&zero_calls, 0);
    pthreadpool_parallelize_1d(p, count_call, NULL, 0, 0);
    pthreadpool_parallelize_2d_tile_2d(p, count_call2, NULL, 5, 0, 1, 1, 0);
    CHECK_EQ_U(atomic_load(&zero_calls), 0);
    pthreadpool_parallelize_2d_tile_2d(p, count_call2, NULL, 5, 3, 0, 0, 0); /* tile 0 = 1 */
    CHECK_EQ_U(atomic_load(&zero_calls), 15);
    pthreadpool_destroy(p);
}

/* --- DISABLE_DENORMALS: 1e-20f * 1e-20f is a denormal, 0 under flush-to-zero */
static volatile float tiny = 1e-20f;
static _Atomic unsigned denormal_seen, flushed_seen;
static void denormal_item(void *c, size_t i) {
    (void)c, (void)i;
    float v = tiny * tiny;
    atomic_fetch_add(v == 0.0f ? &flushed_seen : &denormal_seen, 1);
}
TEST(disable_denormals_flag_on_every_thread_and_restored) {
    pthreadpool_t p = pthreadpool_create(2);
    REQUIRE(p);
    for (int pass = 0; pass < 2; pass++) {
        pthreadpool_t q = pass ? p : NULL;
        atomic_store(&denormal_seen, 0);
        atomic_store(&flushed_seen, 0);
        pthreadpool_parallelize_1d(q, denormal_item, NULL, 2000, PTHREADPOOL_FLAG_DISABLE_DENORMALS);
#if defined(__SSE__)
        CHECK_EQ_U(atomic_load(&flushed_seen), 2000);
#else
        CHECK_EQ_U(atomic_load(&denormal_seen), 2000); /* no such mode: a no-op */
#endif
        atomic_store(&denormal_seen, 0);
        pthreadpool_parallelize_1d(q, denormal_item, NULL, 2000, 0);
        CHECK_EQ_U(atomic_load(&denormal_seen), 2000); /* restored on caller and workers */
        CHECK(tiny * tiny != 0.0f);
    }
    pthreadpool_destroy(p);
}

/* --- nested and concurrent calls run serially and see thread 0 */
struct nest { pthreadpool_t p; atomic_int inner_done, inner_nonzero, outer_threads_bad; };
static void inner_item(void *c, size_t t, size_t i) {
    struct nest *n = c;
    (void)i;
    if (t) atomic_fetch_add(&n->inner_nonzero, 1);
    atomic_fetch_add(&n->inner_done, 1);
}
static void outer_item(void *c, size_t t, size_t i) {
    struct nest *n = c;
    (void)i;
    if (t >= 2) atomic_fetch_add(&n->outer_threads_bad, 1);
    pthreadpool_parallelize_1d_with_thread(n->p, inner_item, n, 10, 0);
}
TEST(nested_calls_run_serially_with_thread_zero) {
    struct nest n = {.p = pthreadpool_create(2)};
    REQUIRE(n.p);
    pthreadpool_parallelize_1d_with_thread(n.p, outer_item, &n, 50, 0);
    CHECK_EQ_U(atomic_load(&n.inner_done), 500);
    CHECK_EQ_U(atomic_load(&n.inner_nonzero), 0);
    CHECK_EQ_U(atomic_load(&n.outer_threads_bad), 0);
    warmpool_stats st;
    CHECK(!warmpool_get_stats(warmpool_of_pthreadpool(n.p), &st, sizeof st));
    CHECK_EQ_U(st.jobs_serial_nested, 50);
    pthreadpool_destroy(n.p);
}

/* The first call's item 0 holds the pool until a second thread's call has finished. */
struct conc { pthreadpool_t p; atomic_int started, second_done, second_nonzero, items; };
static void second_item(void *c, size_t t, size_t i) {
    struct conc *k = c;
    (void)i;
    if (t) atomic_fetch_add(&k->second_nonzero, 1);
    atomic_fetch_add(&k->items, 1);
}
static void *second_caller(void *c) {
    struct conc *k = c;
    while (!atomic_load(&k->started)) {}
    pthreadpool_parallelize_1d_with_thread(k->p, second_item, k, 100, 0);
    atomic_store(&k->second_done, 1);
    return NULL;
}
static void holding_item(void *c, size_t i) {
    struct conc *k = c;
    if (i) return;
    atomic_store(&k->started, 1);
    for (long spin = 0; !atomic_load(&k->second_done) && spin < 2000000000L; spin++) {}
}
TEST(concurrent_calls_run_serially_with_thread_zero) {
    struct conc k = {.p = pthreadpool_create(2)};
    REQUIRE(k.p);
    pthread_t t;
    REQUIRE(!pthread_create(&t, NULL, second_caller, &k));
    pthreadpool_parallelize_1d(k.p, holding_item, &k, 10, 0);
    pthread_join(t, NULL);
    CHECK(atomic_load(&k.second_done));
    CHECK_EQ_U(atomic_load(&k.items), 100);
    CHECK_EQ_U(atomic_load(&k.second_nonzero), 0);
    warmpool_stats st;
    CHECK(!warmpool_get_stats(warmpool_of_pthreadpool(k.p), &st, sizeof st));
    CHECK_EQ_U(st.jobs_serial_concurrent, 1);
    pthreadpool_destroy(k.p);
}

/* --- pthreadpool's work stealing when the workers were asleep: item 0 waits (up to 3 s)
   for every other item, right after a short call found the workers asleep (when a pool
   would rather not wake them). Static calls of each kind: 1d, 1d_with_thread, 2d tiles. */
struct steal { size_t n; atomic_size_t done; atomic_int saw_all; };
static void nap_ms(long ms) {
    struct timespec t = {0, ms * 1000000};
    nanosleep(&t, NULL);
}
static void steal_item(struct steal *s, size_t i) {
    if (i) { atomic_fetch_add(&s->done, 1); return; }
    for (int k = 0; k < 30000 && atomic_load(&s->done) < s->n - 1; k++) {
        struct timespec t = {0, 100000};
        nanosleep(&t, NULL);
    }
    atomic_store(&s->saw_all, atomic_load(&s->done) == s->n - 1);
}
static void steal_1d(void *c, size_t i) { steal_item(c, i); }
static void steal_1d_t(void *c, size_t t, size_t i) { (void)t; steal_item(c, i); }
static void steal_2d(void *c, size_t i, size_t j, size_t ti, size_t tj) {
    (void)ti, (void)tj;
    steal_item(c, i * 40 + j);
}
static void short_item(void *c, size_t i) { (void)c, (void)i; }

TEST(an_item_waits_for_the_others_after_the_workers_slept) {
    pthreadpool_t p = pthreadpool_create(3);
    REQUIRE(p);
    for (int kind = 0; kind < 3; kind++) {
        nap_ms(5);
        pthreadpool_parallelize_1d(p, short_item, NULL, 3, 0);
        nap_ms(5);
        struct steal s = {kind == 2 ? 40 * 40 : 601, 0, 0};
        if (kind == 0) pthreadpool_parallelize_1d(p, steal_1d, &s, s.n, 0);
        else if (kind == 1) pthreadpool_parallelize_1d_with_thread(p, steal_1d_t, &s, s.n, 0);
        else pthreadpool_parallelize_2d_tile_2d(p, steal_2d, &s, 40, 40, 1, 1, 0);
        if (!atomic_load(&s.saw_all)) {
            static const char *names[] = {"1d", "1d_with_thread", "2d_tile_2d"};
            test_fail(__FILE__, __LINE__, names[kind]);
        }
    }
    pthreadpool_destroy(p);
}
