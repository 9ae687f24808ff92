# Emscripten 3.1.69 from Debian trixie's source packages, next to bookworm's emcc 3.1.6
# (pyodide-patches/toolchain/). The script caches its build outside the repo, in
# ${WARMPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warmpool}; the first build takes
# 12-25 minutes on 2 busy cores, a cached run well under a second.
EMSDK_3169_SH := pyodide-patches/toolchain/emsdk-3.1.69.sh

# The 3.1.69 emcc (a wrapper that sets its own EM_CONFIG/EM_CACHE: no env needed). Lazy on
# purpose: the script runs only where a recipe uses it; such a target should depend on
# emsdk-3.1.69 so that a first build shows its progress there. Usage:
#   $(EMCC_3169) -O2 -pthread -sSIDE_MODULE=1 ... (EMSDK_3169_ENV: a file to source instead)
EMCC_3169 = $(or $(shell bash $(EMSDK_3169_SH) --emcc --quiet),$(error $(EMSDK_3169_SH) failed))
EMSDK_3169_ENV = $(or $(shell bash $(EMSDK_3169_SH) --print-env --quiet),$(error $(EMSDK_3169_SH) failed))

.PHONY: emsdk-3.1.69 test-emsdk-3.1.69-smoke
# Phony: the script's cache key (its sources and itself) decides whether to build.
emsdk-3.1.69:
	bash $(EMSDK_3169_SH)

# A -pthread side module starting a thread, dlopen'd by a -pthread MAIN_MODULE=2 program
# under node. Not in TEST_TARGETS yet (the first build is long).
test-emsdk-3.1.69-smoke: emsdk-3.1.69
	NODE=$(or $(NODE),node) bash pyodide-patches/toolchain/smoke/smoke.sh $(or $(B),build)/emsdk-3.1.69-smoke

# --- The Wasm suites with 3.1.69: the same rules with EMSDK_VERSION=3.1.69 (mk/00-toolchain.mk),
# output in build/wasm-3.1.69. In make test: the toolchain is a prerequisite, so a fresh
# machine builds it here (cached outside the clone afterwards).
W69 := $(B)/wasm-3.1.69
# More shapes of 3.1.69's output for the patch tool: a plain -O2 program, MODULARIZE +
# EXPORT_ES6 (the host itself is MODULARIZE at -O0/-O1/-O2).
SHAPE_FLAGS = -Wno-experimental -pthread -sMAIN_MODULE=2 -sWASM_BIGINT -sALLOW_TABLE_GROWTH \
  -sEXPORTED_FUNCTIONS=_main,_host_dlopen
$(W69)/shapes/plain-O2.js: pyodide-patches/host/host.c | emsdk-3.1.69
	@mkdir -p $(@D)
	$(EMCC_3169) -O2 $(SHAPE_FLAGS) $< -o $@
$(W69)/shapes/es6-O2.mjs: pyodide-patches/host/host.c | emsdk-3.1.69
	@mkdir -p $(@D)
	$(EMCC_3169) -O2 $(SHAPE_FLAGS) -sMODULARIZE -sEXPORT_ES6 -sEXPORT_NAME=createHost $< -o $@

.PHONY: test-wasm-3.1.69 test-patches-emsdk-3.1.69 test-py-pyodide-3.1.69
# Run from the top make: a sub-make per toolchain keeps every variable of the other apart.
# The threaded CPython built with 3.1.69 (build/wasm-3.1.69/wasm-python, its first build a
# few minutes, cached) runs its trap/limit tests, the package suite and the pool's
# destroy-before-start case against 3.1.69's side modules (the same rules, WPY and
# WARMPOOL_WB per toolchain).
test-wasm-3.1.69: emsdk-3.1.69
	$(MAKE) --no-print-directory EMSDK_VERSION=3.1.69 test-pool-wasm test-patches-emsdk-3.1.69 test-py-pyodide-3.1.69 test-layout \
	  test-patches-wasm-python test-py-wasm-python test-pool-wasm-python test-pthreadpool-wasm-python
# (inside that sub-make)
test-patches-emsdk-3.1.69: $(W69)/libwarmpool.so $(W69)/libwarmpool-serial.so $(W69)/host/host.js \
  $(W69)/host-patched/host.js $(W69)/test/libkernels.so $(W69)/test/libwarmpool-nosync.so $(W69)/test/libwarmpool-noslice.so \
  $(W69)/fixtures/O0/host.js $(W69)/fixtures/O1/host.js $(W69)/shapes/plain-O2.js $(W69)/shapes/es6-O2.mjs \
  $(PROG_ALL) $(PROG)/noderawfs/noderawfs.js
	@echo "== patches: each trap's scenario on Emscripten 3.1.69's output (Node host, ordinary programs, Chromium)"
	WARMPOOL_WB=$(W69) timeout 900 $(WNODE) --test --test-timeout=180000 --test-reporter=spec tests/patches/emsdk3169.test.mjs \
	  tests/patches/programs.test.mjs
# (playwright needs Node's fetch globals: plain node)
	WARMPOOL_WB=$(W69) timeout 300 $(NODE) --test --test-timeout=120000 --test-reporter=spec tests/patches/noderawfs.test.mjs
test-py-pyodide-3.1.69: $(W69)/libwarmpool-serial.so $(B)/py-wasm-3.1.69/libkernels-serial.so
	@echo "== Python package tests: 3.1.69's serial side module in npm Pyodide 0.27, 0.29, 314"
	timeout 1200 $(NODE) --test --test-concurrency=1 tests/python/pyodide/emsdk3169.test.mjs
TEST_TARGETS += test-wasm-3.1.69

# A second threaded runtime with 3.1.69: Debian trixie's python3.13 (Pyodide 0.29's Python),
# same build.sh (its native build Python first: a few more minutes the first time, cached).
# Its traps/limits and the package suite, on 3.1.69's side modules.
WPY313 := $(W69)/wasm-python-3.13
.PHONY: wasm-python-3.13 test-wasm-python-3.13
wasm-python-3.13: emsdk-3.1.69
	WASM_PYTHON_EMSDK=3.1.69 WASM_PYTHON_VERSION=3.13 nice -n 5 pyodide-patches/wasm-python/build.sh $(WPY313)/python
test-wasm-python-3.13: wasm-python-3.13
	$(MAKE) --no-print-directory EMSDK_VERSION=3.1.69 $(W69)/libwarmpool.so $(W69)/wasm-python/libprobe.so $(B)/py-wasm-3.1.69/libkernels.so
	@echo "== the threaded CPython 3.13 (3.1.69): its traps and limits, the package suite"
	WARMPOOL_WB=$(W69) WASM_PYTHON_DIR=$(CURDIR)/$(WPY313)/python timeout 1200 $(NODE) --test --test-concurrency=1 \
	  tests/patches/wasm_python.test.mjs tests/python/wasm-python/suite.test.mjs
TEST_TARGETS += test-wasm-python-3.13
# What bench/wasm_python_bench.mjs needs of the 3.1.69 build (a column beside 3.1.6's).
.PHONY: bench-wasm-python-3.1.69-libs
bench-wasm-python-3.1.69-libs: emsdk-3.1.69
	$(MAKE) --no-print-directory EMSDK_VERSION=3.1.69 wasm-python $(W69)/libwarmpool.so $(B)/py-wasm-3.1.69/libkernels.so
# What bench/wasm_bench.mjs needs of the 3.1.69 build (make bench-wasm prints both side by side).
.PHONY: bench-wasm-3.1.69-libs
bench-wasm-3.1.69-libs: emsdk-3.1.69
	$(MAKE) --no-print-directory EMSDK_VERSION=3.1.69 $(W69)/libwarmpool.so $(W69)/host/host.js $(W69)/test/libwbench.so
