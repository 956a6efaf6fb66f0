// The bundled models by short name: `vww models`, `--model NAME` in every
// command, one-line errors for unknown names, and the RGB model's colour inset.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/bundled_models.h"
#include "pipeline/classifier.h"
#include "run_vww.h"
#include "test_util.h"
#include "ui/ui.h"

namespace vww {
namespace {

using test::RunVww;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// The line of `text` that starts with `prefix`, or "".
std::string LineStartingWith(const std::string& text, const std::string& prefix) {
  for (const std::string& l : Lines(text))
    if (l.rfind(prefix, 0) == 0) return l;
  return "";
}

// Everything but the timing line of Edge Impulse style output.
std::string WithoutTimings(const std::string& text) {
  std::string kept;
  for (const std::string& l : Lines(text))
    if (l.rfind("Predictions (", 0) != 0) kept += l + "\n";
  return kept;
}

// MACs and inputs as the upstream models are documented (assets/README.md:
// MobileNetV1 0.25 on 96x96x1 and 96x96x3).
TEST(BundledModels, ModelsListsBothWithInputMacsAndAdvice) {
  const test::VwwResult r = RunVww("models");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string gray = LineStartingWith(r.out, "person_detect*");
  const std::string rgb = LineStartingWith(r.out, "mlperf_vww ");
  ASSERT_FALSE(gray.empty()) << r.out;
  ASSERT_FALSE(rgb.empty()) << r.out;
  EXPECT_NE(gray.find("96x96 gray"), std::string::npos) << gray;
  EXPECT_NE(gray.find("7,157,888"), std::string::npos) << gray;
  EXPECT_NE(rgb.find("96x96 RGB"), std::string::npos) << rgb;
  EXPECT_NE(rgb.find("7,489,664"), std::string::npos) << rgb;
  // One line of advice per model.
  EXPECT_FALSE(LineStartingWith(r.out, "person_detect: ").empty()) << r.out;
  EXPECT_FALSE(LineStartingWith(r.out, "mlperf_vww: ").empty()) << r.out;
}

TEST(BundledModels, ModelsJsonGivesArenaAndFlashOfTheFiles) {
  const test::VwwResult r = RunVww("models --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  const auto gray = nlohmann::json::parse(lines[0]);
  const auto rgb = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(gray["name"], "person_detect");
  EXPECT_EQ(gray["default"], true);
  EXPECT_EQ(rgb["name"], "mlperf_vww");
  EXPECT_EQ(rgb["default"], false);
  EXPECT_EQ(rgb["input"], "96x96 RGB");
  // Flash is the constant data: most of the file (the rest is the graph and
  // padding), never more than it.
  for (const auto& m : {gray, rgb}) {
    const size_t file = test::ReadFile(m["file"].get<std::string>()).size();
    EXPECT_GT(m["flash_bytes"].get<size_t>(), file / 2);
    EXPECT_LT(m["flash_bytes"].get<size_t>(), file);
    EXPECT_GE(m["arena_bytes"].get<size_t>(), 96u * 96u * 2u);  // largest live pair at least
  }
}

TEST(BundledModels, ClassifyByNameEqualsClassifyByPathWithItsLabels) {
  const std::string image = test::ImagesDir() + "/person.bmp";
  const test::VwwResult by_name = RunVww("classify --model mlperf_vww " + image);
  const test::VwwResult by_path =
      RunVww("classify --model " + test::AssetsDir() + "/mlperf_vww.tflite " + image);
  ASSERT_EQ(by_name.code, 0) << by_name.err;
  ASSERT_EQ(by_path.code, 0) << by_path.err;
  EXPECT_EQ(WithoutTimings(by_name.out), WithoutTimings(by_path.out));
  EXPECT_NE(by_name.out.find("  notperson: "), std::string::npos) << by_name.out;
  // And it is not the gray model under another name.
  const test::VwwResult gray = RunVww("classify --model person_detect " + image);
  ASSERT_EQ(gray.code, 0) << gray.err;
  EXPECT_NE(gray.out.find("  no person: "), std::string::npos) << gray.out;
}

TEST(BundledModels, EvalComparesBothByName) {
  const test::VwwResult r =
      RunVww("eval --json --model person_detect --model mlperf_vww " + test::ImagesDir());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  const auto gray = nlohmann::json::parse(lines[0]);
  const auto rgb = nlohmann::json::parse(lines[1]);
  EXPECT_NE(gray.dump().find("person_detect.tflite"), std::string::npos) << gray.dump();
  EXPECT_NE(rgb.dump().find("mlperf_vww.tflite"), std::string::npos) << rgb.dump();
  EXPECT_EQ(gray["macs"], 7157888);
  EXPECT_EQ(rgb["macs"], 7489664);
}

TEST(BundledModels, RunByNameLogsTheSameScoresAsByPath) {
  test::Scratch dir;
  const std::string common =
      "run --headless --quiet --frames 20 --source " + test::VideoPath("vtest_person.avi");
  const test::VwwResult by_name = RunVww(common + " --model mlperf_vww --log " + dir("name.csv"));
  const test::VwwResult by_path = RunVww(common + " --model " + test::AssetsDir() +
                                         "/mlperf_vww.tflite --log " + dir("path.csv"));
  ASSERT_EQ(by_name.code, 0) << by_name.err;
  ASSERT_EQ(by_path.code, 0) << by_path.err;
  const auto name_rows = Lines(test::ReadText(dir("name.csv")));
  const auto path_rows = Lines(test::ReadText(dir("path.csv")));
  ASSERT_EQ(name_rows.size(), 21u);
  ASSERT_EQ(path_rows.size(), 21u);
  // Labels found beside the model.
  EXPECT_NE(name_rows[0].find(",q_notperson,q_person,"), std::string::npos) << name_rows[0];
  // Drop the four timing columns; everything else matches row for row.
  auto untimed = [](const std::string& row) {
    std::string s = row;
    size_t at = s.find(',');  // after frame
    for (int i = 0; i < 4 && at != std::string::npos; ++i) {
      const size_t next = s.find(',', at + 1);
      s.erase(at, next - at);
    }
    return s;
  };
  for (size_t i = 1; i < name_rows.size(); ++i)
    EXPECT_EQ(untimed(name_rows[i]), untimed(path_rows[i])) << "row " << i;
}

TEST(BundledModels, UnknownNameIsOneLineListingTheBundledNames) {
  const std::string image = test::ImagesDir() + "/person.bmp";
  for (const std::string& cmd :
       {"classify --model nosuch " + image, std::string("info --model nosuch"),
        std::string("bench --runs 1 --model nosuch"), "eval --model nosuch " + test::ImagesDir(),
        "run --headless --frames 1 --model nosuch --source " + image}) {
    const test::VwwResult r = RunVww(cmd);
    EXPECT_NE(r.code, 0) << cmd;
    const auto lines = Lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << cmd << "\n" << r.err;
    EXPECT_EQ(lines[0].rfind("error: unknown model 'nosuch'", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find("person_detect, mlperf_vww"), std::string::npos) << lines[0];
  }
  // A path that does not exist stays a file error, not a name error.
  const test::VwwResult missing = RunVww("classify --model /nonexistent.tflite " + image);
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("cannot open model file"), std::string::npos) << missing.err;
}

TEST(BundledModels, ResolveModelPathMapsNamesAndKeepsPaths) {
  EXPECT_EQ(ResolveModelPath(""), DefaultModelPath());
  EXPECT_EQ(ResolveModelPath("person_detect"), DefaultModelPath());
  const std::string rgb = ResolveModelPath("mlperf_vww");
  EXPECT_EQ(test::ReadFile(rgb), test::ReadFile(test::AssetsDir() + "/mlperf_vww.tflite"));
  EXPECT_EQ(ResolveModelPath("x/y.tflite"), "x/y.tflite");
  EXPECT_EQ(ResolveModelPath("y.tflite"), "y.tflite");
  EXPECT_THROW(ResolveModelPath("mlperf"), Error);
}

// A frame whose left half is pure red and right half pure blue (BGR).
cv::Mat RedBlueFrame() {
  cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(0, 0, 255));
  frame(cv::Rect(320, 0, 320, 480)).setTo(cv::Scalar(255, 0, 0));
  return frame;
}

// The RGB model sees colour, and the window's inset shows it in colour: the
// red half red, the blue half blue, through the real classifier and overlay.
void ExpectColourInset(const std::string& tiles) {
  ClassifierOptions options;
  options.model_path = "mlperf_vww";
  options.tiles = ParseTileSpec(tiles);
  options.threads = 1;
  Classifier classifier(options);
  const cv::Mat frame = RedBlueFrame();
  classifier.Classify(frame);
  const cv::Mat& seen = classifier.model_image();
  ASSERT_EQ(seen.type(), CV_8UC3);
  ASSERT_EQ(seen.size(), cv::Size(96, 96));
  OverlayState st;
  st.model_image = seen;
  const cv::Mat out = DrawOverlay(frame, st);
  const OverlayLayout L = ComputeLayout(frame.size(), seen.size());
  ASSERT_FALSE(L.inset.empty());
  const cv::Vec3b left = out.at<cv::Vec3b>(L.inset.y + L.inset.height / 2, L.inset.x + 2);
  const cv::Vec3b right =
      out.at<cv::Vec3b>(L.inset.y + L.inset.height / 2, L.inset.x + L.inset.width - 3);
  EXPECT_EQ(left, cv::Vec3b(0, 0, 255)) << tiles;
  EXPECT_EQ(right, cv::Vec3b(255, 0, 0)) << tiles;
}

TEST(BundledModels, RgbInsetIsInColour) { ExpectColourInset("1"); }
TEST(BundledModels, RgbInsetIsInColourWithTiles) { ExpectColourInset("auto"); }

// The gray model's inset, on the same frame, is gray.
TEST(BundledModels, GrayInsetIsGray) {
  Classifier classifier(ClassifierOptions{});
  classifier.Classify(RedBlueFrame());
  OverlayState st;
  st.model_image = classifier.model_image();
  const cv::Mat out = DrawOverlay(RedBlueFrame(), st);
  const OverlayLayout L = ComputeLayout(out.size(), st.model_image.size());
  const cv::Vec3b left = out.at<cv::Vec3b>(L.inset.y + L.inset.height / 2, L.inset.x + 2);
  EXPECT_EQ(left[0], left[2]);
  EXPECT_EQ(left[1], left[2]);
}

}  // namespace
}  // namespace vww
