#!/bin/sh
# Compile-checks the native addon's sources on every path native/src/portable.h selects, and runs the stand-alone
# GEMM check (native/check/gemm_check.cc) where it can:
#   1. x86-64, GCC/Clang as node-gyp builds it (AVX2/FMA kernel behind a target attribute, run-time CPUID check);
#   2. x86-64 without GNU extensions (-DTFR_NO_GNU_EXTENSIONS -pedantic-errors): MSVC's branches (no attributes or
#      builtins; AVX2 intrinsics allowed anywhere, hence -mavx2 -mfma), and no GNU-only constructs outside portable.h;
#   3. arm64 (aarch64-linux-gnu-g++, Debian: apt-get install g++-aarch64-linux-gnu): the NEON kernel, with and
#      without GNU extensions; the GEMM check runs under qemu-aarch64 (apt-get install qemu-user) when present.
# A missing cross compiler or emulator skips that step with a note. Needs Node's headers (node_api.h): NODE_INCLUDE,
# else <node prefix>/include/node. Run from anywhere: sh native/check-portability.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src="$here/src"
node_include=${NODE_INCLUDE:-$(dirname "$(dirname "$(command -v node)")")/include/node}
[ -f "$node_include/node_api.h" ] || { echo "node_api.h not found in $node_include (set NODE_INCLUDE)"; exit 1; }
CXX=${CXX:-g++}
ARM_CXX=${ARM_CXX:-aarch64-linux-gnu-g++}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

syntax() { # label compiler flags...
  label=$1 cxx=$2
  shift 2
  for f in "$src"/*.cc; do
    if ! "$cxx" -std=c++17 -fsyntax-only -Wall -Wextra -Werror -I"$node_include" "$@" "$f"; then
      echo "FAIL $label: $(basename "$f")"
      failed=1
    fi
  done
  echo "compiled: $label"
}

gemm_run() { # label command...
  label=$1
  shift
  if "$@" >"$tmp/out" && TFJS_RESTORATION_GEMM=generic "$@" >"$tmp/generic"; then
    echo "gemm check: $label: $(head -1 "$tmp/out"), $(tail -1 "$tmp/out"); $(head -1 "$tmp/generic"), $(tail -1 "$tmp/generic")"
  else
    cat "$tmp/out" "$tmp/generic" 2>/dev/null || true
    echo "FAIL gemm check: $label"
    failed=1
  fi
}

gemm_sources="$here/check/gemm_check.cc $src/gemm.cc $src/thread_pool.cc"

# 1. The default build.
syntax "x86-64 ($CXX, GNU attributes)" "$CXX"
# shellcheck disable=SC2086
"$CXX" -std=c++17 -O2 -pthread $gemm_sources -o "$tmp/gemm" && gemm_run "x86-64" "$tmp/gemm"

# 2. MSVC's branches, and no GNU extensions anywhere but portable.h.
syntax "x86-64 without GNU extensions (MSVC's branches)" "$CXX" -DTFR_NO_GNU_EXTENSIONS -pedantic-errors -mavx2 -mfma
gnu=$(grep -n '__attribute__\|__builtin_\|__asm__\|__declspec' "$src"/*.cc "$src"/*.h | grep -v '/portable.h:' || true)
if [ -n "$gnu" ]; then
  echo "FAIL compiler-specific constructs outside portable.h:"
  echo "$gnu"
  failed=1
else
  echo "checked: no compiler-specific attributes or builtins outside portable.h"
fi

# 3. arm64.
if command -v "$ARM_CXX" >/dev/null 2>&1; then
  syntax "arm64 ($ARM_CXX, NEON)" "$ARM_CXX"
  syntax "arm64 without GNU extensions" "$ARM_CXX" -DTFR_NO_GNU_EXTENSIONS -pedantic-errors
  # shellcheck disable=SC2086
  "$ARM_CXX" -std=c++17 -O2 -pthread -static $gemm_sources -o "$tmp/gemm-arm64"
  if command -v qemu-aarch64 >/dev/null 2>&1; then
    gemm_run "arm64 under qemu-aarch64" qemu-aarch64 "$tmp/gemm-arm64"
  else
    echo "skipped: arm64 gemm check (no qemu-aarch64; apt-get install qemu-user)"
  fi
else
  echo "skipped: arm64 ($ARM_CXX not found; apt-get install g++-aarch64-linux-gnu)"
fi

if [ "$failed" -ne 0 ]; then
  echo "portability check FAILED"
  exit 1
fi
echo "portability check passed"
