#!/usr/bin/env bash
# Installs what building and testing warmpool needs, from Debian's archive and npm only.
# Idempotent: apt runs only when a package is missing; npm only when node_modules is stale.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  gcc make clang libclang-rt-14-dev binutils     # native build, sanitizers, addr2line
  libpthreadpool-dev                             # bench peer (gcc's libgomp is the other)
  libgtest-dev googletest g++                    # pthreadpool's own suite on our layer (native; em++ builds gtest from source)
  libxnnpack-dev                                 # Debian's XNNPACK (libxnnpack0) run on our libpthreadpool.so.0
  emscripten dpkg-dev                            # the Wasm builds (apt-get source unpacks with dpkg-source)
  python3 python3-numpy python3-opencv python3-pygame
  python3-setuptools python3-wheel python3-pip python3-venv  # make wheels, pip in a venv
  chromium firefox-esr                           # browser tests (two engines)
)

missing=()
# Node and npm: whatever is on PATH will do (a machine may carry Node from elsewhere, whose
# bundled npm conflicts with Debian's npm package); Debian's only when absent.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"  # with recommends, as verified here
else
  echo "deps: apt packages present"
fi

# npm ci only when node_modules does not hold what package-lock.json pins (a
# node_modules copied from elsewhere is fine when every package is the locked version).
if [ -f package.json ]; then
  if ! node -e '
    const lock = require("./package-lock.json");
    for (const [dir, p] of Object.entries(lock.packages || {})) {
      if (!dir || p.optional) continue;
      let v; try { v = require("./" + dir + "/package.json").version; } catch { v = null; }
      if (v !== p.version) { console.log(`deps: ${dir} is ${v || "missing"}, locked at ${p.version}`); process.exit(1); }
    }' 2>/dev/null; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund
  else
    echo "deps: node_modules matches package-lock.json"
  fi
fi
