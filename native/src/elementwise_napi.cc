// Bindings of elementwise.h; outputs are preallocated Float32Arrays that must not alias the inputs:
//   binary(op, a, aShape, b, bShape, out)  op: 'Add' | 'Sub' | 'Multiply' | 'RealDiv' | 'SquaredDifference' |
//                                               'Maximum' | 'Minimum'; out has the broadcast shape's size
//   unary(op, x, alpha, out)               op: 'Relu' | 'Relu6' | 'Step' | ... (the UnaryOp names); alpha is
//                                               Step's / LeakyRelu's attribute, any number for the others
//   addN(inputs, out)                      inputs: an array of Float32Arrays of out's length
#include <stdexcept>
#include <string>
#include <utility>

#include "elementwise.h"
#include "napi_util.h"

namespace tfr {
namespace {

// The ops by their tfjs kernel names, which the TypeScript side passes.
const std::pair<const char*, BinaryOp> kBinaryOps[] = {
    {"Add", BinaryOp::Add},
    {"Sub", BinaryOp::Sub},
    {"Multiply", BinaryOp::Multiply},
    {"RealDiv", BinaryOp::RealDiv},
    {"SquaredDifference", BinaryOp::SquaredDifference},
    {"Maximum", BinaryOp::Maximum},
    {"Minimum", BinaryOp::Minimum},
};

const std::pair<const char*, UnaryOp> kUnaryOps[] = {
    {"Relu", UnaryOp::Relu},   {"Relu6", UnaryOp::Relu6},     {"Step", UnaryOp::Step},
    {"Sqrt", UnaryOp::Sqrt},   {"Rsqrt", UnaryOp::Rsqrt},     {"Square", UnaryOp::Square},
    {"Abs", UnaryOp::Abs},     {"Neg", UnaryOp::Neg},         {"Exp", UnaryOp::Exp},
    {"Log", UnaryOp::Log},     {"Sign", UnaryOp::Sign},       {"Sigmoid", UnaryOp::Sigmoid},
    {"Tanh", UnaryOp::Tanh},   {"Reciprocal", UnaryOp::Reciprocal},
    {"LeakyRelu", UnaryOp::LeakyRelu}, {"Elu", UnaryOp::Elu},
};

std::string string_arg(const Args& args, size_t i) {
  char buf[64];
  size_t len = 0;
  if (napi_get_value_string_utf8(args.env, args.argv[i], buf, sizeof buf, &len) != napi_ok) {
    throw ArgError(args.where(i) + " must be a string (the op's name)");
  }
  return std::string(buf, len);
}

// The op named by argument i, looked up in `table`.
template <class Op, size_t N>
Op op_arg(const Args& args, size_t i, const std::pair<const char*, Op> (&table)[N]) {
  const std::string name = string_arg(args, i);
  for (const auto& entry : table) {
    if (name == entry.first) return entry.second;
  }
  throw ArgError(args.where(i) + ": unknown op '" + name + "'");
}

// A shape: an array of integers >= 0, of any length.
std::vector<int64_t> shape_arg(const Args& args, size_t i) {
  bool is_array = false;
  napi_is_array(args.env, args.argv[i], &is_array);
  if (!is_array) throw ArgError(args.where(i) + " must be an array of integers (a shape)");
  uint32_t len = 0;
  napi_get_array_length(args.env, args.argv[i], &len);
  return args.integers(i, len, 0);
}

// Whether out[0, n) shares memory with in[0, m) (the kernels' loops assume it does not).
bool overlaps(const float* out, int64_t n, const float* in, int64_t m) { return out < in + m && in < out + n; }

void check_no_alias(const Args& args, size_t out_i, const float* out, int64_t n, size_t in_i, const float* in,
                    int64_t m) {
  if (n > 0 && m > 0 && overlaps(out, n, in, m)) {
    throw ArgError(args.where(out_i) + " (the output) must not share memory with argument " + std::to_string(in_i));
  }
}

int64_t size_of(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

napi_value binary_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "binary", 6);
    const BinaryOp op = op_arg(args, 0, kBinaryOps);
    const std::vector<int64_t> a_shape = shape_arg(args, 2);
    const std::vector<int64_t> b_shape = shape_arg(args, 4);
    std::vector<int64_t> out_shape;
    try {
      out_shape = broadcast_shape(a_shape, b_shape);
    } catch (const std::invalid_argument& e) {
      throw ArgError("binary: arguments 2 and 4: " + std::string(e.what()));
    }
    const float* a = args.f32(1, size_of(a_shape));
    const float* b = args.f32(3, size_of(b_shape));
    float* out = args.f32(5, size_of(out_shape));
    check_no_alias(args, 5, out, size_of(out_shape), 1, a, size_of(a_shape));
    check_no_alias(args, 5, out, size_of(out_shape), 3, b, size_of(b_shape));
    binary(op, a, a_shape, b, b_shape, out);
    return undefined(env);
  });
}

napi_value unary_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "unary", 4);
    const UnaryOp op = op_arg(args, 0, kUnaryOps);
    int64_t n = 0;
    const float* x = args.f32(1, -1, &n);
    const double alpha = args.number(2);
    float* out = args.f32(3, n);
    check_no_alias(args, 3, out, n, 1, x, n);
    unary(op, x, n, alpha, out);
    return undefined(env);
  });
}

napi_value add_n_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "addN", 2);
    bool is_array = false;
    napi_is_array(env, args.argv[0], &is_array);
    if (!is_array) throw ArgError(args.where(0) + " must be an array of Float32Arrays");
    uint32_t count = 0;
    napi_get_array_length(env, args.argv[0], &count);
    if (count == 0) throw ArgError(args.where(0) + " must hold at least one Float32Array");
    int64_t n = 0;
    float* out = args.f32(1, -1, &n);
    const std::vector<float*> given = args.f32_list(0, std::vector<int64_t>(count, n));
    const std::vector<const float*> inputs(given.begin(), given.end());
    for (const float* in : inputs) check_no_alias(args, 1, out, n, 0, in, n);
    add_n(inputs, n, out);
    return undefined(env);
  });
}

}  // namespace

void register_elementwise(napi_env env, napi_value exports) {
  define(env, exports, "binary", binary_binding);
  define(env, exports, "unary", unary_binding);
  define(env, exports, "addN", add_n_binding);
}

}  // namespace tfr
