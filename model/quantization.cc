#include "model/quantization.h"

#include <cmath>

namespace vww {

void QuantizeMultiplier(double real_multiplier, int32_t* quantized_multiplier, int* shift) {
  if (real_multiplier == 0.0) {
    *quantized_multiplier = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(real_multiplier, shift);  // q in [0.5, 1)
  int64_t q_fixed = static_cast<int64_t>(std::round(q * (int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {  // q rounded up to 1.0
    q_fixed /= 2;
    ++*shift;
  }
  if (*shift < -31) {  // too small to represent: flush to zero as TFLite does
    *shift = 0;
    q_fixed = 0;
  }
  // Real models never need more than 2^30 (a left shift of 30 keeps int32
  // arithmetic defined); a hostile file's absurd scales saturate here instead
  // of reaching an undefined shift in eval.
  if (*shift > 30) {
    *shift = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  *quantized_multiplier = static_cast<int32_t>(q_fixed);
}

void QuantizeMultiplierGreaterThanOne(double real_multiplier, int32_t* quantized_multiplier,
                                      int* left_shift) {
  QuantizeMultiplier(real_multiplier, quantized_multiplier, left_shift);
}

void QuantizeMultiplierSmallerThanOneExp(double real_multiplier, int32_t* quantized_multiplier,
                                         int* left_shift) {
  QuantizeMultiplier(real_multiplier, quantized_multiplier, left_shift);
}

bool ActivationRange(int activation, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                     int32_t* act_min, int32_t* act_max) {
  // TFLite quantizes the clamp bounds with float division and round-half-away.
  auto quantize = [&](float v) {
    return zero_point + static_cast<int32_t>(std::round(v / scale));
  };
  switch (static_cast<Activation>(activation)) {
    case Activation::kNone:
      *act_min = qmin;
      *act_max = qmax;
      return true;
    case Activation::kRelu:
      *act_min = std::max(qmin, quantize(0.0f));
      *act_max = qmax;
      return true;
    case Activation::kRelu6:
      *act_min = std::max(qmin, quantize(0.0f));
      *act_max = std::min(qmax, quantize(6.0f));
      return true;
    case Activation::kReluN1To1:
      *act_min = std::max(qmin, quantize(-1.0f));
      *act_max = std::min(qmax, quantize(1.0f));
      return true;
    default:
      return false;
  }
}

}  // namespace vww
