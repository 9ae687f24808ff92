# Resize kernels (issue 7): Python tests against references, cv2 and pygame
# (make test-resize-py), and the pygame story benchmark (make bench-resize).
RESIZE_PY_ENV := WARMPOOL_LIB=$(abspath $(B)/native/libwarmpool.so) SDL_VIDEODRIVER=dummy \
	PYGAME_HIDE_SUPPORT_PROMPT=1

.PHONY: test-resize-py bench-resize
test-resize-py: $(B)/native/libwarmpool.so
	@echo "== resize: Python tests (native $(PY))"
	cd python/tests && $(RESIZE_PY_ENV) timeout 600 $(PY) -m unittest -v test_resize
TEST_TARGETS += test-resize-py

bench-resize: $(B)/native/libwarmpool.so
	@echo "== resize: pygame surface 1920x1080 -> 960x540, 100 calls each, side by side"
	$(RESIZE_PY_ENV) timeout 600 $(PY) bench/resize_bench.py
BENCH_TARGETS += bench-resize
