// pipeline/explain: the occlusion heat map against the same occlusions made
// and classified one image at a time (through the classifier, not the
// explainer), and against a synthetic model whose person score is a
// hand-computable sum over one region of the input.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "model_builder.h"
#include "pipeline/classifier.h"
#include "pipeline/explain.h"
#include "test_util.h"

namespace vww {
namespace {

TEST(PatchOrigins, StrideStepsAndAFinalPatchFlushWithTheEdge) {
  // The default: 16x16 patches, stride 8 on 96 -> 11 positions (121 variants).
  EXPECT_EQ(PatchOrigins(96, 16, 8), (std::vector<int>{0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80}));
  EXPECT_EQ(PatchOrigins(10, 4, 3), (std::vector<int>{0, 3, 6}));     // 6 + 4 = 10: flush
  EXPECT_EQ(PatchOrigins(11, 4, 3), (std::vector<int>{0, 3, 6, 7}));  // 10 < 11: one more
  EXPECT_EQ(PatchOrigins(96, 32, 32), (std::vector<int>{0, 32, 64}));
  EXPECT_EQ(PatchOrigins(5, 8, 8), (std::vector<int>{0}));  // patch larger than the image
}

// The model image of `file` as the classifier sees it (model size, 8-bit).
cv::Mat ModelImage(Classifier& classifier, const std::string& file) {
  const cv::Mat image = cv::imread(test::ImagesDir() + "/" + file, cv::IMREAD_COLOR);
  EXPECT_FALSE(image.empty()) << file;
  classifier.Classify(image);
  return classifier.model_image().clone();
}

// Both bundled models (gray and RGB): every patch's drop equals the person
// score of the model image classified as is minus that of the same image with
// the patch painted in the zero point's pixel value (the plain pixel mapping
// is int8 = p - 128, so p = zero point + 128), each classified on its own.
class ExplainMatchesOneByOne : public ::testing::TestWithParam<std::string> {};

TEST_P(ExplainMatchesOneByOne, EveryPatchDropValueForValue) {
  ClassifierOptions options;
  options.model_path = test::ModelFile(GetParam());
  Classifier classifier(options);
  ASSERT_GE(classifier.person_index(), 0);
  const cv::Mat model_image = ModelImage(classifier, "person.bmp");
  const InputSpec spec = classifier.dsp().spec();
  ASSERT_EQ(model_image.size(), cv::Size(spec.width, spec.height));

  // The explainer gets the input tensor the DSP writes for that image.
  std::vector<uint8_t> input(spec.bytes());
  classifier.dsp().Run(model_image, input.data());
  ExplainOptions eo;  // 16 / 8: 121 variants
  Explainer explainer(classifier.model(), classifier.person_index(), eo);
  const HeatMap& heat = explainer.Run(input.data());
  ASSERT_EQ(heat.count(), 121);
  ASSERT_EQ(explainer.inferences(), 122);

  // A fresh classifier: the explainer's interpreters share nothing with it.
  Classifier one(options);
  // The model image (gray, or BGR as the classifier keeps it) is exactly
  // model-sized, so the DSP passes it through unchanged.
  const cv::Mat frame = model_image;
  const float base = one.Classify(frame).scores[one.person_index()];
  EXPECT_EQ(heat.base, base);
  const int hidden = spec.zero_point + 128;
  ASSERT_GE(hidden, 0);
  ASSERT_LE(hidden, 255);

  int checked = 0;
  float largest = -1;
  for (int r = 0; r < 11; ++r)
    for (int c = 0; c < 11; ++c) {
      cv::Mat occluded = frame.clone();
      occluded(cv::Rect(c * 8, r * 8, 16, 16)).setTo(cv::Scalar::all(hidden));
      const float score = one.Classify(occluded).scores[one.person_index()];
      const int i = r * 11 + c;
      EXPECT_EQ(heat.drops[i], base - score) << "patch row " << r << " col " << c;
      EXPECT_EQ(heat.patch_rect(i), cv::Rect(c * 8, r * 8, 16, 16));
      largest = std::max(largest, base - score);
      ++checked;
    }
  EXPECT_EQ(checked, 121);
  EXPECT_EQ(heat.max_drop(), largest);
  // A person image: hiding parts of the person lowers the score somewhere.
  EXPECT_GT(largest, 0.0f);
}

INSTANTIATE_TEST_SUITE_P(Models, ExplainMatchesOneByOne,
                         ::testing::Values("person_detect", "mlperf_tiny_vww_96_int8"));

TEST(Explain, TwoWorkersGiveTheSameMapAsOne) {
  ClassifierOptions options;
  Classifier classifier(options);
  const cv::Mat model_image = ModelImage(classifier, "person.bmp");
  std::vector<uint8_t> input(classifier.dsp().spec().bytes());
  classifier.dsp().Run(model_image, input.data());
  ExplainOptions one, two;
  one.threads = 1;
  two.threads = 2;
  one.patch = two.patch = 24;
  one.stride = two.stride = 12;
  Explainer a(classifier.model(), 1, one), b(classifier.model(), 1, two);
  EXPECT_EQ(a.threads(), 1);
  EXPECT_EQ(b.threads(), 2);
  const std::vector<float> first = a.Run(input.data()).drops;
  EXPECT_EQ(b.Run(input.data()).drops, first);
  // Running again on the same explainer gives the same map (no state kept).
  EXPECT_EQ(b.Run(input.data()).drops, first);
}

// A model whose "person" output is the sum of one 4x4 region of a 16x16
// input: FULLY_CONNECTED with weight 1 on the region's pixels and 0 elsewhere
// (output 0, "no person", has all-zero weights). Input scale 1, zero point
// -10; every pixel is -6 (real 4), so the person output is 4 per region pixel
// left visible: 64 unoccluded, and hiding k region pixels lowers it by 4k.
constexpr int kSide = 16;
const cv::Rect kRegion(8, 4, 4, 4);

std::vector<uint8_t> RegionModel() {
  test::ModelBuilder b;
  const int in = b.AddInt8({1, kSide, kSide, 1}, 1.0f, -10);
  std::vector<int8_t> weights(2 * kSide * kSide, 0);
  for (int y = kRegion.y; y < kRegion.br().y; ++y)
    for (int x = kRegion.x; x < kRegion.br().x; ++x) weights[kSide * kSide + y * kSide + x] = 1;
  const int w = b.AddConstant({2, kSide * kSide}, 9, weights, {1.0f}, {0});
  const int out = b.AddInt8({1, 2}, 1.0f, 0);
  b.AddOp({kOpFullyConnected,
           {in, w},
           {out},
           tflite::BuiltinOptions_FullyConnectedOptions,
           [](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateFullyConnectedOptions(f).Union();
           }});
  return b.Build({in}, {out});
}

class ExplainRegion : public ::testing::TestWithParam<Backend> {};

TEST_P(ExplainRegion, HeatOnlyWhereTheScoreLooks) {
  const auto model = Model::FromBytes(RegionModel(), "region");
  ExplainOptions eo;
  eo.patch = 4;
  eo.stride = 2;
  eo.backend = GetParam();
  Explainer explainer(*model, 1, eo);
  const std::vector<int8_t> input(kSide * kSide, -6);
  const HeatMap& heat = explainer.Run(input.data());
  ASSERT_EQ(heat.cols(), 7);  // 0, 2, ..., 12
  ASSERT_EQ(heat.rows(), 7);
  EXPECT_EQ(heat.base, 64.0f);
  for (int i = 0; i < heat.count(); ++i) {
    const int overlap = (heat.patch_rect(i) & kRegion).area();
    EXPECT_EQ(heat.drops[i], 4.0f * overlap) << "patch " << heat.patch_rect(i);
  }
  // The patch exactly on the region hides all of it.
  EXPECT_EQ(heat.patch_rect(heat.top), kRegion);
  EXPECT_EQ(heat.max_drop(), 64.0f);

  // Per pixel: the mean drop of the covering patches; zero wherever no
  // patch touching the region covers the pixel (more than 3 pixels away).
  ASSERT_EQ(heat.pixels.size(), cv::Size(kSide, kSide));
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      float sum = 0;
      int count = 0;
      for (int i = 0; i < heat.count(); ++i)
        if (heat.patch_rect(i).contains({x, y})) {
          sum += heat.drops[i];
          ++count;
        }
      ASSERT_GT(count, 0);
      EXPECT_FLOAT_EQ(heat.pixels.at<float>(y, x), sum / count) << x << "," << y;
      const bool near = x >= kRegion.x - 3 && x < kRegion.br().x + 3 && y >= kRegion.y - 3 &&
                        y < kRegion.br().y + 3;
      if (!near) {
        EXPECT_EQ(heat.pixels.at<float>(y, x), 0.0f) << x << "," << y;
      }
      if (kRegion.contains({x, y})) {
        EXPECT_GT(heat.pixels.at<float>(y, x), 0.0f) << x << "," << y;
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, ExplainRegion,
                         ::testing::Values(Backend::kReference, Backend::kFast));

TEST(ExplainEvery, EveryFrameWhenItFitsElseEveryNth) {
  // 30 fps (33.3 ms): 0.8 x 33.3 = 26.7 ms usable; 2 ms of other work.
  EXPECT_EQ(ExplainEvery(5.0, 2.0, 1000.0 / 30), 1);       // 5 <= 24.7
  EXPECT_EQ(ExplainEvery(30.0, 2.0, 1000.0 / 30), 2);      // 30 / 24.7 -> 2
  EXPECT_EQ(ExplainEvery(100.0, 2.0, 1000.0 / 30), 5);     // 100 / 24.7 = 4.05 -> 5
  EXPECT_EQ(ExplainEvery(10000.0, 2.0, 1000.0 / 30), 30);  // capped
  EXPECT_EQ(ExplainEvery(1.0, 40.0, 1000.0 / 30), 30);     // no time left at all
  EXPECT_EQ(ExplainEvery(100.0, 2.0, 0), 1);               // unpaced file: every frame
  EXPECT_EQ(ExplainEvery(100.0, 2.0, 1000.0 / 30, 3), 3);  // another cap
}

TEST(PlaceHeat, CropTilesAndTheLetterbox) {
  // fit-shortest on 640x480: the crop is the centred 480x480 square.
  const HeatPlacement crop = PlaceHeat({640, 480}, {96, 96}, CropMode::kFitShortest, 0,
                                       Dsp::CropRect({640, 480}, CropMode::kFitShortest, {96, 96}));
  EXPECT_EQ(crop.model_roi, cv::Rect(0, 0, 96, 96));
  EXPECT_EQ(crop.frame_rect, cv::Rect(80, 0, 480, 480));
  // 5 frame pixels per model pixel: the patch at (8, 16) of 16 -> (80 + 40, 80) of 80.
  EXPECT_EQ(crop.ToFrame({8, 16, 16, 16}), cv::Rect(120, 80, 80, 80));
  // A tile: its own frame rect, whatever the crop mode.
  const HeatPlacement tile =
      PlaceHeat({640, 480}, {96, 96}, CropMode::kFitLongest, 3, {300, 200, 192, 192});
  EXPECT_EQ(tile.model_roi, cv::Rect(0, 0, 96, 96));
  EXPECT_EQ(tile.ToFrame({0, 0, 48, 48}), cv::Rect(300, 200, 96, 96));
  // Letterbox: 640x480 -> 96x72 at row 12 (scale 0.15); the frame is all of it.
  const HeatPlacement box =
      PlaceHeat({640, 480}, {96, 96}, CropMode::kFitLongest, 0, {0, 0, 640, 480});
  EXPECT_EQ(box.model_roi, cv::Rect(0, 12, 96, 72));
  EXPECT_EQ(box.frame_rect, cv::Rect(0, 0, 640, 480));
  // A patch over the top padding and the first 4 frame rows: clipped to the frame.
  EXPECT_EQ(box.ToFrame({0, 0, 16, 16}), cv::Rect(0, 0, 107, 27));
  EXPECT_EQ(PlaceHeat({480, 640}, {96, 96}, CropMode::kFitLongest, 0, {0, 0, 480, 640}).model_roi,
            cv::Rect(12, 0, 72, 96));
}

TEST(Explain, RejectsBadOptionsWithOneLine) {
  const auto model = Model::FromBytes(RegionModel(), "region");
  ExplainOptions eo;
  eo.patch = 0;
  EXPECT_THROW(Explainer(*model, 1, eo), Error);
  eo.patch = 4;
  eo.stride = 0;
  EXPECT_THROW(Explainer(*model, 1, eo), Error);
  eo.stride = 2;
  try {
    Explainer(*model, 2, eo);  // the model has outputs 0 and 1
    FAIL() << "no error for output 2";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("person"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace vww
