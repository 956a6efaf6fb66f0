// model/kernels/: the reference int8 kernels, pure functions of (params, shapes,
// data) that reproduce TFLite's integer arithmetic bit for bit.
//
// They are the specification the fast kernels are tested against. Each
// operator's prepare (checks, multipliers) and registration sit beside its
// function in <op>.cc; shared prepares are in conv_common.h, pool_common.h,
// binary_common.h and kernel_util.h. All layouts are NHWC.
#pragma once

#include <cstdint>

#include "model/tensor.h"

namespace vww::ref {

struct ConvParams {
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_h = 0, pad_w = 0;   // padding before the first row / column
  int depth_multiplier = 1;   // depthwise only
  int32_t input_offset = 0;   // -input zero point
  int32_t output_offset = 0;  // output zero point
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
                               const int32_t* shifts, const Shape& input_shape, const int8_t* input,
                               const Shape& filter_shape, const int8_t* filter, const int32_t* bias,
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
// Its steps, which the fast softmax (model/fast/softmax.cc) tabulates:
// exp(beta * s_in * diff) for diff = x - max in [diff_min, 0], in Q0.31;
int32_t SoftmaxExp(const SoftmaxParams& p, int32_t diff);
// that value as a summand of the row's Q12.19 sum;
int32_t SoftmaxSummand(int32_t exp);
// 1 / sum as a Q0.31 value times 2^-num_bits_over_unit;
int32_t SoftmaxReciprocal(int32_t sum, int* num_bits_over_unit);
// one output: exp * reciprocal, rounded to 1/256, minus 128, saturated.
int8_t SoftmaxOutput(int32_t reciprocal, int num_bits_over_unit, int32_t exp);

// ---- Arithmetic kernels (FULLY_CONNECTED, ADD, MUL, MEAN, LOGISTIC, QUANTIZE, DEQUANTIZE) ----

struct FullyConnectedParams {
  int32_t input_offset = 0;   // -input zero point
  int32_t filter_offset = 0;  // -filter zero point (0 for per-channel weights)
  int32_t output_offset = 0;  // output zero point
  int32_t act_min = -128, act_max = 127;
};

// input [batches, depth] (any shape, flattened), filter [units, depth], bias
// [units] (may be null), output [batches, units]; one multiplier/shift per
// unit (per-tensor weights repeat one value).
void FullyConnected(const FullyConnectedParams& p, const int32_t* multipliers,
                    const int32_t* shifts, int batches, int depth, int units, const int8_t* input,
                    const int8_t* filter, const int32_t* bias, int8_t* output);

// NumPy broadcasting of two inputs onto an output of rank <= kMaxRank: per
// output axis, the element stride of each input, 0 where it is broadcast.
struct Broadcast {
  int rank = 0;
  int dims[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t stride1[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t stride2[kMaxRank] = {0, 0, 0, 0, 0, 0};
};

// False when the shapes do not broadcast, or not to exactly `output`.
bool MakeBroadcast(const Shape& input1, const Shape& input2, const Shape& output, Broadcast* b);

// Calls f(output_index, input1_index, input2_index) for every output element in order.
template <typename F>
inline void ForEachBroadcast(const Broadcast& b, F&& f) {
  int64_t total = 1;
  for (int d = 0; d < b.rank; ++d) total *= b.dims[d];
  int index[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t i1 = 0, i2 = 0;
  for (int64_t o = 0; o < total; ++o) {
    f(o, i1, i2);
    for (int d = b.rank - 1; d >= 0; --d) {  // odometer step, last axis fastest
      i1 += b.stride1[d];
      i2 += b.stride2[d];
      if (++index[d] < b.dims[d]) break;
      i1 -= b.stride1[d] * b.dims[d];
      i2 -= b.stride2[d] * b.dims[d];
      index[d] = 0;
    }
  }
}

// TFLite's int8 ADD: both inputs are shifted left by left_shift (20), scaled
// to a common scale (multipliers < 1), summed, then scaled to the output.
struct AddParams {
  int32_t input1_offset = 0, input2_offset = 0;  // -zero points
  int32_t output_offset = 0;
  int left_shift = 20;
  int32_t input1_multiplier = 0, input2_multiplier = 0, output_multiplier = 0;
  int input1_shift = 0, input2_shift = 0, output_shift = 0;  // <= 0 (right shifts)
  int32_t act_min = -128, act_max = 127;
};

void Add(const AddParams& p, const Broadcast& b, const int8_t* input1, const int8_t* input2,
         int8_t* output);

// int8 MUL: (x1 - zp1) * (x2 - zp2) scaled by s1 * s2 / s_out.
struct MulParams {
  int32_t input1_offset = 0, input2_offset = 0;  // -zero points
  int32_t output_offset = 0;
  int32_t output_multiplier = 0;
  int output_shift = 0;
  int32_t act_min = -128, act_max = 127;
};

void Mul(const MulParams& p, const Broadcast& b, const int8_t* input1, const int8_t* input2,
         int8_t* output);

// MEAN over a set of axes, as TFLite Micro's reference computes it for 8-bit
// types: values are summed in int32, the input zero point times the count is
// subtracted, and the result is scaled by one integer multiplier that folds
// both the scale ratio and 1 / count (see mean.cc), plus the output zero point.
struct MeanParams {
  int rank = 0;
  int dims[kMaxRank] = {0, 0, 0, 0, 0, 0};            // input dims
  int64_t out_stride[kMaxRank] = {0, 0, 0, 0, 0, 0};  // per input axis; 0 for reduced axes
  int64_t output_count = 0;
  int32_t reduced_count = 0;  // input elements per output element
  // (input scale / output scale) / reduced_count as TFLite Micro folds it.
  int32_t multiplier = 0;
  int shift = 0;
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
};

// sums: output_count int32 of scratch.
void Mean(const MeanParams& p, const int8_t* input, int32_t* sums, int8_t* output);
void Mean(const MeanParams& p, const uint8_t* input, int32_t* sums, uint8_t* output);

// int8 LOGISTIC with gemmlowp's fixed-point logistic (TFLite's reference
// integer kernel): input rescaled to Q4.27, output scale 1/256, zero point -128.
struct LogisticParams {
  int32_t input_zero_point = 0;
  int32_t input_range_radius = 0;  // |x - zp| at or beyond this saturates
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
};

void Logistic(const LogisticParams& p, int64_t size, const int8_t* input, int8_t* output);

// float -> 8-bit: round(x / scale) (float division, half away from zero) + zero point, clamped.
struct AffineQuantizeParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

void AffineQuantize(const AffineQuantizeParams& p, int64_t size, const float* input,
                    int8_t* output);
void AffineQuantize(const AffineQuantizeParams& p, int64_t size, const float* input,
                    uint8_t* output);

// 8-bit -> 8-bit: (x - input zp) * multiplier + output zp, clamped to the output type.
struct RequantizeParams {
  int32_t input_zero_point = 0, output_zero_point = 0;
  int32_t multiplier = 0;
  int shift = 0;
};

void Requantize(const RequantizeParams& p, int64_t size, const int8_t* input, int8_t* output);
void Requantize(const RequantizeParams& p, int64_t size, const int8_t* input, uint8_t* output);
void Requantize(const RequantizeParams& p, int64_t size, const uint8_t* input, int8_t* output);
void Requantize(const RequantizeParams& p, int64_t size, const uint8_t* input, uint8_t* output);

// 8-bit -> float: float(double(scale) * (x - zero point)).
struct DequantizeParams {
  double scale = 1.0;
  int32_t zero_point = 0;
};

void Dequantize(const DequantizeParams& p, int64_t size, const int8_t* input, float* output);
void Dequantize(const DequantizeParams& p, int64_t size, const uint8_t* input, float* output);

// ---- Data-movement kernels (MAX_POOL_2D, PAD, CONCATENATION, TRANSPOSE) ----

// Input and output share scale and zero point. The window is clipped to the
// input, so padding never takes part in the max; the max is then clamped to
// [act_min, act_max].
void MaxPool(const PoolParams& p, const Shape& input_shape, const int8_t* input,
             const Shape& output_shape, int8_t* output);

struct PadParams {
  int before[kMaxRank] = {0, 0, 0, 0, 0, 0};  // elements added before / after, per axis
  int after[kMaxRank] = {0, 0, 0, 0, 0, 0};
};

// Constant padding of a 1-byte tensor (int8 or uint8, passed as raw bytes):
// output[i] = input[i - before] inside, pad_value elsewhere. Input and output
// have the same rank; output dim d = before[d] + input dim d + after[d].
void Pad(const PadParams& p, const Shape& input_shape, const uint8_t* input, uint8_t pad_value,
         const Shape& output_shape, uint8_t* output);

struct ConcatenationParams {
  int axis = 0;  // non-negative
  int inputs_count = 0;
  // Per input; an input whose scale and zero point equal the output's is
  // copied, any other is requantized with TFLite's float formula.
  const float* input_scales = nullptr;
  const int32_t* input_zero_points = nullptr;
  float output_scale = 0.0f;
  int32_t output_zero_point = 0;
};

// Concatenates int8 inputs (equal rank, equal dims except `axis`) along `axis`.
void Concatenation(const ConcatenationParams& p, const Shape* const* input_shapes,
                   const int8_t* const* inputs, const Shape& output_shape, int8_t* output);

struct TransposeParams {
  int perm[kMaxRank] = {0, 1, 2, 3, 4, 5};  // output axis i is input axis perm[i]
};

// Permutes the axes of a tensor of element_size-byte elements (1, 2, 4 or 8):
// output_shape[i] == input_shape[perm[i]].
void Transpose(const TransposeParams& p, const Shape& input_shape, const void* input,
               size_t element_size, const Shape& output_shape, void* output);
}  // namespace vww::ref
