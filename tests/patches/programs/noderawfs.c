// A -pthread program linked for Node's own file system (-sNODERAWFS), as the threaded
// CPython is: a thread stores 7, the main thread writes it to noderawfs.txt (the real
// file system under Node, MEMFS in a browser once adapted), reads it back and prints
// "noderawfs: N". Exits 0 only when N is 7.
#include <emscripten.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static atomic_int seen = -1;

static void *worker(void *arg) {
  (void)arg;
  atomic_store(&seen, 7);
  return NULL;
}

static int round_trip(int v) {
  FILE *f = fopen("noderawfs.txt", "w");
  if (!f || fprintf(f, "%d\n", v) < 0 || fclose(f)) return -1;
  int back = -1;
  f = fopen("noderawfs.txt", "r");
  if (!f || fscanf(f, "%d", &back) != 1) back = -1;
  if (f) fclose(f);
  return back;
}

static void finish(void *arg) {
  (void)arg;
  int v = atomic_load(&seen);
  if (v < 0) {
    emscripten_async_call(finish, NULL, 10);
    return;
  }
  v = round_trip(v);
  printf("noderawfs: %d\n", v);
  emscripten_force_exit(v == 7 ? 0 : 1);
}

int main(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL)) return 3;
  pthread_detach(t);
  emscripten_async_call(finish, NULL, 10);
  emscripten_exit_with_live_runtime();
  return 0;
}
