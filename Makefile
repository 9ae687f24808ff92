# warmpool: `make demo` (install, build, run the demo), `make test` (every test),
# `make bench` (timings side by side with peers). Each component adds its own rules in
# mk/*.mk and appends to the *_TARGETS lists below.
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
SHELL := /bin/bash

B       := build
CC      := gcc
CLANG   := clang
PY      := /usr/bin/python3
NODE    := node
WFLAGS  := -std=c11 -Wall -Wextra -Werror
INC     := -Ipool/include -Ipool/src
LIB_HDR := $(wildcard pool/include/*.h pool/src/*.h pool/src/prim/*.h)
# Every pool/src/*.c goes into every build of the library; the OS file is picked per build.
LIB_SRC := $(wildcard pool/src/*.c)

ALL_TARGETS   :=
TEST_TARGETS  :=
BENCH_TARGETS :=
DEMO_TARGETS  :=

include $(sort $(wildcard mk/*.mk))

.PHONY: all test bench demo deps clean
all: $(ALL_TARGETS)
test: $(TEST_TARGETS)
	@echo "make test: every suite passed"
bench: $(BENCH_TARGETS)
demo: deps $(DEMO_TARGETS)
deps:
	bash tools/deps.sh
clean:
	rm -rf $(B)
