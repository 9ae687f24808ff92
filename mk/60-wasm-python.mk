# Threaded CPython on Wasm (issue 8): CPython 3.11 + libffi's wasm32 backend from Debian
# source packages, built by tools/wasm-python/build.sh with Debian's emcc 3.1.6, running
# the Python suite under Node on real Wasm threads against the threaded side module.
# The build caches itself in .cache/wasm-python/ (key: its inputs), so `make wasm-python`
# is instant after the first ~7 minutes.
WPY      := $(B)/wasm-python
WPY_EMCC := NODE_PATH=/usr/share/nodejs emcc
# Side modules for this runtime: -pthread (its memory is shared), BigInt for i64.
# -Wno-experimental: emcc calls "-pthread -sSIDE_MODULE" experimental and -Werror refuses it.
WPY_SIDE := $(WFLAGS) -O2 -fPIC -pthread -sSIDE_MODULE=1 -sWASM_BIGINT -Wno-experimental

.PHONY: wasm-python test-wasm-python bench-wasm-python wasm-python-libs
# Phony on purpose: the script decides from its cache key whether anything is stale.
wasm-python:
	nice -n 5 tools/wasm-python/build.sh $(WPY)/python

$(WPY)/libprobe.so: tests/wasm-python/probe.c
	@mkdir -p $(@D)
	$(WPY_EMCC) $(WPY_SIDE) -o $@ $<
# The Python suite's C kernels, threaded (the python helper's serial/threaded builds live
# in build/py-wasm/; this runtime needs the -pthread one and builds it itself).
$(WPY)/libkernels.so: tests/kernels.c
	@mkdir -p $(@D)
	$(WPY_EMCC) $(WPY_SIDE) -o $@ $<
wasm-python-libs: $(WPY)/libprobe.so $(WPY)/libkernels.so $(WB)/libwarmpool.so
# The bench also needs the kernels for stock Pyodide (serial) and for native CPython.
$(WPY)/libkernels-serial.so: tests/kernels.c
	@mkdir -p $(@D)
	$(WPY_EMCC) $(WFLAGS) -O2 -fPIC -sSIDE_MODULE=1 -sWASM_BIGINT -o $@ $<
$(WPY)/native/libkernels.so: tests/kernels.c
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) -O2 -fPIC -shared -pthread -o $@ $<

WPY_TESTS := $(sort $(wildcard tests/wasm-python/*.test.mjs))
test-wasm-python: wasm-python wasm-python-libs
	@echo "== threaded CPython on Wasm: runtime traps and limits, then the Python suite"
	timeout 1200 $(NODE) --test --test-concurrency=1 $(WPY_TESTS)
TEST_TARGETS += test-wasm-python

bench-wasm-python: wasm-python wasm-python-libs $(B)/native/libwarmpool.so $(WB)/libwarmpool-serial.so \
		$(WPY)/libkernels-serial.so $(WPY)/native/libkernels.so
	@echo "== parallel_for from Python: native CPython, threaded CPython-on-Wasm, stock Pyodide"
	timeout 900 $(NODE) bench/wasm_python_bench.mjs
BENCH_TARGETS += bench-wasm-python
