// Stand-alone check of the GEMM (no Node): the micro-kernel this build picks (AVX-512, AVX2/FMA, NEON or generic; set
// TFJS_RESTORATION_GEMM=generic for the portable one, =avx2 for AVX2 on an AVX-512 CPU) against a plain triple loop,
// on shapes with edge tiles, several depth blocks, accumulation, A stored transposed or read in place (RowMajorA) and
// B read in place. native/check-portability.sh builds it natively, with AVX-512 emulated (SIMDe), and for arm64 (run
// under qemu-aarch64 when installed). Prints the kernel's name and, last, a hash of every result's bits (two kernels
// that sum in the same order print the same); exits 1 on a mismatch.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../src/gemm.h"

namespace {

// FNV-1a over the bits of every result.
uint64_t bits_hash = 14695981039346656037ull;
void hash_floats(const std::vector<float>& v) {
  for (float f : v) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    for (int i = 0; i < 4; ++i) bits_hash = (bits_hash ^ ((u >> (8 * i)) & 0xFF)) * 1099511628211ull;
  }
}

// B read in place where its rows are contiguous (cs == 1), packed otherwise: exercises both micro-kernel forms.
struct InPlaceB final : tfr::BPacker {
  tfr::StridedB inner;
  explicit InPlaceB(const float* b, int64_t rs) : inner(b, rs, 1) {}
  void pack(int64_t k0, int kc, int64_t n0, int nr, float* dst) const override { inner.pack(k0, kc, n0, nr, dst); }
  bool rows(int64_t k0, int kc, int64_t n0, int nr, const float** out) const override {
    if (nr != tfr::kNR) return false;
    for (int k = 0; k < kc; ++k) out[k] = inner.b + (k0 + k) * inner.rs + n0;
    return true;
  }
};

// A's layout: 0 row-major, packed; 1 transposed, packed; 2 row-major, read in place.
bool check(int64_t M, int64_t N, int64_t K, bool in_place, bool accumulate, int layout) {
  std::vector<float> a(M * K), at(K * M), b(K * N), c(M * N), ref(M * N);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>((i * 37) % 101) / 101.f - 0.5f;
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t k = 0; k < K; ++k) at[k * M + m] = a[m * K + k];
  }
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>((i * 53) % 97) / 97.f - 0.5f;
  for (size_t i = 0; i < c.size(); ++i) c[i] = ref[i] = accumulate ? static_cast<float>(i % 7) : 0.f;
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k) s += static_cast<double>(a[m * K + k]) * b[k * N + n];
      ref[m * N + n] += static_cast<float>(s);
    }
  }
  const tfr::StridedA sa = layout == 1 ? tfr::StridedA(at.data(), 1, M) : tfr::StridedA(a.data(), K, 1);
  const tfr::RowMajorA ra(a.data(), K);
  const tfr::APacker& pa = layout == 2 ? static_cast<const tfr::APacker&>(ra) : sa;
  tfr::StridedB pb(b.data(), N, 1);
  InPlaceB ib(b.data(), N);
  tfr::DenseC pc(c.data(), N);
  tfr::gemm_rows_parallel(M, N, K, pa, in_place ? static_cast<const tfr::BPacker&>(ib) : pb, pc, accumulate);
  hash_floats(c);
  double worst = 0;
  for (size_t i = 0; i < c.size(); ++i) worst = std::fmax(worst, std::fabs(c[i] - ref[i]) / (1.0 + std::fabs(ref[i])));
  const bool ok = worst < 1e-4;
  std::printf("%s M=%lld N=%lld K=%lld in_place=%d accumulate=%d layout=%d: max rel. error %.2g\n",
              ok ? "ok  " : "FAIL", static_cast<long long>(M), static_cast<long long>(N), static_cast<long long>(K),
              in_place, accumulate, layout, worst);
  return ok;
}

}  // namespace

int main() {
  std::printf("micro-kernel: %s\n", tfr::gemm_kernel_name());
  bool ok = true;
  // 12 rows and more: pairs of full micro-tiles for the AVX-512 kernel, beside single and edge tiles.
  const int64_t shapes[][3] = {{1, 1, 1},     {6, 16, 7},    {13, 37, 300}, {100, 64, 513},
                               {200, 130, 64}, {7, 1100, 20}, {12, 16, 5},   {30, 48, 260}};
  for (const auto& s : shapes) {
    for (int in_place = 0; in_place < 2; ++in_place) {
      for (int acc = 0; acc < 2; ++acc) {
        for (int t = 0; t < 3; ++t) ok = check(s[0], s[1], s[2], in_place != 0, acc != 0, t) && ok;
      }
    }
  }
  std::printf("%s; result bits %016llx\n", ok ? "all ok" : "MISMATCH", static_cast<unsigned long long>(bits_hash));
  return ok ? 0 : 1;
}
