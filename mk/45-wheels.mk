# Wheels (`make wheels`, into dist/): the Python package with one flavour of the C library
# inside it, each built offline by Debian's setuptools + wheel (python/setup.py) from a
# staging copy of python/. python/warmpool/_dist.py names them and their tags:
#   WHEEL_NATIVE   CPython on Linux x86-64 (manylinux), build/native/libwarmpool.so
#   WHEEL_PYODIDE  Pyodide 0.27 to 314, the serial side module
#   WHEEL_THREADED Wasm runtimes with threads (the threaded CPython), the -pthread side
#                  module, stored (that runtime has no zlib)
# Then their tests: each installed as its users install it, the package suite run against
# the installed copy with the checkout out of sys.path (tests/install/).
DIST := dist
WHEEL_NAMES    := $(shell $(PY) python/warmpool/_dist.py 2>/dev/null)
WHEEL_NATIVE   := $(DIST)/$(word 1,$(WHEEL_NAMES))
WHEEL_PYODIDE  := $(DIST)/$(word 2,$(WHEEL_NAMES))
WHEEL_THREADED := $(DIST)/$(word 3,$(WHEEL_NAMES))
WHEELS := $(WHEEL_NATIVE) $(WHEEL_PYODIDE) $(WHEEL_THREADED)
WHEEL_SRC := python/pyproject.toml python/setup.py $(wildcard python/warmpool/*.py)
WHB := $(B)/wheels

# $(call wheel,FLAVOUR,LIBRARY,WHEEL): the rule building WHEEL, the one named after FLAVOUR
# in _dist.py (pip names it from the tags setup.py gives; a mismatch fails the move).
define wheel
$(3): $(WHEEL_SRC) $(2) mk/45-wheels.mk
	@rm -rf $(WHB)/$(1) && mkdir -p $(WHB)/$(1)/warmpool $(DIST)
	cp python/pyproject.toml python/setup.py $(WHB)/$(1)/
	cp python/warmpool/*.py $(2) $(WHB)/$(1)/warmpool/
	cd $(WHB)/$(1) && WARMPOOL_FLAVOUR=$(1) PIP_DISABLE_PIP_VERSION_CHECK=1 $(PY) -m pip wheel -q \
	  --no-index --no-build-isolation --no-deps --no-cache-dir -w out .
	mv $(WHB)/$(1)/out/$$(notdir $$@) $$@
endef
# (Without $(PY), on a machine that make deps has not prepared yet, there are no names.)
ifeq ($(words $(WHEEL_NAMES)),3)
$(eval $(call wheel,native,$(B)/native/libwarmpool.so,$(WHEEL_NATIVE)))
$(eval $(call wheel,pyodide,$(WB)/libwarmpool-serial.so,$(WHEEL_PYODIDE)))
$(eval $(call wheel,threaded,$(WB)/libwarmpool.so,$(WHEEL_THREADED)))
else
WHEELS := $(DIST)/no-wheel-names
$(WHEELS):
	@echo "$(PY) python/warmpool/_dist.py did not name the wheels: run make deps" >&2; exit 1
endif

.PHONY: wheels test-wheels test-install-native test-install-pyodide test-install-wasm-python
wheels: $(WHEELS)
ALL_TARGETS += wheels

# Installed copies for the demo (the tests install their own).
VENV := $(B)/venv
$(VENV)/installed: $(WHEEL_NATIVE)
	rm -rf $(VENV)
	$(PY) -m venv --system-site-packages $(VENV)
	PIP_DISABLE_PIP_VERSION_CHECK=1 $(VENV)/bin/python -m pip install -q --no-index --no-deps $(WHEEL_NATIVE)
	touch $@
WPY_SITE := $(B)/wasm-python-site
$(WPY_SITE)/installed: $(WHEEL_THREADED) tools/install_wheel.py | wasm-python
	rm -rf $(WPY_SITE)
	$(WNODE) pyodide-patches/wasm-python/run.mjs tools/install_wheel.py --target $(WPY_SITE) $(WHEEL_THREADED)
	touch $@

WHEEL_ENV := WHEEL_NATIVE=$(abspath $(WHEEL_NATIVE)) WHEEL_PYODIDE=$(abspath $(WHEEL_PYODIDE)) \
             WHEEL_THREADED=$(abspath $(WHEEL_THREADED))
test-wheels: $(WHEELS)
	@echo "== wheels: contents, tags, compression"
	cd tests/install && $(WHEEL_ENV) timeout 120 $(PY) -m unittest -v test_wheels
# A fresh venv, pip install from dist/ only; WARMPOOL_LIB points at the checkout's library
# to show the installed copy wins.
IVENV := $(B)/install/venv
test-install-native: $(WHEELS) $(B)/native/libkernels.so $(B)/native/libwarmpool.so
	@echo "== installed wheel, native: pip install in a venv, the package suite on that copy"
	rm -rf $(IVENV)
	$(PY) -m venv --system-site-packages $(IVENV)
	PIP_DISABLE_PIP_VERSION_CHECK=1 $(IVENV)/bin/python -m pip install -q --no-index --no-deps $(WHEEL_NATIVE)
	cd tests/python && WARMPOOL_TEST_INSTALLED=1 WARMPOOL_LIB=$(CURDIR)/$(B)/native/libwarmpool.so \
	  timeout 600 $(CURDIR)/$(IVENV)/bin/python -m unittest -v
	cd tests/install && WARMPOOL_TEST_INSTALLED=1 WARMPOOL_LIB=$(CURDIR)/$(B)/native/libwarmpool.so \
	  $(WHEEL_ENV) timeout 300 $(CURDIR)/$(IVENV)/bin/python -m unittest -v test_installed test_native
test-install-pyodide: $(WHEELS) $(PYW)/libkernels-serial.so
	@echo "== installed wheel, Pyodide $(or $(PYODIDE_VERSIONS),$(PYODIDE_VERSIONS_ALL)): loadPackage(URL) and a lock-file entry"
	$(WHEEL_ENV) PYODIDE_VERSIONS="$(PYODIDE_VERSIONS)" timeout 2400 $(NODE) --test --test-concurrency=1 tests/install/pyodide.test.mjs
test-install-wasm-python: wasm-python $(WHEELS) $(PYW)/libkernels.so $(WB)/libwarmpool.so
	@echo "== installed wheel, threaded CPython on Wasm: unpacked by that runtime, the package suite on it"
	$(WHEEL_ENV) timeout 1200 $(NODE) --test --test-concurrency=1 tests/install/wasm_python.test.mjs
TEST_TARGETS += test-wheels test-install-native test-install-pyodide test-install-wasm-python
