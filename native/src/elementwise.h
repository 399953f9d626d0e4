// Element-wise kernels on float32: binary ops with tfjs broadcasting, AddN, and unary ops. Each reproduces the
// tfjs CPU backend's JavaScript kernel: where JavaScript computes in double before storing to a Float32Array
// (exp, log, rsqrt, leakyRelu's alpha, ...), these compute in double too, so results match to the last bit
// (up to the libm's own last-bit differences in exp/log/tanh).
#pragma once
#include <algorithm>
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

// Elements per task when a loop is split over the thread pool, and the size below which it runs inline: big enough
// that a task outweighs the pool's hand-off, small enough to balance two cores on a 4M-element activation.
constexpr int64_t kChunk = 32768;
constexpr int64_t kParallelMin = 65536;

// Runs fn(begin, end) over items [0, n) in pieces of `chunk` items (their starts are multiples of chunk), on the
// thread pool when the n items hold at least kParallelMin elements (`item_size` each), else inline in one piece.
template <class F>
void for_chunks(int64_t n, int64_t chunk, F&& fn, int64_t item_size = 1) {
  if (n <= 0) return;
  if (n * item_size < kParallelMin || num_threads() == 1 || chunk >= n) {
    fn(int64_t{0}, n);
    return;
  }
  const int64_t tasks = (n + chunk - 1) / chunk;
  parallel_for(static_cast<int>(tasks), [&](int task, int) {
    const int64_t begin = task * chunk;
    fn(begin, std::min(n, begin + chunk));
  });
}

}  // namespace tfr
