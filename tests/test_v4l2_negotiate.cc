// V4L2 mode negotiation as a pure decision (pipeline/capture/v4l2/negotiate.h):
// what a camera offers in, the mode to ask for out; no device, fake or real.
// Expected modes are worked out by hand from the rules in negotiate.h.
#include <gtest/gtest.h>
#include <linux/videodev2.h>

#include "pipeline/capture/v4l2/negotiate.h"

namespace vww {
namespace {

CameraInfo::Size Discrete(int w, int h, std::vector<double> fps) {
  CameraInfo::Size s;
  s.width = w;
  s.height = h;
  s.fps = std::move(fps);
  return s;
}

OfferedFormat Offer(uint32_t fourcc, std::vector<CameraInfo::Size> sizes, bool emulated = false) {
  OfferedFormat f;
  f.fourcc = fourcc;
  f.emulated = emulated;
  f.sizes = std::move(sizes);
  return f;
}

SourceOptions Want(int width, int height, double fps, bool gray = false) {
  SourceOptions o;
  o.width = width;
  o.height = height;
  o.fps = fps;
  o.prefer_gray = gray;
  return o;
}

TEST(V4l2Negotiate, DefaultsTo640x480At30AndPrefersYuyvForColour) {
  const auto mode = ChooseMode(
      {Offer(V4L2_PIX_FMT_MJPEG, {Discrete(640, 480, {30})}),
       Offer(V4L2_PIX_FMT_YUYV, {Discrete(320, 240, {30}), Discrete(640, 480, {15, 30})})},
      Want(0, 0, 0));
  ASSERT_TRUE(mode.has_value());
  EXPECT_EQ(mode->fourcc, static_cast<uint32_t>(V4L2_PIX_FMT_YUYV));
  EXPECT_EQ(mode->width, 640);
  EXPECT_EQ(mode->height, 480);
  EXPECT_EQ(mode->fps, 30);
}

TEST(V4l2Negotiate, GrayModelPrefersGrey) {
  const std::vector<OfferedFormat> offered = {Offer(V4L2_PIX_FMT_YUYV, {Discrete(640, 480, {30})}),
                                              Offer(V4L2_PIX_FMT_GREY, {Discrete(640, 480, {30})})};
  EXPECT_EQ(ChooseMode(offered, Want(0, 0, 0, /*gray=*/true))->fourcc,
            static_cast<uint32_t>(V4L2_PIX_FMT_GREY));
  EXPECT_EQ(ChooseMode(offered, Want(0, 0, 0, /*gray=*/false))->fourcc,
            static_cast<uint32_t>(V4L2_PIX_FMT_YUYV));
}

TEST(V4l2Negotiate, SizeComesBeforeFormatPreference) {
  // 320x240 asked: MJPEG has it exactly, YUYV is 320 + 240 = 560 pixels off.
  const auto mode = ChooseMode({Offer(V4L2_PIX_FMT_YUYV, {Discrete(640, 480, {30})}),
                                Offer(V4L2_PIX_FMT_MJPEG, {Discrete(320, 240, {30})})},
                               Want(320, 240, 0));
  EXPECT_EQ(mode->fourcc, static_cast<uint32_t>(V4L2_PIX_FMT_MJPEG));
  EXPECT_EQ(mode->size_cost, 0);
}

TEST(V4l2Negotiate, ClosestRateAndTheFasterOneOnATie) {
  const std::vector<OfferedFormat> offered = {
      Offer(V4L2_PIX_FMT_YUYV, {Discrete(640, 480, {10, 15, 25, 30})})};
  EXPECT_EQ(ChooseMode(offered, Want(0, 0, 14))->fps, 15);
  // 20 is 5 from both 15 and 25: the faster.
  EXPECT_EQ(ChooseMode(offered, Want(0, 0, 20))->fps, 25);
}

TEST(V4l2Negotiate, RateRangesAreClampedToTheTarget) {
  CameraInfo::Size range = Discrete(640, 480, {5, 60});
  range.fps_range = true;
  const std::vector<OfferedFormat> offered = {Offer(V4L2_PIX_FMT_YUYV, {range})};
  EXPECT_EQ(ChooseMode(offered, Want(0, 0, 0))->fps, 30);
  EXPECT_EQ(ChooseMode(offered, Want(0, 0, 90))->fps, 60);
  EXPECT_EQ(ChooseMode(offered, Want(0, 0, 2))->fps, 5);
}

TEST(V4l2Negotiate, RatesWithinHalfAFrameCountAsEqual) {
  // 29.97 is as good as 30, so the format preference decides: YUYV.
  const auto mode = ChooseMode({Offer(V4L2_PIX_FMT_MJPEG, {Discrete(640, 480, {30})}),
                                Offer(V4L2_PIX_FMT_YUYV, {Discrete(640, 480, {29.97})})},
                               Want(0, 0, 30));
  EXPECT_EQ(mode->fourcc, static_cast<uint32_t>(V4L2_PIX_FMT_YUYV));
  EXPECT_DOUBLE_EQ(mode->fps, 29.97);
}

TEST(V4l2Negotiate, UnlistedSizesAskForTheTarget) {
  const auto mode = ChooseMode({Offer(V4L2_PIX_FMT_YUYV, {})}, Want(1280, 0, 0));
  EXPECT_EQ(mode->width, 1280);
  EXPECT_EQ(mode->height, 480);  // the free side falls back to 480
  EXPECT_EQ(mode->fps, 0);       // no rates listed: unknown
}

TEST(V4l2Negotiate, EmulatedFormatsOnlyAsTheConvertedFallback) {
  EXPECT_FALSE(IsUsableFormat(V4L2_PIX_FMT_MJPEG, /*emulated=*/true, false));
  EXPECT_TRUE(IsUsableFormat(V4L2_PIX_FMT_BGR24, /*emulated=*/true, false));
  EXPECT_FALSE(IsUsableFormat(V4L2_PIX_FMT_H264, /*emulated=*/false, false));
  const auto mode = ChooseMode({Offer(V4L2_PIX_FMT_YUYV, {Discrete(640, 480, {30})}, true),
                                Offer(V4L2_PIX_FMT_BGR24, {Discrete(320, 240, {30})}, true)},
                               Want(0, 0, 0));
  EXPECT_EQ(mode->fourcc, static_cast<uint32_t>(V4L2_PIX_FMT_BGR24));
}

TEST(V4l2Negotiate, NothingUsableIsNoMode) {
  EXPECT_FALSE(ChooseMode({}, Want(0, 0, 0)).has_value());
  EXPECT_FALSE(ChooseMode({Offer(V4L2_PIX_FMT_H264, {Discrete(640, 480, {30})})}, Want(0, 0, 0))
                   .has_value());
}

}  // namespace
}  // namespace vww
