# Emscripten 3.1.69 from Debian trixie's source packages, next to bookworm's emcc 3.1.6
# (pyodide-patches/toolchain/). The script caches its build outside the repo, in
# ${WARMPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warmpool}; the first build takes
# 12-25 minutes on 2 busy cores, a cached run well under a second.
EMSDK_3169_SH := pyodide-patches/toolchain/emsdk-3.1.69.sh

# The 3.1.69 emcc (a wrapper that sets its own EM_CONFIG/EM_CACHE: no env needed). Lazy on
# purpose: the script runs only where a recipe uses it; such a target should depend on
# emsdk-3.1.69 so that a first build shows its progress there. Usage:
#   $(EMCC_3169) -O2 -pthread -sSIDE_MODULE=1 ... (EMSDK_3169_ENV: a file to source instead)
EMCC_3169 = $(or $(shell bash $(EMSDK_3169_SH) --emcc --quiet),$(error $(EMSDK_3169_SH) failed))
EMSDK_3169_ENV = $(or $(shell bash $(EMSDK_3169_SH) --print-env --quiet),$(error $(EMSDK_3169_SH) failed))

.PHONY: emsdk-3.1.69 test-emsdk-3.1.69-smoke
# Phony: the script's cache key (its sources and itself) decides whether to build.
emsdk-3.1.69:
	bash $(EMSDK_3169_SH)

# A -pthread side module starting a thread, dlopen'd by a -pthread MAIN_MODULE=2 program
# under node. Not in TEST_TARGETS yet (the first build is long).
test-emsdk-3.1.69-smoke: emsdk-3.1.69
	NODE=$(or $(NODE),node) bash pyodide-patches/toolchain/smoke/smoke.sh $(or $(B),build)/emsdk-3.1.69-smoke
