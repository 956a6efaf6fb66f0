// pipeline/capture/sources: the source factories OpenSource chooses between
// (internal to pipeline/capture; the V4L2 one is in v4l2/v4l2.h).
#pragma once

#include <memory>
#include <string>

#include "pipeline/capture/frame_source.h"

namespace vww {

// A video file, image, folder or "gst:PIPELINE"; wrapped in the realtime
// pacer when options.realtime (files.cc).
std::unique_ptr<FrameSource> OpenFileSource(const SourceOptions& options);

// Whether a GStreamer pipeline (the text after "gst:") captures the present
// (its first element is a camera, screen or network source, or it says
// is-live=true) rather than playing a file: a live one is read like a camera,
// newest frame first with steady-clock timestamps (gst_live.cc).
bool IsLiveGstPipeline(const std::string& pipeline);

// A camera through OpenCV's V4L2 capture (opencv_camera.cc).
std::unique_ptr<FrameSource> OpenOpenCvCamera(const SourceOptions& options);

}  // namespace vww
