#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "portable.h"
#include "thread_pool.h"

namespace tfr {
namespace {

// Where a micro-kernel finds B's row k (kNR contiguous floats): in a packed panel, or through row pointers (B read
// in place, see BPacker::rows).
struct PackedRows {
  const float* b;
  const float* operator[](int k) const { return b + k * kNR; }
};
struct PointerRows {
  const float* const* b;
  const float* operator[](int k) const { return b[k]; }
};

// c[r * ldc + j] (+)= sum_k a[r * lda + k] * b[k][j] for the full 6x16 tile (A's rows packed, lda = kc, or read in
// place).
template <class Rows>
void kernel_generic(int kc, const float* a, int64_t lda, Rows b, float* c, int64_t ldc, bool accumulate) {
  float acc[kMR][kNR] = {};
  for (int k = 0; k < kc; ++k) {
    const float* bk = b[k];
    for (int r = 0; r < kMR; ++r) {
      const float av = a[r * lda + k];
      for (int j = 0; j < kNR; ++j) acc[r][j] += av * bk[j];
    }
  }
  for (int r = 0; r < kMR; ++r) {
    float* cr = c + r * ldc;
    if (accumulate) {
      for (int j = 0; j < kNR; ++j) cr[j] += acc[r][j];
    } else {
      for (int j = 0; j < kNR; ++j) cr[j] = acc[r][j];
    }
  }
}

#ifdef TFR_X86
template <class Rows>
TFR_TARGET_AVX2_FMA void kernel_avx2(int kc, const float* a, int64_t lda, Rows b, float* c, int64_t ldc,
                                     bool accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  const float* a0 = a;
  const float* a1 = a + lda;
  const float* a2 = a + 2 * lda;
  const float* a3 = a + 3 * lda;
  const float* a4 = a + 4 * lda;
  const float* a5 = a + 5 * lda;
  for (int k = 0; k < kc; ++k) {
    const float* bk = b[k];
    const __m256 b0 = _mm256_loadu_ps(bk);
    const __m256 b1 = _mm256_loadu_ps(bk + 8);
    __m256 av = _mm256_broadcast_ss(a0 + k);
    c00 = _mm256_fmadd_ps(av, b0, c00);
    c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a1 + k);
    c10 = _mm256_fmadd_ps(av, b0, c10);
    c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a2 + k);
    c20 = _mm256_fmadd_ps(av, b0, c20);
    c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a3 + k);
    c30 = _mm256_fmadd_ps(av, b0, c30);
    c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a4 + k);
    c40 = _mm256_fmadd_ps(av, b0, c40);
    c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a5 + k);
    c50 = _mm256_fmadd_ps(av, b0, c50);
    c51 = _mm256_fmadd_ps(av, b1, c51);
  }
#define TFR_STORE(r, lo, hi)                                          \
  {                                                                   \
    float* cr = c + (r) * ldc;                                        \
    if (accumulate) {                                                 \
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(cr));                    \
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(cr + 8));                \
    }                                                                 \
    _mm256_storeu_ps(cr, lo);                                         \
    _mm256_storeu_ps(cr + 8, hi);                                     \
  }
  TFR_STORE(0, c00, c01)
  TFR_STORE(1, c10, c11)
  TFR_STORE(2, c20, c21)
  TFR_STORE(3, c30, c31)
  TFR_STORE(4, c40, c41)
  TFR_STORE(5, c50, c51)
#undef TFR_STORE
}

// The AVX-512 micro-kernel: two micro-tiles one above the other (rows r < 2 kMR, lda apart), one 16-float ZMM
// register per row, so that each row of B is loaded once for 12 rows and 12 independent sums hide the FMA latency.
// Each sum runs over k in kernel_avx2's order with the same fused multiply-adds, so the bits are the same.
// A's 12 rows are reached from two pointers and three strides (row r at p0 or p5 plus a stride times 1, 2, 4 or 8,
// which x86 addressing takes as it is): 12 row pointers would not fit in the 16 general registers.
TFR_TARGET_AVX512 TFR_ALWAYS_INLINE __m512 at(const char* p) {
  return _mm512_set1_ps(*reinterpret_cast<const float*>(p));
}
template <class Rows>
TFR_TARGET_AVX512 void kernel_avx512(int kc, const float* a, int64_t lda, Rows b, float* c, int64_t ldc,
                                     bool accumulate) {
  __m512 acc[2 * kMR];
  for (__m512& v : acc) v = _mm512_setzero_ps();
  const char* p0 = reinterpret_cast<const char*>(a);
  const char* p5 = reinterpret_cast<const char*>(a + 5 * lda);
  const int64_t s1 = lda * static_cast<int64_t>(sizeof(float)), s3 = 3 * s1, s5 = 5 * s1;
  for (int k = 0; k < kc; ++k, p0 += sizeof(float), p5 += sizeof(float)) {
    const __m512 bk = _mm512_loadu_ps(b[k]);
    acc[0] = _mm512_fmadd_ps(at(p0), bk, acc[0]);
    acc[1] = _mm512_fmadd_ps(at(p0 + s1), bk, acc[1]);
    acc[2] = _mm512_fmadd_ps(at(p0 + 2 * s1), bk, acc[2]);
    acc[3] = _mm512_fmadd_ps(at(p0 + s3), bk, acc[3]);
    acc[4] = _mm512_fmadd_ps(at(p0 + 4 * s1), bk, acc[4]);
    acc[5] = _mm512_fmadd_ps(at(p5), bk, acc[5]);
    acc[6] = _mm512_fmadd_ps(at(p0 + 2 * s3), bk, acc[6]);
    acc[7] = _mm512_fmadd_ps(at(p5 + 2 * s1), bk, acc[7]);
    acc[8] = _mm512_fmadd_ps(at(p0 + 8 * s1), bk, acc[8]);
    acc[9] = _mm512_fmadd_ps(at(p5 + 4 * s1), bk, acc[9]);
    acc[10] = _mm512_fmadd_ps(at(p0 + 2 * s5), bk, acc[10]);
    acc[11] = _mm512_fmadd_ps(at(p5 + 2 * s3), bk, acc[11]);
  }
  for (int r = 0; r < 2 * kMR; ++r) {
    float* cr = c + r * ldc;
    _mm512_storeu_ps(cr, accumulate ? _mm512_add_ps(acc[r], _mm512_loadu_ps(cr)) : acc[r]);
  }
}

#endif

#ifdef TFR_ARM64
// The 6x16 tile as 6 x 4 NEON registers (24 of the 32), B's row in 4 more.
template <class Rows>
void kernel_neon(int kc, const float* a, int64_t lda, Rows b, float* c, int64_t ldc, bool accumulate) {
  float32x4_t acc[kMR][4];
  for (int r = 0; r < kMR; ++r) {
    for (int j = 0; j < 4; ++j) acc[r][j] = vdupq_n_f32(0.f);
  }
  for (int k = 0; k < kc; ++k) {
    const float* bk = b[k];
    const float32x4_t b0 = vld1q_f32(bk), b1 = vld1q_f32(bk + 4), b2 = vld1q_f32(bk + 8), b3 = vld1q_f32(bk + 12);
    for (int r = 0; r < kMR; ++r) {
      const float av = a[r * lda + k];
      acc[r][0] = vfmaq_n_f32(acc[r][0], b0, av);
      acc[r][1] = vfmaq_n_f32(acc[r][1], b1, av);
      acc[r][2] = vfmaq_n_f32(acc[r][2], b2, av);
      acc[r][3] = vfmaq_n_f32(acc[r][3], b3, av);
    }
  }
  for (int r = 0; r < kMR; ++r) {
    float* cr = c + r * ldc;
    for (int j = 0; j < 4; ++j) {
      const float32x4_t v = accumulate ? vaddq_f32(acc[r][j], vld1q_f32(cr + 4 * j)) : acc[r][j];
      vst1q_f32(cr + 4 * j, v);
    }
  }
}
#endif

#ifdef TFR_X86
bool has_avx2_fma() {
  static const bool ok = cpu_has_avx2_fma();
  return ok;
}
bool has_avx512() {
  static const bool ok = cpu_has_avx512f();
  return ok;
}
#endif

template <class Rows>
using Kernel = void (*)(int, const float*, int64_t, Rows, float*, int64_t, bool);

// TFJS_RESTORATION_GEMM=generic forces the portable micro-kernels (to test them on an AVX2 machine); =avx2 keeps
// the AVX2 ones on a CPU with AVX-512 (to compare the two).
bool gemm_env_is(const char* name) {
  const char* v = std::getenv("TFJS_RESTORATION_GEMM");
  return v != nullptr && std::strcmp(v, name) == 0;
}

// The micro-kernel for one kMR x kNR tile.
template <class Rows>
Kernel<Rows> pick_kernel() {
#ifdef TFR_X86
  if (has_avx2_fma() && !gemm_env_is("generic")) return kernel_avx2<Rows>;
#endif
#ifdef TFR_ARM64
  if (!gemm_env_is("generic")) return kernel_neon<Rows>;
#endif
  return kernel_generic<Rows>;
}

// The micro-kernel for two such tiles one above the other (2 kMR x kNR), where the CPU has a faster one than two
// calls of pick_kernel's; else nullptr.
template <class Rows>
Kernel<Rows> pick_pair_kernel() {
#ifdef TFR_X86
  if (has_avx512() && !gemm_env_is("generic") && !gemm_env_is("avx2")) return kernel_avx512<Rows>;
#endif
  return nullptr;
}

const Kernel<PackedRows> kPackedKernel = pick_kernel<PackedRows>();
const Kernel<PointerRows> kPointerKernel = pick_kernel<PointerRows>();
const Kernel<PackedRows> kPackedPairKernel = pick_pair_kernel<PackedRows>();
const Kernel<PointerRows> kPointerPairKernel = pick_pair_kernel<PointerRows>();

// Per-thread packing buffers, reused across calls.
struct Buffers {
  std::vector<float> a, b;
  std::vector<const float*> b_rows;  // kKC row pointers per kNR-column panel of B read in place
  std::vector<char> in_place;        // per panel: read in place (b_rows) or packed (b)
  Buffers()
      : a(static_cast<size_t>(kMC) * kKC),
        b(static_cast<size_t>(kKC) * kNC),
        b_rows(static_cast<size_t>(kKC) * (kNC / kNR)),
        in_place(kNC / kNR) {}
};

Buffers& buffers() {
  thread_local Buffers buf;
  return buf;
}

// Whether C's rows [m, m + rows) lie evenly spaced (rows >= 2), with that spacing in *ldc.
TFR_ALWAYS_INLINE bool evenly_spaced(const CRows& c, int64_t m, int rows, int64_t* ldc) {
  *ldc = c.row(m + 1) - c.row(m);
  for (int r = 2; r < rows; ++r) {
    if (c.row(m + r) - c.row(m) != r * *ldc) return false;
  }
  return true;
}

// One micro-tile: C rows [m, m + mr), columns [n, n + nr) (+)= the A rows `ap` (kMR rows lda apart: packed, lda = kc,
// or in place) times B, packed (`bp`, kc x kNR) or read in place (`brows`, when non-null). Rows of C need not be
// evenly spaced (convolution outputs), so a full tile is written in place only when its rows are; otherwise (and
// for edge tiles) through `tile` (kMR x kNR scratch).
TFR_ALWAYS_INLINE void run_tile(int kc, const float* ap, int64_t lda, const float* bp, const float* const* brows,
                                const CRows& c, int64_t m, int64_t n, int mr, int nr, bool acc, float* tile) {
  int64_t ldc = 0;
  const bool direct = mr == kMR && nr == kNR && evenly_spaced(c, m, kMR, &ldc);
  float* c0 = c.row(m) + n;
  const auto micro = [&](float* out, int64_t ld, bool add) {
    if (brows != nullptr) {
      kPointerKernel(kc, ap, lda, PointerRows{brows}, out, ld, add);
    } else {
      kPackedKernel(kc, ap, lda, PackedRows{bp}, out, ld, add);
    }
  };
  if (direct) {
    micro(c0, ldc, acc);
    return;
  }
  micro(tile, kNR, false);
  for (int r = 0; r < mr; ++r) {
    float* cr = c.row(m + r) + n;
    if (acc) {
      for (int j = 0; j < nr; ++j) cr[j] += tile[r * kNR + j];
    } else {
      for (int j = 0; j < nr; ++j) cr[j] = tile[r * kNR + j];
    }
  }
}

// Two full micro-tiles one above the other, C rows [m, m + 2 kMR), by the pair micro-kernel, when there is one, the
// second tile's A rows continue the first's (`ap1` = `ap0` + kMR lda: packed micro-panels side by side, or rows
// read in place), and C's 2 kMR rows are evenly spaced. Returns false, having done nothing, otherwise.
TFR_ALWAYS_INLINE bool run_tile_pair(int kc, const float* ap0, int64_t lda0, const float* ap1, int64_t lda1,
                                     const float* bp, const float* const* brows, const CRows& c, int64_t m, int64_t n,
                                     int nr, bool acc) {
  int64_t ldc = 0;
  if (kPackedPairKernel == nullptr || nr != kNR || lda1 != lda0 || ap1 != ap0 + kMR * lda0 ||
      !evenly_spaced(c, m, 2 * kMR, &ldc)) {
    return false;
  }
  float* c0 = c.row(m) + n;
  if (brows != nullptr) {
    kPointerPairKernel(kc, ap0, lda0, PointerRows{brows}, c0, ldc, acc);
  } else {
    kPackedPairKernel(kc, ap0, lda0, PackedRows{bp}, c0, ldc, acc);
  }
  return true;
}

// The micro-tiles of one panel of B's columns [n, n + nr) over C rows [m, m + rows), kMR rows at a time, micro-panel
// i's A rows and their stride given by apanel(i): two full tiles by the pair micro-kernel where run_tile_pair can,
// the others (and edge tiles) by run_tile.
template <class APanel>
void run_tiles(int kc, int64_t rows, APanel apanel, const float* bp, const float* const* brows, const CRows& c,
               int64_t m, int64_t n, int nr, bool acc, float* tile) {
  for (int64_t i = 0; i * kMR < rows; ++i) {
    const std::pair<const float*, int64_t> a = apanel(i);
    if ((i + 2) * kMR <= rows) {
      const std::pair<const float*, int64_t> next = apanel(i + 1);
      if (run_tile_pair(kc, a.first, a.second, next.first, next.second, bp, brows, c, m + i * kMR, n, nr, acc)) {
        ++i;
        continue;
      }
    }
    run_tile(kc, a.first, a.second, bp, brows, c, m + i * kMR, n,
             static_cast<int>(std::min<int64_t>(kMR, rows - i * kMR)), nr, acc, tile);
  }
}

}  // namespace

alignas(32) const float kZeroRow[kNR] = {};

bool use_avx2() {
#ifdef TFR_X86
  static const bool avx2 = kPackedKernel == kernel_avx2<PackedRows>;
  return avx2;
#else
  return false;
#endif
}

const char* gemm_kernel_name() {
  if (kPackedKernel == kernel_generic<PackedRows>) return "generic";
  if (kPackedPairKernel != nullptr) return "avx512f";
#ifdef TFR_ARM64
  return "neon";
#else
  return "avx2-fma";
#endif
}

void gemm_block(int64_t m_begin, int64_t m_end, int64_t n_begin, int64_t n_end, int64_t k_begin, int64_t k_end,
                const APacker& a, const BPacker& b, const CRows& c, bool accumulate) {
  if (m_end <= m_begin || n_end <= n_begin) return;
  Buffers& buf = buffers();
  float* pa = buf.a.data();
  float* pb = buf.b.data();
  const float** pr = buf.b_rows.data();
  char* in_place = buf.in_place.data();
  alignas(32) float tile[kMR * kNR];
  // Per micro-panel of the current A block: where its rows start and how far apart they lie.
  const float* arows[kMC / kMR];
  int64_t alda[kMC / kMR];
  if (k_end <= k_begin) {
    if (!accumulate) {
      for (int64_t m = m_begin; m < m_end; ++m) std::memset(c.row(m) + n_begin, 0, sizeof(float) * (n_end - n_begin));
    }
    return;
  }
  for (int64_t jc = n_begin; jc < n_end; jc += kNC) {
    const int nc = static_cast<int>(std::min<int64_t>(kNC, n_end - jc));
    for (int64_t pc = k_begin; pc < k_end; pc += kKC) {
      const int kc = static_cast<int>(std::min<int64_t>(kKC, k_end - pc));
      const bool acc = accumulate || pc != k_begin;
      for (int jr = 0; jr < nc; jr += kNR) {
        const int nr = std::min(kNR, nc - jr);
        const float** rows = pr + static_cast<int64_t>(jr / kNR) * kKC;
        in_place[jr / kNR] = b.rows(pc, kc, jc + jr, nr, rows) ? 1 : 0;
        if (!in_place[jr / kNR]) b.pack(pc, kc, jc + jr, nr, pb + static_cast<int64_t>(jr) * kc);
      }
      for (int64_t ic = m_begin; ic < m_end; ic += kMC) {
        const int mc = static_cast<int>(std::min<int64_t>(kMC, m_end - ic));
        for (int ir = 0; ir < mc; ir += kMR) {
          const int mr = std::min(kMR, mc - ir);
          const float* in_place_a = mr == kMR ? a.rows(ic + ir, pc, &alda[ir / kMR]) : nullptr;
          if (in_place_a != nullptr) {
            arows[ir / kMR] = in_place_a;
          } else {
            arows[ir / kMR] = pa + static_cast<int64_t>(ir) * kc;
            alda[ir / kMR] = kc;
            a.pack(ic + ir, mr, pc, kc, pa + static_cast<int64_t>(ir) * kc);
          }
        }
        for (int jr = 0; jr < nc; jr += kNR) {
          const int nr = std::min(kNR, nc - jr);
          const float* bp = pb + static_cast<int64_t>(jr) * kc;
          const float* const* brows = in_place[jr / kNR] ? pr + static_cast<int64_t>(jr / kNR) * kKC : nullptr;
          run_tiles(
              kc, mc, [&](int64_t i) { return std::make_pair(arows[i], alda[i]); }, bp, brows, c, ic, jc + jr, nr,
              acc, tile);
        }
      }
    }
  }
}

namespace {

// C = A * B for GEMMs with few rows (deep, low-resolution layers): both operands are packed once, whole, in
// parallel, and then the pool splits the C tiles. Splitting such a GEMM by rows and columns with gemm_block would
// pack each block of B once per row task and each block of A once per column task: with 100-200 rows and depths of
// thousands, packing took as long as the multiplications. The tiles and the order of the sums are gemm_block's,
// so the results are the same bits.
void gemm_prepacked(int64_t M, int64_t N, int64_t K, const APacker& a, const BPacker& b, const CRows& c,
                    bool accumulate, int64_t target) {
  const int64_t kblocks = (K + kKC - 1) / kKC;
  const int64_t npanels = (N + kNR - 1) / kNR, mpanels = (M + kMR - 1) / kMR;
  const auto depth = [&](int64_t p) { return static_cast<int>(std::min<int64_t>(kKC, K - p * kKC)); };
  // Block p of B (depth [p kKC, p kKC + kc)) holds its npanels panels of kc x kNR; block p of A its mpanels
  // micro-panels of kMR x kc. Blocks before p are all kKC deep.
  thread_local std::vector<float> packed_a, packed_b;
  packed_b.resize(static_cast<size_t>(K * npanels * kNR));
  packed_a.resize(static_cast<size_t>(K * mpanels * kMR));
  float* pb = packed_b.data();
  float* pa = packed_a.data();
  for_blocks(Blocks(kblocks * npanels, 8), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t p = t / npanels, j = t % npanels;
      const int kc = depth(p);
      b.pack(p * kKC, kc, j * kNR, static_cast<int>(std::min<int64_t>(kNR, N - j * kNR)),
             pb + p * kKC * npanels * kNR + j * kc * kNR);
    }
  });
  for_blocks(Blocks(kblocks * mpanels, 8), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t p = t / mpanels, i = t % mpanels;
      const int kc = depth(p);
      a.pack(i * kMR, static_cast<int>(std::min<int64_t>(kMR, M - i * kMR)), p * kKC, kc,
             pa + p * kKC * mpanels * kMR + i * kc * kMR);
    }
  });
  // Tasks: blocks of up to kMC / kMR micro-panels of rows times blocks of panels of columns, about `target` in all.
  const int64_t rows = std::min<int64_t>(mpanels, kMC / kMR);
  const int64_t row_tasks = (mpanels + rows - 1) / rows;
  const int64_t col_tasks = std::min(npanels, std::max<int64_t>(1, (target + row_tasks - 1) / row_tasks));
  const int64_t cols = (npanels + col_tasks - 1) / col_tasks;
  for_blocks(Blocks(row_tasks * col_tasks, 1), [&](int64_t t0, int64_t t1) {
    alignas(32) float tile[kMR * kNR];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i0 = (t / col_tasks) * rows, i1 = std::min(mpanels, i0 + rows);
      const int64_t j0 = (t % col_tasks) * cols, j1 = std::min(npanels, j0 + cols);
      for (int64_t p = 0; p < kblocks; ++p) {
        const int kc = depth(p);
        const float* bp = pb + p * kKC * npanels * kNR;
        const float* ap = pa + p * kKC * mpanels * kMR;
        for (int64_t j = j0; j < j1; ++j) {
          const int nr = static_cast<int>(std::min<int64_t>(kNR, N - j * kNR));
          run_tiles(
              kc, std::min(M, i1 * kMR) - i0 * kMR,
              [&](int64_t i) { return std::pair<const float*, int64_t>(ap + (i0 + i) * kc * kMR, kc); },
              bp + j * kc * kNR, nullptr, c, i0 * kMR, j * kNR, nr, accumulate || p > 0, tile);
        }
      }
    }
  });
}

}  // namespace

void gemm_rows_parallel(int64_t M, int64_t N, int64_t K, const APacker& a, const BPacker& b, const CRows& c,
                        bool accumulate) {
  const int threads = num_threads();
  // Enough tasks to balance uneven progress, each big enough that repacking B per task stays cheap.
  const int64_t target = threads == 1 ? 1 : threads * 4;
  int64_t rows = (M + target - 1) / target;
  rows = std::max<int64_t>(kMC, (rows + kMR - 1) / kMR * kMR);
  const int64_t row_tasks = (M + rows - 1) / rows;
  if (threads > 1 && row_tasks < target && K > 0 && N > 0 && M > 0) {
    // Few rows: pack once, unless B is read in place (then there is nothing to pack).
    const float* probe[kKC];
    if (!b.rows(0, static_cast<int>(std::min<int64_t>(kKC, K)), 0, static_cast<int>(std::min<int64_t>(kNR, N)),
                probe)) {
      gemm_prepacked(M, N, K, a, b, c, accumulate, target);
      return;
    }
  }
  // Few rows: split the columns as well.
  int64_t col_tasks = 1;
  if (row_tasks < target) {
    col_tasks = std::min<int64_t>((target + row_tasks - 1) / row_tasks, (N + kNR - 1) / kNR);
  }
  int64_t cols = (N + col_tasks - 1) / col_tasks;
  cols = (cols + kNR - 1) / kNR * kNR;
  col_tasks = (N + cols - 1) / cols;
  for_blocks(row_tasks * col_tasks, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t m0 = (t / col_tasks) * rows;
      const int64_t n0 = (t % col_tasks) * cols;
      gemm_block(m0, std::min(M, m0 + rows), n0, std::min(N, n0 + cols), 0, K, a, b, c, accumulate);
    }
  });
}

void batch_matmul(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k,
                  int64_t a_batch_stride, int64_t b_batch_stride, bool transpose_a, bool transpose_b) {
  for (int64_t i = 0; i < batch; ++i) {
    StridedA pa(a + i * a_batch_stride, transpose_a ? 1 : k, transpose_a ? m : 1);
    StridedB pb(b + i * b_batch_stride, transpose_b ? 1 : n, transpose_b ? k : 1);
    DenseC pc(c + i * m * n, n);
    gemm_rows_parallel(m, n, k, pa, pb, pc, false);
  }
}

#ifdef TFR_X86
namespace {
// dst[r * kc + k] = a[r + k * cs] for r < mr (<= 8), k < kc - kc % 8: 8x8 blocks loaded (the first mr floats of
// each of 8 depth steps; masked loads read nothing past them), transposed in registers and stored row by row.
// Returns the depth covered.
TFR_TARGET_AVX2_FMA int pack_transposed_avx2(const float* a, int64_t cs, int mr, int kc, float* dst) {
  alignas(32) static const int kLanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes + 8 - mr));
  int k = 0;
  for (; k + 8 <= kc; k += 8) {
    const float* src = a + k * cs;
    __m256 r0 = _mm256_maskload_ps(src, mask), r1 = _mm256_maskload_ps(src + cs, mask);
    __m256 r2 = _mm256_maskload_ps(src + 2 * cs, mask), r3 = _mm256_maskload_ps(src + 3 * cs, mask);
    __m256 r4 = _mm256_maskload_ps(src + 4 * cs, mask), r5 = _mm256_maskload_ps(src + 5 * cs, mask);
    __m256 r6 = _mm256_maskload_ps(src + 6 * cs, mask), r7 = _mm256_maskload_ps(src + 7 * cs, mask);
    const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    const __m256 rows[8] = {_mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20),
                            _mm256_permute2f128_ps(u2, u6, 0x20), _mm256_permute2f128_ps(u3, u7, 0x20),
                            _mm256_permute2f128_ps(u0, u4, 0x31), _mm256_permute2f128_ps(u1, u5, 0x31),
                            _mm256_permute2f128_ps(u2, u6, 0x31), _mm256_permute2f128_ps(u3, u7, 0x31)};
    for (int r = 0; r < mr; ++r) _mm256_storeu_ps(dst + static_cast<int64_t>(r) * kc + k, rows[r]);
  }
  return k;
}
}  // namespace
#endif

void StridedA::pack(int64_t m0, int mr, int64_t k0, int kc, float* dst) const {
  if (rs == 1 && cs != 1) {
    // A transposed in memory (rows contiguous down a column): read the mr rows of each depth step at once.
    int k = 0;
#ifdef TFR_X86
    if (kPackedKernel != kernel_generic<PackedRows>) k = pack_transposed_avx2(a + m0 + k0 * cs, cs, mr, kc, dst);
#endif
    for (; k < kc; ++k) {
      const float* src = a + m0 + (k0 + k) * cs;
      for (int r = 0; r < mr; ++r) dst[static_cast<int64_t>(r) * kc + k] = src[r];
    }
  } else {
    for (int r = 0; r < mr; ++r) {
      const float* src = a + (m0 + r) * rs + k0 * cs;
      float* d = dst + static_cast<int64_t>(r) * kc;
      if (cs == 1) {
        std::memcpy(d, src, sizeof(float) * kc);
      } else {
        for (int k = 0; k < kc; ++k) d[k] = src[k * cs];
      }
    }
  }
  if (mr < kMR) std::memset(dst + static_cast<int64_t>(mr) * kc, 0, sizeof(float) * kc * (kMR - mr));
}

void RowMajorA::pack(int64_t m0, int mr, int64_t k0, int kc, float* dst) const {
  StridedA(a, lda, 1).pack(m0, mr, k0, kc, dst);
}

void StridedB::pack(int64_t k0, int kc, int64_t n0, int nr, float* dst) const {
  for (int k = 0; k < kc; ++k) {
    const float* src = b + (k0 + k) * rs + n0 * cs;
    float* d = dst + k * kNR;
    if (cs == 1) {
      std::memcpy(d, src, sizeof(float) * nr);
    } else {
      for (int j = 0; j < nr; ++j) d[j] = src[j * cs];
    }
    for (int j = nr; j < kNR; ++j) d[j] = 0.f;
  }
}

}  // namespace tfr
