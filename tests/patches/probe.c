/* probe.c - a tiny -pthread side module for the threaded CPython-on-Wasm tests, with no
 * dependency on the pool: C threads started from a ctypes call, and the traps and limits of
 * the runtime (tests/patches/wasm_python.test.mjs drives it through python.js). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <emscripten.h>

#define EXPORT EMSCRIPTEN_KEEPALIVE

static void *half(void *arg) {
    int *v = arg;
    *v = *v * 2 + 1; /* 10 -> 21 */
    return 0;
}

/* Starts two pthreads, joins them: 21 + 21 = 42 when both really ran. */
EXPORT int probe_two_threads(void) {
    pthread_t t[2];
    int v[2] = {10, 10};
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], 0, half, &v[i])) return -1;
    for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
    return v[0] + v[1];
}

/* Data relocations: a static pointer to an exported symbol (reached through the GOT) and
   one to a local. Wrong when data relocations run before global relocations. */
EXPORT int probe_exported = 7;
static int probe_local = 9;
/* volatile: the compiler must read the stored pointers, not fold them. */
static int *volatile ptr_exported = &probe_exported;
static int *volatile ptr_local = &probe_local;
EXPORT int probe_static_pointers(void) {
    int *e = ptr_exported, *l = ptr_local;
    return (e == &probe_exported) + (l == &probe_local) * 2; /* 3: both right */
}

/* bss: zero-initialised statics must read zero however dirty the memory the loader got. */
static unsigned char probe_bss[1 << 16];
/* Never called by the tests, but without a writer clang folds the array to zeros. */
EXPORT void probe_bss_set(int i, int v) { probe_bss[i & 0xffff] = (unsigned char)v; }
EXPORT int probe_bss_nonzero(void) {
    int n = 0;
    for (size_t i = 0; i < sizeof probe_bss; i++) n += probe_bss[i] != 0;
    return n;
}

/* A plain function to call from a thread that existed before this library was loaded. */
EXPORT int probe_add(int a, int b) { return a + b; }

/* Calls cb on a new C thread (the "C thread calls a Python callback" limit). */
static void *run_cb(void *arg) {
    void (*cb)(void) = (void (*)(void))(uintptr_t)arg;
    cb();
    return 0;
}
EXPORT int probe_call_on_thread(void (*cb)(void)) {
    pthread_t t;
    if (pthread_create(&t, 0, run_cb, (void *)(uintptr_t)cb)) return -1;
    pthread_join(t, 0);
    return 0;
}
