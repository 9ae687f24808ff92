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
 * - The job's chunks are dealt out before it starts: thread t (0 the submitter, k worker
 *   k) owns the t-th equal share, the same one call after call (its cache lines stay
 *   put), in its own `range` word on its own cache line. An owner claims from the front
 *   of its share, a batch of 1/8 of what is left at a time (so the atomic is paid once
 *   per batch, not per chunk, and the batches shrink towards the end); a thread whose
 *   share is empty steals half of another's from the back and runs it. A worker that
 *   has not joined never claims its share, so the submitter steals all of it.
 * - When the submitter finds every share empty it closes the gate: workers that have not
 *   joined yet never will, so it waits only for the ones inside, which are finishing
 *   their last batch. A worker that wakes late finds the gate closed and goes back to
 *   waiting: it never delays a caller, and the caller never waits for all workers to
 *   check in.
 * - Cold jobs (workers asleep) cost the submitter a futex wake, and a woken worker needs
 *   microseconds to arrive. When the last cold job was shorter than that, waking cannot
 *   help the next one: the submitter starts alone, one chunk at a time, and wakes the
 *   sleepers only once it has been busy for WAKE_DEFER_NS with work still left. Not in
 *   jobs whose chunks may wait for each other (claimed one at a time): those wake the
 *   sleepers at once.
 *
 * Lifetime: the pool block is freed by whoever leaves it last (`refs`: destroy, and every
 * worker thread not yet exited). destroy joins the workers in the job loop, and natively
 * also those not started yet (they start by themselves, see `stop` and exit); it detaches
 * the others (Web Workers waiting for the JS event loop, workers still in on_start): each
 * of those, when it gets to run, finds itself abandoned (`state`) and exits without
 * calling on_start or running any job.
 */
#include "warmpool.h"
#include "pool/items.h"
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
#define BATCH_SHIFT 3      /* an owner claims 1/8 of what is left of its share at once */
#define CHUNK_BIAS 512     /* added to every chunk index in a share (see claim_own) */
_Static_assert(CHUNK_BIAS > WARMPOOL_MAX_WORKERS + 1, "a share may overshoot by one per thread");
#define WAKE_DEFER_NS 5000 /* about what a sleeping worker takes to arrive after a wake */
#define DEFAULT_COOL_MS 200.0

typedef _Atomic uint64_t counter;

/* A job function of any of the three kinds, cast back by `kind` before the call. */
typedef void (*any_fn)(void);
enum call_kind {
    CALL_RANGE,  /* warmpool_fn: parallel_for */
    CALL_THREAD, /* warmpool_thread_fn: parallel_for_with_thread */
    CALL_ITEM    /* wp_item_fn: wp_parallel_for_items */
};

static inline void bump(counter *c, uint64_t n) {
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/* Where a worker thread is in its life; destroy and the worker agree on it by CAS. */
enum { W_CREATED, W_STARTING, W_RUNNING, W_ABANDONED };

/* One per pool thread, on its own cache line(s): slot 0 is the submitting thread's share
   of the job, slot k worker k's. Only its owner claims from the front of `range` and
   writes its counters; thieves take from the back of `range`. */
struct wp_worker {
    alignas(64) _Atomic uint64_t range; /* unclaimed chunks [lo, hi): lo low 32 bits, hi high */
    struct warmpool *pool;
    unsigned index;          /* 1..workers; 0 is the submitter's slot */
    _Atomic uint32_t state;  /* W_*: workers only */
    _Atomic uintptr_t self;  /* the worker's own thread id, written by the worker */
    counter joins, items, chunks, late, sleeps;
};

struct warmpool {
    /* Written by create, read-only afterwards. */
    unsigned nworkers, requested;
    int create_err;
    uint64_t cool_ns;
    struct wp_worker *slots; /* nworkers + 1 */
#if WP_THREADS
    pthread_t *threads;
#endif
    void (*on_start)(void *, unsigned);
    void *on_start_arg;
    int claim_one;           /* WARMPOOL_CLAIM_ONE */
    char name[32];
    _Atomic uint32_t refs;   /* destroy not yet called (1) + worker threads not yet exited */

    /* Polled by every spinning worker; written once per job, warm switch or destroy. */
    alignas(64) _Atomic uint32_t seq;
    _Atomic uint32_t sleepers;

    /* The job, written by the submitter while the gate is closed and empty, read by
       workers after they joined. Relaxed atomics: the gate's CAS orders them. */
    alignas(64) _Atomic uint32_t gate;
    _Atomic uint32_t kind; /* enum call_kind: what `fn` is */
    _Atomic(any_fn) fn;
    _Atomic(const wp_bracket *) around;
    _Atomic(void *) ctx;
    _Atomic size_t begin, end, grain; /* with the above, one cache line */

    alignas(64) _Atomic uint32_t busy; /* a parallel job is in flight */
    _Atomic uintptr_t owner;           /* its submitter, to tell nested from concurrent */
    _Atomic uint32_t ready, stop;
    _Atomic uint64_t cold_ns;          /* how long the last job that found sleepers took */

    alignas(64) counter jobs_parallel, serial[WARMPOOL_SERIAL_REASONS], items_caller, futex_wakes, caller_sleeps,
        warm_on, cooldowns;
};

#define JOB_BYTES \
    (offsetof(struct warmpool, grain) + sizeof(size_t) - offsetof(struct warmpool, gate))
_Static_assert(JOB_BYTES <= 64, "a worker reads the whole job from one cache line");

/* A job's function (and an item job's bracket). */
struct wp_call {
    enum call_kind kind;
    any_fn fn;
    void *ctx;
    const wp_bracket *around;
};
static inline void call(const struct wp_call *c, unsigned thread, size_t b, size_t e) {
    switch (c->kind) {
    case CALL_ITEM:
        for (; b < e; b++) ((wp_item_fn)c->fn)(c->ctx, b);
        break;
    case CALL_THREAD: ((warmpool_thread_fn)c->fn)(c->ctx, thread, b, e); break;
    default: ((warmpool_fn)c->fn)(c->ctx, b, e);
    }
}

/* Runs the whole range on the calling thread (thread index 0), in chunks of `grain` when
   one was given. */
static void run_serial(warmpool *p, enum warmpool_serial_reason why, size_t begin, size_t end,
                       size_t grain, const struct wp_call *c) {
    if (p) wp_ev_serial(p, why, begin, end);
    if (!grain) grain = end - begin;
    unsigned saved = c->around ? c->around->enter() : 0;
    for (size_t b = begin; b < end;) {
        size_t e = end - b > grain ? b + grain : end;
        call(c, 0, b, e);
        b = e;
    }
    if (c->around) c->around->leave(saved);
    if (p) {
        bump(&p->serial[why], 1);
        bump(&p->items_caller, end - begin);
    }
}

static void free_pool(warmpool *p) {
#if WP_THREADS
    free(p->threads);
#endif
    free(p->slots);
    free(p);
}

/* Drops one reference; the last one frees the block. */
static void unref(warmpool *p) {
    if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1) free_pool(p);
}

#if WP_THREADS
static uintptr_t this_thread(void) { return (uintptr_t)pthread_self(); }

/* The owner's claim: a batch from the front of its own share (one chunk if `one`). 0 when
   it is empty.
   One chunk is a single atomic add (and a thief's, below, a single subtract), without
   the load and retry of a CAS: on a job of fine chunks that add is most of what a chunk
   costs, and a CAS that lost to the owner's add retries on a contended line. An add or a
   subtract that finds the share empty still lands: lo moves past hi, which every reader
   takes as empty. They stay inside their 32 bits: the owner adds to an empty share at
   most once (run_chunks), and a thief subtracts only from a share it saw non-empty, so at
   most once per thief; indices start at CHUNK_BIAS (above the most threads) and end below
   UINT32_MAX (run_job). */
static int claim_own(_Atomic uint64_t *r, uint32_t *first, uint32_t *count, int one) {
    if (one) {
        uint64_t v = atomic_fetch_add_explicit(r, 1, memory_order_relaxed);
        *first = (uint32_t)v;
        *count = 1;
        return (uint32_t)v < (uint32_t)(v >> 32);
    }
    uint64_t v = atomic_load_explicit(r, memory_order_relaxed);
    for (;;) {
        uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
        if (lo >= hi) return 0;
        uint32_t k = one ? 1 : (hi - lo) >> BATCH_SHIFT;
        if (!k) k = 1;
        if (atomic_compare_exchange_weak_explicit(r, &v, (uint64_t)hi << 32 | (lo + k),
                                                  memory_order_relaxed, memory_order_relaxed)) {
            *first = lo;
            *count = k;
            return 1;
        }
    }
}

/* A thief's claim: half (rounded up) of another share, from the back (one chunk if
   `one`). */
static int steal(_Atomic uint64_t *r, uint32_t *first, uint32_t *count, int one) {
    uint64_t v = atomic_load_explicit(r, memory_order_relaxed);
    if (one) {
        if ((uint32_t)v >= (uint32_t)(v >> 32)) return 0;
        v = atomic_fetch_sub_explicit(r, (uint64_t)1 << 32, memory_order_relaxed);
        *first = (uint32_t)(v >> 32) - 1;
        *count = 1;
        return (uint32_t)v < (uint32_t)(v >> 32);
    }
    for (;;) {
        uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
        if (lo >= hi) return 0;
        uint32_t k = (hi - lo + 1) / 2;
        if (atomic_compare_exchange_weak_explicit(r, &v, (uint64_t)(hi - k) << 32 | lo,
                                                  memory_order_relaxed, memory_order_relaxed)) {
            *first = hi - k;
            *count = k;
            return 1;
        }
    }
}

/* A cold job on the submitter: the sleepers it has not woken yet (a deferred wake), when
   the job started, and when the submitter last looked at the clock (0: not yet). */
struct wake_plan { uint32_t sleeping; size_t helpers; uint64_t t0, seen; };

static void wake_sleepers(warmpool *p, uint32_t sleeping, size_t helpers) {
    wp_futex_wake(&p->seq, helpers < sleeping ? (int)helpers : (int)sleeping);
    bump(&p->futex_wakes, 1);
}

/* Claims and runs chunks, own share first, then stolen ones, until every share is
   empty; returns the items done. `plan` (the submitter of a cold job only) wakes
   deferred sleepers once WAKE_DEFER_NS have passed with work left: until then it claims
   one chunk at a time, so that a long first batch cannot hold the wake back, and reads
   the clock between chunks (not before the first). */
static size_t run_chunks(warmpool *p, unsigned thread, uint64_t *chunks, struct wake_plan *plan) {
    const struct wp_call job = {atomic_load_explicit(&p->kind, memory_order_relaxed),
                                atomic_load_explicit(&p->fn, memory_order_relaxed),
                                atomic_load_explicit(&p->ctx, memory_order_relaxed),
                                atomic_load_explicit(&p->around, memory_order_relaxed)};
    size_t begin = atomic_load_explicit(&p->begin, memory_order_relaxed);
    size_t end = atomic_load_explicit(&p->end, memory_order_relaxed);
    size_t grain = atomic_load_explicit(&p->grain, memory_order_relaxed);
    size_t nchunks = (end - begin - 1) / grain + 1;
    unsigned nthreads = p->nworkers + 1;
    _Atomic uint64_t *mine = &p->slots[thread].range;
    size_t items = 0;
    uint64_t n = 0;
    unsigned saved = job.around ? job.around->enter() : 0;
    if (job.kind == CALL_ITEM && !plan && !WP_TRACING()) { /* the loop below, one item at a time */
        const wp_item_fn ifn = (wp_item_fn)job.fn;
        const size_t base = begin - CHUNK_BIAS;
        uint32_t c, k;
        while (claim_own(mine, &c, &k, 1)) {
            ifn(job.ctx, base + c);
            n++;
        }
        for (unsigned i = 1; i < nthreads; i++) { /* a share seen empty stays empty */
            unsigned v = thread + i < nthreads ? thread + i : thread + i - nthreads;
            while (steal(&p->slots[v].range, &c, &k, 1)) {
                ifn(job.ctx, base + c);
                n++;
            }
        }
        if (job.around) job.around->leave(saved);
        *chunks += n;
        return n;
    }
    int own_left = 1; /* nobody adds to a share: once empty, it stays empty */
    for (;;) {
        uint32_t c, k;
        int pending = plan && plan->sleeping;
        int one = pending || p->claim_one || job.kind == CALL_ITEM;
        if (!own_left || !(own_left = claim_own(mine, &c, &k, one))) {
            unsigned v = thread, got = 0;
            for (unsigned i = 1; i < nthreads && !got; i++) {
                if (++v == nthreads) v = 0;
                got = steal(&p->slots[v].range, &c, &k, one);
            }
            if (!got) break;
        }
        if (pending && n) {
            plan->seen = wp_now_ns();
            if (plan->seen - plan->t0 > WAKE_DEFER_NS) {
                wake_sleepers(p, plan->sleeping, plan->helpers);
                plan->sleeping = 0;
            }
        }
        /* The batch is chunks c..c+k-1, items [b, stop). */
        c -= CHUNK_BIAS;
        size_t b = begin + (size_t)c * grain;
        size_t stop = c + k == nchunks ? end : begin + (size_t)(c + k) * grain;
        items += stop - b;
        n += k;
        if (WP_TRACING()) {
            for (size_t e; b < stop; b = e) {
                e = stop - b > grain ? b + grain : stop;
                wp_ev_chunk_begin(p, thread, b, e);
                call(&job, thread, b, e);
                wp_ev_chunk_end(p, thread);
            }
        } else {
            for (size_t e; b < stop; b = e) {
                e = stop - b > grain ? b + grain : stop;
                call(&job, thread, b, e);
            }
        }
    }
    if (job.around) job.around->leave(saved);
    *chunks += n;
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

/* Moves the worker from `from` to `to` unless destroy abandoned it first. Sequentially
   consistent with destroy's store of `stop` and its load of `state`: a worker that
   destroy saw as not started sees `stop` once it starts. */
static int advance(struct wp_worker *w, uint32_t from, uint32_t to) {
    return atomic_compare_exchange_strong(&w->state, &from, to);
}

static void *worker_main(void *arg) {
    struct wp_worker *w = arg;
    warmpool *p = w->pool;
    unsigned index = w->index;
    /* Started after destroy was called (abandoned, or joined before it ever ran): the
       block is still ours until unref, but no job, hook or name is. */
    if (!advance(w, W_CREATED, W_STARTING) || atomic_load(&p->stop)) goto out;
    char name[48];
    atomic_store(&w->self, this_thread());
    format_name(name, sizeof name, p->name, index);
    wp_set_thread_name(name);
    wp_ev_thread_start(p, index, name);
    if (p->on_start) p->on_start(p->on_start_arg, index);
    if (advance(w, W_STARTING, W_RUNNING)) {
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
            wp_ev_wake(p, index, seen >> 1, joined, spun);
            if (!joined) { bump(&w->late, 1); continue; }
            uint64_t chunks = 0;
            size_t items = run_chunks(p, index, &chunks, NULL);
            bump(&w->joins, 1);
            bump(&w->items, items);
            bump(&w->chunks, chunks);
            leave(p);
        }
    }
out:
    wp_ev_thread_exit(p, index);
    unref(p);
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
    uint64_t nthreads = p->nworkers + 1;
    /* Recorded before the job is published: the submitter is the only one adding
       SEQ_JOB here, and time spent tracing after the bump would hand the workers a head
       start they do not have untraced. */
    uint32_t s = (atomic_load_explicit(&p->seq, memory_order_relaxed) + SEQ_JOB) >> 1;
    wp_ev_job_begin(p, s, begin, end, g);
    atomic_store_explicit(&p->kind, c->kind, memory_order_relaxed);
    atomic_store_explicit(&p->fn, c->fn, memory_order_relaxed);
    atomic_store_explicit(&p->around, c->around, memory_order_relaxed);
    atomic_store_explicit(&p->ctx, c->ctx, memory_order_relaxed);
    atomic_store_explicit(&p->begin, begin, memory_order_relaxed);
    atomic_store_explicit(&p->end, end, memory_order_relaxed);
    atomic_store_explicit(&p->grain, g, memory_order_relaxed);
    /* One division for all shares: the first nchunks % nthreads get one chunk more. */
    uint64_t share = nchunks / nthreads, extra = nchunks % nthreads;
    for (uint64_t t = 0, lo = CHUNK_BIAS; t < nthreads; t++) {
        uint64_t hi = lo + share + (t < extra);
        atomic_store_explicit(&p->slots[t].range, hi << 32 | lo, memory_order_relaxed);
        lo = hi;
    }
    atomic_store_explicit(&p->gate, GATE_OPEN, memory_order_release);
    atomic_fetch_add(&p->seq, SEQ_JOB);
    /* A cold job is timed from after the wake (if any): what is learnt is how long the
       job itself runs, next to how long a woken worker takes to arrive. */
    struct wake_plan plan = {atomic_load(&p->sleepers), nchunks - 1, 0, 0};
    int cold = plan.sleeping != 0;
    /* A chunk that may wait for the others (claimed one at a time) could wait forever
       for sleepers a deferred wake has not woken yet: those jobs wake them at once. */
    int may_wait = p->claim_one || c->kind == CALL_ITEM;
    uint64_t last_cold = atomic_load_explicit(&p->cold_ns, memory_order_relaxed);
    if (cold && (may_wait || last_cold >= WAKE_DEFER_NS)) {
        wake_sleepers(p, plan.sleeping, plan.helpers);
        plan.sleeping = 0;
    }
    if (cold) plan.t0 = wp_now_ns();
    uint64_t chunks = 0;
    size_t items = run_chunks(p, 0, &chunks, plan.sleeping ? &plan : NULL);
    finish_job(p);
    /* A job that never woke anyone ends about when the clock was last read (its last
       batch was short); saving that read keeps short cold jobs cheap. */
    if (cold) {
        uint64_t t = plan.sleeping && plan.seen ? plan.seen : wp_now_ns();
        atomic_store_explicit(&p->cold_ns, t - plan.t0, memory_order_relaxed);
    }
    wp_ev_job_end(p, s);
    bump(&p->jobs_parallel, 1);
    bump(&p->items_caller, items);
}

static int is_pool_thread(const warmpool *p) {
    uintptr_t me = this_thread();
    if (atomic_load_explicit(&p->owner, memory_order_relaxed) == me) return 1;
    for (unsigned i = 1; i <= p->nworkers; i++)
        if (atomic_load_explicit(&p->slots[i].self, memory_order_relaxed) == me) return 1;
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

    /* Shares count chunks in 32 bits, biased (see claim_own): a range with more chunks
       runs as several jobs. */
    const size_t max_chunks = UINT32_MAX - 1 - CHUNK_BIAS;
    size_t most = g > SIZE_MAX / max_chunks ? SIZE_MAX : g * max_chunks;
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
    const struct wp_call c = {CALL_RANGE, (any_fn)fn, ctx, NULL};
    if (fn) parallel_for(p, begin, end, grain, &c);
}

void warmpool_parallel_for_with_thread(warmpool *p, size_t begin, size_t end, size_t grain,
                                       warmpool_thread_fn fn, void *ctx) {
    const struct wp_call c = {CALL_THREAD, (any_fn)fn, ctx, NULL};
    if (fn) parallel_for(p, begin, end, grain, &c);
}

void wp_parallel_for_items(warmpool *p, size_t n, wp_item_fn fn, void *ctx,
                           const wp_bracket *around) {
    const struct wp_call c = {CALL_ITEM, (any_fn)fn, ctx, around};
    if (fn) parallel_for(p, 0, n, 1, &c);
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
    p->claim_one = !!(o.flags & WARMPOOL_CLAIM_ONE);
    /* Until a cold job says otherwise, wake sleepers as soon as a job starts. */
    atomic_store_explicit(&p->cold_ns, UINT64_MAX, memory_order_relaxed);
    atomic_store_explicit(&p->refs, 1, memory_order_relaxed);
    const char *name = o.name ? o.name : "warmpool";
    strncpy(p->name, name, sizeof p->name - 1);
    unsigned want = WP_THREADS ? o.workers : 0;
    if (!want) return p;
#if WP_THREADS
    p->slots = aligned_alloc(64, (want + 1) * sizeof *p->slots);
    p->threads = calloc(want, sizeof *p->threads);
    if (!p->slots || !p->threads) { free_pool(p); errno = ENOMEM; return NULL; }
    memset(p->slots, 0, (want + 1) * sizeof *p->slots);
    pthread_attr_t attr;
    int err = pthread_attr_init(&attr);
    if (!err && o.stack_size) err = pthread_attr_setstacksize(&attr, o.stack_size);
    if (err) { free_pool(p); errno = err; return NULL; }
    for (unsigned i = 1; i <= want; i++) {
        struct wp_worker *w = &p->slots[i];
        w->pool = p;
        w->index = i;
        atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
        err = pthread_create(&p->threads[i - 1], &attr, worker_main, w);
        if (err) {
            atomic_fetch_sub_explicit(&p->refs, 1, memory_order_relaxed);
            p->create_err = err;
            break;
        }
        p->nworkers = i;
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
    for (unsigned i = 1; i <= p->nworkers; i++) {
        struct wp_worker *w = &p->slots[i];
        /* A worker in the job loop sees `stop` and exits now: join it; so is one not
           started yet where threads start by themselves (it will see `stop`). One that
           may need this very thread to return first (a Web Worker starts only once the
           JS event loop turns), or that is still in on_start (which may block), is left
           to free itself, and the block if it is the last one out. */
        for (uint32_t st = atomic_load(&w->state);; st = atomic_load(&w->state)) {
            if (st == W_RUNNING || (WP_JOIN_UNSTARTED && st == W_CREATED)) {
                pthread_join(p->threads[i - 1], NULL);
                break;
            }
            if (advance(w, st, W_ABANDONED)) {
                pthread_detach(p->threads[i - 1]);
                break;
            }
        }
    }
#endif
    unref(p);
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
    for (unsigned i = 1; i <= p->nworkers; i++) {
        const struct wp_worker *w = &p->slots[i];
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
    for (unsigned i = 1; i <= p->nworkers; i++) {
        struct wp_worker *w = &p->slots[i];
        counter *mine[] = {&w->joins, &w->items, &w->chunks, &w->late, &w->sleeps};
        for (size_t j = 0; j < sizeof mine / sizeof mine[0]; j++) atomic_store(mine[j], 0);
    }
}
