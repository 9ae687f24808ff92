#!/usr/bin/env bash
# Puts pthreadpool's own gtest suite (test/pthreadpool.cc of Debian trixie's source
# package) at $1. The tarball is cached in $WARMPOOL_CACHE/pthreadpool and never
# committed. Debian's archive serves this package's orig tarball while its .dsc and
# Debian tarball answer 404, so apt-get source exits 100: that is tolerated, and what
# counts is the tarball being there and holding the suite.
set -euo pipefail
out=$1
orig=pthreadpool_0.0~git20240616.560c60d.orig.tar.xz
cache=${WARMPOOL_CACHE:-$HOME/.cache/warmpool}/pthreadpool
mkdir -p "$cache"
if [ ! -s "$cache/$orig" ]; then
  rc=0
  (cd "$cache" && apt-get source --download-only pthreadpool/trixie >fetch.log 2>&1) || rc=$?
  if [ ! -s "$cache/$orig" ]; then
    echo "pthreadpool suite: apt-get source exited $rc without $orig (log: $cache/fetch.log;" \
         "needs a deb-src line for trixie)" >&2
    exit 1
  fi
fi
member=$(tar -tJf "$cache/$orig" | grep -m1 '/test/pthreadpool\.cc$') || {
  echo "pthreadpool suite: $orig holds no test/pthreadpool.cc" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
tar -xJOf "$cache/$orig" "$member" >"$out.tmp"
mv "$out.tmp" "$out"
