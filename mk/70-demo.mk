# `make demo`: the native C demo, then the same Python demo natively, in stock Pyodide
# (serial library) and in the threaded CPython-on-Wasm (real C threads on Wasm), then the
# web page driven headlessly (the interactive one: make web-serve).
$(B)/native/demo: demo/demo.c $(B)/native/libwarmpool.a
	$(CC) $(NATIVE_CFLAGS) -O2 -o $@ $^ -lm
.PHONY: demo-native demo-python demo-pyodide demo-wasm-python demo-web
demo-native: $(B)/native/demo
	@echo "== native C demo"
	$(B)/native/demo 1
demo-python: $(B)/native/libwarmpool.so
	@echo "== Python demo, native CPython"
	PYTHONPATH=python $(PY) demo/demo.py
demo-pyodide: $(WB)/libwarmpool-serial.so
	@echo "== Python demo, stock Pyodide in Node (no threads: serial library)"
	$(NODE) demo/pyodide_demo.mjs
demo-wasm-python: wasm-python $(WB)/libwarmpool.so
	@echo "== Python demo, threaded CPython on Wasm in Node (real C threads on Wasm)"
	PYTHONPATH=python $(NODE) --no-experimental-fetch pyodide-patches/wasm-python/run.mjs demo/demo.py
demo-web: bench-web
	@echo "== web demo: open it yourself with 'make web-serve', then http://127.0.0.1:8765/ (?mode=threaded)"
DEMO_TARGETS += demo-native demo-python demo-pyodide demo-wasm-python demo-web
