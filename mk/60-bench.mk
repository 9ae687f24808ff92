# Benchmarks, side by side with peers in one run (ratios; the machines are noisy):
# the pool against OpenMP, pthreadpool, a condvar pool and a serial loop; the same loop
# on Wasm threads next to native; Python-driven jobs on three runtimes; the web page.
# The tracer's and the resizer's benchmarks are in their components' files.
BENCH_CFLAGS := $(NATIVE_CFLAGS) -O2
BENCH_HDR    := bench/bench.h bench/pool_bench.h pool/include/warmpool.h pool/include/warmpool_trace.h
POOL_BENCH_SRC := bench/pool_bench.c bench/bench_report.c bench/peer_omp_run.c \
                  bench/peer_condvar.c bench/bench_common.c bench/pool_bench_rows.c

$(B)/bench/pool_bench: $(POOL_BENCH_SRC) $(BENCH_HDR) $(B)/native/libwarmpool.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $(POOL_BENCH_SRC) $(B)/native/libwarmpool.a -lpthreadpool -lm
# libgomp reads OMP_WAIT_POLICY at start-up, so OpenMP is a program of its own.
$(B)/bench/peer_omp: bench/peer_omp.c bench/bench_common.c bench/bench.h
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -fopenmp -o $@ bench/peer_omp.c bench/bench_common.c

.PHONY: bench-pool test-bench-smoke bench-wasm bench-wasm-python bench-web
bench-pool: $(B)/bench/pool_bench $(B)/bench/peer_omp
	@echo "== pool benchmark (2 threads, interleaved rounds)"
	timeout 300 $(B)/bench/pool_bench
# A quick checked run of every contender, part of make test (no timing asserted).
test-bench-smoke: $(B)/bench/pool_bench $(B)/bench/peer_omp
	@echo "== bench smoke (every contender, a few calls, every item checked)"
	timeout 120 $(B)/bench/pool_bench --smoke
TEST_TARGETS += test-bench-smoke

# The same timing loop (bench/wasm_bench_core.c) natively and as a side module in the
# patched Node host, interleaved rounds, ratio Wasm/native.
$(WB)/test/libwbench.so: bench/wasm_bench_core.c bench/bench.h pool/include/warmpool.h $(IMPORTS_CHECK)
	$(call side_module,$(WASM_CFLAGS) -Ibench $(SIDE_T_FLAGS),$<,--allow tests/patches/allowed_kernels.txt)
$(B)/bench/wasm_bench_native: bench/wasm_bench_core.c bench/bench.h $(B)/native/libwarmpool.a
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -DWB_MAIN -Ibench $< $(B)/native/libwarmpool.a -lm -o $@
bench-wasm: $(WB)/libwarmpool.so $(WB)/host-patched/host.js $(WB)/test/libwbench.so $(B)/bench/wasm_bench_native \
		bench-wasm-3.1.69-libs
	@echo "== Wasm pool (Node host, real Wasm threads; emcc 3.1.6 and 3.1.69) next to native, same code, interleaved rounds"
	WASM_BENCH_TOOLCHAINS=3.1.6,3.1.69 timeout 300 $(WNODE) bench/wasm_bench.mjs

bench-wasm-python: wasm-python $(WB)/libwarmpool.so $(B)/native/libwarmpool.so $(WB)/libwarmpool-serial.so \
		$(PYW)/libkernels.so $(PYW)/libkernels-serial.so $(B)/native/libkernels.so bench-wasm-python-3.1.69-libs
	@echo "== parallel_for from Python: native CPython, threaded CPython-on-Wasm (emcc 3.1.6 and 3.1.69), stock Pyodide"
	timeout 900 $(NODE) bench/wasm_python_bench.mjs

bench-web: web web-threaded
	@set -e; for e in $(WEB_ENGINES); do \
	  echo "== web page: per-frame resize in headless $$e, serial vs pooled, both runtimes"; \
	  WEB_ENGINE=$$e timeout 600 $(NODE) bench/web_bench.mjs; done
BENCH_TARGETS += bench-pool bench-wasm bench-wasm-python bench-web
