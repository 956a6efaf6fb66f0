// TFLite's shared integer arithmetic against values worked out by hand from
// its documented definitions (gemmlowp's fixed-point rounding).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "model/quantization.h"

namespace vww {
namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kHalf = int32_t{1} << 30;  // 0.5 in Q0.31

struct QM {
  int32_t multiplier;
  int shift;
};

QM Quantize(double m) {
  QM q{-1, -99};
  QuantizeMultiplier(m, &q.multiplier, &q.shift);
  return q;
}

// ------------------------------------------------------- QuantizeMultiplier

TEST(QuantizeMultiplier, PowersOfTwoAreHalfTimesAShift) {
  // m = 0.5 * 2^(shift + 1) ... i.e. frexp: 0.5 = 0.5 * 2^0, 1 = 0.5 * 2^1.
  EXPECT_EQ(Quantize(0.5).multiplier, kHalf);
  EXPECT_EQ(Quantize(0.5).shift, 0);
  EXPECT_EQ(Quantize(0.25).multiplier, kHalf);
  EXPECT_EQ(Quantize(0.25).shift, -1);
  EXPECT_EQ(Quantize(1.0).multiplier, kHalf);
  EXPECT_EQ(Quantize(1.0).shift, 1);
  EXPECT_EQ(Quantize(2.0).multiplier, kHalf);
  EXPECT_EQ(Quantize(2.0).shift, 2);
}

TEST(QuantizeMultiplier, RoundsTheMantissaToNearest) {
  // 0.75 * 2^31 = 1610612736 exactly.
  EXPECT_EQ(Quantize(0.75).multiplier, 1610612736);
  EXPECT_EQ(Quantize(0.75).shift, 0);
  // 1/3 = (2/3) * 2^-1; (2/3) * 2^31 = 1431655765.33 -> 1431655765.
  EXPECT_EQ(Quantize(1.0 / 3).multiplier, 1431655765);
  EXPECT_EQ(Quantize(1.0 / 3).shift, -1);
  // 0.1 = 0.8 * 2^-3; 0.8 * 2^31 = 1717986918.4 -> 1717986918.
  EXPECT_EQ(Quantize(0.1).multiplier, 1717986918);
  EXPECT_EQ(Quantize(0.1).shift, -3);
  // 0.6 = 0.6 * 2^0; 0.6 * 2^31 = 1288490188.8 -> 1288490189 (rounds up).
  EXPECT_EQ(Quantize(0.6).multiplier, 1288490189);
  EXPECT_EQ(Quantize(0.6).shift, 0);
}

TEST(QuantizeMultiplier, MantissaRoundingUpToOneBumpsTheShift) {
  // 1 - 2^-40 = (1 - 2^-40) * 2^0; * 2^31 rounds to 2^31, which does not fit:
  // it becomes 2^30 with the shift one higher.
  const QM q = Quantize(1.0 - std::ldexp(1.0, -40));
  EXPECT_EQ(q.multiplier, kHalf);
  EXPECT_EQ(q.shift, 1);
}

TEST(QuantizeMultiplier, ZeroAndTinyMultipliers) {
  EXPECT_EQ(Quantize(0.0).multiplier, 0);
  EXPECT_EQ(Quantize(0.0).shift, 0);
  // 2^-32 = 0.5 * 2^-31: the smallest shift kept.
  EXPECT_EQ(Quantize(std::ldexp(1.0, -32)).multiplier, kHalf);
  EXPECT_EQ(Quantize(std::ldexp(1.0, -32)).shift, -31);
  // 2^-33 = 0.5 * 2^-32: shift below -31 flushes to zero.
  EXPECT_EQ(Quantize(std::ldexp(1.0, -33)).multiplier, 0);
  EXPECT_EQ(Quantize(std::ldexp(1.0, -33)).shift, 0);
}

// ----------------------------------------- SaturatingRoundingDoublingHighMul

TEST(SaturatingRoundingDoublingHighMul, HandValues) {
  // (a * b * 2) / 2^32 = a * b / 2^31, rounded.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kHalf, kHalf), 1 << 29);  // 0.5 * 0.5
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(100, kHalf), 50);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-100, kHalf), -50);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, kHalf), -(1 << 30));
  // (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 1/2^31 -> 2147483646.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMax, kMax), 2147483646);
  // -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1).
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, kMax), -2147483647);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(0, kMax), 0);
}

TEST(SaturatingRoundingDoublingHighMul, TiesRoundUpward) {
  // x * 0.5 with odd x is a tie. The nudge is +2^30 for a non-negative
  // product and 1 - 2^30 for a negative one, then the division truncates:
  // 0.5 -> 1, 1.5 -> 2, but -0.5 -> 0 and -1.5 -> -1.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, kHalf), 1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, kHalf), 2);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, kHalf), 0);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, kHalf), -1);
  // With 0.75: -2 * 0.75 = -1.5 is a tie (-> -1); -2.25 and 2.25 are not
  // ties and go to the nearest integer.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-2, 1610612736), -1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1610612736), -2);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, 1610612736), 2);
}

TEST(SaturatingRoundingDoublingHighMul, MinTimesMinSaturates) {
  // (-1) * (-1) = 1 is not representable in Q0.31: the one overflow case.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kMin, kMin), kMax);
}

// ------------------------------------------------------- RoundingDivideByPOT

TEST(RoundingDivideByPOT, RoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);    // 2.5
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);  // -2.5
  EXPECT_EQ(RoundingDivideByPOT(6, 2), 2);    // 1.5
  EXPECT_EQ(RoundingDivideByPOT(-6, 2), -2);  // -1.5
  EXPECT_EQ(RoundingDivideByPOT(4, 3), 1);    // 0.5
  EXPECT_EQ(RoundingDivideByPOT(-4, 3), -1);  // -0.5
  EXPECT_EQ(RoundingDivideByPOT(3, 3), 0);    // 0.375
  EXPECT_EQ(RoundingDivideByPOT(-3, 3), 0);   // -0.375
  EXPECT_EQ(RoundingDivideByPOT(5, 3), 1);    // 0.625
  EXPECT_EQ(RoundingDivideByPOT(-5, 3), -1);  // -0.625
  EXPECT_EQ(RoundingDivideByPOT(-7, 2), -2);  // -1.75
  EXPECT_EQ(RoundingDivideByPOT(-9, 2), -2);  // -2.25
}

TEST(RoundingDivideByPOT, ExponentZeroAndThirtyOne) {
  EXPECT_EQ(RoundingDivideByPOT(7, 0), 7);
  EXPECT_EQ(RoundingDivideByPOT(-7, 0), -7);
  EXPECT_EQ(RoundingDivideByPOT(kMin, 31), -1);  // exactly -1
  EXPECT_EQ(RoundingDivideByPOT(kMax, 31), 1);   // 0.99999...
  EXPECT_EQ(RoundingDivideByPOT(-1, 31), 0);
  EXPECT_EQ(RoundingDivideByPOT(1 << 30, 31), 1);      // 0.5
  EXPECT_EQ(RoundingDivideByPOT(-(1 << 30), 31), -1);  // -0.5
}

// -------------------------------------------- MultiplyByQuantizedMultiplier

TEST(MultiplyByQuantizedMultiplier, ExactProducts) {
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, kHalf, 0), 50);         // * 0.5
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, kHalf, -1), 25);        // * 0.25
  EXPECT_EQ(MultiplyByQuantizedMultiplier(3, kHalf, 2), 6);            // * 2 (left shift 2)
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-7, kHalf, 1), -7);          // * 1
  EXPECT_EQ(MultiplyByQuantizedMultiplier(1000, 1610612736, 0), 750);  // * 0.75
  EXPECT_EQ(MultiplyByQuantizedMultiplier(1000, 1610612736, -3), 94);  // * 0.09375 = 93.75
}

TEST(MultiplyByQuantizedMultiplier, DoubleRounding) {
  // * 0.25 as (2^30, -1): the high multiply rounds x/2 (ties upward), then the
  // shift rounds half away from zero, so the two roundings can compound.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(1, kHalf, -1), 1);       // 0.25: 1 -> 1 -> 0.5 -> 1
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-1, kHalf, -1), 0);      // -0.5 -> 0 -> 0
  EXPECT_EQ(MultiplyByQuantizedMultiplier(101, kHalf, -1), 26);    // 50.5 -> 51 -> 25.5 -> 26
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-101, kHalf, -1), -25);  // -50.5 -> -50 -> -25
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-102, kHalf, -1), -26);  // -51 -> -25.5 -> -26
}

// ----------------------------------------------------------- ActivationRange

struct Range {
  bool ok;
  int32_t lo, hi;
};

Range Act(int activation, float scale, int32_t zp, int32_t qmin = -128, int32_t qmax = 127) {
  Range r{false, 999, 999};
  r.ok = ActivationRange(activation, scale, zp, qmin, qmax, &r.lo, &r.hi);
  return r;
}

TEST(ActivationRange, HandValues) {
  Range r = Act(/*NONE*/ 0, 0.5f, -10);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.lo, -128);
  EXPECT_EQ(r.hi, 127);

  r = Act(/*RELU*/ 1, 0.5f, -10);  // 0 -> zp
  EXPECT_EQ(r.lo, -10);
  EXPECT_EQ(r.hi, 127);

  r = Act(/*RELU6*/ 3, 0.05f, -128);  // 6 / 0.05 = 120 -> -8
  EXPECT_EQ(r.lo, -128);
  EXPECT_EQ(r.hi, -8);

  // person_detect's 0.0235294122 = 6/255: RELU6 reaches exactly 127.
  r = Act(3, 0.0235294122f, -128);
  EXPECT_EQ(r.lo, -128);
  EXPECT_EQ(r.hi, 127);

  r = Act(/*RELU_N1_TO_1*/ 2, 0.25f, 0);  // +-1 / 0.25 = +-4
  EXPECT_EQ(r.lo, -4);
  EXPECT_EQ(r.hi, 4);
}

TEST(ActivationRange, BoundsRoundHalfAwayFromZero) {
  Range r = Act(/*RELU6*/ 3, 4.0f, 0);  // 6 / 4 = 1.5 -> 2
  EXPECT_EQ(r.hi, 2);
  r = Act(/*RELU_N1_TO_1*/ 2, 2.0f, 0);  // +-0.5 -> +-1
  EXPECT_EQ(r.lo, -1);
  EXPECT_EQ(r.hi, 1);
}

TEST(ActivationRange, ClampsToTheTypeRange) {
  Range r = Act(/*RELU*/ 1, 1.0f, -200);  // zp below int8: the type bound wins
  EXPECT_EQ(r.lo, -128);
  r = Act(/*RELU6*/ 3, 0.01f, 0);  // 600 > 127
  EXPECT_EQ(r.hi, 127);
  r = Act(/*RELU*/ 1, 1.0f, 128, 0, 255);  // uint8
  EXPECT_EQ(r.lo, 128);
  EXPECT_EQ(r.hi, 255);
}

TEST(ActivationRange, NonClampActivationsAreRejected) {
  EXPECT_FALSE(Act(/*TANH*/ 4, 1.0f, 0).ok);
  EXPECT_FALSE(Act(/*SIGN_BIT*/ 5, 1.0f, 0).ok);
}

}  // namespace
}  // namespace vww
