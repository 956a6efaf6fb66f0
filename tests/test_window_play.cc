// The demo as a newcomer sees it: in a window a file plays at its own frame
// rate with every frame shown, and the window fits the screen.
#include <cstdlib>
#include <fstream>
#include <opencv2/core.hpp>
#include <sstream>

#include "run_vww.h"
#include "test_util.h"
#include "ui/screen_fit.h"
#include "video_reference.h"

namespace vww {
namespace {

using test::ReadText;
using test::Scratch;

bool HaveProgram(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

// Hand-computed: the usable part of the display is 90% x 85% of it.
TEST(FitToDisplay, ScalesDownOnlyWhatDoesNotFit) {
  // 768x576 on 1280x720: usable 1152x612, fits.
  EXPECT_EQ(FitToDisplay({768, 576}, {1280, 720}), cv::Size(768, 576));
  // 1920x1080 on 1366x768: usable 1229.4x652.8, scale 652.8/1080 -> 1160x652.
  EXPECT_EQ(FitToDisplay({1920, 1080}, {1366, 768}), cv::Size(1160, 652));
  // 768x576 on 640x480: usable 576x408, scale 408/576 -> 544x408.
  EXPECT_EQ(FitToDisplay({768, 576}, {640, 480}), cv::Size(544, 408));
  // A tall frame on a wide display: the height decides.
  EXPECT_EQ(FitToDisplay({480, 1000}, {1000, 1000}), cv::Size(408, 850));
  // Unknown display: unchanged.
  EXPECT_EQ(FitToDisplay({1920, 1080}, {}), cv::Size(1920, 1080));
}

// The "  person: 0.xxxxx" lines of a run, in order.
std::string PersonLines(const std::string& out) {
  std::stringstream in(out), kept;
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("  person: ", 0) == 0) kept << line << "\n";
  return kept.str();
}

// TFLite Micro's scores of the first n frames of the person video.
std::string ReferencePersonLines(int n) {
  std::ifstream in(test::DataDir() + "/reference/vtest_person.crop.csv");
  std::string line;
  std::getline(in, line);
  std::ostringstream out;
  for (int i = 0; i < n && std::getline(in, line); ++i) {
    const int q = std::stoi(line.substr(line.find(',', line.find(',') + 1) + 1));
    char buf[32];
    std::snprintf(buf, sizeof buf, "  person: %.5f\n", (q + 128) / 256.0);
    out << buf;
  }
  return out.str();
}

// The scores a window run of the first n frames must print: TFLite Micro's
// where the video decodes to the reference's bytes, elsewhere (arm64's FFmpeg)
// the reference backend's on this decoder's frames, headless (see
// test::VideoDecodesLikeReference).
std::string ExpectedPersonLines(int n) {
  if (test::VideoDecodesLikeReference()) return ReferencePersonLines(n);
  const test::VwwResult r =
      test::RunVww("run --headless --backend reference --frames " + std::to_string(n) +
                   " --source " + test::AssetsDir() + "/vtest_person.avi");
  EXPECT_EQ(r.code, 0) << r.err;
  return PersonLines(r.out);
}

// Under Xvfb on a 640x480 screen, the 768x576 sample video at 10 fps: the
// window opens scaled to fit, every frame is shown and scored (the scores are
// TFLite Micro's, frame for frame), and 25 frames, whose timestamps span
// 2.4 s, cannot take less than that (pacing waits; nothing here bounds how
// slow it may be). --fast shows the same frames and scores.
TEST(WindowPlay, FileAtItsOwnRateEveryFrameInAWindowThatFits) {
  if (!HaveProgram("xvfb-run") || !HaveProgram("xdotool")) {
    if (std::getenv("CI") && std::string(std::getenv("CI")) == "true")
      FAIL() << "xvfb-run or xdotool missing with CI=true";
    GTEST_SKIP() << "xvfb-run or xdotool missing (scripts/install-deps.sh installs them)";
  }
  Scratch dir;
  constexpr int kFrames = 25;
  const std::string video = test::AssetsDir() + "/vtest_person.avi";
  std::ofstream(dir("play.sh"))
      << "cd '" << dir.path().string() << "'\n"
      << "for mode in paced fast; do\n"
      << "  extra=; [ $mode = fast ] && extra=--fast\n"
      << "  '" << VWW_BINARY << "' run --frames " << kFrames << " $extra --source '" << video
      << "' --screenshot $mode.png >$mode.out 2>$mode.err &\n"
      << "  pid=$!\n"
      << "  w=$(timeout 60 xdotool search --sync --onlyvisible --name 'VWW Live' | head -1)\n"
      << "  [ -n \"$w\" ] && xdotool getwindowgeometry --shell $w >$mode.geometry\n"
      // --screenshot keeps the last frame up until q: wait for the file, quit.
      << "  i=0; while [ ! -f $mode.png ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
      << "  xdotool key --window $w q 2>/dev/null || kill -INT $pid\n"
      << "  i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); "
         "done\n"
      << "  kill -INT $pid 2>/dev/null; wait $pid; echo $? >$mode.rc\n"
      << "done\n";
  const std::string cmd = "timeout 280 xvfb-run -a -s '-screen 0 640x480x24' sh '" +
                          dir("play.sh") + "' >" + dir("xvfb.txt") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadText(dir("xvfb.txt"));
  const std::string want = ExpectedPersonLines(kFrames);
  for (const char* mode : {"paced", "fast"}) {
    const std::string m = mode;
    SCOPED_TRACE(m);
    EXPECT_EQ(ReadText(dir(m + ".rc")), "0\n") << ReadText(dir(m + ".err"));
    EXPECT_EQ(PersonLines(ReadText(dir(m + ".out"))), want);
    // The window: scaled to fit the 640x480 screen.
    const std::string g = ReadText(dir(m + ".geometry"));
    int w = 0, h = 0;
    std::stringstream in(g);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("WIDTH=", 0) == 0) w = std::stoi(line.substr(6));
      if (line.rfind("HEIGHT=", 0) == 0) h = std::stoi(line.substr(7));
    }
    // FitToDisplay's 544x408 (hand-computed above); Xvfb has no window
    // manager to change it.
    EXPECT_EQ(w, 544) << g;
    EXPECT_EQ(h, 408) << g;
  }
  // "summary: 25 frames in 2.61 s (9.6 fps), ..."
  const std::string err = ReadText(dir("paced.err"));
  const size_t at = err.find("summary: " + std::to_string(kFrames) + " frames in ");
  ASSERT_NE(at, std::string::npos) << err;
  const double wall_s = std::stod(err.substr(at + std::string("summary: 25 frames in ").size()));
  // The summary's clock runs from the first frame to the start of the last
  // one's display wait: at least 23 frame periods.
  EXPECT_GE(wall_s, (kFrames - 2) / 10.0) << err;
}

}  // namespace
}  // namespace vww
