/* test_items.c - the pool's item jobs (pool/items.h, used by the pthreadpool layer) and
 * one-chunk claims (WARMPOOL_CLAIM_ONE): every item exactly once over prime ranges and
 * worker counts, cold and warm; an item may wait for all the others; the bracket runs
 * once around each thread's part, on the thread that runs the items. */
#include "harness/runner.h"
#include "warmpool.h"
#include "pool/items.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const unsigned WORKERS[] = {0, 1, 2, 3, 7};
static const size_t PRIMES[] = {1, 2, 3, 5, 7, 11, 13, 31, 61, 127, 257, 1009, 4099, 65537};
#define COUNT(a) (sizeof a / sizeof a[0])

static double ms_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The bracket: enter() marks the thread as inside and returns a token that leave() must
   get back; an item run outside a bracket, a nested enter or a wrong token is counted. */
static _Thread_local unsigned inside;
static _Atomic unsigned enters, leaves, bracket_errors, token_seq;
static unsigned enter(void) {
    if (inside) atomic_fetch_add(&bracket_errors, 1);
    inside = 0x1000u + atomic_fetch_add(&token_seq, 1);
    atomic_fetch_add(&enters, 1);
    return inside;
}
static void leave(unsigned saved) {
    if (!inside || saved != inside) atomic_fetch_add(&bracket_errors, 1);
    inside = 0;
    atomic_fetch_add(&leaves, 1);
}
static const wp_bracket around = {enter, leave};

struct marks { size_t n; _Atomic unsigned char *count; _Atomic int outside; int bracketed; };
static void mark_item(void *ctx, size_t i) {
    struct marks *m = ctx;
    if (m->bracketed && !inside) atomic_store(&m->outside, 1);
    if (i < m->n) atomic_fetch_add_explicit(&m->count[i], 1, memory_order_relaxed);
    else atomic_store(&m->outside, 1);
}
static void mark_chunk(void *ctx, size_t b, size_t e) {
    for (; b < e; b++) mark_item(ctx, b);
}

/* One job of n items: as an item job (bracketed or not), or as chunks of grain 1 on a
   WARMPOOL_CLAIM_ONE pool. 1 if every item ran once (and inside its bracket). */
static int run_once(warmpool *p, size_t n, int as_items, int bracketed,
                    _Atomic unsigned char *buf) {
    struct marks m = {n, buf, 0, bracketed};
    memset((void *)buf, 0, n);
    unsigned e0 = atomic_load(&enters), l0 = atomic_load(&leaves);
    if (as_items) wp_parallel_for_items(p, n, mark_item, &m, bracketed ? &around : NULL);
    else warmpool_parallel_for(p, 0, n, 1, mark_chunk, &m);
    int ok = !atomic_load(&m.outside);
    for (size_t i = 0; i < n && ok; i++) ok = buf[i] == 1;
    unsigned e = atomic_load(&enters) - e0, l = atomic_load(&leaves) - l0;
    if (bracketed) ok = ok && e == l && e >= 1 && e <= (p ? warmpool_workers(p) : 0) + 1;
    else ok = ok && e == 0 && l == 0;
    return ok;
}

static void sweep(int as_items, int warm) {
    _Atomic unsigned char *buf = calloc(65537, 1);
    REQUIRE(buf);
    for (size_t w = 0; w < COUNT(WORKERS); w++) {
        warmpool_options o = {0};
        o.workers = WORKERS[w];
        o.flags = as_items ? 0 : WARMPOOL_CLAIM_ONE;
        warmpool *p = warmpool_create_ex(&o);
        REQUIRE(p);
        CHECK(warmpool_wait_ready(p, 10000) == 0);
        if (warm) warmpool_warm(p, 1);
        for (size_t i = 0; i < COUNT(PRIMES); i++) {
            for (int b = 0; b <= as_items; b++) {
                if (!warm && i % 3 == 0) { /* let the workers fall asleep: the cold path */
                    struct timespec t = {0, 2000000};
                    nanosleep(&t, NULL);
                }
                if (!run_once(p, PRIMES[i], as_items, b, buf)) {
                    char msg[128];
                    snprintf(msg, sizeof msg, "workers=%u n=%zu items=%d bracket=%d warm=%d",
                             WORKERS[w], PRIMES[i], as_items, b, warm);
                    test_fail(__FILE__, __LINE__, msg);
                }
            }
        }
        warmpool_destroy(p);
    }
    CHECK(atomic_load(&bracket_errors) == 0);
    free((void *)buf);
}

TEST(items_every_item_once_cold) { sweep(1, 0); }
TEST(items_every_item_once_warm) { sweep(1, 1); }
TEST(claim_one_every_chunk_once_cold) { sweep(0, 0); }
TEST(claim_one_every_chunk_once_warm) { sweep(0, 1); }

TEST(items_serial_fallbacks_are_bracketed_too) {
    _Atomic unsigned char buf[64];
    CHECK(run_once(NULL, 64, 1, 1, buf));       /* NULL pool */
    warmpool *p = warmpool_create(2);
    REQUIRE(p);
    CHECK(warmpool_wait_ready(p, 10000) == 0);
    CHECK(run_once(p, 1, 1, 1, buf));           /* one item: tiny */
    CHECK(run_once(p, 0, 1, 1, buf) == 0);      /* nothing to do: no bracket either */
    wp_parallel_for_items(p, 10, NULL, NULL, &around); /* NULL fn: nothing */
    warmpool_destroy(p);
    CHECK(atomic_load(&bracket_errors) == 0);
    CHECK(atomic_load(&enters) == atomic_load(&leaves));
}

/* Item 0 waits until every other item is done: needs every other item claimable while
   it runs, on a pool created without WARMPOOL_CLAIM_ONE. */
struct waits { size_t n; _Atomic size_t done; _Atomic int saw_all; };
static void wait_item(void *ctx, size_t i) {
    struct waits *w = ctx;
    if (i) { atomic_fetch_add(&w->done, 1); return; }
    double t0 = ms_now();
    while (atomic_load(&w->done) < w->n - 1 && ms_now() - t0 < 3000) {
        struct timespec t = {0, 100000};
        nanosleep(&t, NULL);
    }
    atomic_store(&w->saw_all, atomic_load(&w->done) == w->n - 1);
}

static void nap_ms(long ms) {
    struct timespec t = {0, ms * 1000000};
    nanosleep(&t, NULL);
}
static void nothing(void *ctx, size_t i) { (void)ctx, (void)i; }

TEST(items_an_item_may_wait_for_the_others) {
    warmpool *p = warmpool_create(2);
    REQUIRE(p);
    CHECK(warmpool_wait_ready(p, 10000) == 0);
    /* Awake workers; then asleep after a short cold job, which is when the pool would
       rather not wake them for the next cold job. */
    for (int cold = 0; cold < 2; cold++) {
        if (cold) {
            nap_ms(5);
            wp_parallel_for_items(p, 3, nothing, NULL, NULL);
            nap_ms(5);
        }
        struct waits w = {601, 0, 0};
        wp_parallel_for_items(p, w.n, wait_item, &w, NULL);
        if (!atomic_load(&w.saw_all)) test_fail(__FILE__, __LINE__, cold ? "cold" : "warm");
    }
    warmpool_destroy(p);
}
