/* Property tests of the pool: every item exactly once, in bounds, for every worker count,
   grain, range and mode, plus the contract around readiness, nesting, concurrency,
   warm/cool, failures and destroy. */
#include "harness/runner.h"
#include "warmpool.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

static const unsigned WORKER_COUNTS[] = {0, 1, 2, 3, 7};
#define NWC (sizeof WORKER_COUNTS / sizeof WORKER_COUNTS[0])
static const size_t PRIMES[] = {1, 2, 3, 5, 7, 11, 13, 31, 61, 127, 257, 1009, 4099, 65537};
#define NPRIMES (sizeof PRIMES / sizeof PRIMES[0])

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms) {
    struct timespec ts = {(time_t)(ms / 1e3), (long)((ms - (time_t)(ms / 1e3) * 1e3) * 1e6)};
    nanosleep(&ts, NULL);
}

/* pthread_create that fails on purpose, or whose threads start only once the test lets
   them (as Web Workers start only after the JS event loop turns): the test link wraps
   the real one. */
int __real_pthread_create(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static _Atomic int creates_allowed = -1; /* < 0: no limit */
static _Atomic int hold_starts;          /* new threads wait for `starts_open` */
static _Atomic int starts_open, held_threads_done;
struct held { void *(*f)(void *); void *arg; };
static void *held_start(void *arg) {
    struct held h = *(struct held *)arg;
    free(arg);
    double t0 = now_ms();
    while (!atomic_load(&starts_open) && now_ms() - t0 < 20000) sleep_ms(0.2);
    void *r = h.f(h.arg);
    atomic_fetch_add(&held_threads_done, 1);
    return r;
}
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *a, void *(*f)(void *), void *arg) {
    int left = atomic_load(&creates_allowed);
    while (left >= 0) {
        if (left == 0) return EAGAIN;
        if (atomic_compare_exchange_weak(&creates_allowed, &left, left - 1)) break;
    }
    if (!atomic_load(&hold_starts)) return __real_pthread_create(t, a, f, arg);
    struct held *h = malloc(sizeof *h);
    if (!h) return EAGAIN;
    *h = (struct held){f, arg};
    int err = __real_pthread_create(t, a, held_start, h);
    if (err) free(h);
    return err;
}

/* Marks every item it is given, and checks chunk bounds. */
struct marks {
    size_t lo, hi, grain;
    _Atomic unsigned char *count;
    _Atomic int bad_chunk;
    _Atomic size_t calls;
};

static void mark(void *ctx, size_t b, size_t e) {
    struct marks *m = ctx;
    atomic_fetch_add(&m->calls, 1);
    if (b >= e || b < m->lo || e > m->hi || (m->grain && e - b > m->grain)) {
        atomic_store(&m->bad_chunk, 1);
        return;
    }
    for (size_t i = b; i < e; i++) atomic_fetch_add_explicit(&m->count[i - m->lo], 1, memory_order_relaxed);
}

/* Runs one job over [lo, lo+n) and checks it; returns 1 if all was well. */
static int run_and_check(warmpool *p, size_t lo, size_t n, size_t grain,
                         _Atomic unsigned char *buf) {
    struct marks m = {lo, lo + n, grain, buf, 0, 0};
    memset((void *)buf, 0, n);
    warmpool_parallel_for(p, lo, lo + n, grain, mark, &m);
    int ok = !atomic_load(&m.bad_chunk);
    for (size_t i = 0; i < n && ok; i++) ok = buf[i] == 1;
    if (ok && grain) ok = atomic_load(&m.calls) == n / grain + (n % grain != 0);
    return ok;
}

static void property_sweep(int warm) {
    _Atomic unsigned char *buf = calloc(65537, 1);
    for (size_t w = 0; w < NWC; w++) {
        warmpool *p = warmpool_create(WORKER_COUNTS[w]);
        REQUIRE(p);
        CHECK(warmpool_wait_ready(p, 10000) == 0);
        if (warm) warmpool_warm(p, 1);
        for (size_t i = 0; i < NPRIMES; i++) {
            size_t n = PRIMES[i];
            size_t grains[] = {0, 1, 2, 3, 7, 13, n > 1 ? n - 1 : 1, n, n + 1};
            for (size_t g = 0; g < sizeof grains / sizeof grains[0]; g++) {
                if (n > 5000 && grains[g] && grains[g] < 7) continue; /* keep TSan quick */
                int ok = run_and_check(p, 1000 + n, n, grains[g], buf);
                if (!ok) {
                    char msg[128];
                    snprintf(msg, sizeof msg, "workers=%u n=%zu grain=%zu warm=%d",
                             WORKER_COUNTS[w], n, grains[g], warm);
                    test_fail(__FILE__, __LINE__, msg);
                }
            }
        }
        warmpool_stats st;
        CHECK(warmpool_get_stats(p, &st, sizeof st) == 0);
        if (WORKER_COUNTS[w]) CHECK(st.jobs_parallel > 0);
        else CHECK(st.jobs_parallel == 0 && st.items_workers == 0);
        warmpool_destroy(p);
    }
    free((void *)buf);
}

TEST(every_item_once_cold) { property_sweep(0); }
TEST(every_item_once_warm) { property_sweep(1); }

TEST(empty_range_and_null_fn_do_nothing) {
    warmpool *p = warmpool_create(2);
    REQUIRE(p);
    struct marks m = {0, 0, 0, NULL, 0, 0};
    warmpool_parallel_for(p, 5, 5, 0, mark, &m);
    warmpool_parallel_for(p, 9, 3, 1, mark, &m);
    warmpool_parallel_for(p, 0, 100, 1, NULL, &m);
    CHECK(atomic_load(&m.calls) == 0);
    warmpool_destroy(p);
}

/* Chunks as recorded, to check that they tile a range nobody could walk item by item. */
struct tiles {
    _Atomic size_t n;
    size_t b[64], e[64];
};
static void record_tile(void *ctx, size_t b, size_t e) {
    struct tiles *t = ctx;
    size_t i = atomic_fetch_add(&t->n, 1);
    if (i < 64) { t->b[i] = b; t->e[i] = e; }
}
static int tiles_cover(struct tiles *t, size_t lo, size_t hi) {
    size_t n = atomic_load(&t->n);
    if (n > 64) return 0;
    size_t at = lo;
    for (size_t k = 0; k < n; k++) { /* find the tile starting at `at` */
        size_t j = 0;
        while (j < n && t->b[j] != at) j++;
        if (j == n || t->e[j] <= at || t->e[j] > hi) return 0;
        at = t->e[j];
    }
    return at == hi;
}

TEST(huge_ranges_near_size_max) {
    _Atomic unsigned char *buf = calloc(1001, 1);
    for (size_t w = 0; w < NWC; w++) {
        warmpool *p = warmpool_create(WORKER_COUNTS[w]);
        REQUIRE(p);
        warmpool_wait_ready(p, 10000);
        size_t grains[] = {0, 1, 7, 1000, 1001, SIZE_MAX};
        for (size_t g = 0; g < 6; g++)
            CHECK(run_and_check(p, SIZE_MAX - 1001, 1001, grains[g], buf));
        size_t big_grains[] = {0, SIZE_MAX / 5 + 1, SIZE_MAX / 2, SIZE_MAX - 1};
        for (size_t g = 0; g < 4; g++) {
            struct tiles t = {0};
            warmpool_parallel_for(p, 0, SIZE_MAX, big_grains[g], record_tile, &t);
            CHECK(tiles_cover(&t, 0, SIZE_MAX));
            struct tiles u = {0};
            warmpool_parallel_for(p, 3, SIZE_MAX - 2, big_grains[g], record_tile, &u);
            CHECK(tiles_cover(&u, 3, SIZE_MAX - 2));
        }
        warmpool_destroy(p);
    }
    free((void *)buf);
}

TEST(null_pool_runs_serially) {
    _Atomic unsigned char buf[101];
    CHECK(run_and_check(NULL, 7, 101, 0, buf));
    CHECK(run_and_check(NULL, 7, 101, 10, buf));
    warmpool_warm(NULL, 1);
    warmpool_destroy(NULL);
    CHECK(warmpool_workers(NULL) == 0);
    CHECK(warmpool_ready(NULL) == 0);
    CHECK(warmpool_wait_ready(NULL, 1) == EINVAL);
    warmpool_stats st;
    CHECK(warmpool_get_stats(NULL, &st, sizeof st) == EINVAL);
}

TEST(bad_arguments) {
    errno = 0;
    CHECK(warmpool_create(WARMPOOL_MAX_WORKERS + 1) == NULL && errno == EINVAL);
    warmpool *p = warmpool_create(1);
    REQUIRE(p);
    warmpool_stats st;
    CHECK(warmpool_get_stats(p, NULL, sizeof st) == EINVAL);
    CHECK(warmpool_get_stats(p, &st, 4) == EINVAL);
    /* An older caller's smaller struct gets only what it has room for. */
    memset(&st, 0xab, sizeof st);
    CHECK(warmpool_get_stats(p, &st, 16) == 0);
    CHECK(st.version == WARMPOOL_STATS_VERSION && st.size == 16 && st.workers_requested == 1);
    CHECK(st.workers_started == 0xababababababababull);
    warmpool_destroy(p);
}

/* Nested: fn calls parallel_for on the same pool; the inner job runs serially. */
struct nest { warmpool *p; _Atomic unsigned char *count; _Atomic int bad; };
static void inner(void *ctx, size_t b, size_t e) {
    struct nest *n = ctx;
    for (size_t i = b; i < e; i++) atomic_fetch_add(&n->count[i], 1);
}
static void outer(void *ctx, size_t b, size_t e) {
    struct nest *n = ctx;
    for (size_t i = b; i < e; i++) warmpool_parallel_for(n->p, i * 100, i * 100 + 100, 7, inner, n);
}

TEST(nested_calls_run_serially) {
    for (size_t w = 0; w < NWC; w++) {
        warmpool *p = warmpool_create(WORKER_COUNTS[w]);
        REQUIRE(p);
        warmpool_wait_ready(p, 10000);
        _Atomic unsigned char *count = calloc(100 * 97, 1);
        struct nest n = {p, count, 0};
        warmpool_parallel_for(p, 0, 97, 1, outer, &n);
        int ok = 1;
        for (size_t i = 0; i < 100 * 97; i++) ok &= count[i] == 1;
        CHECK(ok);
        warmpool_stats st;
        warmpool_get_stats(p, &st, sizeof st);
        if (WORKER_COUNTS[w]) {
            CHECK_EQ_U(st.jobs_parallel, 1);
            CHECK_EQ_U(st.jobs_serial_nested, 97);
            CHECK_EQ_U(st.jobs_serial_concurrent, 0);
        }
        free((void *)count);
        warmpool_destroy(p);
    }
}

/* Several threads submit to one pool at once: nobody blocks, nothing is lost. */
struct submitter { warmpool *p; int ok; int jobs; };
static void *submit_many(void *arg) {
    struct submitter *s = arg;
    _Atomic unsigned char *buf = calloc(4099, 1);
    s->ok = 1;
    for (int j = 0; j < s->jobs; j++) s->ok &= run_and_check(s->p, 0, 1 + (j * 131) % 4099, j % 3 ? 0 : 5, buf);
    free((void *)buf);
    return NULL;
}

TEST(concurrent_submitters) {
    for (int warm = 0; warm < 2; warm++)
        for (size_t w = 1; w < NWC; w++) {
            warmpool *p = warmpool_create(WORKER_COUNTS[w]);
            REQUIRE(p);
            warmpool_wait_ready(p, 10000);
            if (warm) warmpool_warm(p, 1);
            enum { T = 4 };
            pthread_t th[T];
            struct submitter s[T];
            for (int i = 0; i < T; i++) {
                s[i] = (struct submitter){p, 0, 60};
                pthread_create(&th[i], NULL, submit_many, &s[i]);
            }
            for (int i = 0; i < T; i++) { pthread_join(th[i], NULL); CHECK(s[i].ok); }
            warmpool_stats st;
            warmpool_get_stats(p, &st, sizeof st);
            uint64_t jobs = st.jobs_parallel + st.jobs_serial_concurrent + st.jobs_serial_tiny +
                            st.jobs_serial_not_ready + st.jobs_serial_nested;
            CHECK_EQ_U(jobs, T * 60);
            CHECK_EQ_U(st.jobs_serial_nested, 0);
            warmpool_destroy(p);
        }
}

/* Workers held back in on_start: the pool must still complete jobs, serially. */
struct gate_arg { _Atomic int open; _Atomic int arrived; };
static void hold_back(void *arg, unsigned worker) {
    struct gate_arg *g = arg;
    (void)worker;
    atomic_fetch_add(&g->arrived, 1);
    double t0 = now_ms();
    while (!atomic_load(&g->open) && now_ms() - t0 < 20000) sleep_ms(0.2);
}

TEST(serial_until_ready) {
    struct gate_arg g = {0, 0};
    warmpool_options o = {0};
    o.workers = 3;
    o.on_start = hold_back;
    o.on_start_arg = &g;
    warmpool *p = warmpool_create_ex(&o);
    REQUIRE(p);
    CHECK(warmpool_workers(p) == 3);
    CHECK(warmpool_ready(p) == 0);
    _Atomic unsigned char buf[1009];
    CHECK(run_and_check(p, 0, 1009, 0, buf));
    CHECK(run_and_check(p, 0, 1009, 1, buf));
    CHECK(warmpool_wait_ready(p, 30) == ETIMEDOUT);
    warmpool_stats st;
    warmpool_get_stats(p, &st, sizeof st);
    CHECK_EQ_U(st.jobs_serial_not_ready, 2);
    CHECK_EQ_U(st.items_workers, 0);
    CHECK_EQ_U(st.items_caller, 2018);
    atomic_store(&g.open, 1);
    CHECK(warmpool_wait_ready(p, 10000) == 0);
    CHECK(warmpool_ready(p) == 3);
    CHECK(run_and_check(p, 0, 1009, 1, buf));
    warmpool_get_stats(p, &st, sizeof st);
    CHECK_EQ_U(st.jobs_parallel, 1);
    CHECK_EQ_U(atomic_load(&g.arrived), 3);
    warmpool_destroy(p);
}

/* Slow chunks give sleeping workers time to wake: they must take part. */
static void slow_chunk(void *ctx, size_t b, size_t e) {
    (void)ctx; (void)b; (void)e;
    sleep_ms(1);
}

TEST(workers_take_part_and_are_named) {
    warmpool_options o = {0};
    o.workers = 2;
    o.name = "wpt";
    warmpool *p = warmpool_create_ex(&o);
    REQUIRE(p);
    REQUIRE(warmpool_wait_ready(p, 10000) == 0);
    warmpool_parallel_for(p, 0, 200, 1, slow_chunk, NULL);
    warmpool_stats st;
    warmpool_get_stats(p, &st, sizeof st);
    CHECK(st.items_workers > 0);
    CHECK(st.joins > 0);
    CHECK_EQ_U(st.items_workers + st.items_caller, 200);
    /* The kernel knows the workers by name. */
    char path[300], comm[32];
    int found = 0;
    DIR *d = opendir("/proc/self/task");
    REQUIRE(d);
    for (struct dirent *de; (de = readdir(d));) {
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", de->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        if (fgets(comm, sizeof comm, f))
            found += !strcmp(comm, "wpt-1\n") || !strcmp(comm, "wpt-2\n");
        fclose(f);
    }
    closedir(d);
    CHECK(found == 2);
    warmpool_destroy(p);
}

TEST(warm_cools_itself_down) {
    warmpool_options o = {0};
    o.workers = 2;
    o.cool_after_ms = 20;
    warmpool *p = warmpool_create_ex(&o);
    REQUIRE(p);
    REQUIRE(warmpool_wait_ready(p, 10000) == 0);
    CHECK(!warmpool_is_warm(p));
    warmpool_warm(p, 1);
    CHECK(warmpool_is_warm(p));
    _Atomic unsigned char buf[1009];
    CHECK(run_and_check(p, 0, 1009, 3, buf));
    double t0 = now_ms();
    while (warmpool_is_warm(p) && now_ms() - t0 < 10000) sleep_ms(1);
    CHECK(!warmpool_is_warm(p));
    warmpool_stats st;
    warmpool_get_stats(p, &st, sizeof st);
    CHECK_EQ_U(st.cooldowns, 1);
    CHECK_EQ_U(st.warm_on, 1);
    /* Cold again: the next job still completes, and warm(0) when cold is harmless. */
    warmpool_warm(p, 0);
    CHECK(run_and_check(p, 0, 1009, 3, buf));
    warmpool_destroy(p);
}

TEST(warm_off_stops_spinning) {
    warmpool *p = warmpool_create(2);
    REQUIRE(p);
    REQUIRE(warmpool_wait_ready(p, 10000) == 0);
    warmpool_stats st;
    double t0 = now_ms();
    do { sleep_ms(1); warmpool_get_stats(p, &st, sizeof st); }
    while (st.worker_sleeps < 2 && now_ms() - t0 < 10000);
    REQUIRE(st.worker_sleeps == 2); /* both cold and asleep */
    warmpool_warm(p, 1); /* wakes them to spin */
    sleep_ms(5);
    warmpool_warm(p, 0);
    CHECK(!warmpool_is_warm(p));
    /* Spinning workers notice and go back to sleep. */
    t0 = now_ms();
    do { sleep_ms(1); warmpool_get_stats(p, &st, sizeof st); }
    while (st.worker_sleeps < 4 && now_ms() - t0 < 10000);
    CHECK_EQ_U(st.worker_sleeps, 4);
    CHECK_EQ_U(st.cooldowns, 0);
    warmpool_destroy(p);
}

TEST(create_destroy_loop) {
    _Atomic unsigned char buf[61];
    for (int i = 0; i < 200; i++) {
        warmpool *p = warmpool_create(WORKER_COUNTS[i % NWC]);
        REQUIRE(p);
        if (i % 3 == 1) CHECK(run_and_check(p, 0, 61, 1, buf));
        if (i % 4 == 2) warmpool_warm(p, 1);
        if (i % 5 == 3) { warmpool_wait_ready(p, 10000); CHECK(run_and_check(p, 0, 61, 0, buf)); }
        warmpool_destroy(p);
    }
}

TEST(destroy_while_warm_or_sleeping_is_prompt) {
    for (int warm = 0; warm < 2; warm++) {
        warmpool *p = warmpool_create(7);
        REQUIRE(p);
        REQUIRE(warmpool_wait_ready(p, 10000) == 0);
        if (warm) warmpool_warm(p, 1);
        sleep_ms(10);
        double t0 = now_ms();
        warmpool_destroy(p);
        CHECK(now_ms() - t0 < 5000); /* a hang check, not a timing goal */
    }
}

/* Counts the items any job ran, to see that none runs after destroy. */
static _Atomic size_t items_run;
static void count_items(void *ctx, size_t b, size_t e) {
    (void)ctx;
    atomic_fetch_add(&items_run, e - b);
}

static void wait_int(_Atomic int *v, int want, double ms) {
    double t0 = now_ms();
    while (atomic_load(v) < want && now_ms() - t0 < ms) sleep_ms(0.2);
}

/* Worker threads that have not started yet when destroy is called (held before their
   start routine, released 50 ms later from another thread). Natively they start by
   themselves, so destroy joins them: when it returns they are gone, and none called
   on_start or ran a job. (On Wasm, where one may need the caller to return first,
   destroy leaves them to exit by themselves: tests/pool/wasm.test.mjs.) */
static void *open_starts_later(void *arg) {
    (void)arg;
    sleep_ms(50);
    atomic_store(&starts_open, 1);
    return NULL;
}

TEST(destroy_before_workers_start) {
    atomic_store(&starts_open, 0);
    atomic_store(&held_threads_done, 0);
    atomic_store(&items_run, 0);
    static struct gate_arg g;
    atomic_store(&g.open, 1);
    atomic_store(&g.arrived, 0);
    warmpool_options o = {0};
    o.workers = 3;
    o.on_start = hold_back;
    o.on_start_arg = &g;
    atomic_store(&hold_starts, 1);
    warmpool *p = warmpool_create_ex(&o);
    atomic_store(&hold_starts, 0);
    REQUIRE(p);
    warmpool_parallel_for(p, 0, 1000, 1, count_items, NULL);
    CHECK_EQ_U(atomic_load(&items_run), 1000);
    pthread_t opener;
    REQUIRE(pthread_create(&opener, NULL, open_starts_later, NULL) == 0);
    double t0 = now_ms();
    warmpool_destroy(p);
    CHECK(now_ms() - t0 < 5000); /* a hang check */
    CHECK_EQ_U(atomic_load(&held_threads_done), 3);
    CHECK_EQ_U(atomic_load(&g.arrived), 0);
    CHECK_EQ_U(atomic_load(&items_run), 1000);
    pthread_join(opener, NULL);
}

/* Worker 1 ready, workers 2 and 3 still in on_start: destroy joins worker 1 (its thread
   is gone when destroy returns) and leaves the others to exit once on_start returns. */
struct some_held { _Atomic int open, arrived, returned; };
static void hold_from_2(void *arg, unsigned worker) {
    struct some_held *g = arg;
    atomic_fetch_add(&g->arrived, 1);
    double t0 = now_ms();
    while (worker >= 2 && !atomic_load(&g->open) && now_ms() - t0 < 20000) sleep_ms(0.2);
    atomic_fetch_add(&g->returned, 1);
}

TEST(destroy_while_workers_in_on_start) {
    static struct some_held g;
    atomic_store(&g.open, 0);
    atomic_store(&g.arrived, 0);
    atomic_store(&g.returned, 0);
    atomic_store(&starts_open, 1);
    atomic_store(&held_threads_done, 0);
    atomic_store(&items_run, 0);
    warmpool_options o = {0};
    o.workers = 3;
    o.on_start = hold_from_2;
    o.on_start_arg = &g;
    atomic_store(&hold_starts, 1); /* only to count the threads' exits */
    warmpool *p = warmpool_create_ex(&o);
    atomic_store(&hold_starts, 0);
    REQUIRE(p);
    wait_int(&g.arrived, 3, 10000);
    double t0 = now_ms();
    while (warmpool_ready(p) < 1 && now_ms() - t0 < 10000) sleep_ms(0.2);
    REQUIRE(warmpool_ready(p) == 1);
    warmpool_parallel_for(p, 0, 1000, 1, count_items, NULL); /* serial: not all ready */
    t0 = now_ms();
    warmpool_destroy(p);
    CHECK(now_ms() - t0 < 5000);
    CHECK_EQ_U(atomic_load(&held_threads_done), 1);
    atomic_store(&g.open, 1);
    wait_int(&held_threads_done, 3, 10000);
    CHECK_EQ_U(atomic_load(&held_threads_done), 3);
    CHECK_EQ_U(atomic_load(&g.returned), 3);
    CHECK_EQ_U(atomic_load(&items_run), 1000);
}

/* Waits until the pool's workers went to sleep `sleeps` times in all. */
static int wait_sleeps(warmpool *p, uint64_t sleeps) {
    warmpool_stats st;
    double t0 = now_ms();
    do {
        warmpool_get_stats(p, &st, sizeof st);
        if (st.worker_sleeps >= sleeps) return 1;
        sleep_ms(0.2);
    } while (now_ms() - t0 < 10000);
    return 0;
}

/* Cold jobs shorter than a worker's wake-up do not pay the futex wake once the pool has
   seen one; a long cold job after them still wakes the sleeper and gets its help. */
TEST(short_cold_jobs_do_not_wake_sleepers) {
    warmpool *p = warmpool_create(1);
    REQUIRE(p);
    REQUIRE(warmpool_wait_ready(p, 10000) == 0);
    REQUIRE(wait_sleeps(p, 1));
    _Atomic unsigned char buf[2];
    int quiet = 0;
    for (int i = 0; i < 10; i++) {
        warmpool_stats a, b;
        warmpool_get_stats(p, &a, sizeof a);
        CHECK(run_and_check(p, 0, 2, 1, buf));
        warmpool_get_stats(p, &b, sizeof b);
        if (b.futex_wakes == a.futex_wakes) quiet++;
        else CHECK(wait_sleeps(p, a.worker_sleeps + 1)); /* asleep again */
    }
    CHECK(quiet >= 5);
    warmpool_stats st;
    warmpool_get_stats(p, &st, sizeof st);
    CHECK_EQ_U(st.jobs_parallel, 10);
    warmpool_parallel_for(p, 0, 40, 1, slow_chunk, NULL);
    warmpool_get_stats(p, &st, sizeof st);
    CHECK(st.items_workers > 0);
    CHECK_EQ_U(st.items_workers + st.items_caller, 40 + 20);
    warmpool_destroy(p);
}

TEST(failed_thread_creation) {
    atomic_store(&creates_allowed, 0);
    errno = 0;
    warmpool *none = warmpool_create(3);
    int err = errno;
    atomic_store(&creates_allowed, 2);
    warmpool *two = warmpool_create(5);
    atomic_store(&creates_allowed, -1);
    CHECK(none == NULL && err == EAGAIN);
    REQUIRE(two);
    CHECK(warmpool_workers(two) == 2);
    warmpool_stats st;
    warmpool_get_stats(two, &st, sizeof st);
    CHECK_EQ_U(st.workers_requested, 5);
    CHECK_EQ_U(st.workers_started, 2);
    CHECK_EQ_U(st.create_errno, EAGAIN);
    CHECK(warmpool_wait_ready(two, 10000) == 0);
    _Atomic unsigned char buf[1009];
    CHECK(run_and_check(two, 0, 1009, 1, buf));
    warmpool_destroy(two);
    /* Asking for no workers never needs a thread. */
    atomic_store(&creates_allowed, 0);
    warmpool *zero = warmpool_create(0);
    atomic_store(&creates_allowed, -1);
    CHECK(zero != NULL);
    warmpool_destroy(zero);
}

#ifndef UNDER_TSAN /* TSan defers signals to its own sync points */
/* A worker stuck elsewhere (here: in a signal handler) must not delay any caller. */
static _Atomic int stuck_in, stuck_release;
static void stuck_handler(int sig) {
    (void)sig;
    atomic_store(&stuck_in, 1);
    while (!atomic_load(&stuck_release)) {}
}
static _Atomic uintptr_t seen_worker;
static void note_worker(void *ctx, unsigned worker) {
    (void)ctx; (void)worker;
    atomic_store(&seen_worker, (uintptr_t)pthread_self());
}

TEST(unwoken_worker_does_not_delay_caller) {
    for (int warm = 0; warm < 2; warm++) {
        atomic_store(&stuck_in, 0);
        atomic_store(&stuck_release, 0);
        signal(SIGUSR1, stuck_handler);
        warmpool_options o = {0};
        o.workers = 1;
        o.on_start = note_worker;
        warmpool *p = warmpool_create_ex(&o);
        REQUIRE(p);
        REQUIRE(warmpool_wait_ready(p, 10000) == 0);
        if (warm) warmpool_warm(p, 1);
        pthread_kill((pthread_t)atomic_load(&seen_worker), SIGUSR1);
        double t0 = now_ms();
        while (!atomic_load(&stuck_in) && now_ms() - t0 < 10000) sleep_ms(0.1);
        REQUIRE(atomic_load(&stuck_in));
        _Atomic unsigned char buf[1009];
        int ok = 1;
        for (int j = 0; j < 100; j++) ok &= run_and_check(p, 0, 1009, 7, buf);
        CHECK(ok);
        warmpool_stats st;
        warmpool_get_stats(p, &st, sizeof st);
        CHECK_EQ_U(st.jobs_parallel, 100);
        CHECK_EQ_U(st.items_workers, 0);
        atomic_store(&stuck_release, 1);
        warmpool_destroy(p);
        signal(SIGUSR1, SIG_DFL);
    }
}
#endif

/* The thread index: every item once, each index in 0..workers, no index in use by two
   chunks at the same moment (busy[] is set for the duration of a chunk), and each index
   always on the same OS thread (owner[], kept across the jobs of one pool). */
static _Atomic uintptr_t owner[WARMPOOL_MAX_WORKERS + 1];
struct by_thread {
    unsigned workers;
    struct marks m;
    _Atomic int busy[WARMPOOL_MAX_WORKERS + 1];
    _Atomic int bad_index, overlap;
    _Atomic size_t per[WARMPOOL_MAX_WORKERS + 1];
};
static void mark_thread(void *ctx, unsigned thread, size_t b, size_t e) {
    struct by_thread *t = ctx;
    if (thread > t->workers) { atomic_store(&t->bad_index, 1); return; }
    if (atomic_exchange(&t->busy[thread], 1)) atomic_store(&t->overlap, 1);
    uintptr_t me = (uintptr_t)pthread_self(), none = 0;
    if (!atomic_compare_exchange_strong(&owner[thread], &none, me) && none != me)
        atomic_store(&t->overlap, 1);
    mark(&t->m, b, e);
    for (volatile int spin = 0; spin < 200; spin++) {} /* keep chunks in flight together */
    atomic_fetch_add(&t->per[thread], e - b);
    atomic_store(&t->busy[thread], 0);
}

static int check_by_thread(warmpool *p, size_t n, size_t grain, _Atomic unsigned char *buf,
                           struct by_thread *t) {
    memset(t, 0, sizeof *t);
    t->workers = warmpool_workers(p);
    t->m = (struct marks){7, 7 + n, grain, buf, 0, 0};
    memset((void *)buf, 0, n);
    warmpool_parallel_for_with_thread(p, 7, 7 + n, grain, mark_thread, t);
    int ok = !atomic_load(&t->m.bad_chunk) && !t->bad_index && !t->overlap;
    for (size_t i = 0; i < n && ok; i++) ok = buf[i] == 1;
    return ok;
}

TEST(thread_index_distinct_and_in_range) {
    _Atomic unsigned char *buf = calloc(65537, 1);
    struct by_thread *t = malloc(sizeof *t);
    for (size_t w = 0; w < NWC; w++) {
        warmpool *p = warmpool_create(WORKER_COUNTS[w]);
        REQUIRE(p);
        CHECK(warmpool_wait_ready(p, 10000) == 0);
        for (size_t k = 0; k <= WARMPOOL_MAX_WORKERS; k++) atomic_store(&owner[k], 0);
        size_t on_workers = 0;
        for (int warm = 0; warm < 2; warm++) {
            warmpool_warm(p, warm);
            for (size_t i = 0; i < NPRIMES; i++) {
                size_t grains[] = {0, 1, 3, 13};
                for (size_t g = 0; g < 4; g++) {
                    if (PRIMES[i] > 5000 && grains[g] && grains[g] < 7) continue;
                    if (!check_by_thread(p, PRIMES[i], grains[g], buf, t)) {
                        char msg[96];
                        snprintf(msg, sizeof msg, "workers=%u n=%zu grain=%zu", WORKER_COUNTS[w],
                                 PRIMES[i], grains[g]);
                        test_fail(__FILE__, __LINE__, msg);
                    }
                    for (unsigned k = 1; k <= t->workers; k++) on_workers += t->per[k];
                }
            }
        }
        warmpool_stats st;
        warmpool_get_stats(p, &st, sizeof st);
        CHECK_EQ_U(on_workers, st.items_workers); /* index k > 0 is a worker's work */
        warmpool_destroy(p);
    }
    free(t);
    free((void *)buf);
}

/* Serial fallbacks pass 0: workers not ready, a range of one chunk, a NULL pool, and a
   call nested inside a chunk (whatever index the outer chunk had). */
struct nest_t { warmpool *p; _Atomic int nonzero_inner; _Atomic size_t inner; };
static void inner_t(void *ctx, unsigned thread, size_t b, size_t e) {
    struct nest_t *n = ctx;
    if (thread) atomic_store(&n->nonzero_inner, 1);
    atomic_fetch_add(&n->inner, e - b);
}
static void outer_t(void *ctx, unsigned thread, size_t b, size_t e) {
    struct nest_t *n = ctx;
    (void)thread;
    for (size_t i = b; i < e; i++) warmpool_parallel_for_with_thread(n->p, 0, 50, 1, inner_t, n);
}

TEST(thread_index_zero_when_serial) {
    struct by_thread *t = malloc(sizeof *t);
    _Atomic unsigned char buf[1009];
    struct gate_arg g = {0, 0};
    warmpool_options o = {0};
    o.workers = 2;
    o.on_start = hold_back;
    o.on_start_arg = &g;
    warmpool *p = warmpool_create_ex(&o);
    REQUIRE(p);
    for (size_t k = 0; k <= WARMPOOL_MAX_WORKERS; k++) atomic_store(&owner[k], 0);
    CHECK(check_by_thread(p, 1009, 1, buf, t)); /* not ready */
    CHECK_EQ_U(t->per[0], 1009);
    atomic_store(&g.open, 1);
    CHECK(warmpool_wait_ready(p, 10000) == 0);
    CHECK(check_by_thread(p, 5, 5, buf, t)); /* tiny */
    CHECK_EQ_U(t->per[0], 5);
    struct nest_t n = {p, 0, 0};
    warmpool_parallel_for_with_thread(p, 0, 31, 1, outer_t, &n);
    CHECK_EQ_U(atomic_load(&n.inner), 31 * 50);
    CHECK(!atomic_load(&n.nonzero_inner));
    warmpool_destroy(p);
    CHECK(check_by_thread(NULL, 101, 3, buf, t)); /* NULL pool */
    CHECK_EQ_U(t->per[0], 101);
    warmpool_parallel_for_with_thread(NULL, 0, 10, 1, NULL, NULL); /* NULL fn: nothing */
    free(t);
}

/* WARMPOOL_CLAIM_ONE: the chunk holding item 0 waits until every other item is done
   (up to `ms`), which only works when no other chunk is held back in the waiting thread's
   batch. */
struct waits { size_t n; double ms; _Atomic size_t done; _Atomic int saw_all; };
static void wait_for_others(void *ctx, size_t b, size_t e) {
    struct waits *w = ctx;
    for (size_t i = b; i < e; i++) {
        if (i == 0) {
            double t0 = now_ms();
            while (atomic_load(&w->done) < w->n - 1 && now_ms() - t0 < w->ms) sleep_ms(0.1);
            atomic_store(&w->saw_all, atomic_load(&w->done) == w->n - 1);
        } else {
            atomic_fetch_add(&w->done, 1);
        }
    }
}

static int chunk_waits_for_the_others(unsigned flags, double ms) {
    warmpool_options o = {0};
    o.workers = 2;
    o.flags = flags;
    warmpool *p = warmpool_create_ex(&o);
    if (!p) return -1;
    warmpool_wait_ready(p, 10000);
    struct waits w = {601, ms, 0, 0};
    warmpool_parallel_for(p, 0, w.n, 1, wait_for_others, &w);
    warmpool_destroy(p);
    return atomic_load(&w.saw_all);
}

TEST(claim_one_lets_a_chunk_wait_for_the_others) {
    CHECK(chunk_waits_for_the_others(WARMPOOL_CLAIM_ONE, 3000) == 1);
    /* The default batches: the waiting chunk's own batch holds some of the others. Not
       every time: when the submitter is descheduled, the workers may steal its whole
       share, item 0 last and alone. */
    int held = 0;
    for (int k = 0; k < 3 && !held; k++) held = chunk_waits_for_the_others(0, 300) == 0;
    CHECK(held);
}
