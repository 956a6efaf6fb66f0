// CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and SOFTMAX reference kernels
// against values computed independently: by hand (in the comments), or by a
// plain formula written here. Multipliers are exact powers of two whose
// TFLite (multiplier, shift) pair is known by hand: 2^-k = (2^30, 1 - k).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model/kernels/reference.h"
#include "model/model.h"
#include "model_builder.h"

namespace vww {
namespace {

constexpr int32_t kHalf = int32_t{1} << 30;  // 0.5 in Q0.31

// TFLite's (multiplier, shift) for 2^-k, k >= 0: frexp(2^-k) = 0.5 * 2^(1-k).
struct Pow2 {
  int32_t multiplier = kHalf;
  int32_t shift;
  explicit Pow2(int k) : shift(1 - k) {}
};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// TFLite's requantization by exactly 2^-k, from its documented steps: for
// k == 0 the left shift by one and the high multiply by 0.5 cancel; else the
// high multiply by 0.5 rounds ties toward +infinity, and the rounding right
// shift by k - 1 rounds ties away from zero.
int64_t RequantPow2(int64_t acc, int k) {
  if (k == 0) return acc;
  const int64_t half = FloorDiv(acc + 1, 2);
  if (k == 1) return half;
  const int64_t d = int64_t{1} << (k - 1);
  const int64_t mag = (std::llabs(half) + d / 2) / d;
  return half < 0 ? -mag : mag;
}

int8_t Clamp(int64_t v, int32_t lo, int32_t hi) {
  return static_cast<int8_t>(std::min<int64_t>(hi, std::max<int64_t>(lo, v)));
}

std::vector<int8_t> I8(std::initializer_list<int> v) { return {v.begin(), v.end()}; }

ref::ConvParams Params(int stride = 1, int dilation = 1, int pad = 0) {
  ref::ConvParams p;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.pad_h = p.pad_w = pad;
  return p;
}

// ------------------------------------------------------------------- CONV_2D

TEST(Conv2D, ValidStride1PerChannelMultipliersAndBias) {
  // Input 3x3 (zero point 1): 1..9. Real values x - 1 = 0..8.
  // Channel 0: all-ones 2x2, bias 0, * 0.5; channel 1: [1 -1; 0 2], bias -1, * 1.
  // Window sums of x - 1, ch 0: 8, 12, 20, 24 -> 4, 6, 10, 12.
  // Ch 1: (0 - 1 + 0 + 8) = 7, (1 - 2 + 10) = 9, (3 - 4 + 14) = 13, (4 - 5 + 16) = 15,
  // plus bias -1: 6, 8, 12, 14. Output zero point 5 is added to both.
  auto p = Params();
  p.input_offset = -1;
  p.output_offset = 5;
  const auto in = I8({1, 2, 3, 4, 5, 6, 7, 8, 9});
  const auto filter = I8({1, 1, 1, 1, /**/ 1, -1, 0, 2});
  const int32_t bias[] = {0, -1};
  const int32_t mult[] = {Pow2(1).multiplier, Pow2(0).multiplier};
  const int32_t shift[] = {Pow2(1).shift, Pow2(0).shift};
  std::vector<int8_t> out(8);
  ref::Conv2DPerChannel(p, mult, shift, Shape{1, 3, 3, 1}, in.data(), Shape{2, 2, 2, 1},
                        filter.data(), bias, Shape{1, 2, 2, 2}, out.data());
  EXPECT_EQ(out, I8({9, 11, 11, 13, 15, 17, 17, 19}));
}

TEST(Conv2D, SamePaddingContributesRealZero) {
  // 3x3 ones filter, SAME stride 1 (pad 1 all round), input zero point -2 so
  // real values 1..9 are stored as -1..7. A padded pixel read as stored 0
  // would add 2 per tap. Window sums of the real values:
  // 12 21 16 / 27 45 33 / 24 39 28; * 1, output zero point -10.
  auto p = Params(1, 1, 1);
  p.input_offset = 2;
  p.output_offset = -10;
  const auto in = I8({-1, 0, 1, 2, 3, 4, 5, 6, 7});
  const std::vector<int8_t> filter(9, 1);
  const int32_t mult[] = {Pow2(0).multiplier}, shift[] = {Pow2(0).shift};
  std::vector<int8_t> out(9);
  ref::Conv2DPerChannel(p, mult, shift, Shape{1, 3, 3, 1}, in.data(), Shape{1, 3, 3, 1},
                        filter.data(), nullptr, Shape{1, 3, 3, 1}, out.data());
  EXPECT_EQ(out, I8({2, 11, 6, 17, 35, 23, 14, 29, 18}));
}

TEST(Conv2D, SameStride2OnEvenInputPadsAfter) {
  // 4x4 input 1..16, 3x3 ones, stride 2: 2x2 output; total padding 1 goes
  // after (pad_h = pad_w = 0), so the last row/column windows are clipped.
  // Sums: 54, 3+4+7+8+11+12 = 45, 9+10+11+13+14+15 = 72, 11+12+15+16 = 54.
  // * 0.5: 27, 22.5 -> 23 (tie rounds up in the high multiply), 36, 27.
  auto p = Params(2, 1, 0);
  std::vector<int8_t> in(16);
  for (int i = 0; i < 16; ++i) in[i] = static_cast<int8_t>(i + 1);
  const std::vector<int8_t> filter(9, 1);
  const int32_t mult[] = {Pow2(1).multiplier}, shift[] = {Pow2(1).shift};
  std::vector<int8_t> out(4);
  ref::Conv2DPerChannel(p, mult, shift, Shape{1, 4, 4, 1}, in.data(), Shape{1, 3, 3, 1},
                        filter.data(), nullptr, Shape{1, 2, 2, 1}, out.data());
  EXPECT_EQ(out, I8({27, 23, 36, 27}));
}

TEST(Conv2D, Dilation2) {
  // 5x5 input in(r,c) = 5r + c + 1, 2x2 ones dilated by 2 (3x3 footprint),
  // VALID: out(y,x) = in(y,x) + in(y,x+2) + in(y+2,x) + in(y+2,x+2)
  //               = 4(5y + x + 1) + 2 + 10 + 12 = 20y + 4x + 28.
  // * 0.25: 5y + x + 7, exact.
  auto p = Params(1, 2, 0);
  std::vector<int8_t> in(25);
  for (int i = 0; i < 25; ++i) in[i] = static_cast<int8_t>(i + 1);
  const std::vector<int8_t> filter(4, 1);
  const int32_t mult[] = {Pow2(2).multiplier}, shift[] = {Pow2(2).shift};
  std::vector<int8_t> out(9);
  ref::Conv2DPerChannel(p, mult, shift, Shape{1, 5, 5, 1}, in.data(), Shape{1, 2, 2, 1},
                        filter.data(), nullptr, Shape{1, 3, 3, 1}, out.data());
  EXPECT_EQ(out, I8({7, 8, 9, 12, 13, 14, 17, 18, 19}));
}

TEST(Conv2D, SaturatesAtBothEnds) {
  // 1x1 conv over pixels -128, -1, 1, 127. Ch 0: weight 127, * 1:
  // -16256 -> -128, -127, 127, 16129 -> 127. Ch 1: weight -128, * 0.25:
  // 16384 / 4 -> 127, 32, -32, -16256 / 4 -> -128.
  auto p = Params();
  const auto in = I8({-128, -1, 1, 127});
  const auto filter = I8({127, -128});
  const int32_t mult[] = {Pow2(0).multiplier, Pow2(2).multiplier};
  const int32_t shift[] = {Pow2(0).shift, Pow2(2).shift};
  std::vector<int8_t> out(8);
  ref::Conv2DPerChannel(p, mult, shift, Shape{1, 1, 4, 1}, in.data(), Shape{2, 1, 1, 1},
                        filter.data(), nullptr, Shape{1, 1, 4, 2}, out.data());
  EXPECT_EQ(out, I8({-128, 127, -127, 32, 127, -32, 127, -128}));
}

TEST(Conv2D, ActivationClamps) {
  // Identity 1x1 conv, output zero point -4: x - 4 before the clamp.
  // Output scale 1: RELU keeps >= -4, RELU6 keeps [-4, -4 + 6].
  const auto in = I8({-100, -3, 0, 3, 100});
  const auto filter = I8({1});
  const int32_t mult[] = {Pow2(0).multiplier}, shift[] = {Pow2(0).shift};
  struct Case {
    int32_t lo, hi;
    std::vector<int8_t> want;
  };
  const Case cases[] = {
      {-128, 127, I8({-104, -7, -4, -1, 96})},  // NONE
      {-4, 127, I8({-4, -4, -4, -1, 96})},      // RELU
      {-4, 2, I8({-4, -4, -4, -1, 2})},         // RELU6
  };
  for (const Case& c : cases) {
    auto p = Params();
    p.output_offset = -4;
    p.act_min = c.lo;
    p.act_max = c.hi;
    std::vector<int8_t> out(5);
    ref::Conv2DPerChannel(p, mult, shift, Shape{1, 1, 5, 1}, in.data(), Shape{1, 1, 1, 1},
                          filter.data(), nullptr, Shape{1, 1, 5, 1}, out.data());
    EXPECT_EQ(out, c.want) << "clamp [" << c.lo << ", " << c.hi << "]";
  }
}

// A plain convolution: the input is first copied into a buffer padded with
// the input zero point (so padding is real 0 by construction), then every
// output is a direct sum, requantized by RequantPow2.
struct ConvCase {
  int n, h, w, cin, cout, kh, kw, stride, dilation, pad_h, pad_w, oh, ow;
  int32_t in_zp, out_zp, act_min, act_max;
  int depth_multiplier = 1;  // depthwise only
};

std::vector<int8_t> NaiveConv(const ConvCase& c, const std::vector<int8_t>& in,
                              const std::vector<int8_t>& filter, const std::vector<int32_t>& bias,
                              const std::vector<int>& k, bool depthwise) {
  const int eff_h = (c.kh - 1) * c.dilation + 1, eff_w = (c.kw - 1) * c.dilation + 1;
  const int ph = std::max(c.h + c.pad_h, (c.oh - 1) * c.stride + eff_h);
  const int pw = std::max(c.w + c.pad_w, (c.ow - 1) * c.stride + eff_w);
  std::vector<int> padded(static_cast<size_t>(c.n) * ph * pw * c.cin, c.in_zp);
  for (int b = 0; b < c.n; ++b)
    for (int y = 0; y < c.h; ++y)
      for (int x = 0; x < c.w; ++x)
        for (int ch = 0; ch < c.cin; ++ch)
          padded[((b * ph + y + c.pad_h) * pw + x + c.pad_w) * c.cin + ch] =
              in[((b * c.h + y) * c.w + x) * c.cin + ch];
  std::vector<int8_t> out(static_cast<size_t>(c.n) * c.oh * c.ow * c.cout);
  for (int b = 0; b < c.n; ++b)
    for (int oy = 0; oy < c.oh; ++oy)
      for (int ox = 0; ox < c.ow; ++ox)
        for (int oc = 0; oc < c.cout; ++oc) {
          int64_t acc = bias[oc];
          for (int fy = 0; fy < c.kh; ++fy)
            for (int fx = 0; fx < c.kw; ++fx) {
              const int y = oy * c.stride + fy * c.dilation, x = ox * c.stride + fx * c.dilation;
              if (depthwise) {
                const int ic = oc / c.depth_multiplier;
                acc += int64_t{filter[(fy * c.kw + fx) * c.cout + oc]} *
                       (padded[((b * ph + y) * pw + x) * c.cin + ic] - c.in_zp);
              } else {
                for (int ic = 0; ic < c.cin; ++ic)
                  acc += int64_t{filter[((oc * c.kh + fy) * c.kw + fx) * c.cin + ic]} *
                         (padded[((b * ph + y) * pw + x) * c.cin + ic] - c.in_zp);
              }
            }
          out[((b * c.oh + oy) * c.ow + ox) * c.cout + oc] =
              Clamp(RequantPow2(acc, k[oc]) + c.out_zp, c.act_min, c.act_max);
        }
  return out;
}

// Random shapes, strides 1-2, dilations 1-2, any padding split, random
// per-channel 2^-k multipliers and clamps, for both kernels.
void RandomizedAgainstNaive(bool depthwise) {
  std::mt19937 rng(depthwise ? 7 : 3);
  auto uni = [&](int lo, int hi) { return lo + static_cast<int>(rng() % (hi - lo + 1)); };
  int checked = 0;
  for (int iter = 0; iter < 400; ++iter) {
    ConvCase c{};
    c.n = uni(1, 2);
    c.h = uni(1, 7);
    c.w = uni(1, 7);
    c.cin = uni(1, 3);
    c.depth_multiplier = depthwise ? uni(1, 3) : 1;
    c.cout = depthwise ? c.cin * c.depth_multiplier : uni(1, 4);
    c.kh = uni(1, 3);
    c.kw = uni(1, 3);
    c.stride = uni(1, 2);
    c.dilation = uni(1, 2);
    const int eff_h = (c.kh - 1) * c.dilation + 1, eff_w = (c.kw - 1) * c.dilation + 1;
    c.pad_h = uni(0, eff_h - 1);
    c.pad_w = uni(0, eff_w - 1);
    const int after_h = uni(0, eff_h - 1), after_w = uni(0, eff_w - 1);
    c.oh = (c.h + c.pad_h + after_h - eff_h) / c.stride + 1;
    c.ow = (c.w + c.pad_w + after_w - eff_w) / c.stride + 1;
    if (c.h + c.pad_h + after_h < eff_h || c.w + c.pad_w + after_w < eff_w) continue;
    c.in_zp = uni(-128, 127);
    c.out_zp = uni(-20, 20);
    c.act_min = uni(-128, -60);
    c.act_max = uni(60, 127);

    std::vector<int8_t> in(static_cast<size_t>(c.n) * c.h * c.w * c.cin);
    for (auto& v : in) v = static_cast<int8_t>(uni(-128, 127));
    const size_t filter_size = depthwise ? static_cast<size_t>(c.kh) * c.kw * c.cout
                                         : static_cast<size_t>(c.cout) * c.kh * c.kw * c.cin;
    std::vector<int8_t> filter(filter_size);
    for (auto& v : filter) v = static_cast<int8_t>(uni(-127, 127));
    std::vector<int32_t> bias(c.cout), mult(c.cout), shift(c.cout);
    std::vector<int> k(c.cout);
    for (int oc = 0; oc < c.cout; ++oc) {
      bias[oc] = uni(-3000, 3000);
      k[oc] = uni(0, 12);
      mult[oc] = Pow2(k[oc]).multiplier;
      shift[oc] = Pow2(k[oc]).shift;
    }
    ref::ConvParams p = Params(c.stride, c.dilation, 0);
    p.pad_h = c.pad_h;
    p.pad_w = c.pad_w;
    p.depth_multiplier = c.depth_multiplier;
    p.input_offset = -c.in_zp;
    p.output_offset = c.out_zp;
    p.act_min = c.act_min;
    p.act_max = c.act_max;
    std::vector<int8_t> out(static_cast<size_t>(c.n) * c.oh * c.ow * c.cout);
    const Shape in_shape{c.n, c.h, c.w, c.cin}, out_shape{c.n, c.oh, c.ow, c.cout};
    if (depthwise)
      ref::DepthwiseConv2DPerChannel(p, mult.data(), shift.data(), in_shape, in.data(),
                                     Shape{1, c.kh, c.kw, c.cout}, filter.data(), bias.data(),
                                     out_shape, out.data());
    else
      ref::Conv2DPerChannel(p, mult.data(), shift.data(), in_shape, in.data(),
                            Shape{c.cout, c.kh, c.kw, c.cin}, filter.data(), bias.data(), out_shape,
                            out.data());
    ASSERT_EQ(out, NaiveConv(c, in, filter, bias, k, depthwise))
        << "iteration " << iter << ": " << in_shape.str() << " k" << c.kh << "x" << c.kw
        << " stride " << c.stride << " dilation " << c.dilation << " pad " << c.pad_h << ","
        << c.pad_w << " multiplier " << c.depth_multiplier;
    ++checked;
  }
  EXPECT_GT(checked, 300);
}

TEST(Conv2D, RandomizedAgainstPlainFormula) { RandomizedAgainstNaive(false); }

// --------------------------------------------------------- DEPTHWISE_CONV_2D

TEST(DepthwiseConv2D, DepthMultiplier8LikePersonDetectOp0) {
  // One input channel to 8 outputs, 3x3, stride 2, SAME on 4x4 (padding 1
  // after). Input 1..16. All taps of output channel m weigh w_m, bias m:
  // w = -1, 0, 1, 2, -1, 0, 1, 2. Window sums (see Conv2D above): 54, 45, 72, 54.
  // out = w_m * S + m, saturated.
  auto p = Params(2, 1, 0);
  p.depth_multiplier = 8;
  std::vector<int8_t> in(16);
  for (int i = 0; i < 16; ++i) in[i] = static_cast<int8_t>(i + 1);
  const int w[8] = {-1, 0, 1, 2, -1, 0, 1, 2};
  std::vector<int8_t> filter(9 * 8);
  for (int tap = 0; tap < 9; ++tap)
    for (int m = 0; m < 8; ++m) filter[tap * 8 + m] = static_cast<int8_t>(w[m]);
  const int32_t bias[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  std::vector<int32_t> mult(8, Pow2(0).multiplier), shift(8, Pow2(0).shift);
  std::vector<int8_t> out(32);
  ref::DepthwiseConv2DPerChannel(p, mult.data(), shift.data(), Shape{1, 4, 4, 1}, in.data(),
                                 Shape{1, 3, 3, 8}, filter.data(), bias, Shape{1, 2, 2, 8},
                                 out.data());
  EXPECT_EQ(out, I8({-54, 1, 56, 111, -50, 5, 60, 115,     // S = 54
                     -45, 1, 47, 93,  -41, 5, 51, 97,      // S = 45
                     -72, 1, 74, 127, -68, 5, 78, 127,     // S = 72 (146, 151 saturate)
                     -54, 1, 56, 111, -50, 5, 60, 115}));  // S = 54
}

TEST(DepthwiseConv2D, Multiplier2Dilation2PerChannel) {
  // Input 3x3x2: ch 0 = 1..9, ch 1 = 10..90. 2x2 taps dilated by 2 read the
  // corners: ch 0 {1, 3, 7, 9}, ch 1 {10, 30, 70, 90}. Output channel
  // c * 2 + m reads input channel c.
  // oc0 (c0): [1 1; 1 1] -> 20, * 1.      oc1 (c0): [1 -1; 0 0] -> -2, * 1.
  // oc2 (c1): [0 0; 0 1] -> 90, * 0.5.    oc3 (c1): [1 0; 0 -1] -> -80, * 0.25.
  auto p = Params(1, 2, 0);
  p.depth_multiplier = 2;
  std::vector<int8_t> in(18);
  for (int i = 0; i < 9; ++i) {
    in[2 * i] = static_cast<int8_t>(i + 1);
    in[2 * i + 1] = static_cast<int8_t>(10 * (i + 1));
  }
  // [1, 2, 2, 4]: per tap, the 4 output channels.
  const auto filter = I8({1, 1, 0, 1,     // tap (0,0)
                          1, -1, 0, 0,    // tap (0,1)
                          1, 0, 0, 0,     // tap (1,0)
                          1, 0, 1, -1});  // tap (1,1)
  const int32_t mult[] = {Pow2(0).multiplier, Pow2(0).multiplier, Pow2(1).multiplier,
                          Pow2(2).multiplier};
  const int32_t shift[] = {Pow2(0).shift, Pow2(0).shift, Pow2(1).shift, Pow2(2).shift};
  std::vector<int8_t> out(4);
  ref::DepthwiseConv2DPerChannel(p, mult, shift, Shape{1, 3, 3, 2}, in.data(), Shape{1, 2, 2, 4},
                                 filter.data(), nullptr, Shape{1, 1, 1, 4}, out.data());
  EXPECT_EQ(out, I8({20, -2, 45, -20}));
}

TEST(DepthwiseConv2D, SamePaddingAndRelu6Clamp) {
  // 2x2 input (zero point 3) 3x3 ones SAME stride 1: every window holds all
  // four pixels. Real values 1, 2, 3, 4 -> sum 10; * 1, output zero point
  // -5: 5, clamped by RELU6 at scale 1 to [-5, 1] -> 1.
  auto p = Params(1, 1, 1);
  p.input_offset = -3;
  p.output_offset = -5;
  p.act_min = -5;
  p.act_max = 1;
  const auto in = I8({4, 5, 6, 7});
  const std::vector<int8_t> filter(9, 1);
  const int32_t mult[] = {Pow2(0).multiplier}, shift[] = {Pow2(0).shift};
  std::vector<int8_t> out(4);
  ref::DepthwiseConv2DPerChannel(p, mult, shift, Shape{1, 2, 2, 1}, in.data(), Shape{1, 3, 3, 1},
                                 filter.data(), nullptr, Shape{1, 2, 2, 1}, out.data());
  EXPECT_EQ(out, I8({1, 1, 1, 1}));
  // Without the clamp (NONE): 10 - 5 = 5 everywhere.
  p.act_min = -128;
  p.act_max = 127;
  ref::DepthwiseConv2DPerChannel(p, mult, shift, Shape{1, 2, 2, 1}, in.data(), Shape{1, 3, 3, 1},
                                 filter.data(), nullptr, Shape{1, 2, 2, 1}, out.data());
  EXPECT_EQ(out, I8({5, 5, 5, 5}));
}

TEST(DepthwiseConv2D, RandomizedAgainstPlainFormula) { RandomizedAgainstNaive(true); }

// ----------------------------------------------------------- AVERAGE_POOL_2D

TEST(AveragePool, RoundsHalfAwayFromZero) {
  // One 2x2 window, 8 channels with sums 10, -10, 9, -9, 6, -6, 508, -512:
  // 2.5 -> 3, -2.5 -> -3, 2.25 -> 2, -2.25 -> -2, 1.5 -> 2, -1.5 -> -2, 127, -128.
  ref::PoolParams p;
  p.filter_h = p.filter_w = 2;
  const int px[4][8] = {{1, -1, 0, 0, 0, 0, 127, -128},
                        {2, -2, 2, -2, 1, -1, 127, -128},
                        {3, -3, 3, -3, 2, -2, 127, -128},
                        {4, -4, 4, -4, 3, -3, 127, -128}};
  std::vector<int8_t> in;
  for (auto& pixel : px)
    for (int v : pixel) in.push_back(static_cast<int8_t>(v));
  std::vector<int8_t> out(8);
  ref::AveragePool(p, Shape{1, 2, 2, 8}, in.data(), Shape{1, 1, 1, 8}, out.data());
  EXPECT_EQ(out, I8({3, -3, 2, -2, 2, -2, 127, -128}));
}

TEST(AveragePool, SamePaddingDividesByInBoundsPixels) {
  // 3x3 input 1..9, 2x2 SAME stride 1 (padding 1 after): edge windows hold
  // 2 pixels and the corner 1. (1+2+4+5)/4 = 3, 16/4 = 4, (3+6)/2 = 4.5 -> 5,
  // 24/4 = 6, 28/4 = 7, 15/2 -> 8, 15/2 -> 8, 17/2 -> 9, 9/1 = 9.
  ref::PoolParams p;
  p.filter_h = p.filter_w = 2;
  std::vector<int8_t> in(9);
  for (int i = 0; i < 9; ++i) in[i] = static_cast<int8_t>(i + 1);
  std::vector<int8_t> out(9);
  ref::AveragePool(p, Shape{1, 3, 3, 1}, in.data(), Shape{1, 3, 3, 1}, out.data());
  EXPECT_EQ(out, I8({3, 4, 5, 6, 7, 8, 8, 9, 9}));
}

TEST(AveragePool, Stride2WithClamp) {
  // 4x4 input -9..6, 2x2 stride 2 VALID, clamp [-1, 3]:
  // (-9-8-5-4)/4 = -6.5 -> -7 -> -1; (-7-6-3-2)/4 = -4.5 -> -5 -> -1;
  // (-1+0+3+4)/4 = 1.5 -> 2; (1+2+5+6)/4 = 3.5 -> 4 -> 3.
  ref::PoolParams p;
  p.filter_h = p.filter_w = 2;
  p.stride_h = p.stride_w = 2;
  p.act_min = -1;
  p.act_max = 3;
  std::vector<int8_t> in(16);
  for (int i = 0; i < 16; ++i) in[i] = static_cast<int8_t>(i - 9);
  std::vector<int8_t> out(4);
  ref::AveragePool(p, Shape{1, 4, 4, 1}, in.data(), Shape{1, 2, 2, 1}, out.data());
  EXPECT_EQ(out, I8({-1, -1, 2, 3}));
}

// ------------------------------------------------------------------- SOFTMAX

// SOFTMAX through prepare (which derives the fixed-point parameters) and eval.
std::vector<int8_t> RunSoftmax(std::vector<int> shape, float in_scale, int in_zp, float beta,
                               const std::vector<int8_t>& input) {
  test::ModelBuilder b;
  const int in = b.AddInt8(shape, in_scale, in_zp);
  const int out = b.AddInt8(shape, 1.0f / 256, -128);
  b.AddOp({kOpSoftmax,
           {in},
           {out},
           tflite::BuiltinOptions_SoftmaxOptions,
           [beta](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateSoftmaxOptions(f, beta).Union();
           }});
  auto model = Model::FromBytes(b.Build({in}, {out}));
  Interpreter interp(*model);
  std::memcpy(interp.input().data, input.data(), input.size());
  interp.Invoke();
  const int8_t* o = interp.output().data_as<int8_t>();
  return std::vector<int8_t>(o, o + input.size());
}

TEST(Softmax, PersonDetectGoldenPairs) {
  // person_detect op 29 -> op 30 from TFLite Micro (shared/models/golden):
  // logits scale 0.0125187514, zero point -1.
  const auto out = RunSoftmax({2, 2}, 0.0125187514f, -1, 1.0f, I8({-112, 110, 56, -55}));
  EXPECT_EQ(out, I8({-113, 113, 77, -77}));
}

// Softmax in double, quantized to scale 1/256, zero point -128.
std::vector<int> DoubleSoftmax(const std::vector<int8_t>& in, int depth, double scale,
                               double beta) {
  std::vector<int> q;
  for (size_t r = 0; r < in.size(); r += depth) {
    double mx = -1e9, sum = 0;
    for (int c = 0; c < depth; ++c) mx = std::max<double>(mx, in[r + c]);
    for (int c = 0; c < depth; ++c) sum += std::exp(beta * scale * (in[r + c] - mx));
    for (int c = 0; c < depth; ++c) {
      const double prob = std::exp(beta * scale * (in[r + c] - mx)) / sum;
      q.push_back(std::min(127, static_cast<int>(std::lround(prob * 256)) - 128));
    }
  }
  return q;
}

TEST(Softmax, WithinOneOfDoublePrecision) {
  // TFLite Micro's own tolerance for int8 softmax against float is 1.
  // Rows: real 1..5 and -1..-5 at scale 0.1, then a 3x4 batch of mixed values.
  struct Case {
    std::vector<int> shape;
    float scale;
    float beta;
    std::vector<int8_t> in;
  };
  const Case cases[] = {
      {{2, 5}, 0.1f, 1.0f, I8({10, 20, 30, 40, 50, -10, -20, -30, -40, -50})},
      {{3, 4}, 0.05f, 1.0f, I8({-128, 0, 127, 64, 5, 5, 5, 5, -3, 17, -90, 100})},
      {{1, 6}, 0.2f, 0.5f, I8({-7, 3, 11, 0, -20, 9})},
  };
  for (const Case& c : cases) {
    const auto got = RunSoftmax(c.shape, c.scale, 0, c.beta, c.in);
    const auto want = DoubleSoftmax(c.in, c.shape.back(), c.scale, c.beta);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1)
          << "element " << i << " of " << c.shape.back() << "-wide rows";
  }
}

TEST(Softmax, DominantLogitSaturatesAndOthersUnderflow) {
  // Real difference 25.5: e^-25.5 * 256 is about 2e-9, so the loser is
  // exactly the zero point and the winner's 256/256 saturates at 127.
  EXPECT_EQ(RunSoftmax({1, 2}, 0.1f, 0, 1.0f, I8({127, -128})), I8({127, -128}));
  EXPECT_EQ(RunSoftmax({1, 3}, 0.1f, 0, 1.0f, I8({-128, -128, 127})), I8({-128, -128, 127}));
}

}  // namespace
}  // namespace vww
