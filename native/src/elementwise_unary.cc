// Unary element-wise ops, each matching its tfjs CPU kernel (a JavaScript function of one double, stored to a
// Float32Array) including NaN, -0 and infinities.
#include <cmath>

#include "elementwise.h"

namespace tfr {
namespace {

// Math.max(0, x): NaN stays NaN, -0 becomes +0.
struct Relu {
  static float apply(float x, double) { return x > 0.0f || x != x ? x : 0.0f; }
};
// Math.min(Math.max(0, x), 6).
struct Relu6 {
  static float apply(float x, double) { return x != x ? x : x > 6.0f ? 6.0f : x > 0.0f ? x : 0.0f; }
};
// isNaN(x) ? NaN : x > 0 ? 1 : alpha.
// Written branch-free (alpha read from a float parameter) so that it vectorises.
struct Step {
  static float apply(float x, float alpha) { return x > 0.0f ? 1.0f : x != x ? x : alpha; }
};
// Correctly rounded in float as in double, so float is exact here.
struct Sqrt {
  static float apply(float x, double) { return std::sqrt(x); }
};
// 1 / Math.sqrt(x): two double roundings, then one to float; in float the extra rounding would show.
struct Rsqrt {
  static float apply(float x, double) { return static_cast<float>(1.0 / std::sqrt(static_cast<double>(x))); }
};
struct Square {
  static float apply(float x, double) { return x * x; }
};
struct Abs {
  static float apply(float x, double) { return std::fabs(x); }
};
// tfjs multiplies by -1, which is negation (also of 0 and NaN).
struct Neg {
  static float apply(float x, double) { return -x; }
};
struct Exp {
  static float apply(float x, double) { return static_cast<float>(std::exp(static_cast<double>(x))); }
};
struct Log {
  static float apply(float x, double) { return static_cast<float>(std::log(static_cast<double>(x))); }
};
// tfjs returns 0 for NaN and for -0.
struct Sign {
  static float apply(float x, double) { return x < 0.0f ? -1.0f : x > 0.0f ? 1.0f : 0.0f; }
};
struct Sigmoid {
  static float apply(float x, double) {
    return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x))));
  }
};
struct Tanh {
  static float apply(float x, double) { return static_cast<float>(std::tanh(static_cast<double>(x))); }
};
// 1 / x: one rounding either way, so float is exact.
struct Reciprocal {
  static float apply(float x, double) { return 1.0f / x; }
};
// alpha is a JavaScript number (not rounded to float) multiplying in double.
// The product is computed for every element (not only negative ones) so that the loop vectorises.
struct LeakyRelu {
  static float apply(float x, double alpha) {
    const float scaled = static_cast<float>(alpha * x);
    return x < 0.0f ? scaled : x;
  }
};
// x >= 0 ? x : Math.exp(x) - 1 (not expm1).
struct Elu {
  static float apply(float x, double) {
    return x >= 0.0f ? x : static_cast<float>(std::exp(static_cast<double>(x)) - 1.0);
  }
};

template <class Op, class Alpha = double>
void unary_op(const float* x, int64_t n, Alpha alpha, float* out) {
  for_blocks(elementwise_blocks(n, kBlockElements, kLineFloats), [&](int64_t begin, int64_t end) {
    const float* __restrict in = x + begin;
    float* __restrict o = out + begin;
    const int64_t len = end - begin;
    const Alpha a = alpha;  // a local, not the captured reference, so it is known not to change in the loop
    for (int64_t i = 0; i < len; ++i) o[i] = Op::apply(in[i], a);
  });
}

}  // namespace

void unary(UnaryOp op, const float* x, int64_t n, double alpha, float* out) {
  switch (op) {
    case UnaryOp::Relu:
      return unary_op<Relu>(x, n, alpha, out);
    case UnaryOp::Relu6:
      return unary_op<Relu6>(x, n, alpha, out);
    case UnaryOp::Step:
      return unary_op<Step, float>(x, n, static_cast<float>(alpha), out);
    case UnaryOp::Sqrt:
      return unary_op<Sqrt>(x, n, alpha, out);
    case UnaryOp::Rsqrt:
      return unary_op<Rsqrt>(x, n, alpha, out);
    case UnaryOp::Square:
      return unary_op<Square>(x, n, alpha, out);
    case UnaryOp::Abs:
      return unary_op<Abs>(x, n, alpha, out);
    case UnaryOp::Neg:
      return unary_op<Neg>(x, n, alpha, out);
    case UnaryOp::Exp:
      return unary_op<Exp>(x, n, alpha, out);
    case UnaryOp::Log:
      return unary_op<Log>(x, n, alpha, out);
    case UnaryOp::Sign:
      return unary_op<Sign>(x, n, alpha, out);
    case UnaryOp::Sigmoid:
      return unary_op<Sigmoid>(x, n, alpha, out);
    case UnaryOp::Tanh:
      return unary_op<Tanh>(x, n, alpha, out);
    case UnaryOp::Reciprocal:
      return unary_op<Reciprocal>(x, n, alpha, out);
    case UnaryOp::LeakyRelu:
      return unary_op<LeakyRelu>(x, n, alpha, out);
    case UnaryOp::Elu:
      return unary_op<Elu>(x, n, alpha, out);
  }
}

}  // namespace tfr
