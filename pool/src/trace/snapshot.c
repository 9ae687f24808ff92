/* snapshot.c - snapshots: copy each thread's ring while it may still be recording,
   drop what was overwritten during the copy, decode the slots into events. */
#include "trace/trace_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct warmpool_trace_snapshot {
    size_t n;
    warmpool_trace_thread *t;
};

/* Decodes slots [0, n) of one copied ring; returns the events kept (ns >= since). */
static WP_NOINSTR size_t decode(const uint64_t (*s)[2], size_t n, uint64_t since,
                                warmpool_trace_event *out) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned kind = (unsigned)(s[i][0] >> 56);
        if (kind >= WARMPOOL_TRACE_KINDS) continue; /* an argument whose head was lost */
        unsigned na = wp_trace_nargs[kind];
        if (i + na >= n) break;
        uint64_t x = s[i][1], small = na ? s[i + 1][0] & WP_M56 : 0;
        uint64_t a1 = na > 0 ? s[i + 1][1] : 0, a2 = na > 1 ? s[i + 2][1] : 0;
        uint64_t a3 = na > 2 ? s[i + 3][1] : 0;
        warmpool_trace_event e = {.ns = wp_trace_to_ns(s[i][0] & WP_M56), .kind = kind};
        i += na;
        if (e.ns < since) continue;
        switch (kind) {
        case WARMPOOL_TRACE_CHUNK_BEGIN: e.a = x; e.b = a1; e.thread = (uint32_t)small; break;
        case WARMPOOL_TRACE_CHUNK_END: e.thread = (uint32_t)x; break;
        case WARMPOOL_TRACE_JOB_BEGIN: e.a = a1; e.b = a2; e.c = a3; /* fall through */
        case WARMPOOL_TRACE_JOB_END: e.fn = x; e.seq = (uint32_t)small; break;
        case WARMPOOL_TRACE_SERIAL: e.fn = x; e.a = a1; e.b = a2; e.c = small; break;
        case WARMPOOL_TRACE_WAKE:
            e.fn = x; e.seq = (uint32_t)small; e.a = small >> 32 & 1; e.b = small >> 33 & 1;
            e.thread = (uint32_t)a1;
            break;
        case WARMPOOL_TRACE_WARM: e.fn = x; e.a = small & 1; e.b = small >> 1 & 1; break;
        case WARMPOOL_TRACE_SLEEP:
        case WARMPOOL_TRACE_THREAD_START:
        case WARMPOOL_TRACE_THREAD_EXIT: e.fn = x; e.thread = (uint32_t)small; break;
        default: e.fn = x; break; /* CALL, RETURN */
        }
        out[k++] = e;
    }
    return k;
}

/* Copies the slots of b that are still valid after the copy; returns how many, with the
   index of the first in *first. */
static WP_NOINSTR size_t copy_ring(struct wp_tbuf *b, uint64_t (*tmp)[2], uint64_t *first) {
    uint64_t size = b->mask + 1;
    uint64_t end = atomic_load_explicit(&b->pos, memory_order_acquire);
    uint64_t lo = atomic_load(&b->start);
    if (end > size && end - size > lo) lo = end - size;
    if (lo > end) lo = end;
    for (uint64_t i = lo; i < end; i++) {
        const struct wp_tslot *s = &b->ev[i & b->mask];
        tmp[i - lo][0] = atomic_load_explicit(&s->t, memory_order_relaxed);
        tmp[i - lo][1] = atomic_load_explicit(&s->x, memory_order_relaxed);
    }
    atomic_thread_fence(memory_order_acquire);
    uint64_t now = atomic_load_explicit(&b->pos, memory_order_relaxed);
    uint64_t keep = lo, st = atomic_load(&b->start);
    if (now > size && now - size > keep) keep = now - size; /* overwritten meanwhile */
    if (st > keep) keep = st;                               /* cleared or reused meanwhile */
    if (keep >= end) { *first = 0; return 0; }
    *first = keep - lo;
    return end - keep;
}

warmpool_trace_snapshot *warmpool_trace_snapshot_since(uint64_t since) {
    wp_trace_calibrate();
    unsigned nb = atomic_load(&wp_trace_nbufs);
    if (nb > WARMPOOL_TRACE_MAX_THREADS) nb = WARMPOOL_TRACE_MAX_THREADS;
    warmpool_trace_snapshot *snap = calloc(1, sizeof *snap);
    if (snap && nb) snap->t = calloc(nb, sizeof *snap->t);
    if (!snap || (nb && !snap->t)) goto oom;
    for (unsigned i = 0; i < nb; i++) {
        struct wp_tbuf *b = atomic_load_explicit(&wp_trace_bufs[i], memory_order_acquire);
        if (!b) continue;
        uint64_t (*tmp)[2] = malloc((b->mask + 1) * sizeof *tmp), first;
        if (!tmp) goto oom;
        size_t n = copy_ring(b, tmp, &first);
        warmpool_trace_event *ev = n ? malloc(n * sizeof *ev) : NULL;
        if (n && !ev) { free(tmp); goto oom; }
        size_t k = decode(tmp + first, n, since, ev);
        free(tmp);
        if (!k) { free(ev); continue; }
        warmpool_trace_thread *t = &snap->t[snap->n++];
        t->events = ev;
        t->count = k;
        t->tid = atomic_load(&b->tid);
        uint64_t w[4];
        for (int j = 0; j < 4; j++) w[j] = atomic_load_explicit(&b->name[j], memory_order_relaxed);
        memcpy(t->name, w, sizeof t->name - 1);
        t->name[sizeof t->name - 1] = 0;
        uint64_t used = atomic_load(&b->pos) - atomic_load(&b->start);
        t->overwritten = used > b->mask + 1 ? used - (b->mask + 1) : 0;
    }
    return snap;
oom:
    warmpool_trace_free(snap);
    errno = ENOMEM;
    return NULL;
}

void warmpool_trace_free(warmpool_trace_snapshot *snap) {
    if (!snap) return;
    for (size_t i = 0; i < snap->n; i++) free((void *)snap->t[i].events);
    free(snap->t);
    free(snap);
}

size_t warmpool_trace_thread_count(const warmpool_trace_snapshot *snap) {
    return snap ? snap->n : 0;
}

const warmpool_trace_thread *warmpool_trace_thread_at(const warmpool_trace_snapshot *snap,
                                                      size_t i) {
    return snap && i < snap->n ? &snap->t[i] : NULL;
}
