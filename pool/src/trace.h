/* trace.h - the tracer's internals shared by trace*.c (not installed). */
#ifndef WARMPOOL_TRACE_INTERNAL_H
#define WARMPOOL_TRACE_INTERNAL_H
#include "events.h"
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

uint64_t wp_trace_to_ns(uint64_t ticks56) WP_HIDDEN WP_NOINSTR; /* needs calibration */
void wp_trace_calibrate(void) WP_HIDDEN WP_NOINSTR;
uint64_t wp_trace_pid(void) WP_HIDDEN WP_NOINSTR;

/* Function names (trace_native.c): a table from address to name and "file:line". */
struct wp_syms;
struct wp_syms *wp_syms_build(const uint64_t *addrs, size_t n, unsigned flags)
    WP_HIDDEN WP_NOINSTR;
const char *wp_syms_get(const struct wp_syms *s, uint64_t addr, const char **src)
    WP_HIDDEN WP_NOINSTR;
void wp_syms_free(struct wp_syms *s) WP_HIDDEN WP_NOINSTR;
#endif
