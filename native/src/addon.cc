// N-API entry point: the thread-count and GEMM-kernel queries, and each kernel family's bindings (napi_util.h).
#include <node_api.h>

#include "napi_util.h"
#include "gemm.h"
#include "thread_pool.h"

namespace tfr {
namespace {

napi_value get_threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, num_threads(), &v);
  return v;
}

napi_value set_threads(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "setThreads", 1);
    const int64_t n = args.integer(0, 1);
    if (n > 256) throw ArgError("setThreads: argument 0 must be at most 256");
    set_num_threads(static_cast<int>(n));
    return undefined(env);
  });
}

napi_value kernel_name(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, gemm_kernel_name(), NAPI_AUTO_LENGTH, &v);
  return v;
}

}  // namespace
}  // namespace tfr

static napi_value Init(napi_env env, napi_value exports) {
  tfr::define(env, exports, "getThreads", tfr::get_threads);
  tfr::define(env, exports, "setThreads", tfr::set_threads);
  tfr::define(env, exports, "gemmKernel", tfr::kernel_name);
  tfr::register_conv(env, exports);
  tfr::register_matmul(env, exports);
  tfr::register_optim(env, exports);
  tfr::register_elementwise(env, exports);
  tfr::register_movement(env, exports);
  tfr::register_batchnorm_train(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
