// Reference int8 kernels: pure functions of (params, shapes, data) that
// reproduce TFLite's integer arithmetic bit for bit. They are the
// specification the fast kernels are tested against. All layouts are NHWC.
#pragma once

#include <cstdint>

#include "model/tensor.h"

namespace vww::ref {

struct ConvParams {
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_h = 0, pad_w = 0;       // padding before the first row / column
  int depth_multiplier = 1;       // depthwise only
  int32_t input_offset = 0;       // -input zero point
  int32_t output_offset = 0;      // output zero point
  int32_t act_min = -128, act_max = 127;
};

// input [N,H,W,Cin], filter [Cout,KH,KW,Cin], bias [Cout] (may be null),
// output [N,OH,OW,Cout]; one multiplier/shift per output channel.
void Conv2DPerChannel(const ConvParams& p, const int32_t* multipliers, const int32_t* shifts,
                      const Shape& input_shape, const int8_t* input, const Shape& filter_shape,
                      const int8_t* filter, const int32_t* bias, const Shape& output_shape,
                      int8_t* output);

// input [N,H,W,C], filter [1,KH,KW,C*M], output [N,OH,OW,C*M]; output channel
// c*M + m reads input channel c.
void DepthwiseConv2DPerChannel(const ConvParams& p, const int32_t* multipliers,
                               const int32_t* shifts, const Shape& input_shape,
                               const int8_t* input, const Shape& filter_shape,
                               const int8_t* filter, const int32_t* bias,
                               const Shape& output_shape, int8_t* output);

struct PoolParams {
  int stride_h = 1, stride_w = 1;
  int filter_h = 1, filter_w = 1;
  int pad_h = 0, pad_w = 0;
  int32_t act_min = -128, act_max = 127;
};

// Input and output share scale and zero point. The window is clipped to the
// input; the average divides by the number of in-bounds pixels, rounding half
// away from zero.
void AveragePool(const PoolParams& p, const Shape& input_shape, const int8_t* input,
                 const Shape& output_shape, int8_t* output);

struct SoftmaxParams {
  int32_t input_multiplier = 0;
  int32_t input_left_shift = 0;
  int32_t diff_min = 0;
};

// Softmax along the last axis, int8 in, int8 out (scale 1/256, zero point -128),
// using gemmlowp's fixed-point exp as TFLite does.
void Softmax(const SoftmaxParams& p, const Shape& shape, const int8_t* input, int8_t* output);



// ---- Arithmetic kernels (FULLY_CONNECTED, ADD, MUL, MEAN, LOGISTIC, QUANTIZE, DEQUANTIZE) ----

// ---- Data-movement kernels (MAX_POOL_2D, PAD, CONCATENATION, TRANSPOSE) ----
}  // namespace vww::ref
