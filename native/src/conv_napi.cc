// Bindings of conv.h: conv2d(x, w, bias | null, shape, activation, y), conv2dBackpropInput(dy, w, shape, dx),
// conv2dBackpropFilter(x, dy, shape, dw). `shape` is [batch, inH, inW, inC, outH, outW, outC, filterH, filterW,
// strideH, strideW, dilationH, dilationW, padTop, padLeft]; outputs are preallocated Float32Arrays. And
// setConvAlgorithm(a) (winograd.h): 0 by shape, 1 always the implicit GEMM, 2 F(2x2, 3x3) Winograd wherever it
// applies, 3 F(4x4, 3x3) wherever it applies.
#include "conv.h"
#include "napi_util.h"
#include "winograd.h"

namespace tfr {
namespace {

ConvShape read_shape(const Args& args, size_t i) {
  const std::vector<int64_t> v = args.integers(i, 15, 0);
  ConvShape s{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  if (s.stride_h < 1 || s.stride_w < 1 || s.dilation_h < 1 || s.dilation_w < 1 || s.filter_h < 1 ||
      s.filter_w < 1) {
    throw ArgError(args.where(i) + ": strides, dilations and filter sizes must be >= 1");
  }
  return s;
}

int64_t x_size(const ConvShape& s) { return s.batch * s.in_h * s.in_w * s.in_c; }
int64_t y_size(const ConvShape& s) { return s.batch * s.out_h * s.out_w * s.out_c; }
int64_t w_size(const ConvShape& s) { return s.filter_h * s.filter_w * s.in_c * s.out_c; }

napi_value conv2d(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "conv2d", 6);
    const ConvShape s = read_shape(args, 3);
    const float* x = args.f32(0, x_size(s));
    const float* w = args.f32(1, w_size(s));
    const float* bias = args.is_null(2) ? nullptr : args.f32(2, s.out_c);
    const int64_t act = args.integer(4, 0);
    if (act > 2) throw ArgError("conv2d: argument 4 (activation) must be 0 (linear), 1 (relu) or 2 (relu6)");
    float* y = args.f32(5, y_size(s));
    conv2d_forward(s, x, w, bias, static_cast<Activation>(act), y);
    return undefined(env);
  });
}

napi_value backprop_input(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "conv2dBackpropInput", 4);
    const ConvShape s = read_shape(args, 2);
    conv2d_backprop_input(s, args.f32(0, y_size(s)), args.f32(1, w_size(s)), args.f32(3, x_size(s)));
    return undefined(env);
  });
}

napi_value backprop_filter(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "conv2dBackpropFilter", 4);
    const ConvShape s = read_shape(args, 2);
    conv2d_backprop_filter(s, args.f32(0, x_size(s)), args.f32(1, y_size(s)), args.f32(3, w_size(s)));
    return undefined(env);
  });
}

napi_value set_algorithm(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "setConvAlgorithm", 1);
    const int64_t a = args.integer(0, 0);
    if (a > 3) {
      throw ArgError(
          "setConvAlgorithm: argument 0 must be 0 (by shape), 1 (implicit GEMM), 2 (Winograd F(2x2, 3x3)) or 3 "
          "(Winograd F(4x4, 3x3))");
    }
    set_conv_algorithm(static_cast<ConvAlgorithm>(a));
    return undefined(env);
  });
}

}  // namespace

void register_conv(napi_env env, napi_value exports) {
  define(env, exports, "conv2d", conv2d);
  define(env, exports, "conv2dBackpropInput", backprop_input);
  define(env, exports, "conv2dBackpropFilter", backprop_filter);
  define(env, exports, "setConvAlgorithm", set_algorithm);
}

}  // namespace tfr
