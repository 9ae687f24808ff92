# `make demo`: the native C demo, then the same Python demo with the package installed from
# its wheel as each runtime's users install it: pip in a venv natively, loadPackage in stock
# Pyodide (the newest supported, serial library), unpacked by the threaded CPython-on-Wasm
# itself (real C threads on Wasm); then the web page driven headlessly (the interactive
# one: make web-serve). Each demo writes one JSON line into $(DEMO_OUT) for the closing
# summary (demo/summary.py).
DEMO_OUT := $(B)/demo
DEMO_PYODIDE ?= 314
$(B)/native/demo: demo/demo.c $(B)/native/libwarmpool.a
	$(CC) $(NATIVE_CFLAGS) -O2 -o $@ $^ -lm
.PHONY: demo-native demo-python demo-pyodide demo-wasm-python demo-web test-demo-pyodide
demo-native: $(B)/native/demo
	@echo "== native C demo"
	@mkdir -p $(DEMO_OUT)
	$(B)/native/demo 1 $(DEMO_OUT)/1-native.json
demo-python: $(VENV)/installed
	@echo "== Python demo, native CPython (the native wheel, pip-installed in $(VENV))"
	@mkdir -p $(DEMO_OUT)
	cd demo && WARMPOOL_DEMO_SUMMARY=$(CURDIR)/$(DEMO_OUT)/2-python.json $(CURDIR)/$(VENV)/bin/python demo.py
demo-pyodide: $(WHEEL_PYODIDE)
	@echo "== Python demo, stock Pyodide $(DEMO_PYODIDE) in Node (the Pyodide wheel by loadPackage; no threads: serial library)"
	timeout 180 $(NODE) demo/pyodide_demo.mjs --version $(DEMO_PYODIDE) --summary $(DEMO_OUT)/3-pyodide.json $(WHEEL_PYODIDE)
demo-wasm-python: $(WPY_SITE)/installed
	@echo "== Python demo, threaded CPython on Wasm in Node (the threaded wheel; real C threads on Wasm)"
	@mkdir -p $(DEMO_OUT)
	WARMPOOL_DEMO_SUMMARY=$(CURDIR)/$(DEMO_OUT)/4-wasm-python.json PYTHONPATH=$(CURDIR)/$(WPY_SITE) \
	  $(WNODE) pyodide-patches/wasm-python/run.mjs demo/demo.py
demo-web: web web-threaded
	@mkdir -p $(DEMO_OUT)
	set -o pipefail; $(MAKE) --no-print-directory bench-web 2>&1 | tee $(DEMO_OUT)/web.log
DEMO_TARGETS += demo-native demo-python demo-pyodide demo-wasm-python demo-web
# What the demos need built: make demo builds these first (in parallel), then runs the
# demos one at a time, since each times itself.
DEMO_PREREQS := $(B)/native/demo $(VENV)/installed $(WHEEL_PYODIDE) $(WPY_SITE)/installed web web-threaded
DEMO_SUMMARIES := $(DEMO_OUT)/1-native.json $(DEMO_OUT)/2-python.json $(DEMO_OUT)/3-pyodide.json \
                  $(DEMO_OUT)/4-wasm-python.json

# The Pyodide demo on every supported version (the package suite runs on each in
# test-py-pyodide and test-install-pyodide).
test-demo-pyodide: $(WHEEL_PYODIDE)
	@echo "== Python demo in stock Pyodide $(or $(PYODIDE_VERSIONS),$(PYODIDE_VERSIONS_ALL)), the wheel by loadPackage"
	@rm -rf $(B)/demo-test && mkdir -p $(B)/demo-test
	set -e; for v in $(or $(PYODIDE_VERSIONS),$(PYODIDE_VERSIONS_ALL)); do \
	  timeout 180 $(NODE) demo/pyodide_demo.mjs --version $$v --summary $(B)/demo-test/pyodide-$$v.json $(WHEEL_PYODIDE); done
	$(PY) demo/summary.py --title "the Pyodide demo on each version" $(foreach v,$(or $(PYODIDE_VERSIONS),$(PYODIDE_VERSIONS_ALL)),$(B)/demo-test/pyodide-$(v).json)
TEST_TARGETS += test-demo-pyodide
