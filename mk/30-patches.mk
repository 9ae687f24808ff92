# pyodide-patches/: everything we do to Emscripten's output and toolchain. The patch tool
# and its sets, the Pyodide-like test host, the import allow-list, the threaded
# CPython-on-Wasm build, and its browser adaptation; their tests (tests/patches/).
WPATCH     := $(PY) pyodide-patches/wpatch.py
WPATCH_SRC := pyodide-patches/wpatch.py $(wildcard pyodide-patches/*_set.py) pyodide-patches/replay_runtime.js

# --- The threaded test host: a Pyodide-like -pthread main module. It exports exactly what
# side modules may import (the allow-lists minus the linker's own names and what the
# toolchain lacks), keeps enough pre-started workers for the largest pool the tests make (7) plus submitter threads, and
# gives JS the pieces Pyodide uses: FS (MEMFS), loadDynamicLibrary, addFunction.
HOST_POOL := 12
HOST_EXPORTS := $(filter-out $(EM_LACKS),$(shell sed -e 's/\#.*//' $(IMPORTS_ALLOW) | grep -vxE '\s*|memory|__indirect_function_table|__stack_pointer|__memory_base|__table_base'))
comma := ,
space := $(subst ,, )
HOST_LDFLAGS = -Wno-experimental -pthread -sMAIN_MODULE=2 -sMODULARIZE -sEXPORT_NAME=createHost -sWASM_BIGINT \
  -sPTHREAD_POOL_SIZE=$(HOST_POOL) -sALLOW_TABLE_GROWTH -sINITIAL_MEMORY=128MB -sEXIT_RUNTIME=0 \
  -sEXPORTED_FUNCTIONS=_main,_host_dlopen,_host_dlsym,_host_dlerror,$(subst $(space),$(comma),$(HOST_EXPORTS:%=_%)) \
  -sEXPORTED_RUNTIME_METHODS=FS,addFunction,loadDynamicLibrary,UTF8ToString,stringToUTF8,$(EM_TABLE_METHOD)
# $(call wasm_host,DIR,OPT): the unpatched host built at OPT in $(WB)/DIR
define wasm_host
$(WB)/$(1)/host.js: pyodide-patches/host/host.c $(IMPORTS_ALLOW) mk/30-patches.mk
	@mkdir -p $$(dir $$@)
	$$(EMCC) $(2) $(WFLAGS) $(HOST_LDFLAGS) pyodide-patches/host/host.c -o $$@
endef
$(eval $(call wasm_host,host,-O2))
# -O0/-O1 builds: the anchors must match every optimisation level's text.
$(eval $(call wasm_host,fixtures/O0,-O0))
$(eval $(call wasm_host,fixtures/O1,-O1))
# The patched host: same build, its JS run through the tool (3.1.69's output takes the
# em3.1.58 shape's patches).
$(WB)/host-patched/host.js: $(WB)/host/host.js $(WPATCH_SRC)
	@mkdir -p $(dir $@)
	cp $(WB)/host/host.wasm $(EM_WORKER_JS:%=$(WB)/host/%) $(dir $@)
	$(WPATCH) --set emscripten $< -o $@

# The patched host without pre-started workers (no PTHREAD_POOL_SIZE): each pthread's Web
# Worker is made at pthread_create and starts only after the JS event loop turns, as in a
# runtime that pre-starts none. For the pool's "destroy before the workers start" tests.
$(WB)/host-nopool/raw/host.js: pyodide-patches/host/host.c $(IMPORTS_DIR)/allowed.txt mk/30-patches.mk
	@mkdir -p $(@D)
	$(EMCC) -O2 $(WFLAGS) $(filter-out -sPTHREAD_POOL_SIZE=%,$(HOST_LDFLAGS)) pyodide-patches/host/host.c -o $@
$(WB)/host-nopool/host.js: $(WB)/host-nopool/raw/host.js $(WPATCH_SRC)
	@mkdir -p $(@D)
	cp $(WB)/host-nopool/raw/host.wasm $(WB)/host-nopool/raw/host.worker.js $(@D)
	$(WPATCH) --set emscripten $< -o $@

# The host with only the zero-library-memory patch: plain C dlopen needs none of the
# others, but 3.1.6 hands a library loaded at run time dirty heap memory.
$(WB)/host-zeroed/host.js: $(WB)/host/host.js $(WPATCH_SRC)
	@mkdir -p $(dir $@)
	cp $(WB)/host/host.wasm $(EM_WORKER_JS:%=$(WB)/host/%) $(dir $@)
	$(WPATCH) --set emscripten --only zero-library-memory $< -o $@

# --- Test side modules: kernels with globals and table entries of their own that start
# threads of their own; one that imports time(), which the check must refuse.
$(WB)/test/libkernels.so: tests/patches/kernels.c pool/include/warmpool.h $(IMPORTS_CHECK) tests/patches/allowed_kernels.txt
	$(call side_module,$(WASM_CFLAGS) $(SIDE_T_FLAGS),$<,--allow tests/patches/allowed_kernels.txt)
$(WB)/test/libbad_time.so: tests/patches/bad_time.c
	@mkdir -p $(@D)
	$(EMCC) $(WASM_CFLAGS) $(SIDE_FLAGS) $< -o $@

# --- Ordinary pthread + dylink programs (tests/patches/programs/), stock: the patched
# copies are made by the tests. static_data at -O0 and -O2, its library linked at build
# time (MAIN_MODULE=1 and =2) or named in Module.dynamicLibraries (found with dlsym), and
# as an ES module (-sEXPORT_ES6); memfs_sync, whose library exists only in MEMFS.
PROG     := $(WB)/programs
PROG_SRC := tests/patches/programs
PROG_LD  := $(WFLAGS) -Wno-experimental -pthread -sEXIT_RUNTIME=1
# $(call program,DIR,OPT,FLAGS,OUT,LINK_SIDE): static_data built into $(PROG)/DIR/OUT with
# its side module beside it (linked in when LINK_SIDE is "link"; names stay relative).
define program
$(PROG)/$(1)/libside_data.so: $(PROG_SRC)/side_data.c mk/30-patches.mk
	@mkdir -p $$(@D)
	$$(EMCC) $(2) $(WFLAGS) -fPIC -pthread -Wno-experimental -sSIDE_MODULE=1 $$< -o $$@
$(PROG)/$(1)/$(4): $(PROG_SRC)/static_data.c $(PROG)/$(1)/libside_data.so $(PROG_SRC)/dynlibs_pre.js
	cd $$(@D) && $$(EMCC) $(2) $(PROG_LD) $(3) $(abspath $$<) $(if $(5),libside_data.so) -o $(4)
PROG_ALL += $(PROG)/$(1)/$(4)
endef
$(eval $(call program,mm1-O0,-O0,-sMAIN_MODULE=1,static_data.js,link))
$(eval $(call program,mm1-O2,-O2,-sMAIN_MODULE=1,static_data.js,link))
$(eval $(call program,mm2-O0,-O0,-sMAIN_MODULE=2,static_data.js,link))
$(eval $(call program,mm2-O2,-O2,-sMAIN_MODULE=2,static_data.js,link))
$(eval $(call program,dynlibs-O0,-O0,-sMAIN_MODULE=2 -DBY_DLSYM --pre-js $(abspath $(PROG_SRC)/dynlibs_pre.js),static_data.js,))
$(eval $(call program,dynlibs-O2,-O2,-sMAIN_MODULE=2 -DBY_DLSYM --pre-js $(abspath $(PROG_SRC)/dynlibs_pre.js),static_data.js,))
$(eval $(call program,es6-O2,-O2,-sMAIN_MODULE=2 -sMODULARIZE -sEXPORT_ES6,static_data.mjs,link))
$(PROG)/memfs/libside_answer.so: $(PROG_SRC)/side_answer.c
	@mkdir -p $(@D)
	$(EMCC) -O2 $(WFLAGS) -fPIC -pthread -Wno-experimental -sSIDE_MODULE=1 $< -o $@
# (a runtime that lacks the sync hook, EM_LACKS, syncs threads inside dlopen itself)
$(PROG)/memfs/memfs_sync.js: $(PROG_SRC)/memfs_sync.c $(PROG_SRC)/memfs_pre.js $(PROG)/memfs/libside_answer.so
	$(EMCC) -O2 $(PROG_LD) $(if $(filter _emscripten_thread_sync_code,$(EM_LACKS)),,-DWP_HAS_SYNC_HOOK) \
	  -sMAIN_MODULE=2 -sPTHREAD_POOL_SIZE=1 --pre-js $(PROG_SRC)/memfs_pre.js $< -o $@
PROG_ALL += $(PROG)/memfs/memfs_sync.js
# Linked for Node's file system, as the threaded CPython is (browser/threaded_runtime.py
# adapts such glue to a browser; tests/patches/noderawfs.test.mjs runs it in one).
$(PROG)/noderawfs/noderawfs.js: $(PROG_SRC)/noderawfs.c
	@mkdir -p $(@D)
	$(EMCC) -O2 $(PROG_LD) -sNODERAWFS -sPTHREAD_POOL_SIZE=1 $< -o $@

# Pyodide's pyodide.asm.js with the Pyodide patch set, as a copy (node_modules is never
# written). The npm build has no threads, so only the `pyodide` set applies to it.
PYODIDE_ASM := node_modules/pyodide/pyodide.asm.js
$(B)/pyodide-patched/pyodide.asm.js: $(PYODIDE_ASM) $(WPATCH_SRC)
	@mkdir -p $(@D)
	$(WPATCH) --set pyodide $< -o $@
.PHONY: wasm pyodide-patched
pyodide-patched: $(B)/pyodide-patched/pyodide.asm.js
wasm: wasm-libs $(WB)/host-patched/host.js
ALL_TARGETS += wasm

# --- The threaded CPython on Wasm: CPython 3.11 + libffi's wasm32 backend from Debian
# source packages, built by pyodide-patches/wasm-python/build.sh with the EMSDK_VERSION
# toolchain (Debian's emcc 3.1.6 into build/wasm-python, 3.1.69 into
# build/wasm-3.1.69/wasm-python), cached in $(WARMPOOL_CACHE)/wasm-python (key: its inputs).
# The Node side (pyodide-patches/wasm-python/run.mjs) finds the runtime, the side modules
# and the kernels of the same toolchain from WARMPOOL_WB.
WPY := $(if $(WB_SUFFIX),$(WB)/wasm-python,$(B)/wasm-python)
.PHONY: wasm-python
# Phony on purpose: the script decides from its cache key whether anything is stale.
wasm-python: $(if $(WB_SUFFIX),emsdk-$(EMSDK_VERSION))
	WASM_PYTHON_EMSDK=$(EMSDK_VERSION) nice -n 5 pyodide-patches/wasm-python/build.sh $(WPY)/python
$(WPY)/libprobe.so: tests/patches/probe.c
	@mkdir -p $(@D)
	$(EMCC) $(WASM_CFLAGS) $(SIDE_T_FLAGS) -o $@ $<

# --- Tests: node's test runner; each scenario runs in its own process with a timeout.
PATCH_TEST_DEPS := $(WB)/libwarmpool.so $(WB)/libwarmpool-serial.so $(WB)/host/host.js \
  $(WB)/host-patched/host.js $(WB)/host-zeroed/host.js $(WB)/test/libkernels.so $(WB)/test/libwarmpool-nosync.so \
  $(WB)/test/libbad_time.so $(WB)/fixtures/O0/host.js $(WB)/fixtures/O1/host.js $(PROG_ALL)
.PHONY: test-patches-emscripten test-patches-pyodide test-patches-wasm-python test-patches-browser
test-patches-emscripten: $(PATCH_TEST_DEPS)
	@echo "== patches: the tool, the import check, each runtime patch (Node host)"
	timeout 900 $(WNODE) --test --test-timeout=180000 --test-reporter=spec \
	  tests/patches/wpatch.test.mjs tests/patches/imports.test.mjs tests/patches/emscripten.test.mjs \
	  tests/patches/programs.test.mjs
test-patches-pyodide: $(B)/wasm/libwarmpool-serial.so $(B)/py-wasm/libkernels-serial.so
	@echo "== patches: the Pyodide set on npm's Pyodide"
	timeout 900 $(NODE) --test --test-concurrency=1 tests/patches/pyodide.test.mjs
test-patches-wasm-python: wasm-python $(WPY)/libprobe.so $(WB)/libwarmpool.so
	@echo "== patches: the threaded CPython on Wasm (emcc $(EMSDK_VERSION)), its traps and limits"
	timeout 900 $(NODE) --test --test-concurrency=1 tests/patches/wasm_python.test.mjs
test-patches-browser: $(PROG)/noderawfs/noderawfs.js
	@echo "== patches: browser adaptation of the threaded CPython glue (a NODERAWFS program in Chromium)"
	timeout 120 $(PY) -m unittest tests/patches/test_threaded_runtime.py
	timeout 300 $(NODE) --test --test-timeout=120000 --test-reporter=spec tests/patches/noderawfs.test.mjs
TEST_TARGETS += test-patches-emscripten test-patches-pyodide test-patches-wasm-python test-patches-browser
