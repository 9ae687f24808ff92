# The pool (pool/src/pool/): workers, job hand-off, warm/cold waiting. Depends on
# prim/ (futex, clock, yield per OS) and reports its events to the tracer through
# trace/events.h. Its tests: the C property tests, the same properties on Wasm threads.
POOL_SRC       := pool/src/pool/pool.c
POOL_LINUX     := pool/src/prim/linux.c
POOL_EMSCRIPTEN := pool/src/prim/emscripten.c
POOL_TESTS_C   := tests/pool/test_pool.c

.PHONY: test-pool-c test-pool-wasm
test-pool-c: $(B)/native/test_c
	@echo "== pool: C tests (native, gcc -O2)"
	timeout 600 $< pool.
# One scenario process in the patched Pyodide-like host, one subtest per property.
test-pool-wasm: $(WB)/libwarmpool.so $(WB)/$(WASM_POOL_HOST)/host.js $(WB)/test/libkernels.so
	@echo "== pool: properties on Wasm threads (Node host, emcc $(EMSDK_VERSION))"
	WARMPOOL_POOL_HOST=$(WASM_POOL_HOST) timeout 300 $(WNODE) --test --test-timeout=180000 tests/pool/wasm.test.mjs
TEST_TARGETS += test-pool-c test-pool-wasm
