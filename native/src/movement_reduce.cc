// Reductions over a contiguous block of axes ([outer, reduced, inner] views) and tfjs's FusedBatchNorm.
//
// Work is split over `outer` when it is large; otherwise (the batch-norm statistics: [4*128*128, 64] reduced over
// the first axis, outer = 1) the reduced axis is cut into parts whose partial results are combined in order.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "movement.h"
#include "portable.h"

namespace tfr {
namespace {

// Each operation: an accumulator type, its start value over a range beginning at `first`, one step, and the
// combination of a partial result with the next part's (same as a step for max/min, so order is preserved).
struct SumOp {
  using Acc = double;
  static Acc start(float) { return 0.0; }
  static Acc step(Acc a, float v, float) { return a + static_cast<double>(v); }
  static Acc combine(Acc a, Acc b) { return a + b; }
};

// tfjs's Mean divides every element by the count (rounding to float32) before summing.
struct MeanOp {
  using Acc = double;
  static Acc start(float) { return 0.0; }
  static Acc step(Acc a, float v, float count) { return a + static_cast<double>(v / count); }
  static Acc combine(Acc a, Acc b) { return a + b; }
};

// tfjs: `if (isNaN(v) || v > max) max = v`, starting from the first element: NaN wins, ties keep the first.
struct MaxOp {
  using Acc = float;
  static Acc start(float first) { return first; }
  static Acc step(Acc a, float v, float) { return (v > a) | (v != v) ? v : a; }
  static Acc combine(Acc a, Acc b) { return step(a, b, 0.f); }
};

struct MinOp {
  using Acc = float;
  static Acc start(float first) { return first; }
  static Acc step(Acc a, float v, float) { return (v < a) | (v != v) ? v : a; }
  static Acc combine(Acc a, Acc b) { return step(a, b, 0.f); }
};

template <class Op>
constexpr bool is_extremum() {
  return std::is_same<typename Op::Acc, float>::value;
}

// Rows [r0, r1) of a block whose rows are `stride` apart, columns [0, width), into acc[width]: element-wise steps
// over contiguous rows, which the compiler vectorises.
template <class Op>
void reduce_rows(const float* x, int64_t stride, int64_t r0, int64_t r1, int64_t width, float count,
                 typename Op::Acc* acc) {
  const float* first = x + r0 * stride;
  for (int64_t k = 0; k < width; ++k) acc[k] = Op::start(first[k]);
  for (int64_t r = r0; r < r1; ++r) {
    const float* row = x + r * stride;
    for (int64_t k = 0; k < width; ++k) acc[k] = Op::step(acc[k], row[k], count);
  }
}

// reduce_rows kept out of line for reduce_run: inlined with a constant row length, GCC unrolls it and then fails to
// vectorise the unrolled select (a branchy, mispredicting scalar loop).
template <class Op>
TFR_NOINLINE void reduce_rows_noinline(const float* x, int64_t r0, int64_t r1, int64_t width,
                                                    float count, typename Op::Acc* acc) {
  reduce_rows<Op>(x, width, r0, r1, width, count, acc);
}

// A contiguous run x[0, n) (n >= 1) to one value: as kLanes interleaved accumulators (the run viewed as rows of
// kLanes, reduced by reduce_rows' vectorised loop), then the lanes and the tail in order. For max/min the lanes see
// the run out of order, which only matters between +0 and -0 (equal, each "first" in some lane), so a zero result
// is replaced by the run's first zero.
template <class Op>
typename Op::Acc reduce_run(const float* x, int64_t n, float count) {
  constexpr int64_t kLanes = 16;
  using Acc = typename Op::Acc;
  Acc a = Op::start(x[0]);
  const int64_t rows = n / kLanes;
  if (rows >= 2) {
    Acc lane[kLanes];
    reduce_rows_noinline<Op>(x, 0, rows, kLanes, count, lane);
    a = lane[0];
    for (int64_t j = 1; j < kLanes; ++j) a = Op::combine(a, lane[j]);
  }
  for (int64_t i = rows >= 2 ? rows * kLanes : 0; i < n; ++i) a = Op::step(a, x[i], count);
  if (is_extremum<Op>() && a == 0) {
    for (int64_t k = 0; k < n; ++k) {
      if (x[k] == 0) return static_cast<Acc>(x[k]);
    }
  }
  return a;
}

// Reduces rows [r0, r1) of outer slice `o` into acc[inner].
template <class Op>
void reduce_part(const float* x, int64_t reduced, int64_t inner, int64_t o, int64_t r0, int64_t r1, float count,
                 typename Op::Acc* acc) {
  const float* base = x + o * reduced * inner;
  if (inner == 1) {
    acc[0] = reduce_run<Op>(base + r0, r1 - r0, count);
  } else {
    reduce_rows<Op>(base, inner, r0, r1, inner, count, acc);
  }
}

template <class Op>
void reduce_with(const float* x, int64_t outer, int64_t reduced, int64_t inner, float* out) {
  using Acc = typename Op::Acc;
  const float count = static_cast<float>(reduced);
  const int64_t slice = reduced * inner;
  // Enough outer slices to keep every thread busy: one pass, each slice reduced whole.
  const bool by_outer = outer >= 4 * num_threads() || outer * slice <= 2 * kBlockElements;
  if (by_outer) {
    for_blocks(outer, block_for(slice), [&](int64_t o0, int64_t o1) {
      std::vector<Acc> acc(inner);
      for (int64_t o = o0; o < o1; ++o) {
        reduce_part<Op>(x, reduced, inner, o, 0, reduced, count, acc.data());
        for (int64_t k = 0; k < inner; ++k) out[o * inner + k] = static_cast<float>(acc[k]);
      }
    });
    return;
  }
  // Few but wide slices: split the columns.
  if (inner >= 1024) {
    const int64_t width = std::max<int64_t>(256, kBlockElements / reduced);
    const int64_t strips = (inner + width - 1) / width;
    for_blocks(outer * strips, 1, [&](int64_t t0, int64_t t1) {
      std::vector<Acc> acc(width);
      for (int64_t t = t0; t < t1; ++t) {
        const int64_t o = t / strips, k0 = (t % strips) * width, w = std::min(width, inner - k0);
        reduce_rows<Op>(x + o * slice + k0, inner, 0, reduced, w, count, acc.data());
        for (int64_t k = 0; k < w; ++k) out[o * inner + k0 + k] = static_cast<float>(acc[k]);
      }
    });
    return;
  }
  // Few narrow slices: cut the reduced axis into parts, reduce them in parallel, then combine each slice's parts in order.
  const int64_t parts =
      std::min<int64_t>(std::max<int64_t>(slice / kBlockElements, 1), std::min<int64_t>(reduced, 256));
  std::vector<Acc> partial(outer * parts * inner);
  for_blocks(outer * parts, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t o = t / parts, p = t % parts;
      reduce_part<Op>(x, reduced, inner, o, reduced * p / parts, reduced * (p + 1) / parts, count,
                      partial.data() + t * inner);
    }
  });
  for (int64_t o = 0; o < outer; ++o) {
    const Acc* first = partial.data() + o * parts * inner;
    for (int64_t k = 0; k < inner; ++k) {
      Acc a = first[k];
      for (int64_t p = 1; p < parts; ++p) a = Op::combine(a, first[p * inner + k]);
      out[o * inner + k] = static_cast<float>(a);
    }
  }
}

}  // namespace

void reduce(ReduceOp op, const float* x, int64_t outer, int64_t reduced, int64_t inner, float* out) {
  if (outer * inner == 0) return;
  if (reduced == 0) {
    // tfjs: sums of nothing are 0; max/min read past the end (undefined), which a Float32Array stores as NaN.
    const bool extremum = op == ReduceOp::kMax || op == ReduceOp::kMin;
    std::fill(out, out + outer * inner, extremum ? std::numeric_limits<float>::quiet_NaN() : 0.f);
    return;
  }
  switch (op) {
    case ReduceOp::kSum:
      return reduce_with<SumOp>(x, outer, reduced, inner, out);
    case ReduceOp::kMean:
      return reduce_with<MeanOp>(x, outer, reduced, inner, out);
    case ReduceOp::kMax:
      return reduce_with<MaxOp>(x, outer, reduced, inner, out);
    case ReduceOp::kMin:
      return reduce_with<MinOp>(x, outer, reduced, inner, out);
  }
}

// ---- FusedBatchNorm ----

namespace {

// The parameter's value at position j of the period (length 1 broadcasts).
inline double param_at(const BatchNormParam& p, int64_t j, double fallback) {
  if (p.values == nullptr) return fallback;
  return static_cast<double>(p.length == 1 ? p.values[0] : p.values[j]);
}

// scale / sqrt(variance + eps) in double. tfjs divides (x - mean) * scale by the root per element; multiplying by
// the quotient instead differs by a double rounding (1e-16), invisible after rounding to float32 but for the rare
// near-tie, and spares a division per element (the bottleneck: the kernel is otherwise memory-bound).
inline double norm_factor(const BatchNormParam& variance, const BatchNormParam& scale, int64_t j, double epsilon) {
  return param_at(scale, j, 1.0) / std::sqrt(param_at(variance, j, 0.0) + epsilon);
}

// Math.max(0, v), as tfjs's Relu: NaN stays NaN, -0 becomes +0.
inline float rectify(float v) { return v > 0.0f || v != v ? v : 0.0f; }

// Per-position tables of a period repeated to at least ~1K entries, so the main loop runs over long contiguous
// blocks with no index arithmetic.
struct NormTables {
  int64_t size;
  std::vector<double> mean, factor, offset;
};

NormTables make_tables(BatchNormParam mean, BatchNormParam variance, BatchNormParam offset, BatchNormParam scale,
                       int64_t period, double epsilon) {
  NormTables t;
  t.size = period * std::max<int64_t>(1, 1024 / period);
  t.mean.resize(t.size);
  t.factor.resize(t.size);
  t.offset.resize(t.size);
  for (int64_t j = 0; j < t.size; ++j) {
    const int64_t k = j % period;
    t.mean[j] = param_at(mean, k, 0.0);
    t.factor[j] = norm_factor(variance, scale, k, epsilon);
    t.offset[j] = param_at(offset, k, 0.0);
  }
  return t;
}

}  // namespace

void batch_norm(const float* x, int64_t n, BatchNormParam mean, BatchNormParam variance, BatchNormParam offset,
                BatchNormParam scale, int64_t period, double epsilon, bool relu, float* out) {
  if (n == 0) return;
  if (period <= 64 * 1024) {
    const NormTables t = make_tables(mean, variance, offset, scale, period, epsilon);
    const int64_t blocks = (n + t.size - 1) / t.size;
    for_blocks(blocks, block_for(t.size), [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t start = b * t.size;
        const int64_t len = std::min(t.size, n - start);
        const float* xb = x + start;
        float* ob = out + start;
        for (int64_t j = 0; j < len; ++j) {
          ob[j] = static_cast<float>(t.offset[j] + (static_cast<double>(xb[j]) - t.mean[j]) * t.factor[j]);
        }
        if (relu) {
          for (int64_t j = 0; j < len; ++j) ob[j] = rectify(ob[j]);
        }
      }
    });
    return;
  }
  // Parameters as large as x (rare): read them in place.
  for_blocks(n, kBlockElements, [&](int64_t i0, int64_t i1) {
    int64_t j = i0 % period;
    for (int64_t i = i0; i < i1; ++i) {
      out[i] = static_cast<float>(param_at(offset, j, 0.0) + (static_cast<double>(x[i]) - param_at(mean, j, 0.0)) *
                                                                 norm_factor(variance, scale, j, epsilon));
      if (relu) out[i] = rectify(out[i]);
      if (++j == period) j = 0;
    }
  });
}

}  // namespace tfr
