#include "harness/runner.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TESTS 512
static struct { char name[96]; test_fn fn; } tests[MAX_TESTS];
static int ntests, failures_now;

/* "tests/pool/test_pool.c" + "nested" -> "pool.nested" */
void test_register(const char *file, const char *name, test_fn fn) {
    if (ntests == MAX_TESTS) { fprintf(stderr, "too many tests\n"); exit(2); }
    const char *end = strrchr(file, '/'), *dir = end;
    while (dir && dir > file && dir[-1] != '/') dir--;
    int n = dir ? (int)(end - dir) : 0;
    snprintf(tests[ntests].name, sizeof tests[ntests].name, "%.*s%s%s", n, dir ? dir : "",
             n ? "." : "", name);
    tests[ntests++].fn = fn;
}

void test_fail(const char *file, int line, const char *expr) {
    if (failures_now++ < 5) fprintf(stderr, "    FAIL %s:%d: %s\n", file, line, expr);
    fflush(stderr);
}

int test_failed_now(void) { return failures_now; }

static int by_name(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

int main(int argc, char **argv) {
    int passed = 0, failed = 0;
    qsort(tests, ntests, sizeof tests[0], by_name);
    for (int i = 0; i < ntests; i++) {
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++) wanted |= strstr(tests[i].name, argv[a]) != NULL;
        if (!wanted) continue;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        failures_now = 0;
        tests[i].fn();
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
        printf("%s %-40s %8.1f ms\n", failures_now ? "FAIL" : "ok  ", tests[i].name, ms);
        fflush(stdout);
        if (failures_now) failed++; else passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
