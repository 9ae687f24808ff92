# Wasm: the pool as Emscripten side modules (threaded and serial), the Pyodide-like
# threaded test host, the runtime patches (pyodide-patches/wpatch.py) and the Node tests.
# Debian's emcc 3.1.6: its optimiser needs Debian's acorn (NODE_PATH), and its output needs
# node without the experimental fetch (else "Failed to parse URL from ....wasm").
EMCC      := NODE_PATH=/usr/share/nodejs emcc
WNODE     := NODE_PATH=/usr/share/nodejs $(NODE) --no-experimental-fetch
WB        := $(B)/wasm
WPATCH    := $(PY) pyodide-patches/wpatch.py
WASM_SRC  := $(LIB_SRC) pool/src/prim/emscripten.c
# Links use -sWASM_BIGINT (i64 in signatures, as in Pyodide's 4.0.9 ABI) and
# -Wno-experimental (emcc calls "-pthread -sSIDE_MODULE" experimental; -Werror would stop).
WASM_CFLAGS := $(WFLAGS) -O2 -fPIC $(INC)
WASM_T_FLAGS := -pthread
WASM_S_FLAGS :=
WASM_HDR  := $(LIB_HDR) pool/src/events.h

# Only the SIMD kernels get -msimd128: clang auto-vectorises the rest of the engine badly.
$(WB)/t/pool/src/resize_simd_wasm.o $(WB)/s/pool/src/resize_simd_wasm.o: WASM_CFLAGS += -msimd128
$(WB)/t/%.o: %.c $(WASM_HDR)
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_CFLAGS) $(WASM_T_FLAGS) -c $< -o $@
$(WB)/s/%.o: %.c $(WASM_HDR)
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_CFLAGS) $(WASM_S_FLAGS) -c $< -o $@

# The import check runs on every link: a side module that imports something outside the
# ABI shared by emcc 3.1.6 and Pyodide 0.29 (time_t, timespec, setjmp...) is not produced.
WASM_CHECK := $(WNODE) tests/wasm/check_imports.mjs
$(WB)/libwarmpool.so: $(WASM_SRC:%.c=$(WB)/t/%.o) tests/wasm/check_imports.mjs tests/wasm/allowed_imports.txt
	$(EMCC) -O2 -pthread -sSIDE_MODULE=1 -sWASM_BIGINT -Wno-experimental -o $@.tmp $(filter %.o,$^)
	$(WASM_CHECK) $@.tmp && mv $@.tmp $@
$(WB)/libwarmpool-serial.so: $(WASM_SRC:%.c=$(WB)/s/%.o) tests/wasm/check_imports.mjs tests/wasm/allowed_imports.txt
	$(EMCC) -O2 -sSIDE_MODULE=1 -sWASM_BIGINT -o $@.tmp $(filter %.o,$^)
	$(WASM_CHECK) $@.tmp && mv $@.tmp $@

.PHONY: wasm wasm-libs
wasm-libs: $(WB)/libwarmpool.so $(WB)/libwarmpool-serial.so
wasm: wasm-libs $(WB)/host-patched/host.js
ALL_TARGETS += wasm

# --- The threaded test host: a Pyodide-like -pthread main module. It exports exactly what
# the side modules may import (the allow-list minus the linker's own names), keeps enough
# pre-started workers for the largest pool the tests make (7) plus submitter threads, and
# gives JS the pieces Pyodide uses: FS (MEMFS), loadDynamicLibrary, addFunction.
HOST_POOL := 12
HOST_EXPORTS := $(shell sed -e 's/\#.*//' tests/wasm/allowed_imports.txt | grep -vxE '\s*|memory|__indirect_function_table|__stack_pointer|__memory_base|__table_base')
comma := ,
HOST_LDFLAGS = -Wno-experimental -pthread -sMAIN_MODULE=2 -sMODULARIZE -sEXPORT_NAME=createHost -sWASM_BIGINT \
  -sPTHREAD_POOL_SIZE=$(HOST_POOL) -sALLOW_TABLE_GROWTH -sINITIAL_MEMORY=128MB -sEXIT_RUNTIME=0 \
  -sEXPORTED_FUNCTIONS=_main,_host_dlopen,_host_dlsym,_host_dlerror,$(subst $(space),$(comma),$(HOST_EXPORTS:%=_%)) \
  -sEXPORTED_RUNTIME_METHODS=FS,addFunction,loadDynamicLibrary,UTF8ToString,stringToUTF8,getWasmTableEntry
space := $(subst ,, )

# $(call wasm_host,DIR,OPT): the unpatched host built at OPT in $(WB)/DIR
define wasm_host
$(WB)/$(1)/host.js: tests/wasm/host.c tests/wasm/allowed_imports.txt mk/20-wasm.mk
	@mkdir -p $$(dir $$@)
	$(EMCC) $(2) $(WFLAGS) $(HOST_LDFLAGS) tests/wasm/host.c -o $$@
endef
$(eval $(call wasm_host,host,-O2))
$(eval $(call wasm_host,fixtures/O0,-O0))
$(eval $(call wasm_host,fixtures/O1,-O1))

# --- Test side modules: kernels (own globals and table entries, threads of its own), and
# the pool built without the sync-on-wake hook, to show what that hook is for.
$(WB)/test/libkernels.so: tests/wasm/kernels.c pool/include/warmpool.h tests/wasm/check_imports.mjs tests/wasm/allowed_imports.txt
	@mkdir -p $(dir $@)
	$(EMCC) $(WFLAGS) -Wno-experimental -O2 -fPIC -pthread -sSIDE_MODULE=1 -sWASM_BIGINT $(INC) $< -o $@.tmp
	$(WASM_CHECK) $@.tmp --allow tests/wasm/allowed_imports.txt --allow tests/wasm/allowed_imports_kernels.txt && mv $@.tmp $@
$(WB)/test/libwarmpool-nosync.so: $(WASM_SRC) $(WASM_HDR)
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_CFLAGS) $(WASM_T_FLAGS) -DWP_NO_SYNC_ON_WAKE -Wno-experimental -sSIDE_MODULE=1 -sWASM_BIGINT $(WASM_SRC) -o $@

# The patched host: same build, its JS run through the tool.
WPATCH_SRC := pyodide-patches/wpatch.py $(wildcard pyodide-patches/*_set.py) pyodide-patches/replay_runtime.js
$(WB)/host-patched/host.js: $(WB)/host/host.js $(WPATCH_SRC)
	@mkdir -p $(dir $@)
	cp $(WB)/host/host.wasm $(WB)/host/host.worker.js $(dir $@)
	$(WPATCH) --set emscripten $< -o $@

WASM_TEST_DEPS := $(WB)/libwarmpool.so $(WB)/libwarmpool-serial.so $(WB)/host/host.js \
  $(WB)/host-patched/host.js $(WB)/test/libkernels.so $(WB)/test/libwarmpool-nosync.so
.PHONY: wasm-test-deps
wasm-test-deps: $(WASM_TEST_DEPS)
$(WB)/test/libbad_time.so: tests/wasm/bad_time.c
	@mkdir -p $(dir $@)
	$(EMCC) $(WFLAGS) -O2 -fPIC -sSIDE_MODULE=1 -sWASM_BIGINT $< -o $@

# -O0/-O1 builds of the host: the anchors must match every optimisation level's text.
WASM_FIXTURES := $(WB)/fixtures/O0/host.js $(WB)/fixtures/O1/host.js
WASM_TEST_DEPS += $(WB)/test/libbad_time.so $(WASM_FIXTURES)

# --- Tests: node's test runner; each scenario runs in its own Node process with a timeout.
WASM_NODE_TESTS := tests/node/wpatch.test.mjs tests/node/imports.test.mjs \
  tests/node/patches.test.mjs tests/node/pool.test.mjs
.PHONY: test-wasm
test-wasm: $(WASM_TEST_DEPS)
	@echo "== Wasm: patch tool, import check, runtime patches, pool on Wasm threads (Node)"
	NODE_PATH=/usr/share/nodejs timeout 900 $(NODE) --no-experimental-fetch --test \
	  --test-timeout=180000 --test-reporter=spec $(WASM_NODE_TESTS)
TEST_TARGETS += test-wasm

# --- Bench: the same timing loop (bench/wasm_bench_core.c) natively and as a side module in
# the patched Node host, interleaved rounds, ratio Wasm/native.
$(WB)/test/libwbench.so: bench/wasm_bench_core.c bench/bench.h pool/include/warmpool.h
	@mkdir -p $(dir $@)
	$(EMCC) $(WFLAGS) -Wno-experimental -O2 -fPIC -pthread -sSIDE_MODULE=1 -sWASM_BIGINT $(INC) -Ibench $< -o $@.tmp
	$(WASM_CHECK) $@.tmp --allow tests/wasm/allowed_imports.txt --allow tests/wasm/allowed_imports_kernels.txt && mv $@.tmp $@
$(B)/bench/wasm_bench_native: bench/wasm_bench_core.c bench/bench.h $(B)/native/libwarmpool.a
	@mkdir -p $(dir $@)
	$(CC) $(WFLAGS) -O2 -pthread -D_GNU_SOURCE -DWB_MAIN $(INC) -Ibench $< $(B)/native/libwarmpool.a -lm -o $@
.PHONY: bench-wasm
bench-wasm: $(WB)/libwarmpool.so $(WB)/host-patched/host.js $(WB)/test/libwbench.so $(B)/bench/wasm_bench_native
	@echo "== Wasm pool (Node host, real Wasm threads) next to native, same code, interleaved rounds"
	NODE_PATH=/usr/share/nodejs timeout 300 $(NODE) --no-experimental-fetch bench/wasm_bench.mjs
BENCH_TARGETS += bench-wasm
