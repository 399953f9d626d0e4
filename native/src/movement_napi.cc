// Bindings of the movement kernels (filled in by their module).
#include "napi_util.h"

namespace tfr {
void define(napi_env env, napi_value exports, const char* name, napi_callback cb);

void register_movement(napi_env env, napi_value exports) {
  (void)env;
  (void)exports;
}

}  // namespace tfr
