// Writes small .tflite seed models for fuzz_model into a folder: one chain
// through the person detector's operators and one model per other operator.
// Small seeds run in microseconds and keep most mutations on the structure
// (tables, shapes, options) rather than on weights. Also writes tiny odd
// images for fuzz_image_dsp (1x1, 1x10000, 16-bit, 4-channel, truncated),
// each behind the variant byte. Built with VWW_FUZZ; the output is committed
// in tests/fuzz/corpus_model/ and tests/fuzz/corpus_image/.
// With a third folder, also the hand-made regression models (see
// WriteRegressions).
//   make_seeds MODEL_DIR IMAGE_DIR [REGRESSION_DIR]
#include <cstdio>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "tests/model_builder.h"

namespace {

using vww::test::ModelBuilder;

constexpr int kI8 = 9, kI32 = 2;

int Act(ModelBuilder& b, std::vector<int> shape, float scale = 0.05f, int zp = -10) {
  return b.AddInt8(std::move(shape), scale, zp);
}

std::vector<int8_t> Ramp(size_t n) {
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int8_t>(static_cast<int>(i * 7 % 255) - 127);
  return v;
}

std::vector<int32_t> Bias(size_t n) {
  std::vector<int32_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int32_t>(i * 13) - 20;
  return v;
}

// conv 3x3 -> depthwise 3x3 -> average pool -> reshape -> fully connected ->
// softmax: the shape of the person detector on an 8x8x1 input.
std::vector<uint8_t> Chain() {
  ModelBuilder b;
  const int in = Act(b, {1, 8, 8, 1}, 0.5f, -128);
  const int cw = b.AddConstant<int8_t>({4, 3, 3, 1}, kI8, Ramp(36), {0.01f, 0.02f, 0.03f, 0.04f},
                                       {0, 0, 0, 0}, 0);
  const int cb =
      b.AddConstant<int32_t>({4}, kI32, Bias(4), {0.005f, 0.01f, 0.015f, 0.02f}, {0, 0, 0, 0}, 0);
  const int c = Act(b, {1, 4, 4, 4});
  b.AddOp({vww::kOpConv2D,
           {in, cw, cb},
           {c},
           tflite::BuiltinOptions_Conv2DOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateConv2DOptions(f, 0, 2, 2, 3).Union();  // SAME, relu6
           }});
  const int dw = b.AddConstant<int8_t>({1, 3, 3, 4}, kI8, Ramp(36), {0.02f, 0.02f, 0.02f, 0.02f},
                                       {0, 0, 0, 0}, 3);
  const int db =
      b.AddConstant<int32_t>({4}, kI32, Bias(4), {0.001f, 0.001f, 0.001f, 0.001f}, {0, 0, 0, 0}, 0);
  const int d = Act(b, {1, 4, 4, 4});
  b.AddOp({vww::kOpDepthwiseConv2D,
           {c, dw, db},
           {d},
           tflite::BuiltinOptions_DepthwiseConv2DOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateDepthwiseConv2DOptions(f, 0, 1, 1, 1, 1).Union();
           }});
  const int p = Act(b, {1, 1, 1, 4});
  b.AddOp({vww::kOpAveragePool2D,
           {d},
           {p},
           tflite::BuiltinOptions_Pool2DOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreatePool2DOptions(f, 1, 4, 4, 4, 4).Union();  // VALID
           }});
  const int shape = b.AddConstant<int32_t>({2}, kI32, std::vector<int32_t>{1, 4});
  const int r = Act(b, {1, 4});
  b.AddOp({vww::kOpReshape, {p, shape}, {r}});
  const int fw = b.AddConstant<int8_t>({2, 4}, kI8, Ramp(8), {0.02f}, {0});
  const int fb = b.AddConstant<int32_t>({2}, kI32, Bias(2), {0.001f}, {0});
  const int fc = Act(b, {1, 2}, 0.1f, 0);
  b.AddOp({vww::kOpFullyConnected,
           {r, fw, fb},
           {fc},
           tflite::BuiltinOptions_FullyConnectedOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateFullyConnectedOptions(f).Union();
           }});
  const int out = Act(b, {1, 2}, 1.0f / 256, -128);
  b.AddOp({vww::kOpSoftmax,
           {fc},
           {out},
           tflite::BuiltinOptions_SoftmaxOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateSoftmaxOptions(f, 1.0f).Union();
           }});
  return b.Build({in}, {out});
}

std::vector<uint8_t> Binary(int opcode) {
  ModelBuilder b;
  const int x = Act(b, {1, 2, 2, 3});
  const int y = Act(b, {1, 1, 1, 3}, 0.03f, 4);  // broadcast
  const int out = Act(b, {1, 2, 2, 3}, 0.1f, 2);
  if (opcode == vww::kOpAdd)
    b.AddOp(
        {opcode,
         {x, y},
         {out},
         tflite::BuiltinOptions_AddOptions,
         [](flatbuffers::FlatBufferBuilder& f) { return tflite::CreateAddOptions(f).Union(); }});
  else
    b.AddOp(
        {opcode,
         {x, y},
         {out},
         tflite::BuiltinOptions_MulOptions,
         [](flatbuffers::FlatBufferBuilder& f) { return tflite::CreateMulOptions(f).Union(); }});
  return b.Build({x, y}, {out});
}

std::vector<uint8_t> MaxPool() {
  ModelBuilder b;
  const int in = Act(b, {1, 5, 5, 2});
  const int out = Act(b, {1, 3, 3, 2});
  b.AddOp({vww::kOpMaxPool2D,
           {in},
           {out},
           tflite::BuiltinOptions_Pool2DOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreatePool2DOptions(f, 0, 2, 2, 2, 2).Union();
           }});
  return b.Build({in}, {out});
}

std::vector<uint8_t> Concat() {
  ModelBuilder b;
  const int x = Act(b, {1, 2, 2, 1});
  const int y = Act(b, {1, 2, 2, 2});
  const int out = Act(b, {1, 2, 2, 3});
  b.AddOp({vww::kOpConcatenation,
           {x, y},
           {out},
           tflite::BuiltinOptions_ConcatenationOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateConcatenationOptions(f, 3).Union();
           }});
  return b.Build({x, y}, {out});
}

std::vector<uint8_t> PadTransposeMean() {
  ModelBuilder b;
  const int in = Act(b, {1, 2, 3, 2});
  const int pads =
      b.AddConstant<int32_t>({4, 2}, kI32, std::vector<int32_t>{0, 0, 1, 1, 0, 2, 0, 0});
  const int padded = Act(b, {1, 4, 5, 2});
  b.AddOp({vww::kOpPad, {in, pads}, {padded}});
  const int perm = b.AddConstant<int32_t>({4}, kI32, std::vector<int32_t>{0, 3, 1, 2});
  const int t = Act(b, {1, 2, 4, 5});
  b.AddOp({vww::kOpTranspose, {padded, perm}, {t}});
  const int axes = b.AddConstant<int32_t>({2}, kI32, std::vector<int32_t>{2, 3});
  const int out = Act(b, {1, 2, 1, 1});
  b.AddOp({vww::kOpMean,
           {t, axes},
           {out},
           tflite::BuiltinOptions_ReducerOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateReducerOptions(f, true).Union();
           }});
  return b.Build({in}, {out});
}

std::vector<uint8_t> QuantizeLogistic() {
  ModelBuilder b;
  const int in = b.AddTensor({{1, 6}, 0, {}, {}, 0, {}, "float_in"});  // float32
  const int q = Act(b, {1, 6}, 0.1f, 0);
  b.AddOp({vww::kOpQuantize, {in}, {q}});
  const int l = Act(b, {1, 6}, 1.0f / 256, -128);
  b.AddOp({vww::kOpLogistic, {q}, {l}});
  const int out = b.AddTensor({{1, 6}, 0, {}, {}, 0, {}, "float_out"});
  b.AddOp({vww::kOpDequantize, {l}, {out}});
  return b.Build({in}, {out});
}

// variant: the first byte of a fuzz_image_dsp input (see fuzz_targets.h).
void WriteImage(const std::string& path, uint8_t variant, const std::string& ext, const cv::Mat& m,
                size_t keep = 0) {
  std::vector<uint8_t> bytes;
  cv::imencode(ext, m, bytes);
  if (keep) bytes.resize(std::min(keep, bytes.size()));  // a truncated file
  std::ofstream out(path, std::ios::binary);
  out.put(static_cast<char>(variant));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  std::printf("%s: %zu bytes\n", path.c_str(), bytes.size() + 1);
}

void WriteImageSeeds(const std::string& dir) {
  cv::Mat gradient(24, 32, CV_8UC3);
  for (int y = 0; y < gradient.rows; ++y)
    for (int x = 0; x < gradient.cols; ++x)
      gradient.at<cv::Vec3b>(y, x) = cv::Vec3b(x * 8, y * 10, (x + y) * 4);
  WriteImage(dir + "/1x1.png", 0x00, ".png", cv::Mat(1, 1, CV_8UC1, cv::Scalar(77)));
  WriteImage(dir + "/1x10000.png", 0x01, ".png", cv::Mat(10000, 1, CV_8UC1, cv::Scalar(200)));
  WriteImage(dir + "/16bit.png", 0x04, ".png", cv::Mat(9, 7, CV_16UC1, cv::Scalar(40000)));
  WriteImage(dir + "/bgra.png", 0x06, ".png", cv::Mat(5, 11, CV_8UC4, cv::Scalar(1, 2, 3, 4)));
  WriteImage(dir + "/gradient.jpg", 0x0a, ".jpg", gradient);
  WriteImage(dir + "/truncated.jpg", 0x00, ".jpg", gradient, 200);
  WriteImage(dir + "/gradient.bmp", 0x02, ".bmp", gradient);
  // Raw variant (bit 4): width 10000, height 1, 8-bit 3 channels, a few pixels.
  std::ofstream raw(dir + "/raw_10000x1.bin", std::ios::binary);
  const uint8_t header[] = {0x10, 0x0f, 0x27, 0x00, 0x00, 0x08, 10, 20, 30, 40, 50, 60};
  raw.write(reinterpret_cast<const char*>(header), sizeof(header));
}

// Models that the loader once accepted and then crashed or allocated
// gigabytes on; kept as regression inputs (tests/fuzz/regressions/model/).
void WriteRegressions(const std::string& dir) {
  auto write = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    std::printf("%s/%s: %zu bytes\n", dir.c_str(), name.c_str(), bytes.size());
  };
  {
    // Four dimensions of 2^24: the element count overflowed int64 (UB)
    // before the size check saw it.
    ModelBuilder b;
    const int in = Act(b, {1 << 24, 1 << 24, 1 << 24, 1 << 24});
    const int out = Act(b, {1, 4});
    b.AddOp({vww::kOpSoftmax, {in}, {out}});
    write("shape_product_overflow.tflite", b.Build({in}, {out}));
  }
  {
    // A 2^30-element float activation: 4 GB of arena, allocated and cleared.
    ModelBuilder b;
    const int in = b.AddTensor({{1 << 15, 1 << 15}, 0, {}, {}, 0, {}, "huge"});
    const int q = Act(b, {1 << 15, 1 << 15});
    b.AddOp({vww::kOpQuantize, {in}, {q}});
    write("arena_4gb.tflite", b.Build({in}, {q}));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr, "usage: make_seeds MODEL_DIR IMAGE_DIR [REGRESSION_DIR]\n");
    return 2;
  }
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds = {
      {"chain.tflite", Chain()},
      {"add.tflite", Binary(vww::kOpAdd)},
      {"mul.tflite", Binary(vww::kOpMul)},
      {"max_pool.tflite", MaxPool()},
      {"concat.tflite", Concat()},
      {"pad_transpose_mean.tflite", PadTransposeMean()},
      {"quantize_logistic.tflite", QuantizeLogistic()},
  };
  int bad = 0;
  for (const auto& [name, bytes] : seeds) {
    std::ofstream(std::string(argv[1]) + "/" + name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    // A seed that does not load still seeds the structure, but say so.
    try {
      auto model = vww::Model::FromBytes(bytes, name);
      vww::Interpreter interp(*model);
      interp.Invoke();
      std::printf("%s: %zu bytes, runs\n", name.c_str(), bytes.size());
    } catch (const vww::Error& e) {
      std::printf("%s: %zu bytes, rejected: %s\n", name.c_str(), bytes.size(), e.what());
      ++bad;
    }
  }
  WriteImageSeeds(argv[2]);
  if (argc > 3) WriteRegressions(argv[3]);
  return bad ? 1 : 0;
}
