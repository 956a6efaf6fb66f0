// The web page in a real browser (headless Chromium): after its scripts ran,
// the DOM holds the live label, the stream's frame size and the wake events;
// its screenshot shows the stream where the page says it is, and the label.
#include <gtest/gtest.h>

#include <atomic>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <thread>

#include "tests/live_util.h"
#include "tests/web_browser_util.h"
#include "ui/web/web_view.h"

namespace vww {
namespace {

using test::Scratch;

TEST(WebBrowser, PageShowsTheStreamLabelAndEvents) {
  VWW_REQUIRE_TOOL(chromium, "chromium");
  Scratch dir;
  WebViewOptions o;
  o.port = 0;
  o.labels = {"no person", "person"};
  o.model = "person_detect.tflite";
  o.source = "synthetic frames";
  WebView web(o);

  // A magenta frame with a white square, published like the run loop does:
  // a wake at frame 3, awake since.
  std::atomic<bool> stop{false};
  std::thread feeder([&] {
    cv::Mat frame(240, 320, CV_8UC3, cv::Scalar(255, 0, 255));
    cv::rectangle(frame, {20, 20, 40, 40}, cv::Scalar(255, 255, 255), cv::FILLED);
    for (int64_t i = 0; !stop; ++i) {
      LiveUpdate u;
      u.frame = i;
      u.t_ms = i * 100.0;
      u.label = i >= 3 ? "person" : "no person";
      u.confidence = 0.9;
      u.scores = i >= 3 ? std::vector<float>{0.1f, 0.9f} : std::vector<float>{0.9f, 0.1f};
      u.person_score = u.smoothed = u.scores[1];
      u.awake = i >= 3;
      u.threshold = u.wake_threshold = 0.6;
      u.sleep_threshold = 0.4;
      u.event = i == 3 ? LiveEvent::kWake : LiveEvent::kNone;
      u.event_score = 0.9;
      web.Publish(u);
      if (web.WantsFrame()) web.PublishFrame(frame);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  ASSERT_TRUE(test::WaitUntil([&] { return web.stats().jpeg_frames >= 1; }, 10));  // the wake

  const test::PageCapture page = test::CapturePage(chromium, dir, web.url());
  stop = true;
  feeder.join();
  ASSERT_TRUE(page.ok) << page.log;

  EXPECT_EQ(page.body_attr("data-error"), "") << page.dom.substr(0, 2000);
  EXPECT_EQ(page.body_attr("data-label"), "person");
  EXPECT_EQ(page.body_attr("data-awake"), "1");
  EXPECT_EQ(page.body_attr("data-stream"), "320x240");
  EXPECT_TRUE(std::regex_search(page.dom, std::regex("id=\"label\"[^>]*>person<")))
      << page.dom.substr(0, 3000);
  EXPECT_NE(page.dom.find("data-type=\"wake\" data-id=\"1\""), std::string::npos);
  EXPECT_NE(page.dom.find("wake #1"), std::string::npos);

  // The screenshot: the stream's pixels (magenta) inside the stream's box,
  // and text drawn in the label's box.
  ASSERT_EQ(page.screenshot.size(), cv::Size(test::kShotWidth, test::kShotHeight));
  const cv::Rect stream = page.rect("stream"), label = page.rect("label");
  ASSERT_GT(stream.area(), 10000);
  ASSERT_GT(label.area(), 100);
  const cv::Vec3b centre =
      page.screenshot.at<cv::Vec3b>(stream.y + stream.height / 2, stream.x + stream.width / 2);
  EXPECT_GT(centre[0], 200);  // B
  EXPECT_LT(centre[1], 60);   // G
  EXPECT_GT(centre[2], 200);  // R
  EXPECT_GT(test::BrightPixels(page.screenshot(label & cv::Rect({}, page.screenshot.size()))), 100);
}

}  // namespace
}  // namespace vww
