/* record.c - the tracer's recording side: the clock (converted to ns only when read),
   each thread's ring buffer and the pool events. Every function here is WP_NOINSTR:
   the hooks must never trace themselves. What depends on the OS (the clock source, how
   a thread finds its buffer, the -finstrument-functions hooks' fast path) is in
   prim/trace_<os>.c. */
#include "trace/trace_internal.h"
#include "prim/prim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Atomic int wp_trace_on;
struct wp_tbuf *_Atomic wp_trace_bufs[WARMPOOL_TRACE_MAX_THREADS];
_Atomic unsigned wp_trace_nbufs;
static _Atomic size_t g_size;  /* slots per new buffer; 0: the platform's default */
const unsigned char wp_trace_nargs[WARMPOOL_TRACE_KINDS] = {
    [WARMPOOL_TRACE_JOB_BEGIN] = 3, [WARMPOOL_TRACE_JOB_END] = 1, [WARMPOOL_TRACE_SERIAL] = 2,
    [WARMPOOL_TRACE_CHUNK_BEGIN] = 1, [WARMPOOL_TRACE_WAKE] = 1, [WARMPOOL_TRACE_SLEEP] = 1,
    [WARMPOOL_TRACE_WARM] = 1, [WARMPOOL_TRACE_THREAD_START] = 1,
    [WARMPOOL_TRACE_THREAD_EXIT] = 1};

/* ---- Clock: raw ticks on the hot path, converted to ns only when read. ---- */
static struct wp_clock g_clock;
static _Atomic int g_clock_state; /* 0 not calibrated, 1 calibrating, 2 done */

void wp_trace_calibrate(void) {
    int s = 0;
    if (atomic_load_explicit(&g_clock_state, memory_order_acquire) == 2) return;
    if (atomic_compare_exchange_strong(&g_clock_state, &s, 1)) {
        wp_trace_measure(&g_clock);
        atomic_store_explicit(&g_clock_state, 2, memory_order_release);
    }
    while (atomic_load_explicit(&g_clock_state, memory_order_acquire) != 2) wp_yield();
}

/* Timestamps keep 56 bits; the full tick count is the one nearest after tick0. */
uint64_t wp_trace_to_ns(uint64_t t56) {
    uint64_t d = (t56 - g_clock.tick0) & WP_M56;
    return g_clock.ns0 + (uint64_t)((double)d * g_clock.ns_per_tick);
}

uint64_t warmpool_trace_now_ns(void) {
    wp_trace_calibrate();
    return wp_trace_to_ns(wp_trace_ticks() & WP_M56);
}

/* ---- Buffers ---- */
void wp_tbuf_set_name(struct wp_tbuf *b, const char *name) {
    uint64_t w[4] = {0};
    size_t n = 0;
    while (name && name[n] && n < sizeof w - 1) n++;
    memcpy(w, name, n);
    for (int i = 0; i < 4; i++) atomic_store_explicit(&b->name[i], w[i], memory_order_relaxed);
}

/* A buffer whose thread exited, of the current size; NULL if none. claim() and reuse()
   return buffers CLAIMING: the caller sets its identity, then makes it LIVE. */
static WP_NOINSTR struct wp_tbuf *reuse(size_t size) {
    unsigned n = atomic_load(&wp_trace_nbufs);
    for (unsigned i = 0; i < n && i < WARMPOOL_TRACE_MAX_THREADS; i++) {
        struct wp_tbuf *b = atomic_load_explicit(&wp_trace_bufs[i], memory_order_acquire);
        int s = WP_BUF_EXITED;
        if (b && b->mask + 1 == size &&
            atomic_compare_exchange_strong(&b->state, &s, WP_BUF_CLAIMING)) {
            atomic_store(&b->start, atomic_load(&b->pos));
            b->paused = 0;
            return b;
        }
    }
    return NULL;
}

/* A new buffer while there are few, so the events of exited threads stay readable; past
   WP_REUSE_AFTER buffers (or when memory or the table runs out) one of an exited thread.
   NULL when nothing is left. */
#define WP_REUSE_AFTER 32
struct wp_tbuf *wp_tbuf_claim(void) {
    size_t size = atomic_load(&g_size);
    if (!size) size = wp_trace_default_events;
    struct wp_tbuf *b = NULL;
    if (atomic_load(&wp_trace_nbufs) >= WP_REUSE_AFTER && (b = reuse(size))) return b;
    if ((b = aligned_alloc(_Alignof(struct wp_tbuf), sizeof *b))) memset(b, 0, sizeof *b);
    struct wp_tslot *ev = b ? aligned_alloc(64, size * sizeof *ev) : NULL;
    if (!ev) { free(b); return reuse(size); }
    memset(ev, 0, size * sizeof *ev); /* touch the pages now, not while recording */
    b->ev = ev;
    b->mask = size - 1;
    atomic_store(&b->state, WP_BUF_CLAIMING);
    unsigned i = atomic_fetch_add(&wp_trace_nbufs, 1);
    if (i >= WARMPOOL_TRACE_MAX_THREADS) {
        atomic_fetch_sub(&wp_trace_nbufs, 1);
        free(ev);
        free(b);
        return reuse(size);
    }
    atomic_store_explicit(&wp_trace_bufs[i], b, memory_order_release);
    return b;
}

/* Stands in for a thread that could not get a buffer or has exited: paused forever. */
struct wp_tbuf wp_trace_dead = {.paused = 1};

/* A thread's first event, or any event on a machine without a fast clock. */
void wp_trace_hook_slow(uint64_t kind, void *fn) {
    struct wp_tbuf *b = wp_tbuf_self();
    if (!b->paused) wp_rec(b, (wp_trace_ticks() & WP_M56) | kind << 56, (uint64_t)(uintptr_t)fn);
}

static WP_NOINSTR void rec_ev(struct wp_tbuf *b, unsigned kind, uint64_t x, uint64_t small,
                              uint64_t a1, uint64_t a2, uint64_t a3) {
    unsigned n = wp_trace_nargs[kind];
    uint64_t i = atomic_load_explicit(&b->pos, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    wp_put(b, i, (wp_trace_ticks() & WP_M56) | (uint64_t)kind << 56, x);
    if (n > 0) wp_put(b, i + 1, (uint64_t)WP_K_ARG << 56 | (small & WP_M56), a1);
    if (n > 1) wp_put(b, i + 2, (uint64_t)WP_K_ARG << 56, a2);
    if (n > 2) wp_put(b, i + 3, (uint64_t)WP_K_ARG << 56, a3);
    atomic_store_explicit(&b->pos, i + 1 + n, memory_order_release);
}

void wp_trace_ev(unsigned kind, uint64_t x, uint64_t small, uint64_t a1, uint64_t a2,
                 uint64_t a3) {
    struct wp_tbuf *b = wp_tbuf_self();
    if (!b->paused) rec_ev(b, kind, x, small, a1, a2, a3);
}

void wp_trace_thread_exit(uint64_t pool, unsigned thread) {
    struct wp_tbuf *b = wp_tbuf_self_if_any();
    if (!b || b == &wp_trace_dead) return;
    if (WP_TRACING() && !b->paused)
        rec_ev(b, WARMPOOL_TRACE_THREAD_EXIT, pool, thread, 0, 0, 0);
    wp_tbuf_thread_exit(b);
}

/* ---- Control ---- */
int warmpool_trace_start(size_t events) {
    size_t size = 64;
    if (!events) events = wp_trace_default_events;
    if (events > SIZE_MAX / 64) return ENOMEM; /* slots * 16 bytes must not overflow */
    while (size < events) size <<= 1;
    atomic_store(&g_size, size);
    wp_trace_calibrate();
    atomic_store(&wp_trace_on, 1);
    return 0;
}

void warmpool_trace_enable(int on) {
    if (on) wp_trace_calibrate();
    atomic_store(&wp_trace_on, !!on);
}

int warmpool_trace_enabled(void) { return atomic_load(&wp_trace_on); }

static WP_NOINSTR void set_paused(int on) {
    struct wp_tbuf *b = wp_tbuf_self();
    if (b != &wp_trace_dead) b->paused = on;
}
void warmpool_trace_pause(void) { set_paused(1); }
void warmpool_trace_resume(void) { set_paused(0); }

void warmpool_trace_name_thread(const char *name) {
    struct wp_tbuf *b = wp_tbuf_self();
    if (b != &wp_trace_dead) wp_tbuf_set_name(b, name);
}

void warmpool_trace_clear(void) {
    unsigned n = atomic_load(&wp_trace_nbufs);
    for (unsigned i = 0; i < n && i < WARMPOOL_TRACE_MAX_THREADS; i++) {
        struct wp_tbuf *b = atomic_load_explicit(&wp_trace_bufs[i], memory_order_acquire);
        if (b) atomic_store(&b->start, atomic_load(&b->pos));
    }
}
