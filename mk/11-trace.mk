# The tracer (pool/src/trace/): per-thread ring buffers, the pool's events, snapshots,
# Perfetto JSON. Depends on nothing else of the library; its clock, buffer lookup and
# names come from prim/trace_<os>.c. Tests: C, golden programs whose call trees are
# known (with their JSON check), the Wasm build in the Node host; and its benchmark.
TRACE_SRC        := $(sort $(wildcard pool/src/trace/*.c))
TRACE_LINUX      := pool/src/prim/trace_linux.c
TRACE_EMSCRIPTEN := pool/src/prim/trace_emscripten.c
TRACE_TESTS_C    := tests/trace/test_trace.c

TB := $(B)/trace
TRACE_CHECK := $(PY) tests/trace/check_json.py
TRACE_CFLAGS := $(NATIVE_CFLAGS) -O2 -fPIC
# golden-gcc: instrumented program and library, one PIE executable.
$(TB)/golden-gcc: $(TB)/gcc/tests/trace/golden.o $(TB)/libwarmpool-instr.a
	$(CC) $(TRACE_CFLAGS) -o $@ $^ -lm
# golden-so: the instrumented library as a shared object (names and lines found at the
# .so's load address, which ASLR moves).
$(TB)/golden-so: $(TB)/gcc/tests/trace/golden.o $(TB)/libwarmpool-instr.so
	$(CC) $(TRACE_CFLAGS) -o $@ $< -L$(TB) -l:libwarmpool-instr.so -Wl,-rpath,'$$ORIGIN' -lm
# golden-clang: only what survives inlining is instrumented; the library is the plain one.
$(TB)/golden-clang: $(TB)/clang/tests/trace/golden.o $(B)/native/libwarmpool.a
	$(CLANG) $(TRACE_CFLAGS) -o $@ $^ -lm

GOLDEN_FNS := golden_root,mid,leaf,thread_one,thread_two,kernel
GOLDEN_THREADS := golden-main,golden-t1,golden-t2,gold-1,gold-2
GOLDEN_ABSENT := hidden,warmpool_trace,__cyg,wp_trace,rec,attach
GOLDEN_ARGS := --threads $(GOLDEN_THREADS) --src golden.c: --chunks 0,64,4

.PHONY: trace-instr test-trace-c test-trace-golden test-trace-wasm bench-trace
trace-instr: $(TB)/libwarmpool-instr.a $(TB)/libwarmpool-instr.so $(TB)/golden-gcc \
             $(TB)/golden-so $(TB)/golden-clang
ALL_TARGETS += trace-instr

test-trace-c: $(B)/native/test_c
	@echo "== trace: C tests (native, gcc -O2)"
	timeout 600 $< trace.
test-trace-golden: trace-instr
	@echo "== trace: golden programs (instrumented) and their JSON"
	timeout 120 $(TB)/golden-gcc $(TB)/golden-gcc.json
	$(TRACE_CHECK) $(TB)/golden-gcc.json $(GOLDEN_ARGS) --absent $(GOLDEN_ABSENT) \
	    --names $(GOLDEN_FNS),warmpool_parallel_for,run_chunks,worker_main
	timeout 120 $(TB)/golden-so $(TB)/golden-so.json
	$(TRACE_CHECK) $(TB)/golden-so.json $(GOLDEN_ARGS) --absent $(GOLDEN_ABSENT) \
	    --names $(GOLDEN_FNS),warmpool_parallel_for,run_chunks,worker_main --src pool.c:
	timeout 120 $(TB)/golden-clang $(TB)/golden-clang.json
	$(TRACE_CHECK) $(TB)/golden-clang.json $(GOLDEN_ARGS) --absent $(GOLDEN_ABSENT),run_chunks \
	    --names $(GOLDEN_FNS)
test-trace-wasm: $(WB)/libwarmpool.so $(WB)/host-patched/host.js $(WB)/test/libkernels.so
	@echo "== trace: the Wasm build (Node host)"
	timeout 300 $(WNODE) --test tests/trace/wasm.test.mjs
TEST_TARGETS += test-trace-c test-trace-golden test-trace-wasm

# The benchmark: the same file is the instrumented program and the plain baseline.
$(B)/bench/trace_bench: bench/trace_bench.c $(B)/native/libwarmpool.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(TRACE_CFLAGS) -finstrument-functions -o $@ $< $(B)/native/libwarmpool.a -lm
bench-trace: $(B)/bench/trace_bench
	@echo "== tracer cost per event and per pool job, with the TSC floor of this machine"
	timeout 300 $<
BENCH_TARGETS += bench-trace
