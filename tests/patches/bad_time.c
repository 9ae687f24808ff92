/* A side module outside the shared ABI (time_t crosses it): check_imports must refuse it. */
#include <time.h>
long long bad_now(void) { return (long long)time(NULL); }
