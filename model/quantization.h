// Integer arithmetic that TFLite's int8 kernels share. Each function follows
// TFLite's documented rounding exactly: outputs must match bit for bit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

namespace vww {

// A real multiplier m expressed as (quantized_multiplier / 2^31) * 2^shift,
// with quantized_multiplier in [2^30, 2^31). m == 0 gives (0, 0).
void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier, int* shift);
// For m > 1 (softmax's input scaling): shift is the left shift, >= 0.
void QuantizeMultiplierGreaterThanOne(double real_multiplier, int32_t* quantized_multiplier,
                                      int* left_shift);
// For m < 1: shift is returned as a non-positive exponent.
void QuantizeMultiplierSmallerThanOneExp(double real_multiplier, int32_t* quantized_multiplier,
                                         int* left_shift);

// Rounding high half of 2*a*b, saturating the one overflow case (INT32_MIN^2).
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  // Division truncates toward zero, as TFLite's does.
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent, rounding half away from zero.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * m * 2^shift with TFLite's double rounding (left shift first, then the
// rounding doubling high multiply, then a rounding right shift).
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t quantized_multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(
          static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift), quantized_multiplier),
      right_shift);
}

inline int32_t MultiplyByQuantizedMultiplierSmallerThanOneExp(int32_t x,
                                                              int32_t quantized_multiplier,
                                                              int left_shift) {
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, quantized_multiplier),
                             -left_shift);
}

inline int32_t MultiplyByQuantizedMultiplierGreaterThanOne(int32_t x, int32_t quantized_multiplier,
                                                           int left_shift) {
  return SaturatingRoundingDoublingHighMul(x * (1 << left_shift), quantized_multiplier);
}

// Integer addition that saturates instead of overflowing. Real models never
// get near the int32 limits; a hostile file's absurd biases or scales can, and
// must not reach undefined behaviour.
inline int32_t SaturatingAdd(int64_t a, int64_t b) {
  const int64_t sum = a + b;
  return static_cast<int32_t>(std::clamp<int64_t>(sum, std::numeric_limits<int32_t>::min(),
                                                  std::numeric_limits<int32_t>::max()));
}

// The output stage every int8 arithmetic kernel shares: scale the int32
// accumulator, add the output zero point, clamp to the activation range.
inline int32_t ScaleToOutput(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                             int32_t act_min, int32_t act_max) {
  const int64_t v = int64_t{MultiplyByQuantizedMultiplier(acc, multiplier, shift)} + output_offset;
  return static_cast<int32_t>(std::clamp<int64_t>(v, act_min, act_max));
}

// Fused activation codes as stored in the file.
enum class Activation : int8_t { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3, kTanh = 4 };

// The clamp range [*act_min, *act_max] of a fused activation on a quantized
// output of type [qmin, qmax]. Returns false for activations that are not
// clamps (TANH, SIGN_BIT).
bool ActivationRange(int activation, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                     int32_t* act_min, int32_t* act_max);

}  // namespace vww
