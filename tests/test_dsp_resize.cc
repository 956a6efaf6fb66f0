// pipeline/dsp AreaResizer: our INTER_AREA must give cv::resize's bytes
// exactly (the reference preprocessing is defined by OpenCV), on both of
// OpenCV's paths (whole-number factors and fractional ones), for gray, BGR
// and BGRA, odd sizes and image regions; plus cases worked out by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "pipeline/dsp/dsp.h"

namespace vww {
namespace {

std::string Describe(cv::Size from, cv::Size to, int cn) {
  return std::to_string(from.width) + "x" + std::to_string(from.height) + " -> " +
         std::to_string(to.width) + "x" + std::to_string(to.height) + ", " + std::to_string(cn) +
         " channels";
}

// What "OpenCV's bytes" means here. AreaResizer is the reference
// preprocessing: OpenCV's INTER_AREA arithmetic with every float rounding as
// Debian's x86-64 OpenCV does it (it is compiled with -ffp-contract=off), so
// it gives the same bytes on every processor and the TFLite Micro reference
// scores of tests/data/reference hold on arm64 as on x86-64. Debian's arm64
// OpenCV is compiled with fused multiply-adds, so in the fractional-factor
// path the local cv::resize is off from it by at most 1 at some pixels; whole
// factors (box sums times one float) are exact on both. On x86-64 every case
// must be exact.
#if defined(__aarch64__)
constexpr double kLocalFusedTolerance = 1;
#else
constexpr double kLocalFusedTolerance = 0;
#endif
// The largest difference from the local cv::resize that still means "OpenCV's
// bytes" for a resize from -> to: 0, except in the fractional path where the
// local OpenCV fuses its multiply-adds.
double Allowed(cv::Size from, cv::Size to) {
  const bool whole = from.width % to.width == 0 && from.height % to.height == 0;
  return whole || to.width > from.width || to.height > from.height ? 0 : kLocalFusedTolerance;
}

// Max |ours - OpenCV| over the image (0 when identical); also checks size and type.
double Difference(const cv::Mat& src, cv::Size to, AreaResizer* resizer) {
  cv::Mat want, got;
  cv::resize(src, want, to, 0, 0, cv::INTER_AREA);
  resizer->Run(src, to, &got);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(got.type(), want.type());
  if (got.size() != want.size() || got.type() != want.type()) return 999;
  return cv::norm(want, got, cv::NORM_INF);
}

TEST(AreaResizer, CameraCropsMatchOpenCv) {
  // The crops of common camera sizes to the person detector's 96x96, and the
  // tiled search's level sizes for them (pipeline/tiles): whole factors
  // (480 -> 96: 5) and fractional ones (720 -> 96: 7.5; 405 -> 96).
  cv::RNG rng(11);
  AreaResizer resizer;
  const cv::Size cases[][2] = {
      {{480, 480}, {96, 96}},    {{720, 720}, {96, 96}},    {{405, 405}, {96, 96}},
      {{576, 576}, {96, 96}},    {{1080, 1080}, {96, 96}},  {{640, 480}, {96, 96}},
      {{1280, 720}, {427, 240}}, {{720, 405}, {427, 240}},  {{768, 576}, {320, 240}},
      {{640, 480}, {320, 240}},  {{1920, 1080}, {427, 240}}};
  for (const auto& c : cases)
    for (int cn : {1, 3, 4}) {
      cv::Mat src(c[0], CV_8UC(cn));
      rng.fill(src, cv::RNG::UNIFORM, 0, 256);
      EXPECT_LE(Difference(src, c[1], &resizer), Allowed(c[0], c[1])) << Describe(c[0], c[1], cn);
    }
}

TEST(AreaResizer, RandomSizesMatchOpenCv) {
  // Random sources, regions of larger images (rows not contiguous), and
  // random downscales: mostly fractional factors, every fifth whole.
  cv::RNG rng(5);
  AreaResizer resizer;  // one resizer for all: its tables must follow the sizes
  int whole = 0, general = 0;
  for (int i = 0; i < 600; ++i) {
    const int cn = i % 3 == 0 ? 1 : i % 3 == 1 ? 3 : 4;
    cv::Size to(1 + rng.uniform(0, 40), 1 + rng.uniform(0, 40));
    cv::Size from(to.width + rng.uniform(0, 300), to.height + rng.uniform(0, 200));
    if (i % 5 == 0) from = cv::Size(to.width * rng.uniform(1, 9), to.height * rng.uniform(1, 9));
    cv::Mat big(from.height + 7, from.width + 9, CV_8UC(cn));
    rng.fill(big, cv::RNG::UNIFORM, 0, 256);
    const cv::Mat src = big(cv::Rect(4, 3, from.width, from.height));
    cv::Mat scratch;
    whole += AreaResizer().RunWhole(src, to, &scratch);
    general += AreaResizer().RunGeneral(src, to, &scratch);
    ASSERT_LE(Difference(src, to, &resizer), Allowed(from, to)) << Describe(from, to, cn);
  }
  // Both of our paths were exercised, not only the OpenCV fallback.
  EXPECT_GT(whole, 50);
  EXPECT_GT(general, 300);
}

TEST(AreaResizer, EveryBoxSumRoundsLikeOpenCv) {
  // Whole factors: the mean of a k x k box is sum * (float)(1 / k^2) rounded
  // to even. One output pixel per possible box sum, for 3x3 and 5x5 boxes.
  for (int k : {3, 5}) {
    const int area = k * k, sums = 255 * area + 1;
    cv::Mat src(k, k * sums, CV_8UC1);
    for (int s = 0; s < sums; ++s) {
      int left = s;
      for (int j = 0; j < area; ++j) {
        const int v = std::min(255, left);
        src.at<uint8_t>(j / k, s * k + j % k) = static_cast<uint8_t>(v);
        left -= v;
      }
    }
    AreaResizer resizer;
    EXPECT_EQ(Difference(src, cv::Size(sums, 1), &resizer), 0) << k << "x" << k;
  }
}

TEST(AreaResizer, HandComputedCases) {
  AreaResizer resizer;
  cv::Mat out;
  // 3x3 boxes: (0+...+8)/9 = 4; a box of eight 0 and one 13: 13/9 = 1.44 -> 1.
  cv::Mat a(3, 6, CV_8UC1, cv::Scalar(0));
  for (int i = 0; i < 9; ++i) a.at<uint8_t>(i / 3, i % 3) = static_cast<uint8_t>(i);
  a.at<uint8_t>(1, 4) = 13;
  ASSERT_TRUE(resizer.RunWhole(a, cv::Size(2, 1), &out));
  EXPECT_EQ(out.at<uint8_t>(0, 0), 4);
  EXPECT_EQ(out.at<uint8_t>(0, 1), 1);
  // Vertical pairs: (1 + 2) / 2 = 1.5 -> 2 and (2 + 3) / 2 = 2.5 -> 2, ties to even.
  const cv::Mat pairs = (cv::Mat_<uint8_t>(2, 2) << 1, 2, 2, 3);
  ASSERT_TRUE(resizer.RunWhole(pairs, cv::Size(2, 1), &out));
  EXPECT_EQ(out.at<uint8_t>(0, 0), 2);
  EXPECT_EQ(out.at<uint8_t>(0, 1), 2);
  // Fractional: 3 pixels -> 2, each output covers 1.5 pixels: (10 + 20 / 2) /
  // 1.5 = 13.33 -> 13 and (20 / 2 + 40) / 1.5 = 33.33 -> 33.
  const cv::Mat row = (cv::Mat_<uint8_t>(1, 3) << 10, 20, 40);
  ASSERT_TRUE(resizer.RunGeneral(row, cv::Size(2, 1), &out));
  EXPECT_EQ(out.at<uint8_t>(0, 0), 13);
  EXPECT_EQ(out.at<uint8_t>(0, 1), 33);
  // A flat image stays flat at any factor.
  const cv::Mat flat(405, 720, CV_8UC3, cv::Scalar(200, 7, 255));
  resizer.Run(flat, cv::Size(96, 96), &out);
  EXPECT_EQ(cv::norm(out, cv::Mat(96, 96, CV_8UC3, cv::Scalar(200, 7, 255)), cv::NORM_INF), 0);
}

TEST(AreaResizer, LeavesOpenCvItsOwnPaths) {
  AreaResizer resizer;
  cv::Mat src(8, 8, CV_8UC1, cv::Scalar(1)), out;
  EXPECT_FALSE(resizer.RunWhole(src, cv::Size(4, 4), &out));      // 2x2: OpenCV's SIMD path
  EXPECT_FALSE(resizer.RunWhole(src, cv::Size(3, 3), &out));      // not whole
  EXPECT_FALSE(resizer.RunGeneral(src, cv::Size(2, 2), &out));    // whole: OpenCV's other path
  EXPECT_FALSE(resizer.RunGeneral(src, cv::Size(16, 16), &out));  // upscale
  EXPECT_TRUE(out.empty());
  // Run still gives OpenCV's bytes through the fallback.
  EXPECT_EQ(Difference(src, cv::Size(4, 4), &resizer), 0);
  EXPECT_EQ(Difference(src, cv::Size(16, 12), &resizer), 0);
}

TEST(Dsp, MatchesTheReferencePreprocessingOnCameraSizes) {
  // README of testdata/reference: centre crop, cv::resize INTER_AREA, then
  // BGR -> gray, then - 128. Spelled out with OpenCV here.
  cv::RNG rng(3);
  for (const cv::Size size : {cv::Size(640, 480), cv::Size(1280, 720), cv::Size(720, 405)}) {
    cv::Mat frame(size, CV_8UC3);
    rng.fill(frame, cv::RNG::UNIFORM, 0, 256);
    const int side = std::min(size.width, size.height);
    cv::Mat resized, gray;
    cv::resize(frame(cv::Rect((size.width - side) / 2, (size.height - side) / 2, side, side)),
               resized, cv::Size(96, 96), 0, 0, cv::INTER_AREA);
    cv::cvtColor(resized, gray, cv::COLOR_BGR2GRAY);
    InputSpec spec;  // 96x96x1 int8
    Dsp dsp(spec, CropMode::kFitShortest);
    std::vector<int8_t> input(spec.bytes());
    dsp.Run(frame, input.data());
    int mismatches = 0;
    // 720 -> 96 and 405 -> 96 are fractional factors: see kLocalFusedTolerance.
    const cv::Size crop(side, side);
    for (int i = 0; i < 96 * 96; ++i)
      mismatches += std::abs(input[i] - (gray.data[i] - 128)) > Allowed(crop, cv::Size(96, 96));
    EXPECT_EQ(mismatches, 0) << size;
  }
}

}  // namespace
}  // namespace vww
