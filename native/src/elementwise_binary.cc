// Binary element-wise ops with tfjs broadcasting, and AddN. The shapes are first collapsed to the fewest dims
// (see Plan); the common layouts then run as flat loops over contiguous memory: same shape, one side a single value,
// one side repeating with a period (the [N, H, W, C] op [C] of batch norm), and otherwise an outer loop over
// contiguous runs of the innermost dim.
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "elementwise.h"

namespace tfr {
namespace {

// ---- the ops, as JavaScript computes them (in double, then stored to float32) ----

float bits_and(float a, float b) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  x &= y;
  float r;
  std::memcpy(&r, &x, 4);
  return r;
}

float bits_or(float a, float b) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  x |= y;
  float r;
  std::memcpy(&r, &x, 4);
  return r;
}

// +, -, *, / of two floats rounded once to float equal the double result rounded to float (double has more than
// twice float's precision), so these need no double.
struct AddOp {
  static float apply(float a, float b) { return a + b; }
};
struct SubOp {
  static float apply(float a, float b) { return a - b; }
};
struct MulOp {
  static float apply(float a, float b) { return a * b; }
};
struct DivOp {
  static float apply(float a, float b) { return a / b; }
};
// JavaScript squares the double difference: rounding the difference to float first would differ in the last bit.
struct SquaredDifferenceOp {
  static float apply(float a, float b) {
    const double d = static_cast<double>(a) - static_cast<double>(b);
    return static_cast<float>(d * d);
  }
};
// Math.max: NaN when either is NaN, and +0 above -0 (equal operands: AND of the bits keeps +0 over -0).
struct MaximumOp {
  static float apply(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return bits_and(a, b);
    return a > b ? a : b;
  }
};
// Math.min: NaN when either is NaN, and -0 below +0 (equal operands: OR of the bits keeps -0 over +0).
struct MinimumOp {
  static float apply(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return bits_or(a, b);
    return a < b ? a : b;
  }
};

// ---- contiguous loops: both operands vectors, or one of them a single value ----

template <class Op>
void run_vv(const float* __restrict a, const float* __restrict b, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(a[i], b[i]);
}

template <class Op>
void run_vs(const float* __restrict a, float b, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(a[i], b);
}

template <class Op>
void run_sv(float a, const float* __restrict b, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = Op::apply(a, b[i]);
}

// One contiguous run of n outputs; a_step / b_step are 1 (a vector) or 0 (one value repeated).
template <class Op>
void run(const float* a, int64_t a_step, const float* b, int64_t b_step, float* out, int64_t n) {
  if (a_step && b_step) {
    run_vv<Op>(a, b, out, n);
  } else if (a_step) {
    run_vs<Op>(a, *b, out, n);
  } else if (b_step) {
    run_sv<Op>(*a, b, out, n);
  } else {
    const float v = Op::apply(*a, *b);
    for (int64_t i = 0; i < n; ++i) out[i] = v;
  }
}

// ---- broadcasting plan ----

// One dim of the collapsed iteration space; a_stride / b_stride are 0 where that operand is broadcast.
struct Dim {
  int64_t size;
  int64_t a_stride;
  int64_t b_stride;
};

// The output's dims after dropping size-1 dims and merging neighbours in which each operand is either present in
// both or broadcast in both (so [4,128,128,64] op [64] becomes [65536 (a only), 64 (both)]). Outer to inner.
struct Plan {
  int64_t size = 1;
  std::vector<Dim> dims;
};

Plan make_plan(const std::vector<int64_t>& a_shape, const std::vector<int64_t>& b_shape) {
  const std::vector<int64_t> out_shape = broadcast_shape(a_shape, b_shape);
  const size_t rank = out_shape.size();
  Plan plan;
  // Walk the dims outer to inner, recording whether each operand spans it.
  std::vector<Dim> merged;  // here a_stride / b_stride hold 1 (spans) or 0 (broadcast)
  for (size_t d = 0; d < rank; ++d) {
    const int64_t size = out_shape[d];
    plan.size *= size;
    if (size == 1) continue;
    const size_t a_pad = rank - a_shape.size(), b_pad = rank - b_shape.size();
    const int64_t a_has = d >= a_pad && a_shape[d - a_pad] == size ? 1 : 0;
    const int64_t b_has = d >= b_pad && b_shape[d - b_pad] == size ? 1 : 0;
    if (!merged.empty() && merged.back().a_stride == a_has && merged.back().b_stride == b_has) {
      merged.back().size *= size;
    } else {
      merged.push_back({size, a_has, b_has});
    }
  }
  // Turn the flags into element strides, inner to outer.
  int64_t a_acc = 1, b_acc = 1;
  for (auto it = merged.rbegin(); it != merged.rend(); ++it) {
    const bool a_has = it->a_stride != 0, b_has = it->b_stride != 0;
    it->a_stride = a_has ? a_acc : 0;
    it->b_stride = b_has ? b_acc : 0;
    if (a_has) a_acc *= it->size;
    if (b_has) b_acc *= it->size;
  }
  plan.dims = std::move(merged);
  return plan;
}

// ---- the three layouts ----

// Both operands flat (each a vector of the output's size or a single value).
template <class Op>
void flat(const Dim& d, const float* a, const float* b, float* out) {
  for_blocks(elementwise_blocks(d.size, kBlockElements, kLineFloats), [&](int64_t begin, int64_t end) {
    run<Op>(a + (d.a_stride ? begin : 0), d.a_stride, b + (d.b_stride ? begin : 0), d.b_stride, out + begin,
            end - begin);
  });
}

// Dims [outer, inner] where both span inner and only one (`big`) spans outer: the other (`small`, inner elements)
// repeats with period inner. Repeating it into a tile of a few thousand elements turns the whole op into flat
// vector-vector loops of tile length, whatever the period (64 channels or 3).
template <class Op>
void periodic(const Dim& outer, const Dim& inner, const float* a, const float* b, float* out) {
  const bool a_big = outer.a_stride != 0;
  const float* small = a_big ? b : a;
  const int64_t period = inner.size;
  const int64_t tile_len = period * std::max<int64_t>(1, 4096 / period);
  std::vector<float> tile(static_cast<size_t>(tile_len));
  for (int64_t i = 0; i < tile_len; i += period) std::memcpy(tile.data() + i, small, period * sizeof(float));
  const int64_t size = outer.size * inner.size;
  // Blocks start at multiples of the tile, so each lines up with the tile's start.
  const int64_t block = tile_len * std::max<int64_t>(1, kBlockElements / tile_len);
  for_blocks(elementwise_blocks(size, block, tile_len), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i += tile_len) {
      const int64_t n = std::min(tile_len, end - i);
      if (a_big) {
        run_vv<Op>(a + i, tile.data(), out + i, n);
      } else {
        run_vv<Op>(tile.data(), b + i, out + i, n);
      }
    }
  });
}

// Anything else: an odometer over the outer dims, one contiguous run of the innermost dim per step.
template <class Op>
void general(const Plan& plan, const float* a, const float* b, float* out) {
  const Dim& inner = plan.dims.back();
  const size_t outer_rank = plan.dims.size() - 1;
  const int64_t runs = plan.size / inner.size;
  for_blocks(elementwise_blocks(runs, block_for(inner.size), 1, inner.size), [&](int64_t begin, int64_t end) {
    // Position of run `begin` in the outer dims, and the operands' offsets there.
    std::vector<int64_t> index(outer_rank);
    int64_t a_off = 0, b_off = 0, rest = begin;
    for (size_t d = outer_rank; d-- > 0;) {
      index[d] = rest % plan.dims[d].size;
      rest /= plan.dims[d].size;
      a_off += index[d] * plan.dims[d].a_stride;
      b_off += index[d] * plan.dims[d].b_stride;
    }
    for (int64_t r = begin; r < end; ++r) {
      run<Op>(a + a_off, inner.a_stride, b + b_off, inner.b_stride, out + r * inner.size, inner.size);
      // Advance the odometer: bump the innermost outer dim, carrying into the ones above.
      for (size_t d = outer_rank; d-- > 0;) {
        a_off += plan.dims[d].a_stride;
        b_off += plan.dims[d].b_stride;
        if (++index[d] < plan.dims[d].size) break;
        a_off -= plan.dims[d].a_stride * plan.dims[d].size;
        b_off -= plan.dims[d].b_stride * plan.dims[d].size;
        index[d] = 0;
      }
    }
  });
}

template <class Op>
void binary_op(const float* a, const std::vector<int64_t>& a_shape, const float* b,
               const std::vector<int64_t>& b_shape, float* out) {
  const Plan plan = make_plan(a_shape, b_shape);
  if (plan.size == 0) return;
  const std::vector<Dim>& dims = plan.dims;
  if (dims.empty()) {
    out[0] = Op::apply(a[0], b[0]);
  } else if (dims.size() == 1) {
    flat<Op>(dims[0], a, b, out);
  } else if (dims.size() == 2 && dims[1].a_stride && dims[1].b_stride) {
    // Merging guarantees the outer dim differs from the inner one: exactly one operand spans it.
    periodic<Op>(dims[0], dims[1], a, b, out);
  } else {
    general<Op>(plan, a, b, out);
  }
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

std::vector<int64_t> broadcast_shape(const std::vector<int64_t>& a_shape, const std::vector<int64_t>& b_shape) {
  const size_t rank = std::max(a_shape.size(), b_shape.size());
  std::vector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {  // i counts from the innermost dim
    const int64_t a = i < a_shape.size() ? a_shape[a_shape.size() - 1 - i] : 1;
    const int64_t b = i < b_shape.size() ? b_shape[b_shape.size() - 1 - i] : 1;
    if (a != b && a != 1 && b != 1) {
      throw std::invalid_argument("shapes " + shape_text(a_shape) + " and " + shape_text(b_shape) +
                                  " do not broadcast");
    }
    out[rank - 1 - i] = a == 1 ? b : a;
  }
  return out;
}

void binary(BinaryOp op, const float* a, const std::vector<int64_t>& a_shape, const float* b,
            const std::vector<int64_t>& b_shape, float* out) {
  switch (op) {
    case BinaryOp::Add:
      return binary_op<AddOp>(a, a_shape, b, b_shape, out);
    case BinaryOp::Sub:
      return binary_op<SubOp>(a, a_shape, b, b_shape, out);
    case BinaryOp::Multiply:
      return binary_op<MulOp>(a, a_shape, b, b_shape, out);
    case BinaryOp::RealDiv:
      return binary_op<DivOp>(a, a_shape, b, b_shape, out);
    case BinaryOp::SquaredDifference:
      return binary_op<SquaredDifferenceOp>(a, a_shape, b, b_shape, out);
    case BinaryOp::Maximum:
      return binary_op<MaximumOp>(a, a_shape, b, b_shape, out);
    case BinaryOp::Minimum:
      return binary_op<MinimumOp>(a, a_shape, b, b_shape, out);
  }
}

void add_n(const std::vector<const float*>& inputs, int64_t n, float* out) {
  // Blocks small enough to stay in L1 while every input is added in, in tfjs's order (0 + x0 + x1 + ...: the
  // leading 0 turns -0 into +0 as tfjs's zero-filled accumulator does).
  constexpr int64_t kBlock = 2048;
  for_blocks(elementwise_blocks(n, kBlockElements, kLineFloats), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; i += kBlock) {
      const int64_t len = std::min(kBlock, end - i);
      float* __restrict o = out + i;
      for (int64_t j = 0; j < len; ++j) o[j] = 0.0f;
      for (const float* input : inputs) {
        const float* __restrict x = input + i;
        for (int64_t j = 0; j < len; ++j) o[j] += x[j];
      }
    }
  });
}

}  // namespace tfr
