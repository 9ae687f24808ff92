/* pthreadpool.h - Google's pthreadpool API, implemented over warmpool.
 *
 * The manual
 * ----------
 * A drop-in for code written against pthreadpool (XNNPACK, onnxruntime, NNPACK...): the
 * same functions, types, flags and ABI, so a program built against pthreadpool's own
 * header links against this library unchanged, and libpthreadpool.so.0 built from it
 * stands in for the system's. Underneath, every call is one warmpool_parallel_for over
 * its tiles: the pool's start-up behaviour (no hang on the Wasm main thread), warm mode
 * and tracer apply (warmpool.h, warmpool_trace.h).
 *
 *   pthreadpool_t p = pthreadpool_create(0);          // all cores; NULL on failure
 *   pthreadpool_parallelize_2d_tile_2d(p, fn, ctx, rows, cols, 8, 64, 0);
 *   pthreadpool_destroy(p);
 *
 * Every parallelize call
 * - calls `function` once per item (or tile), on the calling thread and the pool's
 *   workers, and returns when every call has returned. Ranges of 0 in any dimension:
 *   nothing is called. A tile of 0 is taken as 1.
 * - claims every item (tile) on its own, as pthreadpool does: an item may wait for other
 *   items of the same call to finish (pthreadpool's "work stealing" tests do exactly
 *   that), provided the pool has at least two threads and its workers are running
 *   (see create). The _dynamic variants are the exception: they hand out several tiles
 *   per call, so their items must not wait on each other.
 * - threadpool NULL, or a pool of one thread: every item runs on the calling thread,
 *   in order.
 * - flags: PTHREADPOOL_FLAG_DISABLE_DENORMALS sets flush-to-zero and denormals-are-zero
 *   (MXCSR) on x86 around every chunk of work, on every thread, and restores the old
 *   value afterwards; elsewhere, Wasm included, it does nothing (Wasm has no such mode).
 *   PTHREADPOOL_FLAG_YIELD_WORKERS and PTHREADPOOL_FLAG_DONT_SPIN_WORKERS are accepted
 *   and ignored: warmpool workers spin briefly and then sleep by themselves, or stay
 *   warm on warmpool_warm(). Unknown bits are ignored, as by pthreadpool.
 * - _with_uarch: this library does not detect microarchitectures, so `function` always
 *   gets default_uarch_index (what pthreadpool does without cpuinfo).
 * - _with_thread: the index passed is warmpool's thread index: 0 for the calling thread,
 *   1..threads_count-1 for the workers. Two calls of one job that run at the same time
 *   never get the same index. A job that runs serially (see below) gets 0 everywhere.
 *
 * Nested and concurrent calls
 * pthreadpool serialises concurrent calls on one pool (the second caller waits) and
 * deadlocks on a nested call (a parallelize call from inside `function`). Here neither
 * waits nor deadlocks: a nested call, or a call from a second thread while a job runs,
 * runs all its items serially on its own thread. A _with_thread job run that way sees
 * thread index 0 in every call, while the outer (or the other) job also has a thread
 * with index 0: per-thread scratch indexed by thread_index must then belong to the
 * call, not to the pool. Items of such a serial job must not wait on each other.
 *
 * Thread safety: every function may be called from any thread, concurrently, except
 * pthreadpool_destroy(), which must not race with any other call on the same pool.
 *
 * Not supported (documented errors, never a silent wrong answer)
 * - pthreadpool_set_threads_count(): the thread count is fixed at create. It returns
 *   the unchanged count; when that is not what was asked for, errno is ENOTSUP.
 * - pthreadpool_create_v2() (caller-supplied executor): returns NULL with errno ENOTSUP.
 *   pthreadpool_update_executor() returns false with errno ENOTSUP;
 *   pthreadpool_release_executor_threads() does nothing.
 * - The C++ functor overloads of pthreadpool's header and PthreadpoolExecutor: C only.
 *
 * Wasm (Emscripten -pthread side module)
 * - pthreadpool_create() waits (at most 10 s) until every worker is running, so the
 *   items of its first job may wait on each other. On the browser's JS main thread it
 *   cannot wait: workers start only after the event loop turns, and until then every
 *   job runs serially on the caller (and items must not wait on each other). Call it
 *   from a pthread (e.g. PROXY_TO_PTHREAD) to have the workers from the first job on.
 * - pthreadpool_create(0) uses navigator.hardwareConcurrency (os.cpus() in Node).
 * - `function` must be a C function (a wasm table entry).
 */
#ifndef PTHREADPOOL_H_
#define PTHREADPOOL_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct pthreadpool *pthreadpool_t;

/* Task types. In the names: "tile_Nd" means the last N dimensions come as tile starts
   and the number of items of the tile in each of them; "with_thread" adds the thread
   index; "with_id" the microarchitecture index (with_uarch variants) or, in the
   dynamic_with_thread variants, the thread index. */
typedef void (*pthreadpool_task_1d_t)(void *, size_t);
typedef void (*pthreadpool_task_1d_with_thread_t)(void *, size_t, size_t);
typedef void (*pthreadpool_task_1d_tile_1d_t)(void *, size_t, size_t);
typedef void (*pthreadpool_task_1d_tile_1d_dynamic_t)(void *, size_t, size_t);
typedef void (*pthreadpool_task_1d_tile_1d_dynamic_with_id_t)(void *, uint32_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_t)(void *, size_t, size_t);
typedef void (*pthreadpool_task_2d_with_thread_t)(void *, size_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_tile_1d_t)(void *, size_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_tile_1d_dynamic_t)(void *, size_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_tile_2d_t)(void *, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_tile_2d_dynamic_t)(void *, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_3d_t)(void *, size_t, size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_1d_t)(void *, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_1d_with_thread_t)(void *, size_t, size_t, size_t,
                                                          size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_1d_dynamic_t)(void *, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_2d_t)(void *, size_t, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_2d_dynamic_t)(void *, size_t, size_t, size_t, size_t,
                                                      size_t);
typedef void (*pthreadpool_task_4d_t)(void *, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_4d_tile_1d_t)(void *, size_t, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_4d_tile_2d_t)(void *, size_t, size_t, size_t, size_t, size_t,
                                              size_t);
typedef void (*pthreadpool_task_4d_tile_2d_dynamic_t)(void *, size_t, size_t, size_t, size_t,
                                                      size_t, size_t);
typedef void (*pthreadpool_task_5d_t)(void *, size_t, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_5d_tile_1d_t)(void *, size_t, size_t, size_t, size_t, size_t,
                                              size_t);
typedef void (*pthreadpool_task_5d_tile_2d_t)(void *, size_t, size_t, size_t, size_t, size_t,
                                              size_t, size_t);
typedef void (*pthreadpool_task_6d_t)(void *, size_t, size_t, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_6d_tile_1d_t)(void *, size_t, size_t, size_t, size_t, size_t,
                                              size_t, size_t);
typedef void (*pthreadpool_task_6d_tile_2d_t)(void *, size_t, size_t, size_t, size_t, size_t,
                                              size_t, size_t, size_t);

typedef void (*pthreadpool_task_1d_with_id_t)(void *, uint32_t, size_t);
typedef void (*pthreadpool_task_2d_tile_1d_with_id_t)(void *, uint32_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_tile_1d_dynamic_with_id_t)(void *, uint32_t, size_t, size_t,
                                                              size_t);
typedef void (*pthreadpool_task_2d_tile_2d_with_id_t)(void *, uint32_t, size_t, size_t, size_t,
                                                      size_t);
typedef void (*pthreadpool_task_2d_tile_2d_dynamic_with_id_t)(void *, uint32_t, size_t, size_t,
                                                              size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_1d_with_id_t)(void *, uint32_t, size_t, size_t, size_t,
                                                      size_t);
typedef void (*pthreadpool_task_3d_tile_1d_dynamic_with_id_t)(void *, uint32_t, size_t, size_t,
                                                              size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_2d_with_id_t)(void *, uint32_t, size_t, size_t, size_t,
                                                      size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_2d_dynamic_with_id_t)(void *, uint32_t, size_t, size_t,
                                                              size_t, size_t, size_t);
typedef void (*pthreadpool_task_4d_tile_2d_with_id_t)(void *, uint32_t, size_t, size_t, size_t,
                                                      size_t, size_t, size_t);
typedef void (*pthreadpool_task_4d_tile_2d_dynamic_with_id_t)(void *, uint32_t, size_t, size_t,
                                                              size_t, size_t, size_t, size_t);

/* uarch index, then thread index */
typedef void (*pthreadpool_task_1d_tile_1d_dynamic_with_id_with_thread_t)(void *, uint32_t,
                                                                          size_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_tile_1d_with_id_with_thread_t)(void *, uint32_t, size_t,
                                                                  size_t, size_t, size_t);
typedef void (*pthreadpool_task_2d_tile_1d_dynamic_with_id_with_thread_t)(void *, uint32_t,
                                                                          size_t, size_t, size_t,
                                                                          size_t);
typedef void (*pthreadpool_task_3d_tile_1d_with_id_with_thread_t)(void *, uint32_t, size_t,
                                                                  size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_task_3d_tile_1d_dynamic_with_id_with_thread_t)(void *, uint32_t,
                                                                          size_t, size_t, size_t,
                                                                          size_t, size_t);

#define PTHREADPOOL_FLAG_DISABLE_DENORMALS 0x00000001
#define PTHREADPOOL_FLAG_YIELD_WORKERS     0x00000002
#define PTHREADPOOL_FLAG_DONT_SPIN_WORKERS 0x00000004

#ifdef __cplusplus
extern "C" {
#endif

/* The executor interface of pthreadpool_create_v2, which this library does not support. */
struct pthreadpool_executor {
    int (*num_threads)(void *executor_context);
    void (*schedule)(void *executor_context, void *context, void (*task)(void *context));
};

/* threads_count counts the calling thread: n gives n - 1 workers; 0: one thread per
   logical CPU (at least 1). Returns once every worker is running (at most 10 s; on the
   Wasm JS main thread at once, see Wasm above). NULL and errno on failure (EINVAL:
   more threads than warmpool takes, ENOMEM, or pthread_create's error). */
pthreadpool_t pthreadpool_create(size_t threads_count);
/* Not supported: NULL, errno ENOTSUP. */
pthreadpool_t pthreadpool_create_v2(struct pthreadpool_executor *executor,
                                    void *executor_context, size_t max_num_threads);
/* Threads taking part in a job, the caller included; 1 for NULL. */
size_t pthreadpool_get_threads_count(pthreadpool_t threadpool);
/* Not supported: returns the unchanged count; errno ENOTSUP unless num_threads was 0 or
   that count. */
size_t pthreadpool_set_threads_count(pthreadpool_t threadpool, size_t num_threads);
/* Not supported: does nothing. */
void pthreadpool_release_executor_threads(struct pthreadpool *threadpool);
/* Not supported: false, errno ENOTSUP. */
bool pthreadpool_update_executor(pthreadpool_t threadpool, struct pthreadpool_executor *executor,
                                 void *executor_context);
/* Stops and joins the workers, frees the pool. NULL: nothing. */
void pthreadpool_destroy(pthreadpool_t threadpool);

/* In every function below, `function` is called for each item of the grid
   [0, range_i) x [0, range_j) x ...; a tiled dimension x passes the start x of its tile
   (a multiple of tile_x) followed, after all starts, by min(tile_x, range_x - x). The
   comment gives the call. */

/* function(context, i) */
void pthreadpool_parallelize_1d(pthreadpool_t threadpool, pthreadpool_task_1d_t function,
                                void *context, size_t range, uint32_t flags);
/* function(context, thread_index, i) */
void pthreadpool_parallelize_1d_with_thread(pthreadpool_t threadpool,
                                            pthreadpool_task_1d_with_thread_t function,
                                            void *context, size_t range, uint32_t flags);
/* function(context, uarch_index, i) */
void pthreadpool_parallelize_1d_with_uarch(pthreadpool_t threadpool,
                                           pthreadpool_task_1d_with_id_t function, void *context,
                                           uint32_t default_uarch_index, uint32_t max_uarch_index,
                                           size_t range, uint32_t flags);
/* function(context, i, min(tile, range - i)) */
void pthreadpool_parallelize_1d_tile_1d(pthreadpool_t threadpool,
                                        pthreadpool_task_1d_tile_1d_t function, void *context,
                                        size_t range, size_t tile, uint32_t flags);

/* The _dynamic variants: function(context, i, count) with i a multiple of tile and count
   a multiple of tile (or what is left up to range): several tiles per call, as many as
   keep every thread busy. In 2D, a call covers a rectangle of whole tiles. */
void pthreadpool_parallelize_1d_tile_1d_dynamic(pthreadpool_t threadpool,
                                                pthreadpool_task_1d_tile_1d_dynamic_t function,
                                                void *context, size_t range, size_t tile,
                                                uint32_t flags);
/* function(context, thread_index, i, count) */
void pthreadpool_parallelize_1d_tile_1d_dynamic_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_1d_tile_1d_dynamic_with_id_t function,
    void *context, size_t range, size_t tile, uint32_t flags);
/* function(context, uarch_index, thread_index, i, count) */
void pthreadpool_parallelize_1d_tile_1d_dynamic_with_uarch_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_1d_tile_1d_dynamic_with_id_with_thread_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range,
    size_t tile, uint32_t flags);

/* function(context, i, j) */
void pthreadpool_parallelize_2d(pthreadpool_t threadpool, pthreadpool_task_2d_t function,
                                void *context, size_t range_i, size_t range_j, uint32_t flags);
/* function(context, thread_index, i, j) */
void pthreadpool_parallelize_2d_with_thread(pthreadpool_t threadpool,
                                            pthreadpool_task_2d_with_thread_t function,
                                            void *context, size_t range_i, size_t range_j,
                                            uint32_t flags);
/* function(context, i, j, count_j) */
void pthreadpool_parallelize_2d_tile_1d(pthreadpool_t threadpool,
                                        pthreadpool_task_2d_tile_1d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t tile_j,
                                        uint32_t flags);
/* function(context, uarch_index, i, j, count_j) */
void pthreadpool_parallelize_2d_tile_1d_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_2d_tile_1d_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t tile_j, uint32_t flags);
/* function(context, uarch_index, thread_index, i, j, count_j) */
void pthreadpool_parallelize_2d_tile_1d_with_uarch_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_2d_tile_1d_with_id_with_thread_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i,
    size_t range_j, size_t tile_j, uint32_t flags);
/* function(context, i, j, count_j), several tiles of one row per call */
void pthreadpool_parallelize_2d_tile_1d_dynamic(pthreadpool_t threadpool,
                                                pthreadpool_task_2d_tile_1d_dynamic_t function,
                                                void *context, size_t range_i, size_t range_j,
                                                size_t tile_j, uint32_t flags);
/* function(context, thread_index, i, j, count_j) */
void pthreadpool_parallelize_2d_tile_1d_dynamic_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_2d_tile_1d_dynamic_with_id_t function,
    void *context, size_t range_i, size_t range_j, size_t tile_j, uint32_t flags);
/* function(context, uarch_index, thread_index, i, j, count_j) */
void pthreadpool_parallelize_2d_tile_1d_dynamic_with_uarch_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_2d_tile_1d_dynamic_with_id_with_thread_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i,
    size_t range_j, size_t tile_j, uint32_t flags);
/* function(context, i, j, count_i, count_j) */
void pthreadpool_parallelize_2d_tile_2d(pthreadpool_t threadpool,
                                        pthreadpool_task_2d_tile_2d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t tile_i,
                                        size_t tile_j, uint32_t flags);
/* function(context, i, j, count_i, count_j), a rectangle of tiles per call */
void pthreadpool_parallelize_2d_tile_2d_dynamic(pthreadpool_t threadpool,
                                                pthreadpool_task_2d_tile_2d_dynamic_t function,
                                                void *context, size_t range_i, size_t range_j,
                                                size_t tile_i, size_t tile_j, uint32_t flags);
/* function(context, uarch_index, i, j, count_i, count_j) */
void pthreadpool_parallelize_2d_tile_2d_dynamic_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_2d_tile_2d_dynamic_with_id_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i,
    size_t range_j, size_t tile_i, size_t tile_j, uint32_t flags);
/* function(context, thread_index, i, j, count_i, count_j) */
void pthreadpool_parallelize_2d_tile_2d_dynamic_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_2d_tile_2d_dynamic_with_id_t function,
    void *context, size_t range_i, size_t range_j, size_t tile_i, size_t tile_j,
    uint32_t flags);
/* function(context, uarch_index, i, j, count_i, count_j) */
void pthreadpool_parallelize_2d_tile_2d_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_2d_tile_2d_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t tile_i, size_t tile_j, uint32_t flags);

/* function(context, i, j, k) */
void pthreadpool_parallelize_3d(pthreadpool_t threadpool, pthreadpool_task_3d_t function,
                                void *context, size_t range_i, size_t range_j, size_t range_k,
                                uint32_t flags);
/* function(context, i, j, k, count_k) */
void pthreadpool_parallelize_3d_tile_1d(pthreadpool_t threadpool,
                                        pthreadpool_task_3d_tile_1d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t tile_k, uint32_t flags);
/* function(context, thread_index, i, j, k, count_k) */
void pthreadpool_parallelize_3d_tile_1d_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_1d_with_thread_t function, void *context,
    size_t range_i, size_t range_j, size_t range_k, size_t tile_k, uint32_t flags);
/* function(context, uarch_index, i, j, k, count_k) */
void pthreadpool_parallelize_3d_tile_1d_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_1d_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_k, uint32_t flags);
/* function(context, uarch_index, thread_index, i, j, k, count_k) */
void pthreadpool_parallelize_3d_tile_1d_with_uarch_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_1d_with_id_with_thread_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_k, uint32_t flags);
/* function(context, i, j, k, count_k), several tiles of one (i, j) row per call */
void pthreadpool_parallelize_3d_tile_1d_dynamic(pthreadpool_t threadpool,
                                                pthreadpool_task_3d_tile_1d_dynamic_t function,
                                                void *context, size_t range_i, size_t range_j,
                                                size_t range_k, size_t tile_k, uint32_t flags);
/* function(context, thread_index, i, j, k, count_k) */
void pthreadpool_parallelize_3d_tile_1d_dynamic_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_1d_dynamic_with_id_t function,
    void *context, size_t range_i, size_t range_j, size_t range_k, size_t tile_k,
    uint32_t flags);
/* function(context, uarch_index, thread_index, i, j, k, count_k) */
void pthreadpool_parallelize_3d_tile_1d_dynamic_with_uarch_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_1d_dynamic_with_id_with_thread_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_k, uint32_t flags);
/* function(context, i, j, k, count_j, count_k) */
void pthreadpool_parallelize_3d_tile_2d(pthreadpool_t threadpool,
                                        pthreadpool_task_3d_tile_2d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t tile_j, size_t tile_k, uint32_t flags);
/* function(context, i, j, k, count_j, count_k), a rectangle of tiles of one i per call */
void pthreadpool_parallelize_3d_tile_2d_dynamic(pthreadpool_t threadpool,
                                                pthreadpool_task_3d_tile_2d_dynamic_t function,
                                                void *context, size_t range_i, size_t range_j,
                                                size_t range_k, size_t tile_j, size_t tile_k,
                                                uint32_t flags);
/* function(context, uarch_index, i, j, k, count_j, count_k) */
void pthreadpool_parallelize_3d_tile_2d_dynamic_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_2d_dynamic_with_id_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i,
    size_t range_j, size_t range_k, size_t tile_j, size_t tile_k, uint32_t flags);
/* function(context, thread_index, i, j, k, count_j, count_k) */
void pthreadpool_parallelize_3d_tile_2d_dynamic_with_thread(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_2d_dynamic_with_id_t function,
    void *context, size_t range_i, size_t range_j, size_t range_k, size_t tile_j, size_t tile_k,
    uint32_t flags);
/* function(context, uarch_index, i, j, k, count_j, count_k) */
void pthreadpool_parallelize_3d_tile_2d_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_3d_tile_2d_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t range_k, size_t tile_j, size_t tile_k, uint32_t flags);

/* function(context, i, j, k, l) */
void pthreadpool_parallelize_4d(pthreadpool_t threadpool, pthreadpool_task_4d_t function,
                                void *context, size_t range_i, size_t range_j, size_t range_k,
                                size_t range_l, uint32_t flags);
/* function(context, i, j, k, l, count_l) */
void pthreadpool_parallelize_4d_tile_1d(pthreadpool_t threadpool,
                                        pthreadpool_task_4d_tile_1d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t range_l, size_t tile_l, uint32_t flags);
/* function(context, i, j, k, l, count_k, count_l) */
void pthreadpool_parallelize_4d_tile_2d(pthreadpool_t threadpool,
                                        pthreadpool_task_4d_tile_2d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t range_l, size_t tile_k, size_t tile_l,
                                        uint32_t flags);
/* function(context, uarch_index, i, j, k, l, count_k, count_l) */
void pthreadpool_parallelize_4d_tile_2d_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_4d_tile_2d_with_id_t function, void *context,
    uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i, size_t range_j,
    size_t range_k, size_t range_l, size_t tile_k, size_t tile_l, uint32_t flags);
/* function(context, i, j, k, l, count_k, count_l), a rectangle of tiles of one (i, j) */
void pthreadpool_parallelize_4d_tile_2d_dynamic(pthreadpool_t threadpool,
                                                pthreadpool_task_4d_tile_2d_dynamic_t function,
                                                void *context, size_t range_i, size_t range_j,
                                                size_t range_k, size_t range_l, size_t tile_k,
                                                size_t tile_l, uint32_t flags);
/* function(context, uarch_index, i, j, k, l, count_k, count_l) */
void pthreadpool_parallelize_4d_tile_2d_dynamic_with_uarch(
    pthreadpool_t threadpool, pthreadpool_task_4d_tile_2d_dynamic_with_id_t function,
    void *context, uint32_t default_uarch_index, uint32_t max_uarch_index, size_t range_i,
    size_t range_j, size_t range_k, size_t range_l, size_t tile_k, size_t tile_l,
    uint32_t flags);

/* function(context, i, j, k, l, m) */
void pthreadpool_parallelize_5d(pthreadpool_t threadpool, pthreadpool_task_5d_t function,
                                void *context, size_t range_i, size_t range_j, size_t range_k,
                                size_t range_l, size_t range_m, uint32_t flags);
/* function(context, i, j, k, l, m, count_m) */
void pthreadpool_parallelize_5d_tile_1d(pthreadpool_t threadpool,
                                        pthreadpool_task_5d_tile_1d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t range_l, size_t range_m, size_t tile_m,
                                        uint32_t flags);
/* function(context, i, j, k, l, m, count_l, count_m) */
void pthreadpool_parallelize_5d_tile_2d(pthreadpool_t threadpool,
                                        pthreadpool_task_5d_tile_2d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t range_l, size_t range_m, size_t tile_l,
                                        size_t tile_m, uint32_t flags);

/* function(context, i, j, k, l, m, n) */
void pthreadpool_parallelize_6d(pthreadpool_t threadpool, pthreadpool_task_6d_t function,
                                void *context, size_t range_i, size_t range_j, size_t range_k,
                                size_t range_l, size_t range_m, size_t range_n, uint32_t flags);
/* function(context, i, j, k, l, m, n, count_n) */
void pthreadpool_parallelize_6d_tile_1d(pthreadpool_t threadpool,
                                        pthreadpool_task_6d_tile_1d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t range_l, size_t range_m, size_t range_n,
                                        size_t tile_n, uint32_t flags);
/* function(context, i, j, k, l, m, n, count_m, count_n) */
void pthreadpool_parallelize_6d_tile_2d(pthreadpool_t threadpool,
                                        pthreadpool_task_6d_tile_2d_t function, void *context,
                                        size_t range_i, size_t range_j, size_t range_k,
                                        size_t range_l, size_t range_m, size_t range_n,
                                        size_t tile_m, size_t tile_n, uint32_t flags);

/* A warmpool extension, not in pthreadpool: the pool underneath, for warmpool_warm(),
   warmpool_get_stats() and the tracer (warmpool.h). NULL for NULL; valid until
   pthreadpool_destroy(). */
struct warmpool *warmpool_of_pthreadpool(pthreadpool_t threadpool);

#ifndef PTHREADPOOL_NO_DEPRECATED_API
/* The legacy API (NNPACK's): the same as the parallelize calls with flags 0; in the
   _tiled ones every dimension is tiled. */
#if defined(__GNUC__)
#define PTHREADPOOL_DEPRECATED __attribute__((__deprecated__))
#else
#define PTHREADPOOL_DEPRECATED
#endif
typedef void (*pthreadpool_function_1d_t)(void *, size_t);
typedef void (*pthreadpool_function_1d_tiled_t)(void *, size_t, size_t);
typedef void (*pthreadpool_function_2d_t)(void *, size_t, size_t);
typedef void (*pthreadpool_function_2d_tiled_t)(void *, size_t, size_t, size_t, size_t);
typedef void (*pthreadpool_function_3d_tiled_t)(void *, size_t, size_t, size_t, size_t, size_t,
                                                size_t);
typedef void (*pthreadpool_function_4d_tiled_t)(void *, size_t, size_t, size_t, size_t, size_t,
                                                size_t, size_t, size_t);
/* function(argument, i) */
void pthreadpool_compute_1d(pthreadpool_t threadpool, pthreadpool_function_1d_t function,
                            void *argument, size_t range) PTHREADPOOL_DEPRECATED;
/* function(argument, i, count_i) */
void pthreadpool_compute_1d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_1d_tiled_t function, void *argument,
                                  size_t range, size_t tile) PTHREADPOOL_DEPRECATED;
/* function(argument, i, j) */
void pthreadpool_compute_2d(pthreadpool_t threadpool, pthreadpool_function_2d_t function,
                            void *argument, size_t range_i, size_t range_j) PTHREADPOOL_DEPRECATED;
/* function(argument, i, j, count_i, count_j) */
void pthreadpool_compute_2d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_2d_tiled_t function, void *argument,
                                  size_t range_i, size_t range_j, size_t tile_i,
                                  size_t tile_j) PTHREADPOOL_DEPRECATED;
/* function(argument, i, j, k, count_i, count_j, count_k) */
void pthreadpool_compute_3d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_3d_tiled_t function, void *argument,
                                  size_t range_i, size_t range_j, size_t range_k, size_t tile_i,
                                  size_t tile_j, size_t tile_k) PTHREADPOOL_DEPRECATED;
/* function(argument, i, j, k, l, count_i, count_j, count_k, count_l) */
void pthreadpool_compute_4d_tiled(pthreadpool_t threadpool,
                                  pthreadpool_function_4d_tiled_t function, void *argument,
                                  size_t range_i, size_t range_j, size_t range_k, size_t range_l,
                                  size_t tile_i, size_t tile_j, size_t tile_k,
                                  size_t tile_l) PTHREADPOOL_DEPRECATED;
#endif /* PTHREADPOOL_NO_DEPRECATED_API */

#ifdef __cplusplus
}
#endif
#endif
