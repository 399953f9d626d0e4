// Element-wise kernels on float32: binary ops with tfjs broadcasting, AddN, and unary ops. Each reproduces the
// tfjs CPU backend's JavaScript kernel: where JavaScript computes in double before storing to a Float32Array
// (exp, log, rsqrt, leakyRelu's alpha, ...), these compute in double too, so results match to the last bit
// (up to the libm's own last-bit differences in exp/log/tanh).
#pragma once
#include <cstdint>
#include <vector>

#include "thread_pool.h"

namespace tfr {

// The tfjs kernel names of the binary ops (Multiply, RealDiv, ... as in tfjs-core).
enum class BinaryOp { Add, Sub, Multiply, RealDiv, SquaredDifference, Maximum, Minimum };

// The unary ops; Step and LeakyRelu take an alpha.
enum class UnaryOp {
  Relu,
  Relu6,
  Step,
  Sqrt,
  Rsqrt,
  Square,
  Abs,
  Neg,
  Exp,
  Log,
  Sign,
  Sigmoid,
  Tanh,
  Reciprocal,
  LeakyRelu,
  Elu
};

// The broadcast shape of a and b by tfjs's rules (aligned on the right; each pair of sizes equal, or one of them
// 1). Throws std::invalid_argument naming both shapes when they do not broadcast.
std::vector<int64_t> broadcast_shape(const std::vector<int64_t>& a_shape, const std::vector<int64_t>& b_shape);

// out = op(a, b) broadcast to broadcast_shape(a_shape, b_shape); out must not alias a or b.
void binary(BinaryOp op, const float* a, const std::vector<int64_t>& a_shape, const float* b,
            const std::vector<int64_t>& b_shape, float* out);

// out[i] = inputs[0][i] + inputs[1][i] + ..., summed in that order in float32 from 0 like tfjs's AddN.
void add_n(const std::vector<const float*>& inputs, int64_t n, float* out);

// out[i] = op(x[i]); alpha is Step's and LeakyRelu's attribute (ignored by the others).
void unary(UnaryOp op, const float* x, int64_t n, double alpha, float* out);

// The size below which an element-wise loop runs inline: under it the pool's hand-off outweighs a second core.
constexpr int64_t kParallelMin = 65536;

// The split of an element-wise loop over n items of `item_size` elements: blocks of about `block` items starting at
// multiples of `align`, or one block (run inline) when the n items hold fewer than kParallelMin elements.
inline Blocks elementwise_blocks(int64_t n, int64_t block, int64_t align, int64_t item_size = 1) {
  return Blocks(n, n * item_size < kParallelMin ? n : block, align);
}

}  // namespace tfr
