# Native pool benchmark: warmpool next to OpenMP, pthreadpool, a condvar pool and a serial
# loop (make bench-pool), plus a quick checked run of every contender (make test-bench-smoke).
BENCH_CFLAGS := $(WFLAGS) -O2 -g -pthread -D_GNU_SOURCE $(INC)
BENCH_COMMON := bench/bench_common.c bench/bench.h

$(B)/bench/pool_bench: bench/pool_bench.c bench/peer_condvar.c $(BENCH_COMMON) \
		$(B)/native/libwarmpool.a pool/include/warmpool.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/pool_bench.c bench/peer_condvar.c bench/bench_common.c \
		$(B)/native/libwarmpool.a -lpthreadpool -lm

# libgomp reads OMP_WAIT_POLICY at start-up, so OpenMP is a separate program.
$(B)/bench/peer_omp: bench/peer_omp.c $(BENCH_COMMON)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -fopenmp -o $@ bench/peer_omp.c bench/bench_common.c

.PHONY: bench-pool test-bench-smoke
bench-pool: $(B)/bench/pool_bench $(B)/bench/peer_omp
	@echo "== pool benchmark (2 threads, interleaved rounds, about 30 s)"
	timeout 300 $(B)/bench/pool_bench
BENCH_TARGETS += bench-pool

test-bench-smoke: $(B)/bench/pool_bench $(B)/bench/peer_omp
	@echo "== bench smoke (every contender, few calls, results checked)"
	timeout 120 $(B)/bench/pool_bench --smoke
TEST_TARGETS += test-bench-smoke
