// Replays every input the fuzzers once crashed on (tests/fuzz/regressions/)
// through the fuzz targets' own code path (tests/fuzz/fuzz_targets.h), in the
// normal build and under scripts/test.sh --asan. A regression shows up as a
// crash, a sanitizer report or an exception other than the expected ones.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_targets.h"
#include "tests/test_util.h"

namespace vww {
namespace {

namespace fs = std::filesystem;

fs::path RegressionsDir(const std::string& kind) {
  return fs::path(VWW_SOURCE_TESTS_DIR) / "fuzz" / "regressions" / kind;
}

// The saved inputs of one target. A missing or empty folder is a failure: a
// replay of zero inputs would pass without testing anything.
std::vector<std::string> Inputs(const std::string& kind) {
  const fs::path dir = RegressionsDir(kind);
  std::vector<std::string> files;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
        files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  EXPECT_FALSE(files.empty()) << dir.string() << " is missing or empty";
  return files;
}

TEST(FuzzRegressions, ModelInputsAreRejectedOrRun) {
  for (const std::string& path : Inputs("model")) {
    SCOPED_TRACE(path);
    const std::vector<uint8_t> bytes = test::ReadFile(path);
    fuzz::RunModelBytes(bytes.data(), bytes.size());
  }
}

TEST(FuzzRegressions, ModelInputsGiveOneLineErrors) {
  // Every saved model crasher is a broken file: loading or preparing it
  // must now fail with one line that names the file.
  for (const std::string& path : Inputs("model")) {
    SCOPED_TRACE(path);
    std::string message;
    try {
      auto model = Model::FromFile(path);
      Interpreter reference(*model, Backend::kReference);
      Interpreter fast(*model, Backend::kFast);
    } catch (const Error& e) {
      message = e.what();
    }
    EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(FuzzRegressions, ImageInputsAreProcessedOrRejected) {
  fuzz::LimitImageDecoding();
  for (const std::string& path : Inputs("image")) {
    SCOPED_TRACE(path);
    const std::vector<uint8_t> bytes = test::ReadFile(path);
    fuzz::RunImageBytes(bytes.data(), bytes.size());
  }
}

// tests/fuzz/regressions/README.md: a PNG header claiming 20000x20000 (400
// MP, under OpenCV's own 1 GP limit). `vww` must refuse it by its 64 MP decode
// cap, before allocating 1.2 GB, with one line naming the file; without the
// cap in force OpenCV allocates and libpng fails later ("cannot read").
// OpenCV reads the cap when it loads, so this runs the real binary, with the
// variable unset as a user's shell has it.
TEST(FuzzRegressions, HugeImageHeaderIsRefusedByTheDecodeCap) {
  test::Scratch dir;
  const std::vector<uint8_t> bytes =
      test::ReadFile((RegressionsDir("image") / "png_header_20000x20000.bin").string());
  ASSERT_GT(bytes.size(), 30u);
  const std::string png = dir("huge.png");
  std::ofstream(png, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()) + 1,
             static_cast<std::streamsize>(bytes.size() - 1));
  for (const std::string command : {"classify", "run --headless --source"}) {
    SCOPED_TRACE(command);
    const std::string cmd = "env -u OPENCV_IO_MAX_IMAGE_PIXELS " + std::string(VWW_BINARY) + " " +
                            command + " " + png + " >" + dir("out.txt") + " 2>" + dir("err.txt");
    const int status = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1);
    const std::string err = test::ReadText(dir("err.txt"));
    EXPECT_EQ(err, "error: " + png +
                       ": larger than the decode limit (OPENCV_IO_MAX_IMAGE_PIXELS, 67108864 "
                       "pixels)\n");
  }
}

TEST(FuzzRegressions, TwoChannel16BitFrameIsRejectedByTheDsp) {
  const std::vector<uint8_t> bytes =
      test::ReadFile((RegressionsDir("image") / "raw_64x48_16bit_2ch.bin").string());
  ASSERT_GT(bytes.size(), 6u);
  const cv::Mat frame = fuzz::FrameFromFuzzBytes(bytes[0], bytes.data() + 1, bytes.size() - 1);
  ASSERT_EQ(frame.size(), cv::Size(64, 48));
  ASSERT_EQ(frame.type(), CV_16UC2);
  InputSpec spec;
  Dsp dsp(spec, CropMode::kFitShortest);
  std::vector<int8_t> input(spec.bytes(), 0);
  try {
    dsp.Run(frame, input.data());
    ADD_FAILURE() << "a 16-bit 2-channel frame was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported frame format"), std::string::npos)
        << e.what();
  }
}

TEST(FuzzRegressions, OddFramesThroughTheDsp) {
  // The shapes the issue names, built directly (raw variant, bit 4): each
  // either fills the 96x96 input or is rejected with a vww::Error.
  struct Case {
    int width, height, type;
    bool accepted;
  };
  const Case cases[] = {{1, 1, CV_8UC1, true},     {1, 10000, CV_8UC1, true},
                        {10000, 1, CV_8UC3, true}, {3, 2, CV_8UC4, true},
                        {64, 48, CV_16UC1, false}, {64, 48, CV_8UC2, false},
                        {64, 48, CV_32FC3, false}};
  for (const Case& c : cases) {
    for (CropMode crop : {CropMode::kFitShortest, CropMode::kFitLongest, CropMode::kSquash}) {
      SCOPED_TRACE(std::to_string(c.width) + "x" + std::to_string(c.height) + " type " +
                   std::to_string(c.type) + " " + CropModeName(crop));
      cv::Mat frame(c.height, c.width, c.type, cv::Scalar::all(200));
      InputSpec spec;
      Dsp dsp(spec, crop);
      std::vector<int8_t> input(spec.bytes(), 0);
      bool accepted = true;
      try {
        dsp.Run(frame, input.data());
      } catch (const Error& e) {
        accepted = false;
        EXPECT_NE(std::string(e.what()).find("unsupported frame format"), std::string::npos);
      }
      EXPECT_EQ(accepted, c.accepted);
      if (accepted && crop != CropMode::kFitLongest) {
        // A flat 200 frame is 200 - 128 = 72 everywhere once cropped and resized.
        EXPECT_EQ(*std::min_element(input.begin(), input.end()), 72);
        EXPECT_EQ(*std::max_element(input.begin(), input.end()), 72);
      }
    }
  }
}

}  // namespace
}  // namespace vww
