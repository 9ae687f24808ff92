/* layout.c - prints, as JSON, sizeof and offsetof of every C struct that Python
   (python/warmpool) or JS (pyodide-patches/host/host_api.mjs) mirrors. Built natively and
   for wasm32; tests/layout/ compares each mirror with the build it describes. */
#include "warmpool.h"
#include "warmpool_resize.h"
#include "warmpool_trace.h"

#include <stddef.h>
#include <stdio.h>

static int first;
static void begin(const char *name, size_t size) {
    printf("%s\n  \"%s\": {\"size\": %zu, \"fields\": {", first ? "" : ",", name, size);
    first = 1;
}
static void field(const char *name, size_t off, size_t size) {
    printf("%s\"%s\": [%zu, %zu]", first ? "" : ", ", name, off, size);
    first = 0;
}
#define S(T) begin(#T, sizeof(T))
#define F(T, f) field(#f, offsetof(T, f), sizeof(((T *)0)->f))
#define E() printf("}}")
/* The listed fields must reach the end of the struct (padding aside): a field appended in
   C and not here fails the build. */
#define LAST(T, f, align)                                                              \
    _Static_assert((offsetof(T, f) + sizeof(((T *)0)->f) + (align) - 1) / (align) * (align) == \
                       sizeof(T), #T ": a field after " #f " is not listed")

LAST(warmpool_options, flags, _Alignof(warmpool_options));
LAST(warmpool_stats, cooldowns, _Alignof(warmpool_stats));
LAST(warmpool_image, alpha_stride_y, _Alignof(warmpool_image));
LAST(warmpool_trace_event, reserved, _Alignof(warmpool_trace_event));
LAST(warmpool_trace_thread, overwritten, _Alignof(warmpool_trace_thread));

int main(void) {
    printf("{\"pointer\": %zu,", sizeof(void *));
    first = 1;
    S(warmpool_options);
    F(warmpool_options, workers); F(warmpool_options, cool_after_ms); F(warmpool_options, name);
    F(warmpool_options, stack_size); F(warmpool_options, on_start);
    F(warmpool_options, on_start_arg); F(warmpool_options, flags); E();
    S(warmpool_stats);
    F(warmpool_stats, version); F(warmpool_stats, size); F(warmpool_stats, workers_requested);
    F(warmpool_stats, workers_started); F(warmpool_stats, create_errno);
    F(warmpool_stats, jobs_parallel); F(warmpool_stats, jobs_serial_not_ready);
    F(warmpool_stats, jobs_serial_nested); F(warmpool_stats, jobs_serial_concurrent);
    F(warmpool_stats, jobs_serial_tiny); F(warmpool_stats, jobs_serial_no_workers);
    F(warmpool_stats, items_caller); F(warmpool_stats, items_workers);
    F(warmpool_stats, chunks_workers); F(warmpool_stats, joins); F(warmpool_stats, late_wakeups);
    F(warmpool_stats, futex_wakes); F(warmpool_stats, caller_sleeps);
    F(warmpool_stats, worker_sleeps); F(warmpool_stats, warm_on); F(warmpool_stats, cooldowns);
    E();
    S(warmpool_image);
    F(warmpool_image, data); F(warmpool_image, width); F(warmpool_image, height);
    F(warmpool_image, channels); F(warmpool_image, stride_x); F(warmpool_image, stride_y);
    F(warmpool_image, stride_c); F(warmpool_image, alpha); F(warmpool_image, alpha_stride_x);
    F(warmpool_image, alpha_stride_y); E();
    S(warmpool_trace_event);
    F(warmpool_trace_event, ns); F(warmpool_trace_event, fn); F(warmpool_trace_event, a);
    F(warmpool_trace_event, b); F(warmpool_trace_event, c); F(warmpool_trace_event, kind);
    F(warmpool_trace_event, thread); F(warmpool_trace_event, seq);
    F(warmpool_trace_event, reserved); E();
    S(warmpool_trace_thread);
    F(warmpool_trace_thread, tid); F(warmpool_trace_thread, name);
    F(warmpool_trace_thread, count); F(warmpool_trace_thread, events);
    F(warmpool_trace_thread, overwritten); E();
    printf("\n}\n");
    return 0;
}
