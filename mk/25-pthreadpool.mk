# The pthreadpool-compatible layer (pool/src/pthreadpool/, its header
# pool/include/compat/pthreadpool.h, kept off the library's include path so that bench/
# keeps finding Debian's pthreadpool.h). `make pthreadpool-compat` builds the header,
# libpthreadpool.a and libpthreadpool.so.0 (a drop-in for Debian's libpthreadpool0:
# same SONAME, a superset of its symbols) and the Wasm side modules; each carries the
# pool and the tracer. Tests: pthreadpool's own gtest suite (from Debian's source
# package, fetched at build time) natively and on Wasm threads, our own C tests,
# Debian's XNNPACK running on it, and a Python test on the threaded CPython-on-Wasm.
PTP_SRC := $(sort $(wildcard pool/src/pthreadpool/*.c))
PTP_HDR := pool/include/compat/pthreadpool.h pool/src/pthreadpool/internal.h \
           pool/src/prim/pthreadpool_prim.h
PTP := $(B)/pthreadpool
# The Wasm side modules: build/pthreadpool/wasm for 3.1.6, beside each other toolchain's build.
PTP_WASM := $(if $(filter 3.1.6,$(EMSDK_VERSION)),$(PTP)/wasm,$(WB)/pthreadpool)
PTP_LINUX_SRC := $(PTP_SRC) $(POOL_SRC) $(TRACE_SRC) $(POOL_LINUX) $(TRACE_LINUX)
PTP_EMSCRIPTEN_SRC := $(PTP_SRC) $(POOL_SRC) $(TRACE_SRC) $(POOL_EMSCRIPTEN) $(TRACE_EMSCRIPTEN)
# What the side modules import beyond the library's list: the CPU count.
PTP_IMPORTS := pool/src/pthreadpool/imports.txt

$(PTP_SRC:%.c=$(B)/native/obj/%.o) $(PTP_SRC:%.c=$(B)/tsan/obj/%.o) \
  $(PTP_SRC:%.c=$(WB)/t/%.o) $(PTP_SRC:%.c=$(WB)/s/%.o): $(PTP_HDR)

$(PTP)/include/pthreadpool.h: pool/include/compat/pthreadpool.h
	@mkdir -p $(@D)
	cp $< $@
$(PTP)/libpthreadpool.a: $(PTP_LINUX_SRC:%.c=$(B)/native/obj/%.o)
	@mkdir -p $(@D)
	@rm -f $@ && ar rcs $@ $^
$(PTP)/libpthreadpool.so.0: $(PTP_LINUX_SRC:%.c=$(B)/native/obj/%.o)
	@mkdir -p $(@D)
	$(CC) -shared -pthread -Wl,-soname,libpthreadpool.so.0 -o $@ $^ -lm
$(PTP)/libpthreadpool.so: | $(PTP)/libpthreadpool.so.0
	ln -sf libpthreadpool.so.0 $@
$(PTP_WASM)/libpthreadpool.so: $(PTP_EMSCRIPTEN_SRC:%.c=$(WB)/t/%.o) $(IMPORTS_CHECK) $(PTP_IMPORTS)
	$(call side_module,$(SIDE_T_FLAGS),$(filter %.o,$^),--allow $(PTP_IMPORTS))
$(PTP_WASM)/libpthreadpool-serial.so: $(PTP_EMSCRIPTEN_SRC:%.c=$(WB)/s/%.o) $(IMPORTS_CHECK)
	$(call side_module,$(SIDE_FLAGS),$(filter %.o,$^))

.PHONY: pthreadpool-compat
pthreadpool-compat: $(PTP)/include/pthreadpool.h $(PTP)/libpthreadpool.a $(PTP)/libpthreadpool.so \
  $(PTP_WASM)/libpthreadpool.so $(PTP_WASM)/libpthreadpool-serial.so
ALL_TARGETS += pthreadpool-compat

# --- pthreadpool's own suite, natively (Debian's libgtest) and on Wasm threads (gtest
# built from /usr/src/googletest with em++, the test on a pthread: PROXY_TO_PTHREAD).
PTP_SUITE := $(PTP)/upstream/pthreadpool.cc
PTP_SKIPS := tests/pthreadpool/skips.txt
PTP_FILTER = $(subst $(eval) ,:,$(strip $(shell sed -e '/^\#/d' -e 's/[[:space:]].*//' $(PTP_SKIPS))))
$(PTP_SUITE): tests/pthreadpool/fetch_upstream.sh
	bash $< $@
$(PTP)/test/gtest_native: $(PTP_SUITE) $(PTP)/include/pthreadpool.h $(PTP)/libpthreadpool.a
	@mkdir -p $(@D)
	g++ -std=c++17 -O1 -g -pthread -I$(PTP)/include -o $@ $< $(PTP)/libpthreadpool.a \
	  -lgtest_main -lgtest -lm
GTEST_DIR := /usr/src/googletest/googletest
$(PTP)/test/wasm/gtest-all.o: $(GTEST_DIR)/src/gtest-all.cc
	@mkdir -p $(@D)
	em++ -std=c++17 -O1 -pthread -I$(GTEST_DIR)/include -I$(GTEST_DIR) -c $< -o $@
$(PTP)/test/wasm/gtest_main.o: $(GTEST_DIR)/src/gtest_main.cc
	@mkdir -p $(@D)
	em++ -std=c++17 -O1 -pthread -I$(GTEST_DIR)/include -c $< -o $@
$(PTP)/test/wasm/suite.o: $(PTP_SUITE) $(PTP)/include/pthreadpool.h
	@mkdir -p $(@D)
	em++ -std=c++17 -O1 -pthread -I$(PTP)/include -I$(GTEST_DIR)/include -c $< -o $@
$(PTP)/test/wasm/gtest.js: $(PTP)/test/wasm/suite.o $(PTP)/test/wasm/gtest-all.o \
  $(PTP)/test/wasm/gtest_main.o $(PTP_EMSCRIPTEN_SRC:%.c=$(WB)/t/%.o)
	em++ -O1 -pthread -sPROXY_TO_PTHREAD -sEXIT_RUNTIME -sPTHREAD_POOL_SIZE=4 \
	  -sINITIAL_MEMORY=134217728 -sENVIRONMENT=node,worker -o $@ $^

.PHONY: test-pthreadpool-gtest test-pthreadpool-gtest-wasm
test-pthreadpool-gtest: $(PTP)/test/gtest_native
	@echo "== pthreadpool: pthreadpool's own gtest suite on warmpool (native)"
	@sed -e '/^#/d' $(PTP_SKIPS) | while read -r t why; do echo "skip: $$t ($$why)"; done
	timeout 900 $< $(if $(PTP_FILTER),--gtest_filter=-$(PTP_FILTER))
test-pthreadpool-gtest-wasm: $(PTP)/test/wasm/gtest.js
	@echo "== pthreadpool: pthreadpool's own gtest suite on warmpool (Wasm threads, Node)"
	@sed -e '/^#/d' $(PTP_SKIPS) | while read -r t why; do echo "skip: $$t ($$why)"; done
	timeout 1200 $(WNODE) $< $(if $(PTP_FILTER),--gtest_filter=-$(PTP_FILTER))
TEST_TARGETS += test-pthreadpool-gtest test-pthreadpool-gtest-wasm

# --- Debian's unmodified libXNNPACK on our libpthreadpool.so.0 (LD_LIBRARY_PATH), next
# to the same program on Debian's pthreadpool: both must give the 1-thread bytes, and
# the same ones.
$(PTP)/test/xnnpack_ops: tests/pthreadpool/xnnpack_ops.c $(PTP)/include/pthreadpool.h
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) -O2 -pthread -Ipool/include -I$(PTP)/include -o $@ $< -lXNNPACK -lpthreadpool -ldl -lm
.PHONY: test-pthreadpool-xnnpack
test-pthreadpool-xnnpack: $(PTP)/test/xnnpack_ops $(PTP)/libpthreadpool.so.0
	@echo "== pthreadpool: Debian's XNNPACK on warmpool (conv 3x3, depthwise, fully connected, sigmoid)"
	set -o pipefail; LD_LIBRARY_PATH=$(CURDIR)/$(PTP) timeout 120 $< --threads 2 | tee $(PTP)/test/xnnpack_ours.txt
	grep -qx 'library: warmpool' $(PTP)/test/xnnpack_ours.txt
	LD_LIBRARY_PATH=$(CURDIR)/$(PTP) timeout 120 $< --threads 3 | grep -x 'RESULT ok'
	timeout 120 $< --threads 2 > $(PTP)/test/xnnpack_debian.txt
	@grep digest $(PTP)/test/xnnpack_ours.txt $(PTP)/test/xnnpack_debian.txt
	@[ "$$(grep digest $(PTP)/test/xnnpack_ours.txt)" = "$$(grep digest $(PTP)/test/xnnpack_debian.txt)" ] || \
	  { echo "XNNPACK outputs differ between our pthreadpool and Debian's"; exit 1; }
TEST_TARGETS += test-pthreadpool-xnnpack

# --- our own C tests of the layer (the harness runner), natively and under TSan.
PTP_TEST_SRC := tests/pthreadpool/test_pthreadpool.c tests/harness/runner.c
$(PTP)/test/test_c: $(PTP_TEST_SRC) tests/harness/runner.h $(PTP_HDR) $(PTP)/libpthreadpool.a
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CFLAGS) -O2 -Itests -o $@ $(PTP_TEST_SRC) $(PTP)/libpthreadpool.a -lm
$(PTP)/test/test_c_tsan: $(PTP_TEST_SRC) tests/harness/runner.h $(PTP_HDR) $(PTP_LINUX_SRC:%.c=$(B)/tsan/obj/%.o)
	@mkdir -p $(@D)
	$(CLANG) $(NATIVE_CFLAGS) -O1 -fsanitize=thread -Itests -o $@ $(PTP_TEST_SRC) \
	  $(PTP_LINUX_SRC:%.c=$(B)/tsan/obj/%.o) -lm
.PHONY: test-pthreadpool-c
test-pthreadpool-c: $(PTP)/test/test_c $(PTP)/test/test_c_tsan
	@echo "== pthreadpool: the layer's own C tests (native, then ThreadSanitizer)"
	timeout 300 $(PTP)/test/test_c
	TSAN_OPTIONS=halt_on_error=1 timeout 600 $(PTP)/test/test_c_tsan
TEST_TARGETS += test-pthreadpool-c

# --- bench: the same calls on our layer and on Debian's pthreadpool, and XNNPACK's
# convolution with either libpthreadpool.so.0.
$(B)/bench/pthreadpool_bench_ours: bench/pthreadpool_bench.c $(PTP)/include/pthreadpool.h $(PTP)/libpthreadpool.a
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) -O2 -pthread -I$(PTP)/include -o $@ $< $(PTP)/libpthreadpool.a -lm
$(B)/bench/pthreadpool_bench_debian: bench/pthreadpool_bench.c
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) -O2 -pthread -o $@ $< -lpthreadpool -lm
.PHONY: bench-pthreadpool
bench-pthreadpool: $(B)/bench/pthreadpool_bench_ours $(B)/bench/pthreadpool_bench_debian \
  $(PTP)/test/xnnpack_ops $(PTP)/libpthreadpool.so.0
	@echo "== pthreadpool API: our layer over warmpool next to Debian's pthreadpool (2 threads)"
	timeout 900 $(PY) bench/pthreadpool_bench.py $(B)/bench/pthreadpool_bench_ours \
	  $(B)/bench/pthreadpool_bench_debian $(PTP)/test/xnnpack_ops $(CURDIR)/$(PTP)
BENCH_TARGETS += bench-pthreadpool

# --- Python on Wasm: a side module built against our pthreadpool.h (with the layer and
# the pool linked in), loaded by ctypes.CDLL in the threaded CPython-on-Wasm.
$(PTP_WASM)/libtiled2d.so: tests/pthreadpool/tiled2d.c $(PTP_EMSCRIPTEN_SRC:%.c=$(WB)/t/%.o) \
  $(PTP_HDR) $(IMPORTS_CHECK) $(PTP_IMPORTS)
	$(call side_module,$(WASM_CFLAGS) $(SIDE_T_FLAGS),$< $(PTP_EMSCRIPTEN_SRC:%.c=$(WB)/t/%.o),--allow $(PTP_IMPORTS))
.PHONY: test-pthreadpool-wasm-python
test-pthreadpool-wasm-python: wasm-python $(PTP_WASM)/libtiled2d.so
	@echo "== pthreadpool: a 2D tiled job from Python (ctypes) on the threaded CPython-on-Wasm"
	WARMPOOL_PTP_TILED_LIB=$(CURDIR)/$(PTP_WASM)/libtiled2d.so \
	  timeout 600 $(NODE) --test --test-timeout=400000 tests/pthreadpool/wasm_python.test.mjs
TEST_TARGETS += test-pthreadpool-wasm-python
