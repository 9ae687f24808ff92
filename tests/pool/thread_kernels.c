/* thread_kernels.c - a side module for the thread-index tests on Wasm threads: a
   warmpool_thread_fn that records which pool thread ran each item, and flags an index
   out of range, a chunk out of range, an item run twice, or one index used by two chunks
   at the same moment. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define TK_MAX_THREADS 257

struct tk_job {
    _Atomic uint32_t *who; /* who[i - lo] = thread + 1 of the chunk that ran item i */
    size_t lo, hi;
    unsigned workers;
    unsigned spin;         /* busy-work per item, so chunks overlap in time */
    _Atomic uint32_t bad;
    _Atomic uint32_t busy[TK_MAX_THREADS];
};

static void tk_record(void *ctx, unsigned thread, size_t b, size_t e) {
    struct tk_job *j = ctx;
    if (thread > j->workers || thread >= TK_MAX_THREADS || b >= e || b < j->lo || e > j->hi) {
        atomic_fetch_add(&j->bad, 1);
        return;
    }
    if (atomic_exchange(&j->busy[thread], 1)) atomic_fetch_add(&j->bad, 1);
    for (size_t i = b; i < e; i++) {
        for (volatile unsigned k = 0; k < j->spin; k++) {}
        if (atomic_exchange(&j->who[i - j->lo], thread + 1)) atomic_fetch_add(&j->bad, 1);
    }
    atomic_store(&j->busy[thread], 0);
}

typedef void (*tk_fn)(void *, unsigned, size_t, size_t);
tk_fn tk_record_ptr(void) { return tk_record; }
size_t tk_job_size(void) { return sizeof(struct tk_job); }
void tk_job_init(struct tk_job *j, _Atomic uint32_t *who, size_t lo, size_t hi, unsigned workers,
                 unsigned spin) {
    j->who = who; j->lo = lo; j->hi = hi; j->workers = workers; j->spin = spin;
    atomic_store(&j->bad, 0);
    for (unsigned t = 0; t < TK_MAX_THREADS; t++) atomic_store(&j->busy[t], 0);
}
uint32_t tk_job_bad(struct tk_job *j) { return atomic_load(&j->bad); }
