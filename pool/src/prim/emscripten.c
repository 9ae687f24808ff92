/* Emscripten: futexes through emscripten_futex_wait/wake (Atomics.wait/notify), the
   clock through emscripten_get_now() (a double of milliseconds: no time_t crosses the
   ABI, so the same side module links in Debian's emcc 3.1.6 and Pyodide's 4.0.9). */
#include "prim/prim.h"

#include <emscripten.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#include <pthread.h>
/* The runtime's "load every library dlopen'ed since this thread last looked" (Emscripten
   3.1.x; 4.0.x syncs by itself while threads wait on a futex). Weak, so the side module
   still loads in a runtime that does not export it: the address is then 0. */
extern void _emscripten_thread_sync_code(void) __attribute__((weak));
#endif

/* Runtimes without _emscripten_thread_sync_code (Emscripten 3.1.58 on, Pyodide's among
   them) make a dlopen wait until every thread has loaded the library, and a thread does
   so only when its futex wait returns: a pool worker asleep without a timeout would hold
   the dlopen forever. There, a sleep is cut into slices, so a dlopen waits one at most. */
#define DLSYNC_SLICE_MS 20.0

void wp_futex_wait(_Atomic uint32_t *addr, uint32_t expected, uint64_t timeout_ns) {
#ifdef __EMSCRIPTEN_PTHREADS__
    double ms = timeout_ns == UINT64_MAX ? INFINITY : (double)timeout_ns / 1e6;
#ifndef WP_NO_DLSYNC_SLICES
    if (!_emscripten_thread_sync_code && ms > DLSYNC_SLICE_MS) {
        double end = emscripten_get_now() + ms; /* INFINITY stays so */
        for (;;) {
            double left = end - emscripten_get_now();
            if (left <= 0) return;
            /* Only a time-out means nobody woke us: anything else is the caller's to see. */
            if (emscripten_futex_wait((volatile void *)addr, expected,
                                      left < DLSYNC_SLICE_MS ? left : DLSYNC_SLICE_MS) != -ETIMEDOUT)
                return;
        }
    }
#endif
    emscripten_futex_wait((volatile void *)addr, expected, ms);
#else
    (void)addr; (void)expected; (void)timeout_ns; /* single-threaded: nobody to wait for */
#endif
}

void wp_futex_wake(_Atomic uint32_t *addr, int n) {
#ifdef __EMSCRIPTEN_PTHREADS__
    emscripten_futex_wake((volatile void *)addr, n);
#else
    (void)addr; (void)n;
#endif
}

uint64_t wp_now_ns(void) { return (uint64_t)(emscripten_get_now() * 1e6); }

void wp_yield(void) { sched_yield(); }

/* A worker that slept or spun through another thread's dlopen has the new library's
   functions missing from its own table ("table index is out of bounds") until it syncs.
   WP_NO_SYNC_ON_WAKE builds the test library that shows it. */
void wp_after_wake(void) {
#if defined(__EMSCRIPTEN_PTHREADS__) && !defined(WP_NO_SYNC_ON_WAKE)
    if (_emscripten_thread_sync_code) _emscripten_thread_sync_code();
#endif
}

void wp_set_thread_name(const char *name) {
#ifdef __EMSCRIPTEN_PTHREADS__
    emscripten_set_thread_name(pthread_self(), name);
#else
    (void)name;
#endif
}
