// The overlay, checked pixel by pixel on synthetic frames: no display needed.
// Positions come from ComputeLayout (tested for sanity separately), colours
// from the header, so a test fails when the drawing stops matching either.
#include <gtest/gtest.h>

#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "test_util.h"
#include "ui/ui.h"

namespace vww {
namespace {

const cv::Size kVga(640, 480);
const cv::Vec3b kGrey(160, 160, 160);

cv::Vec3b ToVec(const cv::Scalar& s) {
  return cv::Vec3b(static_cast<uchar>(s[0]), static_cast<uchar>(s[1]), static_cast<uchar>(s[2]));
}

cv::Mat GreyFrame(cv::Size size = kVga) { return cv::Mat(size, CV_8UC3, cv::Scalar::all(160)); }

// A 96x96 gray ramp in which every pixel differs from its neighbours, so a
// shifted or smoothed inset cannot match by accident.
cv::Mat RampImage() {
  cv::Mat m(96, 96, CV_8UC1);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) m.at<uchar>(y, x) = static_cast<uchar>((x * 2 + y * 5) % 256);
  return m;
}

// Number of pixels in r that differ from those of the same region of b.
int CountDiff(const cv::Mat& a, const cv::Mat& b, cv::Rect r) {
  cv::Mat diff;
  cv::absdiff(a(r), b(r), diff);
  cv::Mat gray;
  cv::cvtColor(diff, gray, cv::COLOR_BGR2GRAY);
  return cv::countNonZero(gray);
}

bool IsWhiteLine(const cv::Vec3b& p) { return p[0] >= 235 && p[1] >= 235 && p[2] >= 235; }

TEST(Overlay, GrayInputGivesBgrOfTheSameSize) {
  cv::Mat gray(kVga, CV_8UC1, cv::Scalar(90));
  OverlayState st;
  cv::Mat out = DrawOverlay(gray, st);
  EXPECT_EQ(out.size(), kVga);
  EXPECT_EQ(out.type(), CV_8UC3);

  cv::Mat bgra(cv::Size(320, 240), CV_8UC4, cv::Scalar(10, 20, 30, 255));
  out = DrawOverlay(bgra, st);
  EXPECT_EQ(out.size(), cv::Size(320, 240));
  EXPECT_EQ(out.type(), CV_8UC3);
}

TEST(Overlay, GrayFrameContentIsKeptWhereNothingIsDrawn) {
  // The centre of the frame is free of panels when nothing is paused or crop
  // outlined: the gray value must come through into all three channels.
  cv::Mat gray(kVga, CV_8UC1, cv::Scalar(90));
  cv::Mat out = DrawOverlay(gray, OverlayState{});
  EXPECT_EQ(out.at<cv::Vec3b>(300, 320), cv::Vec3b(90, 90, 90));
}

TEST(Overlay, BorderIsAwakeColorWhenAwake) {
  OverlayState st;
  st.awake = true;
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const OverlayLayout L = ComputeLayout(kVga, {});
  ASSERT_GE(L.border, 2);
  const cv::Vec3b awake = ToVec(kAwakeColor);
  EXPECT_EQ(out.at<cv::Vec3b>(240, 0), awake);                     // left
  EXPECT_EQ(out.at<cv::Vec3b>(240, L.border - 1), awake);          // left, inner edge
  EXPECT_EQ(out.at<cv::Vec3b>(240, 639), awake);                   // right
  EXPECT_EQ(out.at<cv::Vec3b>(479, 320), awake);                   // bottom
  EXPECT_EQ(out.at<cv::Vec3b>(0, 320), awake);                     // top
  EXPECT_NE(out.at<cv::Vec3b>(300, L.border + 40), awake);         // not the whole frame
}

TEST(Overlay, BorderIsAsleepColorWhenAsleep) {
  OverlayState st;
  st.awake = false;
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const cv::Vec3b asleep = ToVec(kAsleepColor);
  EXPECT_NE(asleep, ToVec(kAwakeColor));
  EXPECT_NE(asleep, kGrey);
  EXPECT_EQ(out.at<cv::Vec3b>(240, 0), asleep);
  EXPECT_EQ(out.at<cv::Vec3b>(240, 639), asleep);
  EXPECT_EQ(out.at<cv::Vec3b>(479, 320), asleep);
}

TEST(Overlay, BannerShowsWakeStateInColourAndWords) {
  OverlayState st;
  st.awake = true;
  cv::Mat awake = DrawOverlay(GreyFrame(), st);
  st.awake = false;
  cv::Mat asleep = DrawOverlay(GreyFrame(), st);
  const OverlayLayout L = ComputeLayout(kVga, {});
  ASSERT_FALSE(L.banner.empty());
  const cv::Point corner(L.banner.x + 3, L.banner.y + 3);  // no text there when fps is 0
  EXPECT_EQ(awake.at<cv::Vec3b>(corner), ToVec(kAwakeColor));
  EXPECT_EQ(asleep.at<cv::Vec3b>(corner), ToVec(kAsleepColor));
  // Words: the centre of the banner holds text that is not the fill colour.
  const cv::Rect middle(L.banner.x + L.banner.width / 4, L.banner.y, L.banner.width / 2,
                        L.banner.height);
  cv::Mat fill(awake.size(), CV_8UC3, kAwakeColor);
  EXPECT_GT(CountDiff(awake, fill, middle), 200);
}

TEST(Overlay, InsetIsTheModelImageScaledByNearestNeighbour) {
  OverlayState st;
  st.model_image = RampImage();
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const OverlayLayout L = ComputeLayout(kVga, st.model_image.size());
  ASSERT_EQ(L.inset_zoom, 2);  // 96 -> 192 on a 480-row frame
  ASSERT_EQ(L.inset.size(), cv::Size(192, 192));
  // Top right corner, below the banner.
  EXPECT_GT(L.inset.x, 640 / 2);
  EXPECT_GE(L.inset.y, L.banner.y + L.banner.height);
  EXPECT_LT(L.inset.y + L.inset.height, L.plot.y);
  int wrong = 0;
  for (int y = 0; y < L.inset.height; ++y)
    for (int x = 0; x < L.inset.width; ++x) {
      const uchar v = st.model_image.at<uchar>(y / 2, x / 2);
      if (out.at<cv::Vec3b>(L.inset.y + y, L.inset.x + x) != cv::Vec3b(v, v, v)) ++wrong;
    }
  EXPECT_EQ(wrong, 0);
  // And it is framed: the pixel just outside is not the frame background.
  EXPECT_NE(out.at<cv::Vec3b>(L.inset.y + 10, L.inset.x - 1), kGrey);
}

TEST(Overlay, InsetKeepsModelColours) {
  cv::Mat bgr(96, 96, CV_8UC3);
  for (int y = 0; y < 96; ++y)
    for (int x = 0; x < 96; ++x) bgr.at<cv::Vec3b>(y, x) = cv::Vec3b(x, y, 255 - x);
  OverlayState st;
  st.model_image = bgr;
  cv::Mat out = DrawOverlay(GreyFrame(cv::Size(1280, 720)), st);
  const OverlayLayout L = ComputeLayout(cv::Size(1280, 720), bgr.size());
  ASSERT_EQ(L.inset_zoom, 3);
  EXPECT_EQ(out.at<cv::Vec3b>(L.inset.y + 0, L.inset.x + 0), bgr.at<cv::Vec3b>(0, 0));
  EXPECT_EQ(out.at<cv::Vec3b>(L.inset.y + 2, L.inset.x + 5), bgr.at<cv::Vec3b>(0, 1));
  EXPECT_EQ(out.at<cv::Vec3b>(L.inset.y + 287, L.inset.x + 287), bgr.at<cv::Vec3b>(95, 95));
  EXPECT_EQ(out.at<cv::Vec3b>(L.inset.y + 150, L.inset.x + 31), bgr.at<cv::Vec3b>(50, 10));
}

// Scores low for the first 5 s, high (and awake) for the last 5 s.
OverlayState PlotState() {
  OverlayState st;
  st.threshold = 0.5f;
  st.wake_threshold = 0.5f;
  for (int t = 0; t <= 10000; t += 100) {
    const bool high = t >= 5000;
    PushScore(&st.history, {static_cast<double>(t), high ? 0.9f : 0.1f, high}, 10000);
  }
  return st;
}

TEST(Overlay, PlotLineIsAboveTheThresholdWhereScoresWereHigh) {
  OverlayState st = PlotState();
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const cv::Rect P = ComputeLayout(kVga, {}).plot_data;
  ASSERT_FALSE(P.empty());
  const int mid = P.y + P.height / 2;  // threshold 0.5
  // Columns at 6..9.5 s and at 0.5..4 s of the 10 s window.
  auto white_above = [&](int x) {
    for (int y = P.y; y < mid - 2; ++y)
      if (IsWhiteLine(out.at<cv::Vec3b>(y, x))) return true;
    return false;
  };
  auto white_below = [&](int x) {
    for (int y = mid + 3; y < P.y + P.height; ++y)
      if (IsWhiteLine(out.at<cv::Vec3b>(y, x))) return true;
    return false;
  };
  for (double f : {0.6, 0.7, 0.8, 0.95}) {
    const int x = P.x + static_cast<int>(f * P.width);
    EXPECT_TRUE(white_above(x)) << "high score not plotted above the threshold at " << f;
    EXPECT_FALSE(white_below(x)) << f;
  }
  for (double f : {0.05, 0.2, 0.3, 0.4}) {
    const int x = P.x + static_cast<int>(f * P.width);
    EXPECT_FALSE(white_above(x)) << "low score plotted above the threshold at " << f;
    EXPECT_TRUE(white_below(x)) << f;
  }
  // The threshold line itself: yellow-ish pixels on the middle row somewhere.
  int yellow = 0;
  for (int x = P.x; x < P.x + P.width; ++x) {
    const cv::Vec3b p = out.at<cv::Vec3b>(mid, x);
    if (p[2] > 180 && p[1] > 150 && p[0] < 100) ++yellow;
  }
  EXPECT_GT(yellow, P.width / 4);
}

TEST(Overlay, PlotShadesAwakePeriods) {
  OverlayState st = PlotState();
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const cv::Rect P = ComputeLayout(kVga, {}).plot_data;
  // A row between the line levels, away from the caption and the threshold.
  const int y = P.y + P.height * 3 / 4 - 4;
  const cv::Vec3b awake = out.at<cv::Vec3b>(y, P.x + static_cast<int>(0.75 * P.width));
  const cv::Vec3b asleep = out.at<cv::Vec3b>(y, P.x + static_cast<int>(0.25 * P.width) + 5);
  EXPECT_GT(awake[1], awake[0] + 30) << awake;  // green tint
  EXPECT_LT(std::abs(asleep[1] - asleep[0]), 5) << asleep;
}

TEST(Overlay, LabelTextIsDrawnAndFollowsTheLabel) {
  OverlayState st;
  st.top_label = "person";
  st.confidence = 0.94f;
  cv::Mat person = DrawOverlay(GreyFrame(), st);
  st.top_label = "no person";
  cv::Mat nobody = DrawOverlay(GreyFrame(), st);
  const OverlayLayout L = ComputeLayout(kVga, {});
  // White text pixels in the label area.
  int bright = 0;
  for (int y = L.label.y; y < L.label.y + L.label.height; ++y)
    for (int x = L.label.x; x < L.label.x + L.label.width; ++x)
      if (IsWhiteLine(person.at<cv::Vec3b>(y, x))) ++bright;
  EXPECT_GT(bright, 100);
  EXPECT_GT(CountDiff(person, nobody, L.label), 100);
  // Large: the label box is at least a tenth of the frame height.
  EXPECT_GE(L.label.height * 10, 480);
}

TEST(Overlay, ConfidenceBarFillsInProportion) {
  OverlayState st;
  st.threshold = 0.5f;
  st.confidence = 0.8f;
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const cv::Rect bar = ComputeLayout(kVga, {}).bar;
  const int y = bar.y + bar.height / 2;
  EXPECT_EQ(out.at<cv::Vec3b>(y, bar.x + bar.width * 7 / 10), ToVec(kAwakeColor));
  EXPECT_NE(out.at<cv::Vec3b>(y, bar.x + bar.width * 9 / 10), ToVec(kAwakeColor));
  st.confidence = 0.3f;  // below the threshold: not green
  out = DrawOverlay(GreyFrame(), st);
  EXPECT_NE(out.at<cv::Vec3b>(y, bar.x + bar.width / 10), ToVec(kAwakeColor));
}

TEST(Overlay, TimingTextChangesWithTheNumbers) {
  OverlayState st;
  st.dsp_ms = 0.123;
  st.classification_ms = 4.5;
  cv::Mat a = DrawOverlay(GreyFrame(), st);
  st.dsp_ms = 9.876;
  cv::Mat b = DrawOverlay(GreyFrame(), st);
  const OverlayLayout L = ComputeLayout(kVga, {});
  const cv::Rect below_bar(L.panel.x, L.bar.y + L.bar.height, L.panel.width,
                           L.panel.y + L.panel.height - L.bar.y - L.bar.height);
  EXPECT_GT(CountDiff(a, b, below_bar), 20);
}

TEST(Overlay, MirrorFlipsTheFrameButNotTheText) {
  cv::Mat frame(kVga, CV_8UC3);
  for (int x = 0; x < frame.cols; ++x)
    frame.col(x).setTo(cv::Scalar(x % 256, (x * 3) % 256, 255 - x % 256));
  OverlayState st;
  cv::Mat plain = DrawOverlay(frame, st);
  st.mirror = true;
  cv::Mat mirrored = DrawOverlay(frame, st);
  const int y = 300;  // between the panels and the plot
  for (int x = 100; x < 540; x += 7) {
    EXPECT_EQ(plain.at<cv::Vec3b>(y, x), frame.at<cv::Vec3b>(y, x)) << x;
    EXPECT_EQ(mirrored.at<cv::Vec3b>(y, x), frame.at<cv::Vec3b>(y, 639 - x)) << x;
  }
  // The banner is the same either way: text is drawn after the flip.
  const cv::Rect banner = ComputeLayout(kVga, {}).banner;
  EXPECT_EQ(CountDiff(plain, mirrored, banner), 0);
}

TEST(Overlay, CropRectangleIsOutlinedAndTheRestDimmed) {
  OverlayState st;
  st.crop = cv::Rect(40, 250, 100, 100);  // left side, clear of the panels
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const cv::Vec3b outline = out.at<cv::Vec3b>(300, 40);
  const cv::Vec3b dimmed = out.at<cv::Vec3b>(300, 320);
  EXPECT_EQ(out.at<cv::Vec3b>(300, 90), kGrey);  // inside: exactly what the model sees
  EXPECT_LT(dimmed[0], kGrey[0] - 30);           // outside: darker
  EXPECT_EQ(dimmed[0], dimmed[2]);               //   but not tinted
  EXPECT_NE(outline, kGrey);
  EXPECT_NE(outline, dimmed);
  EXPECT_EQ(out.at<cv::Vec3b>(300, 599), dimmed);  // nothing at the mirrored place
}

TEST(Overlay, CropRectangleIsMirroredWithTheFrame) {
  OverlayState st;
  st.crop = cv::Rect(40, 250, 100, 100);
  st.mirror = true;
  cv::Mat out = DrawOverlay(GreyFrame(), st);
  const cv::Vec3b dimmed = out.at<cv::Vec3b>(300, 320);
  EXPECT_EQ(out.at<cv::Vec3b>(300, 549), kGrey);  // inside the mirrored crop, 500..599
  EXPECT_NE(out.at<cv::Vec3b>(300, 599), kGrey);  // its outline
  EXPECT_NE(out.at<cv::Vec3b>(300, 599), dimmed);
  EXPECT_EQ(out.at<cv::Vec3b>(300, 90), dimmed);  // the unmirrored place is outside now
}

TEST(Overlay, RecordingShowsARedDot) {
  auto red_pixels = [](const cv::Mat& img, cv::Rect r) {
    int n = 0;
    for (int y = r.y; y < r.y + r.height; ++y)
      for (int x = r.x; x < r.x + r.width; ++x) {
        const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
        if (p[2] > 180 && p[1] < 80 && p[0] < 80) ++n;
      }
    return n;
  };
  OverlayState st;
  const cv::Rect banner = ComputeLayout(kVga, {}).banner;
  EXPECT_EQ(red_pixels(DrawOverlay(GreyFrame(), st), banner), 0);
  st.recording = true;
  EXPECT_GT(red_pixels(DrawOverlay(GreyFrame(), st), banner), 50);
}

TEST(Overlay, PausedAndHelpDrawInTheCentre) {
  OverlayState st;
  cv::Mat base = DrawOverlay(GreyFrame(), st);
  const cv::Rect centre(230, 240, 180, 70);  // clear of panel, inset and plot
  EXPECT_EQ(CountDiff(base, GreyFrame(), centre), 0);
  st.paused = true;
  EXPECT_GT(CountDiff(DrawOverlay(GreyFrame(), st), base, centre), 1000);
  st.paused = false;
  st.help = true;
  cv::Mat help = DrawOverlay(GreyFrame(), st);
  EXPECT_GT(CountDiff(help, base, centre), 1000);
  EXPECT_EQ(HelpKeys().size(), 10u);  // x (heat map) included
}

TEST(Overlay, AnyFrameSizeWithEverythingOn) {
  OverlayState st = PlotState();
  st.model_image = RampImage();
  st.crop = cv::Rect(10, 10, 50, 50);
  st.tiles = {cv::Rect(0, 0, 20, 20)};
  st.top_label = "a rather long label name";
  st.uncertain = true;
  st.paused = st.recording = st.help = st.mirror = st.awake = true;
  st.message = "snapshot saved";
  st.fps = 30;
  for (cv::Size size : {cv::Size(96, 96), cv::Size(160, 120), cv::Size(320, 240),
                        cv::Size(1920, 1080), cv::Size(480, 640), cv::Size(3840, 400)}) {
    cv::Mat out;
    ASSERT_NO_THROW(DrawOverlay(GreyFrame(size), st, &out)) << size;
    EXPECT_EQ(out.size(), size);
    EXPECT_EQ(out.type(), CV_8UC3);
  }
}

TEST(Overlay, TextScalesWithFrameHeight) {
  const OverlayLayout small = ComputeLayout({640, 480}, {96, 96});
  const OverlayLayout big = ComputeLayout({1920, 1080}, {96, 96});
  EXPECT_GE(big.label.height, 2 * small.label.height);
  EXPECT_GT(big.inset_zoom, small.inset_zoom);
  EXPECT_GT(big.plot.height, 2 * small.plot.height);
}

TEST(Overlay, IsPureAndReusesTheOutputBuffer) {
  OverlayState st = PlotState();
  st.model_image = RampImage();
  st.top_label = "person";
  const cv::Mat frame = GreyFrame();
  const cv::Mat before = frame.clone();
  cv::Mat out;
  DrawOverlay(frame, st, &out);
  const uchar* data = out.data;
  const cv::Mat first = out.clone();
  DrawOverlay(frame, st, &out);
  EXPECT_EQ(out.data, data);
  EXPECT_EQ(CountDiff(out, first, cv::Rect(0, 0, 640, 480)), 0);
  EXPECT_EQ(CountDiff(frame, before, cv::Rect(0, 0, 640, 480)), 0);  // input untouched
}

TEST(Overlay, PushScoreKeepsTheWindowAndRestartsOnAClockJump) {
  std::deque<ScoreSample> h;
  for (int t = 0; t <= 20000; t += 100) PushScore(&h, {static_cast<double>(t), 0.5f, false}, 10000);
  EXPECT_EQ(h.front().t_ms, 10000);
  EXPECT_EQ(h.back().t_ms, 20000);
  EXPECT_EQ(h.size(), 101u);
  PushScore(&h, {50, 0.5f, false}, 10000);  // a looping file started again
  EXPECT_EQ(h.size(), 1u);
}

TEST(Window, KeysMapToActions) {
  EXPECT_EQ(KeyToAction(-1), KeyAction::kNone);
  EXPECT_EQ(KeyToAction('q'), KeyAction::kQuit);
  EXPECT_EQ(KeyToAction('Q'), KeyAction::kQuit);
  EXPECT_EQ(KeyToAction(27), KeyAction::kQuit);
  EXPECT_EQ(KeyToAction(' '), KeyAction::kPause);
  EXPECT_EQ(KeyToAction('r'), KeyAction::kRecord);
  EXPECT_EQ(KeyToAction('s'), KeyAction::kSnapshot);
  EXPECT_EQ(KeyToAction('m'), KeyAction::kMirror);
  EXPECT_EQ(KeyToAction('c'), KeyAction::kCycleCrop);
  EXPECT_EQ(KeyToAction('+'), KeyAction::kThresholdUp);
  EXPECT_EQ(KeyToAction('='), KeyAction::kThresholdUp);
  EXPECT_EQ(KeyToAction('-'), KeyAction::kThresholdDown);
  EXPECT_EQ(KeyToAction('h'), KeyAction::kHelp);
  EXPECT_EQ(KeyToAction('x'), KeyAction::kExplain);
  EXPECT_EQ(KeyToAction('z'), KeyAction::kNone);
  EXPECT_EQ(KeyToAction(0x100000 | 'q'), KeyAction::kQuit);  // with a modifier bit
  EXPECT_STREQ(KeyActionName(KeyAction::kCycleCrop), "cycle-crop");
}

TEST(Window, NoDisplayWithoutAServer) {
  // With neither variable set (as in CI) there is nothing to connect to, and
  // answering must not touch the GUI backend (Qt would abort the process).
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  const char* qpa = std::getenv("QT_QPA_PLATFORM");
  if ((display && *display) || (wayland && *wayland) || (qpa && *qpa))
    GTEST_SKIP() << "a display may be present";
  EXPECT_FALSE(DisplayAvailable());
}

}  // namespace
}  // namespace vww
