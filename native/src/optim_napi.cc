// adamUpdate(value, m, v, g, params): one Adam(W) step in place, in one pass, with exactly the float32 operations
// and order of tfjs's AdamOptimizer:
//   value *= decay                         (decoupled weight decay; decay = 1 - lr * weightDecay, 1 for plain Adam)
//   m = m * beta1 + g * (1 - beta1)
//   v = v * beta2 + (g * g) * (1 - beta2)
//   value = ((m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)) * -lr + value
// params = [beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLr, decay],
// each already rounded to float32 by the caller's Float32Array.
#include <algorithm>
#include <cmath>

#include "napi_util.h"
#include "thread_pool.h"

namespace tfr {
void define(napi_env env, napi_value exports, const char* name, napi_callback cb);

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

napi_value adam_update(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "adamUpdate", 5);
    int64_t size = 0;
    float* w = args.f32(0, -1, &size);
    float* m = args.f32(1, size);
    float* v = args.f32(2, size);
    const float* g = args.f32(3, size);
    const float* p = args.f32(4, 9);
    constexpr int64_t kChunk = 1 << 16;
    const int tasks = static_cast<int>((size + kChunk - 1) / kChunk);
    parallel_for(tasks, [&](int t, int) {
      const int64_t b = t * kChunk;
      adam_range(w, m, v, g, p, b, std::min(size, b + kChunk));
    });
    return undefined(env);
  });
}

}  // namespace

void register_optim(napi_env env, napi_value exports) { define(env, exports, "adamUpdate", adam_update); }

}  // namespace tfr
