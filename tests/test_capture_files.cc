// File sources: every frame in order, deterministic, and clear errors.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "pipeline/capture/frame_source.h"
#include "tests/test_util.h"

namespace vww {
namespace {

namespace fs = std::filesystem;

std::string CityVideo() { return test::DataDir() + "/city_no_person.mpg"; }

// Frame rows of a reference CSV (header and "#meta" lines left out).
int ReferenceFrames(const std::string& csv) {
  std::ifstream in(csv);
  std::string line;
  int rows = 0;
  std::getline(in, line);  // header
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') ++rows;
  return rows;
}

std::unique_ptr<FrameSource> Open(const std::string& source) {
  SourceOptions options;
  options.source = source;
  return OpenSource(options);
}

// A scratch folder removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("vww_capture_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// An image whose every pixel is `value`, so frames can be told apart.
void WriteImage(const std::string& path, int value) {
  ASSERT_TRUE(cv::imwrite(path, cv::Mat(8, 12, CV_8UC3, cv::Scalar(value, value, value))));
}

TEST(CaptureFiles, VideoHasEveryFrameInOrder) {
  auto source = Open(CityVideo());
  EXPECT_FALSE(source->is_live());
  EXPECT_DOUBLE_EQ(source->fps(), 25.0);
  Frame frame;
  int64_t n = 0;
  while (source->Read(&frame)) {
    ASSERT_EQ(frame.index, n);
    EXPECT_DOUBLE_EQ(frame.timestamp_ms, n * 1000.0 / 25.0);
    EXPECT_EQ(frame.dropped, 0);
    EXPECT_EQ(frame.image.type(), CV_8UC3);
    EXPECT_EQ(frame.image.size(), cv::Size(720, 405));
    ++n;
  }
  EXPECT_EQ(n, ReferenceFrames(test::DataDir() + "/reference/city_no_person.crop.csv"));
  EXPECT_FALSE(source->Read(&frame));  // stays at the end
}

TEST(CaptureFiles, VideoIsDeterministic) {
  auto a = Open(CityVideo());
  auto b = Open(CityVideo());
  Frame fa, fb;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(a->Read(&fa));
    ASSERT_TRUE(b->Read(&fb));
    ASSERT_EQ(cv::norm(fa.image, fb.image, cv::NORM_INF), 0) << "frame " << i;
  }
}

TEST(CaptureFiles, VideoLoopRestartsWithTheSameFrames) {
  SourceOptions options;
  options.source = CityVideo();
  options.loop = true;
  auto source = OpenSource(options);
  Frame frame;
  ASSERT_TRUE(source->Read(&frame));
  const cv::Mat first = frame.image.clone();
  const int frames = ReferenceFrames(test::DataDir() + "/reference/city_no_person.crop.csv");
  for (int i = 1; i < frames; ++i) ASSERT_TRUE(source->Read(&frame));
  ASSERT_TRUE(source->Read(&frame));  // the first frame again
  EXPECT_EQ(frame.index, frames);     // indices keep counting
  EXPECT_EQ(cv::norm(frame.image, first, cv::NORM_INF), 0);
}

TEST(CaptureFiles, ImageIsOneFrame) {
  const std::string path = test::ImagesDir() + "/person/messi5.jpg";
  auto source = Open(path);
  Frame frame;
  ASSERT_TRUE(source->Read(&frame));
  EXPECT_EQ(frame.index, 0);
  EXPECT_EQ(cv::norm(frame.image, cv::imread(path, cv::IMREAD_COLOR), cv::NORM_INF), 0);
  EXPECT_FALSE(source->Read(&frame));
}

TEST(CaptureFiles, ImageLoopRepeats) {
  SourceOptions options;
  options.source = test::ImagesDir() + "/person.bmp";
  options.loop = true;
  auto source = OpenSource(options);
  Frame frame;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(source->Read(&frame));
    EXPECT_EQ(frame.index, i);
  }
}

TEST(CaptureFiles, FolderSortedByNameSkippingOtherFiles) {
  TempDir dir;
  WriteImage(dir.Path("b.png"), 20);
  WriteImage(dir.Path("a.png"), 10);
  WriteImage(dir.Path("c.bmp"), 30);
  std::ofstream(dir.Path("0_notes.txt")) << "not an image\n";
  std::ofstream(dir.Path("fake.png")) << "not a png either\n";
  fs::create_directory(dir.Path("sub"));
  auto source = Open(dir.path());
  std::vector<int> values;
  Frame frame;
  while (source->Read(&frame)) {
    EXPECT_EQ(frame.index, static_cast<int64_t>(values.size()));
    values.push_back(frame.image.at<cv::Vec3b>(0, 0)[0]);
  }
  EXPECT_EQ(values, (std::vector<int>{10, 20, 30}));
}

TEST(CaptureFiles, FolderLoop) {
  TempDir dir;
  WriteImage(dir.Path("1.png"), 1);
  WriteImage(dir.Path("2.png"), 2);
  SourceOptions options;
  options.source = dir.path();
  options.loop = true;
  auto source = OpenSource(options);
  std::vector<int> values;
  Frame frame;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(source->Read(&frame));
    values.push_back(frame.image.at<cv::Vec3b>(0, 0)[0]);
  }
  EXPECT_EQ(values, (std::vector<int>{1, 2, 1, 2, 1}));
}

TEST(CaptureFiles, EmptyFolderIsAnError) {
  TempDir dir;
  std::ofstream(dir.Path("readme.txt")) << "hello\n";
  try {
    Open(dir.path());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no images"), std::string::npos) << e.what();
  }
}

TEST(CaptureFiles, MissingFileIsAOneLineError) {
  const std::string path = "/nonexistent/clip.mp4";
  try {
    Open(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message, path + ": no such file, folder or camera");
  }
}

TEST(CaptureFiles, UndecodableFileIsAnError) {
  TempDir dir;
  std::ofstream(dir.Path("junk.mp4")) << "this is not a video\n";
  try {
    Open(dir.Path("junk.mp4"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("junk.mp4"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(CaptureFiles, RealtimeDropsLikeACamera) {
  SourceOptions options;
  options.source = CityVideo();
  options.realtime = true;
  auto source = OpenSource(options);
  EXPECT_TRUE(source->is_live());
  Frame frame;
  int64_t last = -1;
  int reads = 0;
  // Consuming at well under the file's 25 fps must drop frames and never
  // hand on an older frame.
  while (source->Read(&frame) && reads < 12) {
    EXPECT_GT(frame.index, last);
    last = frame.index;
    ++reads;
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
  }
  EXPECT_GT(frame.dropped, 0);
  EXPECT_GT(last, reads - 1);
}

TEST(CaptureFiles, GStreamer) {
  // Either the pipeline plays or the error says GStreamer is missing.
  SourceOptions options;
  options.source = "gst:videotestsrc num-buffers=3 ! video/x-raw,width=64,height=48 ! videoconvert ! appsink";
  try {
    auto source = OpenSource(options);
    Frame frame;
    int n = 0;
    while (source->Read(&frame)) ++n;
    EXPECT_EQ(n, 3);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GStreamer"), std::string::npos) << e.what();
  }
}

TEST(CaptureFiles, UnknownCaptureBackend) {
  SourceOptions options;
  options.source = CityVideo();
  options.capture = "directshow";
  EXPECT_THROW(OpenSource(options), Error);
}

}  // namespace
}  // namespace vww
