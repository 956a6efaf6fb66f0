// The element-wise fast kernels (ADD of equal shapes, 8-bit QUANTIZE, PAD with
// folded rows, NCHW -> NHWC TRANSPOSE) and FULLY_CONNECTED against the reference kernels, byte for
// byte, at every ISA level this CPU runs: synthetic layers at the edges (lengths around the vector
// widths, scales far apart, activations, saturating inputs, every input byte), and the five models'
// nodes of these operators all fast.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fast_compare.h"
#include "model_builder.h"
#include "test_util.h"

namespace vww {
namespace {

constexpr int kI32 = 2, kU8 = 3, kI8 = 9;  // TFLite tensor types

struct Q {
  float scale;
  int zp;
};

test::ModelBuilder::TensorSpec Act(std::vector<int> shape, int type, Q q) {
  return {std::move(shape), type, {q.scale}, {q.zp}, 0, {}, ""};
}

// Runs every input through both backends at every ISA level; `fast` says
// whether the fast backend must take node 0.
void ExpectExact(const std::vector<uint8_t>& bytes, const std::string& what, bool fast_expected,
                 const std::vector<std::vector<uint8_t>>& inputs) {
  auto model = Model::FromBytes(bytes, what);
  Interpreter ref(*model, Backend::kReference);
  for (fast::Isa isa : IsaLevels()) {
    IsaScope scope(isa);
    Interpreter fast(*model, Backend::kFast);
    EXPECT_EQ(fast.op_is_fast(0), fast_expected) << what << " " << fast::IsaName(isa);
    for (size_t k = 0; k < inputs.size(); ++k)
      ExpectSameEveryLayer(ref, fast, inputs[k],
                           what + " " + fast::IsaName(isa) + " input " + std::to_string(k));
  }
}

// Random inputs, both saturation ends, and every byte value in turn.
std::vector<std::vector<uint8_t>> EdgeInputs(size_t n) {
  std::vector<std::vector<uint8_t>> inputs = {RandomBytes(n, 1), RandomBytes(n, 2),
                                              std::vector<uint8_t>(n, 0x80),
                                              std::vector<uint8_t>(n, 0x7F)};
  std::vector<uint8_t> ramp(n);
  for (size_t i = 0; i < n; ++i) ramp[i] = static_cast<uint8_t>(i * 37 + 11);
  inputs.push_back(ramp);
  return inputs;
}

// ----------------------------------------------------------------------- ADD

struct AddCase {
  const char* name;
  std::vector<int> shape;
  Q q1, q2, out;
  int activation;  // 0 none, 1 RELU, 3 RELU6
};

void PrintTo(const AddCase& c, std::ostream* os) { *os << c.name; }

class AddFast : public ::testing::TestWithParam<AddCase> {};

// input + constant: the constant is random, so every lane sees other pairs.
TEST_P(AddFast, ExactAtEveryIsaLevel) {
  const AddCase& c = GetParam();
  test::ModelBuilder b;
  const int in = b.AddTensor(Act(c.shape, kI8, c.q1));
  int64_t n = 1;
  for (int d : c.shape) n *= d;
  const auto constant = RandomBytes(static_cast<size_t>(n), 99);
  const int other = b.AddTensor({c.shape, kI8, {c.q2.scale}, {c.q2.zp}, 0, constant, ""});
  const int out = b.AddTensor(Act(c.shape, kI8, c.out));
  const int act = c.activation;
  b.AddOp({kOpAdd,
           {in, other},
           {out},
           tflite::BuiltinOptions_AddOptions,
           [act](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateAddOptions(f, act).Union();
           }});
  ExpectExact(b.Build({in}, {out}), c.name, true, EdgeInputs(static_cast<size_t>(n)));
}

const AddCase kAddCases[] = {
    {"one_element", {1}, {0.05f, -3}, {0.02f, 10}, {0.06f, -5}, 0},
    {"seven", {7}, {0.05f, -3}, {0.02f, 10}, {0.06f, -5}, 0},
    {"sixteen_relu", {1, 4, 4}, {0.05f, -3}, {0.02f, 10}, {0.06f, -5}, 1},
    {"63", {63}, {0.1f, 0}, {0.1f, 0}, {0.2f, 0}, 0},
    {"64", {1, 2, 2, 16}, {0.1f, 0}, {0.1f, 0}, {0.2f, 0}, 0},
    {"65_relu6", {65}, {0.03f, -128}, {0.04f, 127}, {0.025f, -128}, 3},
    {"residual_56x56x24", {1, 56, 56, 24}, {0.21f, 8}, {0.34f, -4}, {0.39f, 2}, 0},
    // Scales 500x apart: the smaller input all but vanishes.
    {"scales_far_apart", {1, 3, 5, 13}, {0.001f, 5}, {0.5f, -1}, {0.5f, 0}, 0},
    // A small output scale: most sums saturate.
    {"saturating", {2, 7, 9}, {0.5f, 0}, {0.5f, 0}, {0.01f, 0}, 0},
    {"narrow_relu6_range", {200}, {0.05f, -10}, {0.05f, -10}, {0.03f, -128}, 3},
};

INSTANTIATE_TEST_SUITE_P(Shapes, AddFast, ::testing::ValuesIn(kAddCases),
                         [](const auto& info) { return std::string(info.param.name); });

// A broadcasting ADD stays on the reference kernel (and is still exact).
TEST(AddFastDeclines, Broadcast) {
  test::ModelBuilder b;
  const int in = b.AddTensor(Act({1, 4, 4, 8}, kI8, {0.05f, 0}));
  const int other = b.AddTensor({{8}, kI8, {0.05f}, {0}, 0, RandomBytes(8, 3), ""});
  const int out = b.AddTensor(Act({1, 4, 4, 8}, kI8, {0.1f, 0}));
  b.AddOp(
      {kOpAdd,
       {in, other},
       {out},
       tflite::BuiltinOptions_AddOptions,
       [](flatbuffers::FlatBufferBuilder& f) { return tflite::CreateAddOptions(f, 0).Union(); }});
  ExpectExact(b.Build({in}, {out}), "broadcast", false, EdgeInputs(128));
}

// ------------------------------------------------------------------ QUANTIZE

struct QuantizeCase {
  const char* name;
  int in_type;
  Q in;
  int out_type;
  Q out;
  int elements;
};

void PrintTo(const QuantizeCase& c, std::ostream* os) { *os << c.name; }

class QuantizeFast : public ::testing::TestWithParam<QuantizeCase> {};

TEST_P(QuantizeFast, ExactForEveryByteAtEveryIsaLevel) {
  const QuantizeCase& c = GetParam();
  test::ModelBuilder b;
  const int in = b.AddTensor(Act({1, c.elements}, c.in_type, c.in));
  const int out = b.AddTensor(Act({1, c.elements}, c.out_type, c.out));
  b.AddOp({kOpQuantize, {in}, {out}});
  ExpectExact(b.Build({in}, {out}), c.name, true, EdgeInputs(static_cast<size_t>(c.elements)));
}

const QuantizeCase kQuantizeCases[] = {
    // Coral's input and output ops: a zero-point shift of 128.
    {"uint8_to_int8", kU8, {0.0078125f, 128}, kI8, {0.0078125f, 0}, 150528},
    {"int8_to_uint8", kI8, {0.00390625f, -128}, kU8, {0.00390625f, 0}, 1001},
    // Rescaling both ways (multiplier below and above 1), odd lengths.
    {"int8_rescale_down", kI8, {0.02f, 3}, kI8, {0.05f, -7}, 257},
    {"int8_rescale_up", kI8, {0.05f, -7}, kI8, {0.02f, 3}, 63},
    {"uint8_to_uint8", kU8, {0.1f, 100}, kU8, {0.07f, 20}, 65},
    {"one_byte", kU8, {0.5f, 128}, kI8, {0.5f, 0}, 1},
};

INSTANTIATE_TEST_SUITE_P(Types, QuantizeFast, ::testing::ValuesIn(kQuantizeCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ----------------------------------------------------------------------- PAD

struct PadCase {
  const char* name;
  std::vector<int> shape;
  std::vector<int32_t> paddings;  // [rank][before, after]
  int type;
  Q q;
  bool expect_fast;  // trailing axes without padding fold; none to fold: reference
};

void PrintTo(const PadCase& c, std::ostream* os) { *os << c.name; }

class PadFast : public ::testing::TestWithParam<PadCase> {};

TEST_P(PadFast, ExactAtEveryIsaLevel) {
  const PadCase& c = GetParam();
  test::ModelBuilder b;
  std::vector<int> out_shape = c.shape;
  for (size_t d = 0; d < c.shape.size(); ++d)
    out_shape[d] += c.paddings[2 * d] + c.paddings[2 * d + 1];
  const int in = b.AddTensor(Act(c.shape, c.type, c.q));
  const int pad = b.AddConstant<int32_t>({static_cast<int>(c.shape.size()), 2}, kI32, c.paddings);
  const int out = b.AddTensor(Act(out_shape, c.type, c.q));
  b.AddOp({kOpPad, {in, pad}, {out}});
  int64_t n = 1;
  for (int d : c.shape) n *= d;
  ExpectExact(b.Build({in}, {out}), c.name, c.expect_fast, EdgeInputs(static_cast<size_t>(n)));
}

const PadCase kPadCases[] = {
    {"rgb_stem_hw_1_1", {1, 224, 224, 3}, {0, 0, 1, 1, 1, 1, 0, 0}, kI8, {0.02f, -1}, true},
    {"hw_0_1_c144", {1, 56, 56, 144}, {0, 0, 0, 1, 0, 1, 0, 0}, kI8, {0.1f, -128}, true},
    {"h_only_folds_w_and_c", {2, 5, 7, 3}, {0, 0, 2, 1, 0, 0, 0, 0}, kU8, {0.1f, 7}, true},
    {"batch_only", {2, 3, 3}, {1, 2, 0, 0, 0, 0}, kI8, {0.1f, 5}, true},
    {"channels_padded_declined", {1, 4, 4, 5}, {0, 0, 1, 1, 1, 1, 2, 3}, kI8, {0.1f, 0}, false},
};

INSTANTIATE_TEST_SUITE_P(Shapes, PadFast, ::testing::ValuesIn(kPadCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ----------------------------------------------------------- FULLY_CONNECTED

struct FcCase {
  const char* name;
  int batches, depth, units;
  bool per_channel, with_bias;
  int in_zp, activation;
  float out_scale;
};

void PrintTo(const FcCase& c, std::ostream* os) { *os << c.name; }

class FullyConnectedFast : public ::testing::TestWithParam<FcCase> {};

TEST_P(FullyConnectedFast, ExactAtEveryIsaLevel) {
  const FcCase& c = GetParam();
  test::ModelBuilder b;
  const float in_scale = 0.05f;
  const int in = b.AddTensor(Act({c.batches, c.depth}, kI8, {in_scale, c.in_zp}));
  std::vector<int8_t> weights(static_cast<size_t>(c.units) * c.depth);
  const auto random = RandomBytes(weights.size(), 7);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int8_t>(random[i]);
  std::vector<float> w_scales = {0.01f};
  if (c.per_channel) {
    w_scales.clear();
    for (int u = 0; u < c.units; ++u) w_scales.push_back(0.002f + 0.0005f * (u % 13));
  }
  const int w = b.AddConstant({c.units, c.depth}, kI8, weights, w_scales,
                              std::vector<int64_t>(w_scales.size(), 0));
  std::vector<int> inputs = {in, w};
  if (c.with_bias) {
    std::vector<int32_t> bias(c.units);
    for (int u = 0; u < c.units; ++u) bias[u] = (u * 7919) % 20001 - 10000;
    std::vector<float> bias_scales;
    for (float s : w_scales) bias_scales.push_back(s * in_scale);
    inputs.push_back(b.AddConstant({c.units}, kI32, bias, bias_scales,
                                   std::vector<int64_t>(bias_scales.size(), 0)));
  }
  const int out = b.AddTensor(Act({c.batches, c.units}, kI8, {c.out_scale, -3}));
  const int act = c.activation;
  b.AddOp({kOpFullyConnected,
           inputs,
           {out},
           tflite::BuiltinOptions_FullyConnectedOptions,
           [act](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateFullyConnectedOptions(f, act).Union();
           }});
  ExpectExact(b.Build({in}, {out}), c.name, true,
              EdgeInputs(static_cast<size_t>(c.batches) * c.depth));
}

const FcCase kFcCases[] = {
    {"vww_head_256_to_2", 1, 256, 2, false, true, -128, 0, 0.1f},
    {"resnet_head_64_to_10", 1, 64, 10, false, true, -128, 0, 0.1f},
    {"mobilenet_head_1280_to_1000", 1, 1280, 1000, false, true, -128, 0, 0.2f},
    {"per_channel_17_units_relu", 1, 33, 17, true, true, 5, 1, 0.05f},
    {"depth_1_no_bias", 3, 1, 5, false, false, 0, 0, 0.001f},
    {"batches_4_depth_7_relu6", 4, 7, 65, true, false, -20, 3, 0.02f},
    {"saturating", 2, 100, 20, false, true, 0, 0, 0.0001f},
};

INSTANTIATE_TEST_SUITE_P(Shapes, FullyConnectedFast, ::testing::ValuesIn(kFcCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ----------------------------------------------------------------- TRANSPOSE

struct TransposeCase {
  const char* name;
  std::vector<int> shape, perm;
  bool expect_fast;  // planes to pixels (0, 2, 3, 1) only
};

void PrintTo(const TransposeCase& c, std::ostream* os) { *os << c.name; }

class TransposeFast : public ::testing::TestWithParam<TransposeCase> {};

TEST_P(TransposeFast, ExactAtEveryIsaLevel) {
  const TransposeCase& c = GetParam();
  test::ModelBuilder b;
  std::vector<int> out_shape(c.shape.size());
  for (size_t i = 0; i < c.perm.size(); ++i) out_shape[i] = c.shape[c.perm[i]];
  const int in = b.AddTensor(Act(c.shape, kI8, {0.1f, 3}));
  const int perm = b.AddConstant<int32_t>({static_cast<int>(c.perm.size())}, kI32,
                                          std::vector<int32_t>(c.perm.begin(), c.perm.end()));
  const int out = b.AddTensor(Act(out_shape, kI8, {0.1f, 3}));
  b.AddOp({kOpTranspose, {in, perm}, {out}});
  int64_t n = 1;
  for (int d : c.shape) n *= d;
  ExpectExact(b.Build({in}, {out}), c.name, c.expect_fast, EdgeInputs(static_cast<size_t>(n)));
}

const TransposeCase kTransposeCases[] = {
    {"pytorch_rgb_224", {1, 3, 224, 224}, {0, 2, 3, 1}, true},
    {"five_channels_two_batches", {2, 5, 3, 7}, {0, 2, 3, 1}, true},
    {"one_channel", {1, 1, 4, 4}, {0, 2, 3, 1}, true},
    {"other_perm_declined", {1, 3, 4, 5}, {0, 3, 1, 2}, false},
};

INSTANTIATE_TEST_SUITE_P(Shapes, TransposeFast, ::testing::ValuesIn(kTransposeCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ------------------------------------------------------------ the five models

// Every ADD, PAD, FULLY_CONNECTED, TRANSPOSE and 8-bit QUANTIZE of the five models runs fast at
// every level (their exactness: test_fast.cc's every-layer comparisons).
class ElementwiseInModels : public ::testing::TestWithParam<const char*> {};

TEST_P(ElementwiseInModels, EveryNodeIsFast) {
  auto model = Model::FromFile(test::ModelFile(GetParam()));
  for (fast::Isa isa : IsaLevels()) {
    IsaScope scope(isa);
    Interpreter fast(*model, Backend::kFast);
    for (int i = 0; i < fast.op_count(); ++i) {
      const Node& n = fast.node(i);
      const bool eight_bit_quantize =
          n.opcode == kOpQuantize && n.inputs[0]->type != DType::kFloat32;
      if (n.opcode == kOpAdd || n.opcode == kOpPad || n.opcode == kOpFullyConnected ||
          n.opcode == kOpTranspose || eight_bit_quantize) {
        EXPECT_TRUE(fast.op_is_fast(i)) << GetParam() << " " << n.where();
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, ElementwiseInModels,
                         ::testing::Values("person_detect", "mlperf_tiny_vww_96_int8",
                                           "mlperf_tiny_resnet8_cifar10_int8",
                                           "coral_tf2_mobilenet_v2_1.0_224_ptq",
                                           "tflm_pytorch_mobilenet_v2_int8_nchw"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace vww
