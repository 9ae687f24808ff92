/* prim.h - the few things the pool needs from the OS, one file per OS in prim/
   (linux.c, emscripten.c), chosen by the build. */
#ifndef WARMPOOL_PRIM_H
#define WARMPOOL_PRIM_H
#include <stdatomic.h>
#include <stdint.h>

/* 0 in builds that cannot start threads (Emscripten without -pthread): the pool then
   compiles without any pthread call, so the side module imports none. */
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
#define WP_THREADS 0
#else
#define WP_THREADS 1
#endif

/* 1 where a thread starts running on its own once created (Linux): destroy may wait for
   one that has not started yet. 0 where it may need its creator to return first (a Web
   Worker starts only after the JS event loop turns): destroy must not wait for it. */
#ifdef __EMSCRIPTEN__
#define WP_JOIN_UNSTARTED 0
#else
#define WP_JOIN_UNSTARTED 1
#endif

/* Sleeps while *addr == expected, at most timeout_ns (UINT64_MAX: no limit). May return
   early or spuriously: callers re-check their condition. */
void wp_futex_wait(_Atomic uint32_t *addr, uint32_t expected, uint64_t timeout_ns);
/* Wakes up to n threads sleeping on addr (n = INT32_MAX: all). */
void wp_futex_wake(_Atomic uint32_t *addr, int n);
/* Monotonic nanoseconds. Never calls a libc function that passes time_t or a struct
   timespec across the Wasm ABI boundary (Pyodide and Debian's emcc disagree on time_t). */
uint64_t wp_now_ns(void);
/* Gives the CPU away (and on Emscripten lets the thread run queued work). */
void wp_yield(void);
/* Called by a worker each time it wakes up or notices a job, before it runs any `fn`:
   on Emscripten it loads libraries another thread dlopen'ed since (else their functions
   are not in this worker's table yet). A no-op elsewhere. */
void wp_after_wake(void);
/* Names the calling thread for debuggers and profilers; best effort. */
void wp_set_thread_name(const char *name);

/* The CPU's spin-wait hint. */
static inline void wp_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif
