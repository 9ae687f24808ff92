# The web demo (web/): Python in a Web Worker calling the pool through ctypes.CDLL, served
# cross-origin isolated from 127.0.0.1, tested in headless Chromium (tests/web/).
# Everything the page loads is copied into $(B)/web/ (served at /build/): stock Pyodide
# from node_modules (no CDN), our side modules, the Python package as a zip.
WEBB        := $(B)/web
WEB_PYODIDE := pyodide.js pyodide.asm.js pyodide.asm.wasm python_stdlib.zip pyodide-lock.json package.json
WEB_PY_DIR  ?= python
WEB_PY_SRC   = $(wildcard $(WEB_PY_DIR)/warmpool/*.py)
WEB_FILES   := $(wildcard web/*.html web/*.js web/*.mjs web/*.py)

$(WEBB)/pyodide/%: node_modules/pyodide/%
	@mkdir -p $(dir $@)
	cp $< $@
$(WEBB)/wasm/%.so: $(B)/wasm/%.so
	@mkdir -p $(dir $@)
	cp $< $@
# The package travels as one zip that the worker unpacks into Pyodide's FS.
$(WEBB)/warmpool-py.zip: $(WEB_PY_SRC)
	@mkdir -p $(dir $@)
	rm -f $@ && cd $(WEB_PY_DIR) && $(PY) -m zipfile -c $(abspath $@) warmpool

# The demo's picture: raw BGRA bytes (a 32-bit pygame surface), also the test's reference input.
$(WEBB)/scene.bgra: web/make_scene.py
	@mkdir -p $(dir $@)
	$(PY) $< $@.tmp 1280 960 && mv $@.tmp $@

WEB_BUILD := $(WEB_PYODIDE:%=$(WEBB)/pyodide/%) $(WEBB)/wasm/libwarmpool-serial.so \
             $(WEBB)/warmpool-py.zip $(WEBB)/scene.bgra

.PHONY: web web-serve test-web test-web-server test-web-browser
web: $(WEB_BUILD)
ALL_TARGETS += web
# Serves until interrupted: http://127.0.0.1:8765/ (WEB_PORT=... to change).
web-serve: web
	$(NODE) web/server.mjs --port $(or $(WEB_PORT),8765)
test-web-server:
	@echo "== web: dev server"
	timeout 120 $(NODE) --test tests/web/server.test.mjs
test-web-browser: web
	@echo "== web: headless Chromium"
	timeout 600 $(NODE) --test --test-concurrency=1 tests/web/page.test.mjs
test-web: test-web-server test-web-browser
TEST_TARGETS += test-web
