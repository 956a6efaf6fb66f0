// "gst:" pipelines: which are live sources (cameras, screens, network
// streams: newest frame, steady-clock timestamps) and which play a file
// (every frame in order, timestamps from the frame rate).
#include <gtest/gtest.h>

#include <opencv2/videoio/registry.hpp>
#include <string>

#include "model/error.h"
#include "pipeline/capture/frame_source.h"
#include "pipeline/capture/sources.h"

namespace vww {
namespace {

TEST(CaptureGst, CameraScreenAndNetworkSourcesAreLive) {
  for (const char* p :
       {"v4l2src device=/dev/video0 ! videoconvert ! appsink",
        "libcamerasrc ! video/x-raw,width=640,height=480 ! videoconvert ! appsink",
        "  nvarguscamerasrc sensor-id=0 ! nvvidconv ! appsink", "v4l2src!videoconvert!appsink",
        "rtspsrc location=rtsp://10.0.0.2/stream ! decodebin ! appsink",
        "udpsrc port=5000 ! application/x-rtp ! rtph264depay ! avdec_h264 ! appsink",
        "ximagesrc ! videoconvert ! appsink", "pipewiresrc ! videoconvert ! appsink",
        "uridecodebin uri=rtsp://cam.local/live ! videoconvert ! appsink",
        "videotestsrc is-live=true ! videoconvert ! appsink",
        "VideoTestSrc IS-LIVE=TRUE ! videoconvert ! appsink"}) {
    EXPECT_TRUE(IsLiveGstPipeline(p)) << p;
  }
}

TEST(CaptureGst, FilesAndTestPatternsAreNotLive) {
  for (const char* p : {"filesrc location=clip.mp4 ! decodebin ! videoconvert ! appsink",
                        "uridecodebin uri=file:///tmp/clip.mkv ! videoconvert ! appsink",
                        "videotestsrc num-buffers=3 ! videoconvert ! appsink",
                        "videotestsrc is-live=false ! videoconvert ! appsink",
                        // The name must be the first element's, not a substring elsewhere.
                        "filesrc location=/videos/v4l2src.mp4 ! decodebin ! appsink", "", "   "}) {
    EXPECT_FALSE(IsLiveGstPipeline(p)) << p;
  }
}

TEST(CaptureGst, LivePipelineIsReadLikeACamera) {
  if (!cv::videoio_registry::hasBackend(cv::CAP_GSTREAMER)) GTEST_SKIP() << "no GStreamer";
  SourceOptions options;
  options.source =
      "gst:videotestsrc is-live=true num-buffers=20 ! video/x-raw,width=64,height=48,"
      "framerate=30/1 ! videoconvert ! appsink";
  auto source = OpenSource(options);
  EXPECT_TRUE(source->is_live());
  Frame frame;
  ASSERT_TRUE(source->Read(&frame));
  EXPECT_EQ(frame.image.size(), cv::Size(64, 48));
  // A steady-clock timestamp (when it arrived), not index / fps: within a
  // minute of now, which a synthetic 0 ms or 33 ms never is.
  EXPECT_NEAR(frame.timestamp_ms, SteadyNowMs(), 60000);
  // The file form of the same pattern stays a file.
  options.source =
      "gst:videotestsrc num-buffers=2 ! video/x-raw,width=64,height=48 ! videoconvert ! appsink";
  EXPECT_FALSE(OpenSource(options)->is_live());
}

TEST(CaptureGst, StalledLivePipelineStopsWithinTheStallTimeout) {
  if (!cv::videoio_registry::hasBackend(cv::CAP_GSTREAMER)) GTEST_SKIP() << "no GStreamer";
  // One frame, then the next in 1,000 s: the reader thread sits in the
  // appsink's blocking pull. Reads report the stall, and closing the source
  // must not wait for that frame (before, this test hung until ctest's
  // timeout).
  SourceOptions options;
  options.source =
      "gst:videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=1/1000 ! "
      "videoconvert ! appsink";
  options.stall_timeout_s = 0.5;
  auto source = OpenSource(options);
  Frame frame;
  std::string error;
  try {
    // The first frame may have gone to OpenCV's probe at open.
    for (int i = 0; i < 2; ++i) source->Read(&frame);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("stalled: no frame for 0.5 s"), std::string::npos) << error;
  source.reset();  // returns after at most the stall timeout
}

}  // namespace
}  // namespace vww
