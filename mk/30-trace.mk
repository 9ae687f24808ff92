# The tracer (issue 6): an instrumented variant of the library, the golden programs whose
# call trees are known, the JSON check, and the tracer's benchmark.
TB := $(B)/trace
TRACE_CFLAGS := $(BASE_CFLAGS) -O2 -fPIC
TRACE_CHECK := $(PY) tests/trace/check_json.py

# gcc -finstrument-functions over the whole library: the tracer's own functions are left
# out by their WARMPOOL_TRACE_NOINSTR attribute, which is what this variant proves.
$(TB)/gcc/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(TRACE_CFLAGS) -finstrument-functions -c $< -o $@
$(TB)/clang/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CLANG) $(TRACE_CFLAGS) -finstrument-functions-after-inlining -c $< -o $@
$(TB)/libwarmpool-instr.a: $(NATIVE_SRC:%.c=$(TB)/gcc/%.o)
	@rm -f $@ && ar rcs $@ $^
$(TB)/libwarmpool-instr.so: $(NATIVE_SRC:%.c=$(TB)/gcc/%.o)
	$(CC) -shared -pthread -o $@ $^ -lm
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

.PHONY: trace-instr test-trace bench-trace test-trace-wasm
trace-instr: $(TB)/libwarmpool-instr.a $(TB)/libwarmpool-instr.so $(TB)/golden-gcc \
             $(TB)/golden-so $(TB)/golden-clang
ALL_TARGETS += trace-instr

test-trace: trace-instr
	@echo "== tracer golden programs (instrumented) and their JSON"
	timeout 120 $(TB)/golden-gcc $(TB)/golden-gcc.json
	$(TRACE_CHECK) $(TB)/golden-gcc.json $(GOLDEN_ARGS) --absent $(GOLDEN_ABSENT) \
	    --names $(GOLDEN_FNS),warmpool_parallel_for,run_chunks,worker_main
	timeout 120 $(TB)/golden-so $(TB)/golden-so.json
	$(TRACE_CHECK) $(TB)/golden-so.json $(GOLDEN_ARGS) --absent $(GOLDEN_ABSENT) \
	    --names $(GOLDEN_FNS),warmpool_parallel_for,run_chunks,worker_main --src pool.c:
	timeout 120 $(TB)/golden-clang $(TB)/golden-clang.json
	$(TRACE_CHECK) $(TB)/golden-clang.json $(GOLDEN_ARGS) --absent $(GOLDEN_ABSENT),run_chunks \
	    --names $(GOLDEN_FNS)
TEST_TARGETS += test-trace

# The benchmark: the same file is the instrumented program and the plain baseline.
$(B)/bench/trace_bench: bench/trace_bench.c $(B)/native/libwarmpool.a $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(TRACE_CFLAGS) -finstrument-functions -o $@ $< $(B)/native/libwarmpool.a -lm
bench-trace: $(B)/bench/trace_bench
	@echo "== tracer cost (goal: <= 5 ns per event on, pool events < 2% of an empty job)"
	timeout 300 $<
BENCH_TARGETS += bench-trace

# The tracer in the threaded Wasm build, in the Node host (tests/node/trace.test.mjs).
test-trace-wasm: $(WB)/libwarmpool.so $(WB)/host-patched/host.js $(WB)/test/libkernels.so
	@echo "== tracer in the Wasm build (Node host)"
	NODE_PATH=/usr/share/nodejs timeout 300 $(NODE) --no-experimental-fetch --test tests/node/trace.test.mjs
TEST_TARGETS += test-trace-wasm
# test_trace.c's dlclose test loads the .so that sits next to the test binary.
$(B)/native/test_pool: | $(B)/native/libwarmpool.so
