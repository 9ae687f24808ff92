# The pool (pool/src/pool/): workers, job hand-off, warm/cold waiting. Depends on
# prim/ (futex, clock, yield per OS) and reports its events to the tracer through
# trace/events.h. Its tests: the C property tests, the same properties on Wasm threads.
POOL_SRC       := pool/src/pool/pool.c
POOL_LINUX     := pool/src/prim/linux.c
POOL_EMSCRIPTEN := pool/src/prim/emscripten.c
POOL_TESTS_C   := tests/pool/test_pool.c tests/pool/test_items.c

# The thread-index kernel for the Wasm tests (a -pthread side module: shared memory).
$(WB)/test/libthreadk.so: tests/pool/thread_kernels.c $(IMPORTS_CHECK)
	$(call side_module,$(WASM_CFLAGS) $(SIDE_T_FLAGS),$<)

.PHONY: test-pool-c test-pool-wasm test-pool-wasm-python
test-pool-c: $(B)/native/test_c
	@echo "== pool: C tests (native, gcc -O2)"
	timeout 600 $< pool.
# One scenario process in the Pyodide-like host, one subtest per property; then destroy
# before the workers start, in the host that pre-starts none (3.1.6 builds only).
test-pool-wasm: $(WB)/libwarmpool.so $(WB)/$(WASM_POOL_HOST)/host.js $(WB)/test/libkernels.so \
		$(WB)/test/libthreadk.so $(WASM_NOPOOL_HOST:%=$(WB)/%/host.js)
	@echo "== pool: properties on Wasm threads (Node host, emcc $(EMSDK_VERSION))"
	WARMPOOL_POOL_HOST=$(WASM_POOL_HOST) WARMPOOL_NOPOOL_HOST=$(WASM_NOPOOL_HOST) \
	  timeout 300 $(WNODE) --test --test-timeout=180000 tests/pool/wasm.test.mjs
# The same from Python, in the threaded CPython on Wasm (its JS main thread held busy).
test-pool-wasm-python: wasm-python $(WB)/libwarmpool.so $(B)/py-wasm$(WB_SUFFIX)/libkernels.so
	@echo "== pool: destroy before the workers start, from Python (threaded CPython on Wasm, emcc $(EMSDK_VERSION))"
	timeout 300 $(NODE) --test tests/pool/wasm_python.test.mjs
TEST_TARGETS += test-pool-c test-pool-wasm test-pool-wasm-python
