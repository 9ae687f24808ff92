/* events.h - the pool's trace points. pool.c calls these; the tracer (trace*.c) records
   them. `thread` is 0 for a submitting thread and 1..workers for pool workers.
   A disabled tracer costs one relaxed load and a branch per call; the recording itself is
   out of line (trace/record.c) so pool.c's hot loops stay small. */
#ifndef WARMPOOL_EVENTS_H
#define WARMPOOL_EVENTS_H
#include "warmpool.h"
#include "warmpool_trace.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct warmpool;

#define WP_HIDDEN __attribute__((visibility("hidden")))
#define WP_EV static inline WARMPOOL_TRACE_NOINSTR void

/* The global switch (trace/record.c). Hidden: the .so reaches it PC-relative, not via the GOT. */
extern _Atomic int wp_trace_on WP_HIDDEN;
/* Records one event of `kind` (enum warmpool_trace_kind) with a head word x and, for
   kinds that have them, a small argument (< 2^56) and up to three more words. */
void wp_trace_ev(unsigned kind, uint64_t x, uint64_t small, uint64_t a1, uint64_t a2,
                 uint64_t a3) WP_HIDDEN WARMPOOL_TRACE_NOINSTR;
#define WP_TRACING() \
    __builtin_expect(atomic_load_explicit(&wp_trace_on, memory_order_relaxed), 0)
#define WP_P(p) ((uint64_t)(uintptr_t)(p))

/* A parallel job was published (seq is the pool's job sequence number). */
WP_EV wp_ev_job_begin(const struct warmpool *p, unsigned seq, size_t begin, size_t end,
                      size_t grain) {
    if (WP_TRACING()) wp_trace_ev(WARMPOOL_TRACE_JOB_BEGIN, WP_P(p), seq, begin, end, grain);
}
/* The submitting thread is about to return from a parallel job. */
WP_EV wp_ev_job_end(const struct warmpool *p, unsigned seq) {
    if (WP_TRACING()) wp_trace_ev(WARMPOOL_TRACE_JOB_END, WP_P(p), seq, 0, 0, 0);
}
/* A job ran serially on the calling thread, and why. */
WP_EV wp_ev_serial(const struct warmpool *p, enum warmpool_serial_reason why, size_t begin,
                   size_t end) {
    if (WP_TRACING()) wp_trace_ev(WARMPOOL_TRACE_SERIAL, WP_P(p), (uint64_t)why, begin, end, 0);
}
/* One chunk, around the call of fn. */
WP_EV wp_ev_chunk_begin(const struct warmpool *p, unsigned thread, size_t b, size_t e) {
    (void)p;
    if (WP_TRACING()) wp_trace_ev(WARMPOOL_TRACE_CHUNK_BEGIN, b, thread, e, 0, 0);
}
WP_EV wp_ev_chunk_end(const struct warmpool *p, unsigned thread) {
    (void)p;
    if (WP_TRACING()) wp_trace_ev(WARMPOOL_TRACE_CHUNK_END, thread, 0, 0, 0, 0);
}
/* A worker noticed job `seq`: joined = 1 if it took part, 0 if it was already finished
   (a late wake-up). spun = 1 if it was busy-waiting, 0 if it slept on the futex. */
WP_EV wp_ev_wake(const struct warmpool *p, unsigned thread, unsigned seq, int joined,
                 int spun) {
    if (WP_TRACING())
        wp_trace_ev(WARMPOOL_TRACE_WAKE, WP_P(p),
                    seq | (uint64_t)!!joined << 32 | (uint64_t)!!spun << 33, thread, 0, 0);
}
/* A worker goes to sleep on the futex (it was cold, or it cooled down). */
WP_EV wp_ev_sleep(const struct warmpool *p, unsigned thread) {
    if (WP_TRACING()) wp_trace_ev(WARMPOOL_TRACE_SLEEP, WP_P(p), thread, 0, 0, 0);
}
/* Warm mode switched on/off: by = 0 the API, 1 the cool-down after cool_after_ms. */
WP_EV wp_ev_warm(const struct warmpool *p, int on, int by) {
    if (WP_TRACING())
        wp_trace_ev(WARMPOOL_TRACE_WARM, WP_P(p), (uint64_t)!!on | (uint64_t)!!by << 1, 0, 0, 0);
}
/* A worker thread started (before it reports ready) and is about to exit. Names are
   taken only while tracing, so an untraced pool allocates nothing; natively a thread that
   starts recording later is still named, from its OS thread name. */
WP_EV wp_ev_thread_start(const struct warmpool *p, unsigned thread, const char *name) {
    if (!WP_TRACING()) return;
    warmpool_trace_name_thread(name);
    wp_trace_ev(WARMPOOL_TRACE_THREAD_START, WP_P(p), thread, 0, 0, 0);
}
/* Called whether tracing is on or not: on Wasm it also frees the thread's buffer for
   reuse (there is no TLS destructor there). Once per thread, so the call is cheap. */
void wp_trace_thread_exit(uint64_t pool, unsigned thread) WP_HIDDEN WARMPOOL_TRACE_NOINSTR;
WP_EV wp_ev_thread_exit(const struct warmpool *p, unsigned thread) {
    wp_trace_thread_exit(WP_P(p), thread);
}
#endif
