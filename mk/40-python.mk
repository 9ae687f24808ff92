# The Python package (python/warmpool, ctypes only): its unittest suite (tests/python/)
# on Debian's CPython, inside stock Pyodide (npm, under Node) against the serial side
# module, and inside the threaded CPython-on-Wasm against the threaded one, each with the
# suite's C kernels (tests/python/kernels.c) built for that runtime.
PYW := $(B)/py-wasm$(WB_SUFFIX)
$(B)/native/libkernels.so: tests/python/kernels.c
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) -O2 -fPIC -shared -pthread -o $@ $<
$(PYW)/libkernels-serial.so: tests/python/kernels.c
	@mkdir -p $(@D)
	$(EMCC) $(WFLAGS) -fPIC $(SIDE_FLAGS) -o $@ $<
$(PYW)/libkernels.so: tests/python/kernels.c
	@mkdir -p $(@D)
	$(EMCC) $(WFLAGS) -fPIC $(SIDE_T_FLAGS) -o $@ $<

.PHONY: python-libs test-py-native test-py-pyodide test-py-wasm-python $(PYODIDE_VERSIONS_ALL:%=test-py-pyodide-%)
python-libs: $(B)/native/libkernels.so $(PYW)/libkernels-serial.so $(PYW)/libkernels.so
ALL_TARGETS += python-libs

test-py-native: $(B)/native/libwarmpool.so $(B)/native/libkernels.so
	@echo "== Python package tests (native CPython $(PY))"
	cd tests/python && WARMPOOL_LIB=$(CURDIR)/$(B)/native/libwarmpool.so \
	  timeout 600 $(PY) -m unittest -v
# One fresh Pyodide per test file, each in a worker thread the runner can kill on timeout,
# on every supported Pyodide (tools/pyodide.mjs; PYODIDE_VERSIONS="314" to pick, or
# make test-py-pyodide-314); then the runner's own test (a trap, a hang).
PYODIDE_VERSIONS_ALL := 0.27 0.29 314
test-py-pyodide: $(B)/wasm/libwarmpool-serial.so $(PYW)/libkernels-serial.so
	@echo "== Python package tests (stock Pyodide $(or $(PYODIDE_VERSIONS),$(PYODIDE_VERSIONS_ALL)) in Node, serial side module)"
	PYODIDE_VERSIONS="$(PYODIDE_VERSIONS)" timeout 2400 $(NODE) --test --test-concurrency=1 tests/python/pyodide/suite.test.mjs \
	  tests/python/pyodide/runner.test.mjs
$(PYODIDE_VERSIONS_ALL:%=test-py-pyodide-%):
	$(MAKE) --no-print-directory test-py-pyodide PYODIDE_VERSIONS=$(@:test-py-pyodide-%=%)
test-py-wasm-python: wasm-python $(PYW)/libkernels.so $(WB)/libwarmpool.so
	@echo "== Python package tests (threaded CPython on Wasm, emcc $(EMSDK_VERSION), real C threads)"
	timeout 1200 $(NODE) --test --test-concurrency=1 tests/python/wasm-python/suite.test.mjs
TEST_TARGETS += test-py-native test-py-pyodide test-py-wasm-python
