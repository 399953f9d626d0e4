#!/bin/sh
# Compile-checks the native addon's sources on every path native/src/portable.h selects, and runs the stand-alone
# GEMM check (native/check/gemm_check.cc) where it can:
#   1. x86-64, GCC/Clang as node-gyp builds it (AVX2/FMA and AVX-512 kernels behind target attributes, run-time
#      CPUID check); then the AVX-512 micro-kernel on any x86-64 CPU, its intrinsics emulated by SIMDe
#      (-DTFR_EMULATE_AVX512; Debian: apt-get install libsimde-dev): it must give the AVX2 kernel's bits;
#   2. x86-64 without GNU extensions (-DTFR_NO_GNU_EXTENSIONS -pedantic-errors): MSVC's branches (no attributes or
#      builtins; AVX2 and AVX-512 intrinsics allowed anywhere, hence -mavx2 -mfma -mavx512f), and no GNU-only
#      constructs outside portable.h;
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

# 1b. The AVX-512 micro-kernel, emulated: its results must be the AVX2 kernel's, bit for bit.
if [ -f /usr/include/simde/x86/avx512.h ]; then
  # shellcheck disable=SC2086
  "$CXX" -std=c++17 -O2 -pthread -mavx2 -mfma -DTFR_EMULATE_AVX512 -Wno-psabi $gemm_sources -o "$tmp/gemm-avx512"
  gemm_run "x86-64, AVX-512 emulated (SIMDe)" "$tmp/gemm-avx512"
  TFJS_RESTORATION_GEMM=avx2 "$tmp/gemm-avx512" >"$tmp/avx2"
  kernel=$(head -1 "$tmp/out")
  if [ "$kernel" = "micro-kernel: avx512f" ] && [ "$(tail -1 "$tmp/out")" = "$(tail -1 "$tmp/avx2")" ]; then
    echo "gemm check: the AVX-512 kernel gives the AVX2 kernel's bits ($(tail -1 "$tmp/avx2"))"
  else
    echo "FAIL gemm check: AVX-512 (emulated) against AVX2: $kernel, $(tail -1 "$tmp/out"); $(tail -1 "$tmp/avx2")"
    failed=1
  fi
else
  echo "skipped: AVX-512 gemm check (no SIMDe; apt-get install libsimde-dev)"
fi

# 2. MSVC's branches, and no GNU extensions anywhere but portable.h.
syntax "x86-64 without GNU extensions (MSVC's branches)" "$CXX" -DTFR_NO_GNU_EXTENSIONS -pedantic-errors -mavx2 -mfma \
  -mavx512f
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
