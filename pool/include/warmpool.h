/* warmpool.h - a small, warm thread pool for C called from Python (CPython or Wasm).
 *
 * The manual
 * ----------
 * A pool owns `workers` threads that start once in warmpool_create() and live until
 * warmpool_destroy(). warmpool_parallel_for() splits [begin, end) into chunks of at most
 * `grain` items and runs them on the calling thread *and* the workers; it returns when
 * every item is done and no pool thread can still touch `fn` or `ctx`.
 *
 *   static void add_one(void *ctx, size_t b, size_t e) {
 *       float *x = ctx; for (size_t i = b; i < e; i++) x[i] += 1;
 *   }
 *   warmpool *p = warmpool_create(3);            // NULL and errno on failure
 *   warmpool_parallel_for(p, 0, n, 0, add_one, x);
 *   warmpool_destroy(p);
 *
 * Guarantees
 * - Every item in [begin, end) is passed to `fn` exactly once; chunks never overlap and
 *   never leave the range, even next to SIZE_MAX.
 * - parallel_for never blocks on a thread that is not working on the job: until every
 *   worker has reported ready it runs the whole range on the caller (Wasm workers start
 *   only after the JS event loop turns), and a worker that has not woken up yet when the
 *   job is finished is simply not waited for: the caller runs its share too.
 * - Each pool thread owns an equal share of the job's chunks, the same share call after
 *   call for the same range and grain (so its data stays in its cache); it claims its
 *   chunks in batches (one atomic per batch, not per chunk), and a thread done with its
 *   share takes half of what is left of another's. So a grain of 1 costs about one
 *   indirect call per item, and `fn` is still called once per chunk of at most `grain`
 *   items.
 * - A call from inside `fn` (nested) or from a second thread while a job runs
 *   (concurrent) never blocks and never deadlocks: it runs serially on its own thread.
 *   warmpool_get_stats() says how many jobs ran serially and why.
 * - No heap allocation, lock or system call on the parallel_for path, except a futex
 *   wake when workers are asleep (see Cold below) and a futex wait when the caller must
 *   wait for a worker that is still running a chunk.
 *
 * Cold and warm
 * - Cold (the default): after a job, idle workers spin for 50 us (catching back-to-back
 *   calls), then sleep on a futex. Waking one costs the caller a system call (a few
 *   microseconds on a VM) and the worker microseconds to tens of microseconds, which the
 *   caller never waits for. A woken worker cannot help a job shorter than its wake-up, so
 *   when the pool's last cold job was that short the caller starts the next one alone and
 *   wakes the sleepers only if it is still busy with work left after a few microseconds
 *   (checked between chunks): short cold jobs cost about what the work
 *   costs; a long job right after short ones gets its helpers that much later, once.
 * - Warm (warmpool_warm(p, 1), e.g. on pointer-down): idle workers and a waiting caller
 *   busy-wait with a CPU pause hint and yield now and then. The pool turns warm mode off
 *   by itself after `cool_after_ms` without a job, so a program that forgets
 *   warmpool_warm(p, 0) burns at most that much CPU per worker.
 *
 * Thread safety: every function may be called from any thread, concurrently, except
 * warmpool_destroy(), which must not race with any other call on the same pool.
 * NULL pool: parallel_for runs serially on the caller, warm is a no-op, workers/ready
 * return 0, wait_ready and get_stats return EINVAL, destroy is a no-op.
 *
 * Wasm (Emscripten -pthread side module)
 * - Workers are Web Workers; they start only after the main JS thread returns to its
 *   event loop. Jobs submitted before then run serially (never deadlock), and destroy
 *   called before then returns at once (the workers exit once they start).
 *   warmpool_wait_ready() called from the JS main thread before that can only time out.
 * - The library built without -pthread (for runtimes without threads, e.g. stock
 *   Pyodide) has the same API; its pools have zero workers and run every job on the
 *   caller. stats.workers_requested still says what was asked for.
 * - `fn` must be a C function (a wasm table entry). A JS function wrapped by
 *   addFunction() cannot run on a pool thread.
 */
#ifndef WARMPOOL_H
#define WARMPOOL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WARMPOOL_MAX_WORKERS 256

typedef struct warmpool warmpool;

/* One chunk: fn(ctx, begin, end) with begin < end, to do items begin..end-1. */
typedef void (*warmpool_fn)(void *ctx, size_t begin, size_t end);

/* Zero-initialise, then set what you need; every zero field takes its default. */
typedef struct warmpool_options {
    unsigned workers;       /* threads besides the caller; 0 = run everything on the caller */
    double cool_after_ms;   /* warm mode turns itself off after this long without a job;
                               <= 0: 200 ms */
    const char *name;       /* thread name prefix: "warmpool" -> "warmpool-1"...; NULL:
                               "warmpool". Copied; at most 31 bytes are kept. */
    size_t stack_size;      /* worker stack in bytes; 0: the platform default */
    /* Called on each new worker thread (worker = 1..workers) before it reports ready,
       e.g. to pin it or to register it with a profiler. May block: the pool stays
       usable (serially) until it returns, and destroy does not wait for it (see
       warmpool_destroy). Not called on a worker that starts after destroy. NULL: nothing. */
    void (*on_start)(void *arg, unsigned worker);
    void *on_start_arg;
    unsigned flags;         /* WARMPOOL_CLAIM_ONE or 0 */
} warmpool_options;

/* By default a thread takes several chunks of its share at once (one atomic per batch,
   which is what makes fine grains cheap), so a chunk must not wait for another chunk of
   the same job: that one may sit in the waiting thread's own batch. With
   WARMPOOL_CLAIM_ONE chunks are taken one at a time, each by whichever thread is free, so
   a chunk may wait for the others to finish as long as enough threads are ready
   (pthreadpool's contract), at the price of an atomic per chunk. */
#define WARMPOOL_CLAIM_ONE 1u

/* NULL and errno: EINVAL (workers > WARMPOOL_MAX_WORKERS), ENOMEM, or the error of
   pthread_create when not a single worker could be started. If only some start, the
   pool keeps those (warmpool_workers() and stats say how many). */
warmpool *warmpool_create(unsigned workers);
warmpool *warmpool_create_ex(const warmpool_options *opt); /* opt NULL: all defaults */

/* Stops the workers and releases the pool; returns promptly in every state and never
   waits for a thread that cannot run without the caller. Workers that are sleeping,
   spinning, or (natively) created but not started yet are joined: natively, once destroy
   returns no worker is left, except one still inside on_start. A worker still inside
   on_start (it may block), or on Wasm one whose Web Worker has not started (it starts
   only after the JS event loop turns, so joining it from the JS main thread would hang),
   is not waited for: it exits as soon as it gets to run, without calling on_start (if
   it had not) and without running any job, and the pool's memory stays valid for it
   until it is out (whoever leaves last frees it). So on_start_arg must outlive an
   on_start call still in progress, and on Wasm Web Workers are given back to the runtime
   only after the event loop turns. */
void warmpool_destroy(warmpool *pool);

/* Runs fn over [begin, end) in chunks of at most `grain` items (0: about two chunks per
   thread, which keeps hand-offs few and lets a thread that is done first take over the
   second chunk of a late one). Any grain, down to 1, is fine: chunks are dealt in
   per-thread shares and claimed in batches (see Guarantees). begin >= end or fn NULL:
   returns at once. */
void warmpool_parallel_for(warmpool *pool, size_t begin, size_t end, size_t grain,
                           warmpool_fn fn, void *ctx);

/* The same with the index of the pool thread that runs each chunk, for per-thread
   scratch: fn(ctx, thread, begin, end), thread 0 for the submitting thread and
   1..warmpool_workers() for the workers; index k > 0 is always worker k's OS thread.
   Two chunks of one job that run at the same time never see the same index. Index k
   starts with thread k's share of the chunks, but chunks taken from another share run
   under the taker's index, so which items an index sees can vary between calls. A job
   that runs serially (workers not ready, the pool has none, the range is one chunk)
   sees 0 in every chunk; so do a nested call (made from inside fn: it runs on that
   thread, which may itself be worker k of the outer job) and a concurrent call from
   another thread while a job runs. So two such serial jobs on two threads both see 0 at
   the same time: scratch indexed by `thread` must then belong to the job (one set per
   call), not to the pool. */
typedef void (*warmpool_thread_fn)(void *ctx, unsigned thread, size_t begin, size_t end);
void warmpool_parallel_for_with_thread(warmpool *pool, size_t begin, size_t end, size_t grain,
                                       warmpool_thread_fn fn, void *ctx);

/* warm != 0: workers busy-wait for jobs from now on (sleepers are woken now, so the
   wake-up cost is paid here rather than by the next job). 0: they go back to sleep. */
void warmpool_warm(warmpool *pool, int warm);
int warmpool_is_warm(const warmpool *pool); /* 1 while warm, 0 once off or cooled */

unsigned warmpool_workers(const warmpool *pool); /* threads started, caller excluded */
unsigned warmpool_ready(const warmpool *pool);   /* workers started and waiting for jobs */

/* 0 once every worker is ready, ETIMEDOUT after timeout_ms (< 0: wait forever),
   EINVAL for a NULL pool. */
int warmpool_wait_ready(warmpool *pool, double timeout_ms);

/* Why a job ran serially on the calling thread: the order of the jobs_serial_* fields
   below and the `c` of a WARMPOOL_TRACE_SERIAL event. */
enum warmpool_serial_reason {
    WARMPOOL_SERIAL_NOT_READY,   /* workers not all started yet */
    WARMPOOL_SERIAL_NESTED,      /* called from inside a job of this pool */
    WARMPOOL_SERIAL_CONCURRENT,  /* another thread's job was running */
    WARMPOOL_SERIAL_TINY,        /* the range fit in a single chunk */
    WARMPOOL_SERIAL_NO_WORKERS,  /* the pool has no workers */
    WARMPOOL_SERIAL_REASONS
};

/* Counters since create (or the last reset). Fields are only ever appended; `version`
   and `size` say what the library filled in. */
#define WARMPOOL_STATS_VERSION 1
typedef struct warmpool_stats {
    uint32_t version;               /* WARMPOOL_STATS_VERSION of the library */
    uint32_t size;                  /* bytes filled in */
    uint64_t workers_requested;
    uint64_t workers_started;
    uint64_t create_errno;          /* pthread_create's error for the first failed worker */
    uint64_t jobs_parallel;         /* jobs offered to the workers */
    uint64_t jobs_serial_not_ready; /* run on the caller: workers not all started yet */
    uint64_t jobs_serial_nested;    /* ...: called from inside a job of this pool */
    uint64_t jobs_serial_concurrent;/* ...: another thread's job was running */
    uint64_t jobs_serial_tiny;      /* ...: the range fit in a single chunk */
    uint64_t jobs_serial_no_workers;/* ...: the pool has no workers */
    uint64_t items_caller;          /* items run by submitting threads, serial jobs included */
    uint64_t items_workers;         /* items run by pool workers */
    uint64_t chunks_workers;        /* chunks run by pool workers */
    uint64_t joins;                 /* times a worker joined a job */
    uint64_t late_wakeups;          /* a worker woke for a job that was already finished */
    uint64_t futex_wakes;           /* wake calls made because workers were asleep */
    uint64_t caller_sleeps;         /* the caller slept waiting for a worker's last chunk */
    uint64_t worker_sleeps;         /* a worker went to sleep on the futex */
    uint64_t warm_on;               /* warmpool_warm(pool, 1) calls */
    uint64_t cooldowns;             /* warm mode turned off by itself after cool_after_ms */
} warmpool_stats;

/* Copies at most out_size bytes of the counters into *out. 0, or EINVAL for a NULL
   argument or out_size < 8. */
int warmpool_get_stats(const warmpool *pool, warmpool_stats *out, size_t out_size);
void warmpool_reset_stats(warmpool *pool); /* zeroes the job/item/wake counters */

#ifdef __cplusplus
}
#endif
#endif
