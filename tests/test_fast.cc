// The fast backend against the reference backend, which is the
// specification (and matches TFLite Micro byte for byte, see test_golden.cc).
// Every fast path is bit-exact by construction (integer arithmetic only, and
// TFLite's rounding reproduced exactly), so every comparison here is exact:
// every intermediate tensor, for every instruction-set level this CPU runs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "fast_compare.h"
#include "model/fast/forms.h"
#include "model/fast/isa.h"
#include "model/kernel.h"
#include "model/model.h"
#include "model_builder.h"
#include "test_util.h"

namespace vww {
namespace {

// ------------------------------------------------------- person_detect.tflite

class PersonDetectFast : public ::testing::TestWithParam<fast::Isa> {};

TEST_P(PersonDetectFast, EveryLayerExactOnGoldenAndRandomInputs) {
  if (!fast::IsaIncludes(fast::DetectIsa(), GetParam())) {
    GTEST_SKIP() << "this CPU has no " << fast::IsaName(GetParam());
  }
  IsaScope scope(GetParam());
  auto model = Model::FromFile(test::ModelPath());
  Interpreter ref(*model, Backend::kReference);
  Interpreter fast(*model, Backend::kFast);

  // Every convolution and the pool of this model have a fast kernel at every level.
  for (int i = 0; i < fast.op_count(); ++i) {
    const int op = fast.node(i).opcode;
    if (op == kOpConv2D || op == kOpDepthwiseConv2D || op == kOpAveragePool2D) {
      EXPECT_TRUE(fast.op_is_fast(i)) << fast.node(i).where();
    }
    EXPECT_FALSE(ref.op_is_fast(i));
  }

  for (const char* image : {"person_gray", "no_person_gray"}) {
    const auto input =
        test::ReadFile(test::DataDir() + "/models/golden/" + image + "/input_96x96x1.bin");
    ExpectSameEveryLayer(ref, fast, input, image);
  }
  for (uint32_t seed = 1; seed <= 3; ++seed)
    ExpectSameEveryLayer(ref, fast, RandomBytes(ref.input().bytes, seed),
                         "random input " + std::to_string(seed));
  ExpectSameEveryLayer(ref, fast, std::vector<uint8_t>(ref.input().bytes, 0x80), "all -128");
  ExpectSameEveryLayer(ref, fast, std::vector<uint8_t>(ref.input().bytes, 0x7F), "all 127");
}

INSTANTIATE_TEST_SUITE_P(Isa, PersonDetectFast, ::testing::ValuesIn(fast::RunnableIsas()),
                         [](const auto& info) { return std::string(fast::IsaName(info.param)); });

// The other shared models: other shapes (3-channel stems, uint8 inputs,
// NCHW transposes, residual adds), every layer exact at every level.
class SharedModelFast : public ::testing::TestWithParam<const char*> {};

TEST_P(SharedModelFast, EveryLayerExactOnRandomInput) {
  auto model = Model::FromFile(test::ModelFile(GetParam()));
  Interpreter ref(*model, Backend::kReference);
  for (fast::Isa isa : IsaLevels()) {
    IsaScope scope(isa);
    Interpreter fast(*model, Backend::kFast);
    int fast_ops = 0;
    for (int i = 0; i < fast.op_count(); ++i) fast_ops += fast.op_is_fast(i) ? 1 : 0;
    EXPECT_GT(fast_ops, 0);
    ExpectSameEveryLayer(ref, fast, RandomBytes(ref.input().bytes, 5),
                         std::string(GetParam()) + " " + fast::IsaName(isa));
  }
}

// Every form of the table, forced alone, on each of the five models: every
// intermediate tensor equal to the reference's (which matches TFLite Micro,
// test_golden.cc), on the golden input where there is one and a random one.
TEST_P(SharedModelFast, EveryFormExactOnEveryLayer) {
  auto model = Model::FromFile(test::ModelFile(GetParam()));
  Interpreter ref(*model, Backend::kReference);
  const std::string name = GetParam();
  std::vector<uint8_t> golden;
  if (name == "person_detect")
    golden = test::ReadFile(test::DataDir() + "/models/golden/person_gray/input_96x96x1.bin");
  else
    golden = test::ReadFile(test::DataDir() + "/models/golden/more/" + name + "/input.bin");
  for (const fast::KernelForm* form : RunnableForms()) {
    FormScope scope(form);
    Interpreter fast(*model, Backend::kFast);
    bool took = false;
    for (int i = 0; i < fast.op_count(); ++i) {
      if (!fast.op_is_fast(i)) continue;
      took = true;
      EXPECT_STREQ(fast.op_kernel_name(i), form->name);
    }
    if (!took) continue;
    ExpectSameEveryLayer(ref, fast, golden, name + " golden input, " + form->name);
    ExpectSameEveryLayer(ref, fast, RandomBytes(ref.input().bytes, 9),
                         name + " random input, " + form->name);
  }
}

INSTANTIATE_TEST_SUITE_P(Models, SharedModelFast,
                         ::testing::Values("person_detect", "mlperf_tiny_vww_96_int8",
                                           "mlperf_tiny_resnet8_cifar10_int8",
                                           "coral_tf2_mobilenet_v2_1.0_224_ptq",
                                           "tflm_pytorch_mobilenet_v2_int8_nchw"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(FastIsa, OverrideClampsToTheCpuAndNamesRoundTrip) {
  for (fast::Isa isa : fast::AllIsas()) {
    EXPECT_EQ(fast::ParseIsa(fast::IsaName(isa)), isa);
    IsaScope scope(isa);
    // The override takes effect exactly when the CPU runs that level;
    // otherwise (above the CPU, or the other family) the detected level runs.
    const fast::Isa expected = fast::IsaIncludes(fast::DetectIsa(), isa) ? isa : fast::DetectIsa();
    EXPECT_EQ(fast::ActiveIsa(), expected) << fast::IsaName(isa);
    EXPECT_TRUE(fast::IsaIncludes(fast::DetectIsa(), fast::ActiveIsa()));
  }
  // Families never include each other; every level includes portable.
  EXPECT_FALSE(fast::IsaIncludes(fast::Isa::kAvx512Vbmi, fast::Isa::kNeon));
  EXPECT_FALSE(fast::IsaIncludes(fast::Isa::kNeonDot, fast::Isa::kAvx2));
  EXPECT_TRUE(fast::IsaIncludes(fast::Isa::kNeonDot, fast::Isa::kNeon));
  EXPECT_FALSE(fast::IsaIncludes(fast::Isa::kNeon, fast::Isa::kNeonDot));
  EXPECT_TRUE(fast::IsaIncludes(fast::Isa::kNeon, fast::Isa::kPortable));
  EXPECT_EQ(fast::ActiveIsa(), fast::DetectIsa());
  EXPECT_THROW(fast::ParseIsa("sse9"), Error);
}

// ------------------------------------------------ synthetic convolution layers

struct ConvCase {
  const char* name;
  bool depthwise;
  int h, w, in_c, out_c, kh, kw, stride, dilation;
  int padding;     // 0 SAME, 1 VALID
  int activation;  // 0 NONE, 1 RELU, 3 RELU6
  int in_zp, out_zp;
  float out_scale;  // small: many outputs saturate; < in*w scale: left shifts
  bool expect_fast;
  // A quarter of the weights -128 (TFLite's converter never writes one): two
  // such products overflow int16, so the NEON GEMM must not pair them.
  bool min_weights = false;
};

void PrintTo(const ConvCase& c, std::ostream* os) { *os << c.name; }

int OutSize(int in, int k, int stride, int dilation, int padding) {
  const int effective = (k - 1) * dilation + 1;
  return padding == 0 ? (in + stride - 1) / stride : (in - effective + stride) / stride;
}

// One CONV_2D or DEPTHWISE_CONV_2D with random per-channel weights and biases.
std::vector<uint8_t> BuildConvModel(const ConvCase& c, uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  test::ModelBuilder b;
  const float in_scale = 0.05f;
  const int in = b.AddInt8({1, c.h, c.w, c.in_c}, in_scale, c.in_zp);
  const int taps_per_out = c.kh * c.kw * (c.depthwise ? 1 : c.in_c);
  std::vector<int8_t> weights(static_cast<size_t>(c.out_c) * taps_per_out);
  for (int8_t& w : weights)
    w = static_cast<int8_t>(c.min_weights && uniform(0, 3) == 0 ? -128 : uniform(-127, 127));
  std::vector<float> w_scales(c.out_c);
  std::vector<int64_t> w_zps(c.out_c, 0);
  std::vector<int32_t> bias(c.out_c);
  for (int oc = 0; oc < c.out_c; ++oc) {
    w_scales[oc] = 0.001f * static_cast<float>(uniform(1, 40));
    bias[oc] = uniform(-3000, 3000);
  }
  std::vector<int> filter_shape = c.depthwise ? std::vector<int>{1, c.kh, c.kw, c.out_c}
                                              : std::vector<int>{c.out_c, c.kh, c.kw, c.in_c};
  const int filter = b.AddConstant(filter_shape, 9, weights, w_scales, w_zps, c.depthwise ? 3 : 0);
  std::vector<float> bias_scales(c.out_c);
  for (int oc = 0; oc < c.out_c; ++oc) bias_scales[oc] = in_scale * w_scales[oc];
  const int bias_t = b.AddConstant({c.out_c}, 2, bias, bias_scales, w_zps, 0);
  const int oh = OutSize(c.h, c.kh, c.stride, c.dilation, c.padding);
  const int ow = OutSize(c.w, c.kw, c.stride, c.dilation, c.padding);
  const int out = b.AddInt8({1, oh, ow, c.out_c}, c.out_scale, c.out_zp);
  const ConvCase cc = c;
  if (c.depthwise) {
    b.AddOp({kOpDepthwiseConv2D, {in, filter, bias_t}, {out}, 2, [cc](auto& fbb) {
               return tflite::CreateDepthwiseConv2DOptions(fbb, cc.padding, cc.stride, cc.stride,
                                                           cc.out_c / cc.in_c, cc.activation,
                                                           cc.dilation, cc.dilation)
                   .Union();
             }});
  } else {
    b.AddOp({kOpConv2D, {in, filter, bias_t}, {out}, 1, [cc](auto& fbb) {
               return tflite::CreateConv2DOptions(fbb, cc.padding, cc.stride, cc.stride,
                                                  cc.activation, cc.dilation, cc.dilation)
                   .Union();
             }});
  }
  return b.Build({in}, {out});
}

class SyntheticConvFast : public ::testing::TestWithParam<ConvCase> {};

// Each form that takes the layer, forced alone.
TEST_P(SyntheticConvFast, ExactForEveryForm) {
  const ConvCase& c = GetParam();
  auto model = Model::FromBytes(BuildConvModel(c, 13), c.name);
  Interpreter ref(*model, Backend::kReference);
  for (const fast::KernelForm* form : RunnableForms()) {
    FormScope scope(form);
    Interpreter fast(*model, Backend::kFast);
    if (!fast.op_is_fast(0)) continue;
    const std::string what = std::string(c.name) + " " + form->name;
    EXPECT_STREQ(fast.op_kernel_name(0), form->name);
    for (uint32_t input_seed = 1; input_seed <= 2; ++input_seed)
      ExpectSameEveryLayer(ref, fast, RandomBytes(ref.input().bytes, input_seed), what);
    ExpectSameEveryLayer(ref, fast, std::vector<uint8_t>(ref.input().bytes, 0x80),
                         what + " all -128");
    ExpectSameEveryLayer(ref, fast, std::vector<uint8_t>(ref.input().bytes, 0x7F),
                         what + " all 127");
  }
}

TEST_P(SyntheticConvFast, ExactAtEveryIsaLevel) {
  const ConvCase& c = GetParam();
  for (uint32_t seed : {11u, 12u}) {
    auto model = Model::FromBytes(BuildConvModel(c, seed), c.name);
    Interpreter ref(*model, Backend::kReference);
    for (fast::Isa isa : IsaLevels()) {
      IsaScope scope(isa);
      Interpreter fast(*model, Backend::kFast);
      const std::string what =
          std::string(c.name) + " seed " + std::to_string(seed) + " " + fast::IsaName(isa);
      EXPECT_EQ(fast.op_is_fast(0), c.expect_fast) << what;
      for (uint32_t input_seed = 1; input_seed <= 2; ++input_seed)
        ExpectSameEveryLayer(ref, fast, RandomBytes(ref.input().bytes, seed * 7 + input_seed),
                             what);
      ExpectSameEveryLayer(ref, fast, std::vector<uint8_t>(ref.input().bytes, 0x80),
                           what + " all -128");
      ExpectSameEveryLayer(ref, fast, std::vector<uint8_t>(ref.input().bytes, 0x7F),
                           what + " all 127");
    }
  }
}

// Shapes chosen to hit every branch: channel counts that are not multiples of
// 8/16/64 (vector tails), one- and many-pixel rows, SAME padding on every
// edge, strides 1 and 2, dilation, the stem (one input channel), depth
// multipliers the fast kernel declines, output scales that saturate or need
// a left shift, and activations with and without a lower clamp at zero.
const ConvCase kConvCases[] = {
    // name, dw, h, w, in_c, out_c, kh, kw, stride, dil, pad, act, in_zp, out_zp, out_scale, fast
    {"dw_48x48x8_s1_relu6", true, 12, 12, 8, 8, 3, 3, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    {"dw_stem_1to8_s2", true, 16, 16, 1, 8, 3, 3, 2, 1, 0, 3, -128, -128, 0.0235f, true},
    {"dw_stem_1to8_s2_odd", true, 15, 13, 1, 8, 3, 3, 2, 1, 0, 3, 3, -128, 0.0235f, true},
    {"dw_stem_1to4_s1_dil2", true, 11, 9, 1, 4, 3, 3, 1, 2, 0, 0, -7, 2, 0.04f, true},
    {"dw_stem_1to2_s2", true, 12, 17, 1, 2, 3, 3, 2, 1, 0, 3, -128, -128, 0.02f, true},
    {"dw_stem_1to3_s1", true, 9, 7, 1, 3, 3, 3, 1, 1, 0, 0, 0, 5, 0.05f, true},
    {"dw_stem_1to32_s2", true, 10, 10, 1, 32, 3, 3, 2, 1, 0, 3, -128, -128, 0.02f, true},
    {"dw_16_s2", true, 9, 11, 16, 16, 3, 3, 2, 1, 0, 3, -128, -128, 0.0235f, true},
    {"dw_32_s2_even", true, 8, 8, 32, 32, 3, 3, 2, 1, 0, 3, -128, -128, 0.0235f, true},
    {"dw_24_s2", true, 7, 9, 24, 24, 3, 3, 2, 1, 0, 1, -5, -100, 0.03f, true},
    {"dw_13_s1_none", true, 6, 5, 13, 13, 3, 3, 1, 1, 0, 0, 7, 3, 0.02f, true},
    {"dw_13_s2_none", true, 6, 5, 13, 13, 3, 3, 2, 1, 0, 0, 7, 3, 0.02f, true},
    {"dw_32_s1_w7_none", true, 5, 7, 32, 32, 3, 3, 1, 1, 0, 0, 4, -2, 0.03f, true},
    {"dw_48_s1_w6_relu6", true, 4, 6, 48, 48, 3, 3, 1, 1, 0, 3, -128, -128, 0.02f, true},
    {"dw_16_s1_w3_5x3", true, 6, 3, 16, 16, 5, 3, 1, 1, 0, 3, -128, -128, 0.02f, true},
    {"dw_48_s2_w7_none", true, 7, 13, 48, 48, 3, 3, 2, 1, 0, 0, -3, 10, 0.03f, true},
    {"dw_8_s1_dil2", true, 9, 10, 8, 8, 3, 3, 1, 2, 0, 3, -128, -128, 0.02f, true},
    {"dw_1_s1", true, 7, 19, 1, 1, 3, 3, 1, 1, 0, 0, 12, 0, 0.05f, true},
    {"dw_37_valid", true, 6, 7, 37, 37, 3, 3, 1, 1, 1, 3, -128, -128, 0.02f, true},
    {"dw_128_1x1_spatial", true, 1, 1, 128, 128, 3, 3, 1, 1, 0, 3, -128, -128, 0.02f, true},
    {"dw_64_5x5_dil2", true, 9, 9, 64, 64, 5, 5, 1, 2, 0, 3, -128, -128, 0.02f, true},
    {"dw_20_2x4_s2x", true, 7, 10, 20, 20, 2, 4, 2, 1, 0, 0, 0, 0, 0.04f, true},
    {"dw_8_saturating", true, 6, 6, 8, 8, 3, 3, 1, 1, 0, 0, 0, 0, 0.0005f, true},
    {"dw_16_left_shift", true, 5, 5, 16, 16, 3, 3, 1, 1, 0, 0, 0, 0, 0.00002f, true},
    {"dw_mult2_declined", true, 5, 5, 3, 6, 3, 3, 1, 1, 0, 3, -128, -128, 0.02f, false},
    {"pw_8to16", false, 12, 12, 8, 16, 1, 1, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    {"pw_128to128", false, 3, 3, 128, 128, 1, 1, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    {"pw_256to2_logits", false, 1, 1, 256, 2, 1, 1, 1, 1, 1, 0, -128, -1, 0.0125f, true},
    {"pw_13to70", false, 5, 7, 13, 70, 1, 1, 1, 1, 0, 0, 9, -3, 0.05f, true},
    {"pw_3to5_s2", false, 7, 7, 3, 5, 1, 1, 2, 1, 0, 1, -128, -128, 0.02f, true},
    {"pw_66to33_relu", false, 4, 3, 66, 33, 1, 1, 1, 1, 0, 1, -20, -128, 0.1f, true},
    {"pw_relu6_narrow_clamp", false, 3, 5, 24, 40, 1, 1, 1, 1, 0, 3, -128, -128, 0.05f, true},
    {"dw_relu6_narrow_clamp", true, 5, 6, 16, 16, 3, 3, 1, 1, 0, 3, -128, -128, 0.05f, true},
    {"pw_16_saturating", false, 4, 4, 16, 16, 1, 1, 1, 1, 0, 0, 0, 0, 0.0005f, true},
    {"pw_16_left_shift", false, 4, 4, 16, 16, 1, 1, 1, 1, 0, 0, 0, 0, 0.00002f, true},
    // CONV_2D through im2col: 3-channel stems (stride 2, SAME: the padding
    // falls on the right / bottom edge only for even sizes), ResNet-style 3x3
    // layers, channel counts off the vector widths, dilation, VALID, 5x5,
    // non-square filters, saturation, left shifts, narrow clamps.
    {"conv_3x3_4to8", false, 6, 6, 4, 8, 3, 3, 1, 1, 0, 3, -128, -128, 0.02f, true},
    {"conv_stem_3to32_s2_even", false, 16, 16, 3, 32, 3, 3, 2, 1, 0, 3, -128, -128, 0.02f, true},
    {"conv_stem_3to8_s2_odd", false, 15, 13, 3, 8, 3, 3, 2, 1, 0, 3, 5, -128, 0.02f, true},
    {"conv_3x3_16to16_s1", false, 8, 8, 16, 16, 3, 3, 1, 1, 0, 1, -128, -128, 0.05f, true},
    {"conv_3x3_16to32_s2", false, 8, 9, 16, 32, 3, 3, 2, 1, 0, 1, -3, -128, 0.05f, true},
    {"conv_3x3_64to64_s1", false, 4, 4, 64, 64, 3, 3, 1, 1, 0, 0, -128, 4, 0.08f, true},
    {"conv_3x3_5to19_dil2", false, 9, 8, 5, 19, 3, 3, 1, 2, 0, 0, 2, -1, 0.03f, true},
    {"conv_5x5_7to13_valid", false, 9, 10, 7, 13, 5, 5, 1, 1, 1, 3, -128, -128, 0.02f, true},
    {"conv_2x4_6to20_s2", false, 7, 10, 6, 20, 2, 4, 2, 1, 0, 0, 0, 0, 0.04f, true},
    {"conv_3x3_8to16_saturating", false, 5, 5, 8, 16, 3, 3, 1, 1, 0, 0, 0, 0, 0.0005f, true},
    {"conv_3x3_8to16_left_shift", false, 5, 5, 8, 16, 3, 3, 1, 1, 0, 0, 0, 0, 0.00002f, true},
    {"conv_3x3_24to40_narrow_clamp", false, 4, 5, 24, 40, 3, 3, 1, 1, 0, 3, -128, -128, 0.05f,
     true},
    {"conv_3x3_1x1_spatial", false, 1, 1, 32, 48, 3, 3, 1, 1, 0, 1, -128, -128, 0.03f, true},
    // Requantization shifts mixed within one layer: with this output scale
    // some channels need no right shift (rs 0, which the one-rounding form
    // declines), some a left shift, the rest a right shift.
    {"pw_16to48_mixed_shifts", false, 5, 3, 16, 48, 1, 1, 1, 1, 0, 0, 3, -4, 0.002f, true},
    {"dw_16_mixed_shifts", true, 6, 5, 16, 16, 3, 3, 1, 1, 0, 0, -2, 5, 0.002f, true},
    // Pointwise: 16 / 32 / 48 outputs with pixel counts that are not a
    // multiple of 4 (full 64-byte stores and their remainder), 80 outputs (a
    // 4-block column, then a lone block), and depths 6 / 14 / 30 (the
    // fixed-depth paths with zero-padded groups).
    {"pw_16to32_7px", false, 1, 7, 16, 32, 1, 1, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    {"pw_8to16_3x3", false, 3, 3, 8, 16, 1, 1, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    {"pw_32to48_5px", false, 1, 5, 32, 48, 1, 1, 1, 1, 0, 1, 3, -128, 0.03f, true},
    {"pw_32to80", false, 3, 5, 32, 80, 1, 1, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    {"pw_6to16", false, 5, 5, 6, 16, 1, 1, 1, 1, 0, 0, 7, 2, 0.01f, true},
    {"pw_14to32", false, 3, 7, 14, 32, 1, 1, 1, 1, 0, 3, -128, -128, 0.02f, true},
    {"pw_30to48_s2", false, 7, 5, 30, 48, 1, 1, 2, 1, 0, 0, -9, 4, 0.03f, true},
    // Depthwise column form on short and narrow inputs (1-3 rows: the
    // 4-row copy never fills a group; widths not a multiple of 4), and row
    // kernels whose rows are not a multiple of 4 chunks.
    {"dw_16_s1_h1_w5", true, 1, 5, 16, 16, 3, 3, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    {"dw_16_s1_h2_w6", true, 2, 6, 16, 16, 3, 3, 1, 1, 0, 0, 4, -3, 0.02f, true},
    {"dw_32_s2_h3_w9", true, 3, 9, 32, 32, 3, 3, 2, 1, 0, 3, -128, -128, 0.0235f, true},
    {"dw_stem_1to8_s2_w10", true, 20, 10, 1, 8, 3, 3, 2, 1, 0, 3, -128, -128, 0.0235f, true},
    {"dw_8_s1_w5", true, 7, 5, 8, 8, 3, 3, 1, 1, 0, 3, -128, -128, 0.0235f, true},
    // -128 weights (the NEON GEMM's unpaired products), with output channel
    // counts that leave 3 blocks of 4 in the last 16 (the dot-product tile's
    // narrow column) and depths of 16 + 8 (NEON's half step).
    {"pw_24to11_min_weights", false, 3, 5, 24, 11, 1, 1, 1, 1, 0, 0, 6, -5, 0.03f, true, true},
    {"pw_48to28_s2_valid_min_weights", false, 7, 7, 48, 28, 1, 1, 2, 1, 1, 1, -3, -128, 0.04f, true,
     true},
    {"conv_3x3_4to44_min_weights", false, 5, 6, 4, 44, 3, 3, 1, 1, 0, 3, -128, -128, 0.02f, true,
     true},
    // The arm64 forms' classes: 24 channels at stride 1 (the quads' 64-byte
    // window, vqtbl4q), 12 channels with a 2x4 filter (3 lane patterns, a
    // 4-tap quad), stems of 16 outputs (one pixel per chunk) and of 12 (no
    // row form: the generic one), and a 5x5 filter on 40 channels (25 taps,
    // 16-lane tails) without activation, where the NEON rounding needs its
    // half-away-from-zero fix-up (act_min below the output zero point).
    {"dw_24_s1_window64", true, 6, 7, 24, 24, 3, 3, 1, 1, 0, 0, -3, 6, 0.03f, true},
    {"dw_12_s1_2x4", true, 5, 9, 12, 12, 2, 4, 1, 1, 0, 1, 2, -128, 0.03f, true},
    {"dw_stem_1to16_s1", true, 9, 11, 1, 16, 3, 3, 1, 1, 0, 0, 5, -2, 0.03f, true},
    {"dw_stem_1to12_s2", true, 7, 7, 1, 12, 3, 3, 2, 1, 0, 3, -128, -128, 0.02f, true},
    {"dw_40_5x5_s1_none", true, 7, 6, 40, 40, 5, 5, 1, 1, 0, 0, 1, 9, 0.02f, true},
    // The direct CONV_2D form's edges: rows that are not a multiple of its
    // 16 / 8 / 4-pixel tiles (the last tile overlaps), rows narrower than a
    // tile (2 and 3 pixels: one at a time), 1, 2, 3, 5 blocks of 16 output
    // channels with partial ones, stride 2, dilation (one run per tap),
    // 3-channel stems (quads that run into the next pixel), and the
    // requantization edges on the 16-pixel tile.
    {"conv_3x3_16to16_w37", false, 3, 37, 16, 16, 3, 3, 1, 1, 0, 1, -128, -128, 0.05f, true},
    {"conv_3x3_16to16_s2_w33", false, 5, 33, 16, 16, 3, 3, 2, 1, 0, 0, 6, -3, 0.04f, true},
    {"conv_3x3_12to24_w19", false, 4, 19, 12, 24, 3, 3, 1, 1, 0, 3, -128, -128, 0.03f, true},
    {"conv_3x3_32to80_w6", false, 4, 6, 32, 80, 3, 3, 1, 1, 0, 1, -10, -128, 0.05f, true},
    {"conv_3x3_20to48_s2_w7", false, 7, 7, 20, 48, 3, 3, 2, 1, 0, 0, 3, 2, 0.04f, true},
    {"conv_3x3_16to16_w2", false, 3, 2, 16, 16, 3, 3, 1, 1, 0, 0, 1, 1, 0.04f, true},
    {"conv_3x3_16to40_w3_valid", false, 4, 5, 16, 40, 3, 3, 1, 1, 1, 0, -4, 1, 0.04f, true},
    {"conv_stem_3to16_s1_w21", false, 9, 21, 3, 16, 3, 3, 1, 1, 0, 3, -128, -128, 0.02f, true},
    {"conv_stem_3to8_s2_w40", false, 6, 40, 3, 8, 3, 3, 2, 1, 0, 3, -1, -128, 0.02f, true},
    {"conv_stem_3to16_s2_w31_none", false, 5, 31, 3, 16, 3, 3, 2, 1, 0, 0, 9, 7, 0.03f, true},
    {"conv_3x3_16to16_dil2_w18", false, 6, 18, 16, 16, 3, 3, 1, 2, 0, 0, 0, 0, 0.03f, true},
    {"conv_3x3_16to16_saturating_w20", false, 3, 20, 16, 16, 3, 3, 1, 1, 0, 0, 0, 0, 0.0005f, true},
    {"conv_3x3_16to16_left_shift_w17", false, 3, 17, 16, 16, 3, 3, 1, 1, 0, 0, 0, 0, 0.00002f,
     true},
    {"conv_3x3_16to32_relu6_narrow_w9", false, 5, 9, 16, 32, 3, 3, 1, 1, 0, 3, -128, -128, 0.1f,
     true},
    {"conv_3x3_16to10_w23_window", false, 4, 23, 16, 10, 3, 3, 1, 1, 0, 1, 5, -128, 0.05f, true},
    {"conv_3x3_16to16_w6_valid_window", false, 5, 8, 16, 16, 3, 3, 1, 1, 1, 3, -128, -128, 0.05f,
     true},
    {"conv_3x3_64to64_s2_w9", false, 9, 9, 64, 64, 3, 3, 2, 1, 0, 1, -128, -128, 0.05f, true},
};

INSTANTIATE_TEST_SUITE_P(Shapes, SyntheticConvFast, ::testing::ValuesIn(kConvCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ------------------------------------------------------------ AVERAGE_POOL_2D

struct PoolCase {
  const char* name;
  int h, w, c, filter_h, filter_w, stride, padding, activation, zp;
  bool expect_fast;  // only pools over the whole input have a fast kernel
};

void PrintTo(const PoolCase& c, std::ostream* os) { *os << c.name; }

class PoolFast : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolFast, ExactAgainstReference) {
  const PoolCase& c = GetParam();
  test::ModelBuilder b;
  const int in = b.AddInt8({2, c.h, c.w, c.c}, 0.02f, c.zp);
  const int oh = OutSize(c.h, c.filter_h, c.stride, 1, c.padding);
  const int ow = OutSize(c.w, c.filter_w, c.stride, 1, c.padding);
  const int out = b.AddInt8({2, oh, ow, c.c}, 0.02f, c.zp);
  const PoolCase pc = c;
  b.AddOp({kOpAveragePool2D, {in}, {out}, 5, [pc](auto& fbb) {
             return tflite::CreatePool2DOptions(fbb, pc.padding, pc.stride, pc.stride, pc.filter_w,
                                                pc.filter_h, pc.activation)
                 .Union();
           }});
  auto model = Model::FromBytes(b.Build({in}, {out}), c.name);
  Interpreter ref(*model, Backend::kReference);
  {
    Interpreter fast(*model, Backend::kFast);
    EXPECT_EQ(fast.op_is_fast(0), c.expect_fast);
  }
  for (const fast::KernelForm* form : RunnableForms()) {
    FormScope scope(form);
    Interpreter fast(*model, Backend::kFast);
    if (!fast.op_is_fast(0)) continue;
    const std::string what = std::string(c.name) + " " + form->name;
    for (uint32_t seed = 1; seed <= 4; ++seed)
      ExpectSameEveryLayer(ref, fast, RandomBytes(ref.input().bytes, seed), what);
    // Sums of equal values: every rounding tie and both saturation ends.
    for (uint8_t v : {0x80, 0x81, 0xFF, 0x00, 0x01, 0x7F})
      ExpectSameEveryLayer(ref, fast, std::vector<uint8_t>(ref.input().bytes, v), what);
  }
}

const PoolCase kPoolCases[] = {
    {"global_3x3x256_mobilenet", 3, 3, 256, 3, 3, 2, 1, 0, -128, true},
    {"global_7x5x13", 7, 5, 13, 7, 5, 1, 1, 0, 0, true},
    {"global_2x2x70_relu6", 2, 2, 70, 2, 2, 1, 1, 3, -20, true},
    {"global_4x4_same", 4, 4, 9, 4, 4, 4, 0, 0, 3, true},
    {"local_2x2_s2_declined", 6, 6, 16, 2, 2, 2, 1, 0, 0, false},
    // A window too large for the 32-bit division of the vector path (falls
    // back), a 1x1 input, and channels not a multiple of 16 with a narrow clamp.
    {"global_64x64x16_large", 64, 64, 16, 64, 64, 1, 1, 0, 0, true},
    {"global_1x1x20", 1, 1, 20, 1, 1, 1, 1, 0, 0, true},
    {"global_5x5x21_relu6", 5, 5, 21, 5, 5, 1, 1, 3, -20, true},
};

INSTANTIATE_TEST_SUITE_P(Shapes, PoolFast, ::testing::ValuesIn(kPoolCases),
                         [](const auto& info) { return std::string(info.param.name); });

// --------------------------------------------------------------- vww bench

using test::RunVww;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  return lines;
}

TEST(BenchCli, HelpStartsWithUsage) {
  std::string out, err;
  ASSERT_EQ(RunVww("bench --help", &out, &err), 0) << err;
  EXPECT_EQ(out.rfind("usage: vww bench", 0), 0u) << out;
}

TEST(BenchCli, JsonHasOneObjectPerBackend) {
  std::string out, err;
  ASSERT_EQ(RunVww("bench --backend all --runs 3 --warmup 1 --json", &out, &err), 0) << err;
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  EXPECT_NE(lines[0].find("\"backend\":\"fast\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"backend\":\"reference\""), std::string::npos) << lines[1];
  for (const std::string& l : lines) {
    EXPECT_EQ(l.front(), '{');
    EXPECT_EQ(l.back(), '}');
    for (const char* key : {"\"runs\":3", "\"median_ms\":", "\"p99_ms\":", "\"arena_bytes\":",
                            "\"dsp_median_ms\":", "\"macs\":7157888"})
      EXPECT_NE(l.find(key), std::string::npos) << key << " in " << l;
  }
}

TEST(BenchCli, TextReportsBothBackendsTheRatioAndTheProfile) {
  std::string out, err;
  ASSERT_EQ(RunVww("bench --backend all --runs 2 --warmup 0 --profile --isa avx2", &out, &err), 0)
      << err;
  for (const char* s :
       {"dsp 640x480 BGR -> 96x96x1 int8: median", "backend fast", "backend reference", "median",
        "p99", "inferences/s", "arena", "faster than reference", "same top class: yes",
        "DEPTHWISE_CONV_2D", "GMAC/s", "share"})
    EXPECT_NE(out.find(s), std::string::npos) << s << " in\n" << out;
}

TEST(BenchCli, TilesTimeWholeFramesPerBackend) {
  std::string out, err;
  ASSERT_EQ(
      RunVww("bench --tiles auto --threads 2 --backend all --runs 3 --warmup 1 --json", &out, &err),
      0)
      << err;
  const std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 2u) << out;
  EXPECT_NE(lines[0].find("\"backend\":\"fast\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"backend\":\"reference\""), std::string::npos) << lines[1];
  for (const std::string& l : lines)
    for (const char* key : {"\"frames\":\"640x480\"", "\"tiles_spec\":\"4x4@0.4:neighbour:1\"",
                            "\"tiles\":17", "\"threads\":2", "\"runs\":3", "\"dsp_median_ms\":",
                            "\"classification_median_ms\":", "\"total_median_ms\":"})
      EXPECT_NE(l.find(key), std::string::npos) << key << " in " << l;
  // Both backends saw the same frame and tiles: the same combined score.
  const auto person = [](const std::string& l) { return l.substr(l.find("\"person\":")); };
  EXPECT_EQ(person(lines[0]), person(lines[1]));

  ASSERT_EQ(RunVww("bench --tiles 1 --size 1280x720 --runs 2 --warmup 0", &out, &err), 0) << err;
  for (const char* s : {"frames 1280x720 BGR, tiles 1 (1 per frame), backend fast, 1 thread",
                        "dsp ", "classification ", "dsp + classification "})
    EXPECT_NE(out.find(s), std::string::npos) << s << " in\n" << out;
}

TEST(BenchCli, BadOptionsAreOneLineErrors) {
  for (const char* args : {"bench --backend turbo", "bench --runs 0", "bench --isa sse9",
                           "bench --model /nonexistent/model.tflite", "bench --tiles 0x0",
                           "bench --tiles auto --size 640", "bench --tiles auto --threads 99"}) {
    std::string out, err;
    EXPECT_NE(RunVww(args, &out, &err), 0) << args;
    EXPECT_EQ(err.rfind("error: ", 0), 0u) << args << ": " << err;
    EXPECT_EQ(err.find('\n'), err.size() - 1) << args << ": " << err;
  }
}

}  // namespace
}  // namespace vww

namespace vww {
namespace {

// Every form this CPU can run takes at least one node of the five models or
// the synthetic layers above (prepare only), so the form tests exercise every
// row of the table; and the table itself is well formed.
TEST(FormCoverage, EveryRunnableFormTakesSomeTestedNode) {
  std::map<std::string, int> names;
  for (size_t i = 0; i < fast::KernelFormCount(); ++i) {
    const fast::KernelForm& f = fast::KernelForms()[i];
    EXPECT_EQ(names[f.name]++, 0) << "duplicate form name " << f.name;
    EXPECT_NE(std::string(f.name).find(fast::IsaName(f.isa)), std::string::npos)
        << f.name << " does not name its ISA " << fast::IsaName(f.isa);
    EXPECT_EQ(fast::FindKernelForm(f.name), &f);
  }
  std::vector<std::unique_ptr<Model>> models;
  for (const char* m :
       {"person_detect", "mlperf_tiny_vww_96_int8", "mlperf_tiny_resnet8_cifar10_int8",
        "coral_tf2_mobilenet_v2_1.0_224_ptq", "tflm_pytorch_mobilenet_v2_int8_nchw"})
    models.push_back(Model::FromFile(test::ModelFile(m)));
  for (const ConvCase& c : kConvCases)
    models.push_back(Model::FromBytes(BuildConvModel(c, 13), c.name));
  for (const fast::KernelForm* f : RunnableForms()) {
    FormScope scope(f);
    int taken = 0;
    for (const auto& m : models) {
      Interpreter fast(*m, Backend::kFast);
      for (int i = 0; i < fast.op_count(); ++i) taken += fast.op_is_fast(i) ? 1 : 0;
    }
    EXPECT_GT(taken, 0) << f->name << " takes no node of any tested model";
  }
}

}  // namespace
}  // namespace vww
