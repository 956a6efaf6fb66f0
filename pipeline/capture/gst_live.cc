// pipeline/capture/gst_live: whether a "gst:" pipeline is a live source (a
// camera, a screen, a network stream) or plays a file, decided from its text
// alone so that it is testable without GStreamer (sources.h).
#include <algorithm>
#include <cctype>
#include <string>

#include "pipeline/capture/sources.h"

namespace vww {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The factory name of the first element: "v4l2src" in
// "v4l2src device=/dev/video0 ! ...".
std::string FirstElement(const std::string& pipeline) {
  const size_t begin = pipeline.find_first_not_of(" \t\n");
  if (begin == std::string::npos) return "";
  const size_t end = pipeline.find_first_of(" \t\n!", begin);
  return pipeline.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

bool IsLiveGstPipeline(const std::string& pipeline) {
  const std::string text = Lower(pipeline);
  // Sources that capture the present: cameras, screens, network streams.
  static const char* const kLiveSources[] = {"v4l2src",          "libcamerasrc",
                                             "nvarguscamerasrc", "nvv4l2camerasrc",
                                             "rpicamsrc",        "pipewiresrc",
                                             "ximagesrc",        "aravissrc",
                                             "udpsrc",           "rtspsrc",
                                             "srtsrc",           "tcpclientsrc",
                                             "shmsrc",           "dv1394src",
                                             "decklinkvideosrc", "ndisrc",
                                             "webrtcbin",        "rtmpsrc",
                                             "avfvideosrc",      "ksvideosrc",
                                             "mfvideosrc",       "d3d11screencapturesrc"};
  const std::string first = FirstElement(text);
  for (const char* name : kLiveSources)
    if (first == name) return true;
  // Any source may say so itself (videotestsrc is-live=true), and a URI
  // source is live when its URI is a stream.
  for (const char* marker : {"is-live=true", "is-live=1", "rtsp://", "rtsps://", "udp://", "rtp://",
                             "srt://", "rtmp://"})
    if (text.find(marker) != std::string::npos) return true;
  return false;
}

}  // namespace vww
