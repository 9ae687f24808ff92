/* trace_emscripten.c - what the tracer needs from Emscripten: emscripten_get_now() as
   the clock, buffers found by pthread_self() (no TLS in the side module: thread-local
   data under dynamic linking with threads is not something Emscripten versions agree
   on), and names that are table indices ("wasm-fn:<index>"), since Emscripten's
   instrumentation would need a JS stack walk per call. */
#include "trace/trace_internal.h"
#include "prim/prim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#if WP_THREADS
#include <pthread.h>
#endif

const size_t wp_trace_default_events = 16384; /* Wasm memory is small */

uint64_t wp_trace_ticks(void) { return wp_now_ns(); }
void wp_trace_measure(struct wp_clock *c) {
    c->tick0 = c->ns0 = wp_now_ns();
    c->ns_per_tick = 1;
}

/* Pool workers release their buffers at exit (wp_tbuf_thread_exit); other threads keep
   theirs until the table is recycled. */
static inline WP_NOINSTR uint64_t self_id(void) {
#if WP_THREADS
    return (uint64_t)(uintptr_t)pthread_self();
#else
    return 1;
#endif
}
struct wp_tbuf *wp_tbuf_self_if_any(void) {
    uint64_t me = self_id();
    unsigned n = atomic_load_explicit(&wp_trace_nbufs, memory_order_acquire);
    for (unsigned i = 0; i < n && i < WARMPOOL_TRACE_MAX_THREADS; i++) {
        struct wp_tbuf *b = atomic_load_explicit(&wp_trace_bufs[i], memory_order_acquire);
        if (b && atomic_load_explicit(&b->owner, memory_order_relaxed) == me &&
            atomic_load_explicit(&b->state, memory_order_relaxed) == WP_BUF_LIVE)
            return b;
    }
    return NULL;
}
struct wp_tbuf *wp_tbuf_self(void) {
    struct wp_tbuf *b = wp_tbuf_self_if_any();
    if (b) return b;
    if (!(b = wp_tbuf_claim())) return &wp_trace_dead;
    atomic_store(&b->owner, self_id());
    atomic_store(&b->tid, self_id());
    wp_tbuf_set_name(b, "thread");
    atomic_store(&b->state, WP_BUF_LIVE);
    return b;
}
uint64_t wp_trace_pid(void) { return 1; }

void wp_tbuf_thread_exit(struct wp_tbuf *b) { atomic_store(&b->state, WP_BUF_EXITED); }

void __cyg_profile_func_enter(void *fn, void *site) {
    (void)site;
    if (WP_TRACING()) wp_trace_hook_slow(WARMPOOL_TRACE_CALL, fn);
}
void __cyg_profile_func_exit(void *fn, void *site) {
    (void)site;
    if (WP_TRACING()) wp_trace_hook_slow(WARMPOOL_TRACE_RETURN, fn);
}

void wp_syms_resolve(struct wp_syms *s, unsigned flags) {
    (void)flags;
    for (size_t i = 0; i <= s->mask; i++) {
        struct wp_sym *e = &s->tab[i];
        if (!e->addr) continue;
        char d[32] = "wasm-fn:";
        char n[21];
        int k = sizeof n;
        uint64_t v = e->addr;
        do n[--k] = (char)('0' + v % 10); while (v /= 10);
        memcpy(d + 8, n + k, sizeof n - (size_t)k);
        e->name = wp_strndup(d, 8 + sizeof n - (size_t)k);
    }
}

int warmpool_trace_save(const warmpool_trace_snapshot *snap, const char *path, unsigned flags) {
    (void)snap; (void)path; (void)flags;
    return ENOSYS; /* no stdio in the side module's imports: use warmpool_trace_json() */
}
