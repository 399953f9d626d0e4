// Training-mode batch normalisation, fused: x viewed as [P, C] (channels last). The forward pass computes the batch
// statistics and normalises in three passes over x (sum, squared deviations, output) instead of tf.moments +
// FusedBatchNorm's seven; the backward pass needs two (sums, dx) instead of about eight, and saves no intermediates.
//
// Statistics accumulate in double. Pixels are split into blocks, one partial sum per block, combined in block order
// (the result does not depend on the thread count). Inside a block, pixels are taken `rep` at a time as one row of
// W = rep * C floats, so the inner loops are long and contiguous even for few channels.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>


#include "batchnorm_train.h"
#include "gemm.h"
#include "portable.h"
#include "thread_pool.h"

namespace tfr {

namespace {

// At most this many pixel blocks (and per-block partials).
constexpr int64_t kMaxPartials = 512;

// The [P, C] view, its row blocking, and its pixel blocks (one partial sum each).
struct Layout {
  int64_t pixels, channels;
  int64_t rep;    // pixels per row of W floats
  int64_t width;  // rep * channels
  Blocks blocks;  // pixel blocks of about kBlockElements floats each

  Layout(int64_t p, int64_t c)
      : pixels(p),
        channels(c),
        rep(std::max<int64_t>(1, 256 / std::max<int64_t>(c, 1))),
        width(rep * c),
        blocks(p, std::max(block_for(c), (p + kMaxPartials - 1) / kMaxPartials)) {}
};

// Per-position tables of a per-channel vector repeated `rep` times (one row of W floats).
template <class T>
std::vector<T> repeat(const std::vector<T>& v, int64_t rep) {
  std::vector<T> out(v.size() * rep);
  for (int64_t r = 0; r < rep; ++r) std::copy(v.begin(), v.end(), out.begin() + r * v.size());
  return out;
}

// Folds acc[W] (rep copies of C channels) into C channels, adding to out.
void fold(const double* acc, const Layout& l, double* out) {
  for (int64_t r = 0; r < l.rep; ++r) {
    for (int64_t k = 0; k < l.channels; ++k) out[k] += acc[r * l.channels + k];
  }
}

// Visits the pixels [p0, p1) of a block as whole rows of W floats, then the leftover pixels one at a time:
// step(offset, n) handles the n contiguous floats from element `offset`, which line up with the first n entries of
// the per-position tables (W is a multiple of C).
template <class Step>
void sweep(const Layout& l, int64_t p0, int64_t p1, Step&& step) {
  const int64_t rows = (p1 - p0) / l.rep;
  for (int64_t r = 0; r < rows; ++r) step((p0 + r * l.rep) * l.channels, l.width);
  for (int64_t p = p0 + rows * l.rep; p < p1; ++p) step(p * l.channels, l.channels);
}

// Combines the per-block partials (each W doubles) in block order into C channels.
std::vector<double> combine(const std::vector<double>& partial, const Layout& l) {
  std::vector<double> out(l.channels, 0.0);
  for (int64_t t = 0; t < l.blocks.count(); ++t) fold(partial.data() + t * l.width, l, out.data());
  return out;
}

// The gradient's two inner loops over n contiguous floats, with the ReLU mask (relu_y non-null) applied as a select,
// not a branch: the mask of real activations is random, and a branch on it mispredicted about half the time (2.5x
// slower on a training step's batch norms). The AVX2 versions do the same operations in the same order per element
// (no fused multiply-add: TFR_TARGET_AVX2), so both give the same bits.
// a1[k] += g, a2[k] += g * (x[k] - mean[k]) in double, g = dy[k] (0 where relu_y[k] <= 0).
void grad_sums_generic(const float* dy, const float* x, const float* relu_y, const double* mean, double* a1,
                       double* a2, int64_t k0, int64_t n) {
  for (int64_t k = k0; k < n; ++k) {
    const float gf = relu_y == nullptr || relu_y[k] > 0.f ? dy[k] : 0.f;
    const double g = static_cast<double>(gf);
    a1[k] += g;
    a2[k] += g * (static_cast<double>(x[k]) - mean[k]);
  }
}

// out[k] = a[k] * (g - mdy[k]) + c[k] * (x[k] - m[k]), g = dy[k] (0 where relu_y[k] <= 0).
void grad_dx_generic(const float* dy, const float* x, const float* relu_y, const float* m, const float* mdy,
                     const float* a, const float* c, float* out, int64_t k0, int64_t n) {
  for (int64_t k = k0; k < n; ++k) {
    const float g = relu_y == nullptr || relu_y[k] > 0.f ? dy[k] : 0.f;
    out[k] = a[k] * (g - mdy[k]) + c[k] * (x[k] - m[k]);
  }
}

#ifdef TFR_X86
TFR_TARGET_AVX2 void grad_sums_avx2(const float* dy, const float* x, const float* relu_y, const double* mean,
                                    double* a1, double* a2, int64_t n) {
  const __m128 zero = _mm_setzero_ps();
  int64_t k = 0;
  for (; k + 4 <= n; k += 4) {
    __m128 gf = _mm_loadu_ps(dy + k);
    if (relu_y != nullptr) gf = _mm_and_ps(gf, _mm_cmpgt_ps(_mm_loadu_ps(relu_y + k), zero));
    const __m256d g = _mm256_cvtps_pd(gf);
    const __m256d d = _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + k)), _mm256_loadu_pd(mean + k));
    _mm256_storeu_pd(a1 + k, _mm256_add_pd(_mm256_loadu_pd(a1 + k), g));
    _mm256_storeu_pd(a2 + k, _mm256_add_pd(_mm256_loadu_pd(a2 + k), _mm256_mul_pd(g, d)));
  }
  grad_sums_generic(dy, x, relu_y, mean, a1, a2, k, n);
}

TFR_TARGET_AVX2 void grad_dx_avx2(const float* dy, const float* x, const float* relu_y, const float* m,
                                  const float* mdy, const float* a, const float* c, float* out, int64_t n) {
  const __m256 zero = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 8 <= n; k += 8) {
    __m256 g = _mm256_loadu_ps(dy + k);
    if (relu_y != nullptr) g = _mm256_and_ps(g, _mm256_cmp_ps(_mm256_loadu_ps(relu_y + k), zero, _CMP_GT_OQ));
    const __m256 t1 = _mm256_mul_ps(_mm256_loadu_ps(a + k), _mm256_sub_ps(g, _mm256_loadu_ps(mdy + k)));
    const __m256 t2 =
        _mm256_mul_ps(_mm256_loadu_ps(c + k), _mm256_sub_ps(_mm256_loadu_ps(x + k), _mm256_loadu_ps(m + k)));
    _mm256_storeu_ps(out + k, _mm256_add_ps(t1, t2));
  }
  grad_dx_generic(dy, x, relu_y, m, mdy, a, c, out, k, n);
}
#endif

void grad_sums(const float* dy, const float* x, const float* relu_y, const double* mean, double* a1, double* a2,
               int64_t n) {
#ifdef TFR_X86
  if (use_avx2()) {
    grad_sums_avx2(dy, x, relu_y, mean, a1, a2, n);
    return;
  }
#endif
  grad_sums_generic(dy, x, relu_y, mean, a1, a2, 0, n);
}

void grad_dx(const float* dy, const float* x, const float* relu_y, const float* m, const float* mdy, const float* a,
             const float* c, float* out, int64_t n) {
#ifdef TFR_X86
  if (use_avx2()) {
    grad_dx_avx2(dy, x, relu_y, m, mdy, a, c, out, n);
    return;
  }
#endif
  grad_dx_generic(dy, x, relu_y, m, mdy, a, c, out, 0, n);
}

}  // namespace

// Forward. With `relu` the ReLU that follows most batch norms is fused in: no pass and no tensor of its own.
void batch_norm_train(const float* x, int64_t pixels, int64_t channels, const float* gamma, const float* beta,
                      double epsilon, bool relu, float* y, float* mean_out, float* var_out) {
  if (channels == 0) return;
  if (pixels == 0) {
    // Statistics of nothing: NaN, as tfjs's mean (0 / 0).
    std::fill(mean_out, mean_out + channels, NAN);
    std::fill(var_out, var_out + channels, NAN);
    return;
  }
  const Layout l(pixels, channels);
  std::vector<double> partial(l.blocks.count() * l.width);
  // Pass 1: sums.
  for_blocks(l.blocks, [&](int64_t t, int64_t p0, int64_t p1) {
    double* acc = partial.data() + t * l.width;
    std::fill(acc, acc + l.width, 0.0);
    sweep(l, p0, p1, [&](int64_t o, int64_t n) {
      const float* row = x + o;
      for (int64_t k = 0; k < n; ++k) acc[k] += static_cast<double>(row[k]);
    });
  });
  std::vector<double> mean = combine(partial, l);
  for (double& m : mean) m /= static_cast<double>(pixels);
  // Pass 2: squared deviations from the mean (two passes: no cancellation as in E[x^2] - E[x]^2).
  const std::vector<double> mean_row = repeat(mean, l.rep);
  for_blocks(l.blocks, [&](int64_t t, int64_t p0, int64_t p1) {
    double* acc = partial.data() + t * l.width;
    std::fill(acc, acc + l.width, 0.0);
    sweep(l, p0, p1, [&](int64_t o, int64_t n) {
      const float* row = x + o;
      for (int64_t k = 0; k < n; ++k) {
        const double d = static_cast<double>(row[k]) - mean_row[k];
        acc[k] += d * d;
      }
    });
  });
  std::vector<double> var = combine(partial, l);
  for (double& v : var) v /= static_cast<double>(pixels);
  // Pass 3: y = (x - mean) * factor + beta in float32 (memory-bound; x - mean is exact near the mean).
  std::vector<float> m(channels), f(channels), b(channels);
  for (int64_t k = 0; k < channels; ++k) {
    mean_out[k] = static_cast<float>(mean[k]);
    var_out[k] = static_cast<float>(var[k]);
    m[k] = mean_out[k];
    const double g = gamma == nullptr ? 1.0 : static_cast<double>(gamma[k]);
    f[k] = static_cast<float>(g / std::sqrt(static_cast<double>(var_out[k]) + epsilon));
    b[k] = beta == nullptr ? 0.f : beta[k];
  }
  const std::vector<float> mr = repeat(m, l.rep), fr = repeat(f, l.rep), br = repeat(b, l.rep);
  for_blocks(l.blocks, [&](int64_t p0, int64_t p1) {
    sweep(l, p0, p1, [&](int64_t o, int64_t n) {
      const float* xr = x + o;
      float* yr = y + o;
      if (relu) {
        for (int64_t k = 0; k < n; ++k) {
          const float v = (xr[k] - mr[k]) * fr[k] + br[k];
          yr[k] = v > 0.f ? v : 0.f;
        }
      } else {
        for (int64_t k = 0; k < n; ++k) yr[k] = (xr[k] - mr[k]) * fr[k] + br[k];
      }
    });
  });
}

// Backward: sumDy and sumDyXhat per channel (double), then dx. With the fused ReLU, dy is masked (ReLU's gradient,
// as tfjs's dy * step(y)) as it is read.
void batch_norm_train_grad(const float* dy, const float* x, int64_t pixels, int64_t channels, const float* mean,
                           const float* var, const float* gamma, double epsilon, const float* relu_y, float* dx,
                           float* dgamma, float* dbeta) {
  if (channels == 0) return;
  if (pixels == 0) {
    std::fill(dgamma, dgamma + channels, 0.f);
    std::fill(dbeta, dbeta + channels, 0.f);
    return;
  }
  const Layout l(pixels, channels);
  std::vector<double> mean_d(channels);
  for (int64_t k = 0; k < channels; ++k) mean_d[k] = mean[k];
  const std::vector<double> mean_row = repeat(mean_d, l.rep);
  // Pass 1: sum(dy) and sum(dy * (x - mean)), both per block.
  std::vector<double> part_dy(l.blocks.count() * l.width), part_dyxc(l.blocks.count() * l.width);
  for_blocks(l.blocks, [&](int64_t t, int64_t p0, int64_t p1) {
    double* a1 = part_dy.data() + t * l.width;
    double* a2 = part_dyxc.data() + t * l.width;
    std::fill(a1, a1 + l.width, 0.0);
    std::fill(a2, a2 + l.width, 0.0);
    sweep(l, p0, p1, [&](int64_t o, int64_t n) {
      grad_sums(dy + o, x + o, relu_y != nullptr ? relu_y + o : nullptr, mean_row.data(), a1, a2, n);
    });
  });
  const std::vector<double> sum_dy = combine(part_dy, l), sum_dyxc = combine(part_dyxc, l);
  // Pass 2: dx = a * (dy - mean(dy)) + c * (x - mean) per channel, in float32: both differences cancel before the
  // scaling (exactly 0 for a single pixel).
  std::vector<float> m(channels), mdy(channels), ca(channels), cc(channels);
  const double inv_p = 1.0 / static_cast<double>(pixels);
  for (int64_t k = 0; k < channels; ++k) {
    const double rstd = 1.0 / std::sqrt(static_cast<double>(var[k]) + epsilon);
    const double g = gamma == nullptr ? 1.0 : static_cast<double>(gamma[k]);
    const double sum_dyxhat = sum_dyxc[k] * rstd;
    m[k] = mean[k];
    mdy[k] = static_cast<float>(sum_dy[k] * inv_p);
    ca[k] = static_cast<float>(g * rstd);
    cc[k] = static_cast<float>(-g * rstd * rstd * sum_dyxhat * inv_p);
    dgamma[k] = static_cast<float>(sum_dyxhat);
    dbeta[k] = static_cast<float>(sum_dy[k]);
  }
  const std::vector<float> mr = repeat(m, l.rep), mdyr = repeat(mdy, l.rep), ar = repeat(ca, l.rep),
                           cr = repeat(cc, l.rep);
  for_blocks(l.blocks, [&](int64_t p0, int64_t p1) {
    sweep(l, p0, p1, [&](int64_t o, int64_t n) {
      grad_dx(dy + o, x + o, relu_y != nullptr ? relu_y + o : nullptr, mr.data(), mdyr.data(), ar.data(), cr.data(),
              dx + o, n);
    });
  });
}

}  // namespace tfr
