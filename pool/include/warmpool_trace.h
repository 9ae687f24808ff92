/* warmpool_trace.h - a small always-on tracer: function calls and the pool's own events,
 * recorded into per-thread ring buffers, snapshotted on demand, written as Chrome/Perfetto
 * trace-event JSON (open it at https://ui.perfetto.dev or chrome://tracing).
 *
 * The manual
 * ----------
 *   warmpool_trace_start(0);                        // default buffer size, tracing on
 *   uint64_t t0 = warmpool_trace_now_ns();
 *   handle_event();                                  // pool jobs, instrumented code...
 *   if (warmpool_trace_now_ns() - t0 > 16000000) {   // slow? keep what happened
 *       warmpool_trace_snapshot *s = warmpool_trace_snapshot_since(t0);
 *       warmpool_trace_save(s, "slow.json", 0);
 *       warmpool_trace_free(s);
 *   }
 *
 * What is recorded
 * - Pool events, always compiled in: job begin/end (on the submitting thread), every chunk
 *   (begin/end/range, on the thread that ran it), serial fallbacks and their reason, each
 *   worker's wake-up (joined or late, spun or slept; the JSON adds the latency since the
 *   job was published), sleeps, warm on/off (by the API or the cool-down), thread
 *   start/exit. Pool worker threads carry the pool's names ("warmpool-1", ...).
 * - Function calls and returns of code compiled with `-finstrument-functions` (gcc; with
 *   clang prefer `-finstrument-functions-after-inlining`, which instruments only what
 *   survives inlining and so costs less). The hooks __cyg_profile_func_enter/exit live in
 *   this library: link it into the instrumented program. Mark a function
 *   WARMPOOL_TRACE_NOINSTR to leave it out. `make trace-instr` builds an instrumented
 *   variant of the library (build/trace/libwarmpool-instr.a) and the golden test programs.
 *
 * How (costs)
 * - One ring per thread of 16-byte events (timestamp + kind, function or argument), a
 *   power of two long, written only by its own thread: no lock, no allocation once the
 *   thread's buffer exists (it is allocated at the thread's first event), no system call.
 *   When full, the oldest events are overwritten. A disabled tracer costs one relaxed load
 *   and a branch per hook or pool event.
 * - Clock: the calibrated TSC on x86-64 CPUs with an invariant TSC, else
 *   CLOCK_MONOTONIC_RAW; on Wasm the pool's millisecond-double clock (performance.now()).
 *   The API speaks nanoseconds of one timebase: compare only with warmpool_trace_now_ns().
 *   Cost (`make bench-trace` prints it, with the clock read alone next to it): an event
 *   is about one clock read, most of it the read itself. Pool events while tracing add
 *   4 timestamps to the submitting thread's path per job and 3 to each worker's, and
 *   shift who runs which chunk: a traced empty parallel_for is measurably slower.
 * - Buffers live until the process ends (the tracer's buffers are the library's one global
 *   state). A thread's buffer is freed for reuse when it exits; new threads get new
 *   buffers until 32 exist, then take an exited thread's buffer of the current size, so
 *   the events of exited threads stay readable until then and a program that keeps
 *   starting threads stays bounded. At most WARMPOOL_TRACE_MAX_THREADS threads are traced
 *   at once; others are silently not traced.
 * - Wasm: no thread-local storage in the side module; a thread finds its buffer by its
 *   pthread_self() in a small table (pool workers free theirs at exit). Default size 16384
 *   events (256 KiB). Workers are named only if tracing was on when the pool created them;
 *   other threads are called "thread". warmpool_trace_save() is ENOSYS there (the side
 *   module imports no stdio): take warmpool_trace_json() and write it from the host.
 *
 * Names
 * - Natively a function address becomes a name through dladdr() (exported symbols) and
 *   `addr2line -f` (static functions and "file:line" when there is debug info), with the
 *   load address of the executable or shared library subtracted (ASLR, PIE, .so).
 *   Flag WARMPOOL_TRACE_NO_ADDR2LINE skips the addr2line process.
 * - On Wasm a function pointer is a table index: instrumented functions appear as
 *   "wasm-fn:<index>" (map it with the module's name section if you need to); pool events
 *   carry static names, so a Wasm trace of the pool reads the same as a native one.
 *   Instrumenting Wasm code is not recommended: Emscripten makes every hook call pass
 *   emscripten_return_address(), a JS stack walk per call that aborts unless the main
 *   module was linked with -sUSE_OFFSET_CONVERTER (Emscripten 3.1.6); Pyodide's and our
 *   host's are not. On Wasm, trace the pool's events.
 *
 * Thread safety: every function may be called from any thread at any time. Snapshots
 * taken while threads record see every event committed before the snapshot started and
 * drop the ones overwritten during the copy.
 */
#ifndef WARMPOOL_TRACE_H
#define WARMPOOL_TRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Put on a function that -finstrument-functions must not instrument. */
#define WARMPOOL_TRACE_NOINSTR __attribute__((no_instrument_function))

#define WARMPOOL_TRACE_MAX_THREADS 512
#define WARMPOOL_TRACE_DEFAULT_EVENTS 65536u /* per thread: 1 MiB natively */

/* Starts tracing: events_per_thread (rounded up to a power of two, 0 = the default,
   at least 64) sizes buffers created from now on. Calibrates the clock on first use
   (a few ms). Returns 0, or ENOMEM. Calling it again changes only the size. */
int warmpool_trace_start(size_t events_per_thread) WARMPOOL_TRACE_NOINSTR;
/* The global switch: 0 stops recording in every thread (buffers are kept), 1 records
   again (starting with default sizes if warmpool_trace_start was never called). */
void warmpool_trace_enable(int on) WARMPOOL_TRACE_NOINSTR;
int warmpool_trace_enabled(void) WARMPOOL_TRACE_NOINSTR;
/* Stops/restarts recording on the calling thread only (e.g. around a noisy part). */
void warmpool_trace_pause(void) WARMPOOL_TRACE_NOINSTR;
void warmpool_trace_resume(void) WARMPOOL_TRACE_NOINSTR;
/* Names the calling thread in traces (copied, at most 31 bytes). Pool workers are named
   by the pool; other threads start with their OS thread name. */
void warmpool_trace_name_thread(const char *name) WARMPOOL_TRACE_NOINSTR;
/* Forgets every event recorded so far (threads keep their buffers and names). */
void warmpool_trace_clear(void) WARMPOOL_TRACE_NOINSTR;
/* Now, in the tracer's timebase, nanoseconds. */
uint64_t warmpool_trace_now_ns(void) WARMPOOL_TRACE_NOINSTR;

enum warmpool_trace_kind {
    WARMPOOL_TRACE_CALL,        /* fn: the function entered */
    WARMPOOL_TRACE_RETURN,      /* fn: the function left */
    WARMPOOL_TRACE_JOB_BEGIN,   /* fn: pool, seq, a..b: range, c: grain */
    WARMPOOL_TRACE_JOB_END,     /* fn: pool, seq */
    WARMPOOL_TRACE_SERIAL,      /* fn: pool, a..b: range, c: enum warmpool_serial_reason */
    WARMPOOL_TRACE_CHUNK_BEGIN, /* thread, a..b: the chunk */
    WARMPOOL_TRACE_CHUNK_END,   /* thread */
    WARMPOOL_TRACE_WAKE,        /* fn: pool, thread, seq, a: joined (0: late), b: spun (0: slept) */
    WARMPOOL_TRACE_SLEEP,       /* fn: pool, thread: a worker goes to sleep on the futex */
    WARMPOOL_TRACE_WARM,        /* fn: pool, a: on, b: by the cool-down (0: by the API) */
    WARMPOOL_TRACE_THREAD_START,/* fn: pool, thread */
    WARMPOOL_TRACE_THREAD_EXIT, /* fn: pool, thread */
    WARMPOOL_TRACE_KINDS
};

typedef struct warmpool_trace_event {
    uint64_t ns;       /* when, in the warmpool_trace_now_ns() timebase */
    uint64_t fn;       /* CALL/RETURN: the function's address; pool events: the pool */
    uint64_t a, b, c;  /* kind-specific, see enum warmpool_trace_kind */
    uint32_t kind;     /* enum warmpool_trace_kind */
    uint32_t thread;   /* pool events: 0 = a submitting thread, 1..n = worker n */
    uint32_t seq;      /* pool events: the pool's job number */
    uint32_t reserved;
} warmpool_trace_event;

typedef struct warmpool_trace_thread {
    uint64_t tid;                       /* Linux thread id; on Wasm its pthread_self() */
    char name[32];
    size_t count;                       /* events in the snapshot */
    const warmpool_trace_event *events; /* oldest first */
    uint64_t overwritten;               /* slots lost to wrap-around (since a clear) */
} warmpool_trace_thread;

typedef struct warmpool_trace_snapshot warmpool_trace_snapshot;

/* Every thread's events with ns >= since_ns (0: all that are still in the buffers).
   Threads with no such event are left out. NULL and errno (ENOMEM) on failure. */
warmpool_trace_snapshot *warmpool_trace_snapshot_since(uint64_t since_ns)
    WARMPOOL_TRACE_NOINSTR;
void warmpool_trace_free(warmpool_trace_snapshot *snap) WARMPOOL_TRACE_NOINSTR; /* NULL: no-op */
size_t warmpool_trace_thread_count(const warmpool_trace_snapshot *snap)
    WARMPOOL_TRACE_NOINSTR;
const warmpool_trace_thread *warmpool_trace_thread_at(const warmpool_trace_snapshot *snap,
                                                      size_t i)
    WARMPOOL_TRACE_NOINSTR; /* NULL if out of range */

#define WARMPOOL_TRACE_NO_ADDR2LINE 1u /* names from dladdr only: no child process */
/* The snapshot as trace-event JSON: {"traceEvents": [...]} with B/E pairs that always
   nest (a return whose call is older than the snapshot opens at the thread's first
   timestamp; a call still open at the end closes at its last one), instant events for
   the pool's point events, and process_name/thread_name metadata. Returns a malloc'd
   NUL-terminated string and its length in *len (if len != NULL), or NULL and errno.
   Free it with warmpool_trace_json_free() (or free(), from C). */
char *warmpool_trace_json(const warmpool_trace_snapshot *snap, unsigned flags, size_t *len)
    WARMPOOL_TRACE_NOINSTR;
void warmpool_trace_json_free(char *json) WARMPOOL_TRACE_NOINSTR; /* for FFI callers */
/* Writes that JSON to path. 0, or an errno value (ENOSYS on Wasm: use _json). */
int warmpool_trace_save(const warmpool_trace_snapshot *snap, const char *path, unsigned flags)
    WARMPOOL_TRACE_NOINSTR;

/* The compiler's hooks, for -finstrument-functions code. */
void __cyg_profile_func_enter(void *fn, void *call_site) WARMPOOL_TRACE_NOINSTR;
void __cyg_profile_func_exit(void *fn, void *call_site) WARMPOOL_TRACE_NOINSTR;

#ifdef __cplusplus
}
#endif
#endif
