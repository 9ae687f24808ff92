/* symbols.c - the table of function addresses a snapshot names; the names themselves
   come from the OS (wp_syms_resolve in prim/trace_<os>.c). */
#include "trace/trace_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static WP_NOINSTR struct wp_sym *slot(const struct wp_syms *s, uint64_t addr) {
    size_t h = (size_t)(addr * 0x9e3779b97f4a7c15u >> 17) & s->mask;
    while (s->tab[h].addr && s->tab[h].addr != addr) h = (h + 1) & s->mask;
    return &s->tab[h];
}

const char *wp_syms_get(const struct wp_syms *s, uint64_t addr, const char **src) {
    struct wp_sym *e = addr ? slot(s, addr) : NULL;
    *src = e && e->addr ? e->src : NULL;
    return e && e->name ? e->name : "?";
}

void wp_syms_free(struct wp_syms *s) {
    if (!s) return;
    for (size_t i = 0; i <= s->mask; i++) { free(s->tab[i].name); free(s->tab[i].src); }
    free(s->tab);
    free(s);
}

char *wp_strndup(const char *a, size_t n) {
    char *p = malloc(n + 1);
    if (p) { memcpy(p, a, n); p[n] = 0; }
    return p;
}

/* Unique addresses in an open-addressing table kept at most half full. */
static WP_NOINSTR int grow(struct wp_syms *s) {
    size_t size = (s->mask + 1) * 2;
    struct wp_sym *old = s->tab, *tab = calloc(size, sizeof *tab);
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
        struct wp_sym *e = addrs[i] ? slot(s, addrs[i]) : NULL;
        if (!e || e->addr) continue;
        e->addr = addrs[i];
        if (++used * 2 > s->mask && grow(s)) { wp_syms_free(s); return NULL; }
    }
    wp_syms_resolve(s, flags);
    return s;
}
