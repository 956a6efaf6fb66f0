// pipeline/capture/open_source: OpenSource, which picks the source for a
// --source string: a camera (V4L2 or OpenCV) or a file source.
#include <algorithm>
#include <cctype>

#include "pipeline/capture/sources.h"
#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {
namespace {

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsCameraSource(const SourceOptions& options) {
  const std::string& s = options.source;
  return s.empty() || s.rfind("/dev/video", 0) == 0 || IsDigits(s);
}

}  // namespace

std::unique_ptr<FrameSource> OpenSource(const SourceOptions& options) {
  const std::string capture = ToLower(options.capture.empty() ? "auto" : options.capture);
  if (capture != "auto" && capture != "v4l2" && capture != "opencv")
    throw Error("unknown capture backend '" + options.capture + "' (auto | v4l2 | opencv)");

  if (IsCameraSource(options)) {
    // A camera paces itself; realtime and loop do not apply.
    const bool index = IsDigits(options.source);
    if (capture == "opencv" || (index && capture == "auto")) return OpenOpenCvCamera(options);
    SourceOptions v4l2 = options;
    if (index) v4l2.source = "/dev/video" + options.source;
    return OpenV4l2Camera(v4l2, SystemV4l2Io());
  }

  return OpenFileSource(options);
}

}  // namespace vww
