// A thread running before the main thread dlopens a library that exists only in the main
// thread's MEMFS (memfs_pre.js writes it) catches up, then calls into the library:
//   memfs_sync.js sync     by calling _emscripten_thread_sync_code() from main-module C
//                          (WP_HAS_SYNC_HOOK; a runtime without the hook, 3.1.69's, syncs
//                          every thread inside the main thread's dlopen: nothing to call)
//   memfs_sync.js dlopen   by calling dlopen() on the same path itself
// Prints "MODE: N" and exits 0 only when N is 7.
#include <dlfcn.h>
#include <emscripten.h>
#include <emscripten/threading.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define LIB "/wp-memfs-only/libside_answer.so"

#ifdef WP_HAS_SYNC_HOOK
void _emscripten_thread_sync_code(void);
#endif

static atomic_int started, go, done, ok;
static void *handle;
static int by_dlopen;

static int call(void *h) {
  int (*f)(void) = h ? (int (*)(void))dlsym(h, "side_answer") : NULL;
  return f ? f() : -1;
}

static void *late(void *arg) {
  (void)arg;
  atomic_store(&started, 1);
  while (!atomic_load(&go)) emscripten_futex_wait(&go, 0, 10);
  int v;
  if (by_dlopen) {
    v = call(dlopen(LIB, RTLD_NOW));
  } else {
#ifdef WP_HAS_SYNC_HOOK
    _emscripten_thread_sync_code();
#endif
    v = call(handle);
  }
  printf("%s: %d\n", by_dlopen ? "dlopen" : "sync", v);
  atomic_store(&ok, v == 7);
  atomic_store(&done, 1);
  return NULL;
}

static void finish(void *arg) {
  (void)arg;
  if (!atomic_load(&done)) {
    emscripten_async_call(finish, NULL, 10);
    return;
  }
  emscripten_force_exit(atomic_load(&ok) ? 0 : 1);
}

int main(int argc, char **argv) {
  by_dlopen = argc > 1 && !strcmp(argv[1], "dlopen");
  pthread_t t;
  // The thread runs (on the pre-started pool) before the library is loaded.
  if (pthread_create(&t, NULL, late, NULL)) return 3;
  while (!atomic_load(&started)) emscripten_futex_wait(&started, 0, 10);
  handle = dlopen(LIB, RTLD_NOW);
  if (!handle) {
    printf("main dlopen: %s\n", dlerror());
    return 2;
  }
  printf("main: %d\n", call(handle));
  atomic_store(&go, 1);
  pthread_detach(t);
  // The thread's printf is proxied to this thread's event loop: exit from there.
  emscripten_async_call(finish, NULL, 10);
  emscripten_exit_with_live_runtime();
  return 0;
}
