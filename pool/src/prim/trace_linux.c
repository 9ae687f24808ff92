/* trace_linux.c - what the tracer needs from Linux: the TSC (when invariant) or
   CLOCK_MONOTONIC_RAW, each thread's buffer in initial-exec TLS released by a TLS
   destructor, the -finstrument-functions hooks' fast path, and function names from
   dladdr() and addr2line. */
#include "trace/trace_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

const size_t wp_trace_default_events = WARMPOOL_TRACE_DEFAULT_EVENTS;

/* ---- Clock ---- */
static int g_use_tsc;

static inline WP_NOINSTR uint64_t raw_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t wp_trace_ticks(void) {
#if defined(__x86_64__)
    if (__builtin_expect(g_use_tsc, 1)) return __rdtsc();
#endif
    return raw_ns();
}

/* Runs at load, before any thread can trace: g_use_tsc is then read-only. The TSC is
   used only when it is invariant (same rate on every core, through sleep states). */
__attribute__((constructor)) static WP_NOINSTR void pick_clock(void) {
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (__get_cpuid(0x80000007, &a, &b, &c, &d)) g_use_tsc = (d >> 8) & 1;
#endif
}

/* A tick rate measured against CLOCK_MONOTONIC_RAW over 10 ms of sleep: an error of
   ~50 ns in either reading is 5 ppm. */
static WP_NOINSTR void sample(uint64_t *tick, uint64_t *ns) {
    uint64_t a = wp_trace_ticks();
    *ns = raw_ns();
    *tick = a + (wp_trace_ticks() - a) / 2;
}
void wp_trace_measure(struct wp_clock *c) {
    sample(&c->tick0, &c->ns0);
    c->ns_per_tick = 1;
    if (!g_use_tsc) { c->tick0 = c->ns0; return; }
    struct timespec nap = {0, 10000000};
    nanosleep(&nap, NULL);
    uint64_t t1, n1;
    sample(&t1, &n1);
    c->ns_per_tick = (double)(n1 - c->ns0) / (double)(t1 - c->tick0);
}

/* ---- Buffers ---- */
/* Initial-exec TLS: in a shared library the default (global-dynamic) model calls
   __tls_get_addr on every access, which would double the cost of a hook. initial-exec is
   a fixed offset from the thread pointer; glibc keeps spare static TLS for dlopen'ed
   libraries (this is 8 bytes of it), so Python can still dlopen libwarmpool.so. */
static __thread struct wp_tbuf *tls_buf __attribute__((tls_model("initial-exec")));
static pthread_key_t g_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;

/* Thread exit: the buffer goes back for reuse; later hooks on this thread see g_dead. */
static WP_NOINSTR void release(void *arg) {
    struct wp_tbuf *b = arg;
    tls_buf = &wp_trace_dead;
    atomic_store(&b->state, WP_BUF_EXITED);
}
/* The key's destructor is code of this library: pin it (as if linked -z nodelete), so a
   dlclose cannot unload it while threads may still exit through it. */
static WP_NOINSTR void make_key(void) {
    Dl_info info;
    if (dladdr((void *)release, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    pthread_key_create(&g_key, release);
}

static WP_NOINSTR struct wp_tbuf *attach(void) {
    pthread_once(&g_key_once, make_key);
    struct wp_tbuf *b = wp_tbuf_claim();
    if (!b) return tls_buf = &wp_trace_dead;
    char name[32] = "";
    pthread_getname_np(pthread_self(), name, sizeof name);
    wp_tbuf_set_name(b, name);
    atomic_store(&b->tid, (uint64_t)syscall(SYS_gettid));
    atomic_store(&b->state, WP_BUF_LIVE);
    pthread_setspecific(g_key, b);
    return tls_buf = b;
}
struct wp_tbuf *wp_tbuf_self(void) {
    struct wp_tbuf *b = tls_buf;
    return __builtin_expect(b != NULL, 1) ? b : attach();
}
struct wp_tbuf *wp_tbuf_self_if_any(void) { return tls_buf; }
uint64_t wp_trace_pid(void) { return (uint64_t)getpid(); }


void wp_tbuf_thread_exit(struct wp_tbuf *b) { (void)b; /* the TLS destructor does it */ }

/* ---- Hooks ---- */
/* The hooks' fast path is a leaf (no frame, no saved registers): everything else, a
   thread's first event and a machine without an invariant TSC, goes through wp_trace_hook_slow().
   A TSC read is most of an event's cost (8 ns on the reference VM). */
static inline WP_NOINSTR void hook(uint64_t kind, void *fn) {
    if (!WP_TRACING()) return;
#if defined(__x86_64__)
    struct wp_tbuf *b = tls_buf;
    if (__builtin_expect(b != NULL, 1)) {
        if (b->paused) return;
        if (__builtin_expect(g_use_tsc, 1)) {
            wp_rec(b, (__rdtsc() & WP_M56) | kind << 56, (uint64_t)(uintptr_t)fn);
            return;
        }
    }
#endif
    wp_trace_hook_slow(kind, fn);
}

void __cyg_profile_func_enter(void *fn, void *site) {
    (void)site;
    hook(WARMPOOL_TRACE_CALL, fn);
}

void __cyg_profile_func_exit(void *fn, void *site) {
    (void)site;
    hook(WARMPOOL_TRACE_RETURN, fn);
}


/* ---- Names ---- */
/* dladdr() for exported names and the object's load address, then one `addr2line -f` per
   object for static functions and "file:line" (debug info), fed addresses relative to the
   object when it is position-independent (PIE or .so under ASLR). */
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <unistd.h>

/* Runs addr2line once for every symbol whose object is e->file. */
static WP_NOINSTR void addr2line(struct wp_syms *s, const char *file) {
    if (strchr(file, '\'')) return;
    size_t cap = strlen(file) + 64, len;
    for (size_t i = 0; i <= s->mask; i++)
        if (s->tab[i].file == file) { cap += 20; s->tab[i].done = 1; }
    char *cmd = malloc(cap), line[4096];
    if (!cmd) return;
    len = (size_t)snprintf(cmd, cap, "addr2line -f -e '%s'", file);
    for (size_t i = 0; i <= s->mask; i++)
        if (s->tab[i].file == file)
            len += (size_t)snprintf(cmd + len, cap - len, " %#llx",
                                    (unsigned long long)(s->tab[i].addr - s->tab[i].base));
    len += (size_t)snprintf(cmd + len, cap - len, " 2>/dev/null");
    FILE *p = popen(cmd, "r");
    free(cmd);
    if (!p) return;
    for (size_t i = 0; i <= s->mask; i++) {
        struct wp_sym *e = &s->tab[i];
        if (e->file != file) continue;
        if (!fgets(line, sizeof line, p)) break;
        size_t n = strcspn(line, "\n");
        if (n && strncmp(line, "??", 2)) { free(e->name); e->name = wp_strndup(line, n); }
        if (!fgets(line, sizeof line, p)) break;
        n = strcspn(line, " \n"); /* drops " (discriminator N)" */
        if (n && strncmp(line, "??", 2) && !strstr(line, ":0\n") && !strstr(line, ":?"))
            e->src = wp_strndup(line, n);
    }
    pclose(p);
}

void wp_syms_resolve(struct wp_syms *s, unsigned flags) {
    for (size_t i = 0; i <= s->mask; i++) {
        struct wp_sym *e = &s->tab[i];
        Dl_info info;
        if (!e->addr || !dladdr((void *)(uintptr_t)e->addr, &info)) continue;
        if (info.dli_sname) e->name = wp_strndup(info.dli_sname, strlen(info.dli_sname));
        e->file = info.dli_fname && *info.dli_fname && !access(info.dli_fname, R_OK)
                      ? info.dli_fname : "/proc/self/exe";
        /* addr2line wants addresses as linked: relative to the load address for
           position-independent objects, absolute for a fixed-address executable. */
        const ElfW(Ehdr) *eh = info.dli_fbase;
        e->base = eh && eh->e_type == ET_DYN ? (uint64_t)(uintptr_t)info.dli_fbase : 0;
    }
    /* dladdr gives one file name pointer per object, so pointers tell objects apart. */
    for (size_t i = 0; i <= s->mask && !(flags & WARMPOOL_TRACE_NO_ADDR2LINE); i++)
        if (s->tab[i].file && !s->tab[i].done) addr2line(s, s->tab[i].file);
    for (size_t i = 0; i <= s->mask; i++) {
        struct wp_sym *e = &s->tab[i];
        if (!e->addr || e->name) continue;
        char d[24];
        snprintf(d, sizeof d, "%#llx", (unsigned long long)e->addr);
        e->name = wp_strndup(d, strlen(d));
    }
}

int warmpool_trace_save(const warmpool_trace_snapshot *snap, const char *path, unsigned flags) {
    size_t len;
    char *js = warmpool_trace_json(snap, flags, &len);
    if (!js) return errno;
    FILE *f = fopen(path, "w");
    int err = !f ? errno : fwrite(js, 1, len, f) != len ? EIO : 0;
    if (f && fclose(f) && !err) err = errno;
    free(js);
    return err;
}
