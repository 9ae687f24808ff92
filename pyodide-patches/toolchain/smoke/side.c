/* side.c - smoke-test side module for Emscripten 3.1.69 (-pthread -sSIDE_MODULE=1 -fPIC).
   It starts a pthread that calls through a function pointer (a table slot relocated by
   __table_base) and bumps a counter in the module's own data (relocated by __memory_base),
   so a working run shows dlopen, relocation and a thread running the side module's code. */
#include <pthread.h>
#include <stdatomic.h>

static atomic_int runs;
static long square(long x) { return x * x; }
static long (*volatile op)(long) = square;

struct job {
    long n;
    long sum;
};

static void *work(void *arg) {
    struct job *j = arg;
    for (long i = 1; i <= j->n; i++) j->sum += op(i);
    atomic_fetch_add(&runs, 1);
    return arg;
}

/* Sum of i*i for i in 1..n, computed on a new thread; returns how many runs so far, < 0 on
   failure. */
int side_run(long n, long *out) {
    pthread_t t;
    struct job j = {n, 0};
    void *res = 0;
    if (pthread_create(&t, 0, work, &j) != 0) return -1;
    if (pthread_join(t, &res) != 0 || res != &j) return -2;
    *out = j.sum;
    return atomic_load(&runs);
}
