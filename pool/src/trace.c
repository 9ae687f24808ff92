/* trace.c - the tracer's recording side: the clock, each thread's ring buffer, the
   -finstrument-functions hooks and the pool events. Every function here is
   WP_NOINSTR: the hooks must never trace themselves. */
#include "trace.h"
#include "prim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef __EMSCRIPTEN__
#if WP_THREADS
#include <pthread.h>
#endif
#define WP_DEFAULT_EVENTS 16384u /* Wasm memory is small: 256 KiB per thread */
#else
#include <dlfcn.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif
#define WP_DEFAULT_EVENTS WARMPOOL_TRACE_DEFAULT_EVENTS
#endif

_Atomic int wp_trace_on;
struct wp_tbuf *_Atomic wp_trace_bufs[WARMPOOL_TRACE_MAX_THREADS];
_Atomic unsigned wp_trace_nbufs;
static _Atomic size_t g_size = WP_DEFAULT_EVENTS;
const unsigned char wp_trace_nargs[WARMPOOL_TRACE_KINDS] = {
    [WARMPOOL_TRACE_JOB_BEGIN] = 3, [WARMPOOL_TRACE_JOB_END] = 1, [WARMPOOL_TRACE_SERIAL] = 2,
    [WARMPOOL_TRACE_CHUNK_BEGIN] = 1, [WARMPOOL_TRACE_WAKE] = 1, [WARMPOOL_TRACE_SLEEP] = 1,
    [WARMPOOL_TRACE_WARM] = 1, [WARMPOOL_TRACE_THREAD_START] = 1,
    [WARMPOOL_TRACE_THREAD_EXIT] = 1};

/* ---- Clock: raw ticks on the hot path, converted to ns only when read. ---- */
static struct { uint64_t tick0, ns0; double ns_per_tick; } g_clock;
static _Atomic int g_clock_state; /* 0 not calibrated, 1 calibrating, 2 done */

#ifdef __EMSCRIPTEN__
static inline WP_NOINSTR uint64_t ticks(void) { return wp_now_ns(); }
static WP_NOINSTR void measure(void) {
    g_clock.tick0 = g_clock.ns0 = wp_now_ns();
    g_clock.ns_per_tick = 1;
}
#else
static int g_use_tsc;

static inline WP_NOINSTR uint64_t raw_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline WP_NOINSTR uint64_t ticks(void) {
#if defined(__x86_64__)
    if (__builtin_expect(g_use_tsc, 1)) return __rdtsc();
#endif
    return raw_ns();
}

/* Runs at load, before any thread can trace: g_use_tsc is then read-only. The TSC is
   used only when it is invariant (same rate on every core, through sleep states). */
__attribute__((constructor)) static WP_NOINSTR void pick_clock(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid(0x80000007, &a, &b, &c, &d)) g_use_tsc = (d >> 8) & 1;
#endif
}

/* A tick rate measured against CLOCK_MONOTONIC_RAW over 10 ms of sleep: an error of
   ~50 ns in either reading is 5 ppm. */
static WP_NOINSTR void sample(uint64_t *tick, uint64_t *ns) {
    uint64_t a = ticks();
    *ns = raw_ns();
    *tick = a + (ticks() - a) / 2;
}
static WP_NOINSTR void measure(void) {
    sample(&g_clock.tick0, &g_clock.ns0);
    g_clock.ns_per_tick = 1;
    if (!g_use_tsc) { g_clock.tick0 = g_clock.ns0; return; }
    struct timespec nap = {0, 10000000};
    nanosleep(&nap, NULL);
    uint64_t t1, n1;
    sample(&t1, &n1);
    g_clock.ns_per_tick = (double)(n1 - g_clock.ns0) / (double)(t1 - g_clock.tick0);
}
#endif

void wp_trace_calibrate(void) {
    int s = 0;
    if (atomic_load_explicit(&g_clock_state, memory_order_acquire) == 2) return;
    if (atomic_compare_exchange_strong(&g_clock_state, &s, 1)) {
        measure();
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
    return wp_trace_to_ns(ticks() & WP_M56);
}

/* ---- Buffers ---- */
static WP_NOINSTR void set_name(struct wp_tbuf *b, const char *name) {
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
static WP_NOINSTR struct wp_tbuf *claim(void) {
    size_t size = atomic_load(&g_size);
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
static struct wp_tbuf g_dead = {.paused = 1};

#ifndef __EMSCRIPTEN__
/* Initial-exec TLS: in a shared library the default (global-dynamic) model calls
   __tls_get_addr on every access, which would double the cost of a hook. initial-exec is
   a fixed offset from the thread pointer; glibc keeps spare static TLS for dlopen'ed
   libraries (this is 8 bytes of it), so Python can still dlopen libwarmpool.so. */
static __thread struct wp_tbuf *tls_buf __attribute__((tls_model("initial-exec")));
static pthread_key_t g_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;

/* Thread exit: the buffer goes back for reuse; later hooks on this thread see g_dead. */
static WP_NOINSTR void release(void *arg) {
    struct wp_tbuf *b = arg;
    tls_buf = &g_dead;
    atomic_store(&b->state, WP_BUF_EXITED);
}
/* The key's destructor is code of this library: pin it (as if linked -z nodelete), so a
   dlclose cannot unload it while threads may still exit through it. */
static WP_NOINSTR void make_key(void) {
    Dl_info info;
    if (dladdr((void *)release, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    pthread_key_create(&g_key, release);
}

static WP_NOINSTR struct wp_tbuf *attach(void) {
    pthread_once(&g_key_once, make_key);
    struct wp_tbuf *b = claim();
    if (!b) return tls_buf = &g_dead;
    char name[32] = "";
    pthread_getname_np(pthread_self(), name, sizeof name);
    set_name(b, name);
    atomic_store(&b->tid, (uint64_t)syscall(SYS_gettid));
    atomic_store(&b->state, WP_BUF_LIVE);
    pthread_setspecific(g_key, b);
    return tls_buf = b;
}
static inline WP_NOINSTR struct wp_tbuf *this_buf(void) {
    struct wp_tbuf *b = tls_buf;
    return __builtin_expect(b != NULL, 1) ? b : attach();
}
static inline WP_NOINSTR struct wp_tbuf *this_buf_if_any(void) { return tls_buf; }
uint64_t wp_trace_pid(void) { return (uint64_t)getpid(); }

#else
/* Wasm: no TLS in the side module (thread-local data under dynamic linking with threads
   is not something both Emscripten versions agree on). A thread finds its buffer by its
   pthread_self() in the small table; pool workers release theirs at exit. */
static inline WP_NOINSTR uint64_t self_id(void) {
#if WP_THREADS
    return (uint64_t)(uintptr_t)pthread_self();
#else
    return 1;
#endif
}
static inline WP_NOINSTR struct wp_tbuf *this_buf_if_any(void) {
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
static WP_NOINSTR struct wp_tbuf *this_buf(void) {
    struct wp_tbuf *b = this_buf_if_any();
    if (b) return b;
    if (!(b = claim())) return &g_dead;
    atomic_store(&b->owner, self_id());
    atomic_store(&b->tid, self_id());
    set_name(b, "thread");
    atomic_store(&b->state, WP_BUF_LIVE);
    return b;
}
uint64_t wp_trace_pid(void) { return 1; }
#endif

/* ---- Recording ---- */
static inline WP_NOINSTR void put(struct wp_tbuf *b, uint64_t i, uint64_t t, uint64_t x) {
    struct wp_tslot *s = &b->ev[i & b->mask];
    atomic_store_explicit(&s->t, t, memory_order_relaxed);
    atomic_store_explicit(&s->x, x, memory_order_relaxed);
}

/* The release fence orders the previous event's `pos` store before this event's slot
   stores, so a snapshot that sees a slot overwritten also sees the `pos` that tells it
   so (free on x86 and Wasm, whose stores are ordered anyway). */
static inline WP_NOINSTR void rec(struct wp_tbuf *b, uint64_t t, uint64_t x) {
    uint64_t i = atomic_load_explicit(&b->pos, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    put(b, i, t, x);
    atomic_store_explicit(&b->pos, i + 1, memory_order_release);
}

/* The hooks' fast path is a leaf (no frame, no saved registers): everything else, a
   thread's first event and a machine without an invariant TSC, goes through hook_slow().
   A TSC read is most of an event's cost (8 ns on the reference VM). */
static __attribute__((noinline, cold)) WP_NOINSTR void hook_slow(uint64_t kind, void *fn) {
    struct wp_tbuf *b = this_buf();
    if (!b->paused) rec(b, (ticks() & WP_M56) | kind << 56, (uint64_t)(uintptr_t)fn);
}

static inline WP_NOINSTR void hook(uint64_t kind, void *fn) {
    if (!WP_TRACING()) return;
#if !defined(__EMSCRIPTEN__) && defined(__x86_64__)
    struct wp_tbuf *b = tls_buf;
    if (__builtin_expect(b != NULL, 1)) {
        if (b->paused) return;
        if (__builtin_expect(g_use_tsc, 1)) {
            rec(b, (__rdtsc() & WP_M56) | kind << 56, (uint64_t)(uintptr_t)fn);
            return;
        }
    }
#endif
    hook_slow(kind, fn);
}

void __cyg_profile_func_enter(void *fn, void *site) {
    (void)site;
    hook(WARMPOOL_TRACE_CALL, fn);
}

void __cyg_profile_func_exit(void *fn, void *site) {
    (void)site;
    hook(WARMPOOL_TRACE_RETURN, fn);
}

static WP_NOINSTR void rec_ev(struct wp_tbuf *b, unsigned kind, uint64_t x, uint64_t small,
                              uint64_t a1, uint64_t a2, uint64_t a3) {
    unsigned n = wp_trace_nargs[kind];
    uint64_t i = atomic_load_explicit(&b->pos, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    put(b, i, (ticks() & WP_M56) | (uint64_t)kind << 56, x);
    if (n > 0) put(b, i + 1, (uint64_t)WP_K_ARG << 56 | (small & WP_M56), a1);
    if (n > 1) put(b, i + 2, (uint64_t)WP_K_ARG << 56, a2);
    if (n > 2) put(b, i + 3, (uint64_t)WP_K_ARG << 56, a3);
    atomic_store_explicit(&b->pos, i + 1 + n, memory_order_release);
}

void wp_trace_ev(unsigned kind, uint64_t x, uint64_t small, uint64_t a1, uint64_t a2,
                 uint64_t a3) {
    struct wp_tbuf *b = this_buf();
    if (!b->paused) rec_ev(b, kind, x, small, a1, a2, a3);
}

void wp_trace_thread_exit(uint64_t pool, unsigned thread) {
    struct wp_tbuf *b = this_buf_if_any();
    if (!b || b == &g_dead) return;
    if (WP_TRACING() && !b->paused)
        rec_ev(b, WARMPOOL_TRACE_THREAD_EXIT, pool, thread, 0, 0, 0);
#ifdef __EMSCRIPTEN__
    atomic_store(&b->state, WP_BUF_EXITED);
#endif
}

/* ---- Control ---- */
int warmpool_trace_start(size_t events) {
    size_t size = 64;
    if (!events) events = WP_DEFAULT_EVENTS;
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
    struct wp_tbuf *b = this_buf();
    if (b != &g_dead) b->paused = on;
}
void warmpool_trace_pause(void) { set_paused(1); }
void warmpool_trace_resume(void) { set_paused(0); }

void warmpool_trace_name_thread(const char *name) {
    struct wp_tbuf *b = this_buf();
    if (b != &g_dead) set_name(b, name);
}

void warmpool_trace_clear(void) {
    unsigned n = atomic_load(&wp_trace_nbufs);
    for (unsigned i = 0; i < n && i < WARMPOOL_TRACE_MAX_THREADS; i++) {
        struct wp_tbuf *b = atomic_load_explicit(&wp_trace_bufs[i], memory_order_acquire);
        if (b) atomic_store(&b->start, atomic_load(&b->pos));
    }
}
