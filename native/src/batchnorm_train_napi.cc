// Bindings of batchnorm_train.h: batchNormTrain(x, channels, gamma | null, beta | null, epsilon, y, mean,
// variance[, relu]) and batchNormTrainGrad(dy, x, channels, mean, variance, gamma | null, epsilon, dx, dgamma,
// dbeta[, reluY | null]); outputs are preallocated Float32Arrays.
#include "batchnorm_train.h"
#include "napi_util.h"

namespace tfr {
namespace {

// batchNormTrain(x, channels, gamma | null, beta | null, epsilon, y, mean, variance[, relu])
napi_value batch_norm_train_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "batchNormTrain", 8, 1);
    const int64_t c = args.integer(1, 1);
    int64_t total = 0;
    const float* x = args.f32(0, -1, &total);
    if (total % c != 0) throw ArgError("batchNormTrain: argument 0's length must be a multiple of argument 1");
    const float* gamma = args.is_null(2) ? nullptr : args.f32(2, c);
    const float* beta = args.is_null(3) ? nullptr : args.f32(3, c);
    const double eps = args.number(4);
    float* y = args.f32(5, total);
    float* mean = args.f32(6, c);
    float* var = args.f32(7, c);
    const bool relu = !args.is_null(8) && args.integer(8, 0) != 0;
    batch_norm_train(x, total / c, c, gamma, beta, eps, relu, y, mean, var);
    return undefined(env);
  });
}

// batchNormTrainGrad(dy, x, channels, mean, variance, gamma | null, epsilon, dx, dgamma, dbeta[, reluY | null])
napi_value batch_norm_train_grad_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "batchNormTrainGrad", 10, 1);
    const int64_t c = args.integer(2, 1);
    int64_t total = 0;
    const float* x = args.f32(1, -1, &total);
    if (total % c != 0) throw ArgError("batchNormTrainGrad: argument 1's length must be a multiple of argument 2");
    const float* dy = args.f32(0, total);
    const float* mean = args.f32(3, c);
    const float* var = args.f32(4, c);
    const float* gamma = args.is_null(5) ? nullptr : args.f32(5, c);
    const double eps = args.number(6);
    float* dx = args.f32(7, total);
    float* dgamma = args.f32(8, c);
    float* dbeta = args.f32(9, c);
    const float* relu_y = args.is_null(10) ? nullptr : args.f32(10, total);
    batch_norm_train_grad(dy, x, total / c, c, mean, var, gamma, eps, relu_y, dx, dgamma, dbeta);
    return undefined(env);
  });
}

}  // namespace

void register_batchnorm_train(napi_env env, napi_value exports) {
  define(env, exports, "batchNormTrain", batch_norm_train_binding);
  define(env, exports, "batchNormTrainGrad", batch_norm_train_grad_binding);
}

}  // namespace tfr
