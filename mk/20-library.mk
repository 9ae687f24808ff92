# The library: every component's sources plus the platform files of each build.
# Natively (gcc, and clang under ThreadSanitizer and ASan+UBSan), instrumented for the
# tracer's golden tests, and as Emscripten side modules (threaded and serial).
LIB_HDR := $(wildcard pool/include/*.h pool/src/*/*.h)
LIB_SRC := $(POOL_SRC) $(TRACE_SRC) $(RESIZE_SRC)
LIB_LINUX_SRC := $(LIB_SRC) $(POOL_LINUX) $(TRACE_LINUX) $(RESIZE_X86_64)
LIB_EMSCRIPTEN_SRC := $(LIB_SRC) $(POOL_EMSCRIPTEN) $(TRACE_EMSCRIPTEN) $(RESIZE_EMSCRIPTEN)
LIB_LINUX_FLAGS := -DWP_RESIZE_AVX2
LIB_EMSCRIPTEN_FLAGS := -DWP_RESIZE_SIMD128
TESTS_C := $(POOL_TESTS_C) $(TRACE_TESTS_C) $(RESIZE_TESTS_C) tests/harness/runner.c

# $(call native_variant,NAME,CC,FLAGS): objects, libwarmpool.a and the C test binary
# (every component's tests) in $(B)/NAME
define native_variant
$(B)/$(1)/obj/%.o: %.c $(LIB_HDR)
	@mkdir -p $$(dir $$@)
	$(2) $(NATIVE_CFLAGS) $(LIB_LINUX_FLAGS) -Itests $(3) -c $$< -o $$@
$(B)/$(1)/libwarmpool.a: $(LIB_LINUX_SRC:%.c=$(B)/$(1)/obj/%.o)
	@rm -f $$@ && ar rcs $$@ $$^
# --wrap lets the tests make pthread_create fail on purpose.
$(B)/$(1)/test_c: $(TESTS_C:%.c=$(B)/$(1)/obj/%.o) $(B)/$(1)/libwarmpool.a
	$(2) $(NATIVE_CFLAGS) $(3) -Wl,--wrap=pthread_create -o $$@ $$^ -lm
endef
$(eval $(call native_variant,native,$(CC),-O2 -fPIC))
$(eval $(call native_variant,tsan,$(CLANG),-O1 -fsanitize=thread))
# (a comma inside $(call) arguments would split them: hence the variable)
ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(eval $(call native_variant,asan,$(CLANG),$(ASAN_FLAGS)))

$(B)/native/libwarmpool.so: $(LIB_LINUX_SRC:%.c=$(B)/native/obj/%.o)
	$(CC) -shared -pthread -o $@ $^ -lm
# test_trace.c's dlclose test loads the .so that sits next to the test binary.
$(B)/native/test_c: | $(B)/native/libwarmpool.so

# For the tracer's golden tests: gcc -finstrument-functions over the whole library (the
# tracer's own functions stay out through WARMPOOL_TRACE_NOINSTR, which this proves), and
# clang's -finstrument-functions-after-inlining for the golden program.
$(TB)/gcc/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(TRACE_CFLAGS) $(LIB_LINUX_FLAGS) -finstrument-functions -c $< -o $@
$(TB)/clang/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CLANG) $(TRACE_CFLAGS) $(LIB_LINUX_FLAGS) -finstrument-functions-after-inlining -c $< -o $@
$(TB)/libwarmpool-instr.a: $(LIB_LINUX_SRC:%.c=$(TB)/gcc/%.o)
	@rm -f $@ && ar rcs $@ $^
$(TB)/libwarmpool-instr.so: $(LIB_LINUX_SRC:%.c=$(TB)/gcc/%.o)
	$(CC) -shared -pthread -o $@ $^ -lm

.PHONY: native test-c-tsan test-c-asan
native: $(B)/native/libwarmpool.so $(B)/native/libwarmpool.a
ALL_TARGETS += native
test-c-tsan: $(B)/tsan/test_c
	@echo "== C tests, every component (ThreadSanitizer)"
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 timeout 900 $<
test-c-asan: $(B)/asan/test_c
	@echo "== C tests, every component (AddressSanitizer + UBSan)"
	ASAN_OPTIONS=detect_leaks=1 timeout 900 $<
TEST_TARGETS += test-c-tsan test-c-asan

# --- Wasm: t/ objects for the -pthread side module, s/ for the serial one.
# Only the SIMD kernels get -msimd128: clang auto-vectorises the rest of the engine badly.
$(RESIZE_EMSCRIPTEN:%.c=$(WB)/t/%.o) $(RESIZE_EMSCRIPTEN:%.c=$(WB)/s/%.o): WASM_CFLAGS += -msimd128
$(WB)/t/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_CFLAGS) $(LIB_EMSCRIPTEN_FLAGS) -pthread -c $< -o $@
$(WB)/s/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(EMCC) $(WASM_CFLAGS) $(LIB_EMSCRIPTEN_FLAGS) -c $< -o $@
$(WB)/libwarmpool.so: $(LIB_EMSCRIPTEN_SRC:%.c=$(WB)/t/%.o) $(IMPORTS_CHECK)
	$(call side_module,$(SIDE_T_FLAGS),$(filter %.o,$^))
$(WB)/libwarmpool-serial.so: $(LIB_EMSCRIPTEN_SRC:%.c=$(WB)/s/%.o) $(IMPORTS_CHECK)
	$(call side_module,$(SIDE_FLAGS),$(filter %.o,$^))
# The pool without the sync-on-wake hook, to show what that hook is for.
$(WB)/test/libwarmpool-nosync.so: $(LIB_EMSCRIPTEN_SRC) $(LIB_HDR) $(IMPORTS_CHECK)
	$(call side_module,$(WASM_CFLAGS) $(LIB_EMSCRIPTEN_FLAGS) $(SIDE_T_FLAGS) -msimd128 -DWP_NO_SYNC_ON_WAKE,$(LIB_EMSCRIPTEN_SRC))
# ... and without the sliced sleep, to show what that is for on runtimes whose dlopen waits
# for every thread.
$(WB)/test/libwarmpool-noslice.so: $(LIB_EMSCRIPTEN_SRC) $(LIB_HDR) $(IMPORTS_CHECK)
	$(call side_module,$(WASM_CFLAGS) $(LIB_EMSCRIPTEN_FLAGS) $(SIDE_T_FLAGS) -msimd128 -DWP_NO_DLSYNC_SLICES,$(LIB_EMSCRIPTEN_SRC))

.PHONY: wasm-libs
wasm-libs: $(WB)/libwarmpool.so $(WB)/libwarmpool-serial.so
ALL_TARGETS += wasm-libs

# The structs Python and JS mirror, as C lays them out natively and on wasm32: the
# mirrors must match (tests/layout/).
$(B)/native/layout: tests/layout/layout.c $(LIB_HDR)
	$(CC) $(WFLAGS) $(INC) -o $@ $<
$(WB)/test/layout.js: tests/layout/layout.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(EMCC) $(WFLAGS) $(INC) -O1 -sENVIRONMENT=node -o $@ $<
.PHONY: test-layout
test-layout: $(B)/native/layout $(WB)/test/layout.js
	@echo "== layout: the Python and JS mirrors of C structs"
	LAYOUT_BIN=$(B)/native/layout timeout 120 $(PY) -m unittest -v tests/layout/test_layout.py
	timeout 120 $(NODE) --test tests/layout/layout.test.mjs
TEST_TARGETS += test-layout
