#include "pipeline/capture_internal.h"
namespace vww::capture_internal {
std::unique_ptr<FrameSource> OpenOpenCvCamera(const SourceOptions& options) { throw Error("todo"); }
}
