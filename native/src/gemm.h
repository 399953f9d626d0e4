// Blocked single-precision GEMM, C[M,N] (+)= A[M,K] * B[K,N], in the BLIS style: B is packed in KC x NC panels,
// A in MC x KC blocks, and a 6x16 register-tile micro-kernel (AVX2 + FMA where the CPU has them, NEON on arm64,
// portable C++ otherwise) runs over them; with AVX-512, a 12x16 one runs over two tiles at once where it can. A and
// B come through packers, so convolutions feed their operands straight from the image (implicit im2col) instead of
// materialising a patch matrix.
#pragma once
#include <cstdint>

namespace tfr {

constexpr int kMR = 6;    // micro-tile rows
constexpr int kNR = 16;   // micro-tile columns (two 8-float AVX registers)
constexpr int kKC = 256;  // depth of a packed panel
constexpr int kMC = 96;   // rows of A packed at once (a multiple of kMR)
constexpr int kNC = 1024; // columns of B packed at once (a multiple of kNR)

// Writes rows [m0, m0 + mr) (mr <= kMR), depth [k0, k0 + kc) of A as dst[r * kc + k] (each row contiguous, so
// packing copies whole runs); rows past mr are zero.
// Optionally, `rows` instead returns where row m0's depth k0 lies when kMR rows from m0 lie `*lda` floats apart,
// each with its depth contiguous: the micro-kernel then reads them in place and nothing is copied. It returns
// nullptr (and is not used) where that is not so.
struct APacker {
  virtual ~APacker() = default;
  virtual void pack(int64_t m0, int mr, int64_t k0, int kc, float* dst) const = 0;
  virtual const float* rows(int64_t m0, int64_t k0, int64_t* lda) const {
    (void)m0, (void)k0, (void)lda;
    return nullptr;
  }
};

// Writes depth [k0, k0 + kc), columns [n0, n0 + nr) (nr <= kNR) of B as dst[k * kNR + j]; columns past nr are zero.
// Optionally, `rows` instead points at each of the kc rows where its kNR columns already lie contiguous in memory
// (or at kZeroRow): the micro-kernel then reads them in place and nothing is copied. It returns false (and is not
// used) where that is not so.
struct BPacker {
  virtual ~BPacker() = default;
  virtual void pack(int64_t k0, int kc, int64_t n0, int nr, float* dst) const = 0;
  virtual bool rows(int64_t k0, int kc, int64_t n0, int nr, const float** out) const {
    (void)k0, (void)kc, (void)n0, (void)nr, (void)out;
    return false;
  }
};

// kNR zeros, for BPacker::rows to point at where B is zero (padding).
extern const float kZeroRow[kNR];

// Where row m of C lives: columns are contiguous from row(m).
struct CRows {
  virtual ~CRows() = default;
  virtual float* row(int64_t m) const = 0;
};

// C = A * B (or C += A * B when accumulate) on rows [m_begin, m_end), columns [n_begin, n_end), depth
// [k_begin, k_end) only. Runs on the calling thread; the caller splits work across threads.
void gemm_block(int64_t m_begin, int64_t m_end, int64_t n_begin, int64_t n_end, int64_t k_begin, int64_t k_end,
                const APacker& a, const BPacker& b, const CRows& c, bool accumulate);

// C = A * B, split across the thread pool by rows (and by columns too when there are few rows).
void gemm_rows_parallel(int64_t M, int64_t N, int64_t K, const APacker& a, const BPacker& b, const CRows& c,
                        bool accumulate);

// Plain row-major operands: A[m,k] = a[m * a_rs + k * a_cs], B[k,n] = b[k * b_rs + n * b_cs], C[m,n] = c[m * ldc + n].
struct StridedA final : APacker {
  const float* a;
  int64_t rs, cs;
  StridedA(const float* a_, int64_t rs_, int64_t cs_) : a(a_), rs(rs_), cs(cs_) {}
  void pack(int64_t m0, int mr, int64_t k0, int kc, float* dst) const override;
};
// A[m,k] = a[m * lda + k], read in place by the micro-kernel (packed only for a last, partial micro-panel): for
// operands laid out as packed rows already, such as Winograd's transformed input tiles.
struct RowMajorA final : APacker {
  const float* a;
  int64_t lda;
  RowMajorA(const float* a_, int64_t lda_) : a(a_), lda(lda_) {}
  void pack(int64_t m0, int mr, int64_t k0, int kc, float* dst) const override;
  const float* rows(int64_t m0, int64_t k0, int64_t* ld) const override {
    *ld = lda;
    return a + m0 * lda + k0;
  }
};
struct StridedB final : BPacker {
  const float* b;
  int64_t rs, cs;
  StridedB(const float* b_, int64_t rs_, int64_t cs_) : b(b_), rs(rs_), cs(cs_) {}
  void pack(int64_t k0, int kc, int64_t n0, int nr, float* dst) const override;
};
struct DenseC final : CRows {
  float* c;
  int64_t ldc;
  DenseC(float* c_, int64_t ldc_) : c(c_), ldc(ldc_) {}
  float* row(int64_t m) const override { return c + m * ldc; }
};

// For each batch item i: c[i] (m x n, row-major) = op(a[i]) * op(b[i]), where a[i] = a + i * a_batch_stride is
// m x k (k x m when transpose_a) and b[i] = b + i * b_batch_stride is k x n (n x k when transpose_b); a batch
// stride of 0 broadcasts that operand. Each product is split across the thread pool (gemm_rows_parallel).
void batch_matmul(const float* a, const float* b, float* c, int64_t batch, int64_t m, int64_t n, int64_t k,
                  int64_t a_batch_stride, int64_t b_batch_stride, bool transpose_a, bool transpose_b);

// Which micro-kernel runs: "avx512f" (x86-64 with AVX-512F: 12x16 tiles by AVX-512, the rest by AVX2), "avx2-fma"
// (x86-64 with AVX2 + FMA, or AVX-512 with TFJS_RESTORATION_GEMM=avx2), "neon" (arm64) or "generic".
const char* gemm_kernel_name();

// Whether the AVX2 paths run (x86-64 with AVX2 + FMA, AVX-512 CPUs included, not forced to the portable kernels by
// TFJS_RESTORATION_GEMM=generic): the one switch every kernel with an AVX2 variant asks.
bool use_avx2();

}  // namespace tfr
