// pipeline/capture/sources: the source factories OpenSource chooses between
// (internal to pipeline/capture; the V4L2 one is in v4l2/v4l2.h).
#pragma once

#include <memory>

#include "pipeline/capture/frame_source.h"

namespace vww {

// A video file, image, folder or "gst:PIPELINE"; wrapped in the realtime
// pacer when options.realtime (files.cc).
std::unique_ptr<FrameSource> OpenFileSource(const SourceOptions& options);

// A camera through OpenCV's V4L2 capture (opencv_camera.cc).
std::unique_ptr<FrameSource> OpenOpenCvCamera(const SourceOptions& options);

}  // namespace vww
