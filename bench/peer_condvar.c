/* peer_condvar.c - a plain mutex + condition variable pool, written the textbook way. */
#include "bench.h"

#include <pthread.h>
#include <stdlib.h>

struct cv_pool {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    uint64_t generation;   /* bumped once per job */
    unsigned pending;      /* workers that have not finished this job */
    int stop;
    cv_fn fn;
    void *ctx;
    size_t n;
    unsigned threads;      /* workers + the caller */
    unsigned started;
    pthread_t tid[];
};

typedef struct {
    cv_pool *p;
    unsigned index;
} cv_arg;

/* Thread t of T gets the t-th static share of [0, n). */
static void share(cv_pool *p, unsigned t, cv_fn fn, void *ctx, size_t n) {
    size_t lo = n * t / p->threads, hi = n * (t + 1) / p->threads;
    if (lo < hi)
        fn(ctx, lo, hi);
}

static void *cv_worker(void *arg) {
    cv_arg a = *(cv_arg *)arg;
    free(arg);
    cv_pool *p = a.p;
    uint64_t seen = 0; /* no job exists before create returns, so none is missed */
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->generation == seen && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        seen = p->generation;
        cv_fn fn = p->fn;
        void *ctx = p->ctx;
        size_t n = p->n;
        pthread_mutex_unlock(&p->mu);
        share(p, a.index, fn, ctx, n);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

cv_pool *cv_pool_create(unsigned workers) {
    cv_pool *p = calloc(1, sizeof *p + workers * sizeof(pthread_t));
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->threads = workers + 1;
    for (unsigned i = 0; i < workers; i++) {
        cv_arg *a = malloc(sizeof *a);
        if (!a)
            break;
        a->p = p;
        a->index = i + 1;
        if (pthread_create(&p->tid[i], NULL, cv_worker, a)) {
            free(a);
            break;
        }
        p->started++;
    }
    if (p->started != workers) {
        cv_pool_destroy(p);
        return NULL;
    }
    return p;
}

void cv_pool_destroy(cv_pool *p) {
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->started; i++)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

void cv_pool_run(cv_pool *p, size_t n, cv_fn fn, void *ctx) {
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->pending = p->threads - 1;
    p->generation++;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    share(p, 0, fn, ctx, n);
    pthread_mutex_lock(&p->mu);
    while (p->pending)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
