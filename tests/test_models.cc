// The third-party int8 models in tests/data/models (see MODELS.md) load and
// run, and give answers checked against independent sources: TensorFlow Lite
// Micro's final outputs (golden/more/), byte for byte, and the right class
// for images whose content we know. Each large model runs once.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "pipeline/classifier.h"
#include "test_util.h"

namespace vww {
namespace {

Classifier MakeClassifier(const std::string& stem) {
  ClassifierOptions options;
  options.model_path = test::ModelFile(stem);
  options.backend = Backend::kReference;
  return Classifier(options);
}

cv::Mat Image(const std::string& relative) {
  cv::Mat m = cv::imread(test::ImagesDir() + "/" + relative, cv::IMREAD_COLOR);
  EXPECT_FALSE(m.empty()) << relative;
  return m;
}

// Softmax outputs: the quantized probabilities of a 1/256-step output.
double SumOfScores(const Classification& c) {
  return std::accumulate(c.scores.begin(), c.scores.end(), 0.0);
}

TEST(RealModels, MlperfVwwSeparatesPersonFromNoPerson) {
  Classifier classifier = MakeClassifier("mlperf_tiny_vww_96_int8");
  ASSERT_EQ(classifier.person_index(), 1);
  int persons_found = 0, empties_found = 0;
  for (const char* f : {"person/astronaut.png", "person/basketball1.png", "person/camera.png",
                        "person/messi5.jpg"}) {
    const Classification& c = classifier.Classify(Image(f));
    EXPECT_NEAR(SumOfScores(c), 1.0, 2.0 / 256) << f;
    persons_found += c.scores[1] > 0.5f;
    std::cout << "[ info     ] vww " << f << ": p(person) = " << c.scores[1] << "\n";
  }
  for (const char* f : {"no_person/building.jpg", "no_person/chelsea.png", "no_person/coffee.png",
                        "no_person/fruits.jpg", "no_person/rocket.jpg"}) {
    const Classification& c = classifier.Classify(Image(f));
    empties_found += c.scores[1] <= 0.5f;
    std::cout << "[ info     ] vww " << f << ": p(person) = " << c.scores[1] << "\n";
  }
  EXPECT_GE(persons_found, 3);
  EXPECT_GE(empties_found, 3);
}

// The golden final outputs of tests/data/models/golden/more/ (TensorFlow
// Lite Micro's reference kernels on the input.bin beside them).
std::string GoldenDir(const std::string& stem) {
  return test::DataDir() + "/models/golden/more/" + stem;
}

// Runs the model on a raw input file and returns the output tensor's bytes.
std::vector<uint8_t> RunOnInput(const std::string& stem, const std::string& input_path,
                                Backend backend) {
  auto model = Model::FromFile(test::ModelFile(stem));
  Interpreter interp(*model, backend);
  const auto input = test::ReadFile(input_path);
  EXPECT_EQ(interp.input().bytes, input.size()) << input_path;
  if (interp.input().bytes != input.size()) return {};
  std::memcpy(interp.input().data, input.data(), input.size());
  interp.Invoke();
  const Tensor& out = interp.output();
  return std::vector<uint8_t>(out.data, out.data + out.bytes);
}

TEST(RealModels, Resnet8Cifar10MatchesTfliteMicroByteForByte) {
  const std::string stem = "mlperf_tiny_resnet8_cifar10_int8";
  const auto golden = test::ReadFile(GoldenDir(stem) + "/op15_SOFTMAX_10.bin");
  ASSERT_EQ(golden.size(), 10u);
  for (Backend backend : {Backend::kReference, Backend::kFast}) {
    SCOPED_TRACE(backend == Backend::kFast ? "fast" : "reference");
    EXPECT_EQ(RunOnInput(stem, GoldenDir(stem) + "/input.bin", backend), golden);
  }
}

TEST(RealModels, Resnet8Cifar10RunsAndSumsToOne) {
  Classifier classifier = MakeClassifier("mlperf_tiny_resnet8_cifar10_int8");
  ASSERT_EQ(classifier.labels().size(), 10u);
  for (const char* f : {"no_person/chelsea.png", "no_person/fruits.jpg"}) {
    const Classification& c = classifier.Classify(Image(f));
    // Ten probabilities each rounded to 1/256: the sum is 1 within a few steps.
    EXPECT_NEAR(SumOfScores(c), 1.0, 4.0 / 256) << f;
    std::cout << "[ info     ] resnet8 " << f << ": " << classifier.labels()[c.top] << " ("
              << c.scores[c.top] << ")\n";
  }
}

TEST(RealModels, CoralMobileNetV2SeesACat) {
  // uint8 in and out: QUANTIZE u8 -> i8 first, i8 -> u8 last, and a MEAN that
  // requantizes between differing input and output scales.
  Classifier classifier = MakeClassifier("coral_tf2_mobilenet_v2_1.0_224_ptq");
  ASSERT_EQ(classifier.labels().size(), 1001u);
  ASSERT_EQ(classifier.interpreter().input().type, DType::kUInt8);
  const Classification& c = classifier.Classify(Image("no_person/chelsea.png"));
  std::cout << "[ info     ] coral chelsea.png: " << c.top << " " << classifier.labels()[c.top]
            << " (" << c.scores[c.top] << ")\n";
  // 1001 probabilities in 1/256 steps: each of the ~1000 small ones may lose
  // up to 1/512 when it rounds to 0, so the sum is only bounded loosely below;
  // it can exceed 1 only by the rounding of the few non-zero entries.
  int nonzero = 0;
  for (float s : c.scores) nonzero += s > 0;
  EXPECT_LE(SumOfScores(c), 1.0 + nonzero * 0.5 / 256);
  EXPECT_GE(SumOfScores(c), 0.75);
  // chelsea.png is a tabby cat: labels 282..286 are tabby, tiger, Persian,
  // Siamese and Egyptian cat (index 0 is "background").
  EXPECT_GE(c.top, 282);
  EXPECT_LE(c.top, 286);
}

// The PyTorch export's logits on its own dog_input.bin equal TensorFlow Lite
// Micro's byte for byte (golden/more/: the final FULLY_CONNECTED output),
// and the top class is a dog (ImageNet 151..268; MODELS.md: upstream's 258
// came from a sibling conversion, so it is not pinned). An unsupported
// operator fails the test (Interpreter throws), never skips it.
TEST(RealModels, PytorchMobileNetV2NchwMatchesTfliteMicro) {
  const std::string stem = "tflm_pytorch_mobilenet_v2_int8_nchw";
  const std::string input = GoldenDir(stem) + "/input.bin";
  // The golden run's input is the model's own example input.
  ASSERT_EQ(test::ReadFile(input),
            test::ReadFile(test::DataDir() + "/models/" + stem + ".dog_input.bin"));
  const auto golden = test::ReadFile(GoldenDir(stem) + "/op83_FULLY_CONNECTED_1000.bin");
  ASSERT_EQ(golden.size(), 1000u);
  const std::vector<uint8_t> out = RunOnInput(stem, input, Backend::kReference);
  ASSERT_EQ(out.size(), 1000u);
  int differ = 0, worst = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const int d = std::abs(static_cast<int8_t>(out[i]) - static_cast<int8_t>(golden[i]));
    differ += d != 0;
    worst = std::max(worst, d);
  }
  EXPECT_EQ(differ, 0) << "logits differ from TFLite Micro's (largest difference " << worst << ")";
  const auto* logits = reinterpret_cast<const int8_t*>(out.data());
  const int top = static_cast<int>(std::max_element(logits, logits + 1000) - logits);
  std::cout << "[ info     ] pytorch dog_input.bin: top-1 " << top << "\n";
  EXPECT_GE(top, 151);
  EXPECT_LE(top, 268);
}

}  // namespace
}  // namespace vww
