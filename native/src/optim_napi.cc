// Bindings of optim.h: adamUpdate(value, m, v, g, params), value, m and v updated in place; params as adam_update's
// (9 floats).
#include "napi_util.h"
#include "optim.h"

namespace tfr {
namespace {

napi_value adam_update_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "adamUpdate", 5);
    int64_t size = 0;
    float* w = args.f32(0, -1, &size);
    float* m = args.f32(1, size);
    float* v = args.f32(2, size);
    const float* g = args.f32(3, size);
    const float* p = args.f32(4, 9);
    adam_update(w, m, v, g, size, p);
    return undefined(env);
  });
}

}  // namespace

void register_optim(napi_env env, napi_value exports) { define(env, exports, "adamUpdate", adam_update_binding); }

}  // namespace tfr
