// Max pooling (and its gradient) and nearest-neighbour resizing (and its gradient) on NHWC tensors, with the
// channel axis as the vectorised inner loop. Rows of the output (or of dx for gradients) are the parallel work.
#include <algorithm>
#include <cstring>
#include <limits>

#include "movement.h"

namespace tfr {
namespace {

// The window of output position (out_r, out_c) clipped to the image: [r0, r1) x [c0, c1), and its corner (which
// may lie in the padding).
struct Window {
  int64_t corner_r, corner_c, r0, r1, c0, c1;
};

Window window(const PoolShape& s, int64_t out_r, int64_t out_c) {
  Window w;
  w.corner_r = out_r * s.stride_h - s.pad_top;
  w.corner_c = out_c * s.stride_w - s.pad_left;
  w.r0 = std::max<int64_t>(0, w.corner_r);
  w.r1 = std::min(s.in_h, w.corner_r + s.filter_h);
  w.c0 = std::max<int64_t>(0, w.corner_c);
  w.c1 = std::min(s.in_w, w.corner_c + s.filter_w);
  return w;
}

const float* pixel(const PoolShape& s, const float* x, int64_t b, int64_t r, int64_t c) {
  return x + ((b * s.in_h + r) * s.in_w + c) * s.channels;
}

// For each output position, the window offset (wr * filter_w + wc) of the first pixel strictly greater than every
// earlier one, starting from -inf (tfjs's maxPoolPositions): NaN never wins; -1 when no pixel exceeds -inf.
void max_positions(const PoolShape& s, const float* x, int32_t* positions) {
  const int64_t C = s.channels;
  for_blocks(s.batch * s.out_h, block_for(s.out_w * s.filter_h * s.filter_w * C), [&](int64_t t0, int64_t t1) {
    std::vector<float> best(C);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t b = t / s.out_h, out_r = t % s.out_h;
      for (int64_t out_c = 0; out_c < s.out_w; ++out_c) {
        const Window w = window(s, out_r, out_c);
        int32_t* pos = positions + (t * s.out_w + out_c) * C;
        std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
        std::fill(pos, pos + C, -1);
        for (int64_t r = w.r0; r < w.r1; ++r) {
          for (int64_t c = w.c0; c < w.c1; ++c) {
            const float* px = pixel(s, x, b, r, c);
            const int32_t here = static_cast<int32_t>((r - w.corner_r) * s.filter_w + (c - w.corner_c));
            // Branch-free selects so the channel loop vectorises.
            float* __restrict bd = best.data();
            int32_t* __restrict pd = pos;
            for (int64_t d = 0; d < C; ++d) {
              const int32_t wins = -static_cast<int32_t>(px[d] > bd[d]);
              bd[d] = px[d] > bd[d] ? px[d] : bd[d];
              pd[d] = (here & wins) | (pd[d] & ~wins);
            }
          }
        }
      }
    }
  });
}

}  // namespace

void max_pool(const PoolShape& s, const float* x, float* y) {
  const int64_t C = s.channels;
  for_blocks(s.batch * s.out_h, block_for(s.out_w * s.filter_h * s.filter_w * C), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t b = t / s.out_h, out_r = t % s.out_h;
      for (int64_t out_c = 0; out_c < s.out_w; ++out_c) {
        const Window w = window(s, out_r, out_c);
        float* out = y + (t * s.out_w + out_c) * C;
        std::fill(out, out + C, -std::numeric_limits<float>::infinity());
        for (int64_t r = w.r0; r < w.r1; ++r) {
          for (int64_t c = w.c0; c < w.c1; ++c) {
            const float* px = pixel(s, x, b, r, c);
            // `pixel > max` as tfjs: a NaN pixel never replaces the running max.
            for (int64_t d = 0; d < C; ++d) out[d] = px[d] > out[d] ? px[d] : out[d];
          }
        }
      }
    }
  });
}

void max_pool_grad(const PoolShape& s, const float* x, const float* dy, float* dx) {
  const int64_t C = s.channels;
  std::vector<int32_t> positions(s.batch * s.out_h * s.out_w * C);
  max_positions(s, x, positions.data());
  // tfjs gathers for each dx pixel over the flipped window: offsets wr, wc ascending, output (dy_r, dy_c) =
  // ((x_r - pad_r + wr) / stride, ...) when whole and in range, and adds dy where that output's max position is
  // the flipped offset. Same order here, so the double sums round identically.
  const int64_t pad_r = s.filter_h - 1 - s.pad_top, pad_c = s.filter_w - 1 - s.pad_left;
  for_blocks(s.batch * s.in_h, block_for(s.in_w * C * 4), [&](int64_t t0, int64_t t1) {
    std::vector<double> acc(C);
    std::vector<float> picked(C);
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t b = t / s.in_h, x_r = t % s.in_h;
      for (int64_t x_c = 0; x_c < s.in_w; ++x_c) {
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t wr = 0; wr < s.filter_h; ++wr) {
          const int64_t num_r = x_r - pad_r + wr;
          if (num_r < 0 || num_r % s.stride_h != 0 || num_r / s.stride_h >= s.out_h) continue;
          const int64_t dy_r = num_r / s.stride_h;
          for (int64_t wc = 0; wc < s.filter_w; ++wc) {
            const int64_t num_c = x_c - pad_c + wc;
            if (num_c < 0 || num_c % s.stride_w != 0 || num_c / s.stride_w >= s.out_w) continue;
            const int64_t dy_c = num_c / s.stride_w;
            const int32_t target = static_cast<int32_t>((s.filter_h - 1 - wr) * s.filter_w + (s.filter_w - 1 - wc));
            const int64_t at = ((b * s.out_h + dy_r) * s.out_w + dy_c) * C;
            const int32_t* pos = positions.data() + at;
            const float* g = dy + at;
            // Select in float (same width as the positions) then widen: both loops vectorise. Adding +0 where
            // the position differs changes nothing, as tfjs's skipped addition.
            for (int64_t d = 0; d < C; ++d) {
              const float v = g[d];
              picked[d] = pos[d] == target ? v : 0.f;
            }
            for (int64_t d = 0; d < C; ++d) acc[d] += static_cast<double>(picked[d]);
          }
        }
        float* out = dx + ((b * s.in_h + x_r) * s.in_w + x_c) * C;
        for (int64_t d = 0; d < C; ++d) out[d] = static_cast<float>(acc[d]);
      }
    }
  });
}

void resize_nearest(const float* x, int64_t batch, int64_t in_h, int64_t in_w, int64_t channels,
                    const std::vector<int32_t>& rows, const std::vector<int32_t>& cols, float* y) {
  const int64_t out_h = static_cast<int64_t>(rows.size()), out_w = static_cast<int64_t>(cols.size());
  for_blocks(batch * out_h, block_for(out_w * channels), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t b = t / out_h, r = t % out_h;
      const float* src = x + (b * in_h + rows[r]) * in_w * channels;
      float* out = y + t * out_w * channels;
      for (int64_t c = 0; c < out_w; ++c) {
        std::memcpy(out + c * channels, src + cols[c] * channels, channels * sizeof(float));
      }
    }
  });
}

void resize_nearest_grad(const float* dy, int64_t batch, int64_t dy_h, int64_t dy_w, int64_t channels,
                         const ResizeGradMap& map, float* dx) {
  const int64_t x_h = static_cast<int64_t>(map.row_start.size()) - 1;
  const int64_t x_w = static_cast<int64_t>(map.col_start.size()) - 1;
  for_blocks(batch * x_h, block_for(dy_w * dy_h * channels / std::max<int64_t>(x_h, 1) + x_w * channels),
             [&](int64_t t0, int64_t t1) {
               std::vector<double> acc(channels);
               for (int64_t t = t0; t < t1; ++t) {
                 const int64_t b = t / x_h, r = t % x_h;
                 for (int64_t c = 0; c < x_w; ++c) {
                   std::fill(acc.begin(), acc.end(), 0.0);
                   for (int32_t i = map.row_start[r]; i < map.row_start[r + 1]; ++i) {
                     const float* row = dy + (b * dy_h + map.row_idx[i]) * dy_w * channels;
                     for (int32_t j = map.col_start[c]; j < map.col_start[c + 1]; ++j) {
                       const float* g = row + map.col_idx[j] * channels;
                       for (int64_t d = 0; d < channels; ++d) acc[d] += static_cast<double>(g[d]);
                     }
                   }
                   float* out = dx + (t * x_w + c) * channels;
                   for (int64_t d = 0; d < channels; ++d) out[d] = static_cast<float>(acc[d]);
                 }
               }
             });
}

}  // namespace tfr
