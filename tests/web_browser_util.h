// Headless Chromium for the web page tests: the DOM after the page's scripts
// ran (--dump-dom) and a screenshot (--screenshot) at the same window size, so
// the element boxes the page publishes (data-rect) locate things in the image.
#pragma once

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>
#include <string>

#include "tests/live_util.h"

namespace vww::test {

constexpr int kShotWidth = 1280, kShotHeight = 860;

struct PageCapture {
  bool ok = false;
  std::string dom, log;
  cv::Mat screenshot;

  // An attribute of <body>, "" when absent.
  std::string body_attr(const std::string& name) const {
    const size_t body = dom.find("<body");
    const size_t end = dom.find('>', body);
    if (body == std::string::npos || end == std::string::npos) return "";
    const std::string tag = dom.substr(body, end - body);
    std::smatch match;
    if (std::regex_search(tag, match, std::regex(" " + name + "=\"([^\"]*)\""))) return match[1];
    return "";
  }
  // The box (CSS px = screenshot px at scale 1) the page published for an
  // element id.
  cv::Rect rect(const std::string& id) const {
    std::smatch m;
    if (!std::regex_search(
            dom, m,
            std::regex("id=\"" + id + "\"[^>]*data-rect=\"(-?\\d+),(-?\\d+),(\\d+),(\\d+)\"")))
      return {};
    return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4])};
  }
};

// Runs Chromium twice on url (DOM, then screenshot). The page counts as
// loaded once its first state and first stream frame are in; --timeout caps
// the wait.
inline PageCapture CapturePage(const std::string& chromium, const Scratch& dir,
                               const std::string& url) {
  PageCapture page;
  const std::vector<std::string> common = {
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      "--user-data-dir=" + dir("chromium-profile"),
      "--timeout=15000",
      "--window-size=" + std::to_string(kShotWidth) + "," + std::to_string(kShotHeight)};
  std::vector<std::string> args = common;
  args.push_back("--dump-dom");
  args.push_back(url);
  {
    Child c(chromium, args, dir("dom.html"), dir("chromium-dom.log"));
    if (c.Wait(90) != 0) {
      page.log = "chromium --dump-dom failed: " + c.err().substr(0, 2000);
      return page;
    }
    page.dom = c.out();
  }
  args = common;
  args.push_back("--screenshot=" + dir("page.png"));
  args.push_back(url);
  {
    Child c(chromium, args, dir("shot.out"), dir("chromium-shot.log"));
    if (c.Wait(90) != 0) {
      page.log = "chromium --screenshot failed: " + c.err().substr(0, 2000);
      return page;
    }
  }
  page.screenshot = cv::imread(dir("page.png"), cv::IMREAD_COLOR);
  page.ok = !page.dom.empty() && !page.screenshot.empty();
  if (!page.ok) page.log = "no DOM or no screenshot";
  return page;
}

// Pixels brighter than the page's panels (text, mostly).
inline int BrightPixels(const cv::Mat& bgr) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  return cv::countNonZero(gray > 150);
}

}  // namespace vww::test
