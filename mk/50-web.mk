# The web page (web/): Python in a module Web Worker calling the pool through ctypes.CDLL,
# served cross-origin isolated from 127.0.0.1, tested in headless Chromium and Firefox
# (tests/web/). Everything the page loads is copied into $(B)/web/ (served at /build/):
# every supported stock Pyodide from node_modules (no CDN), our side modules, the Python
# package, and manifest.json, which tells the page what is there.
WEBB := $(B)/web
WEB_PY_DIR ?= python
WEB_PY_SRC  = $(wildcard $(WEB_PY_DIR)/warmpool/*.py)

# Supported Pyodide versions: the key the page takes (?pyodide=KEY), the npm package
# (aliases side by side in package.json) and its Emscripten glue file. The last is the
# page's default.
WEB_PYODIDES := 0.27 0.29 314
WEB_PYODIDE_NPM_0.27 := pyodide-0.27
WEB_PYODIDE_NPM_0.29 := pyodide
WEB_PYODIDE_NPM_314  := pyodide-314
WEB_PYODIDE_ASM_314  := pyodide.asm.mjs
WEB_PYODIDE_FILES = pyodide.mjs $(or $(WEB_PYODIDE_ASM_$(1)),pyodide.asm.js) pyodide.asm.wasm \
                    python_stdlib.zip pyodide-lock.json package.json
define web_pyodide
$(WEBB)/pyodide-$(1)/%: node_modules/$(WEB_PYODIDE_NPM_$(1))/%
	@mkdir -p $$(dir $$@)
	cp $$< $$@
WEB_PYODIDE_BUILD += $(addprefix $(WEBB)/pyodide-$(1)/,$(call WEB_PYODIDE_FILES,$(1)))
endef
$(foreach v,$(WEB_PYODIDES),$(eval $(call web_pyodide,$(v))))

# Override to try the page with another build of the library.
WEB_SERIAL_SO ?= $(WB)/libwarmpool-serial.so
$(WEBB)/wasm/libwarmpool-serial.so: $(WEB_SERIAL_SO)
	@mkdir -p $(dir $@)
	cp $< $@
# The package, as a stored zip (the threaded CPython has no zlib). With WHEEL_PYODIDE /
# WHEEL_THREADED set (paths of the wheels `make wheels` builds), the page installs those
# instead: Pyodide through pyodide.loadPackage(url), the threaded CPython by unzipping.
$(WEBB)/warmpool-py.zip: $(WEB_PY_SRC) web/tools/zip_stored.py
	@mkdir -p $(dir $@)
	$(PY) web/tools/zip_stored.py $@ $(WEB_PY_DIR) warmpool
WEB_PKG_PYODIDE  := $(if $(WHEEL_PYODIDE),wheel=wheels/$(notdir $(WHEEL_PYODIDE)),zip=warmpool-py.zip)
WEB_PKG_THREADED := $(if $(WHEEL_THREADED),wheel=wheels/$(notdir $(WHEEL_THREADED)),zip=warmpool-py.zip)
WEB_PKG_FILES := $(WEBB)/warmpool-py.zip $(foreach w,$(WHEEL_PYODIDE) $(WHEEL_THREADED),$(WEBB)/wheels/$(notdir $(w)))
$(foreach w,$(sort $(WHEEL_PYODIDE) $(WHEEL_THREADED)),$(eval $(WEBB)/wheels/$(notdir $(w)): $(w) ; @mkdir -p $$(dir $$@) && cp $$< $$@))

# The demo's picture: raw BGRA bytes (a 32-bit pygame surface), also the test's reference input.
$(WEBB)/scene.bgra: web/tools/make_scene.py
	@mkdir -p $(dir $@)
	$(PY) $< $@.tmp 1280 960 && mv $@.tmp $@
# What the page finds in build/web/: Pyodide versions, which package to install and how.
# Rewritten when the choice of package changes.
WEB_MANIFEST_ARGS = --default $(lastword $(WEB_PYODIDES)) $(foreach v,$(WEB_PYODIDES),--pyodide $(v)=pyodide-$(v)/) \
  --package pyodide=$(WEB_PKG_PYODIDE) --package threaded=$(WEB_PKG_THREADED)
$(WEBB)/manifest.json: web/tools/manifest.py $(WEB_PYODIDE_BUILD) $(WEB_PKG_FILES) FORCE
	$(PY) web/tools/manifest.py $(WEBB) $@ $(WEB_MANIFEST_ARGS)
WEB_BUILD := $(WEB_PYODIDE_BUILD) $(WEBB)/wasm/libwarmpool-serial.so $(WEB_PKG_FILES) \
             $(WEBB)/scene.bgra $(WEBB)/manifest.json

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

.PHONY: web web-threaded web-serve test-web test-web-server test-web-demo test-web-browser FORCE
FORCE:
web: $(WEB_BUILD)
web-threaded: web $(WEB_THREADED)
ALL_TARGETS += web
# Serves until interrupted: http://127.0.0.1:8765/ (WEB_PORT=... to change).
web-serve: web web-threaded
	$(NODE) web/server.mjs --port $(or $(WEB_PORT),8765)
test-web-server:
	@echo "== web: dev server"
	timeout 120 $(NODE) --test tests/web/server.test.mjs
# One test file, run once per engine (WEB_ENGINE) over every Pyodide in the manifest.
WEB_ENGINES ?= chromium firefox
test-web-browser: web web-threaded $(B)/native/libwarmpool.so
	@set -e; for e in $(WEB_ENGINES); do \
	  echo "== web: headless $$e (every Pyodide, threaded mode, service worker)"; \
	  WEB_ENGINE=$$e timeout 1200 $(NODE) --test --test-concurrency=1 tests/web/page.test.mjs; done
# The page's Python side natively: its timeline adds up to the pool's counters.
test-web-demo: $(WEBB)/scene.bgra $(B)/native/libwarmpool.so
	@echo "== web: demo.py natively (timeline vs pool counters)"
	timeout 120 $(PY) -m unittest tests/web/test_demo.py
test-web: test-web-server test-web-demo test-web-browser
TEST_TARGETS += test-web
