// matmul(a, b, c, [batch, m, n, k, aBatchStride, bBatchStride], transposeA, transposeB): for each batch item,
// c[i] = op(a[i]) * op(b[i]) with op = transpose when asked; a batch stride of 0 broadcasts that operand.
#include "gemm.h"
#include "napi_util.h"
#include "thread_pool.h"

namespace tfr {
void define(napi_env env, napi_value exports, const char* name, napi_callback cb);

namespace {

bool read_bool(const Args& args, size_t i) {
  bool v;
  if (napi_get_value_bool(args.env, args.argv[i], &v) != napi_ok) throw ArgError(args.where(i) + " must be a boolean");
  return v;
}

napi_value matmul(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "matmul", 6);
    const std::vector<int64_t> d = args.integers(3, 6, 0);
    const int64_t batch = d[0], m = d[1], n = d[2], k = d[3], a_bs = d[4], b_bs = d[5];
    const bool ta = read_bool(args, 4), tb = read_bool(args, 5);
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
    for (int64_t i = 0; i < batch; ++i) {
      const float* ai = a + i * a_bs;
      const float* bi = b + i * b_bs;
      StridedA pa(ai, ta ? 1 : k, ta ? m : 1);
      StridedB pb(bi, tb ? 1 : n, tb ? k : 1);
      DenseC pc(c + i * m * n, n);
      gemm_rows_parallel(m, n, k, pa, pb, pc, false);
    }
    return undefined(env);
  });
}

}  // namespace

void register_matmul(napi_env env, napi_value exports) { define(env, exports, "matmul", matmul); }

}  // namespace tfr
