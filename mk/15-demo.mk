# `make demo`: the native C demo, then the same Python demo natively, in stock Pyodide
# (serial library) and in the threaded CPython-on-Wasm runtime (real C threads on Wasm).
$(B)/native/demo: demo/demo.c $(B)/native/libwarmpool.a
	$(CC) $(WFLAGS) -O2 -g -pthread -D_GNU_SOURCE $(INC) -o $@ $^ -lm
.PHONY: demo-native demo-python demo-pyodide demo-wasm-python
demo-native: $(B)/native/demo
	@echo "== native C demo"
	$(B)/native/demo 1
demo-python: $(B)/native/libwarmpool.so
	@echo "== Python demo, native CPython"
	PYTHONPATH=python $(PY) demo/demo.py
demo-pyodide: $(B)/wasm/libwarmpool-serial.so
	@echo "== Python demo, stock Pyodide in Node (no threads: serial library)"
	$(NODE) demo/pyodide_demo.mjs
demo-wasm-python: wasm-python $(B)/wasm/libwarmpool.so
	@echo "== Python demo, threaded CPython on Wasm in Node (real C threads on Wasm)"
	PYTHONPATH=python $(NODE) --no-experimental-fetch tests/wasm-python/runner.mjs demo/demo.py
DEMO_TARGETS += demo-native demo-python demo-pyodide demo-wasm-python
