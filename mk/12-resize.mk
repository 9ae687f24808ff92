# The resize engine (pool/src/resize/): stride-aware area/bilinear kernels for any
# layout, run on the pool. Depends on the pool; its vector loops are prim/resize_avx2.c
# (x86-64, chosen at run time) and prim/resize_simd128.c (Wasm), picked here.
RESIZE_SRC        := $(sort $(wildcard pool/src/resize/*.c))
RESIZE_X86_64     := pool/src/prim/resize_avx2.c
RESIZE_EMSCRIPTEN := pool/src/prim/resize_simd128.c
RESIZE_TESTS_C    := tests/resize/test_resize.c
RESIZE_PY_ENV := WARMPOOL_LIB=$(abspath $(B)/native/libwarmpool.so) SDL_VIDEODRIVER=dummy \
	PYGAME_HIDE_SUPPORT_PROMPT=1

.PHONY: test-resize-c test-resize-py bench-resize
test-resize-c: $(B)/native/test_c
	@echo "== resize: C tests (native, gcc -O2)"
	timeout 600 $< resize.
# Against references, cv2 and pygame (Debian's python3-opencv, python3-pygame).
test-resize-py: $(B)/native/libwarmpool.so
	@echo "== resize: Python tests (native $(PY))"
	cd tests/python && $(RESIZE_PY_ENV) timeout 600 $(PY) -m unittest -v test_resize
TEST_TARGETS += test-resize-c test-resize-py

bench-resize: $(B)/native/libwarmpool.so $(WB)/libwarmpool-serial.so
	@echo "== resize: every pygame layout, 3 sizes, ours vs cv2 at 1 and 2 threads, side by side"
	$(RESIZE_PY_ENV) timeout 900 $(PY) bench/resize_bench.py
	@echo "== resize: the same layouts in the Wasm build (serial, Pyodide in Node)"
	timeout 900 $(WNODE) bench/resize_wasm_bench.mjs
BENCH_TARGETS += bench-resize
