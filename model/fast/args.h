// Plain-data arguments of the ISA-specific kernel entry points. The
// *_avx2.cc / *_avx512.cc files are compiled with wider ISA flags, so they see
// only this header (no std::vector, no templates shared with portable code):
// an inline function instantiated there could otherwise be picked by the
// linker for portable callers and crash a CPU without those instructions.
#pragma once

#include <cstdint>

namespace vww::fast {

// Per-output-channel requantization, TFLite's MultiplyByQuantizedMultiplier
// split into vector-friendly pieces. Arrays are padded to a multiple of 16
// channels with neutral values so full-width vector loads stay in bounds.
struct RequantArgs {
  const int32_t* multiplier;
  const int32_t* left_shift;       // max(shift, 0)
  const int32_t* right_shift;      // max(-shift, 0)
  const int32_t* round_mask;       // (1 << right_shift) - 1
  const int32_t* round_threshold;  // round_mask >> 1
  int32_t output_offset;
  int32_t act_min, act_max;
  bool any_left_shift;  // lets the kernels skip the left shift (rare in practice)
};

// 1x1 CONV_2D as a GEMM: [pixels x in_c] x [in_c x out_c].
struct PointwiseArgs {
  const int8_t* input;
  int8_t* output;
  uint8_t* scratch;  // the input pixels, repacked per ISA (see conv_1x1.cc)
  int batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int stride_h, stride_w;
  int depth;             // elements per pixel in scratch (in_c rounded up)
  const void* weights;   // packed per ISA
  const int32_t* bias;   // padded; zero-point corrections folded in
  int32_t input_offset;  // -input zero point
  RequantArgs rq;
};

void PointwiseAvx2(const PointwiseArgs& a);
void PointwiseAvx512(const PointwiseArgs& a);

constexpr int kMaxDepthwiseTaps = 64;

// DEPTHWISE_CONV_2D with depth multiplier 1, or with a one-channel input
// (any multiplier: every output channel reads channel 0, as in a stem layer).
struct DepthwiseArgs {
  const int8_t* input;
  int8_t* output;
  int batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  bool broadcast_input;       // in_c == 1 and out_c > 1
  int32_t input_zero_point;   // what a padded pixel holds
  int out_c_padded;           // out_c rounded up to 16
  const int32_t* weights;     // [kh*kw][out_c_padded]: low 16 bits w, high 16 bits 0
  const int32_t* bias;        // [out_c_padded]: bias + input_offset * sum of taps
  RequantArgs rq;
};

void DepthwiseAvx2(const DepthwiseArgs& a);
void DepthwiseAvx512(const DepthwiseArgs& a);

}  // namespace vww::fast
