# The web page (web/): Python in a Web Worker calling the pool through ctypes.CDLL,
# served cross-origin isolated from 127.0.0.1, tested in headless Chromium (tests/web/).
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
WEB_SERIAL_SO ?= $(WB)/libwarmpool-serial.so
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

# Threaded mode: the threaded CPython-on-Wasm adapted for the browser, and the -pthread
# side module.
WEB_PYTHON_DIR ?= $(WPY)/python
WEB_THREADED_SO ?= $(WB)/libwarmpool.so
# wasm-python is phony and checks its own cache; whatever it did, the glue is adapted
# again (a second or two).
ifeq ($(WEB_PYTHON_DIR),$(WPY)/python)
$(WEB_PYTHON_DIR)/python.js: wasm-python ;
endif
$(WEBB)/threaded/python.js: $(WEB_PYTHON_DIR)/python.js pyodide-patches/browser/threaded_runtime.py
	$(PY) pyodide-patches/browser/threaded_runtime.py $(WEB_PYTHON_DIR) $(WEBB)/threaded
$(WEBB)/wasm/libwarmpool.so: $(WEB_THREADED_SO)
	@mkdir -p $(dir $@)
	cp $< $@
WEB_THREADED := $(WEBB)/threaded/python.js $(WEBB)/wasm/libwarmpool.so

.PHONY: web web-threaded web-serve test-web test-web-server test-web-browser
web: $(WEB_BUILD)
web-threaded: web $(WEB_THREADED)
ALL_TARGETS += web
# Serves until interrupted: http://127.0.0.1:8765/ (WEB_PORT=... to change).
web-serve: web web-threaded
	$(NODE) web/server.mjs --port $(or $(WEB_PORT),8765)
test-web-server:
	@echo "== web: dev server"
	timeout 120 $(NODE) --test tests/web/server.test.mjs
test-web-browser: web web-threaded $(B)/native/libwarmpool.so
	@echo "== web: headless Chromium (serial and threaded modes)"
	timeout 900 $(NODE) --test --test-concurrency=1 tests/web/page.test.mjs
test-web: test-web-server test-web-browser
TEST_TARGETS += test-web
