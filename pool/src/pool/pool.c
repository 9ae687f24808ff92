/* pool.c - the pool: workers, job hand-off, warm/cold waiting. Depends on prim/prim.h
 * (futex, clock, yield for each OS) and reports what it does to the tracer through
 * trace/events.h; nothing else.
 *
 * How a job moves (read this before changing anything below):
 * - `seq` is the word workers wait on: bit 0 is the warm flag, the rest counts jobs.
 *   Folding warm into the futex word means warm(1) changes what sleepers compare
 *   against, so no wake-up can be lost between a worker's check and its sleep.
 * - `gate` says whether workers may join the current job (GATE_OPEN) and how many are
 *   inside it. The submitter writes the job while nobody is inside, opens the gate,
 *   then bumps `seq`. A worker that notices joins with a CAS on the open gate; from
 *   then on it may touch fn/ctx until it leaves.
 * - Everyone, the submitter included, claims chunks from `span`: the submitter from the
 *   front, workers from the back, so each thread tends to get the same part of the data
 *   call after call (its cache lines stay put). When the submitter runs
 *   out of chunks it closes the gate: workers that have not joined yet never will, so
 *   it waits only for the ones inside, which are finishing their last chunk. A worker
 *   that wakes late finds the gate closed and goes back to waiting: it never delays a
 *   caller, and the caller never waits for all workers to check in.
 */
#include "warmpool.h"
#include "trace/events.h"
#include "prim/prim.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if WP_THREADS
#include <pthread.h>
#endif

#define GATE_OPEN   0x80000000u /* the current job takes new workers */
#define GATE_WAITER 0x40000000u /* the submitter sleeps until the count is 0 */
#define GATE_COUNT  0x3fffffffu /* workers inside the current job */
#define SEQ_WARM    1u
#define SEQ_JOB     2u

#define SPIN_CHECK 256     /* pause iterations between looks at the clock */
#define YIELD_NS   500000  /* a spinner yields this often: rarely, since on a busy
                              machine a yield can cost a whole time slice */
#define COLD_SPIN  2048    /* a cold submitter spins this long before sleeping */
#define LINGER_NS  50000   /* a cold worker spins this long after a job before sleeping,
                              so back-to-back jobs do not pay a futex wake each */
#define DEFAULT_COOL_MS 200.0

typedef _Atomic uint64_t counter;

static inline void bump(counter *c, uint64_t n) {
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* One per worker, on its own cache line: only that worker writes its counters. */
struct wp_worker {
    alignas(64) struct warmpool *pool;
    unsigned index;          /* 1..workers; 0 names a submitting thread in events */
    _Atomic uintptr_t self;  /* the worker's own thread id, written by the worker */
    counter joins, items, chunks, late, sleeps;
};

struct warmpool {
    /* Written by create, read-only afterwards. */
    unsigned nworkers, requested;
    int create_err;
    uint64_t cool_ns;
    struct wp_worker *workers;
#if WP_THREADS
    pthread_t *threads;
#endif
    void (*on_start)(void *, unsigned);
    void *on_start_arg;
    char name[32];

    /* Polled by every spinning worker; written once per job, warm switch or destroy. */
    alignas(64) _Atomic uint32_t seq;
    _Atomic uint32_t sleepers;

    /* The job, written by the submitter while the gate is closed and empty, read by
       workers after they joined. Relaxed atomics: the gate's CAS orders them. */
    alignas(64) _Atomic uint32_t gate;
    _Atomic(warmpool_fn) fn;
    _Atomic(warmpool_thread_fn) tfn; /* set instead of fn by parallel_for_with_thread */
    _Atomic(void *) ctx;
    _Atomic size_t begin, end, grain;

    /* Chunks not yet claimed, [lo, hi): lo in the low 32 bits, hi in the high ones. The
       one contended line. */
    alignas(64) _Atomic uint64_t span;

    alignas(64) _Atomic uint32_t busy; /* a parallel job is in flight */
    _Atomic uintptr_t owner;           /* its submitter, to tell nested from concurrent */
    _Atomic uint32_t ready, stop;

    alignas(64) counter jobs_parallel, serial[WARMPOOL_SERIAL_REASONS], items_caller, futex_wakes, caller_sleeps,
        warm_on, cooldowns;
};

/* One of the two kinds of job function. */
struct wp_call { warmpool_fn fn; warmpool_thread_fn tfn; void *ctx; };
static inline void call(const struct wp_call *c, unsigned thread, size_t b, size_t e) {
    if (c->tfn) c->tfn(c->ctx, thread, b, e);
    else c->fn(c->ctx, b, e);
}

/* Runs the whole range on the calling thread (thread index 0), in chunks of `grain` when
   one was given. */
static void run_serial(warmpool *p, enum warmpool_serial_reason why, size_t begin, size_t end,
                       size_t grain, const struct wp_call *c) {
    if (p) wp_ev_serial(p, why, begin, end);
    if (!grain) grain = end - begin;
    for (size_t b = begin; b < end;) {
        size_t e = end - b > grain ? b + grain : end;
        call(c, 0, b, e);
        b = e;
    }
    if (p) {
        bump(&p->serial[why], 1);
        bump(&p->items_caller, end - begin);
    }
}

#if WP_THREADS
static uintptr_t this_thread(void) { return (uintptr_t)pthread_self(); }

/* Claims a chunk, from the front for the submitter (thread 0) and from the back for
   workers; SIZE_MAX when none are left. */
static size_t claim(warmpool *p, unsigned thread) {
    uint64_t v = atomic_load_explicit(&p->span, memory_order_relaxed), nv;
    for (;;) {
        uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
        if (lo >= hi) return SIZE_MAX;
        nv = thread ? (uint64_t)(hi - 1) << 32 | lo : (uint64_t)hi << 32 | (lo + 1);
        if (atomic_compare_exchange_weak_explicit(&p->span, &v, nv, memory_order_relaxed,
                                                  memory_order_relaxed))
            return thread ? hi - 1 : lo;
    }
}

/* Claims and runs chunks until none are left; returns the items done. */
static size_t run_chunks(warmpool *p, unsigned thread, uint64_t *chunks) {
    const struct wp_call job = {atomic_load_explicit(&p->fn, memory_order_relaxed),
                                atomic_load_explicit(&p->tfn, memory_order_relaxed),
                                atomic_load_explicit(&p->ctx, memory_order_relaxed)};
    size_t begin = atomic_load_explicit(&p->begin, memory_order_relaxed);
    size_t end = atomic_load_explicit(&p->end, memory_order_relaxed);
    size_t grain = atomic_load_explicit(&p->grain, memory_order_relaxed);
    size_t items = 0;
    for (size_t c; (c = claim(p, thread)) != SIZE_MAX;) {
        size_t b = begin + c * grain;
        size_t e = end - b > grain ? b + grain : end;
        wp_ev_chunk_begin(p, thread, b, e);
        call(&job, thread, b, e);
        wp_ev_chunk_end(p, thread);
        items += e - b;
        ++*chunks;
    }
    return items;
}

/* Ends warm mode if nothing changed since `s` was read; 1 if this call ended it. */
static int cool_down(warmpool *p, uint32_t s) {
    if (!atomic_compare_exchange_strong(&p->seq, &s, s & ~SEQ_WARM)) return 0;
    bump(&p->cooldowns, 1);
    wp_ev_warm(p, 0, 1);
    return 1;
}

/* Waits until a job (or destroy) moves `seq` past `seen`; returns the new value. */
static uint32_t await_job(warmpool *p, struct wp_worker *w, uint32_t seen, int *spun) {
    int lingered = 0;
    for (;;) {
        uint32_t s = atomic_load_explicit(&p->seq, memory_order_acquire);
        if ((s ^ seen) & ~SEQ_WARM) { *spun = 0; return s; }
        if (s & SEQ_WARM) {
            uint64_t t0 = wp_now_ns(), yielded = t0;
            for (unsigned i = 1;; i++) {
                wp_pause();
                s = atomic_load_explicit(&p->seq, memory_order_acquire);
                if ((s ^ seen) & ~SEQ_WARM) { *spun = 1; return s; }
                if (!(s & SEQ_WARM)) break;
                if (i % SPIN_CHECK == 0) {
                    uint64_t t = wp_now_ns();
                    if (t - t0 > p->cool_ns) { cool_down(p, s); break; }
                    if (t - yielded > YIELD_NS) { wp_yield(); yielded = t; }
                }
            }
            continue;
        }
        if (!lingered) {
            lingered = 1;
            uint64_t t0 = wp_now_ns();
            for (unsigned i = 1;; i++) {
                wp_pause();
                s = atomic_load_explicit(&p->seq, memory_order_acquire);
                if ((s ^ seen) & ~SEQ_WARM) { *spun = 1; return s; }
                if (s & SEQ_WARM) break;
                if (i % 64 == 0 && wp_now_ns() - t0 > LINGER_NS) break;
            }
            continue;
        }
        /* Cold. Bumping `sleepers` before the futex compares `seq` makes a submitter
           that bumped `seq` after our load either see us or make the wait return. */
        atomic_fetch_add(&p->sleepers, 1);
        bump(&w->sleeps, 1);
        wp_ev_sleep(p, w->index);
        wp_futex_wait(&p->seq, s, UINT64_MAX);
        atomic_fetch_sub(&p->sleepers, 1);
    }
}

static int join(warmpool *p) {
    uint32_t g = atomic_load_explicit(&p->gate, memory_order_relaxed);
    while (g & GATE_OPEN)
        if (atomic_compare_exchange_weak_explicit(&p->gate, &g, g + 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return 1;
    return 0;
}

static void leave(warmpool *p) {
    uint32_t g = atomic_fetch_sub_explicit(&p->gate, 1, memory_order_acq_rel);
    if ((g & GATE_COUNT) == 1 && (g & GATE_WAITER)) wp_futex_wake(&p->gate, 1);
}

static void format_name(char *out, size_t size, const char *prefix, unsigned n) {
    char digits[12];
    int nd = 0;
    do digits[nd++] = (char)('0' + n % 10); while ((n /= 10) && nd < 11);
    size_t i = 0;
    for (; prefix[i] && i + nd + 2 < size; i++) out[i] = prefix[i];
    out[i++] = '-';
    while (nd) out[i++] = digits[--nd];
    out[i] = 0;
}

static void *worker_main(void *arg) {
    struct wp_worker *w = arg;
    warmpool *p = w->pool;
    char name[48];
    atomic_store(&w->self, this_thread());
    format_name(name, sizeof name, p->name, w->index);
    wp_set_thread_name(name);
    wp_ev_thread_start(p, w->index, name);
    if (p->on_start) p->on_start(p->on_start_arg, w->index);

    /* Read `seq` before reporting ready: a job posted after that is one we will see. */
    uint32_t seen = atomic_load_explicit(&p->seq, memory_order_acquire);
    atomic_fetch_add_explicit(&p->ready, 1, memory_order_release);
    wp_futex_wake(&p->ready, INT32_MAX);
    /* destroy() sets `stop` before bumping `seq`: if `seen` already has that bump, the
       check below sees `stop`; if not, await_job() will see the bump. */
    while (!atomic_load(&p->stop)) {
        int spun;
        seen = await_job(p, w, seen, &spun);
        if (atomic_load(&p->stop)) break;
        wp_after_wake();
        int joined = join(p);
        wp_ev_wake(p, w->index, seen >> 1, joined, spun);
        if (!joined) { bump(&w->late, 1); continue; }
        uint64_t chunks = 0;
        size_t items = run_chunks(p, w->index, &chunks);
        bump(&w->joins, 1);
        bump(&w->items, items);
        bump(&w->chunks, chunks);
        leave(p);
    }
    wp_ev_thread_exit(p, w->index);
    return NULL;
}

/* The submitter is out of chunks: close the gate and wait for whoever is inside. */
static void finish_job(warmpool *p) {
    uint32_t g = atomic_fetch_and_explicit(&p->gate, ~GATE_OPEN, memory_order_acq_rel);
    if (!(g & GATE_COUNT)) return;
    int warm = atomic_load_explicit(&p->seq, memory_order_relaxed) & SEQ_WARM;
    uint64_t t0 = warm ? wp_now_ns() : 0, yielded = t0;
    for (unsigned i = 1; warm || i < COLD_SPIN; i++) {
        wp_pause();
        if (!(atomic_load_explicit(&p->gate, memory_order_acquire) & GATE_COUNT)) return;
        if (warm && i % SPIN_CHECK == 0) {
            uint64_t t = wp_now_ns();
            if (t - t0 > p->cool_ns) break;
            if (t - yielded > YIELD_NS) { wp_yield(); yielded = t; }
        }
    }
    for (;;) {
        g = atomic_load_explicit(&p->gate, memory_order_acquire);
        if (!(g & GATE_COUNT)) return;
        if (!(g & GATE_WAITER) &&
            !atomic_compare_exchange_weak(&p->gate, &g, g | GATE_WAITER))
            continue;
        bump(&p->caller_sleeps, 1);
        wp_futex_wait(&p->gate, g | GATE_WAITER, UINT64_MAX);
    }
}

/* Publishes [begin, end) to the workers, takes part, returns when all is done. */
static void run_job(warmpool *p, size_t begin, size_t end, size_t g, const struct wp_call *c) {
    size_t nchunks = (end - begin - 1) / g + 1;
    /* Recorded before the job is published: the submitter is the only one adding
       SEQ_JOB here, and time spent tracing after the bump would hand the workers a head
       start they do not have untraced. */
    uint32_t s = (atomic_load_explicit(&p->seq, memory_order_relaxed) + SEQ_JOB) >> 1;
    wp_ev_job_begin(p, s, begin, end, g);
    atomic_store_explicit(&p->fn, c->fn, memory_order_relaxed);
    atomic_store_explicit(&p->tfn, c->tfn, memory_order_relaxed);
    atomic_store_explicit(&p->ctx, c->ctx, memory_order_relaxed);
    atomic_store_explicit(&p->begin, begin, memory_order_relaxed);
    atomic_store_explicit(&p->end, end, memory_order_relaxed);
    atomic_store_explicit(&p->grain, g, memory_order_relaxed);
    atomic_store_explicit(&p->span, (uint64_t)nchunks << 32, memory_order_relaxed);
    atomic_store_explicit(&p->gate, GATE_OPEN, memory_order_release);
    atomic_fetch_add(&p->seq, SEQ_JOB);
    uint32_t sleeping = atomic_load(&p->sleepers);
    if (sleeping) {
        size_t helpers = nchunks - 1;
        wp_futex_wake(&p->seq, helpers < sleeping ? (int)helpers : (int)sleeping);
        bump(&p->futex_wakes, 1);
    }
    uint64_t chunks = 0;
    size_t items = run_chunks(p, 0, &chunks);
    finish_job(p);
    wp_ev_job_end(p, s);
    bump(&p->jobs_parallel, 1);
    bump(&p->items_caller, items);
}

static int is_pool_thread(const warmpool *p) {
    uintptr_t me = this_thread();
    if (atomic_load_explicit(&p->owner, memory_order_relaxed) == me) return 1;
    for (unsigned i = 0; i < p->nworkers; i++)
        if (atomic_load_explicit(&p->workers[i].self, memory_order_relaxed) == me) return 1;
    return 0;
}
#endif /* WP_THREADS */

static void parallel_for(warmpool *p, size_t begin, size_t end, size_t grain,
                         const struct wp_call *c) {
    if (begin >= end) return;
    size_t n = end - begin;
    if (!p) { run_serial(NULL, WARMPOOL_SERIAL_NO_WORKERS, begin, end, grain, c); return; }
    if (!p->nworkers) { run_serial(p, WARMPOOL_SERIAL_NO_WORKERS, begin, end, grain, c); return; }
    size_t g = grain;
    if (!g) g = (n - 1) / (2 * ((size_t)p->nworkers + 1)) + 1;
    if (n <= g) { run_serial(p, WARMPOOL_SERIAL_TINY, begin, end, grain, c); return; }
#if WP_THREADS
    if (atomic_load_explicit(&p->ready, memory_order_acquire) < p->nworkers) {
        run_serial(p, WARMPOOL_SERIAL_NOT_READY, begin, end, grain, c);
        return;
    }
    uint32_t free_ = 0;
    if (!atomic_compare_exchange_strong_explicit(&p->busy, &free_, 1, memory_order_acquire,
                                                 memory_order_relaxed)) {
        run_serial(p, is_pool_thread(p) ? WARMPOOL_SERIAL_NESTED : WARMPOOL_SERIAL_CONCURRENT, begin, end,
                   grain, c);
        return;
    }
    atomic_store_explicit(&p->owner, this_thread(), memory_order_relaxed);

    /* `span` counts chunks in 32 bits: a range with more chunks runs as several jobs. */
    size_t most = g > SIZE_MAX / UINT32_MAX ? SIZE_MAX : g * (size_t)UINT32_MAX;
    for (size_t b = begin; b < end;) {
        size_t e = end - b > most ? b + most : end;
        run_job(p, b, e, g, c);
        b = e;
    }
    atomic_store_explicit(&p->owner, 0, memory_order_relaxed);
    atomic_store_explicit(&p->busy, 0, memory_order_release);
#else
    run_serial(p, WARMPOOL_SERIAL_NO_WORKERS, begin, end, grain, c);
#endif
}

void warmpool_parallel_for(warmpool *p, size_t begin, size_t end, size_t grain,
                           warmpool_fn fn, void *ctx) {
    const struct wp_call c = {fn, NULL, ctx};
    if (fn) parallel_for(p, begin, end, grain, &c);
}

void warmpool_parallel_for_with_thread(warmpool *p, size_t begin, size_t end, size_t grain,
                                       warmpool_thread_fn fn, void *ctx) {
    const struct wp_call c = {NULL, fn, ctx};
    if (fn) parallel_for(p, begin, end, grain, &c);
}

static void free_pool(warmpool *p) {
#if WP_THREADS
    free(p->threads);
#endif
    free(p->workers);
    free(p);
}

warmpool *warmpool_create(unsigned workers) {
    warmpool_options o = {0};
    o.workers = workers;
    return warmpool_create_ex(&o);
}

warmpool *warmpool_create_ex(const warmpool_options *opt) {
    warmpool_options o = {0};
    if (opt) o = *opt;
    if (o.workers > WARMPOOL_MAX_WORKERS) { errno = EINVAL; return NULL; }
    warmpool *p = aligned_alloc(64, sizeof *p);
    if (!p) { errno = ENOMEM; return NULL; }
    memset(p, 0, sizeof *p);
    p->requested = o.workers;
    p->cool_ns = (uint64_t)((o.cool_after_ms > 0 ? o.cool_after_ms : DEFAULT_COOL_MS) * 1e6);
    p->on_start = o.on_start;
    p->on_start_arg = o.on_start_arg;
    const char *name = o.name ? o.name : "warmpool";
    strncpy(p->name, name, sizeof p->name - 1);
    unsigned want = WP_THREADS ? o.workers : 0;
    if (!want) return p;
#if WP_THREADS
    p->workers = aligned_alloc(64, want * sizeof *p->workers);
    p->threads = calloc(want, sizeof *p->threads);
    if (!p->workers || !p->threads) { free_pool(p); errno = ENOMEM; return NULL; }
    memset(p->workers, 0, want * sizeof *p->workers);
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (!err && o.stack_size) err = pthread_attr_setstacksize(&attr, o.stack_size);
    if (err) { free_pool(p); errno = err; return NULL; }
    for (unsigned i = 0; i < want; i++) {
        p->workers[i].pool = p;
        p->workers[i].index = i + 1;
        err = pthread_create(&p->threads[i], &attr, worker_main, &p->workers[i]);
        if (err) { p->create_err = err; break; }
        p->nworkers = i + 1;
    }
    pthread_attr_destroy(&attr);
    if (!p->nworkers) { free_pool(p); errno = err; return NULL; }
#endif
    return p;
}

void warmpool_destroy(warmpool *p) {
    if (!p) return;
#if WP_THREADS
    atomic_store(&p->stop, 1);
    atomic_fetch_add(&p->seq, SEQ_JOB);
    wp_futex_wake(&p->seq, INT32_MAX);
    for (unsigned i = 0; i < p->nworkers; i++) pthread_join(p->threads[i], NULL);
#endif
    free_pool(p);
}

void warmpool_warm(warmpool *p, int warm) {
    if (!p) return;
    if (!warm) {
        if (atomic_fetch_and(&p->seq, ~SEQ_WARM) & SEQ_WARM) wp_ev_warm(p, 0, 0);
        return;
    }
    bump(&p->warm_on, 1);
    if (!(atomic_fetch_or(&p->seq, SEQ_WARM) & SEQ_WARM)) wp_ev_warm(p, 1, 0);
    /* Pay the wake-up now (pointer-down) instead of in the next job. */
    if (atomic_load(&p->sleepers)) wp_futex_wake(&p->seq, INT32_MAX);
}

int warmpool_is_warm(const warmpool *p) {
    return p ? (int)(atomic_load_explicit(&p->seq, memory_order_relaxed) & SEQ_WARM) : 0;
}

unsigned warmpool_workers(const warmpool *p) { return p ? p->nworkers : 0; }

unsigned warmpool_ready(const warmpool *p) {
    return p ? atomic_load_explicit(&p->ready, memory_order_acquire) : 0;
}

int warmpool_wait_ready(warmpool *p, double timeout_ms) {
    if (!p) return EINVAL;
    uint64_t t0 = wp_now_ns();
    uint64_t limit = timeout_ms < 0 ? UINT64_MAX : (uint64_t)(timeout_ms * 1e6);
    for (;;) {
        uint32_t r = atomic_load_explicit(&p->ready, memory_order_acquire);
        if (r >= p->nworkers) return 0;
        uint64_t spent = wp_now_ns() - t0;
        if (spent >= limit) return ETIMEDOUT;
        wp_futex_wait(&p->ready, r, limit == UINT64_MAX ? UINT64_MAX : limit - spent);
    }
}

static uint64_t get(const counter *c) { return atomic_load_explicit(c, memory_order_relaxed); }

int warmpool_get_stats(const warmpool *p, warmpool_stats *out, size_t out_size) {
    if (!p || !out || out_size < 8) return EINVAL;
    warmpool_stats s;
    memset(&s, 0, sizeof s);
    s.version = WARMPOOL_STATS_VERSION;
    s.size = (uint32_t)(out_size < sizeof s ? out_size : sizeof s);
    s.workers_requested = p->requested;
    s.workers_started = p->nworkers;
    s.create_errno = (uint64_t)p->create_err;
    s.jobs_parallel = get(&p->jobs_parallel);
    uint64_t *serial = &s.jobs_serial_not_ready; /* the fields follow the enum's order */
    for (int i = 0; i < WARMPOOL_SERIAL_REASONS; i++) serial[i] = get(&p->serial[i]);
    s.items_caller = get(&p->items_caller);
    s.futex_wakes = get(&p->futex_wakes);
    s.caller_sleeps = get(&p->caller_sleeps);
    s.warm_on = get(&p->warm_on);
    s.cooldowns = get(&p->cooldowns);
    for (unsigned i = 0; i < p->nworkers; i++) {
        const struct wp_worker *w = &p->workers[i];
        s.items_workers += get(&w->items);
        s.chunks_workers += get(&w->chunks);
        s.joins += get(&w->joins);
        s.late_wakeups += get(&w->late);
        s.worker_sleeps += get(&w->sleeps);
    }
    memcpy(out, &s, s.size);
    return 0;
}

_Static_assert(offsetof(warmpool_stats, jobs_serial_no_workers) -
                   offsetof(warmpool_stats, jobs_serial_not_ready) ==
               sizeof(uint64_t) * WARMPOOL_SERIAL_NO_WORKERS,
               "jobs_serial_* follow enum warmpool_serial_reason");

void warmpool_reset_stats(warmpool *p) {
    if (!p) return;
    counter *all[] = {&p->jobs_parallel, &p->items_caller, &p->futex_wakes,
                      &p->caller_sleeps, &p->warm_on, &p->cooldowns};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) atomic_store(all[i], 0);
    for (size_t i = 0; i < WARMPOOL_SERIAL_REASONS; i++) atomic_store(&p->serial[i], 0);
    for (unsigned i = 0; i < p->nworkers; i++) {
        struct wp_worker *w = &p->workers[i];
        counter *mine[] = {&w->joins, &w->items, &w->chunks, &w->late, &w->sleeps};
        for (size_t j = 0; j < sizeof mine / sizeof mine[0]; j++) atomic_store(mine[j], 0);
    }
}
