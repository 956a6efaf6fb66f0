// `vww run` with its window, end to end: the window under Xvfb grabbed from
// the X server, keys typed into it, the annotated screenshot, and the console
// output without a display.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "ui/overlay.h"

namespace vww {
namespace {

namespace fs = std::filesystem;

std::string PersonVideo() { return test::AssetsDir() + "/vtest_person.avi"; }

using test::ReadText;
using test::Scratch;

// Where test artefacts go: <build>/artefacts (the vww binary is <build>/app/vww).
fs::path ArtefactDir() {
  const fs::path dir = fs::path(VWW_BINARY).parent_path().parent_path() / "artefacts";
  fs::create_directories(dir);
  return dir;
}

// An X window dump (xwd -root) as an 8-bit BGR image. Only the TrueColor,
// 32 bits per pixel ZPixmap layout that Xvfb -screen WxHx24 produces.
cv::Mat ReadXwd(const std::string& path, std::string* error) {
  const std::vector<uint8_t> d = test::ReadFile(path);
  auto be32 = [&d](size_t at) {
    return static_cast<uint32_t>(d[at]) << 24 | static_cast<uint32_t>(d[at + 1]) << 16 |
           static_cast<uint32_t>(d[at + 2]) << 8 | static_cast<uint32_t>(d[at + 3]);
  };
  if (d.size() < 100) return *error = "short file", cv::Mat();
  // XWDFileHeader: 25 big-endian CARD32 fields.
  const uint32_t header_size = be32(0), version = be32(4), format = be32(8);
  const uint32_t width = be32(16), height = be32(20), byte_order = be32(28);
  const uint32_t bits_per_pixel = be32(44), bytes_per_line = be32(48);
  const uint32_t masks[3] = {be32(56), be32(60), be32(64)};  // red, green, blue
  const uint32_t ncolors = be32(76);
  // Xvfb's 24-bit screens may pack 3 bytes a pixel (rows still padded).
  const uint32_t pixel_bytes = bits_per_pixel / 8;
  if (version != 7 || format != 2 || (bits_per_pixel != 24 && bits_per_pixel != 32))
    return *error = "unsupported xwd layout", cv::Mat();
  const size_t start = header_size + static_cast<size_t>(ncolors) * 12;
  if (d.size() < start + static_cast<size_t>(bytes_per_line) * height)
    return *error = "truncated pixels", cv::Mat();
  int shift[3];
  for (int c = 0; c < 3; ++c) {
    if (masks[c] == 0) return *error = "no colour mask", cv::Mat();
    shift[c] = __builtin_ctz(masks[c]);
  }
  cv::Mat img(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      const uint8_t* p = &d[start + y * bytes_per_line + x * pixel_bytes];
      uint32_t v = 0;
      for (uint32_t b = 0; b < pixel_bytes; ++b)  // byte_order 0: LSBFirst
        v |= static_cast<uint32_t>(p[byte_order == 0 ? b : pixel_bytes - 1 - b]) << (8 * b);
      cv::Vec3b& o = img.at<cv::Vec3b>(static_cast<int>(y), static_cast<int>(x));
      o[2] = static_cast<uint8_t>((v & masks[0]) >> shift[0]);
      o[1] = static_cast<uint8_t>((v & masks[1]) >> shift[1]);
      o[0] = static_cast<uint8_t>((v & masks[2]) >> shift[2]);
    }
  }
  return img;
}

cv::Vec3b Bgr(const cv::Scalar& s) {
  return cv::Vec3b(static_cast<uint8_t>(s[0]), static_cast<uint8_t>(s[1]),
                   static_cast<uint8_t>(s[2]));
}

// The bounding box of the pixels of exactly one colour.
cv::Rect BoxOfColour(const cv::Mat& img, const cv::Scalar& colour) {
  cv::Mat mask;
  cv::inRange(img, colour, colour, mask);
  std::vector<cv::Point> pts;
  cv::findNonZero(mask, pts);
  return pts.empty() ? cv::Rect() : cv::boundingRect(pts);
}

double StdDev(const cv::Mat& img) {
  cv::Scalar mean, dev;
  cv::meanStdDev(img, mean, dev);
  return (dev[0] + dev[1] + dev[2]) / 3.0;
}

// Frame `index` of a video, decoded independently of vww.
cv::Mat VideoFrame(const std::string& path, int index) {
  cv::VideoCapture cap(path);
  cv::Mat f;
  for (int i = 0; i <= index; ++i)
    if (!cap.read(f)) return cv::Mat();
  return f;
}

// The frame and overlay on an annotated 768x576 frame of the person video
// whose state is awake: border in the wake colour, the model input inset
// showing a picture, and the picture itself where nothing is drawn.
void ExpectAnnotatedAwakeFrame(const cv::Mat& shown, const cv::Mat& source_frame) {
  ASSERT_EQ(shown.size(), source_frame.size());
  const OverlayLayout L = ComputeLayout(shown.size(), {96, 96});
  const cv::Vec3b awake = Bgr(kAwakeColor);
  for (const cv::Point p :
       {cv::Point(1, 1), cv::Point(shown.cols - 2, shown.rows / 2),
        cv::Point(shown.cols / 2, shown.rows - 2), cv::Point(1, shown.rows / 3)})
    EXPECT_EQ(shown.at<cv::Vec3b>(p), awake) << "border at " << p;
  EXPECT_GT(StdDev(shown(L.inset)), 10.0) << "the model input inset is not a picture";
  // Between the panel and the plot, inside the crop: the untouched frame.
  const cv::Rect free(shown.cols / 2 - 60, L.panel.y + L.panel.height + 20, 120,
                      L.plot.y - (L.panel.y + L.panel.height) - 60);
  ASSERT_GT(free.height, 20);
  cv::Mat diff;
  cv::absdiff(shown(free), source_frame(free), diff);
  EXPECT_EQ(cv::countNonZero(diff.reshape(1)), 0) << "the frame is not shown as decoded";
}

// stdout without the timing lines, which differ from run to run.
std::string WithoutTimings(const std::string& out) {
  std::stringstream in(out), kept;
  std::string line;
  while (std::getline(in, line))
    if (line.find(" ms") == std::string::npos && line.find("Timing") == std::string::npos)
      kept << line << "\n";
  return kept.str();
}

// Runs `vww run` under Xvfb with a window, waits until it has saved the image
// it shows (--screenshot), grabs the whole X screen with xwd while the window
// still shows it, then stops vww with SIGINT.
TEST(RunWindow, XvfbScreenGrabShowsTheFrameAndTheOverlay) {
  if (!test::HaveTools({"xvfb-run", "xauth", "xwd"})) return;
  Scratch dir;
  constexpr int kFrames = 60;  // the person video wakes at frame 45
  std::ofstream(dir("grab.sh"))
      << "cd '" << dir.path().string() << "'\n"
      << "'" << VWW_BINARY << "' run --source '" << PersonVideo() << "' --frames " << kFrames
      << " --screenshot shown.png >stdout.txt 2>stderr.txt &\n"
      << "pid=$!\n"
      << "i=0; while [ ! -f shown.png ] && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do "
         "sleep 0.1; i=$((i+1)); done\n"
      << "sleep 0.5\n"  // the saved image is on screen already; let the X server settle
      << "xwd -root -silent -display \"$DISPLAY\" -out screen.xwd\n"
      << "kill -INT $pid\n"
      << "wait $pid; echo $? >vww_rc.txt\n";
  const std::string cmd = "timeout 120 xvfb-run -a -s '-screen 0 1280x720x24' sh '" +
                          dir("grab.sh") + "' >" + dir("xvfb.txt") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadText(dir("xvfb.txt"));
  ASSERT_EQ(ReadText(dir("vww_rc.txt")), "0\n") << ReadText(dir("stderr.txt"));
  // The window does not change what goes to stdout.
  const std::string out = ReadText(dir("stdout.txt"));
  EXPECT_NE(out.find("WAKE (frame 45"), std::string::npos) << out;

  const cv::Mat shown = cv::imread(dir("shown.png"));
  ASSERT_FALSE(shown.empty()) << ReadText(dir("stderr.txt"));
  std::string error;
  const cv::Mat screen = ReadXwd(dir("screen.xwd"), &error);
  ASSERT_FALSE(screen.empty()) << error;
  cv::imwrite((ArtefactDir() / "run_window.png").string(), screen);
  cv::imwrite((ArtefactDir() / "run_window_shown.png").string(), shown);

  // What vww drew: the frame and the overlay.
  const cv::Mat source = VideoFrame(PersonVideo(), kFrames - 1);
  ExpectAnnotatedAwakeFrame(shown, source);

  // What the X server shows: the window, found by its wake-colour border,
  // holding exactly that image (no toolbar, no scaling at this size).
  const cv::Rect window = BoxOfColour(screen, kAwakeColor);
  ASSERT_EQ(window.size(), shown.size()) << "wake-colour box on screen: " << window;
  cv::Mat diff;
  cv::absdiff(screen(window), shown, diff);
  EXPECT_EQ(cv::countNonZero(diff.reshape(1)), 0) << "the screen differs from the image shown";
  // And the rest of the screen is not what made the match: the window is a picture.
  EXPECT_GT(StdDev(screen(window)), 20.0);
}

// Keys typed into the window under Xvfb (xdotool, through XTEST as a user
// would): snapshot, threshold, crop, mirror, help, pause and quit.
TEST(RunWindow, XvfbKeysAct) {
  if (!test::HaveTools({"xvfb-run", "xauth", "xdotool"})) return;
  Scratch dir;
  std::ofstream(dir("keys.sh"))
      << "cd '" << dir.path().string() << "'\n"
      << "'" << VWW_BINARY << "' run --quiet --loop --source '" << PersonVideo()
      << "' >stdout.txt 2>stderr.txt &\n"
      << "pid=$!\n"
      << "w=$(timeout 60 xdotool search --sync --onlyvisible --name 'VWW Live' | head -1)\n"
      << "[ -n \"$w\" ] || { kill -9 $pid; exit 3; }\n"
      << "xdotool windowfocus --sync $w\n"
      // Each key, then wait for what it says on stderr (not for a time):
      // under load a fixed pause let keys pile up or land before the window.
      << "key() { xdotool key $1; i=0; until grep -q \"$2\" stderr.txt; do\n"
      << "  [ $i -lt 600 ] || { echo \"no '$2' after key $1\" >&2; kill -9 $pid; exit 5; }\n"
      << "  sleep 0.1; i=$((i+1)); done; }\n"
      << "key s 'snapshot saved'; key plus 'threshold 0.65'; key c 'crop: fit-longest'\n"
      << "key m 'mirror on'; key h 'help shown'; key space '^paused'\n"
      // Paused: the window still answers; quit from the pause.
      << "xdotool key q\n"
      << "i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
      << "kill -9 $pid 2>/dev/null && exit 4\n"
      << "wait $pid; echo $? >vww_rc.txt\n";
  const std::string cmd = "timeout 120 xvfb-run -a -s '-screen 0 1280x720x24' sh '" +
                          dir("keys.sh") + "' >" + dir("xvfb.txt") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0)
      << ReadText(dir("xvfb.txt")) << ReadText(dir("stderr.txt"));
  EXPECT_EQ(ReadText(dir("vww_rc.txt")), "0\n");
  const std::string err = ReadText(dir("stderr.txt"));
  EXPECT_NE(err.find("threshold 0.65 (wake 0.65, sleep 0.45)"), std::string::npos) << err;
  EXPECT_NE(err.find("crop: fit-longest"), std::string::npos) << err;
  EXPECT_NE(err.find(", stopped"), std::string::npos) << err;  // the summary's end reason
  int annotated = 0, raw = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    const std::string name = e.path().filename().string();
    if (name.rfind("vww-snapshot-", 0) != 0) continue;
    const cv::Mat img = cv::imread(e.path().string());
    EXPECT_EQ(img.size(), cv::Size(768, 576)) << name;
    (name.find("-raw.png") != std::string::npos ? raw : annotated)++;
  }
  EXPECT_EQ(annotated, 1);
  EXPECT_EQ(raw, 1);
}

// Without a window, --screenshot still writes the annotated last frame.
TEST(RunWindow, HeadlessScreenshotIsTheAnnotatedLastFrame) {
  Scratch dir;
  const std::string cmd =
      std::string(VWW_BINARY) + " run --headless --quiet --frames 50 --source " + PersonVideo() +
      " --screenshot " + dir("shot.png") + " >" + dir("out.txt") + " 2>" + dir("err.txt");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadText(dir("err.txt"));
  const cv::Mat shot = cv::imread(dir("shot.png"));
  ASSERT_FALSE(shot.empty());
  ExpectAnnotatedAwakeFrame(shot, VideoFrame(PersonVideo(), 49));
}

// The window path (under Xvfb, the window seen on the X server) and the
// headless path print the same console output, frame for frame; so does a
// run without any display, which falls back to headless.
TEST(RunWindow, ConsoleOutputIsTheSameWithAWindowAndHeadless) {
  if (!test::HaveTools({"xvfb-run", "xauth", "xdotool"})) return;
  Scratch dir;
  const std::string run =
      "'" + std::string(VWW_BINARY) + "' run --frames 60 --source '" + PersonVideo() + "'";
  // xdotool waits (in the background) for the window while vww runs; its
  // window id in window.txt proves the window path was taken.
  std::ofstream(dir("window.sh"))
      << "cd '" << dir.path().string() << "'\n"
      << "timeout 60 xdotool search --sync --name 'VWW Live' >window.txt 2>/dev/null &\n"
      << "search=$!\n"
      << run << " >window_out.txt 2>window_err.txt; echo $? >vww_rc.txt\n"
      << "wait $search\n";
  const std::string cmd = "timeout 120 xvfb-run -a -s '-screen 0 1280x720x24' sh '" +
                          dir("window.sh") + "' >" + dir("xvfb.txt") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadText(dir("xvfb.txt"));
  ASSERT_EQ(ReadText(dir("vww_rc.txt")), "0\n") << ReadText(dir("window_err.txt"));
  EXPECT_FALSE(ReadText(dir("window.txt")).empty()) << "no window appeared under Xvfb";

  ASSERT_EQ(std::system((run + " --headless >" + dir("headless.txt") + " 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system(("env -u DISPLAY -u WAYLAND_DISPLAY " + run + " >" + dir("none.txt") +
                         " 2>/dev/null")
                            .c_str()),
            0);
  const std::string window = WithoutTimings(ReadText(dir("window_out.txt")));
  const std::string headless = WithoutTimings(ReadText(dir("headless.txt")));
  // 60 frames of Edge Impulse style output, with the wake at frame 45.
  EXPECT_NE(headless.find("WAKE (frame 45"), std::string::npos) << headless;
  EXPECT_EQ(window, headless);
  EXPECT_EQ(WithoutTimings(ReadText(dir("none.txt"))), headless);
}

}  // namespace
}  // namespace vww
