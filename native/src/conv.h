// 2-D convolutions (NHWC input, HWIO filter, as TensorFlow.js stores them) and their two gradients, as GEMMs over
// the image itself: no patch matrix is built.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tfr {

struct ConvShape {
  int64_t batch, in_h, in_w, in_c;     // x: [batch, in_h, in_w, in_c]
  int64_t out_h, out_w, out_c;         // y: [batch, out_h, out_w, out_c]
  int64_t filter_h, filter_w;          // w: [filter_h, filter_w, in_c, out_c]
  int64_t stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left;
};

enum class Activation { kLinear = 0, kRelu = 1, kRelu6 = 2 };

// y = act(conv(x, w) + bias); bias may be null (length out_c otherwise).
void conv2d_forward(const ConvShape& s, const float* x, const float* w, const float* bias, Activation act, float* y);

// dx = gradient of conv(x, w) with respect to x, given dy.
void conv2d_backprop_input(const ConvShape& s, const float* dy, const float* w, float* dx);

// dw = gradient of conv(x, w) with respect to w, given x and dy.
void conv2d_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* dw);

// A buffer of at least `floats` floats kept between calls (contents undefined): slot `slot` of the calling thread's
// scratch buffers, shared by the convolution kernels (one call at a time per thread).
float* scratch(size_t slot, size_t floats);

}  // namespace tfr
