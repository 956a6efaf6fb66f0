// The fast forms of the models' tail operators (MEAN, SOFTMAX, RESHAPE)
// against the reference kernels, byte for byte, on synthetic layers at the
// edges; the five models' nodes of these operators are covered by
// SharedModelFast (test_fast.cc), which forces every form of the table. Then
// one inference split across threads against one thread, every layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "fast_compare.h"
#include "model_builder.h"
#include "run_vww.h"
#include "test_util.h"

namespace vww {
namespace {

constexpr int kI32 = 2, kU8 = 3, kI8 = 9;  // TFLite tensor types

test::ModelBuilder::TensorSpec Act(std::vector<int> shape, int type, float scale, int zp) {
  return {std::move(shape), type, {scale}, {zp}, 0, {}, ""};
}

// Both backends on every input, forcing each runnable form of `op` in turn;
// `fast_expected`: whether some form must take node 0.
void ExpectExactForEveryForm(const std::vector<uint8_t>& bytes, int op, const std::string& what,
                             bool fast_expected, const std::vector<std::vector<uint8_t>>& inputs) {
  auto model = Model::FromBytes(bytes, what);
  Interpreter ref(*model, Backend::kReference);
  {
    Interpreter fast(*model, Backend::kFast);
    ASSERT_EQ(fast.op_is_fast(0), fast_expected) << what;
  }
  for (const fast::KernelForm* form : RunnableForms()) {
    if (form->opcode != op) continue;
    FormScope scope(form);
    Interpreter fast(*model, Backend::kFast);
    if (!fast.op_is_fast(0)) continue;
    EXPECT_STREQ(fast.op_kernel_name(0), form->name);
    for (size_t k = 0; k < inputs.size(); ++k)
      ExpectSameEveryLayer(ref, fast, inputs[k],
                           what + " " + form->name + " input " + std::to_string(k));
  }
}

std::vector<std::vector<uint8_t>> EdgeInputs(size_t n) {
  std::vector<std::vector<uint8_t>> inputs = {
      RandomBytes(n, 1), RandomBytes(n, 2), std::vector<uint8_t>(n, 0x80),
      std::vector<uint8_t>(n, 0x7F), std::vector<uint8_t>(n, 0xFF)};
  std::vector<uint8_t> ramp(n);
  for (size_t i = 0; i < n; ++i) ramp[i] = static_cast<uint8_t>(i * 37 + 11);
  inputs.push_back(ramp);
  return inputs;
}

// ---------------------------------------------------------------------- MEAN

struct MeanCase {
  const char* name;
  std::vector<int> in_shape;
  std::vector<int32_t> axes;
  bool keep_dims;
  int type;
  float in_scale;
  int in_zp;
  float out_scale;
  int out_zp;
  bool expect_fast;
};

void PrintTo(const MeanCase& c, std::ostream* os) { *os << c.name; }

class MeanFast : public ::testing::TestWithParam<MeanCase> {};

TEST_P(MeanFast, ExactAgainstReference) {
  const MeanCase& c = GetParam();
  std::vector<bool> reduced(c.in_shape.size(), false);
  for (int32_t a : c.axes) reduced[a < 0 ? a + c.in_shape.size() : a] = true;
  std::vector<int> out_shape;
  for (size_t d = 0; d < c.in_shape.size(); ++d)
    if (!reduced[d])
      out_shape.push_back(c.in_shape[d]);
    else if (c.keep_dims)
      out_shape.push_back(1);
  test::ModelBuilder b;
  const int in = b.AddTensor(Act(c.in_shape, c.type, c.in_scale, c.in_zp));
  const int axis = b.AddConstant({static_cast<int>(c.axes.size())}, kI32, c.axes);
  const int out = b.AddTensor(Act(out_shape, c.type, c.out_scale, c.out_zp));
  const bool keep = c.keep_dims;
  b.AddOp({kOpMean,
           {in, axis},
           {out},
           tflite::BuiltinOptions_ReducerOptions,
           [keep](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateReducerOptions(f, keep).Union();
           }});
  size_t n = 1;
  for (int d : c.in_shape) n *= d;
  ExpectExactForEveryForm(b.Build({in}, {out}), kOpMean, c.name, c.expect_fast, EdgeInputs(n));
}

const MeanCase kMeanCases[] = {
    // Coral MobileNetV2's tail: 7x7x1280 int8, scales as in the model.
    {"coral_7x7x1280", {1, 7, 7, 1280}, {1, 2}, true, kI8, 0.0235294f, -128, 0.0089f, -128, true},
    // uint8, channels not a multiple of the 256-channel block, keep_dims false.
    {"u8_5x3x300_nokeep", {2, 5, 3, 300}, {1, 2}, false, kU8, 0.05f, 120, 0.02f, 7, true},
    // equal quantization (the ratio is 1), negative axes, one channel.
    {"equal_q_4x4x1", {1, 4, 4, 1}, {-3, -2}, true, kI8, 0.1f, 3, 0.1f, 3, true},
    // the last axis (inner = 1) and the first (outer = 1).
    {"last_axis", {3, 4, 17}, {2}, false, kI8, 0.02f, -5, 0.01f, 9, true},
    {"first_axis", {6, 5, 2}, {0}, true, kI8, 0.02f, 0, 0.04f, 0, true},
    // a size-1 kept axis between reduced ones still folds.
    {"size1_between", {1, 3, 1, 4, 5}, {1, 3}, true, kI8, 0.03f, 1, 0.03f, 1, true},
    // kept axis of size > 1 between reduced ones: not contiguous, declined.
    {"split_axes_declined", {2, 3, 4, 5}, {1, 3}, true, kI8, 0.03f, 1, 0.03f, 1, false},
    // a large output/input ratio: every value saturates at one end or the other.
    {"saturating", {1, 3, 3, 40}, {1, 2}, true, kI8, 1.0f, 0, 0.01f, 0, true},
};

INSTANTIATE_TEST_SUITE_P(Shapes, MeanFast, ::testing::ValuesIn(kMeanCases),
                         [](const auto& info) { return std::string(info.param.name); });

// ------------------------------------------------------------------- SOFTMAX

std::vector<uint8_t> SoftmaxModel(std::vector<int> shape, float in_scale, int in_zp, float beta) {
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
  return b.Build({in}, {out});
}

// Rows of 256 classes holding every int8 value once (so every difference
// 0..-255 to the row's max occurs), in several orders, and rows whose max is
// lower (fewer differences, other sums), at several input scales and betas:
// the table's every entry against the reference's fixed-point exp.
TEST(SoftmaxFast, EveryDifferenceAtManyScales) {
  std::vector<uint8_t> every(256);
  std::iota(every.begin(), every.end(), 0);
  std::vector<std::vector<uint8_t>> inputs;
  std::vector<uint8_t> rows;
  for (int r = 0; r < 4; ++r) {
    std::vector<uint8_t> row = every;
    std::rotate(row.begin(), row.begin() + r * 67, row.end());
    rows.insert(rows.end(), row.begin(), row.end());
  }
  inputs.push_back(rows);
  // Same rows, values mapped into [-128, max]: clipped at a lower max.
  for (int max : {-100, 0, 50}) {
    std::vector<uint8_t> clipped(rows);
    for (uint8_t& v : clipped) v = static_cast<uint8_t>(std::min<int>(static_cast<int8_t>(v), max));
    inputs.push_back(clipped);
  }
  inputs.push_back(RandomBytes(rows.size(), 3));
  inputs.push_back(std::vector<uint8_t>(rows.size(), 0x80));  // all equal: 1/256 each
  for (float scale : {0.0125187514f, 0.0625f, 0.25f, 0.00390625f, 1.0f})
    for (float beta : {1.0f, 0.5f, 2.0f})
      ExpectExactForEveryForm(
          SoftmaxModel({4, 256}, scale, 0, beta), kOpSoftmax,
          "softmax scale " + std::to_string(scale) + " beta " + std::to_string(beta), true, inputs);
}

// Class counts of the models (2, 1000, 1001) and odd ones, several rows.
TEST(SoftmaxFast, ClassCountsAndRows) {
  for (std::vector<int> shape :
       std::vector<std::vector<int>>{{1, 2}, {1, 1000}, {1, 1001}, {3, 1, 7}, {5, 1}})
    ExpectExactForEveryForm(SoftmaxModel(shape, 0.1f, -3, 1.0f), kOpSoftmax,
                            "softmax " + std::to_string(shape.back()) + " classes", true,
                            EdgeInputs(static_cast<size_t>(std::accumulate(
                                shape.begin(), shape.end(), 1, std::multiplies<int>()))));
}

// --------------------------------------------------------------------- RESHAPE

// input -> QUANTIZE (an op that writes a fresh buffer) -> RESHAPE -> RESHAPE
// -> QUANTIZE: the reshapes' outputs share the first QUANTIZE's buffer, and
// the tensors around them stay intact (the second QUANTIZE must not be
// placed over the shared buffer while it is live).
TEST(ReshapeFast, AliasedChainKeepsEveryTensor) {
  test::ModelBuilder b;
  const int in = b.AddInt8({1, 4, 4, 6}, 0.05f, 3);
  const int q1 = b.AddInt8({1, 4, 4, 6}, 0.1f, -7);
  const int r1 = b.AddInt8({16, 6}, 0.1f, -7);
  const int r2 = b.AddInt8({96}, 0.1f, -7);
  const int q2 = b.AddInt8({96}, 0.07f, 11);
  const int shape1 = b.AddConstant({2}, kI32, std::vector<int32_t>{16, 6});
  const int shape2 = b.AddConstant({1}, kI32, std::vector<int32_t>{96});
  b.AddOp({kOpQuantize, {in}, {q1}});
  b.AddOp({kOpReshape, {q1, shape1}, {r1}});
  b.AddOp({kOpReshape, {r1, shape2}, {r2}});
  b.AddOp({kOpQuantize, {r2}, {q2}});
  auto model = Model::FromBytes(b.Build({in}, {q2, r1}), "reshape chain");
  Interpreter ref(*model, Backend::kReference);
  Interpreter fast(*model, Backend::kFast);
  EXPECT_STREQ(fast.op_kernel_name(1), "reshape-alias-portable");
  EXPECT_STREQ(fast.op_kernel_name(2), "reshape-alias-portable");
  // One buffer for q1, r1 and r2 in the fast plan, three in the reference one.
  EXPECT_EQ(fast.tensor(r1).data, fast.tensor(q1).data);
  EXPECT_EQ(fast.tensor(r2).data, fast.tensor(q1).data);
  EXPECT_NE(ref.tensor(r1).data, ref.tensor(q1).data);
  EXPECT_NE(fast.tensor(q2).data, fast.tensor(q1).data);
  for (const auto& input : EdgeInputs(96)) {
    ExpectSameEveryLayer(ref, fast, input, "reshape chain");
    // The graph output r1 (aliased) still holds its value after the last op.
    EXPECT_EQ(0, std::memcmp(ref.output(1).data, fast.output(1).data, 96));
  }
}

// A constant input is not in the arena: the form copies it.
TEST(ReshapeFast, ConstantInputIsCopied) {
  test::ModelBuilder b;
  const int in = b.AddInt8({2, 3}, 0.5f, 0);
  std::vector<int8_t> values = {1, -2, 3, -4, 5, -6};
  const int constant = b.AddTensor(
      {{2, 3}, kI8, {0.5f}, {0}, 0, std::vector<uint8_t>(values.begin(), values.end()), ""});
  const int reshaped = b.AddInt8({6}, 0.5f, 0);
  const int sum_in = b.AddInt8({6}, 0.5f, 0);
  const int out = b.AddInt8({6}, 0.5f, 0);
  const int shape = b.AddConstant({1}, kI32, std::vector<int32_t>{6});
  b.AddOp({kOpReshape, {constant, shape}, {reshaped}});
  b.AddOp({kOpReshape, {in, shape}, {sum_in}});
  b.AddOp({kOpAdd, {reshaped, sum_in}, {out}});
  auto model = Model::FromBytes(b.Build({in}, {out}), "constant reshape");
  Interpreter ref(*model, Backend::kReference);
  Interpreter fast(*model, Backend::kFast);
  EXPECT_TRUE(fast.op_is_fast(0));
  EXPECT_NE(fast.tensor(reshaped).data, fast.tensor(constant).data);
  for (const auto& input : EdgeInputs(6)) ExpectSameEveryLayer(ref, fast, input, "constant");
}

}  // namespace
}  // namespace vww

namespace vww {
namespace {

// ------------------------------------------------------------- one inference on threads

// The five models on 2 and 3 threads against one thread, every layer byte for
// byte, at every ISA level: the split layers (rows of the GEMMs, channel
// blocks of the depthwise columns) must give exactly one thread's bytes.
class ThreadedInference : public ::testing::TestWithParam<const char*> {};

TEST_P(ThreadedInference, EveryLayerEqualsOneThread) {
  auto model = Model::FromFile(test::ModelFile(GetParam()));
  for (fast::Isa isa : IsaLevels()) {
    IsaScope scope(isa);
    Interpreter one(*model, Backend::kFast);
    for (int threads : {2, 3}) {
      Interpreter many(*model, Backend::kFast);
      many.SetThreads(threads);
      EXPECT_EQ(many.threads(), threads);
      const std::string what =
          std::string(GetParam()) + " " + fast::IsaName(isa) + " " + std::to_string(threads);
      for (uint32_t seed : {21u, 22u})
        ExpectSameEveryLayer(one, many, RandomBytes(one.input().bytes, seed), what);
    }
  }
}

// The large MobileNetV2 layers really are split at the best level (so the
// test above compares split layers, not one thread against itself).
TEST(ThreadedInference, MobileNetLayersAreSplit) {
  for (const char* name :
       {"coral_tf2_mobilenet_v2_1.0_224_ptq", "tflm_pytorch_mobilenet_v2_int8_nchw"}) {
    auto model = Model::FromFile(test::ModelFile(name));
    Interpreter fast(*model, Backend::kFast);
    int split = 0;
    for (int i = 0; i < fast.op_count(); ++i) split += fast.node(i).eval_parts ? 1 : 0;
    EXPECT_GE(split, 30) << name;
  }
}

TEST(ThreadedInference, BadThreadCountIsAnError) {
  auto model = Model::FromFile(test::ModelFile("person_detect"));
  Interpreter fast(*model, Backend::kFast);
  EXPECT_THROW(fast.SetThreads(0), Error);
  EXPECT_THROW(fast.SetThreads(1000), Error);
  fast.SetThreads(1);
  EXPECT_EQ(fast.threads(), 1);
}

INSTANTIATE_TEST_SUITE_P(Models, ThreadedInference,
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

}  // namespace
}  // namespace vww

namespace vww {
namespace {

// ------------------------------------------- large biases (the relaxed guards)

// A FULLY_CONNECTED or 3x3 DEPTHWISE_CONV_2D whose biases reach `bias_magnitude`
// (both signs): above 2^29 the fast forms used to decline; now they decline
// only where an int32 they form could overflow, and must stay exact.
std::vector<uint8_t> LargeBiasModel(bool depthwise, int32_t bias_magnitude, float out_scale) {
  test::ModelBuilder b;
  const float in_scale = 0.05f, w_scale = 0.01f;
  const int c = 32, depth = 1280;
  const int in =
      depthwise ? b.AddInt8({1, 9, 9, c}, in_scale, -3) : b.AddInt8({1, depth}, in_scale, -3);
  const size_t n = depthwise ? 9u * c : static_cast<size_t>(c) * depth;
  const auto random = RandomBytes(n, 31);
  std::vector<int8_t> weights(n);
  for (size_t i = 0; i < n; ++i) weights[i] = static_cast<int8_t>(random[i]);
  const std::vector<int> w_shape =
      depthwise ? std::vector<int>{1, 3, 3, c} : std::vector<int>{c, depth};
  const int w = b.AddConstant(w_shape, kI8, weights, {w_scale}, {0});
  std::vector<int32_t> bias(c);
  for (int i = 0; i < c; ++i) bias[i] = (i % 2 ? 1 : -1) * (bias_magnitude - 977 * i);
  const int bias_t = b.AddConstant({c}, kI32, bias, {in_scale * w_scale}, {0});
  if (depthwise) {
    const int out = b.AddInt8({1, 9, 9, c}, out_scale, 0);
    b.AddOp({kOpDepthwiseConv2D,
             {in, w, bias_t},
             {out},
             tflite::BuiltinOptions_DepthwiseConv2DOptions,
             [](flatbuffers::FlatBufferBuilder& f) {
               return tflite::CreateDepthwiseConv2DOptions(f, 0, 1, 1, 1, 0, 1, 1).Union();
             }});
    return b.Build({in}, {out});
  }
  const int out = b.AddInt8({1, c}, out_scale, 0);
  b.AddOp({kOpFullyConnected,
           {in, w, bias_t},
           {out},
           tflite::BuiltinOptions_FullyConnectedOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateFullyConnectedOptions(f, 0).Union();
           }});
  return b.Build({in}, {out});
}

TEST(LargeBias, FastAndExactUpToTheInt32Bound) {
  for (bool depthwise : {false, true}) {
    const int op = depthwise ? kOpDepthwiseConv2D : kOpFullyConnected;
    const size_t n = depthwise ? 9u * 9 * 32 : 1280u;
    // 2^29 < |bias| < 2^30, then close to 2^31 (where only the exact
    // requantization applies): fast, and exact on every input.
    for (int32_t magnitude : {600000000, 2000000000}) {
      const std::string what =
          std::string(depthwise ? "depthwise" : "fc") + " bias " + std::to_string(magnitude);
      ExpectExactForEveryForm(LargeBiasModel(depthwise, magnitude, 2000.0f), op, what, true,
                              EdgeInputs(n));
      ExpectExactForEveryForm(LargeBiasModel(depthwise, magnitude, 100000.0f), op, what + " wide",
                              true, EdgeInputs(n));
    }
  }
}

}  // namespace
}  // namespace vww

namespace vww {
namespace {

// `vww bench --threads 2`: the fast backend on one thread, then on two.
TEST(BenchCli, ThreadsTimeOneInferenceOnOneAndNThreads) {
  std::string out, err;
  ASSERT_EQ(test::RunVww("bench --threads 2 --runs 3 --warmup 0 --json", &out, &err), 0) << err;
  const size_t nl = out.find('\n');
  ASSERT_NE(nl, std::string::npos) << out;
  const std::string one = out.substr(0, nl), two = out.substr(nl + 1);
  EXPECT_NE(one.find("\"backend\":\"fast\",\"isa\""), std::string::npos) << one;
  EXPECT_NE(one.find("\"threads\":1"), std::string::npos) << one;
  EXPECT_NE(two.find("\"backend\":\"fast\",\"isa\""), std::string::npos) << two;
  EXPECT_NE(two.find("\"threads\":2"), std::string::npos) << two;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;

  ASSERT_EQ(test::RunVww("bench --threads 2 --runs 2 --warmup 0", &out, &err), 0) << err;
  for (const char* s : {"ops on fast kernels), 1 thread\n", "ops on fast kernels), 2 threads\n",
                        "fast on 2 threads is "})
    EXPECT_NE(out.find(s), std::string::npos) << s << " in\n" << out;

  EXPECT_NE(test::RunVww("bench --threads 65 --runs 1", &out, &err), 0);
  EXPECT_NE(err.find("--threads must be between 0 and 64"), std::string::npos) << err;
}

}  // namespace
}  // namespace vww
