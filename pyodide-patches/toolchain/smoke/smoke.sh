#!/usr/bin/env bash
# Smoke test of Emscripten 3.1.69 (../emsdk-3.1.69.sh): a -pthread side module that starts
# a thread, dlopen'd by a -pthread -sMAIN_MODULE=2 program, run under node. Every wait has
# a timeout; exits non-zero on any failure.
#   smoke.sh [OUTDIR]     (default build/emsdk-3.1.69-smoke; NODE=... picks node)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-build/emsdk-3.1.69-smoke}
NODE=${NODE:-node}
RUN_TIMEOUT=${SMOKE_TIMEOUT:-60}
mkdir -p "$OUT"
fail() { echo "smoke-3.1.69: FAILED: $*" >&2; exit 1; }

# Builds the toolchain first if it is not cached (the first build takes ~15-25 min).
EMCC=$(timeout 3600 bash "$HERE/../emsdk-3.1.69.sh" --emcc --quiet) || fail "toolchain build"
ver=$(timeout 60 "$EMCC" --version) || fail "$EMCC --version"
case "${ver%%$'\n'*}" in *" 3.1.69"|*" 3.1.69 "*) ;; *) fail "$EMCC says: ${ver%%$'\n'*}" ;; esac

CFLAGS=(-std=c11 -Wall -Wextra -Werror -O2)
timeout 600 "$EMCC" "${CFLAGS[@]}" -fPIC -pthread -sSIDE_MODULE=1 -sWASM_BIGINT -Wno-experimental \
  "$HERE/side.c" -o "$OUT/side.so" || fail "side module link"
# MAIN_MODULE=2 drops what nobody asked for: export every function the side module imports
# (3.1.69: pthread_create, pthread_join, and for its TLS pthread_self and
# emscripten_builtin_memalign, which 3.1.6's side modules did not import).
imports=$(timeout 60 "$NODE" -e '
  const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
  console.log(WebAssembly.Module.imports(m)
    .filter((i) => i.module === "env" && i.kind === "function").map((i) => "_" + i.name).join(","));
' "$OUT/side.so") || fail "reading the side module's imports"
echo "smoke-3.1.69: the main module exports what the side module imports: $imports"
timeout 600 "$EMCC" "${CFLAGS[@]}" -pthread -sMAIN_MODULE=2 -sWASM_BIGINT -Wno-experimental \
  "-sEXPORTED_FUNCTIONS=_main${imports:+,$imports}" -sPTHREAD_POOL_SIZE=2 -sEXIT_RUNTIME=1 \
  --embed-file "$OUT/side.so@/side.so" "$HERE/main.c" -o "$OUT/main.js" || fail "main module link"

# 3.1.6's output needs --no-experimental-fetch under Node >= 18; 3.1.69's runs either way.
for flags in "" "--no-experimental-fetch"; do
  # shellcheck disable=SC2086
  out=$(cd "$OUT" && timeout "$RUN_TIMEOUT" "$NODE" $flags main.js 2>&1) ||
    fail "node $flags main.js (exit $?): $out"
  echo "$out" | grep -qx 'smoke: side_run(100)=338350 side_run(10)=385 runs=1,2 ok' ||
    fail "node $flags main.js printed: $out"
  echo "smoke-3.1.69: node ${flags:-(no flags)}: $out"
done
echo "smoke-3.1.69: 1 passed, 0 failed"
