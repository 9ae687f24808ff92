#!/usr/bin/env bash
# Build a second Emscripten, 3.1.69, from Debian trixie's source packages, next to
# bookworm's emcc 3.1.6, into a cache outside the repo (see README.md beside this file).
#
#   emsdk-3.1.69.sh              build if needed; print the path of the env file
#   emsdk-3.1.69.sh --print-env  the same (the path is the only thing on stdout)
#   emsdk-3.1.69.sh --emcc       build if needed; print the path of the emcc wrapper
#   -q, --quiet                  say nothing on stderr when the build is cached
#
# Progress goes to stderr. Cache: ${WARMPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warmpool}/
#   sources/                        the Debian tarballs (sha256-checked)
#   binaryen-120-<bkey>/            binaryen built from its tarball (bin/, lib/)
#   emscripten-3.1.69-<key>/        emscripten tree, config, env.sh, bin/ wrappers, cache/
# <bkey> hashes binaryen's tarball and build flags, <key> the tarball names and sha256s and
# this script; each is built in a .tmp dir and renamed into place with a stamp when whole.
set -euo pipefail

VER=3.1.69
BYN_VER=120
# Exact Debian source versions and the sha256 of every tarball they bring.
EM_DEB=emscripten=3.1.69+dfsg-3
BYN_DEB=binaryen=120-4
TARBALLS=(
  "emscripten_3.1.69+dfsg.orig.tar.xz 394804c47d38ca3f1fa37b0b12beba60c2b03e6d7d3140a4e658b6dc6fee4481"
  "emscripten_3.1.69+dfsg-3.debian.tar.xz 460087dbab2fd0ae7452e78da3a9b2be25021c5d02b2715f350431351b49ff37"
  "binaryen_120.orig.tar.gz a4edd532d37b33d88e28e8d770f7177a7c0bb4495eabc6f5ecd41ffc5fd4db90"
)
LLVM_ROOT=/usr/lib/llvm-19/bin
NODE_JS=/usr/bin/node
PYTHON=/usr/bin/python3
APT_PKGS=(clang-19 lld-19 llvm-19 ninja-build cmake g++ patch xz-utils node-acorn python3)
BYN_CMAKE=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTS=OFF -DENABLE_WERROR=OFF
  -DBUILD_EMSCRIPTEN_TOOLS_ONLY=ON)
SRC_LIST=/etc/apt/sources.list.d/warmpool-trixie-src.sources

mode="env"
quiet=
for arg in "$@"; do
  case "$arg" in
    --print-env) mode="env" ;;
    --emcc) mode="emcc" ;;
    -q|--quiet) quiet=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "emsdk-$VER: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

SELF=$(readlink -f "${BASH_SOURCE[0]}")
ROOT=${WARMPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/warmpool}
KEY=$( { printf '%s\n' "${TARBALLS[@]}"; sha256sum <"$SELF"; } | sha256sum | cut -c1-12)
DEST=$ROOT/emscripten-$VER-$KEY
BKEY=$( { printf '%s\n' "${TARBALLS[2]}" "${BYN_CMAKE[*]}"; } | sha256sum | cut -c1-12)
BYN=$ROOT/binaryen-$BYN_VER-$BKEY

answer() {
  if [ "$mode" = emcc ]; then echo "$DEST/bin/emcc"; else echo "$DEST/env.sh"; fi
}

say() { echo "emsdk-$VER: $*" >&2; }
# Fast path: a whole build is there. Nothing else runs (well under a second).
if [ -f "$DEST/.complete" ] && [ -f "$BYN/.complete" ]; then
  [ -n "$quiet" ] || say "cached ($DEST)"
  answer
  exit 0
fi

T0=$SECONDS
NSTEPS=7
step() { STEP_T=$SECONDS; say "step $1/$NSTEPS $2 (at ${SECONDS}s)"; }
done_step() { say "  done in $((SECONDS - STEP_T))s (total ${SECONDS}s)"; }
die() { say "error: $*"; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

BG_PID=
TMPS=()
# On failure the .tmp dirs stay for their logs; the next run removes them first. A job
# run_logged started has a process group of its own (setsid): stop all of it.
cleanup() {
  if [ -n "$BG_PID" ]; then kill -TERM -- "-$BG_PID" 2>/dev/null || true; fi
  for t in "${TMPS[@]}"; do say "incomplete build left in $t (removed by the next run)"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_logged LOG CMD...: run CMD with its output in LOG, a heartbeat line every 60 s
# (the log's last line, or what the function named by $HEARTBEAT prints).
HEARTBEAT=
run_logged() {
  local log=$1 last=$SECONDS rc=0; shift
  setsid "$@" >"$log" 2>&1 </dev/null &
  BG_PID=$!
  while kill -0 "$BG_PID" 2>/dev/null; do
    sleep 1
    if (( SECONDS - last >= 60 )); then
      last=$SECONDS
      if [ -n "$HEARTBEAT" ]; then say "  ... ${SECONDS}s: $($HEARTBEAT)"
      else say "  ... ${SECONDS}s: $(tail -n 1 "$log" | cut -c1-90)"; fi
    fi
  done
  wait "$BG_PID" || rc=$?
  BG_PID=
  if [ "$rc" != 0 ]; then tail -n 40 "$log" >&2; die "'$*' failed ($rc); log: $log"; fi
}

mkdir -p "$ROOT"
# One build at a time per cache (two make jobs may start the script together).
exec 9>"$ROOT/.emsdk-$VER.lock"
flock 9
if [ -f "$DEST/.complete" ] && [ -f "$BYN/.complete" ]; then
  [ -n "$quiet" ] || say "cached ($DEST)"
  answer
  exit 0
fi
say "building into $DEST (log files in its .tmp dir while it builds)"

# --- 1. Host packages: LLVM 19 (bookworm), build tools, Debian's acorn.
step 1 "host packages: ${APT_PKGS[*]}"
missing=()
for p in "${APT_PKGS[@]}"; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$st" = "install ok installed" ] || missing+=("$p")
done
[ -x "$NODE_JS" ] || missing+=(nodejs)
if [ ${#missing[@]} -gt 0 ]; then
  say "  installing ${missing[*]}"
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
for t in clang wasm-ld llvm-ar llvm-nm; do [ -x "$LLVM_ROOT/$t" ] || die "no $LLVM_ROOT/$t"; done
[ -x "$NODE_JS" ] || die "no $NODE_JS"
[ -d /usr/share/nodejs/acorn ] || die "no /usr/share/nodejs/acorn (package node-acorn)"
done_step

# --- 2. Sources: apt-get source --download-only into the cache, sha256-checked.
step 2 "sources ($EM_DEB, $BYN_DEB)"
SRCDIR=$ROOT/sources
mkdir -p "$SRCDIR"
have_sources() {
  local t name sha
  for t in "${TARBALLS[@]}"; do
    read -r name sha <<<"$t"
    [ -f "$SRCDIR/$name" ] || return 1
  done
}
if ! have_sources; then
  # A deb-src line for trixie (source packages only: nothing from trixie can be installed).
  if ! apt-cache showsrc emscripten 2>/dev/null | grep -q "^Version: ${EM_DEB#*=}\$"; then
    if [ ! -f "$SRC_LIST" ]; then
      say "  adding $SRC_LIST (deb-src trixie)"
      as_root tee "$SRC_LIST" >/dev/null <<'EOF'
# Added by warmpool pyodide-patches/toolchain/emsdk-3.1.69.sh: source packages only.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    as_root apt-get update -qq >&2
  fi
  # The .dsc files answer 404 here and apt exits 100: the tarballs are checked below.
  (cd "$SRCDIR" && apt-get source --download-only "$EM_DEB" "$BYN_DEB" >"$SRCDIR/apt-source.log" 2>&1) || true
  have_sources || { cat "$SRCDIR/apt-source.log" >&2; die "apt-get source did not bring every tarball"; }
fi
for t in "${TARBALLS[@]}"; do
  read -r name sha <<<"$t"
  got=$(sha256sum "$SRCDIR/$name" | cut -d' ' -f1)
  [ "$got" = "$sha" ] || die "$SRCDIR/$name: sha256 $got, expected $sha (delete it to fetch again)"
done
EM_ORIG=$SRCDIR/${TARBALLS[0]%% *}
EM_DEBIAN=$SRCDIR/${TARBALLS[1]%% *}
BYN_ORIG=$SRCDIR/${TARBALLS[2]%% *}
done_step

# --- 3-4. binaryen: its own cache entry (the slow part), relocatable (RUNPATH $ORIGIN/../lib).
if [ -f "$BYN/.complete" ]; then
  step 3 "binaryen $BYN_VER: cached ($BYN)"; done_step
  step 4 "binaryen build: cached"; done_step
else
  BTMP=$BYN.tmp.$$
  rm -rf "$ROOT/binaryen-$BYN_VER-"*.tmp.* "$BYN.part" "$BYN"
  TMPS+=("$BTMP")
  mkdir -p "$BTMP"
  step 3 "binaryen $BYN_VER: unpack + cmake configure"
  tar -xzf "$BYN_ORIG" -C "$BTMP"
  bsrc=$(echo "$BTMP"/binaryen-*/)
  run_logged "$BTMP/cmake.log" nice -n 19 cmake -S "$bsrc" -B "$BTMP/build" "${BYN_CMAKE[@]}" \
    -DCMAKE_INSTALL_PREFIX="$BTMP/out"
  done_step
  step 4 "binaryen $BYN_VER: build with ninja -j$(nproc) under nice -n 19 (~10 min on 2 busy cores)"
  run_logged "$BTMP/build.log" nice -n 19 ninja -C "$BTMP/build" -j"$(nproc)"
  run_logged "$BTMP/install.log" cmake --install "$BTMP/build" --strip
  bv=$("$BTMP/out/bin/wasm-opt" --version)
  case "$bv" in *"version $BYN_VER"*) ;; *) die "wasm-opt --version says: $bv" ;; esac
  cp "$BTMP"/*.log "$BTMP/out/"
  mv "$BTMP/out" "$BYN.part"
  rm -rf "$BTMP"
  touch "$BYN.part/.complete"
  mv "$BYN.part" "$BYN"
  TMPS=()
  done_step
fi
"$BYN/bin/wasm-opt" --version >/dev/null || die "$BYN/bin/wasm-opt does not run"

# --- 5. Emscripten: unpack, Debian patches, the pieces the dfsg tarball lacks.
TMP=$DEST.tmp.$$
# Under the lock no other build runs: every .tmp dir is an interrupted one.
rm -rf "$ROOT/emscripten-$VER-"*.tmp.* "$DEST"
TMPS+=("$TMP")
mkdir -p "$TMP/bin"
step 5 "emscripten $VER: unpack, Debian patches, dom_pk_codes.h, version, node_modules"
tar -xJf "$EM_ORIG" -C "$TMP"
[ -d "$TMP/emscripten-$VER" ] || die "no emscripten-$VER/ in $EM_ORIG"
EMDIR_T=$TMP/emscripten-$VER
tar -xJf "$EM_DEBIAN" -C "$TMP"
while read -r p; do
  case "$p" in ''|'#'*) continue ;; esac
  patch -p1 -s -d "$EMDIR_T" <"$TMP/debian/patches/$p" || die "Debian patch $p does not apply"
done <"$TMP/debian/patches/series"
echo "$VER" >"$EMDIR_T/emscripten-version.txt"
(cd "$EMDIR_T" && "$PYTHON" tools/create_dom_pk_codes.py >"$TMP/dom_pk_codes.log" 2>&1) ||
  die "tools/create_dom_pk_codes.py failed; log: $TMP/dom_pk_codes.log"
[ -f "$EMDIR_T/system/lib/html5/dom_pk_codes.c" ] || die "create_dom_pk_codes.py made nothing"
# Not needed to compile (test/ alone is 75 MB of the 118).
rm -rf "$TMP/debian" "$EMDIR_T/test" "$EMDIR_T/site" "$EMDIR_T/docs"
# Its JS optimizer is an ES module: NODE_PATH does not reach it, node_modules/ does.
mkdir -p "$EMDIR_T/node_modules"
ln -sfn /usr/share/nodejs/acorn "$EMDIR_T/node_modules/acorn"
done_step

# The config names the final paths; while building here EM_* variables point at the .tmp
# dir. The cache's sanity stamp is "<version>|<LLVM_ROOT>", so the rename keeps it valid.
cat >"$TMP/emscripten.config" <<EOF
# Emscripten $VER config, written by warmpool pyodide-patches/toolchain/emsdk-$VER.sh
LLVM_ROOT = '$LLVM_ROOT'
BINARYEN_ROOT = '$BYN'
NODE_JS = '$NODE_JS'
CACHE = '$DEST/cache'
EOF
cat >"$TMP/env.sh" <<EOF
# Emscripten $VER (warmpool, pyodide-patches/toolchain/emsdk-$VER.sh): source this file.
export EM_CONFIG='$DEST/emscripten.config'
export EM_CACHE='$DEST/cache'
export EMSDK_PYTHON='$PYTHON'
export WARMPOOL_EMSDK_$(echo "$VER" | tr -d .)='$DEST'
export PATH='$DEST/emscripten-$VER':"\$PATH"
EOF
# Wrappers that need no env: bin/emcc etc. (relative to their own place).
for tool in emcc em++ emar emranlib emnm emcmake emconfigure emmake em-config embuilder; do
  cat >"$TMP/bin/$tool" <<EOF
#!/bin/sh
# Emscripten $VER $tool with its own config (warmpool emsdk-$VER.sh).
d=\$(dirname "\$(readlink -f "\$0")")/..
EM_CONFIG="\$d/emscripten.config" EM_CACHE="\$d/cache" EMSDK_PYTHON='$PYTHON' \\
  exec "\$d/emscripten-$VER/$tool" "\$@"
EOF
  chmod +x "$TMP/bin/$tool"
done

# --- 6. System libraries: built on first use, so use them once (pthread, PIC, -O0/-O2).
step 6 "system libraries (side modules, -pthread MAIN_MODULE=2; ~55 MB, ~3 min)"
export EM_CONFIG=$TMP/emscripten.config EM_CACHE=$TMP/cache EM_BINARYEN_ROOT=$BYN EMSDK_PYTHON=$PYTHON
W=$TMP/prebuild
mkdir -p "$W"
cat >"$W/side.c" <<'EOF'
#include <pthread.h>
static void *run(void *arg) { return arg; }
int side_run(int v) {
  pthread_t t;
  void *out = 0;
  if (pthread_create(&t, 0, run, (void *)(long)v) != 0) return -1;
  pthread_join(t, &out);
  return (int)(long)out;
}
EOF
cat >"$W/main.c" <<'EOF'
#include <dlfcn.h>
#include <stdio.h>
int main(void) {
  void *h = dlopen("side.so", RTLD_NOW);
  printf("%s\n", h ? "ok" : dlerror());
  return 0;
}
EOF
EMCC_T="$EMDIR_T/emcc"
cat >"$W/prebuild.sh" <<EOF
set -eux
cd "$W"
for o in -O0 -O2; do
  "$EMCC_T" \$o -fPIC -pthread -sSIDE_MODULE=1 -sWASM_BIGINT -Wno-experimental side.c -o side-t\$o.so
  "$EMCC_T" \$o -fPIC -sSIDE_MODULE=1 -sWASM_BIGINT side.c -o side-s\$o.so
  "$EMCC_T" \$o -pthread -sMAIN_MODULE=2 -sWASM_BIGINT -Wno-experimental \\
    -sEXPORTED_FUNCTIONS=_main,_pthread_create,_pthread_join,_malloc,_free main.c -o main-t\$o.js
  "$EMCC_T" \$o -sMAIN_MODULE=2 -sWASM_BIGINT -sEXPORTED_FUNCTIONS=_main,_malloc,_free \\
    main.c -o main-s\$o.js
done
EOF
libs_mb() { echo "$(du -sm "$TMP/cache" 2>/dev/null | cut -f1) MB of libraries"; }
HEARTBEAT=libs_mb run_logged "$TMP/prebuild.log" nice -n 19 bash "$W/prebuild.sh"
rm -rf "$W"
done_step

# --- 7. Check, rename into place, stamp.
step 7 "check and rename into place"
ver=$("$EMCC_T" --version)
ver=${ver%%$'\n'*}
case "$ver" in *" $VER "*|*" $VER") ;; *) die "emcc --version says: $ver" ;; esac
unset EM_CONFIG EM_CACHE EM_BINARYEN_ROOT
mv "$TMP" "$DEST"
TMPS=()
ver2=$("$DEST/bin/emcc" --version) || die "$DEST/bin/emcc does not run after the rename"
[ "${ver2%%$'\n'*}" = "$ver" ] || die "$DEST/bin/emcc says ${ver2%%$'\n'*}"
echo "$ver" >"$DEST/.complete"
done_step
say "built in $((SECONDS - T0))s: $DEST; env file:"
answer
