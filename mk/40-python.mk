# The Python package (python/warmpool): its unittest suite on Debian's CPython and inside
# stock Pyodide (npm pyodide, under Node) against the serial side module, plus the C test
# kernels (tests/kernels.c) for both. Pyodide's patch set lives in pyodide-patches/.
PYW     := $(B)/py-wasm
PY_EMCC := NODE_PATH=/usr/share/nodejs emcc
# Side modules must stay inside the ABI Pyodide 0.29 (emcc 4.0.9) shares with emcc 3.1.6:
# BigInt for i64; -pthread ones only for threaded runtimes. -Wno-experimental: emcc calls
# "-pthread -sSIDE_MODULE" experimental and -Werror would refuse it.
PY_SIDE := $(WFLAGS) -O2 -fPIC -sSIDE_MODULE=1 -sWASM_BIGINT

$(B)/native/libkernels.so: tests/kernels.c
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) -O2 -fPIC -shared -pthread -o $@ $<
$(PYW)/libkernels-serial.so: tests/kernels.c
	@mkdir -p $(@D)
	$(PY_EMCC) $(PY_SIDE) -o $@ $<
$(PYW)/libkernels.so: tests/kernels.c
	@mkdir -p $(@D)
	$(PY_EMCC) $(PY_SIDE) -pthread -Wno-experimental -o $@ $<

.PHONY: python-libs test-py-native test-py-pyodide
python-libs: $(B)/native/libkernels.so $(PYW)/libkernels-serial.so $(PYW)/libkernels.so
ALL_TARGETS += python-libs

test-py-native: $(B)/native/libwarmpool.so $(B)/native/libkernels.so
	@echo "== Python package tests (native CPython $(PY))"
	cd python/tests && WARMPOOL_LIB=$(CURDIR)/$(B)/native/libwarmpool.so \
	  timeout 600 $(PY) -m unittest -v

# One fresh Pyodide per test file, each in a worker thread the runner can kill on timeout.
test-py-pyodide: $(B)/wasm/libwarmpool-serial.so $(PYW)/libkernels-serial.so
	@echo "== Python package tests (stock Pyodide $(shell node -p 'require("./node_modules/pyodide/package.json").version' 2>/dev/null) in Node, serial side module)"
	timeout 900 $(NODE) --test tests/pyodide/suite.test.mjs
TEST_TARGETS += test-py-native test-py-pyodide
