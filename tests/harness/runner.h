/* A tiny C test runner. TEST(name) { ... } registers a test as "<component>.name", the
   component being the folder of its file (tests/pool/test_pool.c: "pool"); CHECK(cond)
   records a failure and goes on; REQUIRE(cond) records a failure and leaves the test.
   The runner prints one line per test and the closing line "N passed, N failed".
   Arguments: substrings ("pool.", "trace.nested"); only tests whose name contains one of
   them run. */
#ifndef WARMPOOL_TEST_RUNNER_H
#define WARMPOOL_TEST_RUNNER_H
#include <stdio.h>

typedef void (*test_fn)(void);
void test_register(const char *file, const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *expr);
int test_failed_now(void);

#define TEST(name)                                                              \
    static void test_##name(void);                                              \
    __attribute__((constructor)) static void test_reg_##name(void) {            \
        test_register(__FILE__, #name, test_##name);                                      \
    }                                                                           \
    static void test_##name(void)

#define CHECK(cond) do { if (!(cond)) test_fail(__FILE__, __LINE__, #cond); } while (0)
#define REQUIRE(cond) do { if (!(cond)) { test_fail(__FILE__, __LINE__, #cond); return; } } while (0)
#define CHECK_EQ_U(a, b) do { unsigned long long a_ = (a), b_ = (b); if (a_ != b_) {        \
        char m_[256]; snprintf(m_, sizeof m_, "%s == %s (%llu vs %llu)", #a, #b, a_, b_); \
        test_fail(__FILE__, __LINE__, m_); } } while (0)
#endif
