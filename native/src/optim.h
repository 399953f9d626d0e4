// Optimizer updates on float32 variables, in place.
#pragma once
#include <cstdint>

namespace tfr {

// One Adam(W) step on n values in place, in one pass, with exactly the float32 operations and order of tfjs's
// AdamOptimizer:
//   value *= decay                         (decoupled weight decay; decay = 1 - lr * weightDecay, 1 for plain Adam)
//   m = m * beta1 + g * (1 - beta1)
//   v = v * beta2 + (g * g) * (1 - beta2)
//   value = ((m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + epsilon)) * -lr + value
// params = [beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negLr, decay],
// each already rounded to float32.
void adam_update(float* value, float* m, float* v, const float* g, int64_t n, const float* params);

}  // namespace tfr
