# The web demo (web/): Python in a Web Worker calling the pool through ctypes.CDLL, served
# cross-origin isolated from 127.0.0.1, tested in headless Chromium (tests/web/).
# Everything the page loads is copied into $(B)/web/ (served at /build/): stock Pyodide
# from node_modules (no CDN), our side modules, the Python package as a zip.
WEBB        := $(B)/web
WEB_PYODIDE := pyodide.js pyodide.asm.js pyodide.asm.wasm python_stdlib.zip pyodide-lock.json package.json
WEB_PY_DIR  ?= python
WEB_PY_SRC   = $(wildcard $(WEB_PY_DIR)/warmpool/*.py)

$(WEBB)/pyodide/%: node_modules/pyodide/%
	@mkdir -p $(dir $@)
	cp $< $@
# Override to try the page with another build of the library.
WEB_SERIAL_SO ?= $(B)/wasm/libwarmpool-serial.so
$(WEBB)/wasm/libwarmpool-serial.so: $(WEB_SERIAL_SO)
	@mkdir -p $(dir $@)
	cp $< $@
# The package travels as one zip that the worker unpacks into Pyodide's FS.
$(WEBB)/warmpool-py.zip: $(WEB_PY_SRC) web/tools/zip_stored.py
	@mkdir -p $(dir $@)
	$(PY) web/tools/zip_stored.py $@ $(WEB_PY_DIR) warmpool

# The demo's picture: raw BGRA bytes (a 32-bit pygame surface), also the test's reference input.
$(WEBB)/scene.bgra: web/tools/make_scene.py
	@mkdir -p $(dir $@)
	$(PY) $< $@.tmp 1280 960 && mv $@.tmp $@

WEB_BUILD := $(WEB_PYODIDE:%=$(WEBB)/pyodide/%) $(WEBB)/wasm/libwarmpool-serial.so \
             $(WEBB)/warmpool-py.zip $(WEBB)/scene.bgra

# Threaded mode: the threaded CPython-on-Wasm (mk for tools/wasm-python), browser glue, and
# the -pthread side module.
WEB_PYTHON_DIR ?= $(B)/wasm-python/python
WEB_THREADED_SO ?= $(B)/wasm/libwarmpool.so
# wasm-python (mk/60-wasm-python.mk) is phony and checks its own cache; whatever it did,
# the glue is adapted again (a second or two).
ifeq ($(WEB_PYTHON_DIR),$(B)/wasm-python/python)
$(WEB_PYTHON_DIR)/python.js: wasm-python ;
endif
$(WEBB)/threaded/python.js: $(WEB_PYTHON_DIR)/python.js web/tools/threaded_runtime.py
	$(PY) web/tools/threaded_runtime.py $(WEB_PYTHON_DIR) $(WEBB)/threaded
$(WEBB)/wasm/libwarmpool.so: $(WEB_THREADED_SO)
	@mkdir -p $(dir $@)
	cp $< $@
WEB_THREADED := $(WEBB)/threaded/python.js $(WEBB)/wasm/libwarmpool.so

.PHONY: web web-threaded web-serve test-web test-web-server test-web-tools test-web-browser
web: $(WEB_BUILD)
web-threaded: web $(WEB_THREADED)
ALL_TARGETS += web
# Serves until interrupted: http://127.0.0.1:8765/ (WEB_PORT=... to change).
web-serve: web web-threaded
	$(NODE) web/server.mjs --port $(or $(WEB_PORT),8765)
test-web-server:
	@echo "== web: dev server"
	timeout 120 $(NODE) --test tests/web/server.test.mjs
test-web-tools:
	@echo "== web: browser adaptation of the threaded CPython glue"
	timeout 120 $(PY) -m unittest tests/web/test_threaded_runtime.py
test-web-browser: web web-threaded $(B)/native/libwarmpool.so
	@echo "== web: headless Chromium (serial and threaded modes)"
	timeout 900 $(NODE) --test --test-concurrency=1 tests/web/page.test.mjs
test-web: test-web-server test-web-tools test-web-browser
TEST_TARGETS += test-web

.PHONY: bench-web
bench-web: web web-threaded
	@echo "== web demo: per-frame resize in headless Chromium, serial vs pooled, both runtimes"
	timeout 600 $(NODE) tests/web/bench_web.mjs
BENCH_TARGETS += bench-web

# `make demo`: the web demo driven headlessly (the interactive one: make web-serve).
.PHONY: demo-web
demo-web: bench-web
	@echo "== web demo: open it yourself with 'make web-serve', then http://127.0.0.1:8765/ (?mode=threaded)"
DEMO_TARGETS += demo-web
