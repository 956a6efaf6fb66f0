#include "pipeline/v4l2.h"
namespace vww {
std::shared_ptr<V4l2Io> SystemV4l2Io() { return nullptr; }
std::vector<CameraInfo> ListCameras(bool) { return {}; }
std::unique_ptr<FrameSource> OpenV4l2Camera(const SourceOptions& o, std::shared_ptr<V4l2Io>) { throw NoCameraError("no camera found"); }
}
