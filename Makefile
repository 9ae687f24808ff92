# warmpool: `make demo` (install, build, run the demo), `make test` (every test),
# `make bench` (timings side by side with peers). mk/00-toolchain.mk holds the compilers
# and flags; then one file per component, in the order they build on each other. Each
# appends to the *_TARGETS lists below.
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
SHELL := /bin/bash

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
