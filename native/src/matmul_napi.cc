// Binding of gemm.h's batch_matmul: matmul(a, b, c, [batch, m, n, k, aBatchStride, bBatchStride], transposeA,
// transposeB); c is a preallocated Float32Array of batch * m * n.
#include "gemm.h"
#include "napi_util.h"

namespace tfr {
namespace {

napi_value matmul_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "matmul", 6);
    const std::vector<int64_t> d = args.integers(3, 6, 0);
    const int64_t batch = d[0], m = d[1], n = d[2], k = d[3], a_bs = d[4], b_bs = d[5];
    const bool ta = args.boolean(4), tb = args.boolean(5);
    int64_t a_len = 0, b_len = 0;
    const float* a = args.f32(0, -1, &a_len);
    const float* b = args.f32(1, -1, &b_len);
    float* c = args.f32(2, batch * m * n);
    if (batch > 0 && a_len < (batch - 1) * a_bs + m * k) {
      throw ArgError("matmul: argument 0 is too short for the given shape");
    }
    if (batch > 0 && b_len < (batch - 1) * b_bs + k * n) {
      throw ArgError("matmul: argument 1 is too short for the given shape");
    }
    batch_matmul(a, b, c, batch, m, n, k, a_bs, b_bs, ta, tb);
    return undefined(env);
  });
}

}  // namespace

void register_matmul(napi_env env, napi_value exports) { define(env, exports, "matmul", matmul_binding); }

}  // namespace tfr
