/* trace_internal.h - what the tracer's files share (not installed). The tracer depends on
   nothing else of the library; the pool reaches it only through trace/events.h. */
#ifndef WARMPOOL_TRACE_INTERNAL_H
#define WARMPOOL_TRACE_INTERNAL_H
#include "trace/events.h"
#include "warmpool_trace.h"

#include <stdatomic.h>
#include <stdint.h>

#define WP_NOINSTR WARMPOOL_TRACE_NOINSTR
#define WP_M56 ((UINT64_C(1) << 56) - 1)
#define WP_K_ARG 0xffu /* a slot that continues the event before it */

/* Slot word t: kind << 56 | 56-bit timestamp (ticks), or WP_K_ARG << 56 | a small
   argument. Word x: the function, the pool or an argument. Atomic (relaxed) because a
   snapshot may read a slot while its thread overwrites it. */
struct wp_tslot { _Atomic uint64_t t, x; };

/* CLAIMING: taken by a new thread that has not yet written its id (Wasm looks buffers up
   by that id, so a buffer becomes LIVE only once the id is right). */
enum { WP_BUF_LIVE = 1, WP_BUF_EXITED = 2, WP_BUF_CLAIMING = 3 };

/* One cache line per thread's hot words (pos, paused, mask, ev), aligned: two threads'
   buffers side by side in the heap made every event of one evict the other's line
   (an empty parallel_for took twice as long with tracing on). */
struct wp_tbuf {
    _Alignas(64) _Atomic uint64_t pos; /* slots ever written; stored only by the owner */
    struct wp_tslot *ev;
    uint64_t mask;          /* slots - 1 */
    int paused;             /* touched only by the owner */
    _Atomic int state;
    _Atomic uint64_t start; /* first slot of interest (raised by clear and by reuse) */
    _Atomic uint64_t tid;
    _Atomic uint64_t owner; /* Wasm: pthread_self() of the owner */
    _Atomic uint64_t name[4];
};

extern struct wp_tbuf *_Atomic wp_trace_bufs[WARMPOOL_TRACE_MAX_THREADS] WP_HIDDEN;
extern _Atomic unsigned wp_trace_nbufs WP_HIDDEN; /* entries claimed, may still be NULL */
extern const unsigned char wp_trace_nargs[WARMPOOL_TRACE_KINDS] WP_HIDDEN;
extern struct wp_tbuf wp_trace_dead WP_HIDDEN; /* the buffer of a thread that has none */

/* ---- record.c ---- */
uint64_t wp_trace_to_ns(uint64_t ticks56) WP_HIDDEN WP_NOINSTR; /* needs calibration */
void wp_trace_calibrate(void) WP_HIDDEN WP_NOINSTR;
/* A new (or an exited thread's) buffer in state CLAIMING, or NULL: the caller sets its
   identity, then makes it LIVE. */
struct wp_tbuf *wp_tbuf_claim(void) WP_HIDDEN WP_NOINSTR;
void wp_tbuf_set_name(struct wp_tbuf *b, const char *name) WP_HIDDEN WP_NOINSTR;
void wp_trace_hook_slow(uint64_t kind, void *fn) WP_HIDDEN WP_NOINSTR;

static inline WP_NOINSTR void wp_put(struct wp_tbuf *b, uint64_t i, uint64_t t, uint64_t x) {
    struct wp_tslot *s = &b->ev[i & b->mask];
    atomic_store_explicit(&s->t, t, memory_order_relaxed);
    atomic_store_explicit(&s->x, x, memory_order_relaxed);
}
/* The release fence orders the previous event's `pos` store before this event's slot
   stores, so a snapshot that sees a slot overwritten also sees the `pos` that tells it
   so (free on x86 and Wasm, whose stores are ordered anyway). */
static inline WP_NOINSTR void wp_rec(struct wp_tbuf *b, uint64_t t, uint64_t x) {
    uint64_t i = atomic_load_explicit(&b->pos, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    wp_put(b, i, t, x);
    atomic_store_explicit(&b->pos, i + 1, memory_order_release);
}

/* ---- symbols.c: a table from function address to name and "file:line". ---- */
struct wp_sym { uint64_t addr; char *name, *src; const char *file; uint64_t base; int done; };
struct wp_syms { size_t mask; struct wp_sym *tab; };
struct wp_syms *wp_syms_build(const uint64_t *addrs, size_t n, unsigned flags)
    WP_HIDDEN WP_NOINSTR;
const char *wp_syms_get(const struct wp_syms *s, uint64_t addr, const char **src)
    WP_HIDDEN WP_NOINSTR;
void wp_syms_free(struct wp_syms *s) WP_HIDDEN WP_NOINSTR;
char *wp_strndup(const char *a, size_t n) WP_HIDDEN WP_NOINSTR;

/* ---- What each OS provides: prim/trace_linux.c, prim/trace_emscripten.c ---- */
struct wp_clock { uint64_t tick0, ns0; double ns_per_tick; };
extern const size_t wp_trace_default_events WP_HIDDEN; /* slots per thread */
uint64_t wp_trace_ticks(void) WP_HIDDEN WP_NOINSTR;    /* the events' clock, raw */
void wp_trace_measure(struct wp_clock *c) WP_HIDDEN WP_NOINSTR; /* its rate in ns */
/* This thread's buffer, attached on its first use (&wp_trace_dead if none can be had);
   _if_any: NULL before that. */
struct wp_tbuf *wp_tbuf_self(void) WP_HIDDEN WP_NOINSTR;
struct wp_tbuf *wp_tbuf_self_if_any(void) WP_HIDDEN WP_NOINSTR;
/* A pool worker is exiting: where no TLS destructor does it, release its buffer. */
void wp_tbuf_thread_exit(struct wp_tbuf *b) WP_HIDDEN WP_NOINSTR;
uint64_t wp_trace_pid(void) WP_HIDDEN WP_NOINSTR;
/* Fills in the names (and "file:line" where the OS can tell) of every address. */
void wp_syms_resolve(struct wp_syms *s, unsigned flags) WP_HIDDEN WP_NOINSTR;
#endif
