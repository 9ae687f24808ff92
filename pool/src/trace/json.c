/* json.c - a snapshot as Chrome/Perfetto trace-event JSON. No stdio and no
   libc formatting: the same code runs in the Wasm side module, whose imports are limited.
   Nesting: per thread, calls, jobs and chunks are frames on one stack; a close that
   matches no open frame (its open is older than the snapshot) is found in a first pass
   and opened at the thread's first timestamp, frames still open at the end are closed at
   its last, and a close that skips frames (longjmp, a lost event) closes those too. */
#include "trace/trace_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct out { char *p; size_t n, cap; int oom; };

static WP_NOINSTR void putn(struct out *o, const char *s, size_t n) {
    if (o->oom) return;
    if (o->n + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->n + n + 1) cap *= 2;
        char *p = malloc(cap);
        if (!p) { o->oom = 1; return; }
        if (o->n) memcpy(p, o->p, o->n);
        free(o->p);
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = 0;
}
static WP_NOINSTR void puts_(struct out *o, const char *s) { putn(o, s, strlen(s)); }

static WP_NOINSTR void put_u64(struct out *o, uint64_t v) {
    char d[24];
    int i = sizeof d;
    do d[--i] = (char)('0' + v % 10); while (v /= 10);
    putn(o, d + i, sizeof d - (size_t)i);
}

static WP_NOINSTR void put_hex(struct out *o, uint64_t v) {
    char d[20];
    int i = sizeof d;
    do d[--i] = "0123456789abcdef"[v & 15]; while (v >>= 4);
    d[--i] = 'x';
    d[--i] = '0';
    putn(o, d + i, sizeof d - (size_t)i);
}

/* Microseconds with three decimals: nanosecond resolution. */
static WP_NOINSTR void put_ts(struct out *o, uint64_t ns) {
    char f[4] = {'.', (char)('0' + ns / 100 % 10), (char)('0' + ns / 10 % 10),
                 (char)('0' + ns % 10)};
    put_u64(o, ns / 1000);
    putn(o, f, 4);
}

static WP_NOINSTR void put_str(struct out *o, const char *s) {
    putn(o, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { char e[2] = {'\\', (char)c}; putn(o, e, 2); }
        else if (c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            putn(o, e, 6);
        } else putn(o, (const char *)&c, 1);
    }
    putn(o, "\"", 1);
}

/* ---- job-begin times by (pool, seq), for the wake-up latency ---- */
struct jobs { size_t mask; struct { uint64_t pool, seq, ns; } *e; };

static WP_NOINSTR size_t job_slot(const struct jobs *j, uint64_t pool, uint64_t seq) {
    size_t h = (size_t)((pool * 0x9e3779b97f4a7c15u) ^ (seq * 0xff51afd7ed558ccdu)) & j->mask;
    while (j->e[h].pool && !(j->e[h].pool == pool && j->e[h].seq == seq)) h = (h + 1) & j->mask;
    return h;
}

static WP_NOINSTR int jobs_build(struct jobs *j, const warmpool_trace_snapshot *s) {
    size_t n = 0, size = 16;
    for (size_t t = 0; t < warmpool_trace_thread_count(s); t++) {
        const warmpool_trace_thread *th = warmpool_trace_thread_at(s, t);
        for (size_t i = 0; i < th->count; i++) n += th->events[i].kind == WARMPOOL_TRACE_JOB_BEGIN;
    }
    while (size < 2 * n + 2) size *= 2;
    j->mask = size - 1;
    if (!(j->e = calloc(size, sizeof *j->e))) return ENOMEM;
    for (size_t t = 0; t < warmpool_trace_thread_count(s); t++) {
        const warmpool_trace_thread *th = warmpool_trace_thread_at(s, t);
        for (size_t i = 0; i < th->count; i++) {
            const warmpool_trace_event *e = &th->events[i];
            if (e->kind != WARMPOOL_TRACE_JOB_BEGIN || !e->fn) continue;
            size_t h = job_slot(j, e->fn, e->seq);
            j->e[h].pool = e->fn; j->e[h].seq = e->seq; j->e[h].ns = e->ns;
        }
    }
    return 0;
}

/* ---- one thread ---- */
struct frame { uint32_t kind; uint64_t id, id2; const warmpool_trace_event *open; };

struct ctx {
    struct out *o;
    const struct wp_syms *syms;
    const struct jobs *jobs;
    uint64_t pid, tid;
};

static WP_NOINSTR int opens(uint32_t k) {
    return k == WARMPOOL_TRACE_CALL || k == WARMPOOL_TRACE_JOB_BEGIN ||
           k == WARMPOOL_TRACE_CHUNK_BEGIN;
}
static WP_NOINSTR int closes(uint32_t k) {
    return k == WARMPOOL_TRACE_RETURN || k == WARMPOOL_TRACE_JOB_END ||
           k == WARMPOOL_TRACE_CHUNK_END;
}

/* The frame an opening event opens, or a closing event closes. */
static WP_NOINSTR struct frame frame_of(const warmpool_trace_event *e) {
    struct frame f = {e->kind, e->fn, 0, opens(e->kind) ? e : NULL};
    if (closes(e->kind)) f.kind--; /* each closing kind follows its opening kind */
    if (f.kind == WARMPOOL_TRACE_JOB_BEGIN) f.id2 = e->seq;
    if (f.kind == WARMPOOL_TRACE_CHUNK_BEGIN) { f.id = 0; f.id2 = e->thread; }
    return f;
}

static WP_NOINSTR long find(const struct frame *st, size_t depth, const struct frame *f) {
    for (size_t i = depth; i-- > 0;)
        if (st[i].kind == f->kind && st[i].id == f->id && st[i].id2 == f->id2) return (long)i;
    return -1;
}

static WP_NOINSTR void head(struct ctx *c, const char *ph, uint64_t ns) {
    puts_(c->o, ",\n{\"ph\":\"");
    puts_(c->o, ph);
    puts_(c->o, "\",\"pid\":");
    put_u64(c->o, c->pid);
    puts_(c->o, ",\"tid\":");
    put_u64(c->o, c->tid);
    puts_(c->o, ",\"ts\":");
    put_ts(c->o, ns);
}

static WP_NOINSTR void arg_u(struct out *o, const char *key, uint64_t v, int first) {
    puts_(o, first ? ",\"args\":{\"" : ",\"");
    puts_(o, key);
    puts_(o, "\":");
    put_u64(o, v);
}

static WP_NOINSTR void open_frame(struct ctx *c, const struct frame *f, uint64_t ns) {
    const warmpool_trace_event *e = f->open;
    head(c, "B", ns);
    if (f->kind == WARMPOOL_TRACE_CALL) {
        const char *src = NULL, *name = wp_syms_get(c->syms, f->id, &src);
        puts_(c->o, ",\"cat\":\"fn\",\"name\":");
        put_str(c->o, name);
        puts_(c->o, ",\"args\":{\"addr\":\"");
        put_hex(c->o, f->id);
        puts_(c->o, "\"");
        if (src) { puts_(c->o, ",\"src\":"); put_str(c->o, src); }
        puts_(c->o, "}}");
        return;
    }
    if (f->kind == WARMPOOL_TRACE_JOB_BEGIN) {
        puts_(c->o, ",\"cat\":\"pool\",\"name\":\"job ");
        put_u64(c->o, f->id2);
        puts_(c->o, "\"");
        if (e) {
            arg_u(c->o, "begin", e->a, 1);
            arg_u(c->o, "end", e->b, 0);
            arg_u(c->o, "grain", e->c, 0);
            puts_(c->o, "}");
        }
    } else {
        puts_(c->o, ",\"cat\":\"pool\",\"name\":\"chunk\"");
        arg_u(c->o, "thread", f->id2, 1);
        if (e) { arg_u(c->o, "begin", e->a, 0); arg_u(c->o, "end", e->b, 0); }
        puts_(c->o, "}");
    }
    puts_(c->o, "}");
}

static WP_NOINSTR void close_frame(struct ctx *c, uint64_t ns) {
    head(c, "E", ns);
    puts_(c->o, "}");
}

static const char *const SERIAL_WHY[] = {"not ready", "nested", "concurrent", "tiny", "no workers"};

static WP_NOINSTR void instant(struct ctx *c, const warmpool_trace_event *e) {
    struct out *o = c->o;
    head(c, "i", e->ns);
    puts_(o, ",\"s\":\"t\",\"cat\":\"pool\",\"name\":");
    switch (e->kind) {
    case WARMPOOL_TRACE_SERIAL:
        puts_(o, "\"serial: ");
        puts_(o, e->c < 5 ? SERIAL_WHY[e->c] : "?");
        puts_(o, "\"");
        arg_u(o, "begin", e->a, 1);
        arg_u(o, "end", e->b, 0);
        break;
    case WARMPOOL_TRACE_WAKE: {
        puts_(o, e->a ? "\"wake\"" : "\"late wake\"");
        arg_u(o, "job", e->seq, 1);
        arg_u(o, "spun", e->b, 0);
        arg_u(o, "thread", e->thread, 0);
        size_t h = job_slot(c->jobs, e->fn, e->seq);
        if (c->jobs->e[h].pool && e->ns >= c->jobs->e[h].ns) {
            puts_(o, ",\"latency_us\":");
            put_ts(o, e->ns - c->jobs->e[h].ns);
        }
        break;
    }
    case WARMPOOL_TRACE_WARM:
        puts_(o, e->a ? "\"warm on\"" : e->b ? "\"warm off (cool-down)\"" : "\"warm off\"");
        arg_u(o, "by_cooldown", e->b, 1);
        break;
    default:
        puts_(o, e->kind == WARMPOOL_TRACE_SLEEP ? "\"sleep\"" :
                 e->kind == WARMPOOL_TRACE_THREAD_START ? "\"thread start\"" : "\"thread exit\"");
        arg_u(o, "thread", e->thread, 1);
    }
    puts_(o, ",\"pool\":\"");
    put_hex(o, e->fn);
    puts_(o, "\"}}");
}

static WP_NOINSTR int write_thread(struct ctx *c, const warmpool_trace_thread *t) {
    size_t n = t->count, depth = 0, no = 0;
    if (!n) return 0;
    struct frame *st = malloc(n * sizeof *st), *orph = malloc(n * sizeof *orph);
    if (!st || !orph) { free(st); free(orph); return ENOMEM; }
    for (size_t i = 0; i < n; i++) { /* pass 1: the closes without an open */
        const warmpool_trace_event *e = &t->events[i];
        if (opens(e->kind)) st[depth++] = frame_of(e);
        else if (closes(e->kind)) {
            struct frame f = frame_of(e);
            long at = find(st, depth, &f);
            if (at >= 0) depth = (size_t)at;
            else { depth = 0; orph[no++] = f; }
        }
    }
    /* The latest orphan is the outermost frame: open it first. Equal timestamps keep
       their order in the file, which is the nesting order. */
    for (depth = 0; depth < no; depth++) {
        st[depth] = orph[no - 1 - depth];
        open_frame(c, &st[depth], t->events[0].ns);
    }
    for (size_t i = 0; i < n; i++) {
        const warmpool_trace_event *e = &t->events[i];
        if (opens(e->kind)) {
            st[depth] = frame_of(e);
            open_frame(c, &st[depth++], e->ns);
        } else if (closes(e->kind)) {
            struct frame f = frame_of(e);
            long at = find(st, depth, &f);
            if (at < 0) continue; /* cannot happen: pass 1 opened it */
            while (depth > (size_t)at) { close_frame(c, e->ns); depth--; }
        } else instant(c, e);
    }
    while (depth) { close_frame(c, t->events[n - 1].ns); depth--; }
    free(st);
    free(orph);
    return 0;
}

static WP_NOINSTR void meta(struct ctx *c, const char *what, uint64_t tid, const char *name) {
    puts_(c->o, ",\n{\"ph\":\"M\",\"pid\":");
    put_u64(c->o, c->pid);
    puts_(c->o, ",\"tid\":");
    put_u64(c->o, tid);
    puts_(c->o, ",\"name\":\"");
    puts_(c->o, what);
    puts_(c->o, "\",\"args\":{\"name\":");
    put_str(c->o, name);
    puts_(c->o, "}}");
}

char *warmpool_trace_json(const warmpool_trace_snapshot *s, unsigned flags, size_t *len) {
    if (!s) { errno = EINVAL; return NULL; }
    size_t nt = warmpool_trace_thread_count(s), na = 0;
    for (size_t t = 0; t < nt; t++) na += warmpool_trace_thread_at(s, t)->count;
    uint64_t *addrs = malloc((na + 1) * sizeof *addrs);
    if (!addrs) { errno = ENOMEM; return NULL; }
    na = 0;
    for (size_t t = 0; t < nt; t++) {
        const warmpool_trace_thread *th = warmpool_trace_thread_at(s, t);
        for (size_t i = 0; i < th->count; i++)
            if (th->events[i].kind <= WARMPOOL_TRACE_RETURN) addrs[na++] = th->events[i].fn;
    }
    struct out o = {0};
    struct jobs jobs = {0};
    struct ctx c = {&o, wp_syms_build(addrs, na, flags), &jobs, wp_trace_pid(), 0};
    free(addrs);
    int err = !c.syms ? ENOMEM : jobs_build(&jobs, s);
    puts_(&o, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n{\"ph\":\"M\",\"pid\":");
    put_u64(&o, c.pid);
    puts_(&o, ",\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"warmpool\"}}");
    for (size_t t = 0; t < nt && !err; t++) {
        const warmpool_trace_thread *th = warmpool_trace_thread_at(s, t);
        c.tid = th->tid;
        meta(&c, "thread_name", th->tid, th->name[0] ? th->name : "thread");
        err = write_thread(&c, th);
    }
    puts_(&o, "\n]}\n");
    wp_syms_free((struct wp_syms *)c.syms);
    free(jobs.e);
    if (!err && o.oom) err = ENOMEM;
    if (err) { free(o.p); errno = err; return NULL; }
    if (len) *len = o.n;
    return o.p;
}

void warmpool_trace_json_free(char *json) { free(json); }
