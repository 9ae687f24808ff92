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
EMCC  := emcc
WNODE := $(NODE) --no-experimental-fetch
WB    := $(B)/wasm
WASM_CFLAGS := $(WFLAGS) -O2 -fPIC $(INC)
# Side modules: -sWASM_BIGINT (i64 in signatures, as in Pyodide's ABI); -pthread ones
# only for threaded runtimes; -Wno-experimental because emcc calls "-pthread
# -sSIDE_MODULE" experimental and -Werror would stop there.
SIDE_FLAGS   := -O2 -sSIDE_MODULE=1 -sWASM_BIGINT
SIDE_T_FLAGS := $(SIDE_FLAGS) -pthread -Wno-experimental

# The import check: a side module importing anything outside the ABI that Debian's emcc
# 3.1.6 shares with Pyodide's (time_t, timespec, setjmp...) is not produced.
IMPORTS_DIR   := pyodide-patches/imports
IMPORTS_CHECK := $(IMPORTS_DIR)/check_imports.mjs $(IMPORTS_DIR)/allowed.txt
# $(call side_module,FLAGS,INPUTS,[--allow FILE ...]): the recipe linking $@ from INPUTS
# (sources or objects) with FLAGS, then the import check; $@ appears only if it passes.
define side_module
@mkdir -p $(@D)
$(EMCC) $(1) -o $@.tmp $(2)
$(WNODE) $(IMPORTS_DIR)/check_imports.mjs $@.tmp $(if $(3),--allow $(IMPORTS_DIR)/allowed.txt $(3)) && mv $@.tmp $@
endef
