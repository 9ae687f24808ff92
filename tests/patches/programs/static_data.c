// Shared static data of a library loaded at start-up: main stores 123 in the side
// module's initialised global (42), then starts a thread on a worker created afterwards
// (no pre-started pool), which must read 123. Linked at build time (MAIN_MODULE=1 or 2),
// or, with -DBY_DLSYM, given in Module.dynamicLibraries and found with dlsym.
// Prints "thread read N" and exits 0 only when N is 123.
#include <emscripten.h>
#include <pthread.h>
#include <stdio.h>
#ifdef BY_DLSYM
#include <dlfcn.h>
static int *(*side_value)(void);
#else
int *side_value(void);
#endif

static void *reader(void *arg) {
  (void)arg;
  int seen = *side_value();
  printf("thread read %d\n", seen);
  emscripten_force_exit(seen == 123 ? 0 : 1);
  return NULL;
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
  emscripten_exit_with_live_runtime();
  return 0;
}
