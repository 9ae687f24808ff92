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

.PHONY: all test bench demo demo-steps deps clean
all: $(ALL_TARGETS)
test: $(TEST_TARGETS)
	@echo "make test: every suite passed"
bench: $(BENCH_TARGETS)
# `make demo` installs first, then builds and runs in makes of their own: what deps
# installs (node_modules/) must exist before make reads the rules that use it. The builds
# run in parallel, the demos one at a time (each times itself), then the summary.
demo:
	bash tools/deps.sh
	rm -rf $(DEMO_OUT)
	$(MAKE) --no-print-directory $(DEMO_PREREQS)
	$(MAKE) --no-print-directory -j1 demo-steps
demo-steps: $(DEMO_TARGETS)
	$(PY) demo/summary.py --web $(DEMO_OUT)/web.log $(DEMO_SUMMARIES)
deps:
	bash tools/deps.sh
clean:
	rm -rf $(B) $(DIST)
