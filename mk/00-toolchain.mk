# Compilers, flags and the one way to link a Wasm side module. Every other mk file uses
# these and restates none of them.
B      := build
CC     := gcc
CLANG  := clang
PY     := /usr/bin/python3
NODE   := node
WFLAGS := -std=c11 -Wall -Wextra -Werror
INC    := -Ipool/include -Ipool/src
# Where builds that outlive a clone are cached (the threaded CPython, a second Emscripten).
WARMPOOL_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/warmpool
export WARMPOOL_CACHE

# Native: glibc, pthreads.
NATIVE_CFLAGS := $(WFLAGS) -g -pthread -D_GNU_SOURCE $(INC)

# Debian's emcc 3.1.6: its optimiser needs Debian's acorn (NODE_PATH, for every recipe),
# and its output needs node without the experimental fetch (else "Failed to parse URL
# from ....wasm").
export NODE_PATH := /usr/share/nodejs
WNODE := $(NODE) --no-experimental-fetch
# EMSDK_VERSION picks the Emscripten of every Wasm build: 3.1.6 (Debian's emcc, into build/wasm)
# or 3.1.69 (mk/80-emsdk.mk's, built from Debian's sources, into build/wasm-3.1.69), so the
# same rules build with either: `make EMSDK_VERSION=3.1.69 test-pool-wasm`
# (not EMSDK: emsdk's emsdk_env.sh sets that to its directory). 3.1.69's output runs
# with or without WNODE's flag.
EMSDK_VERSION ?= 3.1.6
ifeq ($(EMSDK_VERSION),3.1.6)
EMCC := emcc
WB_SUFFIX :=
# 3.1.6 writes the pthread worker script beside the main JS (X.worker.js); 3.1.69 does
# not (the main JS is the worker script).
EM_WORKER_JS := host.worker.js
EM_LACKS :=
EM_TABLE_METHOD := getWasmTableEntry
WASM_POOL_HOST := host-patched
WASM_NOPOOL_HOST := host-nopool
else ifeq ($(EMSDK_VERSION),3.1.69)
# The wrapper's path, asked once per make run and only if a recipe needs it (a fresh
# machine builds the toolchain there, with its progress lines).
EMCC = $(eval EMCC := $$(EMCC_3169))$(EMCC)
WB_SUFFIX := -3.1.69
EM_WORKER_JS :=
# Allowed imports its runtime lacks: the sync hook became C code that dlopen runs itself
# (the pool's weak import then resolves to 0).
EM_LACKS := _emscripten_thread_sync_code
# getWasmTableEntry became internal (not exportable): JS reads the table itself.
EM_TABLE_METHOD := wasmTable
# The patch tool has no 3.1.69 shape yet (pyodide-patches/README.md): the pool's Wasm
# properties run in the stock host, on plain C dlopen.
WASM_POOL_HOST := host
WASM_NOPOOL_HOST :=
else
$(error EMSDK_VERSION=$(EMSDK_VERSION): 3.1.6 or 3.1.69)
endif
WB    := $(B)/wasm$(WB_SUFFIX)
# The Node tests and benchmarks find the build through this (pyodide-patches/host/host_api.mjs).
export WARMPOOL_WB := $(WB)
WASM_CFLAGS := $(WFLAGS) -O2 -fPIC $(INC)
# Side modules: -sWASM_BIGINT (i64 in signatures, as in Pyodide's ABI); -pthread ones
# only for threaded runtimes; -Wno-experimental because emcc calls "-pthread
# -sSIDE_MODULE" experimental and -Werror would stop there.
SIDE_FLAGS   := -O2 -sSIDE_MODULE=1 -sWASM_BIGINT
SIDE_T_FLAGS := $(SIDE_FLAGS) -pthread -Wno-experimental

# The import check: a side module importing anything outside the ABI that Debian's emcc
# 3.1.6 shares with Pyodide's (time_t, timespec, setjmp...) is not produced. 3.1.69's
# side modules may also import what its libc adds and every Pyodide runtime exports
# (allowed-3.1.69.txt says why).
IMPORTS_DIR   := pyodide-patches/imports
IMPORTS_ALLOW := $(IMPORTS_DIR)/allowed.txt $(if $(WB_SUFFIX),$(IMPORTS_DIR)/allowed$(WB_SUFFIX).txt)
IMPORTS_CHECK := $(IMPORTS_DIR)/check_imports.mjs $(IMPORTS_ALLOW)
# $(call side_module,FLAGS,INPUTS,[--allow FILE ...]): the recipe linking $@ from INPUTS
# (sources or objects) with FLAGS, then the import check; $@ appears only if it passes.
define side_module
@mkdir -p $(@D)
$(EMCC) $(1) -o $@.tmp $(2)
$(WNODE) $(IMPORTS_DIR)/check_imports.mjs $@.tmp $(if $(3)$(WB_SUFFIX),$(IMPORTS_ALLOW:%=--allow %) $(3)) && mv $@.tmp $@
endef
