# Native pool benchmark: warmpool next to OpenMP, pthreadpool, a condvar pool and a serial
# loop (make bench-pool, 15-45 s), and a quick checked run of every contender
# (make test-bench-smoke, part of make test; no timing asserted).
BENCH_CFLAGS := $(WFLAGS) -O2 -g -pthread -D_GNU_SOURCE $(INC)
BENCH_HDR    := bench/bench.h bench/pool_bench.h pool/include/warmpool.h
POOL_BENCH_SRC := bench/pool_bench.c bench/bench_report.c bench/peer_omp_run.c \
                  bench/peer_condvar.c bench/bench_common.c

$(B)/bench/pool_bench: $(POOL_BENCH_SRC) $(BENCH_HDR) $(B)/native/libwarmpool.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $(POOL_BENCH_SRC) $(B)/native/libwarmpool.a -lpthreadpool -lm

# libgomp reads OMP_WAIT_POLICY at start-up, so OpenMP is a program of its own.
$(B)/bench/peer_omp: bench/peer_omp.c bench/bench_common.c bench/bench.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -fopenmp -o $@ bench/peer_omp.c bench/bench_common.c

.PHONY: bench-pool test-bench-smoke
bench-pool: $(B)/bench/pool_bench $(B)/bench/peer_omp
	@echo "== pool benchmark (2 threads, interleaved rounds, 15-45 s)"
	timeout 300 $(B)/bench/pool_bench
BENCH_TARGETS += bench-pool

test-bench-smoke: $(B)/bench/pool_bench $(B)/bench/peer_omp
	@echo "== bench smoke (every contender, a few calls, every item checked)"
	timeout 120 $(B)/bench/pool_bench --smoke
TEST_TARGETS += test-bench-smoke
