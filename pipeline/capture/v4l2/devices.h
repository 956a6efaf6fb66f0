// pipeline/capture/v4l2/devices: what the camera shares with `vww devices`:
// enumerating a device's formats and sizes, probing a node, the camera list.
#pragma once

#include <string>
#include <vector>

#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {

// The sizes (and their rates) the device offers for fourcc; *range gets
// "WxH - WxH" when the sizes are stepwise rather than listed.
std::vector<CameraInfo::Size> EnumerateSizes(V4l2Io& io, int fd, uint32_t fourcc,
                                             std::string* range);
// Every format the device offers, with its sizes.
std::vector<CameraInfo::Format> EnumerateFormats(V4l2Io& io, int fd);

// The outcome of looking at one device node.
enum class Probe { kCamera, kNotCapture, kOpenFailed };
// Opens path and asks what it is; *err gets errno when it cannot be opened.
Probe ProbeDevice(V4l2Io& io, const std::string& path, bool details, CameraInfo* info, int* err);

// "cameras: /dev/video0 (HD Webcam), /dev/video2 (busy)" or "no camera found".
std::string CameraListText(V4l2Io& io);

}  // namespace vww
