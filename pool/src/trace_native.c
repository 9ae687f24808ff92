/* trace_native.c - function names and files: what only the native build can do.
   Natively: dladdr() for exported names and the object's load address, then one
   `addr2line -f` per object for static functions and "file:line" (debug info), fed
   addresses relative to the object when it is position-independent (PIE or .so under
   ASLR). On Wasm a function pointer is a table index: "wasm-fn:<index>". */
#include "trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sym { uint64_t addr; char *name, *src; const char *file; uint64_t base; int done; };
struct wp_syms { size_t mask; struct sym *tab; };

static WP_NOINSTR struct sym *slot(const struct wp_syms *s, uint64_t addr) {
    size_t h = (size_t)(addr * 0x9e3779b97f4a7c15u >> 17) & s->mask;
    while (s->tab[h].addr && s->tab[h].addr != addr) h = (h + 1) & s->mask;
    return &s->tab[h];
}

const char *wp_syms_get(const struct wp_syms *s, uint64_t addr, const char **src) {
    struct sym *e = addr ? slot(s, addr) : NULL;
    *src = e && e->addr ? e->src : NULL;
    return e && e->name ? e->name : "?";
}

void wp_syms_free(struct wp_syms *s) {
    if (!s) return;
    for (size_t i = 0; i <= s->mask; i++) { free(s->tab[i].name); free(s->tab[i].src); }
    free(s->tab);
    free(s);
}

static WP_NOINSTR char *strndup_(const char *a, size_t n) {
    char *p = malloc(n + 1);
    if (p) { memcpy(p, a, n); p[n] = 0; }
    return p;
}

#ifdef __EMSCRIPTEN__
static WP_NOINSTR void symbolize(struct wp_syms *s, unsigned flags) {
    (void)flags;
    for (size_t i = 0; i <= s->mask; i++) {
        struct sym *e = &s->tab[i];
        if (!e->addr) continue;
        char d[32] = "wasm-fn:";
        char n[21];
        int k = sizeof n;
        uint64_t v = e->addr;
        do n[--k] = (char)('0' + v % 10); while (v /= 10);
        memcpy(d + 8, n + k, sizeof n - (size_t)k);
        e->name = strndup_(d, 8 + sizeof n - (size_t)k);
    }
}

int warmpool_trace_save(const warmpool_trace_snapshot *snap, const char *path, unsigned flags) {
    (void)snap; (void)path; (void)flags;
    return ENOSYS; /* no stdio in the side module's imports: use warmpool_trace_json() */
}
#else
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
        struct sym *e = &s->tab[i];
        if (e->file != file) continue;
        if (!fgets(line, sizeof line, p)) break;
        size_t n = strcspn(line, "\n");
        if (n && strncmp(line, "??", 2)) { free(e->name); e->name = strndup_(line, n); }
        if (!fgets(line, sizeof line, p)) break;
        n = strcspn(line, " \n"); /* drops " (discriminator N)" */
        if (n && strncmp(line, "??", 2) && !strstr(line, ":0\n") && !strstr(line, ":?"))
            e->src = strndup_(line, n);
    }
    pclose(p);
}

static WP_NOINSTR void symbolize(struct wp_syms *s, unsigned flags) {
    for (size_t i = 0; i <= s->mask; i++) {
        struct sym *e = &s->tab[i];
        Dl_info info;
        if (!e->addr || !dladdr((void *)(uintptr_t)e->addr, &info)) continue;
        if (info.dli_sname) e->name = strndup_(info.dli_sname, strlen(info.dli_sname));
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
        struct sym *e = &s->tab[i];
        if (!e->addr || e->name) continue;
        char d[24];
        snprintf(d, sizeof d, "%#llx", (unsigned long long)e->addr);
        e->name = strndup_(d, strlen(d));
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
#endif

/* Unique addresses in an open-addressing table kept at most half full. */
static WP_NOINSTR int grow(struct wp_syms *s) {
    size_t size = (s->mask + 1) * 2;
    struct sym *old = s->tab, *tab = calloc(size, sizeof *tab);
    if (!tab) return ENOMEM;
    size_t n = s->mask + 1;
    s->tab = tab;
    s->mask = size - 1;
    for (size_t i = 0; i < n; i++)
        if (old[i].addr) slot(s, old[i].addr)->addr = old[i].addr;
    free(old);
    return 0;
}

struct wp_syms *wp_syms_build(const uint64_t *addrs, size_t n, unsigned flags) {
    struct wp_syms *s = calloc(1, sizeof *s);
    size_t used = 0;
    if (!s || !(s->tab = calloc(64, sizeof *s->tab))) { free(s); return NULL; }
    s->mask = 63;
    for (size_t i = 0; i < n; i++) {
        struct sym *e = addrs[i] ? slot(s, addrs[i]) : NULL;
        if (!e || e->addr) continue;
        e->addr = addrs[i];
        if (++used * 2 > s->mask && grow(s)) { wp_syms_free(s); return NULL; }
    }
    symbolize(s, flags);
    return s;
}
