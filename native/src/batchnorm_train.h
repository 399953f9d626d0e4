// Training-mode batch normalisation, fused, on float32 x viewed as [pixels, channels] (channels last): the batch
// statistics, the normalisation and (optionally) the ReLU after it in one kernel, and its gradient in one more.
// Statistics accumulate in double; the result does not depend on the thread count.
#pragma once
#include <cstdint>

namespace tfr {

// Forward: mean and biased variance per channel (to mean_out, var_out); y = (x - mean) * rsqrt(var + eps) * gamma +
// beta, and with `relu` y = max(y, 0) in the same pass. gamma and beta may be null (1 and 0). No pixels: the
// statistics are NaN (tfjs's 0 / 0).
void batch_norm_train(const float* x, int64_t pixels, int64_t channels, const float* gamma, const float* beta,
                      double epsilon, bool relu, float* y, float* mean_out, float* var_out);

// Backward, given the forward's mean and var: dx = gamma * rstd * (dy - sumDy / P - xhat * sumDyXhat / P),
// dgamma = sumDyXhat, dbeta = sumDy. With the fused ReLU, relu_y is the forward's output (non-null) and dy counts
// only where relu_y > 0; null otherwise. gamma may be null (1).
void batch_norm_train_grad(const float* dy, const float* x, int64_t pixels, int64_t channels, const float* mean,
                           const float* var, const float* gamma, double epsilon, const float* relu_y, float* dx,
                           float* dgamma, float* dbeta);

}  // namespace tfr
