// Loading real and hostile model files: real quirks are accepted, every bad
// file is one clear vww::Error, and nothing crashes or reads out of bounds
// (CI also runs this under AddressSanitizer).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "model/model.h"
#include "model_builder.h"
#include "test_util.h"

namespace vww {
namespace {

using test::ModelBuilder;

// One int8 softmax: the smallest model that runs.
std::vector<uint8_t> SoftmaxModel(ModelBuilder* b = nullptr) {
  ModelBuilder local;
  ModelBuilder& m = b ? *b : local;
  const int in = m.AddInt8({1, 4}, 0.1f, 0);
  const int out = m.AddInt8({1, 4}, 1.0f / 256, -128);
  m.AddOp({kOpSoftmax, {in}, {out}, tflite::BuiltinOptions_SoftmaxOptions,
           [](flatbuffers::FlatBufferBuilder& f) { return tflite::CreateSoftmaxOptions(f, 1.0f).Union(); }});
  return m.Build({in}, {out});
}

// Loads and, if that works, plans and runs: the whole "user gives us a file" path.
void LoadPrepareRun(std::vector<uint8_t> bytes, Backend backend = Backend::kReference) {
  auto model = Model::FromBytes(std::move(bytes), "m.tflite");
  Interpreter interp(*model, backend);
  std::memset(interp.input().data, 0, interp.input().bytes);
  interp.Invoke();
}

std::string LoadError(std::vector<uint8_t> bytes) {
  try {
    LoadPrepareRun(std::move(bytes));
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << "error must be one line: " << what;
    return what;
  }
  return "";
}

TEST(ModelLoading, BuiltModelRuns) {
  auto model = Model::FromBytes(SoftmaxModel());
  Interpreter interp(*model);
  int8_t* in = interp.input().data_as<int8_t>();
  in[0] = 0, in[1] = 0, in[2] = 0, in[3] = 0;  // four equal logits: 1/4 each
  interp.Invoke();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(interp.output().data_as<int8_t>()[i], 64 - 128);
}

TEST(ModelLoading, RealModelsParse) {
  // The loader alone (kernels are tested elsewhere): all real files and quirks.
  auto person = Model::FromFile(test::ModelFile("person_detect"));
  EXPECT_EQ(person->operators().size(), 31u);
  EXPECT_EQ(person->inputs(), std::vector<int>{88});
  EXPECT_EQ(person->outputs(), std::vector<int>{87});
  EXPECT_EQ(person->constant_bytes(), 218928u);  // person_detect.md
  EXPECT_EQ(person->operators()[0].opcode, kOpDepthwiseConv2D);  // deprecated code only

  // Input tensor not at index 0; 84 op codes with duplicates.
  auto pytorch = Model::FromFile(test::ModelFile("tflm_pytorch_mobilenet_v2_int8_nchw"));
  EXPECT_EQ(pytorch->inputs(), std::vector<int>{12});
  EXPECT_EQ(pytorch->outputs(), std::vector<int>{45});
  EXPECT_EQ(pytorch->operators().size(), 84u);
  EXPECT_EQ(pytorch->operators()[0].opcode, kOpTranspose);

  // A zip of labels appended after the flatbuffer.
  auto coral = Model::FromFile(test::ModelFile("coral_tf2_mobilenet_v2_1.0_224_ptq"));
  EXPECT_EQ(coral->operators().size(), 68u);
  EXPECT_EQ(coral->tensors()[coral->inputs()[0]].type, DType::kUInt8);

  // Unused QUANTIZE / DEQUANTIZE op codes.
  auto vww96 = Model::FromFile(test::ModelFile("mlperf_tiny_vww_96_int8"));
  EXPECT_EQ(vww96->operators().size(), 31u);
  EXPECT_EQ(vww96->operators()[29].opcode, kOpFullyConnected);
}

TEST(ModelLoading, MissingFile) {
  try {
    Model::FromFile("/nonexistent/model.tflite");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/model.tflite: cannot open model file");
  }
}

TEST(ModelLoading, EmptyTinyAndForeignFiles) {
  EXPECT_NE(LoadError({}).find("empty"), std::string::npos);
  EXPECT_NE(LoadError({1, 2, 3}).find("truncated"), std::string::npos);
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
  EXPECT_NE(LoadError(png).find("not a TensorFlow Lite model"), std::string::npos);
}

TEST(ModelLoading, WrongSchemaVersion) {
  ModelBuilder b;
  const int in = b.AddInt8({1, 4}, 0.1f, 0), out = b.AddInt8({1, 4}, 1.0f / 256, -128);
  b.AddOp({kOpSoftmax, {in}, {out}});
  EXPECT_NE(LoadError(b.Build({in}, {out}, /*version=*/2)).find("schema version 2"), std::string::npos);
}

TEST(ModelLoading, UnsupportedOperatorsAreNamedWithTheirNodes) {
  ModelBuilder b;
  const int in = b.AddInt8({1, 4}, 0.1f, 0);
  const int mid = b.AddInt8({1, 4}, 0.1f, 0);
  const int mid2 = b.AddInt8({1, 4}, 0.1f, 0);
  const int out = b.AddInt8({1, 4}, 1.0f / 256, -128);
  b.AddOp({99, {in, in}, {mid}});  // SQUARED_DIFFERENCE
  b.AddOp({32, {mid}, {mid2}, 0, nullptr, "MyCustomOp"});
  b.AddOp({kOpSoftmax, {mid2}, {out}});
  const std::string e = LoadError(b.Build({in}, {out}));
  EXPECT_NE(e.find("node 0 (SQUARED_DIFFERENCE)"), std::string::npos) << e;
  EXPECT_NE(e.find("node 1 (CUSTOM MyCustomOp)"), std::string::npos) << e;
  EXPECT_EQ(e.find("node 2"), std::string::npos) << e;
}

TEST(ModelLoading, BadTensorIndexAndOrder) {
  {
    ModelBuilder b;
    const int in = b.AddInt8({1, 4}, 0.1f, 0), out = b.AddInt8({1, 4}, 1.0f / 256, -128);
    b.AddOp({kOpSoftmax, {in + 7}, {out}});
    EXPECT_NE(LoadError(b.Build({in}, {out})).find("refers to tensor 7"), std::string::npos);
  }
  {
    ModelBuilder b;  // op 0 reads what op 1 writes
    const int in = b.AddInt8({1, 4}, 0.1f, 0), mid = b.AddInt8({1, 4}, 0.1f, 0),
              out = b.AddInt8({1, 4}, 1.0f / 256, -128);
    b.AddOp({kOpSoftmax, {mid}, {out}});
    b.AddOp({kOpReshape, {in}, {mid}});
    EXPECT_NE(LoadError(b.Build({in}, {out})).find("before any operator writes it"), std::string::npos);
  }
  {
    ModelBuilder b;  // graph output index out of range
    const int in = b.AddInt8({1, 4}, 0.1f, 0), out = b.AddInt8({1, 4}, 1.0f / 256, -128);
    b.AddOp({kOpSoftmax, {in}, {out}});
    EXPECT_NE(LoadError(b.Build({in}, {42})).find("subgraph output refers to tensor 42"),
              std::string::npos);
  }
}

TEST(ModelLoading, ConstantDataMustMatchShape) {
  ModelBuilder b;
  const int in = b.AddInt8({1, 4}, 0.1f, 0);
  const int shape = b.AddConstant<int32_t>({2}, 2, {1, 4, 9});  // 12 bytes for 2 int32
  const int out = b.AddInt8({1, 4}, 0.1f, 0);
  b.AddOp({kOpReshape, {in, shape}, {out}});
  const std::string e = LoadError(b.Build({in}, {out}));
  EXPECT_NE(e.find("has 12 bytes of data for shape 2 of int32 (8 bytes)"), std::string::npos) << e;
}

TEST(ModelLoading, QuantizationArraysMustFitTheShape) {
  ModelBuilder b;
  const int in = b.AddTensor({{1, 4}, 9, {0.1f, 0.2f, 0.3f}, {0, 0, 0}, 1, {}, ""});
  const int out = b.AddInt8({1, 4}, 1.0f / 256, -128);
  b.AddOp({kOpSoftmax, {in}, {out}});
  const std::string e = LoadError(b.Build({in}, {out}));
  EXPECT_NE(e.find("3 scales for 4 channels"), std::string::npos) << e;

  ModelBuilder c;
  const int in2 = c.AddTensor({{1, 4}, 9, {-1.0f}, {0}, 0, {}, ""});
  const int out2 = c.AddInt8({1, 4}, 1.0f / 256, -128);
  c.AddOp({kOpSoftmax, {in2}, {out2}});
  EXPECT_NE(LoadError(c.Build({in2}, {out2})).find("invalid scale"), std::string::npos);
}

TEST(ModelLoading, KernelChecksNameTheNode) {
  ModelBuilder b;  // softmax into a wrongly quantized output
  const int in = b.AddInt8({1, 4}, 0.1f, 0), out = b.AddInt8({1, 4}, 0.5f, 0);
  b.AddOp({kOpSoftmax, {in}, {out}});
  const std::string e = LoadError(b.Build({in}, {out}));
  EXPECT_NE(e.find("node 0 (SOFTMAX)"), std::string::npos) << e;
  EXPECT_NE(e.find("scale 1/256"), std::string::npos) << e;
}

TEST(ModelFuzz, TruncationsNeverCrash) {
  const auto bytes = test::ReadFile(test::ModelPath());
  ASSERT_GT(bytes.size(), 1000u);
  int errors = 0, loaded = 0;
  std::vector<size_t> lengths;
  for (size_t n = 0; n < 256; ++n) lengths.push_back(n);
  for (size_t n = 256; n < bytes.size(); n += 997) lengths.push_back(n);
  lengths.push_back(bytes.size() - 1);
  for (size_t n : lengths) {
    try {
      LoadPrepareRun(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n));
      ++loaded;
    } catch (const Error&) {
      ++errors;
    }
  }
  // A flatbuffer's root offset is at the start and its tables at the end:
  // every strict prefix must fail verification.
  EXPECT_EQ(loaded, 0);
  EXPECT_EQ(errors, static_cast<int>(lengths.size()));
}

TEST(ModelFuzz, BitFlipsNeverCrash) {
  const auto bytes = test::ReadFile(test::ModelPath());
  // Flip bits outside the weight data, where the structure lives (weights
  // only change numbers); the flatbuffer's tables and vectors of offsets.
  auto model = Model::FromBytes(bytes);
  std::vector<bool> is_weight(bytes.size(), false);
  // Weight positions: Tensor::data points into the model's own copy, so map
  // offsets through that copy's base.
  const uint8_t* base = nullptr;
  {
    // The copy's base is the lowest address any view could have: find the
    // constant with the smallest pointer and subtract its file offset.
    const Tensor* first = nullptr;
    for (const Tensor& t : model->tensors())
      if (t.is_constant && (!first || t.data < first->data)) first = &t;
    ASSERT_NE(first, nullptr);
    const auto it = std::search(bytes.begin(), bytes.end(), first->data, first->data + first->bytes);
    ASSERT_NE(it, bytes.end());
    base = first->data - (it - bytes.begin());
  }
  for (const Tensor& t : model->tensors())
    if (t.is_constant)
      for (size_t i = 0; i < t.bytes; ++i) is_weight[static_cast<size_t>(t.data - base) + i] = true;
  std::vector<size_t> structure;
  for (size_t i = 0; i < bytes.size(); ++i)
    if (!is_weight[i]) structure.push_back(i);
  ASSERT_GT(structure.size(), 1000u);

  std::mt19937 rng(1234);
  int errors = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    std::vector<uint8_t> mutated = bytes;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      const size_t pos = structure[rng() % structure.size()];
      mutated[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    try {
      LoadPrepareRun(std::move(mutated), trial % 2 ? Backend::kFast : Backend::kReference);
    } catch (const Error& e) {
      ++errors;
      // A rejection is the clear one-line error users see, never an empty one.
      const std::string what = e.what();
      EXPECT_FALSE(what.empty()) << "trial " << trial;
      EXPECT_EQ(what.find('\n'), std::string::npos) << "trial " << trial << ": " << what;
    }
  }
  EXPECT_GT(errors, 100);  // many mutations must be caught, not silently run
}

TEST(ModelFuzz, RandomBytesAreRejected) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> junk(8 + rng() % 4096);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    if (trial % 2) std::memcpy(junk.data() + 4, "TFL3", 4);  // pass the identifier check
    EXPECT_NE(LoadError(std::move(junk)), "");
  }
}

}  // namespace
}  // namespace vww
