// Reductions, data movement, pooling and resizing on float32 NHWC tensors, matching tfjs-backend-cpu's kernels
// value for value (data movement, max/min, pooling, resizing) or to float rounding (sums, means, batch norm).
#pragma once
#include <cstdint>
#include <vector>

#include "thread_pool.h"

namespace tfr {

// ---- reductions (movement_reduce.cc) ----

enum class ReduceOp { kSum = 0, kMean = 1, kMax = 2, kMin = 3 };

// x viewed as [outer, reduced, inner] -> out [outer, inner]. Sums accumulate in double; Mean sums x / reduced
// rounded to float32 per element, as tfjs divides first; Max/Min propagate NaN and keep the first of equal values.
void reduce(ReduceOp op, const float* x, int64_t outer, int64_t reduced, int64_t inner, float* out);

// tfjs's FusedBatchNorm: out[i] = offset + (x - mean) * (scale / sqrt(variance + eps)) in double, every parameter
// read at index i % its length. Each length must be 1 or `period`.
struct BatchNormParam {
  const float* values;  // null: the default (offset 0, scale 1)
  int64_t length;
};
// With `relu`, out = max(0, out) in the same pass, as tfjs's Relu on the result (NaN stays NaN, -0 becomes +0).
void batch_norm(const float* x, int64_t n, BatchNormParam mean, BatchNormParam variance, BatchNormParam offset,
                BatchNormParam scale, int64_t period, double epsilon, bool relu, float* out);

// ---- copies (movement_copy.cc) ----

// Copies the box `size` at `src_begin` of src (shape src_shape) to `dst_begin` of dst (shape dst_shape).
void copy_box(const float* src, const std::vector<int64_t>& src_shape, const std::vector<int64_t>& src_begin,
              float* dst, const std::vector<int64_t>& dst_shape, const std::vector<int64_t>& dst_begin,
              const std::vector<int64_t>& size);

// Parts [outer, mids[k], inner] joined along the middle axis into [outer, sum(mids), inner]; split is the inverse.
void concat(const std::vector<const float*>& parts, const std::vector<int64_t>& mids, int64_t outer, int64_t inner,
            float* out);
void split(const float* x, const std::vector<int64_t>& mids, int64_t outer, int64_t inner,
           const std::vector<float*>& parts);

// out = x padded with `value`: x lands at `before` inside out_shape.
void pad(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& before,
         const std::vector<int64_t>& out_shape, float value, float* out);

// out[perm-permuted index] = x; out's shape is shape[perm[i]].
void transpose(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, float* out);

// out (shape[i] * reps[i]) holds x repeated reps[i] times along each axis.
void tile(const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& reps, float* out);

// ---- pooling and resizing (movement_pool.cc) ----

struct PoolShape {
  int64_t batch, in_h, in_w, channels, out_h, out_w, filter_h, filter_w, stride_h, stride_w, pad_top, pad_left;
};

// tfjs CPU max pool: the max of the window's pixels greater than -inf (NaN pixels never win), -inf for none.
void max_pool(const PoolShape& s, const float* x, float* y);

// tfjs CPU max pool gradient: each dy goes to the first maximal pixel of its window (none when the window has no
// pixel above -inf); contributions to one pixel are summed in double in tfjs's order.
void max_pool_grad(const PoolShape& s, const float* x, const float* dy, float* dx);

// Nearest-neighbour resize [batch, in_h, in_w, channels] -> [batch, rows.size(), cols.size(), channels]: output
// row r copies input row rows[r], column c input column cols[c] (the source indices tfjs computes).
void resize_nearest(const float* x, int64_t batch, int64_t in_h, int64_t in_w, int64_t channels,
                    const std::vector<int32_t>& rows, const std::vector<int32_t>& cols, float* y);

// The gradient of a nearest-neighbour resize: dx[b, r, c] = sum over the dy rows row_idx[row_start[r] ..
// row_start[r+1]) and columns col_idx[col_start[c] .. col_start[c+1]), in that order, in double.
struct ResizeGradMap {
  std::vector<int32_t> row_start, row_idx, col_start, col_idx;
};
void resize_nearest_grad(const float* dy, int64_t batch, int64_t dy_h, int64_t dy_w, int64_t channels,
                         const ResizeGradMap& map, float* dx);

}  // namespace tfr
