/* golden.c - an instrumented program with a known call tree per thread. It checks the
   exact enter/exit sequence of each thread itself, then runs a pool job and writes the
   whole trace as JSON (argv[1]) for check_json.py. Built with gcc -finstrument-functions
   and with clang -finstrument-functions-after-inlining (mk/30-trace.mk). */
#include "warmpool.h"
#include "warmpool_trace.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __clang__
#define KEEP __attribute__((noinline))
#else
#define KEEP __attribute__((noinline, noclone)) /* a clone would get its own address */
#endif

static volatile int sink;
static int passed, failed;
#define CHECK(c) do { if (c) passed++; else { failed++;                              \
        printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); } } while (0)

KEEP static void leaf(int x) { sink += x; }
KEEP static void mid(int n) { for (int i = 0; i < n; i++) leaf(i); }
KEEP void golden_root(void) { mid(2); leaf(9); }
/* Excluded from instrumentation: its callee still shows, directly under our caller. */
KEEP WARMPOOL_TRACE_NOINSTR static void hidden(void) { leaf(1); }
KEEP static void *thread_one(void *arg) { (void)arg; golden_root(); return NULL; }
KEEP static void *thread_two(void *arg) { (void)arg; leaf(2); hidden(); return NULL; }
KEEP static void kernel(void *ctx, size_t b, size_t e) {
    (void)ctx;
    for (size_t i = b; i < e; i++) leaf((int)i);
}

#define C(f) {WARMPOOL_TRACE_CALL, (uintptr_t)(f)}
#define R(f) {WARMPOOL_TRACE_RETURN, (uintptr_t)(f)}
#define ROOT_SEQ C(golden_root), C(mid), C(leaf), R(leaf), C(leaf), R(leaf), R(mid), \
                 C(leaf), R(leaf), R(golden_root)

/* 1 if the thread's events are exactly s[0..n). */
WARMPOOL_TRACE_NOINSTR static int seq_is(const warmpool_trace_thread *t,
                                          const uintptr_t (*s)[2], size_t n) {
    if (!t || t->count != n) {
        printf("  thread %s: %zu events, want %zu\n", t ? t->name : "(none)", t ? t->count : 0, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (t->events[i].kind != s[i][0] || t->events[i].fn != s[i][1]) {
            printf("  thread %s: event %zu differs\n", t->name, i);
            return 0;
        }
    return 1;
}

WARMPOOL_TRACE_NOINSTR static const warmpool_trace_thread *find(const warmpool_trace_snapshot *s,
                                                                const char *name) {
    for (size_t i = 0; i < warmpool_trace_thread_count(s); i++)
        if (!strcmp(warmpool_trace_thread_at(s, i)->name, name)) return warmpool_trace_thread_at(s, i);
    return NULL;
}

struct named { const char *name; void *(*fn)(void *); };
WARMPOOL_TRACE_NOINSTR static void *named_thread(void *arg) {
    struct named *n = arg;
    warmpool_trace_name_thread(n->name);
    return n->fn(NULL);
}

WARMPOOL_TRACE_NOINSTR int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: golden OUT.json\n"); return 2; }
    warmpool_trace_start(0);
    warmpool_trace_name_thread("golden-main");
    uint64_t t0 = warmpool_trace_now_ns();
    golden_root();
    hidden();
    warmpool_trace_pause();
    golden_root(); /* not recorded */
    warmpool_trace_resume();
    pthread_t t1, t2;
    struct named n1 = {"golden-t1", thread_one}, n2 = {"golden-t2", thread_two};
    pthread_create(&t1, NULL, named_thread, &n1);
    pthread_create(&t2, NULL, named_thread, &n2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);

    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(t0);
    CHECK(s != NULL);
    const uintptr_t main_seq[][2] = {ROOT_SEQ, C(leaf), R(leaf)};
    const uintptr_t one_seq[][2] = {C(thread_one), ROOT_SEQ, R(thread_one)};
    const uintptr_t two_seq[][2] = {C(thread_two), C(leaf), R(leaf), C(leaf), R(leaf),
                                    R(thread_two)};
#define N(a) (sizeof a / sizeof a[0])
    CHECK(seq_is(find(s, "golden-main"), main_seq, N(main_seq)));
    CHECK(seq_is(find(s, "golden-t1"), one_seq, N(one_seq)));
    CHECK(seq_is(find(s, "golden-t2"), two_seq, N(two_seq)));
    warmpool_trace_free(s);

    /* A pool job: its threads, chunks and the kernel's calls go into the JSON. */
    warmpool_options o = {0};
    o.workers = 2;
    o.name = "gold";
    warmpool *p = warmpool_create_ex(&o);
    CHECK(p && warmpool_wait_ready(p, 10000) == 0);
    warmpool_parallel_for(p, 0, 64, 4, kernel, NULL);
    warmpool_destroy(p);
    warmpool_trace_enable(0);
    s = warmpool_trace_snapshot_since(t0);
    CHECK(s && warmpool_trace_save(s, argv[1], 0) == 0);
    warmpool_trace_free(s);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
