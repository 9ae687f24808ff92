// Shared static data of a library loaded at start-up: main stores 123 in the side
// module's initialised global (42), then starts a thread on a worker created afterwards
// (no pre-started pool), which must read 123. Linked at build time (MAIN_MODULE=1 or 2),
// or, with -DBY_DLSYM, given in Module.dynamicLibraries and found with dlsym.
// Prints "thread read N" and exits 0 only when N is 123.
#include <emscripten.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#ifdef BY_DLSYM
#include <dlfcn.h>
static int *(*side_value)(void);
#else
int *side_value(void);
#endif

static atomic_int seen = -1;

static void *reader(void *arg) {
  (void)arg;
  int v = *side_value();
  printf("thread read %d\n", v);
  atomic_store(&seen, v);
  return NULL;
}

// Exit from the main thread once the thread has read: an exit proxied from the thread
// can overtake its proxied printf (3.1.69), and a worker that never starts leaves Node
// with an empty event loop, which exits 0 with nothing printed.
static void finish(void *arg) {
  (void)arg;
  int v = atomic_load(&seen);
  if (v < 0) {
    emscripten_async_call(finish, NULL, 10);
    return;
  }
  emscripten_force_exit(v == 123 ? 0 : 1);
}

int main(void) {
#ifdef BY_DLSYM
  side_value = (int *(*)(void))dlsym(RTLD_DEFAULT, "side_value");
  if (!side_value) {
    printf("dlsym: %s\n", dlerror());
    return 2;
  }
#endif
  *side_value() = 123;
  pthread_t t;
  if (pthread_create(&t, NULL, reader, NULL)) return 3;
  pthread_detach(t);
  emscripten_async_call(finish, NULL, 10);
  emscripten_exit_with_live_runtime();
  return 0;
}
