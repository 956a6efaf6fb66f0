// Hostile models (issue 13): window geometry that overflows int, weighted ops
// whose int32 accumulator can overflow, and graphs so wide that planning used
// to take seconds. Each is built here with ModelBuilder; the expected results
// are worked out by hand in the comments. The three that a fuzzer would keep
// are also saved in tests/fuzz/regressions/model/ (replayed by
// FuzzRegressions); set VWW_WRITE_HOSTILE_MODELS=DIR to write them again.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model/model.h"
#include "model_builder.h"
#include "test_util.h"

namespace vww {
namespace {

using test::ModelBuilder;

constexpr int kI8 = 9, kI32 = 2;

// "" when the model loads and prepares with both backends, else the error.
std::string PrepareError(const std::vector<uint8_t>& bytes, const std::string& name = "m.tflite") {
  try {
    auto model = Model::FromBytes(bytes, name);
    Interpreter reference(*model, Backend::kReference);
    Interpreter fast(*model, Backend::kFast);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// One CONV_2D (or DEPTHWISE_CONV_2D) on a [1,h,w,1] input with a constant
// k x k filter of `weight`, scales 1 and zero points 0 unless given.
std::vector<uint8_t> ConvModel(bool depthwise, int h, int w, int k, int stride, int dilation,
                               int padding, std::vector<int> out_shape, int8_t weight,
                               int in_zp = 0, int channels = 1) {
  ModelBuilder b;
  const int in = b.AddInt8({1, h, w, channels}, 1.0f, in_zp);
  const std::vector<int> fshape =
      depthwise ? std::vector<int>{1, k, k, channels} : std::vector<int>{1, k, k, channels};
  const int filter =
      b.AddConstant(fshape, kI8, std::vector<int8_t>(size_t(k) * k * channels, weight), {1.0f}, {0},
                    depthwise ? 3 : 0);
  const int out_c = depthwise ? channels : 1;
  out_shape.push_back(out_c);
  const int out = b.AddInt8(out_shape, 1.0f, 0);
  if (depthwise)
    b.AddOp({kOpDepthwiseConv2D, {in, filter}, {out}, 2, [=](flatbuffers::FlatBufferBuilder& f) {
               return tflite::CreateDepthwiseConv2DOptions(f, static_cast<int8_t>(padding), stride,
                                                           stride, 1, 0, dilation, dilation)
                   .Union();
             }});
  else
    b.AddOp({kOpConv2D, {in, filter}, {out}, 1, [=](flatbuffers::FlatBufferBuilder& f) {
               return tflite::CreateConv2DOptions(f, static_cast<int8_t>(padding), stride, stride,
                                                  0, dilation, dilation)
                   .Union();
             }});
  return b.Build({in}, {out});
}

// FULLY_CONNECTED [1,depth] -> [1,1] with every weight `weight`, input zero
// point in_zp, and an optional bias.
std::vector<uint8_t> FcModel(int depth, int8_t weight, int in_zp, const int32_t* bias = nullptr) {
  ModelBuilder b;
  const int in = b.AddInt8({1, depth}, 1.0f, in_zp);
  const int w = b.AddConstant({1, depth}, kI8, std::vector<int8_t>(depth, weight), {1.0f}, {0});
  std::vector<int> inputs = {in, w};
  if (bias) inputs.push_back(b.AddConstant({1}, kI32, std::vector<int32_t>{*bias}, {1.0f}, {0}));
  // Output scale 256: a multiplier below 1, so the largest accumulator
  // scales down instead of being shifted left first.
  const int out = b.AddInt8({1, 1}, 256.0f, 0);
  b.AddOp({kOpFullyConnected, inputs, {out}, 8, [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateFullyConnectedOptions(f).Union();
           }});
  return b.Build({in}, {out});
}

// `count` graph inputs of one int8 element each, concatenated into one
// tensor; `same` repeats input 0 instead of making `count` tensors.
std::vector<uint8_t> WideConcatModel(int count, bool same = false) {
  ModelBuilder b;
  std::vector<int> inputs;
  for (int i = 0; i < (same ? 1 : count); ++i) inputs.push_back(b.AddInt8({1}, 1.0f, 0));
  if (same) inputs.assign(count, inputs[0]);
  const int out = b.AddInt8({count}, 1.0f, 0);
  b.AddOp({kOpConcatenation, inputs, {out}, 10, [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateConcatenationOptions(f, 0).Union();
           }});
  std::vector<int> graph_inputs = inputs;
  if (same) graph_inputs = {inputs[0]};
  return b.Build(graph_inputs, {out});
}

// The three hostile models of the issue.
std::vector<uint8_t> DilationModel() {  // dilation 2^30: the 3-tap filter spans 2^31 + 1 rows
  return ConvModel(false, 8, 8, 3, 1, 1 << 30, /*SAME*/ 0, {1, 8, 8}, 1);
}
std::vector<uint8_t> AccumulatorModel() {  // 73,728 x 127 x 255 = 2.39e9 >= 2^31
  return FcModel(73728, 127, -128);
}
std::vector<uint8_t> ConcatModel() { return WideConcatModel(32000); }

void ExpectContains(const std::string& message, const std::string& text) {
  EXPECT_NE(message.find(text), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(HostileModels, HugeDilationIsRejected) {
  ExpectContains(PrepareError(DilationModel()), "node 0 (CONV_2D): the height window");
  // Depthwise shares the check; width alone also trips it.
  ExpectContains(PrepareError(ConvModel(true, 8, 8, 3, 1, 1 << 30, 0, {1, 8, 8}, 1)),
                 "node 0 (DEPTHWISE_CONV_2D): the height window");
  // A dilation of 2^29 with 3 taps spans 2^30 + 1 rows: it fits, but a VALID
  // window that large leaves an 8-row input with no output.
  ExpectContains(PrepareError(ConvModel(false, 8, 8, 3, 1, 1 << 29, /*VALID*/ 1, {1, 1, 1}, 1)),
                 "empty output");
}

TEST(HostileModels, StrideIntMaxIsComputedIn64Bits) {
  // SAME: out = ceil(5 / INT_MAX) = 1, pad 0, so the single output reads
  // input pixel (0, 0) only: 5 * weight 3 = 15. In int arithmetic, 5 +
  // INT_MAX - 1 wrapped and the output size came out 0.
  for (bool depthwise : {false, true})
    for (int padding : {0, 1}) {
      SCOPED_TRACE(std::string(depthwise ? "depthwise" : "conv") + (padding ? " VALID" : " SAME"));
      auto model = Model::FromBytes(
          ConvModel(depthwise, 5, 5, 1, INT_MAX, 1, padding, {1, 1, 1}, 3), "stride.tflite");
      for (Backend backend : {Backend::kReference, Backend::kFast}) {
        Interpreter interp(*model, backend);
        Tensor& in = interp.input();
        for (size_t i = 0; i < in.bytes; ++i) in.data[i] = static_cast<uint8_t>(5 + i);
        interp.Invoke();
        EXPECT_EQ(interp.output().data_as<int8_t>()[0], 15);
      }
    }
}

TEST(HostileModels, AccumulatorThatCanOverflowIsRejected) {
  ExpectContains(PrepareError(AccumulatorModel()),
                 "node 0 (FULLY_CONNECTED): output channel 0 can overflow the int32 accumulator");
  // The same weights with zero point 0: 73,728 x 127 x 128 = 1.2e9 fits.
  EXPECT_EQ(PrepareError(FcModel(73728, 127, 0)), "");
  // 300 x 300 taps of 127 with input zero point -128: 90,000 x 127 x 255.
  ExpectContains(PrepareError(ConvModel(false, 300, 300, 300, 1, 1, 1, {1, 1, 1}, 127, -128)),
                 "node 0 (CONV_2D): output channel 0 can overflow");
  ExpectContains(PrepareError(ConvModel(true, 300, 300, 300, 1, 1, 1, {1, 1, 1}, 127, -128)),
                 "node 0 (DEPTHWISE_CONV_2D): output channel 0 can overflow");
  // Depthwise weights interleave the channels; each channel's own 200 x 200
  // taps (40,000 x 127 x 255 = 1.3e9) fit, both channels' together would not.
  EXPECT_EQ(PrepareError(ConvModel(true, 200, 200, 200, 1, 1, 1, {1, 1, 1}, 127, -128, 2)), "");
}

TEST(HostileModels, AccumulatorBoundIsExactAtTheLimit) {
  // One tap: |127| x |127 - (-128)| = 32,385, plus |bias|. With bias
  // 2^31 - 1 - 32,385 the worst case is exactly 2^31 - 1 and still fits;
  // one more and it does not.
  const int32_t fits = INT32_MAX - 32385;
  const int32_t overflows = fits + 1;
  const auto ok = FcModel(1, 127, -128, &fits);
  EXPECT_EQ(PrepareError(ok), "");
  ExpectContains(PrepareError(FcModel(1, 127, -128, &overflows)), "can overflow");
  // Negative bias counts by magnitude.
  const int32_t negative = -overflows;
  ExpectContains(PrepareError(FcModel(1, 127, -128, &negative)), "can overflow");
  // The accepted one runs to the largest accumulator without wrapping: input
  // 127 gives 127 x 255 + bias = 2^31 - 1; / 256 saturates the output at 127.
  auto model = Model::FromBytes(ok, "edge.tflite");
  Interpreter interp(*model);
  interp.input().data_as<int8_t>()[0] = 127;
  interp.Invoke();
  EXPECT_EQ(interp.output().data_as<int8_t>()[0], 127);
}

TEST(HostileModels, WideGraphsAreRejectedByTheCaps) {
  // 32,000 inputs to one CONCATENATION: 32,001 tensors.
  ExpectContains(PrepareError(ConcatModel()), "subgraph has 32001 tensors (limit 8192)");
  // One tensor read 2,000 times by one operator.
  ExpectContains(PrepareError(WideConcatModel(2000, true)),
                 "operator 0 has 2000 inputs or outputs (limit 1024)");
  // At the cap it loads, plans and runs: concatenation of 1,000 one-byte
  // inputs is the inputs in order.
  auto model = Model::FromBytes(WideConcatModel(1000), "wide.tflite");
  Interpreter interp(*model);
  for (int i = 0; i < 1000; ++i)
    interp.input(i).data_as<int8_t>()[0] = static_cast<int8_t>(i % 100);
  interp.Invoke();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(interp.output().data_as<int8_t>()[i], i % 100) << i;
}

TEST(HostileModels, RealModelsStillLoad) {
  // Every shipped and test model passes the new checks with both backends.
  std::vector<std::string> paths;
  for (const std::string& dir : {test::AssetsDir(), test::DataDir() + "/models"})
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".tflite") paths.push_back(e.path().string());
  EXPECT_GE(paths.size(), 3u);
  for (const std::string& path : paths) {
    SCOPED_TRACE(path);
    EXPECT_EQ(PrepareError(test::ReadFile(path), path), "");
  }
}

TEST(HostileModels, SavedAsFuzzRegressions) {
  const std::filesystem::path dir =
      std::filesystem::path(VWW_SOURCE_TESTS_DIR) / "fuzz" / "regressions" / "model";
  const struct {
    const char* file;
    std::vector<uint8_t> bytes;
  } saved[] = {{"conv_dilation_2e30.tflite", DilationModel()},
               {"fc_accumulator_overflow.tflite", AccumulatorModel()},
               {"concat_32000_inputs.tflite", ConcatModel()}};
  if (const char* out = std::getenv("VWW_WRITE_HOSTILE_MODELS"))
    for (const auto& s : saved) {
      std::ofstream f(std::filesystem::path(out) / s.file, std::ios::binary);
      f.write(reinterpret_cast<const char*>(s.bytes.data()), std::streamsize(s.bytes.size()));
    }
  for (const auto& s : saved) {
    SCOPED_TRACE(s.file);
    const std::string path = (dir / s.file).string();
    ASSERT_TRUE(std::filesystem::exists(path));
    // Rejected with the same message as the model built here.
    const std::string built = PrepareError(s.bytes, path);
    EXPECT_NE(built, "");
    EXPECT_EQ(PrepareError(test::ReadFile(path), path), built);
  }
}

}  // namespace
}  // namespace vww
