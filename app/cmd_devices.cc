// vww devices: the cameras on this machine and what they can deliver, so a
// user can pick --source, --width, --height and --fps that the camera
// supports natively.
#include <cstdio>
#include <string>

#include "app/cli.h"
#include "app/commands.h"
#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {

namespace {

std::string FpsList(const CameraInfo::Size& size) {
  if (size.fps.empty()) return "";
  char s[32];
  std::string text;
  if (size.fps_range && size.fps.size() == 2) {
    std::snprintf(s, sizeof(s), "%g - %g", size.fps[0], size.fps[1]);
    text = s;
  } else {
    for (double f : size.fps) {
      std::snprintf(s, sizeof(s), "%g", f);
      text += (text.empty() ? "" : ", ") + std::string(s);
    }
  }
  return text + " fps";
}

}  // namespace

int CmdDevices(int argc, char** argv) {
  bool all = false;
  cli::ArgParser p("vww devices [options]",
                   "List the V4L2 cameras: driver and card name, pixel formats, frame sizes and\n"
                   "frame rates. Use a path shown here as --source.");
  p.Flag("--all", &all, "also show the formats libv4l2 converts in software");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;

  const std::vector<CameraInfo> cameras = ListCameras(/*details=*/true);
  if (cameras.empty()) {
    std::printf("no cameras found\n");
    return 0;
  }
  for (const CameraInfo& c : cameras) {
    std::printf("%s: %s (%s%s%s)\n", c.path.c_str(), c.card.c_str(), c.driver.c_str(),
                c.bus_info.empty() ? "" : ", ", c.bus_info.c_str());
    for (const CameraInfo::Format& f : c.formats) {
      if (f.emulated && !all) continue;
      std::printf("  %-4s  %s%s\n", f.fourcc.c_str(), f.description.c_str(),
                  f.emulated ? " (converted by libv4l2)" : "");
      if (!f.size_range.empty()) std::printf("        sizes %s\n", f.size_range.c_str());
      for (const CameraInfo::Size& s : f.sizes) {
        const std::string size = std::to_string(s.width) + "x" + std::to_string(s.height);
        std::printf("        %-10s %s\n", size.c_str(), FpsList(s).c_str());
      }
    }
  }
  return 0;
}

}  // namespace vww
