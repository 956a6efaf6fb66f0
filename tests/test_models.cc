// The third-party int8 models in shared/models (see MODELS.md) load and run on
// the reference backend, and give answers we can check without another
// interpreter: softmax outputs that sum to one, the right class for images
// whose content we know. Each large model runs once.
#include <gtest/gtest.h>

#include <cstring>
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

TEST(RealModels, PytorchMobileNetV2NchwClassifiesTheSamoyed) {
  auto model = Model::FromFile(test::ModelFile("tflm_pytorch_mobilenet_v2_int8_nchw"));
  std::unique_ptr<Interpreter> interp;
  try {
    interp = std::make_unique<Interpreter>(*model, Backend::kReference);
  } catch (const Error& e) {
    // TRANSPOSE and PAD are being written elsewhere; pass once they land.
    const std::string msg = e.what();
    if (msg.find("not implemented") != std::string::npos ||
        msg.find("unsupported") != std::string::npos)
      GTEST_SKIP() << msg;
    throw;
  }
  const auto input =
      test::ReadFile(test::DataDir() + "/models/tflm_pytorch_mobilenet_v2_int8_nchw.dog_input.bin");
  ASSERT_EQ(input.size(), 150528u);
  ASSERT_EQ(interp->input().bytes, input.size());
  std::memcpy(interp->input().data, input.data(), input.size());
  interp->Invoke();
  const Tensor& out = interp->output();
  ASSERT_EQ(out.shape.elements(), 1000);
  const int8_t* logits = out.data_as<int8_t>();
  const int top = static_cast<int>(std::max_element(logits, logits + 1000) - logits);
  std::cout << "[ info     ] pytorch dog_input.bin: top-1 " << top << "\n";
  // A dog class (151..268 in ImageNet order); upstream's notebook reports 258, Samoyed.
  EXPECT_GE(top, 151);
  EXPECT_LE(top, 268);
  EXPECT_EQ(top, 258) << "upstream reports 258 (Samoyed) for a sibling conversion";
}

}  // namespace
}  // namespace vww
