// Compiler and CPU portability: the one place for compiler-specific attributes and CPU feature queries, so the
// kernels build with GCC and Clang (Linux, macOS), MSVC (Windows) and on x86-64 and arm64 alike.
// native/check-portability.sh compiles every source with the switches that select each branch here.
//
// TFR_NO_GNU_EXTENSIONS (a test switch): take the branches MSVC takes (no GNU attributes or builtins) on GCC or Clang.
#pragma once

#if defined(_MSC_VER) && !defined(__clang__)
#define TFR_MSVC 1
#endif

#if defined(TFR_MSVC) || defined(TFR_NO_GNU_EXTENSIONS)
#define TFR_GNU 0
#else
#define TFR_GNU 1
#endif

// Keeps a function out of line.
#if TFR_GNU
#define TFR_NOINLINE __attribute__((noinline))
#elif defined(TFR_MSVC)
#define TFR_NOINLINE __declspec(noinline)
#else
#define TFR_NOINLINE
#endif

// Always inlined, so that a body written once compiles for each caller's target (a portable and an AVX2 wrapper).
#if TFR_GNU
#define TFR_ALWAYS_INLINE inline __attribute__((always_inline))
#elif defined(TFR_MSVC)
#define TFR_ALWAYS_INLINE __forceinline
#else
#define TFR_ALWAYS_INLINE inline
#endif

#if defined(__x86_64__) || defined(_M_X64)
#define TFR_X86 1
#include <immintrin.h>
#if defined(TFR_MSVC)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
// Compiles one function for AVX2 + FMA while the rest of the file targets baseline x86-64 (GCC, Clang). MSVC emits
// AVX2 intrinsics anywhere, so there it is empty; so it is under TFR_NO_GNU_EXTENSIONS, whose check build passes
// -mavx2 -mfma for the whole file instead.
#if TFR_GNU
#define TFR_TARGET_AVX2_FMA __attribute__((target("avx2,fma")))
#else
#define TFR_TARGET_AVX2_FMA
#endif
// AVX2 without FMA: the compiler cannot fuse a multiply and an add (GCC does so even in intrinsics code), so the
// function gives the bits of the same arithmetic in portable C++.
#if TFR_GNU
#define TFR_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define TFR_TARGET_AVX2
#endif
// AVX-512F, for the GEMM's 12x16 micro-kernel. TFR_EMULATE_AVX512 (a test switch, built with -mavx2 -mfma):
// SIMDe's AVX-512 intrinsics written in AVX2 (Debian: apt-get install libsimde-dev) stand in for the CPU's, and the
// CPU query below says yes, so that native/check-portability.sh runs that kernel on a CPU without AVX-512.
#if defined(TFR_EMULATE_AVX512)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define TFR_TARGET_AVX512
#elif TFR_GNU
#define TFR_TARGET_AVX512 __attribute__((target("avx512f")))
#else
#define TFR_TARGET_AVX512
#endif

namespace tfr {

// CPUID leaf `leaf`, sub-leaf `sub`: eax, ebx, ecx, edx.
inline void cpuid(unsigned leaf, unsigned sub, unsigned out[4]) {
#if defined(TFR_MSVC)
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), static_cast<int>(sub));
  for (int i = 0; i < 4; ++i) out[i] = static_cast<unsigned>(r[i]);
#else
  __cpuid_count(leaf, sub, out[0], out[1], out[2], out[3]);
#endif
}

// The OS-enabled register state (XCR0).
inline unsigned long long xcr0() {
#if defined(TFR_MSVC)
  return _xgetbv(0);
#else
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
#endif
}

// AVX2 and FMA in the CPU, and the YMM state saved by the OS.
inline bool cpu_has_avx2_fma() {
  unsigned r[4];
  cpuid(0, 0, r);
  if (r[0] < 7) return false;
  cpuid(1, 0, r);
  const bool fma = (r[2] >> 12) & 1, osxsave = (r[2] >> 27) & 1, avx = (r[2] >> 28) & 1;
  if (!fma || !osxsave || !avx || (xcr0() & 6) != 6) return false;
  cpuid(7, 0, r);
  return (r[1] >> 5) & 1;
}

// AVX-512F as well, and the opmask and ZMM state saved by the OS (XCR0 bits 5-7 besides YMM's 1-2).
inline bool cpu_has_avx512f() {
#if defined(TFR_EMULATE_AVX512)
  return cpu_has_avx2_fma();
#else
  if (!cpu_has_avx2_fma()) return false;
  unsigned r[4];
  cpuid(7, 0, r);
  return ((r[1] >> 16) & 1) && (xcr0() & 0xE6) == 0xE6;
#endif
}

}  // namespace tfr
#endif  // x86-64

#if defined(__aarch64__) || defined(_M_ARM64)
// Advanced SIMD is part of every AArch64 CPU: no run-time query needed.
#define TFR_ARM64 1
#include <arm_neon.h>
#endif
