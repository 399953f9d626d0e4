#include "winograd.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "portable.h"
#include "thread_pool.h"

namespace tfr {
namespace {

std::atomic<int> g_algorithm{static_cast<int>(ConvAlgorithm::kAuto)};

// Scratch slots (conv.h's scratch) this file uses; the filter gradient's products and sums use the V, M and U slots,
// and conv.cc's implicit-GEMM filter gradient the low slots too, never at the same time.
constexpr size_t kSlotV = 0, kSlotM = 1, kSlotU = 2, kSlotZeros = 4;

// Transformed inputs and products are made and used a chunk of tiles at a time: about this many floats for both,
// so they stay in the last-level cache between the transforms and the GEMMs, and memory stays small.
constexpr int64_t kChunkFloats = int64_t{1} << 20;

// A stride-1 3x3 convolution: input [batch, in_h, in_w, C] (NHWC), output [batch, out_h, out_w, K]; output pixel
// (oh, ow) reads input pixels (oh - pad_top + i, ow - pad_left + j), i, j in 0..2 (zero outside the image).
struct Problem {
  int64_t batch, in_h, in_w, C;
  int64_t out_h, out_w, K;
  int64_t pad_top, pad_left;
  // Output blocks of m x m pixels (2 for F(2x2, 3x3), 4 for F(4x4, 3x3)).
  int64_t tiles_h(int m = 2) const { return (out_h + m - 1) / m; }
  int64_t tiles_w(int m = 2) const { return (out_w + m - 1) / m; }
  int64_t tiles(int m = 2) const { return batch * tiles_h(m) * tiles_w(m); }
};

// Output channels rounded up to whole kNR-column panels.
int64_t padded(int64_t K) { return (K + kNR - 1) / kNR * kNR; }

// ---- filter: U_p[c][k] (p = 4 i + j) = (G g G^T)[i][j], g[a][b] = w[(3 a + b) * C * K + c * K + k],
// G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]. Stored as the GEMM's packed B panels, so it reads them in place:
// U_p[c][k] at u[p * C * Kp + (k / kNR) * C * kNR + c * kNR + k % kNR] (Kp = padded(K); zeros past K). A panel's
// kNR columns at a time through local arrays, which compilers vectorize; written once, compiled twice (portable and
// AVX2 without FMA, so the same bits): for 512 channels the transform took as long as the GEMMs it feeds.
//
// With kFlipped, g is the filter of the input gradient, read from the forward filter w (K input and C output
// channels) as g[a][b] = w[(8 - 3 a - b) * K * C + k * C + c] (rotated half a turn, channels swapped), with no pass
// of its own: a block of 64 c reads each (tap, k) row's 64 floats across 64 iterations, from L1.

// The 9 taps of input channel c for the kNR output channels of panel `panel` (zeros past K): g[t][l] for tap t.
template <bool kFlipped>
TFR_ALWAYS_INLINE void load_taps(const float* w, int64_t C, int64_t K, int64_t k0, int n, int64_t c,
                                 float (&g)[9][kNR]) {
  constexpr int L = kNR;
  const int64_t CK = C * K;
  for (int t = 0; t < 9; ++t) {
    if (kFlipped) {
      const float* src = w + (8 - t) * CK + k0 * C + c;
      for (int l = 0; l < L; ++l) g[t][l] = l < n ? src[l * C] : 0.f;
      continue;
    }
    const float* src = w + t * CK + c * K + k0;
    if (n == L) {
      for (int l = 0; l < L; ++l) g[t][l] = src[l];
    } else {
      for (int l = 0; l < L; ++l) g[t][l] = l < n ? src[l] : 0.f;
    }
  }
}

// G's rows applied to one column (a0, a1, a2) of taps, h[i * step] for i < M + 2: F(2x2, 3x3)'s G above.
TFR_ALWAYS_INLINE void g4(float a0, float a1, float a2, float* h, int step) {
  h[0] = a0;
  h[step] = 0.5f * (a0 + a1 + a2);
  h[2 * step] = 0.5f * (a0 - a1 + a2);
  h[3 * step] = a2;
}

// F(4x4, 3x3) from the interpolation points 0, -1, 1, 1/2, -2 and infinity: in float32 its error against float64
// is about half that of Lavin and Gray's 0, 1, -1, 2, -2 (simulated over 64 channels: 1.4e-6 against 2.6e-6 of the
// largest output on average, 4.2e-6 against 1.3e-5 at worst; F(2x2, 3x3) 0.3e-6), for a few more additions in the
// input transform. The filter's: U_p (p = 6 i + j) = (G g G^T)[i][j], G = [1 0 0; -1/3 1/3 -1/3; 1/3 1/3 1/3;
// -16/15 -8/15 -4/15; 1/15 -2/15 4/15; 0 0 1], in transform_filter's panel layout (36 positions).
TFR_ALWAYS_INLINE void g6(float a0, float a1, float a2, float* h, int step) {
  const float s = a0 + a2;
  h[0] = a0;
  h[step] = (a1 - s) * (1.f / 3.f);
  h[2 * step] = (s + a1) * (1.f / 3.f);
  h[3 * step] = ((4.f * a0 + 2.f * a1) + a2) * (-4.f / 15.f);
  h[4 * step] = ((a0 + 4.f * a2) - 2.f * a1) * (1.f / 15.f);
  h[5 * step] = a2;
}

template <int M>
TFR_ALWAYS_INLINE void g_rows(float a0, float a1, float a2, float* h, int step) {
  if (M == 2) {
    g4(a0, a1, a2, h, step);
  } else {
    g6(a0, a1, a2, h, step);
  }
}

// Rows [c0, c1) of panel `panel` of F(M x M, 3x3)'s U_p = G g G^T for every position p ((M + 2)^2 of them) at
// out[p * pos_stride + (c - c0) * kNR + l]: G down each column of taps, then along each row.
template <int M, bool kFlipped>
TFR_ALWAYS_INLINE void filter_rows(const float* w, int64_t C, int64_t K, int64_t panel, int64_t c0, int64_t c1,
                                   float* out, int64_t pos_stride) {
  constexpr int L = kNR, A = M + 2;
  const int64_t k0 = panel * kNR;
  const int n = static_cast<int>(std::min<int64_t>(L, K - k0));
  for (int64_t c = c0; c < c1; ++c) {
    float g[9][L];
    load_taps<kFlipped>(w, C, K, k0, n, c, g);
    float h[A][3][L];
    for (int b = 0; b < 3; ++b) {
      for (int l = 0; l < L; ++l) {
        float r[A];
        g_rows<M>(g[b][l], g[3 + b][l], g[6 + b][l], r, 1);
        for (int i = 0; i < A; ++i) h[i][b][l] = r[i];
      }
    }
    float* dst = out + (c - c0) * kNR;
    for (int i = 0; i < A; ++i) {
      float r[A][L];
      for (int l = 0; l < L; ++l) {
        float q[A];
        g_rows<M>(h[i][0][l], h[i][1][l], h[i][2][l], q, 1);
        for (int j = 0; j < A; ++j) r[j][l] = q[j];
      }
      for (int j = 0; j < A; ++j) {
        float* d = dst + (A * i + j) * pos_stride;
        for (int l = 0; l < L; ++l) d[l] = r[j][l];
      }
    }
  }
}

// filter_rows compiled portable and for AVX2 (without FMA, so the same bits).
template <int M, bool kFlipped>
void filter_rows_generic(const float* w, int64_t C, int64_t K, int64_t panel, int64_t c0, int64_t c1, float* out,
                         int64_t pos_stride) {
  filter_rows<M, kFlipped>(w, C, K, panel, c0, c1, out, pos_stride);
}

#ifdef TFR_X86
template <int M, bool kFlipped>
TFR_TARGET_AVX2 void filter_rows_avx2(const float* w, int64_t C, int64_t K, int64_t panel, int64_t c0, int64_t c1,
                                      float* out, int64_t pos_stride) {
  filter_rows<M, kFlipped>(w, C, K, panel, c0, c1, out, pos_stride);
}
#endif

template <int M, bool kFlipped>
void filter_panel_rows(const float* w, int64_t C, int64_t K, int64_t panel, int64_t c0, int64_t c1, float* out,
                       int64_t pos_stride) {
#ifdef TFR_X86
  if (use_avx2()) {
    filter_rows_avx2<M, kFlipped>(w, C, K, panel, c0, c1, out, pos_stride);
    return;
  }
#endif
  filter_rows_generic<M, kFlipped>(w, C, K, panel, c0, c1, out, pos_stride);
}

// U for the C x K filter w (3 x 3 x C x K), or with kFlipped for the input gradient of the forward filter w
// (3 x 3 x K x C): see filter_rows.
template <int M, bool kFlipped>
void transform_filter(const float* w, int64_t C, int64_t K, float* u) {
  const int64_t panels = padded(K) / kNR;
  // One task per panel and block of 64 c: each writes a sequential run per position.
  constexpr int64_t kRowsPerTask = 64;
  const int64_t c_blocks = (C + kRowsPerTask - 1) / kRowsPerTask;
  for_blocks(Blocks(panels * c_blocks, 1), [&](int64_t b0, int64_t b1) {
    for (int64_t task = b0; task < b1; ++task) {
      const int64_t panel = task / c_blocks, cb = task % c_blocks;
      const int64_t c0 = cb * kRowsPerTask, c1 = std::min(C, c0 + kRowsPerTask);
      filter_panel_rows<M, kFlipped>(w, C, K, panel, c0, c1, u + panel * C * kNR + c0 * kNR, C * padded(K));
    }
  });
}

// ---- input tile: v[p * ld + c] = (B^T d B)[i][j] (p = 4 i + j) over the 4x4 pixels d[4 i' + j'] (C channels each),
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
void input_tile_generic(const float* const* d, float* v, int64_t C, int64_t ld, int64_t c_begin) {
  for (int64_t c = c_begin; c < C; ++c) {
    float t[16];
    for (int j = 0; j < 4; ++j) {
      const float x0 = d[j][c], x1 = d[4 + j][c], x2 = d[8 + j][c], x3 = d[12 + j][c];
      t[j] = x0 - x2;
      t[4 + j] = x1 + x2;
      t[8 + j] = x2 - x1;
      t[12 + j] = x1 - x3;
    }
    for (int i = 0; i < 4; ++i) {
      v[(4 * i) * ld + c] = t[4 * i] - t[4 * i + 2];
      v[(4 * i + 1) * ld + c] = t[4 * i + 1] + t[4 * i + 2];
      v[(4 * i + 2) * ld + c] = t[4 * i + 2] - t[4 * i + 1];
      v[(4 * i + 3) * ld + c] = t[4 * i + 1] - t[4 * i + 3];
    }
  }
}

// The fused activation of the output transforms.
TFR_ALWAYS_INLINE float activate(float v, Activation act) {
  if (act == Activation::kRelu) return v > 0.f ? v : 0.f;
  if (act == Activation::kRelu6) return std::min(6.f, std::max(0.f, v));
  return v;
}

// ---- output tile: y[q][k] = act((A^T m A)[q / 2][q % 2] + bias[k]) over the 16 products m[p * K + k],
// A^T = [1 1 1 0; 0 1 -1 -1]; y[q] is null where that output pixel lies outside the image.
void output_tile_generic(const float* m, int64_t K, float* const* y, const float* bias, Activation act,
                         int64_t k_begin) {
  for (int64_t k = k_begin; k < K; ++k) {
    float u0[4], u1[4];
    for (int j = 0; j < 4; ++j) {
      const float a = m[j * K + k], b = m[(4 + j) * K + k], c = m[(8 + j) * K + k], d = m[(12 + j) * K + k];
      u0[j] = a + b + c;
      u1[j] = b - c - d;
    }
    const float r[4] = {u0[0] + u0[1] + u0[2], u0[1] - u0[2] - u0[3], u1[0] + u1[1] + u1[2],
                        u1[1] - u1[2] - u1[3]};
    const float add = bias != nullptr ? bias[k] : 0.f;
    for (int q = 0; q < 4; ++q) {
      if (y[q] != nullptr) y[q][k] = activate(r[q] + add, act);
    }
  }
}

// ---- filter gradient, dy tile: e[p * ld + k] = (G' g G'^T)[i][j] (p = 4 i + j) over the 2x2 dy pixels
// g[2 r + s] (K channels each), G' = [1 0; 1/2 1/2; 1/2 -1/2; 0 -1]: with B^T above and A^T below, F(3x3, 2x2)
// computes the 3x3 correlation of a 4x4 input block with a 2x2 dy block.
void dy_tile_generic(const float* const* g, float* e, int64_t K, int64_t ld, int64_t k_begin) {
  for (int64_t k = k_begin; k < K; ++k) {
    float h[4][2];
    for (int s = 0; s < 2; ++s) {
      const float g0 = g[s][k], g1 = g[2 + s][k];
      h[0][s] = g0;
      h[1][s] = (g0 + g1) * 0.5f;
      h[2][s] = (g0 - g1) * 0.5f;
      h[3][s] = -g1;
    }
    for (int i = 0; i < 4; ++i) {
      e[(4 * i) * ld + k] = h[i][0];
      e[(4 * i + 1) * ld + k] = (h[i][0] + h[i][1]) * 0.5f;
      e[(4 * i + 2) * ld + k] = (h[i][0] - h[i][1]) * 0.5f;
      e[(4 * i + 3) * ld + k] = -h[i][1];
    }
  }
}

// ---- filter gradient, output: dw[(3 i + j) * CK + x] = (A^T m A)[i][j] over the 16 summed products
// m[p * CK + x], A^T = [1 1 1 0; 0 1 -1 0; 0 1 1 1], for the flat (c, k) indices x in [x_begin, x_end).
void filter_output_generic(const float* m, int64_t CK, float* dw, int64_t x_begin, int64_t x_end) {
  for (int64_t x = x_begin; x < x_end; ++x) {
    float u[3][4];
    for (int j = 0; j < 4; ++j) {
      const float a = m[j * CK + x], b = m[(4 + j) * CK + x], c = m[(8 + j) * CK + x], d = m[(12 + j) * CK + x];
      u[0][j] = a + b + c;
      u[1][j] = b - c;
      u[2][j] = b + c + d;
    }
    for (int i = 0; i < 3; ++i) {
      dw[(3 * i) * CK + x] = u[i][0] + u[i][1] + u[i][2];
      dw[(3 * i + 1) * CK + x] = u[i][1] - u[i][2];
      dw[(3 * i + 2) * CK + x] = u[i][1] + u[i][2] + u[i][3];
    }
  }
}

#ifdef TFR_X86
// activate, eight channels at a time.
TFR_TARGET_AVX2 TFR_ALWAYS_INLINE __m256 activate_avx2(__m256 v, Activation act) {
  if (act == Activation::kRelu) return _mm256_max_ps(v, _mm256_setzero_ps());
  if (act == Activation::kRelu6) return _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.f));
  return v;
}

// The same transforms eight channels at a time (the same additions in the same order, so the same bits).
TFR_TARGET_AVX2_FMA void input_tile_avx2(const float* const* d, float* v, int64_t C, int64_t ld) {
  int64_t c = 0;
  for (; c + 8 <= C; c += 8) {
    __m256 t[16];
    for (int j = 0; j < 4; ++j) {
      const __m256 x0 = _mm256_loadu_ps(d[j] + c), x1 = _mm256_loadu_ps(d[4 + j] + c);
      const __m256 x2 = _mm256_loadu_ps(d[8 + j] + c), x3 = _mm256_loadu_ps(d[12 + j] + c);
      t[j] = _mm256_sub_ps(x0, x2);
      t[4 + j] = _mm256_add_ps(x1, x2);
      t[8 + j] = _mm256_sub_ps(x2, x1);
      t[12 + j] = _mm256_sub_ps(x1, x3);
    }
    for (int i = 0; i < 4; ++i) {
      _mm256_storeu_ps(v + (4 * i) * ld + c, _mm256_sub_ps(t[4 * i], t[4 * i + 2]));
      _mm256_storeu_ps(v + (4 * i + 1) * ld + c, _mm256_add_ps(t[4 * i + 1], t[4 * i + 2]));
      _mm256_storeu_ps(v + (4 * i + 2) * ld + c, _mm256_sub_ps(t[4 * i + 2], t[4 * i + 1]));
      _mm256_storeu_ps(v + (4 * i + 3) * ld + c, _mm256_sub_ps(t[4 * i + 1], t[4 * i + 3]));
    }
  }
  input_tile_generic(d, v, C, ld, c);
}

TFR_TARGET_AVX2_FMA void output_tile_avx2(const float* m, int64_t K, float* const* y, const float* bias,
                                          Activation act) {
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) {
    __m256 u0[4], u1[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 a = _mm256_loadu_ps(m + j * K + k), b = _mm256_loadu_ps(m + (4 + j) * K + k);
      const __m256 c = _mm256_loadu_ps(m + (8 + j) * K + k), d = _mm256_loadu_ps(m + (12 + j) * K + k);
      u0[j] = _mm256_add_ps(_mm256_add_ps(a, b), c);
      u1[j] = _mm256_sub_ps(_mm256_sub_ps(b, c), d);
    }
    __m256 r[4] = {_mm256_add_ps(_mm256_add_ps(u0[0], u0[1]), u0[2]),
                   _mm256_sub_ps(_mm256_sub_ps(u0[1], u0[2]), u0[3]),
                   _mm256_add_ps(_mm256_add_ps(u1[0], u1[1]), u1[2]),
                   _mm256_sub_ps(_mm256_sub_ps(u1[1], u1[2]), u1[3])};
    const __m256 add = bias != nullptr ? _mm256_loadu_ps(bias + k) : _mm256_setzero_ps();
    for (int q = 0; q < 4; ++q) {
      if (y[q] != nullptr) _mm256_storeu_ps(y[q] + k, activate_avx2(_mm256_add_ps(r[q], add), act));
    }
  }
  output_tile_generic(m, K, y, bias, act, k);
}

TFR_TARGET_AVX2_FMA void dy_tile_avx2(const float* const* g, float* e, int64_t K, int64_t ld) {
  const __m256 half = _mm256_set1_ps(0.5f), sign = _mm256_set1_ps(-0.f);
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) {
    __m256 h[4][2];
    for (int s = 0; s < 2; ++s) {
      const __m256 g0 = _mm256_loadu_ps(g[s] + k), g1 = _mm256_loadu_ps(g[2 + s] + k);
      h[0][s] = g0;
      h[1][s] = _mm256_mul_ps(_mm256_add_ps(g0, g1), half);
      h[2][s] = _mm256_mul_ps(_mm256_sub_ps(g0, g1), half);
      h[3][s] = _mm256_xor_ps(g1, sign);
    }
    for (int i = 0; i < 4; ++i) {
      _mm256_storeu_ps(e + (4 * i) * ld + k, h[i][0]);
      _mm256_storeu_ps(e + (4 * i + 1) * ld + k, _mm256_mul_ps(_mm256_add_ps(h[i][0], h[i][1]), half));
      _mm256_storeu_ps(e + (4 * i + 2) * ld + k, _mm256_mul_ps(_mm256_sub_ps(h[i][0], h[i][1]), half));
      _mm256_storeu_ps(e + (4 * i + 3) * ld + k, _mm256_xor_ps(h[i][1], sign));
    }
  }
  dy_tile_generic(g, e, K, ld, k);
}

TFR_TARGET_AVX2_FMA void filter_output_avx2(const float* m, int64_t CK, float* dw, int64_t x_begin, int64_t x_end) {
  int64_t x = x_begin;
  for (; x + 8 <= x_end; x += 8) {
    __m256 u[3][4];
    for (int j = 0; j < 4; ++j) {
      const __m256 a = _mm256_loadu_ps(m + j * CK + x), b = _mm256_loadu_ps(m + (4 + j) * CK + x);
      const __m256 c = _mm256_loadu_ps(m + (8 + j) * CK + x), d = _mm256_loadu_ps(m + (12 + j) * CK + x);
      u[0][j] = _mm256_add_ps(_mm256_add_ps(a, b), c);
      u[1][j] = _mm256_sub_ps(b, c);
      u[2][j] = _mm256_add_ps(_mm256_add_ps(b, c), d);
    }
    for (int i = 0; i < 3; ++i) {
      _mm256_storeu_ps(dw + (3 * i) * CK + x, _mm256_add_ps(_mm256_add_ps(u[i][0], u[i][1]), u[i][2]));
      _mm256_storeu_ps(dw + (3 * i + 1) * CK + x, _mm256_sub_ps(u[i][1], u[i][2]));
      _mm256_storeu_ps(dw + (3 * i + 2) * CK + x, _mm256_add_ps(_mm256_add_ps(u[i][1], u[i][2]), u[i][3]));
    }
  }
  filter_output_generic(m, CK, dw, x, x_end);
}
#endif

void input_tile(const float* const* d, float* v, int64_t C, int64_t ld) {
#ifdef TFR_X86
  if (use_avx2()) {
    input_tile_avx2(d, v, C, ld);
    return;
  }
#endif
  input_tile_generic(d, v, C, ld, 0);
}

void output_tile(const float* m, int64_t K, float* const* y, const float* bias, Activation act) {
#ifdef TFR_X86
  if (use_avx2()) {
    output_tile_avx2(m, K, y, bias, act);
    return;
  }
#endif
  output_tile_generic(m, K, y, bias, act, 0);
}

void dy_tile(const float* const* g, float* e, int64_t K, int64_t ld) {
#ifdef TFR_X86
  if (use_avx2()) {
    dy_tile_avx2(g, e, K, ld);
    return;
  }
#endif
  dy_tile_generic(g, e, K, ld, 0);
}

void filter_output(const float* m, int64_t CK, float* dw, int64_t x_begin, int64_t x_end) {
#ifdef TFR_X86
  if (use_avx2()) {
    filter_output_avx2(m, CK, dw, x_begin, x_end);
    return;
  }
#endif
  filter_output_generic(m, CK, dw, x_begin, x_end);
}

// ---- F(4x4, 3x3) input tile: v[p * ld + c] = (B^T d B)[i][j] (p = 6 i + j) over the 6x6 pixels d[6 i' + j'],
// B^T = [1 -3/2 -2 3/2 1 0; 0 1 -5/2 1/2 1 0; 0 -1 1/2 5/2 1 0; 0 -2 -1 2 1 0; 0 1/2 -1 -1/2 1 0;
// 0 1 -3/2 -2 3/2 1].
TFR_ALWAYS_INLINE void bt6(const float* x, float* r) {
  const float a = x[4] - x[2];
  r[0] = ((x[0] + x[4]) - 2.f * x[2]) + 1.5f * (x[3] - x[1]);
  r[1] = (x[1] + x[4]) + (0.5f * x[3] - 2.5f * x[2]);
  r[2] = (x[4] - x[1]) + (2.5f * x[3] + 0.5f * x[2]);
  r[3] = a + 2.f * (x[3] - x[1]);
  r[4] = a + 0.5f * (x[1] - x[3]);
  r[5] = ((x[1] + x[5]) - 2.f * x[3]) + 1.5f * a;
}

void input_tile43_generic(const float* const* d, float* v, int64_t C, int64_t ld, int64_t c_begin) {
  for (int64_t c = c_begin; c < C; ++c) {
    float t[6][6];
    for (int j = 0; j < 6; ++j) {
      float x[6], r[6];
      for (int i = 0; i < 6; ++i) x[i] = d[6 * i + j][c];
      bt6(x, r);
      for (int i = 0; i < 6; ++i) t[i][j] = r[i];
    }
    for (int i = 0; i < 6; ++i) {
      float r[6];
      bt6(t[i], r);
      for (int j = 0; j < 6; ++j) v[(6 * i + j) * ld + c] = r[j];
    }
  }
}

// ---- F(4x4, 3x3) output tile: y[4 i + j][k] = act((A^T m A)[i][j] + bias[k]) over the 36 products m[p * K + k],
// A^T = [1 1 1 1 1 0; 0 -1 1 1/2 -2 0; 0 1 1 1/4 4 0; 0 -1 1 1/8 -8 1]; y[q] is null outside the image.
TFR_ALWAYS_INLINE void at4(const float* x, float* r) {
  const float s = x[1] + x[2], d = x[2] - x[1];
  r[0] = (x[0] + s) + (x[3] + x[4]);
  r[1] = d + (0.5f * x[3] - 2.f * x[4]);
  r[2] = s + (0.25f * x[3] + 4.f * x[4]);
  r[3] = (d + (0.125f * x[3] - 8.f * x[4])) + x[5];
}

void output_tile43_generic(const float* m, int64_t K, float* const* y, const float* bias, Activation act,
                           int64_t k_begin) {
  for (int64_t k = k_begin; k < K; ++k) {
    float u[4][6];
    for (int j = 0; j < 6; ++j) {
      float x[6], r[4];
      for (int i = 0; i < 6; ++i) x[i] = m[(6 * i + j) * K + k];
      at4(x, r);
      for (int i = 0; i < 4; ++i) u[i][j] = r[i];
    }
    const float add = bias != nullptr ? bias[k] : 0.f;
    for (int i = 0; i < 4; ++i) {
      float r[4];
      at4(u[i], r);
      for (int j = 0; j < 4; ++j) {
        if (y[4 * i + j] != nullptr) y[4 * i + j][k] = activate(r[j] + add, act);
      }
    }
  }
}

#ifdef TFR_X86
// The same F(4x4, 3x3) transforms eight channels at a time: the same operations in the same order (no FMA), so the
// same bits.
TFR_TARGET_AVX2 TFR_ALWAYS_INLINE void bt6_avx2(const __m256* x, __m256* r) {
  const __m256 two = _mm256_set1_ps(2.f), half = _mm256_set1_ps(0.5f), h3 = _mm256_set1_ps(1.5f);
  const __m256 h5 = _mm256_set1_ps(2.5f);
  const __m256 a = _mm256_sub_ps(x[4], x[2]);
  r[0] = _mm256_add_ps(_mm256_sub_ps(_mm256_add_ps(x[0], x[4]), _mm256_mul_ps(two, x[2])),
                       _mm256_mul_ps(h3, _mm256_sub_ps(x[3], x[1])));
  r[1] = _mm256_add_ps(_mm256_add_ps(x[1], x[4]), _mm256_sub_ps(_mm256_mul_ps(half, x[3]), _mm256_mul_ps(h5, x[2])));
  r[2] = _mm256_add_ps(_mm256_sub_ps(x[4], x[1]), _mm256_add_ps(_mm256_mul_ps(h5, x[3]), _mm256_mul_ps(half, x[2])));
  r[3] = _mm256_add_ps(a, _mm256_mul_ps(two, _mm256_sub_ps(x[3], x[1])));
  r[4] = _mm256_add_ps(a, _mm256_mul_ps(half, _mm256_sub_ps(x[1], x[3])));
  r[5] = _mm256_add_ps(_mm256_sub_ps(_mm256_add_ps(x[1], x[5]), _mm256_mul_ps(two, x[3])), _mm256_mul_ps(h3, a));
}

TFR_TARGET_AVX2 void input_tile43_avx2(const float* const* d, float* v, int64_t C, int64_t ld) {
  int64_t c = 0;
  for (; c + 8 <= C; c += 8) {
    __m256 t[6][6];
    for (int j = 0; j < 6; ++j) {
      __m256 x[6], r[6];
      for (int i = 0; i < 6; ++i) x[i] = _mm256_loadu_ps(d[6 * i + j] + c);
      bt6_avx2(x, r);
      for (int i = 0; i < 6; ++i) t[i][j] = r[i];
    }
    for (int i = 0; i < 6; ++i) {
      __m256 r[6];
      bt6_avx2(t[i], r);
      for (int j = 0; j < 6; ++j) _mm256_storeu_ps(v + (6 * i + j) * ld + c, r[j]);
    }
  }
  input_tile43_generic(d, v, C, ld, c);
}

TFR_TARGET_AVX2 TFR_ALWAYS_INLINE void at4_avx2(const __m256* x, __m256* r) {
  const __m256 s = _mm256_add_ps(x[1], x[2]), d = _mm256_sub_ps(x[2], x[1]);
  r[0] = _mm256_add_ps(_mm256_add_ps(x[0], s), _mm256_add_ps(x[3], x[4]));
  r[1] = _mm256_add_ps(d, _mm256_sub_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x[3]),
                                        _mm256_mul_ps(_mm256_set1_ps(2.f), x[4])));
  r[2] = _mm256_add_ps(s, _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(0.25f), x[3]),
                                        _mm256_mul_ps(_mm256_set1_ps(4.f), x[4])));
  r[3] = _mm256_add_ps(_mm256_add_ps(d, _mm256_sub_ps(_mm256_mul_ps(_mm256_set1_ps(0.125f), x[3]),
                                                      _mm256_mul_ps(_mm256_set1_ps(8.f), x[4]))),
                       x[5]);
}

TFR_TARGET_AVX2 void output_tile43_avx2(const float* m, int64_t K, float* const* y, const float* bias,
                                        Activation act) {
  int64_t k = 0;
  for (; k + 8 <= K; k += 8) {
    __m256 u[4][6];
    for (int j = 0; j < 6; ++j) {
      __m256 x[6], r[4];
      for (int i = 0; i < 6; ++i) x[i] = _mm256_loadu_ps(m + (6 * i + j) * K + k);
      at4_avx2(x, r);
      for (int i = 0; i < 4; ++i) u[i][j] = r[i];
    }
    const __m256 add = bias != nullptr ? _mm256_loadu_ps(bias + k) : _mm256_setzero_ps();
    for (int i = 0; i < 4; ++i) {
      __m256 r[4];
      at4_avx2(u[i], r);
      for (int j = 0; j < 4; ++j) {
        if (y[4 * i + j] != nullptr) _mm256_storeu_ps(y[4 * i + j] + k, activate_avx2(_mm256_add_ps(r[j], add), act));
      }
    }
  }
  output_tile43_generic(m, K, y, bias, act, k);
}
#endif

// The input and output transforms of F(M x M, 3x3), M = 2 or 4: the AVX2 code where it runs.
template <int M>
void input_tile_m(const float* const* d, float* v, int64_t C, int64_t ld) {
  if (M == 2) {
    input_tile(d, v, C, ld);
    return;
  }
#ifdef TFR_X86
  if (use_avx2()) {
    input_tile43_avx2(d, v, C, ld);
    return;
  }
#endif
  input_tile43_generic(d, v, C, ld, 0);
}

template <int M>
void output_tile_m(const float* m, int64_t K, float* const* y, const float* bias, Activation act) {
  if (M == 2) {
    output_tile(m, K, y, bias, act);
    return;
  }
#ifdef TFR_X86
  if (use_avx2()) {
    output_tile43_avx2(m, K, y, bias, act);
    return;
  }
#endif
  output_tile43_generic(m, K, y, bias, act, 0);
}

// One position's transformed filter as B, read in place: rows [k_origin, ...) of panels from n_origin on, each
// panel's rows kNR floats apart and panels panel_stride floats apart (transform_filter's layout: k_origin = n_origin
// = 0, panel_stride = C * kNR).
struct PanelB final : BPacker {
  const float* u;
  int64_t panel_stride, k_origin, n_origin;
  PanelB(const float* u_, int64_t panel_stride_, int64_t k_origin_ = 0, int64_t n_origin_ = 0)
      : u(u_), panel_stride(panel_stride_), k_origin(k_origin_), n_origin(n_origin_) {}
  const float* row(int64_t k, int64_t n0) const {
    return u + ((n0 - n_origin) / kNR) * panel_stride + (k - k_origin) * kNR;
  }
  void pack(int64_t k0, int kc, int64_t n0, int nr, float* dst) const override {
    (void)nr;
    std::memcpy(dst, row(k0, n0), sizeof(float) * kc * kNR);
  }
  bool rows(int64_t k0, int kc, int64_t n0, int nr, const float** out) const override {
    (void)nr;
    for (int k = 0; k < kc; ++k) out[k] = row(k0 + k, n0);
    return true;
  }
};

// The input tiles (M x M output blocks, so (M + 2) x (M + 2) input blocks) first .. first + rows - 1 (in batch,
// tile-row, tile-column order) into v, tile t's position p at v[p * rows * C + t * C]: each position's tiles
// together, rows of the GEMM (the forward's A, the filter gradient's transposed A); across the pool. `zeros` is C
// zeros, read where a tile reaches past the image.
template <int M>
void transform_inputs(const Problem& P, const float* x, int64_t first, int64_t rows, const float* zeros, float* v) {
  constexpr int A = M + 2;
  const int64_t C = P.C, tw = P.tiles_w(M), th = P.tiles_h(M);
  for_blocks(rows, block_for(2 * A * A * C), [&](int64_t t0, int64_t t1) {
    const float* d[A * A];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t g = first + t, n = g / (th * tw), rem = g - n * th * tw, a = rem / tw, b = rem - a * tw;
      const float* img = x + n * P.in_h * P.in_w * C;
      for (int i = 0; i < A; ++i) {
        const int64_t ih = M * a - P.pad_top + i;
        for (int j = 0; j < A; ++j) {
          const int64_t iw = M * b - P.pad_left + j;
          const bool inside = ih >= 0 && ih < P.in_h && iw >= 0 && iw < P.in_w;
          d[A * i + j] = inside ? img + (ih * P.in_w + iw) * C : zeros;
        }
      }
      input_tile_m<M>(d, v + t * C, C, rows * C);
    }
  });
}

// The products m of tiles first .. first + rows - 1 (tile t's position p at m[t * NP * K + p * K], NP = (M + 2)^2)
// back to their M x M output blocks of y, with the bias and activation; across the pool.
template <int M>
void transform_outputs(const Problem& P, const float* m, int64_t first, int64_t rows, const float* bias,
                       Activation act, float* y) {
  constexpr int NP = (M + 2) * (M + 2);
  const int64_t K = P.K, tw = P.tiles_w(M), th = P.tiles_h(M);
  for_blocks(rows, block_for(2 * NP * K), [&](int64_t t0, int64_t t1) {
    float* out[M * M];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t g = first + t, n = g / (th * tw), rem = g - n * th * tw, a = rem / tw, b = rem - a * tw;
      float* img = y + n * P.out_h * P.out_w * K;
      for (int q = 0; q < M * M; ++q) {
        const int64_t oh = M * a + q / M, ow = M * b + q % M;
        out[q] = oh < P.out_h && ow < P.out_w ? img + (oh * P.out_w + ow) * K : nullptr;
      }
      output_tile_m<M>(m + t * NP * K, K, out, bias, act);
    }
  });
}

// Runs the convolution by F(M x M, 3x3) with the transformed filter u (NP = (M + 2)^2 matrices C x K,
// transform_filter's layout) a chunk of tiles at a time: the input transform, NP GEMMs (each position's tiles read
// in place as A), the output transform, each split across the pool. Each output depends only on its own tile's
// sums, computed in the same order on any number of threads.
template <int M>
void run(const Problem& P, const float* x, const float* u, const float* bias, Activation act, float* y) {
  constexpr int NP = (M + 2) * (M + 2);
  const int64_t C = P.C, K = P.K, tiles = P.tiles(M);
  int64_t chunk = std::max<int64_t>(kMC, kChunkFloats / (NP * (C + K)));
  chunk = std::min(tiles, (chunk + kMR - 1) / kMR * kMR);
  float* v = scratch(kSlotV, static_cast<size_t>(chunk * NP * C));
  float* m = scratch(kSlotM, static_cast<size_t>(chunk * NP * K));
  float* zeros = scratch(kSlotZeros, static_cast<size_t>(C));
  std::memset(zeros, 0, sizeof(float) * C);
  const int threads = num_threads();
  for (int64_t first = 0; first < tiles; first += chunk) {
    const int64_t rows = std::min(chunk, tiles - first);
    transform_inputs<M>(P, x, first, rows, zeros, v);
    // NP GEMMs, each split in `parts` row blocks when there are more threads than a few products each.
    const int64_t parts = std::max<int64_t>(1, std::min<int64_t>((2 * threads + NP - 1) / NP, rows / kMC));
    const Blocks split(rows, (rows + parts - 1) / parts, kMR);
    for_blocks(Blocks(NP * split.count(), 1), [&](int64_t b0, int64_t b1) {
      for (int64_t task = b0; task < b1; ++task) {
        const int64_t p = task / split.count(), part = task % split.count();
        RowMajorA a(v + p * rows * C, C);
        PanelB bm(u + p * C * padded(K), C * kNR);
        DenseC c(m + p * K, NP * K);
        gemm_block(split.begin(part), split.end(part), 0, K, 0, C, a, bm, c, false);
      }
    });
    transform_outputs<M>(P, m, first, rows, bias, act, y);
  }
}

// The convolution when all its tiles fit one chunk (up to twice run's): each task takes one panel of kNR output
// channels and, per depth block of kKC input channels, transforms that part of the filter for every position into a
// per-thread buffer that stays in cache and runs the NP GEMMs on it. The whole transformed filter (NP C K floats) is
// never written to memory and read back: for deep layers with few tiles (512 channels at 16x16) that traffic took as
// long as the GEMMs. The sums are run's, in the same order, so the same bits.
template <int M, bool kFlipped>
void run_fused(const Problem& P, const float* x, const float* w, const float* bias, Activation act, float* y) {
  constexpr int NP = (M + 2) * (M + 2);
  const int64_t C = P.C, K = P.K, tiles = P.tiles(M);
  float* v = scratch(kSlotV, static_cast<size_t>(tiles * NP * C));
  float* m = scratch(kSlotM, static_cast<size_t>(tiles * NP * K));
  float* zeros = scratch(kSlotZeros, static_cast<size_t>(C));
  std::memset(zeros, 0, sizeof(float) * C);
  transform_inputs<M>(P, x, 0, tiles, zeros, v);
  const int64_t panels = padded(K) / kNR;
  for_blocks(Blocks(panels, 1), [&](int64_t j0, int64_t j1) {
    thread_local std::vector<float> local;
    local.resize(static_cast<size_t>(NP * kKC * kNR));
    for (int64_t j = j0; j < j1; ++j) {
      for (int64_t pc = 0; pc < C; pc += kKC) {
        const int64_t kc = std::min<int64_t>(kKC, C - pc);
        filter_panel_rows<M, kFlipped>(w, C, K, j, pc, pc + kc, local.data(), kc * kNR);
        for (int p = 0; p < NP; ++p) {
          RowMajorA a(v + p * tiles * C, C);
          PanelB bm(local.data() + p * kc * kNR, kc * kNR, pc, j * kNR);
          DenseC c(m + p * K, NP * K);
          gemm_block(0, tiles, j * kNR, std::min(K, (j + 1) * kNR), pc, pc + kc, a, bm, c, pc > 0);
        }
      }
    }
  });
  transform_outputs<M>(P, m, 0, tiles, bias, act, y);
}

// dw[i][j][c][k] = sum over tiles of the F(3x3, 2x2) products, a chunk of tiles at a time: the input and dy
// transforms, then per position p the GEMM m_p[c][k] += sum over the chunk's tiles of v[t][p][c] e[t][p][k] (C x K,
// depth the tiles; m_p accumulates across chunks), then the output transform. Each position's transformed tiles lie
// together, so its GEMM reads two contiguous blocks (A = v_p transposed, through StridedA's transposing pack). Tasks
// split the 16 positions and blocks of c, so each entry of m is summed by one task in tile order: the same bits on
// any number of threads.
void run_filter(const Problem& P, const float* x, const float* dy, float* dw) {
  const int64_t C = P.C, K = P.K, CK = C * K;
  const int64_t tiles = P.tiles(), tw = P.tiles_w(), th = P.tiles_h();
  // Chunks a multiple of the GEMM's depth block, so each position's GEMM runs whole panels.
  int64_t chunk = std::max<int64_t>(kKC, kChunkFloats / (16 * (C + K)) / kKC * kKC);
  chunk = std::min(tiles, chunk);
  float* v = scratch(kSlotV, static_cast<size_t>(chunk * 16 * C));
  float* e = scratch(kSlotM, static_cast<size_t>(chunk * 16 * K));
  float* m = scratch(kSlotU, static_cast<size_t>(16 * CK));
  float* zeros = scratch(kSlotZeros, static_cast<size_t>(std::max(C, K)));
  std::memset(zeros, 0, sizeof(float) * std::max(C, K));
  const int threads = num_threads();
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>((2 * threads + 15) / 16, C / kMC));
  const Blocks split(C, (C + parts - 1) / parts, kMR);
  for (int64_t first = 0; first < tiles; first += chunk) {
    const int64_t rows = std::min(chunk, tiles - first);
    transform_inputs<2>(P, x, first, rows, zeros, v);
    for_blocks(rows, block_for(32 * K), [&](int64_t t0, int64_t t1) {
      const float* g[4];
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t gi = first + t, n = gi / (th * tw), rem = gi - n * th * tw, a = rem / tw, b = rem - a * tw;
        const float* img = dy + n * P.out_h * P.out_w * K;
        for (int q = 0; q < 4; ++q) {
          const int64_t oh = 2 * a + q / 2, ow = 2 * b + q % 2;
          g[q] = oh < P.out_h && ow < P.out_w ? img + (oh * P.out_w + ow) * K : zeros;
        }
        dy_tile(g, e + t * K, K, rows * K);
      }
    });
    for_blocks(Blocks(16 * split.count(), 1), [&](int64_t b0, int64_t b1) {
      for (int64_t task = b0; task < b1; ++task) {
        const int64_t p = task / split.count(), part = task % split.count();
        StridedA a(v + p * rows * C, 1, C);
        StridedB b(e + p * rows * K, K, 1);
        DenseC c(m + p * CK, K);
        gemm_block(split.begin(part), split.end(part), 0, K, 0, rows, a, b, c, first > 0);
      }
    });
  }
  for_blocks(Blocks(CK, block_for(25), kLineFloats), [&](int64_t x0, int64_t x1) { filter_output(m, CK, dw, x0, x1); });
}

bool applies(const ConvShape& s) {
  return s.filter_h == 3 && s.filter_w == 3 && s.stride_h == 1 && s.stride_w == 1 && s.dilation_h == 1 &&
         s.dilation_w == 1 && s.batch > 0 && s.out_h > 0 && s.out_w > 0 && s.in_c > 0 && s.out_c > 0;
}

// Which Winograd (M = 2 for F(2x2, 3x3), 4 for F(4x4, 3x3)), if any (0), pays for problem P (measured by timing the
// forward and input gradient under each algorithm, interleaved, on Zen 3 with 2 threads, the filter transformed
// inside the tasks where run_fused applies; bench/conv-native.ts --algorithms 1,2,3 does so for a U-Net's layers).
// F(4x4, 3x3) does 2.25 products per output against F(2x2, 3x3)'s 4 but transforms 2.25x the filter floats: from
// 16 of its 4x4 tiles it ran 1.0-1.2x F(2x2, 3x3) at 512 channels (512 at 16x16, batch 1; 512 at 4x4, batch 16)
// and 1.2-1.5x at 64-256 channels; over 4 tiles (512 at 4x4, batch 4) 0.8x.
// F(2x2, 3x3) against the implicit GEMM at 512 channels: over 64 tiles 1.2-1.4x, over 16 1.2x forward but 0.8x input
// gradient. With few channels (the 16 -> 3 head) the GEMMs are thin, but over many tiles F(4x4, 3x3) still gains
// (16 -> 3 at 512x512 1.65x the implicit GEMM, 3 -> 3 at 256x256 1.05x); F(2x2, 3x3) does not.
int chosen(const Problem& P) {
  const auto a = static_cast<ConvAlgorithm>(g_algorithm.load(std::memory_order_relaxed));
  if (a == ConvAlgorithm::kGemm) return 0;
  if (a == ConvAlgorithm::kWinograd) return 2;
  if (a == ConvAlgorithm::kWinograd4) return 4;
  const bool thin = P.C < 16 || P.K < 16;
  if (P.tiles(4) >= (thin ? 256 : 16)) return 4;
  return !thin && P.tiles() >= 64 ? 2 : 0;
}

// Whether Winograd pays for the filter gradient (measured as for `chosen`). Nothing is transformed per channel pair
// before the GEMMs, so even few tiles gain (512 -> 512 over 8 tiles ran at 2.2x the implicit GEMM, over 4 at 1.5x);
// with few input channels the GEMMs are too thin (their rows are the input channels: 32 -> 16 ran at 0.87x, 16 -> 64
// at 0.92x, 48 -> 16 and 32 -> 32 at 1.25x).
bool chosen_filter(int64_t C, int64_t K, int64_t tiles) {
  const auto a = static_cast<ConvAlgorithm>(g_algorithm.load(std::memory_order_relaxed));
  if (a == ConvAlgorithm::kGemm) return false;
  if (a == ConvAlgorithm::kWinograd || a == ConvAlgorithm::kWinograd4) return true;
  return C >= 32 && K >= 16 && C + K >= 64 && tiles >= 4;
}

}  // namespace

void set_conv_algorithm(ConvAlgorithm a) { g_algorithm.store(static_cast<int>(a), std::memory_order_relaxed); }

// F(M x M, 3x3) with the filter w (kFlipped: the input gradient's, read from the forward filter): fused (run_fused)
// when the tiles fit and there are panels enough to share out, else the filter transformed whole first.
template <int M, bool kFlipped>
void transform_and_run(const Problem& P, const float* x, const float* w, const float* bias, Activation act,
                       float* y) {
  constexpr int NP = (M + 2) * (M + 2);
  if (P.tiles(M) * NP * (P.C + P.K) <= 2 * kChunkFloats && padded(P.K) / kNR >= 2 * num_threads()) {
    run_fused<M, kFlipped>(P, x, w, bias, act, y);
    return;
  }
  float* u = scratch(kSlotU, static_cast<size_t>(NP * P.C * padded(P.K)));
  transform_filter<M, kFlipped>(w, P.C, P.K, u);
  run<M>(P, x, u, bias, act, y);
}

bool winograd_forward(const ConvShape& s, const float* x, const float* w, const float* bias, Activation act,
                      float* y) {
  if (!applies(s)) return false;
  const Problem P{s.batch, s.in_h, s.in_w, s.in_c, s.out_h, s.out_w, s.out_c, s.pad_top, s.pad_left};
  const int m = chosen(P);
  if (m == 2) transform_and_run<2, false>(P, x, w, bias, act, y);
  if (m == 4) transform_and_run<4, false>(P, x, w, bias, act, y);
  return m != 0;
}

bool winograd_backprop_input(const ConvShape& s, const float* dy, const float* w, float* dx) {
  if (!applies(s)) return false;
  // dx[ih, iw] = sum over (kh, kw) of dy[ih + pad_top - kh, iw + pad_left - kw] w[kh, kw]^T: with kh' = 2 - kh, a
  // convolution of dy by the flipped filter whose padding is 2 - pad.
  const Problem P{s.batch, s.out_h, s.out_w, s.out_c, s.in_h, s.in_w, s.in_c, 2 - s.pad_top, 2 - s.pad_left};
  const int m = chosen(P);
  if (m == 2) transform_and_run<2, true>(P, dy, w, nullptr, Activation::kLinear, dx);
  if (m == 4) transform_and_run<4, true>(P, dy, w, nullptr, Activation::kLinear, dx);
  return m != 0;
}

bool winograd_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* dw) {
  if (!applies(s)) return false;
  const Problem P{s.batch, s.in_h, s.in_w, s.in_c, s.out_h, s.out_w, s.out_c, s.pad_top, s.pad_left};
  if (!chosen_filter(P.C, P.K, P.tiles())) return false;
  run_filter(P, x, dy, dw);
  return true;
}

}  // namespace tfr
