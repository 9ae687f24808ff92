/* The tracer: exact event sequences per thread, wrap-around, pause, disable,
   snapshot-since, several threads recording while snapshots are taken, nesting of the
   JSON at the buffer edges, and the pool's events of a parallel_for. The hooks are called
   directly here (this binary is not instrumented); tests/trace/ has the instrumented
   golden programs. */
#include "harness/runner.h"
#include "trace/trace_internal.h" /* the buffer table, for the cache-line test */
#include "warmpool.h"
#include "warmpool_trace.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t my_tid(void) { return (uint64_t)syscall(SYS_gettid); }

static void enter(uintptr_t f) { __cyg_profile_func_enter((void *)f, NULL); }
static void leave(uintptr_t f) { __cyg_profile_func_exit((void *)f, NULL); }

/* Real functions, so the JSON can name them. */
__attribute__((noinline)) static void tree_root(void) { __asm__ volatile(""); }
__attribute__((noinline)) static void tree_left(void) { __asm__ volatile(""); }
__attribute__((noinline)) static void tree_right(void) { __asm__ volatile(""); }
#define ROOT ((uintptr_t)tree_root)
#define LEFT ((uintptr_t)tree_left)
#define RIGHT ((uintptr_t)tree_right)

static const warmpool_trace_thread *thread_of(const warmpool_trace_snapshot *s, uint64_t tid) {
    for (size_t i = 0; i < warmpool_trace_thread_count(s); i++)
        if (warmpool_trace_thread_at(s, i)->tid == tid) return warmpool_trace_thread_at(s, i);
    return NULL;
}

/* 1 if thread t's events are exactly the kinds/fns in want (kind, fn pairs). */
static int same_calls(const warmpool_trace_thread *t, const uintptr_t (*want)[2], size_t n) {
    if (!t || t->count != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (t->events[i].kind != want[i][0] || t->events[i].fn != want[i][1]) return 0;
    for (size_t i = 1; i < n; i++)
        if (t->events[i].ns < t->events[i - 1].ns) return 0;
    return 1;
}

/* Checks the B/E events of `tid` in the JSON: never closes more than it opened, ends
   balanced; returns the number of B events (-1 if broken) and the first B's name. */
static long json_balance(const char *js, uint64_t tid, char *first, size_t fsize) {
    char key[64];
    snprintf(key, sizeof key, "\"tid\":%llu,", (unsigned long long)tid);
    long depth = 0, opens = 0;
    for (const char *p = js; (p = strstr(p, "{\"ph\":\"")); p++) {
        char ph = p[7];
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *k = strstr(p, key);
        if (!k || (size_t)(k - p) > len || (ph != 'B' && ph != 'E')) continue;
        if (ph == 'B') {
            if (!opens++ && first) {
                const char *nm = strstr(p, "\"name\":\"");
                size_t i = 0;
                for (nm += 8; *nm != '"' && i + 1 < fsize; nm++) first[i++] = *nm;
                first[i] = 0;
            }
            depth++;
        } else if (--depth < 0) return -1;
    }
    return depth ? -1 : opens;
}

TEST(trace_exact_sequence_and_json_names) {
    REQUIRE(warmpool_trace_start(0) == 0);
    uint64_t t0 = warmpool_trace_now_ns();
    enter(ROOT); enter(LEFT); leave(LEFT); enter(RIGHT); leave(RIGHT); leave(ROOT);
    warmpool_trace_enable(0);
    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(t0);
    REQUIRE(s);
    const uintptr_t want[][2] = {{0, ROOT}, {0, LEFT}, {1, LEFT}, {0, RIGHT}, {1, RIGHT}, {1, ROOT}};
    CHECK(same_calls(thread_of(s, my_tid()), want, 6));
    char *js = warmpool_trace_json(s, 0, NULL);
    REQUIRE(js);
    char first[64] = "";
    CHECK_EQ_U(json_balance(js, my_tid(), first, sizeof first), 3);
    CHECK(!strcmp(first, "tree_root")); /* named by addr2line from the debug info */
    CHECK(strstr(js, "\"name\":\"tree_left\"") && strstr(js, "test_trace.c:"));
    CHECK(strstr(js, "\"name\":\"thread_name\""));
    free(js);
    warmpool_trace_free(s);
}

/* Runs fn on a new thread and waits for it; tracing settings are the caller's. */
static void on_thread(void *(*fn)(void *), void *arg) {
    pthread_t t;
    if (pthread_create(&t, NULL, fn, arg) == 0) pthread_join(t, NULL);
    else test_fail(__FILE__, __LINE__, "pthread_create");
}

struct wrap { uint64_t tid; unsigned calls; };
static void *record_many(void *arg) {
    struct wrap *w = arg;
    w->tid = my_tid();
    for (unsigned i = 0; i < w->calls; i++) { enter(0x1000 + i); leave(0x1000 + i); }
    enter(ROOT);
    enter(LEFT); /* left open: calls without returns at the end */
    return NULL;
}

TEST(trace_wraparound_keeps_newest_and_nests) {
    REQUIRE(warmpool_trace_start(64) == 0); /* sizes the new thread's buffer */
    uint64_t t0 = warmpool_trace_now_ns();
    struct wrap w = {0, 1000};
    on_thread(record_many, &w);
    warmpool_trace_start(0);
    warmpool_trace_enable(0);
    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(t0);
    REQUIRE(s);
    const warmpool_trace_thread *t = thread_of(s, w.tid);
    REQUIRE(t);
    CHECK_EQ_U(t->count, 64);
    CHECK_EQ_U(t->overwritten, 2 * 1000 + 2 - 64);
    for (size_t i = 0; i < 62 && t->count == 64; i++) { /* the newest 31 pairs, in order */
        CHECK_EQ_U(t->events[i].kind, i % 2);
        CHECK_EQ_U(t->events[i].fn, 0x1000 + 1000 - 31 + i / 2);
    }
    char *js = warmpool_trace_json(s, WARMPOOL_TRACE_NO_ADDR2LINE, NULL);
    REQUIRE(js);
    CHECK_EQ_U(json_balance(js, w.tid, NULL, 0), 33);
    free(js);
    warmpool_trace_free(s);
}

TEST(trace_orphan_returns_open_first) {
    REQUIRE(warmpool_trace_start(0) == 0);
    warmpool_trace_clear();
    leave(LEFT);  /* returns whose calls are not in the snapshot: LEFT inside ROOT */
    leave(ROOT);
    enter(RIGHT); /* and a call without return */
    warmpool_trace_enable(0);
    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(0);
    REQUIRE(s);
    REQUIRE(thread_of(s, my_tid()));
    CHECK_EQ_U(thread_of(s, my_tid())->count, 3);
    char *js = warmpool_trace_json(s, 0, NULL);
    REQUIRE(js);
    char first[64] = "";
    CHECK_EQ_U(json_balance(js, my_tid(), first, sizeof first), 3);
    CHECK(!strcmp(first, "tree_root")); /* the outer orphan opens first */
    free(js);
    warmpool_trace_free(s);
}

TEST(trace_pause_disable_since) {
    REQUIRE(warmpool_trace_start(0) == 0);
    uint64_t t0 = warmpool_trace_now_ns();
    enter(ROOT);
    warmpool_trace_pause();
    enter(0x42); leave(0x42);
    warmpool_trace_resume();
    leave(ROOT);
    warmpool_trace_enable(0);
    enter(0x43); leave(0x43); /* disabled: not recorded */
    warmpool_trace_enable(1);
    uint64_t t1 = warmpool_trace_now_ns();
    enter(LEFT); leave(LEFT);
    warmpool_trace_enable(0);
    CHECK(!warmpool_trace_enabled());

    warmpool_trace_snapshot *all = warmpool_trace_snapshot_since(t0);
    warmpool_trace_snapshot *late = warmpool_trace_snapshot_since(t1);
    REQUIRE(all && late);
    const uintptr_t want_all[][2] = {{0, ROOT}, {1, ROOT}, {0, LEFT}, {1, LEFT}};
    const uintptr_t want_late[][2] = {{0, LEFT}, {1, LEFT}};
    CHECK(same_calls(thread_of(all, my_tid()), want_all, 4));
    CHECK(same_calls(thread_of(late, my_tid()), want_late, 2));
    CHECK(thread_of(all, my_tid())->events[2].ns >= t1);
    warmpool_trace_free(all);
    warmpool_trace_free(late);
}

/* Several threads record known sequences while another takes snapshots. */
#define NREC 4
struct rec { uint64_t tid; int id; _Atomic int *go; };
static _Atomic int rec_ready;
static void *recorder(void *arg) {
    struct rec *r = arg;
    char name[16];
    snprintf(name, sizeof name, "rec-%d", r->id);
    warmpool_trace_name_thread(name);
    r->tid = my_tid();
    atomic_fetch_add(&rec_ready, 1);
    while (!atomic_load(r->go)) sched_yield();
    for (int i = 0; i < 200; i++) {
        enter(0x100 * (r->id + 1)); enter(0x100 * (r->id + 1) + 1);
        leave(0x100 * (r->id + 1) + 1); leave(0x100 * (r->id + 1));
    }
    return NULL;
}

TEST(trace_threads_record_while_snapshotting) {
    REQUIRE(warmpool_trace_start(0) == 0);
    atomic_store(&rec_ready, 0);
    uint64_t t0 = warmpool_trace_now_ns();
    _Atomic int go = 0;
    struct rec r[NREC];
    pthread_t th[NREC];
    for (int i = 0; i < NREC; i++) {
        r[i] = (struct rec){0, i, &go};
        REQUIRE(pthread_create(&th[i], NULL, recorder, &r[i]) == 0);
    }
    while (atomic_load(&rec_ready) < NREC) sched_yield(); /* all have buffers */
    atomic_store(&go, 1);
    for (int k = 0; k < 20; k++) { /* concurrent snapshots must be race-free (tsan) */
        warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(t0);
        CHECK(s);
        warmpool_trace_free(s);
    }
    for (int i = 0; i < NREC; i++) pthread_join(th[i], NULL);
    warmpool_trace_enable(0);
    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(t0);
    REQUIRE(s);
    for (int i = 0; i < NREC; i++) {
        const warmpool_trace_thread *t = thread_of(s, r[i].tid);
        REQUIRE(t);
        char name[16];
        snprintf(name, sizeof name, "rec-%d", i);
        CHECK(!strcmp(t->name, name));
        REQUIRE(t->count == 800);
        int ok = 1;
        for (size_t j = 0; j < t->count; j++) {
            static const unsigned kind[4] = {0, 0, 1, 1}, off[4] = {0, 1, 1, 0};
            ok &= t->events[j].kind == kind[j % 4] &&
                  t->events[j].fn == 0x100u * (i + 1) + off[j % 4];
        }
        CHECK(ok);
    }
    warmpool_trace_free(s);
}

/* Each thread's hot words (pos, paused, ring pointer) and its ring start on their own cache
   lines: two buffers in one line made every event of one thread evict the other's line. */
TEST(trace_buffers_do_not_share_cache_lines) {
    REQUIRE(warmpool_trace_start(0) == 0);
    struct rec r[NREC];
    _Atomic int go = 1;
    pthread_t th[NREC];
    for (int i = 0; i < NREC; i++) {
        r[i] = (struct rec){0, i, &go};
        REQUIRE(pthread_create(&th[i], NULL, recorder, &r[i]) == 0);
    }
    for (int i = 0; i < NREC; i++) pthread_join(th[i], NULL);
    warmpool_trace_enable(0);
    unsigned n = atomic_load(&wp_trace_nbufs), seen = 0;
    for (unsigned i = 0; i < n && i < WARMPOOL_TRACE_MAX_THREADS; i++) {
        struct wp_tbuf *b = atomic_load(&wp_trace_bufs[i]);
        if (!b) continue;
        seen++;
        CHECK_EQ_U((uintptr_t)b % 64, 0);
        CHECK_EQ_U((uintptr_t)b->ev % 64, 0);
    }
    CHECK(seen >= NREC);
}

/* Pool events: every chunk once, on the thread that ran it. */
#define NCHUNK 64
struct chunks { _Atomic uint64_t tid[NCHUNK]; };
static void note_chunk(void *ctx, size_t b, size_t e) {
    struct chunks *c = ctx;
    (void)e;
    atomic_store(&c->tid[b / 4], my_tid());
    for (volatile int spin = 0; spin < 2000; spin++) {} /* give the workers a share */
}

TEST(trace_pool_events_of_parallel_for) {
    REQUIRE(warmpool_trace_start(0) == 0);
    warmpool_trace_clear();
    warmpool_options o = {0};
    o.workers = 3;
    o.name = "tpool";
    warmpool *p = warmpool_create_ex(&o);
    REQUIRE(p);
    REQUIRE(warmpool_wait_ready(p, 10000) == 0);
    warmpool_warm(p, 1);
    struct chunks c;
    memset(&c, 0, sizeof c);
    uint64_t t_job = warmpool_trace_now_ns();
    warmpool_parallel_for(p, 0, 4 * NCHUNK, 4, note_chunk, &c);
    struct chunks tiny;
    warmpool_parallel_for(p, 0, 1, 0, note_chunk, &tiny); /* tiny: serial */
    warmpool_warm(p, 0);
    warmpool_destroy(p);
    warmpool_trace_enable(0);

    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(0);
    REQUIRE(s);
    unsigned seen[NCHUNK] = {0}, named = 0, jobs = 0, serial_tiny = 0, wrong_thread = 0;
    uint32_t job_seq = 0, end_seq = 1, wake_seq[64];
    unsigned wakes = 0;
    for (size_t i = 0; i < warmpool_trace_thread_count(s); i++) {
        const warmpool_trace_thread *t = warmpool_trace_thread_at(s, i);
        named += !strncmp(t->name, "tpool-", 6);
        for (size_t j = 0; j < t->count; j++) {
            const warmpool_trace_event *e = &t->events[j];
            if (e->kind == WARMPOOL_TRACE_CHUNK_BEGIN && e->ns >= t_job && e->b - e->a == 4) {
                seen[e->a / 4]++;
                wrong_thread += atomic_load(&c.tid[e->a / 4]) != t->tid;
            }
            if (e->kind == WARMPOOL_TRACE_JOB_BEGIN && t->tid == my_tid() && e->fn == (uintptr_t)p &&
                e->a == 0 && e->b == 4 * NCHUNK && e->c == 4) {
                jobs++;
                job_seq = e->seq;
                for (size_t k = j + 1; k < t->count; k++) /* the job's own end */
                    if (t->events[k].kind == WARMPOOL_TRACE_JOB_END) {
                        end_seq = t->events[k].seq;
                        break;
                    }
            }
            if (e->kind == WARMPOOL_TRACE_WAKE && e->ns >= t_job && wakes < 64)
                wake_seq[wakes++] = e->seq;
            serial_tiny += e->kind == WARMPOOL_TRACE_SERIAL && e->c == WARMPOOL_SERIAL_TINY;
        }
    }
    for (int k = 0; k < NCHUNK; k++) CHECK_EQ_U(seen[k], 1);
    CHECK_EQ_U(wrong_thread, 0);
    CHECK_EQ_U(jobs, 1);
    CHECK_EQ_U(end_seq, job_seq); /* one number from submission to return... */
    for (unsigned k = 0; k < wakes; k++) CHECK_EQ_U(wake_seq[k], job_seq); /* ...and wake-up */
    CHECK_EQ_U(serial_tiny, 1);
    CHECK_EQ_U(named, 3);
    char *js = warmpool_trace_json(s, WARMPOOL_TRACE_NO_ADDR2LINE, NULL);
    REQUIRE(js);
    CHECK(strstr(js, "\"name\":\"job ") && strstr(js, "\"name\":\"chunk\"") &&
          strstr(js, "\"name\":\"serial: tiny\"") && strstr(js, "\"warm on\"") &&
          strstr(js, "\"args\":{\"name\":\"tpool-3\"}"));
    CHECK(json_balance(js, my_tid(), NULL, 0) > 0);
    free(js);
    warmpool_trace_free(s);
}

TEST(trace_save_writes_file) {
    REQUIRE(warmpool_trace_start(0) == 0);
    uint64_t t0 = warmpool_trace_now_ns();
    enter(ROOT); leave(ROOT);
    warmpool_trace_enable(0);
    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(t0);
    REQUIRE(s);
    char path[] = "/tmp/wp_trace_XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    close(fd);
    CHECK(warmpool_trace_save(s, path, WARMPOOL_TRACE_NO_ADDR2LINE) == 0);
    FILE *f = fopen(path, "r");
    char buf[64] = "";
    CHECK(f && fread(buf, 1, sizeof buf - 1, f) > 0 && strstr(buf, "traceEvents"));
    if (f) fclose(f);
    unlink(path);
    CHECK(warmpool_trace_save(s, "/nonexistent-dir/x.json", 0) != 0);
    warmpool_trace_free(s);
}

/* Threads come and go: past a few dozen buffers, exited threads' buffers are reused, so
   tracing a program that keeps starting threads stays bounded. */
static void *one_event(void *arg) {
    (void)arg;
    enter(ROOT); leave(ROOT);
    return NULL;
}

TEST(trace_exited_threads_buffers_are_reused) {
    REQUIRE(warmpool_trace_start(64) == 0);
    for (int i = 0; i < 100; i++) on_thread(one_event, NULL);
    warmpool_trace_start(0);
    warmpool_trace_enable(0);
    warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(0);
    REQUIRE(s);
    size_t with_root = 0;
    for (size_t i = 0; i < warmpool_trace_thread_count(s); i++) {
        const warmpool_trace_thread *t = warmpool_trace_thread_at(s, i);
        with_root += t->count == 2 && t->events[0].fn == ROOT;
    }
    CHECK(with_root >= 1);
    CHECK(with_root < 64); /* 100 threads, yet only the buffers' worth are kept */
    warmpool_trace_free(s);
}

/* The TLS destructor that frees a thread's buffer is library code: the library pins
   itself so a dlclose while traced threads live does not leave them exiting into unmapped
   code. Needs libwarmpool.so next to the test binary (the native build has it). */
static void (*so_enter)(void *, void *);
static _Atomic int so_stage;
static void *traced_then_wait(void *arg) {
    (void)arg;
    so_enter((void *)ROOT, NULL);
    atomic_store(&so_stage, 1);
    while (atomic_load(&so_stage) != 2) sched_yield();
    return NULL; /* the key destructor runs now, after dlclose */
}

TEST(trace_library_survives_dlclose_with_traced_threads) {
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    REQUIRE(n > 0);
    path[n] = 0;
    strcpy(strrchr(path, '/') + 1, "libwarmpool.so");
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) { printf("    (skipped: no %s)\n", path); return; }
    int (*start)(size_t) = (int (*)(size_t))dlsym(h, "warmpool_trace_start");
    void (*enable)(int) = (void (*)(int))dlsym(h, "warmpool_trace_enable");
    so_enter = (void (*)(void *, void *))dlsym(h, "__cyg_profile_func_enter");
    REQUIRE(start && enable && so_enter);
    REQUIRE(start(64) == 0);
    atomic_store(&so_stage, 0);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, traced_then_wait, NULL) == 0);
    while (!atomic_load(&so_stage)) sched_yield();
    enable(0);
    dlclose(h);
    atomic_store(&so_stage, 2);
    pthread_join(t, NULL); /* crashed here before the pin */
    void *still = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    CHECK(still != NULL);
    if (still) dlclose(still);
}
