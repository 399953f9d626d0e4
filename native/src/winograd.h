// Winograd F(2x2, 3x3) for 3x3, stride-1, undilated convolutions: each 2x2 block of outputs comes from a 4x4 block
// of inputs through 16 element-wise products per channel pair instead of 36 multiply-adds, so the GEMM work drops
// 2.25x. The input tiles, the filter and the products are transformed with additions (and halvings of the filter),
// and the 16 products are 16 GEMMs (tiles x in channels times in channels x out channels) on gemm.h's kernel.
// F(4x4, 3x3) takes 6x6 input blocks to 4x4 output blocks through 36 products (4x less GEMM work than direct), for
// layers with many tiles. The filter gradient runs F(3x3, 2x2) over 2x2 output tiles: 16 GEMMs (in x out channels,
// depth the tiles).
#pragma once
#include <cstdint>

#include "conv.h"

namespace tfr {

// Which algorithm 3x3 stride-1 convolutions use: by shape (the default), always the implicit GEMM, or F(2x2, 3x3)
// or F(4x4, 3x3) Winograd wherever it applies (tests and benchmarks compare them; the filter gradient runs
// F(3x3, 2x2) under either). Process-wide.
enum class ConvAlgorithm { kAuto = 0, kGemm = 1, kWinograd = 2, kWinograd4 = 3 };
void set_conv_algorithm(ConvAlgorithm a);

// y = act(conv(x, w) + bias) by Winograd when the shape allows it and the algorithm setting picks it; false (and
// nothing written) otherwise.
bool winograd_forward(const ConvShape& s, const float* x, const float* w, const float* bias, Activation act,
                      float* y);

// dx for stride 1 as a convolution of dy with the rotated, transposed filter, by Winograd when it applies and is
// picked; false (nothing written) otherwise.
bool winograd_backprop_input(const ConvShape& s, const float* dy, const float* w, float* dx);

// dw by F(3x3, 2x2) over the same 2x2 output tiles: each tile's 4x4 input block and 2x2 dy block are transformed,
// multiplied position by position (16 GEMMs, in channels x out channels, depth the tiles) and the 16 sums
// transformed back to the 3x3 taps; when it applies and is picked, false (nothing written) otherwise.
bool winograd_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* dw);

}  // namespace tfr
