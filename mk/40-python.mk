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

# Pyodide's pyodide.asm.js with the Pyodide patch set, as a copy (node_modules is never
# written). The npm build has no threads, so only the `pyodide` set applies to it; a
# threaded build takes every set (see pyodide-patches/README.md).
PYODIDE_ASM := node_modules/pyodide/pyodide.asm.js
$(B)/pyodide-patched/pyodide.asm.js: $(PYODIDE_ASM) pyodide-patches/wpatch.py pyodide-patches/pyodide_set.py
	@mkdir -p $(@D)
	$(PY) pyodide-patches/wpatch.py --set pyodide $< -o $@
.PHONY: pyodide-patched
pyodide-patched: $(B)/pyodide-patched/pyodide.asm.js

# One fresh Pyodide per test file, each in a worker thread the runner can kill on timeout;
# then the runner's own test (a trap, a hang) and the Pyodide patch set's tests.
test-py-pyodide: $(B)/wasm/libwarmpool-serial.so $(PYW)/libkernels-serial.so
	@echo "== Python package tests (stock Pyodide in Node, serial side module) + Pyodide patches"
	timeout 1200 $(NODE) --test --test-concurrency=1 tests/pyodide/suite.test.mjs \
	  tests/pyodide/runner.test.mjs tests/pyodide/patches.test.mjs
TEST_TARGETS += test-py-native test-py-pyodide
