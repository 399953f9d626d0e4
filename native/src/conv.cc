#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "thread_pool.h"
#include "winograd.h"

namespace tfr {
namespace {

// A grid of pixels [batch, grid_h, grid_w] read from / written to an NHWC image [batch, img_h, img_w, channels]:
// grid pixel (n, a, b) sits at image pixel (a * step_h + off_h, b * step_w + off_w).
struct PixelGrid {
  int64_t grid_h, grid_w;
  int64_t img_h, img_w, channels;
  int64_t step_h, step_w, off_h, off_w;

  void locate(int64_t m, int64_t* n, int64_t* h, int64_t* w) const {
    const int64_t per_image = grid_h * grid_w;
    *n = m / per_image;
    const int64_t rem = m - *n * per_image;
    const int64_t a = rem / grid_w;
    const int64_t b = rem - a * grid_w;
    *h = a * step_h + off_h;
    *w = b * step_w + off_w;
  }
};

// A filter tap: which image pixel it reads, relative to the grid pixel's own position.
struct Tap {
  int64_t dh, dw;
};

// A stretch of the depth (or column) range that reads one tap's contiguous channels [c, c + len), landing at
// position `at` of the packed panel. Precomputed per panel so the per-pixel loops do no divisions.
struct Run {
  int64_t at, tap, c, len;
};

// Copies a run of channels, or zeroes it where src is nullptr (padding). Runs are as short as one float in a
// network's first layer (one input channel, 49 taps), where a library call per float would cost more than the copy.
inline void copy_run(float* dst, const float* src, int64_t len) {
  if (len <= 8) {
    for (int64_t i = 0; i < len; ++i) dst[i] = src != nullptr ? src[i] : 0.f;
  } else if (src != nullptr) {
    std::memcpy(dst, src, sizeof(float) * len);
  } else {
    std::memset(dst, 0, sizeof(float) * len);
  }
}

// Splits [begin, begin + count) of the (tap, channel) index into runs of one tap each.
void split_runs(int64_t begin, int64_t count, int64_t channels, std::vector<Run>* runs) {
  runs->clear();
  int64_t k = begin;
  const int64_t end = begin + count;
  while (k < end) {
    const int64_t t = k / channels;
    const int64_t c = k - t * channels;
    const int64_t len = std::min(channels - c, end - k);
    runs->push_back({k - begin, t, c, len});
    k += len;
  }
}

// Walks grid pixels m, m + 1, ... without dividing at every step.
struct PixelCursor {
  const PixelGrid& g;
  int64_t n, a, b;
  PixelCursor(const PixelGrid& grid, int64_t m) : g(grid) {
    const int64_t per_image = g.grid_h * g.grid_w;
    n = m / per_image;
    const int64_t rem = m - n * per_image;
    a = rem / g.grid_w;
    b = rem - a * g.grid_w;
  }
  int64_t h() const { return a * g.step_h + g.off_h; }
  int64_t w() const { return b * g.step_w + g.off_w; }
  void next() {
    if (++b == g.grid_w) {
      b = 0;
      if (++a == g.grid_h) {
        a = 0;
        ++n;
      }
    }
  }
};

// The image pixel a tap reads from the cursor's pixel, from channel c on; nullptr outside the image (zero padding).
inline const float* tap_source(const float* img, const PixelGrid& g, const PixelCursor& px, const Tap& tap,
                               int64_t c) {
  const int64_t ih = px.h() + tap.dh, iw = px.w() + tap.dw;
  if (ih < 0 || ih >= g.img_h || iw < 0 || iw >= g.img_w) return nullptr;
  return img + ((px.n * g.img_h + ih) * g.img_w + iw) * g.channels + c;
}

// Implicit im2col as the A operand: row m is grid pixel m; depth k = tap * channels + c reads channel c of the image
// pixel at the tap's offset (zero outside the image).
struct PatchRowsA final : APacker {
  const float* img;
  PixelGrid grid;
  std::vector<Tap> taps;

  void pack(int64_t m0, int mr, int64_t k0, int kc, float* dst) const override {
    if (grid.channels == 1) {
      single_channel_rows(m0, mr, k0, kc, dst);
    } else {
      thread_local std::vector<Run> runs;
      split_runs(k0, kc, grid.channels, &runs);
      PixelCursor px(grid, m0);
      for (int r = 0; r < mr; ++r, px.next()) {
        for (const Run& run : runs) {
          copy_run(dst + static_cast<int64_t>(r) * kc + run.at, tap_source(img, grid, px, taps[run.tap], run.c),
                   run.len);
        }
      }
    }
    if (mr < kMR) std::memset(dst + static_cast<int64_t>(mr) * kc, 0, sizeof(float) * kc * (kMR - mr));
  }

  // One channel (a gray image's first layer, such as the 7x7 stem): depth k is tap k, one float each, so runs of
  // one float would cost a call per element; read each tap's pixel directly instead.
  void single_channel_rows(int64_t m0, int mr, int64_t k0, int kc, float* dst) const {
    PixelCursor px(grid, m0);
    for (int r = 0; r < mr; ++r, px.next()) {
      const float* image = img + px.n * grid.img_h * grid.img_w;
      const int64_t h = px.h(), w = px.w();
      float* d = dst + static_cast<int64_t>(r) * kc;
      for (int k = 0; k < kc; ++k) {
        const Tap& tap = taps[k0 + k];
        const int64_t ih = h + tap.dh, iw = w + tap.dw;
        d[k] = ih >= 0 && ih < grid.img_h && iw >= 0 && iw < grid.img_w ? image[ih * grid.img_w + iw] : 0.f;
      }
    }
  }
};

// Filter as the B operand: B[k = tap * depth + c, n] = w[tap_offset[tap] + c * c_stride + n * n_stride].
struct FilterB final : BPacker {
  const float* w;
  std::vector<int64_t> tap_offset;
  int64_t depth, c_stride, n_stride;

  void pack(int64_t k0, int kc, int64_t n0, int nr, float* dst) const override {
    for (int k = 0; k < kc; ++k) {
      const int64_t kk = k0 + k;
      const int64_t t = kk / depth;
      const int64_t c = kk - t * depth;
      const float* src = w + tap_offset[t] + c * c_stride + n0 * n_stride;
      float* d = dst + k * kNR;
      if (n_stride == 1) {
        std::memcpy(d, src, sizeof(float) * nr);
      } else {
        for (int j = 0; j < nr; ++j) d[j] = src[j * n_stride];
      }
      for (int j = nr; j < kNR; ++j) d[j] = 0.f;
    }
  }
};

// Output rows on a pixel grid of an NHWC image.
struct GridC final : CRows {
  float* img;
  PixelGrid grid;
  float* row(int64_t m) const override {
    int64_t n, h, w;
    grid.locate(m, &n, &h, &w);
    return img + ((n * grid.img_h + h) * grid.img_w + w) * grid.channels;
  }
};

void apply_bias_activation(float* y, int64_t pixels, int64_t channels, const float* bias, Activation act) {
  if (bias == nullptr && act == Activation::kLinear) return;
  for_blocks(pixels, 4096, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      float* v = y + p * channels;
      if (bias != nullptr) {
        for (int64_t c = 0; c < channels; ++c) v[c] += bias[c];
      }
      if (act == Activation::kRelu) {
        for (int64_t c = 0; c < channels; ++c) v[c] = v[c] > 0.f ? v[c] : 0.f;
      } else if (act == Activation::kRelu6) {
        for (int64_t c = 0; c < channels; ++c) v[c] = std::min(6.f, std::max(0.f, v[c]));
      }
    }
  });
}

}  // namespace

void conv2d_forward(const ConvShape& s, const float* x, const float* w, const float* bias, Activation act, float* y) {
  if (winograd_forward(s, x, w, bias, act, y)) return;
  PatchRowsA a;
  a.img = x;
  a.grid = {s.out_h, s.out_w, s.in_h, s.in_w, s.in_c, s.stride_h, s.stride_w, -s.pad_top, -s.pad_left};
  FilterB b;
  b.w = w;
  b.depth = s.in_c;
  b.c_stride = s.out_c;
  b.n_stride = 1;
  for (int64_t kh = 0; kh < s.filter_h; ++kh) {
    for (int64_t kw = 0; kw < s.filter_w; ++kw) {
      a.taps.push_back({kh * s.dilation_h, kw * s.dilation_w});
      b.tap_offset.push_back((kh * s.filter_w + kw) * s.in_c * s.out_c);
    }
  }
  DenseC c(y, s.out_c);
  const int64_t M = s.batch * s.out_h * s.out_w;
  gemm_rows_parallel(M, s.out_c, static_cast<int64_t>(a.taps.size()) * s.in_c, a, b, c, false);
  apply_bias_activation(y, M, s.out_c, bias, act);
}

namespace {

// dx for few input channels (a network's first layer): the phase GEMMs would have only in_c columns (a sixteenth of
// a micro-tile's for a gray image's stem), so instead, image by image, one GEMM gives
// col[(tap, ci), p] = sum over co of w[tap, ci, co] * dy[p, co] (a plane of output pixels per tap and input channel),
// then each dx row adds in the planes' entries that reach it, tap by tap in a fixed order. Both steps split over the
// pool (the GEMM by columns, the adds by dx rows: no two threads write one pixel), so a batch of one image uses every
// thread, and the bits do not depend on the thread count.
void backprop_input_col2im(const ConvShape& s, const float* dy, const float* w, float* dx) {
  const int64_t planes = s.filter_h * s.filter_w * s.in_c;
  const int64_t per_image = s.out_h * s.out_w;
  const int64_t step = s.stride_w * s.in_c;  // in dx's row, from one output column's pixel to the next's
  thread_local std::vector<float> col_buffer;
  col_buffer.resize(static_cast<size_t>(planes * per_image));
  float* col = col_buffer.data();  // the caller's: a thread_local named in the tasks would be each worker's own
  for (int64_t n = 0; n < s.batch; ++n) {
    StridedA a(w, s.out_c, 1);
    StridedB b(dy + n * per_image * s.out_c, 1, s.out_c);
    DenseC c(col, per_image);
    gemm_rows_parallel(planes, per_image, s.out_c, a, b, c, false);
    float* dxn = dx + n * s.in_h * s.in_w * s.in_c;
    for_blocks(s.in_h, 4, [&](int64_t ih0, int64_t ih1) {
      for (int64_t ih = ih0; ih < ih1; ++ih) {
        float* row = dxn + ih * s.in_w * s.in_c;
        std::memset(row, 0, sizeof(float) * s.in_w * s.in_c);
        for (int64_t kh = 0; kh < s.filter_h; ++kh) {
          // ih = oh * stride - pad + kh * dilation
          const int64_t num_h = ih + s.pad_top - kh * s.dilation_h;
          if (num_h < 0 || num_h % s.stride_h != 0 || num_h / s.stride_h >= s.out_h) continue;
          const int64_t oh = num_h / s.stride_h;
          for (int64_t kw = 0; kw < s.filter_w; ++kw) {
            // iw = ow * stride + offset, for the ow that land inside the row
            const int64_t offset = kw * s.dilation_w - s.pad_left;
            const int64_t ow0 = offset >= 0 ? 0 : (-offset + s.stride_w - 1) / s.stride_w;
            const int64_t ow1 = std::min(s.out_w, (s.in_w - offset + s.stride_w - 1) / s.stride_w);
            for (int64_t ci = 0; ci < s.in_c; ++ci) {
              const float* v = col + ((kh * s.filter_w + kw) * s.in_c + ci) * per_image + oh * s.out_w;
              float* d = row + offset * s.in_c + ci;
              for (int64_t ow = ow0; ow < ow1; ++ow) d[ow * step] += v[ow];
            }
          }
        }
      }
    });
  }
}

}  // namespace

void conv2d_backprop_input(const ConvShape& s, const float* dy, const float* w, float* dx) {
  if (winograd_backprop_input(s, dy, w, dx)) return;
  if (s.in_c < 8) {
    backprop_input_col2im(s, dy, w, dx);
    return;
  }
  // dx[n, ih, iw, ci] = sum over taps (kh, kw) and co of dy[n, oh, ow, co] * w[kh, kw, ci, co], where
  // ih = oh * stride - pad + kh * dilation. Split dx by the phase (ih mod stride, iw mod stride): within a phase the
  // contributing taps are fixed and oh moves one step per step of ih, so each phase is a plain stride-1 GEMM with no
  // zero-inserted dy. With stride 1 the one phase writes every dx pixel; with more, a phase may get no tap and stays 0.
  if (s.stride_h > 1 || s.stride_w > 1) std::memset(dx, 0, sizeof(float) * s.batch * s.in_h * s.in_w * s.in_c);
  for (int64_t ph = 0; ph < s.stride_h && ph < s.in_h; ++ph) {
    for (int64_t pw = 0; pw < s.stride_w && pw < s.in_w; ++pw) {
      const int64_t grid_h = (s.in_h - ph + s.stride_h - 1) / s.stride_h;
      const int64_t grid_w = (s.in_w - pw + s.stride_w - 1) / s.stride_w;
      PatchRowsA a;
      a.img = dy;
      // Grid pixel (i, j) is dx pixel (ph + i * stride, pw + j * stride); a tap reads dy at (i + dh, j + dw).
      a.grid = {grid_h, grid_w, s.out_h, s.out_w, s.out_c, 1, 1, 0, 0};
      FilterB b;
      b.w = w;
      b.depth = s.out_c;
      b.c_stride = 1;
      b.n_stride = s.out_c;
      for (int64_t kh = 0; kh < s.filter_h; ++kh) {
        const int64_t num_h = ph + s.pad_top - kh * s.dilation_h;
        if (((num_h % s.stride_h) + s.stride_h) % s.stride_h != 0) continue;
        for (int64_t kw = 0; kw < s.filter_w; ++kw) {
          const int64_t num_w = pw + s.pad_left - kw * s.dilation_w;
          if (((num_w % s.stride_w) + s.stride_w) % s.stride_w != 0) continue;
          a.taps.push_back({num_h / s.stride_h, num_w / s.stride_w});
          b.tap_offset.push_back((kh * s.filter_w + kw) * s.in_c * s.out_c);
        }
      }
      if (a.taps.empty()) continue;  // these dx pixels receive nothing: they stay 0
      const int64_t M = s.batch * grid_h * grid_w;
      const int64_t K = static_cast<int64_t>(a.taps.size()) * s.out_c;
      if (s.stride_h == 1 && s.stride_w == 1) {
        // One phase covering every dx pixel in order: plain rows, no per-tile pixel arithmetic.
        DenseC c(dx, s.in_c);
        gemm_rows_parallel(M, s.in_c, K, a, b, c, false);
      } else {
        GridC c;
        c.img = dx;
        c.grid = {grid_h, grid_w, s.in_h, s.in_w, s.in_c, s.stride_h, s.stride_w, ph, pw};
        gemm_rows_parallel(M, s.in_c, K, a, b, c, false);
      }
    }
  }
}

namespace {

// Implicit im2col as the B operand: B[p, tap * in_c + c] = x at output pixel p shifted by the tap (zero outside).
struct PatchColsB final : BPacker {
  const float* x;
  PixelGrid grid;  // output pixels -> input positions
  std::vector<Tap> taps;
  void pack(int64_t k0, int kc, int64_t n0, int nr, float* dst) const override {
    thread_local std::vector<Run> runs;
    split_runs(n0, nr, grid.channels, &runs);
    PixelCursor px(grid, k0);
    for (int k = 0; k < kc; ++k, px.next()) {
      float* d = dst + k * kNR;
      for (const Run& run : runs) copy_run(d + run.at, tap_source(x, grid, px, taps[run.tap], run.c), run.len);
      if (nr < kNR) std::memset(d + nr, 0, sizeof(float) * (kNR - nr));
    }
  }

  // Read B in place (see rows): pays where the GEMM has few rows (few output channels), so each panel of B is used
  // by few micro-tiles and copying it costs more than it saves; with many rows a compact packed copy is faster.
  bool in_place = false;

  // A full panel within one tap's channels lies contiguous in x at every pixel: point at it, copy nothing.
  bool rows(int64_t k0, int kc, int64_t n0, int nr, const float** out) const override {
    if (!in_place) return false;
    const int64_t C = grid.channels;
    const int64_t t = n0 / C;
    const int64_t c = n0 - t * C;
    if (nr != kNR || c + kNR > C) return false;
    PixelCursor px(grid, k0);
    for (int k = 0; k < kc; ++k, px.next()) {
      const float* src = tap_source(x, grid, px, taps[t], c);
      out[k] = src != nullptr ? src : kZeroRow;
    }
    return true;
  }
};

}  // namespace

// Scratch buffers kept between calls: a filter gradient needs one full-size buffer per task, and allocating (and
// zeroing, and page-faulting) megabytes at every call cost more than the GEMM of a deep layer. They belong to the
// calling thread (each JavaScript thread has its own), and slot i is only touched by task i of its call.
float* scratch(size_t slot, size_t floats) {
  thread_local std::vector<std::vector<float>> buffers;
  if (buffers.size() <= slot) buffers.resize(slot + 1);
  std::vector<float>& buffer = buffers[slot];
  if (buffer.size() < floats) {
    buffer.clear();
    buffer.shrink_to_fit();
    buffer.resize(floats);
  }
  return buffer.data();
}

namespace {

// out[col * rows + r] = sum over the parts of part[r * cols + col] (in order): a transposing sum, in 32x32 tiles to
// stay in cache, across the pool.
void transpose_sum(const std::vector<const float*>& parts, int64_t rows, int64_t cols, float* out) {
  constexpr int64_t kTile = 32;
  for_blocks(Blocks(cols, kTile, kTile), [&](int64_t c0, int64_t c1) {
    for (int64_t r0 = 0; r0 < rows; r0 += kTile) {
      const int64_t r1 = std::min(rows, r0 + kTile);
      for (int64_t col = c0; col < c1; ++col) {
        for (int64_t r = r0; r < r1; ++r) {
          float sum = parts[0][r * cols + col];
          for (size_t t = 1; t < parts.size(); ++t) sum += parts[t][r * cols + col];
          out[col * rows + r] = sum;
        }
      }
    }
  });
}

}  // namespace

void conv2d_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* dw) {
  if (winograd_backprop_filter(s, x, dy, dw)) return;
  // dw^T[co, tap * in_c + ci] = sum over output pixels p of dy[p, co] * x[p shifted by tap, ci]: a GEMM whose depth
  // is the pixel count. Threads split the pixels, each into its own partial sum.
  StridedA a(dy, 1, s.out_c);  // dy^T: A[co, p] = dy[p * out_c + co]
  PatchColsB b;
  b.x = x;
  b.grid = {s.out_h, s.out_w, s.in_h, s.in_w, s.in_c, s.stride_h, s.stride_w, -s.pad_top, -s.pad_left};
  for (int64_t kh = 0; kh < s.filter_h; ++kh) {
    for (int64_t kw = 0; kw < s.filter_w; ++kw) b.taps.push_back({kh * s.dilation_h, kw * s.dilation_w});
  }
  // Measured on U-Net layers: in place is 1.4-1.5x faster at 16-32 output channels, slower from 64 on.
  b.in_place = s.out_c <= 32;
  const int64_t cols = s.filter_h * s.filter_w * s.in_c;
  const int64_t P = s.batch * s.out_h * s.out_w;
  const int threads = num_threads();
  if (threads > 1 && P < static_cast<int64_t>(threads) * 2 * kKC) {
    // Too few pixels to split (deep, low-resolution layers): split the filter's columns instead, so each task
    // packs only its own columns of the patch matrix; no partial sums.
    float* t = scratch(0, static_cast<size_t>(s.out_c * cols));
    DenseC c(t, cols);
    int64_t width = (cols + threads * 2 - 1) / (threads * 2);
    width = (width + kNR - 1) / kNR * kNR;
    for_blocks(Blocks(cols, width, width), [&](int64_t n0, int64_t n1) {
      gemm_block(0, s.out_c, n0, n1, 0, P, a, b, c, false);
    });
    transpose_sum({t}, s.out_c, cols, dw);
    return;
  }
  // Split the depth in blocks of a kKC multiple (`chunk` each, the last shorter), one partial sum each.
  int64_t chunk = (P + threads - 1) / threads;
  chunk = std::max<int64_t>(kKC, (chunk + kKC - 1) / kKC * kKC);
  const Blocks depth(P, chunk, chunk);
  std::vector<float*> partial(depth.count());
  for (size_t t = 0; t < partial.size(); ++t) partial[t] = scratch(t, static_cast<size_t>(s.out_c * cols));
  for_blocks(depth, [&](int64_t t, int64_t p0, int64_t p1) {
    DenseC c(partial[t], cols);
    gemm_block(0, s.out_c, 0, cols, p0, p1, a, b, c, false);
  });
  transpose_sum({partial.begin(), partial.end()}, s.out_c, cols, dw);
}

}  // namespace tfr
