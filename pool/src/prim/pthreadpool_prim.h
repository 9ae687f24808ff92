/* pthreadpool_prim.h - the OS- and ISA-specific bits of the pthreadpool layer
   (pool/src/pthreadpool/): denormal control, the CPU count, whether the calling thread
   may block. Inline: the denormal switch runs around every chunk. */
#ifndef WARMPOOL_PTHREADPOOL_PRIM_H
#define WARMPOOL_PTHREADPOOL_PRIM_H
#include <stddef.h>
#include "prim/prim.h"
#if defined(__EMSCRIPTEN__)
#if WP_THREADS
#include <emscripten/threading.h>
#endif
#else
#include <unistd.h>
#endif

/* Turns on flush-to-zero and denormals-are-zero for this thread; returns what
   wp_fpu_restore() needs. A no-op where the ISA has no such mode (Wasm). */
static inline unsigned wp_denormals_off(void) {
#if defined(__SSE__)
    unsigned old = __builtin_ia32_stmxcsr();
    __builtin_ia32_ldmxcsr(old | 0x8040u); /* FZ (bit 15) | DAZ (bit 6) */
    return old;
#else
    return 0;
#endif
}
static inline void wp_fpu_restore(unsigned old) {
#if defined(__SSE__)
    __builtin_ia32_ldmxcsr(old);
#else
    (void)old;
#endif
}

/* Logical CPUs (Emscripten: navigator.hardwareConcurrency, os.cpus() under Node); >= 1. */
static inline size_t wp_logical_cpus(void) {
#if defined(__EMSCRIPTEN__)
#if WP_THREADS
    int n = emscripten_num_logical_cores();
#else
    int n = 1;
#endif
#else
    long n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
    return n > 0 ? (size_t)n : 1;
}

/* 0 on the browser's (or Node's) JS main thread, where waiting for workers can only
   time out: they start after the event loop turns. */
static inline int wp_may_wait_for_threads(void) {
#if defined(__EMSCRIPTEN__) && WP_THREADS
    return !emscripten_is_main_browser_thread();
#else
    return 1;
#endif
}
#endif
