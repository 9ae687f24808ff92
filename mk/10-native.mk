# Native Linux builds of the library and the C test suite, plain and under sanitizers.
NATIVE_SRC := $(LIB_SRC) pool/src/prim/linux.c
TEST_SRC   := $(wildcard tests/c/test_*.c) tests/c/runner.c
BASE_CFLAGS := $(WFLAGS) -g -pthread -D_GNU_SOURCE $(INC)

# $(call native_variant,NAME,CC,FLAGS): objects, libwarmpool.a and the test binary in $(B)/NAME
define native_variant
$(B)/$(1)/obj/%.o: %.c $(LIB_HDR) | $(B)/$(1)/obj
	@mkdir -p $$(dir $$@)
	$(2) $(BASE_CFLAGS) $(3) -c $$< -o $$@
$(B)/$(1)/obj:
	@mkdir -p $$@
$(B)/$(1)/libwarmpool.a: $(NATIVE_SRC:%.c=$(B)/$(1)/obj/%.o)
	@rm -f $$@ && ar rcs $$@ $$^
# --wrap lets the tests make pthread_create fail on purpose.
$(B)/$(1)/test_pool: $(TEST_SRC:%.c=$(B)/$(1)/obj/%.o) $(B)/$(1)/libwarmpool.a
	$(2) $(BASE_CFLAGS) $(3) -Wl,--wrap=pthread_create -o $$@ $$^ -lm
endef

$(eval $(call native_variant,native,$(CC),-O2 -fPIC))
$(eval $(call native_variant,tsan,$(CLANG),-O1 -fsanitize=thread))
# (a comma inside $(call) arguments would split them: hence the variable)
ASAN_FLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
$(eval $(call native_variant,asan,$(CLANG),$(ASAN_FLAGS)))

$(B)/native/libwarmpool.so: $(NATIVE_SRC:%.c=$(B)/native/obj/%.o)
	$(CC) -shared -pthread -o $@ $^ -lm

.PHONY: native test-c test-c-tsan test-c-asan
native: $(B)/native/libwarmpool.so $(B)/native/libwarmpool.a
ALL_TARGETS += native

test-c: $(B)/native/test_pool
	@echo "== C tests (native, gcc -O2)"
	timeout 600 $<
test-c-tsan: $(B)/tsan/test_pool
	@echo "== C tests (ThreadSanitizer)"
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 timeout 900 $<
test-c-asan: $(B)/asan/test_pool
	@echo "== C tests (AddressSanitizer + UBSan)"
	ASAN_OPTIONS=detect_leaks=1 timeout 900 $<
TEST_TARGETS += test-c test-c-tsan test-c-asan
