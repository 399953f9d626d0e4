// Bindings of movement.h. Every size is checked against the typed arrays before any memory is touched; outputs are
// preallocated Float32Arrays.
//   reduce(op, x, [outer, reduced, inner], out)            op: 0 sum, 1 mean, 2 max, 3 min
//   batchNorm(x, mean, variance, offset | null, scale | null, epsilon, out[, relu])
//   slice(x, shape, begin, size, out)
//   concat(parts, mids, outer, inner, out)                 split(x, mids, outer, inner, parts)
//   pad(x, shape, before, outShape, value, out)
//   transpose(x, shape, perm, out)                         tile(x, shape, reps, out)
//   maxPool(x, dims, y)                                    maxPoolGrad(x, dy, dims, dx)
//     dims: [batch, inH, inW, channels, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft]
//   resizeNearest(x, [batch, inH, inW, channels], rows, cols, y)
//   resizeNearestGrad(dy, [batch, dyH, dyW, channels], rowStart, rowIdx, colStart, colIdx, dx)
#include <string>

#include "movement.h"
#include "napi_util.h"

namespace tfr {
namespace {

int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t d : v) p *= d;
  return p;
}

// The values of an Int32Array argument, each in [0, limit).
std::vector<int32_t> int32s(const Args& args, size_t i, int64_t limit) {
  bool is_typed = false;
  napi_is_typedarray(args.env, args.argv[i], &is_typed);
  napi_typedarray_type type = napi_float32_array;
  size_t len = 0;
  void* data = nullptr;
  napi_value buffer;
  size_t offset;
  if (is_typed) napi_get_typedarray_info(args.env, args.argv[i], &type, &len, &data, &buffer, &offset);
  if (!is_typed || type != napi_int32_array) throw ArgError(args.where(i) + " must be an Int32Array");
  const int32_t* v = static_cast<const int32_t*>(data);
  for (size_t k = 0; k < len; ++k) {
    if (v[k] < 0 || v[k] >= limit) {
      throw ArgError(args.where(i) + "[" + std::to_string(k) + "] must be in [0, " + std::to_string(limit) + ")");
    }
  }
  return std::vector<int32_t>(v, v + len);
}

// An array of integers >= min_value of any length.
std::vector<int64_t> int_list(const Args& args, size_t i, int64_t min_value) {
  bool is_array = false;
  napi_is_array(args.env, args.argv[i], &is_array);
  if (!is_array) throw ArgError(args.where(i) + " must be an array of integers");
  uint32_t len;
  napi_get_array_length(args.env, args.argv[i], &len);
  return args.integers(i, len, min_value);
}

// A shape argument (any rank up to 8, sizes >= 0).
std::vector<int64_t> shape_arg(const Args& args, size_t i) {
  std::vector<int64_t> s = int_list(args, i, 0);
  if (s.size() > 8) throw ArgError(args.where(i) + " must have at most 8 dimensions");
  return s;
}

// Another per-axis list of the same rank as `like`.
std::vector<int64_t> axis_list(const Args& args, size_t i, size_t rank, int64_t min_value) {
  return args.integers(i, rank, min_value);
}

napi_value reduce_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "reduce", 4);
    const int64_t op = args.integer(0, 0);
    if (op > 3) throw ArgError("reduce: argument 0 (op) must be 0 (sum), 1 (mean), 2 (max) or 3 (min)");
    const std::vector<int64_t> d = args.integers(2, 3, 0);
    const float* x = args.f32(1, d[0] * d[1] * d[2]);
    float* out = args.f32(3, d[0] * d[2]);
    reduce(static_cast<ReduceOp>(op), x, d[0], d[1], d[2], out);
    return undefined(env);
  });
}

BatchNormParam norm_param(const Args& args, size_t i, bool optional) {
  if (optional && args.is_null(i)) return BatchNormParam{nullptr, 1};
  int64_t n = 0;
  const float* values = args.f32(i, -1, &n);
  if (n == 0) throw ArgError(args.where(i) + " must not be empty");
  return BatchNormParam{values, n};
}

napi_value batch_norm_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "batchNorm", 7, 1);
    int64_t n = 0;
    const float* x = args.f32(0, -1, &n);
    const BatchNormParam mean = norm_param(args, 1, false), variance = norm_param(args, 2, false);
    const BatchNormParam offset = norm_param(args, 3, true), scale = norm_param(args, 4, true);
    int64_t period = 1;
    for (const BatchNormParam* p : {&mean, &variance, &offset, &scale}) period = std::max(period, p->length);
    for (size_t i = 1; i <= 4; ++i) {
      const BatchNormParam& p = i == 1 ? mean : i == 2 ? variance : i == 3 ? offset : scale;
      if (p.length != 1 && p.length != period) {
        throw ArgError(args.where(i) + " must have 1 or " + std::to_string(period) + " elements (as the others)");
      }
    }
    const double epsilon = args.number(5);
    const bool relu = !args.is_null(7) && args.integer(7, 0) != 0;
    batch_norm(x, n, mean, variance, offset, scale, period, epsilon, relu, args.f32(6, n));
    return undefined(env);
  });
}

napi_value slice_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "slice", 5);
    const std::vector<int64_t> shape = shape_arg(args, 1);
    const std::vector<int64_t> begin = axis_list(args, 2, shape.size(), 0);
    const std::vector<int64_t> size = axis_list(args, 3, shape.size(), 0);
    for (size_t i = 0; i < shape.size(); ++i) {
      if (begin[i] + size[i] > shape[i]) {
        throw ArgError("slice: begin + size exceeds the shape on axis " + std::to_string(i));
      }
    }
    const float* x = args.f32(0, product(shape));
    float* out = args.f32(4, product(size));
    copy_box(x, shape, begin, out, size, std::vector<int64_t>(shape.size(), 0), size);
    return undefined(env);
  });
}

// The part lengths of a concat/split: mids[k] * outer * inner each.
std::vector<int64_t> part_lengths(const std::vector<int64_t>& mids, int64_t outer, int64_t inner) {
  std::vector<int64_t> lengths;
  for (int64_t m : mids) lengths.push_back(m * outer * inner);
  return lengths;
}

napi_value concat_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "concat", 5);
    const std::vector<int64_t> mids = int_list(args, 1, 0);
    const int64_t outer = args.integer(2, 0), inner = args.integer(3, 0);
    const std::vector<float*> parts = args.f32_list(0, part_lengths(mids, outer, inner));
    int64_t total = 0;
    for (int64_t m : mids) total += m;
    float* out = args.f32(4, total * outer * inner);
    concat(std::vector<const float*>(parts.begin(), parts.end()), mids, outer, inner, out);
    return undefined(env);
  });
}

napi_value split_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "split", 5);
    const std::vector<int64_t> mids = int_list(args, 1, 0);
    const int64_t outer = args.integer(2, 0), inner = args.integer(3, 0);
    int64_t total = 0;
    for (int64_t m : mids) total += m;
    const float* x = args.f32(0, total * outer * inner);
    split(x, mids, outer, inner, args.f32_list(4, part_lengths(mids, outer, inner)));
    return undefined(env);
  });
}

napi_value pad_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "pad", 6);
    const std::vector<int64_t> shape = shape_arg(args, 1);
    const std::vector<int64_t> before = axis_list(args, 2, shape.size(), 0);
    const std::vector<int64_t> out_shape = axis_list(args, 3, shape.size(), 0);
    for (size_t i = 0; i < shape.size(); ++i) {
      if (before[i] + shape[i] > out_shape[i]) {
        throw ArgError("pad: argument 3 (outShape) is too small for the input and padding on axis " +
                       std::to_string(i));
      }
    }
    const float value = static_cast<float>(args.number(4));
    pad(args.f32(0, product(shape)), shape, before, out_shape, value, args.f32(5, product(out_shape)));
    return undefined(env);
  });
}

napi_value transpose_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "transpose", 4);
    const std::vector<int64_t> shape = shape_arg(args, 1);
    const std::vector<int64_t> perm = axis_list(args, 2, shape.size(), 0);
    std::vector<bool> seen(shape.size(), false);
    for (int64_t p : perm) {
      if (p >= static_cast<int64_t>(shape.size()) || seen[p]) {
        throw ArgError("transpose: argument 2 (perm) must be a permutation of 0.." + std::to_string(shape.size() - 1));
      }
      seen[p] = true;
    }
    const int64_t n = product(shape);
    transpose(args.f32(0, n), shape, perm, args.f32(3, n));
    return undefined(env);
  });
}

napi_value tile_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "tile", 4);
    const std::vector<int64_t> shape = shape_arg(args, 1);
    const std::vector<int64_t> reps = axis_list(args, 2, shape.size(), 0);
    int64_t out_n = 1;
    for (size_t i = 0; i < shape.size(); ++i) out_n *= shape[i] * reps[i];
    tile(args.f32(0, product(shape)), shape, reps, args.f32(3, out_n));
    return undefined(env);
  });
}

PoolShape pool_shape(const Args& args, size_t i) {
  const std::vector<int64_t> v = args.integers(i, 12, 0);
  PoolShape s{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
  if (s.filter_h < 1 || s.filter_w < 1 || s.stride_h < 1 || s.stride_w < 1) {
    throw ArgError(args.where(i) + ": filter sizes and strides must be >= 1");
  }
  return s;
}

napi_value max_pool_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "maxPool", 3);
    const PoolShape s = pool_shape(args, 1);
    const float* x = args.f32(0, s.batch * s.in_h * s.in_w * s.channels);
    max_pool(s, x, args.f32(2, s.batch * s.out_h * s.out_w * s.channels));
    return undefined(env);
  });
}

napi_value max_pool_grad_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "maxPoolGrad", 4);
    const PoolShape s = pool_shape(args, 2);
    const int64_t x_n = s.batch * s.in_h * s.in_w * s.channels;
    const float* x = args.f32(0, x_n);
    const float* dy = args.f32(1, s.batch * s.out_h * s.out_w * s.channels);
    max_pool_grad(s, x, dy, args.f32(3, x_n));
    return undefined(env);
  });
}

napi_value resize_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "resizeNearest", 5);
    const std::vector<int64_t> d = args.integers(1, 4, 0);
    const std::vector<int32_t> rows = int32s(args, 2, d[1]), cols = int32s(args, 3, d[2]);
    const float* x = args.f32(0, d[0] * d[1] * d[2] * d[3]);
    float* y = args.f32(4, d[0] * static_cast<int64_t>(rows.size() * cols.size()) * d[3]);
    resize_nearest(x, d[0], d[1], d[2], d[3], rows, cols, y);
    return undefined(env);
  });
}

// row_start must run from 0 to idx.size(), never decreasing.
void check_starts(const Args& args, size_t i, const std::vector<int32_t>& start, size_t idx_size) {
  if (start.empty() || start.front() != 0 || static_cast<size_t>(start.back()) != idx_size) {
    throw ArgError(args.where(i) + " must start at 0 and end at the length of argument " + std::to_string(i + 1));
  }
  for (size_t k = 1; k < start.size(); ++k) {
    if (start[k] < start[k - 1]) throw ArgError(args.where(i) + " must not decrease");
  }
}

napi_value resize_grad_binding(napi_env env, napi_callback_info info) {
  return guard(env, [&] {
    Args args(env, info, "resizeNearestGrad", 7);
    const std::vector<int64_t> d = args.integers(1, 4, 0);
    ResizeGradMap map;
    map.row_idx = int32s(args, 3, d[1]);
    map.col_idx = int32s(args, 5, d[2]);
    map.row_start = int32s(args, 2, static_cast<int64_t>(map.row_idx.size()) + 1);
    map.col_start = int32s(args, 4, static_cast<int64_t>(map.col_idx.size()) + 1);
    check_starts(args, 2, map.row_start, map.row_idx.size());
    check_starts(args, 4, map.col_start, map.col_idx.size());
    const int64_t x_h = static_cast<int64_t>(map.row_start.size()) - 1;
    const int64_t x_w = static_cast<int64_t>(map.col_start.size()) - 1;
    const float* dy = args.f32(0, d[0] * d[1] * d[2] * d[3]);
    resize_nearest_grad(dy, d[0], d[1], d[2], d[3], map, args.f32(6, d[0] * x_h * x_w * d[3]));
    return undefined(env);
  });
}

}  // namespace

void register_movement(napi_env env, napi_value exports) {
  define(env, exports, "reduce", reduce_binding);
  define(env, exports, "batchNorm", batch_norm_binding);
  define(env, exports, "slice", slice_binding);
  define(env, exports, "concat", concat_binding);
  define(env, exports, "split", split_binding);
  define(env, exports, "pad", pad_binding);
  define(env, exports, "transpose", transpose_binding);
  define(env, exports, "tile", tile_binding);
  define(env, exports, "maxPool", max_pool_binding);
  define(env, exports, "maxPoolGrad", max_pool_grad_binding);
  define(env, exports, "resizeNearest", resize_binding);
  define(env, exports, "resizeNearestGrad", resize_grad_binding);
}

}  // namespace tfr
