#!/usr/bin/env bash
# Builds a threaded CPython 3.11 (or 3.13) for Node (wasm32-emscripten, pthreads, dlopen, static
# _ctypes on libffi's wasm32 backend) from Debian source packages, with either Emscripten:
#
#   pyodide-patches/wasm-python/build.sh [OUT_DIR]      (default: build/wasm-python/python)
#   WASM_PYTHON_EMSDK=3.1.69 pyodide-patches/wasm-python/build.sh OUT_DIR
#   WASM_PYTHON_EMSDK=3.1.69 WASM_PYTHON_VERSION=3.13 pyodide-patches/wasm-python/build.sh OUT_DIR
#   pyodide-patches/wasm-python/build.sh --print-key   (the cache key of those settings; builds nothing)
#
# WASM_PYTHON_EMSDK: 3.1.6 (default: Debian's emcc on PATH) or 3.1.69 (built from Debian's
# sources by pyodide-patches/toolchain/emsdk-3.1.69.sh, which this runs; cached too).
# WASM_PYTHON_VERSION: 3.11 (default: bookworm's python3.11 source) or 3.13 (trixie's
# python3.13 source, Pyodide 0.29's Python; 3.1.69 only; its build Python, a native 3.13,
# is built from the same source first and cached beside the runtimes).
# Each workaround below is applied only with the toolchain that needs it (WP_* below).
#
# The result is cached outside the clone, in $WARMPOOL_CACHE/wasm-python/<key>/
# (default ~/.cache/warmpool), key = hash of this directory's files (comment-only lines
# aside), the two source package versions and `emcc --version`; a second run only copies it to OUT_DIR (or does
# nothing when OUT_DIR already holds it). The first build's time is in the README.
# OUT_DIR gets python.js, python.wasm, lib/python3.X/ and, from 3.1.6, python.worker.js
# (3.1.69 runs python.js itself in its Workers).
# Every workaround below names the trap it avoids (the table: pyodide-patches/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/pyodide-patches/wasm-python
PRINT_KEY=
if [ "${1:-}" = --print-key ]; then PRINT_KEY=1; shift; fi
OUT=${1:-$ROOT/build/wasm-python/python}
# WASM_PYTHON_CACHE: this cache alone elsewhere (WARMPOOL_CACHE moves the toolchain's too).
CACHE=${WASM_PYTHON_CACHE:-${WARMPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warmpool}/wasm-python}
JOBS=${WASM_PYTHON_JOBS:-2}
T0=$SECONDS
step() { printf '[wasm-python %4ds] %s\n' $((SECONDS - T0)) "$*"; }
quiet() { # run a noisy step, keep its log, show the tail only when it fails
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then tail -40 "$log"; echo "wasm-python: failed, full log: $log" >&2; exit 1; fi
}

# Trap: emcc's JS optimiser (any -O2, or memory growth with pthreads) needs Debian's acorn.
export NODE_PATH=/usr/share/nodejs
# Which workarounds each toolchain needs (pyodide-patches/README.md's trap table has a
# column per toolchain, tests/patches/wasm_python.test.mjs the test of each cell):
#   WP_EMJS       EMCC_READ_METADATA=python + wp_emjs.h/emjs.py (EM_JS as a JS library)
#   WP_WASMFIX    wasmfix.py's start-function swap, hence the -O1 link
#   WP_NO_CNS     configure without clock_nanosleep (config.site)
#   WP_PRE_JS     wp_pre.js: the host's PYTHON*/WARMPOOL* environment
#   WP_ZERO_MEM   wpatch.py's zero-library-memory on the installed python.js
EMSDK_VER=${WASM_PYTHON_EMSDK:-3.1.6}
case $EMSDK_VER in
  3.1.6)
    command -v emcc >/dev/null || { echo "wasm-python: no emcc on PATH (apt-get install emscripten)" >&2; exit 1; }
    WP_EMJS=1 WP_WASMFIX=1 WP_NO_CNS=1 WP_PRE_JS=1 WP_ZERO_MEM=1 ;;
  3.1.69)
    # Its env file puts its emcc/emar/emconfigure/emmake first on PATH (and builds it once).
    EMSDK_ENV=$(bash "$ROOT/pyodide-patches/toolchain/emsdk-3.1.69.sh" --print-env --quiet)
    # shellcheck disable=SC1090
    . "$EMSDK_ENV"
    WP_EMJS=0 WP_WASMFIX=0 WP_NO_CNS=0 WP_PRE_JS=1 WP_ZERO_MEM=0 ;;
  *) echo "wasm-python: WASM_PYTHON_EMSDK=$EMSDK_VER: 3.1.6 or 3.1.69" >&2; exit 2 ;;
esac
# Trap: emcc 3.1.6's wasm-emscripten-finalize asserts on `-pthread -sMAIN_MODULE
# -sWASM_BIGINT`; emcc's own Python metadata reader links it. It does not see EM_JS
# bodies, hence wp_emjs.h + emjs.py (JS-library imports instead of EM_JS).
[ "$WP_EMJS" = 1 ] && export EMCC_READ_METADATA=python
EMCC_VERSION=$(emcc --version | sed -n 1p)  # sed, not head: no broken pipe under pipefail

# --- 1. sources: apt-get source only --------------------------------------------------
PY_VER=${WASM_PYTHON_VERSION:-3.11}
case $PY_VER/$EMSDK_VER in
  3.11/*) PY_SRCPKG=python3.11/bookworm PY_CONFIGURE_EXTRA= ;;
  # Without mimalloc: the allocator stays pymalloc, as in the 3.11 runtime (one difference
  # less between the two).
  3.13/3.1.69) PY_SRCPKG=python3.13/trixie PY_CONFIGURE_EXTRA=--without-mimalloc ;;
  *) echo "wasm-python: WASM_PYTHON_VERSION=$PY_VER with emcc $EMSDK_VER: 3.11, or 3.13 with 3.1.69" >&2; exit 2 ;;
esac
FFI_SRCPKG=libffi/trixie     # 3.4.8: the first Debian libffi with src/wasm32
SRC_LIST=/etc/apt/sources.list.d/warmpool-src.sources
ensure_deb_src() {
  if apt-get source --print-uris "$PY_SRCPKG" "$FFI_SRCPKG" >/dev/null 2>&1; then return; fi
  step "adding deb-src for bookworm and trixie ($SRC_LIST) and running apt-get update"
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  # deb-src only: no binary package from trixie can be installed through this.
  printf '%s\n' '# warmpool pyodide-patches/wasm-python: source packages only' 'Types: deb-src' \
    'URIs: http://deb.debian.org/debian' 'Suites: bookworm trixie' 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | $sudo tee "$SRC_LIST" >/dev/null
  $sudo apt-get update -q >/dev/null
}
ensure_deb_src
# --print-uris prints "'URI' NAME SIZE HASH": take NAME of the .dsc (not URL-encoded).
dsc_of() { apt-get source --print-uris "$1" 2>/dev/null | awk '$2 ~ /\.dsc$/ {print $2}'; }
PY_DSC=$(dsc_of "$PY_SRCPKG"); FFI_DSC=$(dsc_of "$FFI_SRCPKG")
[ -n "$PY_DSC" ] && [ -n "$FFI_DSC" ] || { echo "wasm-python: apt-get source cannot find $PY_SRCPKG / $FFI_SRCPKG" >&2; exit 1; }

# The key ignores comment-only and blank lines: editing a comment costs no rebuild. (In the
# C header '#' starts code, so only its // and /* */ lines are dropped.)
key_text() {
  sed -E '/^[[:space:]]*#/d; /^[[:space:]]*$/d' "$HERE"/*.sh "$HERE"/*.py "$HERE"/config.site
  sed -E '/^[[:space:]]*(\/\/|\/\*|\*)/d; /^[[:space:]]*$/d' "$HERE"/*.js "$HERE"/*.h
}
KEY=$( { key_text; echo "$PY_DSC $FFI_DSC $EMCC_VERSION"; } | sha256sum | cut -c1-16)
[ -z "$PRINT_KEY" ] || { echo "$KEY"; exit 0; }
DONE=$CACHE/$KEY
mkdir -p "$CACHE"
# OUT already holds this whole cached build: done, without waiting for the lock below,
# which another build (another toolchain's or Python's key) may hold for minutes.
if [ -f "$DONE/stamp" ] && cmp -s "$DONE/stamp" "$OUT/stamp"; then
  touch "$DONE/stamp"
  step "ready: $OUT (key $KEY, cached)"
  exit 0
fi
# One build at a time per checkout (make test and a developer's make may overlap): a
# second run waits here and then finds the cache filled.
exec 9>"$CACHE/.lock"
flock -n 9 || { step "another wasm-python build is running; waiting for it"; flock 9; }
install_out() {
  # Copy only when OUT holds another build, and swap it in whole: tests may be running.
  if ! cmp -s "$DONE/stamp" "$OUT/stamp"; then
    mkdir -p "$(dirname "$OUT")"
    rm -rf "$OUT.new" "$OUT.old"
    cp -a "$DONE/python" "$OUT.new" && cp "$DONE/stamp" "$OUT.new/stamp"
    # Trap: 3.1.6 gives a side module loaded after start-up malloc'd memory for its data
    # and bss and never clears it (a -pthread side module's bss is not cleared by its own
    # init either). The patch tool's zero-library-memory fixes it, on the copy: the cache
    # keeps the runtime as linked, so a change to the tool needs no rebuild.
    if [ "$WP_ZERO_MEM" = 1 ]; then
      /usr/bin/python3 "$ROOT/pyodide-patches/wpatch.py" --set emscripten --only zero-library-memory \
        "$OUT.new/python.js" >/dev/null
    fi
    [ -e "$OUT" ] && mv "$OUT" "$OUT.old"
    mv "$OUT.new" "$OUT"
    rm -rf "$OUT.old"
  fi
  step "ready: $OUT (key $KEY)"
}
if [ -f "$DONE/stamp" ]; then
  touch "$DONE/stamp"
  step "cached build $KEY ($PY_DSC, $FFI_DSC, $EMCC_VERSION)"
  install_out; exit 0
fi
step "building $KEY: $PY_DSC + $FFI_DSC with $EMCC_VERSION, -j$JOBS"

SRC=$CACHE/src
mkdir -p "$SRC"
fetch() { # $1 package spec, $2 dsc name, $3 unpacked dir
  if [ ! -d "$SRC/$3" ]; then
    step "apt-get source $1"
    # Upstream sources only: Debian's own patches target Debian's native build. Unpacked
    # under a temporary name so an interrupted run never leaves a half tree behind.
    (cd "$SRC" && rm -rf "$3.tmp" && quiet "$SRC/$3.fetch.log" apt-get source --download-only "$1" &&
      quiet "$SRC/$3.unpack.log" dpkg-source -x --skip-patches "$2" "$3.tmp" && mv "$3.tmp" "$3")
  fi
}
PY_DIR=python$PY_VER-$(echo "$PY_DSC" | sed -E 's/^python3\.[0-9]+_([^-]*)-.*/\1/')
FFI_DIR=libffi-$(echo "$FFI_DSC" | sed -E 's/^libffi_([^-]*)-.*/\1/')
fetch "$PY_SRCPKG" "$PY_DSC" "$PY_DIR"
fetch "$FFI_SRCPKG" "$FFI_DSC" "$FFI_DIR"
PYSRC=$SRC/$PY_DIR FFISRC=$SRC/$FFI_DIR

# The build Python must be the same minor version (bytecode, freezing). 3.11 is Debian's
# /usr/bin/python3.11; bookworm has no 3.13, so one is built natively from the same source
# (a plain gcc build; the modules it lacks the dev packages for are not needed to build).
if [ "$PY_VER" = 3.11 ]; then
  BUILD_PY=/usr/bin/python3.11
else
  BPY=$CACHE/build-python-$PY_DIR
  BUILD_PY=$BPY/python
  if [ ! -f "$BPY/stamp" ]; then
    step "build Python: native $PY_DIR (configure + make -j$JOBS)"
    rm -rf "$BPY"; mkdir -p "$BPY"
    (cd "$BPY" && quiet "$BPY/configure.log" "$PYSRC/configure" --without-ensurepip --disable-test-modules &&
      quiet "$BPY/make.log" make -j"$JOBS" all)
    "$BUILD_PY" -c 'import sys; assert sys.version_info[:2] == tuple(map(int, sys.argv[1].split(".")))' "$PY_VER"
  fi
  touch "$BPY/stamp"  # in use: the clean-up below keeps it
fi

W=$CACHE/work-$KEY
rm -rf "$W"; mkdir -p "$W"
# Every object that ends up in a -pthread MAIN_MODULE must be PIC and built with -pthread
# (atomics + shared memory), and gets wp_emjs.h (see emjs.py).
WCFLAGS="-O2 -fPIC -pthread"
EMJS_INC=; [ "$WP_EMJS" = 1 ] && EMJS_INC="-include $HERE/wp_emjs.h"

# --- 2. libffi ---------------------------------------------------------------------
# Debian's libffi source ships no generated configure (and autotools are not installed),
# and the wasm32 port needs only seven C files: compile them directly. ffi.h comes from
# ffi.h.in with the values configure would substitute for wasm32 (long double is a
# distinct 16-byte type there; no trampoline tables); fficonfig.h is ours (below).
FFI=$W/ffi
step "libffi: headers"
mkdir -p "$FFI/include" "$FFI/lib" "$W/libffi"
FFI_VER=${FFI_DIR#libffi-}
sed -e "s/@VERSION@/$FFI_VER/" -e 's/@TARGET@/WASM32_EMSCRIPTEN/' \
    -e 's/@HAVE_LONG_DOUBLE@/1/' -e 's/@FFI_EXEC_TRAMPOLINE_TABLE@/0/' \
    "$FFISRC/include/ffi.h.in" >"$FFI/include/ffi.h"
cp "$FFISRC/src/wasm32/ffitarget.h" "$FFI/include/"
cp "$HERE/fficonfig.h" "$W/libffi/"
FFI_CFLAGS="$WCFLAGS -I$W/libffi -I$FFI/include -I$FFISRC/include -I$FFISRC/src/wasm32"
if [ "$WP_EMJS" = 1 ]; then
  step "libffi: EM_JS -> JS library"
  emcc -E $FFI_CFLAGS "$FFISRC/src/wasm32/ffi.c" -o "$W/libffi/ffi_wasm32.i"
  "$HERE/emjs.py" "$W/libffi_emjs.js" "$W/libffi/ffi_wasm32.i"
fi
step "libffi: compile"
objs=()
for f in prep_cif types raw_api java_raw_api closures tramp wasm32/ffi; do
  o=$W/libffi/${f//\//_}.o
  emcc $FFI_CFLAGS $EMJS_INC -Wno-deprecated-declarations -c "$FFISRC/src/$f.c" -o "$o" &
  objs+=("$o")
  (( ${#objs[@]} % JOBS )) || wait
done
wait
emar rcs "$FFI/lib/libffi.a" "${objs[@]}"


# --- 3. CPython ---------------------------------------------------------------------
PYB=$W/cpython
mkdir -p "$PYB" && cd "$PYB"
step "cpython: configure (the longest step: every check runs emcc)"
# _ctypes is not a configure-managed module in 3.11 (setup.py built it); Emscripten has
# no shared extensions, so it is linked statically from Setup.local with our libffi.
# (makesetup reads any line with '=' as a variable: the -D flags carry no value.)
# The CJK codecs are the biggest modules nobody here needs: not built.
cat >Modules.Setup.local <<SETUP
*disabled*
_multibytecodec _codecs_cn _codecs_hk _codecs_iso2022 _codecs_jp _codecs_kr _codecs_tw
*static*
_ctypes _ctypes/_ctypes.c _ctypes/callbacks.c _ctypes/callproc.c _ctypes/stgdict.c _ctypes/cfield.c -I$FFI/include -DHAVE_FFI_PREP_CIF_VAR -DHAVE_FFI_PREP_CLOSURE_LOC -DHAVE_FFI_CLOSURE_ALLOC $FFI/lib/libffi.a
SETUP
mkdir -p Modules && mv Modules.Setup.local Modules/Setup.local
printf '. %s\n. %s\n' "$PYSRC/Tools/wasm/config.site-wasm32-emscripten" "$HERE/config.site" >config.site
# Trap: Emscripten ports (-sUSE_ZLIB, -sUSE_BZIP2, -sUSE_SQLITE3, configure's default on
# Emscripten) are downloaded at first use: give plain -l flags so no port is ever asked for
# (those modules are disabled in config.site anyway).
# The build Python: see above (same minor version as the sources).
quiet configure.log env CONFIG_SITE="$PYB/config.site" WP_NO_CNS="$WP_NO_CNS" \
  ZLIB_CFLAGS=-DWP_NO_PORT ZLIB_LIBS=-lz BZIP2_CFLAGS=-DWP_NO_PORT BZIP2_LIBS=-lbz2 \
  LIBSQLITE3_CFLAGS=-DWP_NO_PORT LIBSQLITE3_LIBS=-lsqlite3 \
  CFLAGS="-O2 $EMJS_INC" \
  emconfigure "$PYSRC/configure" --host=wasm32-unknown-emscripten \
  --build="$("$PYSRC/config.guess")" --with-emscripten-target=node \
  --enable-wasm-dynamic-linking --enable-wasm-pthreads \
  --with-build-python="$BUILD_PY" --without-ensurepip --disable-test-modules $PY_CONFIGURE_EXTRA \
  --disable-ipv6
# Trap: LLVM 14's wasm-ld applies data relocations before global relocations in a
# shared-memory PIC link, so static pointers to exported symbols come out wrong.
# wasmfix.py swaps the two calls in the start function; that needs the start function
# as wasm-ld wrote it, which binaryen's -O2 would inline away: link at -O1.
if [ "$WP_WASMFIX" = 1 ]; then
  sed -i -e 's/ -O2 -g0/ -O1 -g0/' Makefile.pre Makefile  # Makefile.pre: if makesetup reruns
  grep -q -- ' -O1 -g0' Makefile || { echo "wasm-python: LINKFORSHARED -O2 -g0 not found in Makefile" >&2; exit 1; }
fi
# Fixed 256 MiB instead of memory growth: with pthreads, growth makes every JS heap access
# check for a grown buffer, and libffi's ffi_call_js (every ctypes call) is JS.
EXTRA_LD="-sALLOW_MEMORY_GROWTH=0 -sINITIAL_MEMORY=268435456 --profiling-funcs"
if [ "$WP_EMJS" = 1 ]; then
  # Our JS library: the EM_JS bodies (libffi's and CPython's).
  step "cpython: EM_JS -> JS library"
  PYINC="-I. -I$PYSRC/Include -I$PYSRC/Include/internal -IInclude -DPy_BUILD_CORE $WCFLAGS"
  emjs_i=()
  for f in $(cd "$PYSRC" && grep -l 'EM_JS(' Python/*.c Objects/*.c Modules/*.c Modules/_ctypes/*.c); do
    i=$PYB/emjs_$(echo "$f" | tr / _).i
    emcc -E $PYINC "$PYSRC/$f" -o "$i"; emjs_i+=("$i")
  done
  "$HERE/emjs.py" "$W/cpython_emjs.js" "${emjs_i[@]}"
  EXTRA_LD+=" --js-library $W/libffi_emjs.js --js-library $W/cpython_emjs.js"
fi
[ "$WP_PRE_JS" = 1 ] && EXTRA_LD+=" --pre-js $HERE/wp_pre.js"
step "cpython: make -j$JOBS"
# The -lz we gave configure makes it believe zlib exists (pkg-config is skipped when
# *_LIBS is set), so binascii would use zlib's crc32: drop that, it has its own.
emmake make -j"$JOBS" LDFLAGS_NODIST="$EXTRA_LD" \
  MODULE_BINASCII_CFLAGS= MODULE_BINASCII_LDFLAGS= >make.log 2>&1 &
mk=$!
while kill -0 $mk 2>/dev/null; do  # a heartbeat, so CI logs show it is alive
  sleep 30
  kill -0 $mk 2>/dev/null && step "cpython: $(grep -c '^[^ ]*emcc -c' make.log) files compiled"
done
wait $mk || { tail -40 make.log; echo "wasm-python: make failed, full log: $PYB/make.log" >&2; exit 1; }

# --- 4. post-link -------------------------------------------------------------------
if [ "$WP_WASMFIX" = 1 ]; then
  step "post-link: start function fix"
  "$HERE/wasmfix.py" python.wasm
fi

# --- 5. assemble ------------------------------------------------------------------
step "assemble"
P=$DONE.tmp/python
rm -rf "$DONE.tmp"; mkdir -p "$P/lib"
cp python.js python.wasm "$P/"
[ ! -e python.worker.js ] || cp python.worker.js "$P/"
# The stdlib, minus what a test runtime never imports (tests, GUI, installers).
(cd "$PYSRC/Lib" && tar --exclude=test --exclude=tests --exclude=idlelib --exclude=tkinter \
  --exclude=turtledemo --exclude=ensurepip --exclude=lib2to3 --exclude=__pycache__ -cf - .) |
  (mkdir -p "$P/lib/python$PY_VER" && cd "$P/lib/python$PY_VER" && tar xf -)
cp "$(cat pybuilddir.txt)"/_sysconfigdata_*.py "$P/lib/python$PY_VER/"
mkdir -p "$P/lib/python$PY_VER/lib-dynload"  # getpath's landmark for exec_prefix (else a warning)
WORKAROUNDS=
[ "$WP_EMJS" = 0 ] || WORKAROUNDS+=" emjs"
[ "$WP_WASMFIX" = 0 ] || WORKAROUNDS+=" wasmfix"
[ "$WP_NO_CNS" = 0 ] || WORKAROUNDS+=" no-cns"
[ "$WP_PRE_JS" = 0 ] || WORKAROUNDS+=" pre-js"
[ "$WP_ZERO_MEM" = 0 ] || WORKAROUNDS+=" zero-mem"
# Line 2 tells the tests which workarounds this runtime has (run.mjs's runtimeInfo).
printf '%s\nworkarounds:%s\n' "$KEY $PY_DSC $FFI_DSC $EMCC_VERSION" "$WORKAROUNDS" >"$DONE.tmp/stamp"
rm -rf "$DONE"; mv "$DONE.tmp" "$DONE"
cd "$ROOT"
rm -rf "$W"
# Clones of other revisions on this machine (CI's, other worktrees) share the cache: a
# build of another key goes only when unused for a week (its stamp is touched on use),
# a work dir when untouched for a day.
for d in "$CACHE"/*; do
  case ${d##*/} in
    "$KEY"|src) ;;
    work-*) find "$d" -maxdepth 0 -mmin +1440 -exec rm -rf {} + ;;
    build-python-*) [ -f "$d/stamp" ] && find "$d/stamp" -mtime +7 -exec rm -rf "$d" \; ;;
    [0-9a-f]*) [ -f "$d/stamp" ] && find "$d/stamp" -mtime +7 -exec rm -rf "$d" \; ;;
  esac
done
install_out
step "done in $((SECONDS - T0)) s"
