# The native demo (make demo runs it after the build).
$(B)/native/demo: demo/demo.c $(B)/native/libwarmpool.a
	$(CC) $(WFLAGS) -O2 -g -pthread -D_GNU_SOURCE $(INC) -o $@ $^ -lm
.PHONY: demo-native
demo-native: $(B)/native/demo
	@echo "== native demo"
	$(B)/native/demo 1
DEMO_TARGETS += demo-native
