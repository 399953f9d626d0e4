// Optimizer updates (optim.h).
#include "optim.h"

#include <cmath>

#include "thread_pool.h"

namespace tfr {
namespace {

void adam_range(float* w, float* m, float* v, const float* g, const float* p, int64_t begin, int64_t end) {
  const float beta1 = p[0], c1 = p[1], beta2 = p[2], c2 = p[3], bc1 = p[4], bc2 = p[5], eps = p[6], neg_lr = p[7],
              decay = p[8];
  for (int64_t i = begin; i < end; ++i) {
    const float gi = g[i];
    const float mi = m[i] * beta1 + gi * c1;
    const float vi = v[i] * beta2 + (gi * gi) * c2;
    m[i] = mi;
    v[i] = vi;
    const float wi = decay == 1.f ? w[i] : w[i] * decay;
    w[i] = ((mi / bc1) / (std::sqrt(vi / bc2) + eps)) * neg_lr + wi;
  }
}

}  // namespace

void adam_update(float* value, float* m, float* v, const float* g, int64_t n, const float* params) {
  // Each value touches four arrays: blocks of 64K values, aligned so no two blocks write one cache line.
  for_blocks(Blocks(n, 1 << 16, kLineFloats),
             [&](int64_t begin, int64_t end) { adam_range(value, m, v, g, params, begin, end); });
}

}  // namespace tfr
