// ui/heatmap: the colour scale's ends, where heat lands on an image (through
// a crop rectangle and the letterbox), and that cold pixels stay untouched.
#include <gtest/gtest.h>

#include "ui/heatmap.h"

namespace vww {
namespace {

TEST(HeatColour, BlueWhenColdRedWhenHotClamped) {
  EXPECT_EQ(HeatColour(0.0f), cv::Vec3b(255, 40, 0));  // BGR blue
  EXPECT_EQ(HeatColour(1.0f), cv::Vec3b(0, 0, 255));   // red
  EXPECT_EQ(HeatColour(-3.0f), HeatColour(0.0f));
  EXPECT_EQ(HeatColour(7.0f), HeatColour(1.0f));
  EXPECT_EQ(HeatColour(0.5f), cv::Vec3b(40, 220, 40));  // the middle stop: green
}

TEST(BlendHeat, HeatLandsOnTheMappedPixelsOnly) {
  // A 4x4 heat map, hot only at model pixel (2, 1), drawn over a 40x40
  // region at (10, 20) of a 100x100 gray image: 10x10 image pixels per
  // model pixel, so the hot square is x 30..39, y 30..39.
  cv::Mat heat = cv::Mat::zeros(4, 4, CV_32F);
  heat.at<float>(1, 2) = 0.5f;
  heat.at<float>(3, 3) = -0.5f;  // a negative drop (hiding raised the score): not drawn
  cv::Mat image(100, 100, CV_8UC3, cv::Scalar(100, 100, 100));
  BlendHeat(heat, {0, 0, 4, 4}, 0.5f, {10, 20, 40, 40}, &image);
  int changed = 0;
  for (int y = 0; y < 100; ++y)
    for (int x = 0; x < 100; ++x) {
      const bool hot = x >= 30 && x < 40 && y >= 30 && y < 40;
      const cv::Vec3b p = image.at<cv::Vec3b>(y, x);
      if (hot) {
        // Full scale: red at opacity 0.7 over gray 100 -> (30, 30, 208.5).
        EXPECT_EQ(p[0], 30) << x << "," << y;
        EXPECT_EQ(p[1], 30) << x << "," << y;
        EXPECT_NEAR(p[2], 208.5, 0.5) << x << "," << y;
        ++changed;
      } else {
        EXPECT_EQ(p, cv::Vec3b(100, 100, 100)) << x << "," << y;
      }
    }
  EXPECT_EQ(changed, 100);
}

TEST(BlendHeat, ClipsARegionReachingOutsideTheImage) {
  cv::Mat heat(2, 2, CV_32F, cv::Scalar(1.0f));
  cv::Mat image(10, 10, CV_8UC3, cv::Scalar(0, 0, 0));
  BlendHeat(heat, {0, 0, 2, 2}, 1.0f, {-5, -5, 10, 10}, &image);  // only (0..4, 0..4) visible
  EXPECT_NE(image.at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 0));
  EXPECT_NE(image.at<cv::Vec3b>(4, 4), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(image.at<cv::Vec3b>(5, 5), cv::Vec3b(0, 0, 0));
  // Only a region of the heat map: the letterbox case (frame rows 1..1 of 2).
  cv::Mat two(2, 1, CV_32F);
  two.at<float>(0) = 1.0f;  // padding row: hot, must not be drawn
  two.at<float>(1) = 0.0f;
  cv::Mat black(4, 4, CV_8UC3, cv::Scalar(0, 0, 0));
  BlendHeat(two, {0, 1, 1, 1}, 1.0f, {0, 0, 4, 4}, &black);
  EXPECT_EQ(cv::countNonZero(black.reshape(1)), 0);
}

TEST(DrawHeatScale, HotAtTheTopColdAtTheBottom) {
  cv::Mat image(200, 100, CV_8UC3, cv::Scalar(0, 0, 0));
  DrawHeatScale(&image, {60, 20, 12, 150}, "-0.42", 1.0);
  // Inside the outline: the top row is the hot end, the bottom row the cold one.
  EXPECT_EQ(image.at<cv::Vec3b>(21, 66), HeatColour(1.0f - 1.0f / 149));
  EXPECT_EQ(image.at<cv::Vec3b>(168, 66), HeatColour(1.0f / 149));
  // Labels drawn to the left of the bar.
  EXPECT_GT(cv::countNonZero(image(cv::Rect(0, 20, 58, 20)).reshape(1)), 0);
  EXPECT_GT(cv::countNonZero(image(cv::Rect(0, 150, 58, 21)).reshape(1)), 0);
}

}  // namespace
}  // namespace vww
