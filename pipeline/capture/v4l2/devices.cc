// pipeline/capture/v4l2/devices: the libv4l2 device calls, and finding the
// cameras: enumeration, probing, and the camera list that errors show.
#include "pipeline/capture/v4l2/devices.h"

#include <dirent.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <poll.h>

#include <algorithm>

#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {
namespace {

class SystemIo : public V4l2Io {
 public:
  int Open(const std::string& path, int flags) override { return v4l2_open(path.c_str(), flags); }
  int Close(int fd) override { return v4l2_close(fd); }
  int Ioctl(int fd, unsigned long request, void* arg) override {
    return v4l2_ioctl(fd, request, arg);
  }
  void* Mmap(size_t length, int prot, int flags, int fd, int64_t offset) override {
    return v4l2_mmap(nullptr, length, prot, flags, fd, offset);
  }
  int Munmap(void* addr, size_t length) override { return v4l2_munmap(addr, length); }
  int Poll(int fd, int timeout_ms) override {
    // libv4l2 keeps the kernel fd, so plain poll works on it.
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    // A vanished device reports POLLERR/POLLHUP; DQBUF then names the error.
    return r;
  }
  std::vector<std::string> ListDevices() override {
    std::vector<std::pair<int, std::string>> found;
    if (DIR* dir = ::opendir("/dev")) {
      while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name.size() <= 5 || name.compare(0, 5, "video") != 0) continue;
        const std::string number = name.substr(5);
        if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
          continue;
        found.emplace_back(std::stoi(number), "/dev/" + name);
      }
      ::closedir(dir);
    }
    // By number, so /dev/video2 comes before /dev/video10.
    std::sort(found.begin(), found.end());
    std::vector<std::string> paths;
    for (auto& f : found) paths.push_back(f.second);
    return paths;
  }
};

}  // namespace

std::vector<CameraInfo::Size> EnumerateSizes(V4l2Io& io, int fd, uint32_t fourcc,
                                             std::string* range) {
  std::vector<CameraInfo::Size> sizes;
  for (uint32_t i = 0; i < 256; ++i) {
    v4l2_frmsizeenum fs{};
    fs.index = i;
    fs.pixel_format = fourcc;
    if (Xioctl(io, fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0) break;
    if (fs.type != V4L2_FRMSIZE_TYPE_DISCRETE) {
      *range = std::to_string(fs.stepwise.min_width) + "x" +
               std::to_string(fs.stepwise.min_height) + " - " +
               std::to_string(fs.stepwise.max_width) + "x" + std::to_string(fs.stepwise.max_height);
      break;
    }
    CameraInfo::Size size;
    size.width = static_cast<int>(fs.discrete.width);
    size.height = static_cast<int>(fs.discrete.height);
    for (uint32_t j = 0; j < 64; ++j) {
      v4l2_frmivalenum fi{};
      fi.index = j;
      fi.pixel_format = fourcc;
      fi.width = fs.discrete.width;
      fi.height = fs.discrete.height;
      if (Xioctl(io, fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi) < 0) break;
      if (fi.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
        size.fps.push_back(IntervalFps(fi.discrete));
      } else {
        // Longest interval = lowest rate.
        size.fps = {IntervalFps(fi.stepwise.max), IntervalFps(fi.stepwise.min)};
        size.fps_range = true;
        break;
      }
    }
    sizes.push_back(size);
  }
  return sizes;
}

std::vector<CameraInfo::Format> EnumerateFormats(V4l2Io& io, int fd) {
  std::vector<CameraInfo::Format> formats;
  for (uint32_t i = 0; i < 256; ++i) {
    v4l2_fmtdesc d{};
    d.index = i;
    d.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (Xioctl(io, fd, VIDIOC_ENUM_FMT, &d) < 0) break;
    CameraInfo::Format f;
    f.fourcc = FourccName(d.pixelformat);
    f.description = CString(d.description, sizeof(d.description));
    f.emulated = (d.flags & V4L2_FMT_FLAG_EMULATED) != 0;
    f.sizes = EnumerateSizes(io, fd, d.pixelformat, &f.size_range);
    formats.push_back(std::move(f));
  }
  return formats;
}

Probe ProbeDevice(V4l2Io& io, const std::string& path, bool details, CameraInfo* info, int* err) {
  info->path = path;
  const int fd = io.Open(path, O_RDWR | O_NONBLOCK);
  if (fd < 0) {
    *err = errno;
    return Probe::kOpenFailed;
  }
  v4l2_capability cap{};
  Probe result = Probe::kNotCapture;
  if (Xioctl(io, fd, VIDIOC_QUERYCAP, &cap) == 0) {
    info->driver = CString(cap.driver, sizeof(cap.driver));
    info->card = CString(cap.card, sizeof(cap.card));
    info->bus_info = CString(cap.bus_info, sizeof(cap.bus_info));
    const uint32_t caps = Caps(cap);
    if ((caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING)) {
      result = Probe::kCamera;
      if (details) info->formats = EnumerateFormats(io, fd);
    }
  }
  io.Close(fd);
  return result;
}

// "/dev/video0 (HD Webcam), /dev/video2 (busy)" or "no camera found".
std::string CameraListText(V4l2Io& io) {
  std::string text;
  for (const std::string& path : io.ListDevices()) {
    CameraInfo info;
    int err = 0;
    const Probe probe = ProbeDevice(io, path, false, &info, &err);
    std::string entry;
    if (probe == Probe::kCamera)
      entry = path + " (" + info.card + ")";
    else if (probe == Probe::kOpenFailed && err == EBUSY)
      entry = path + " (busy)";
    else if (probe == Probe::kOpenFailed && (err == EACCES || err == EPERM))
      entry = path + " (no permission)";
    if (!entry.empty()) text += (text.empty() ? "" : ", ") + entry;
  }
  return text.empty() ? "no camera found" : "cameras: " + text;
}

std::shared_ptr<V4l2Io> SystemV4l2Io() { return std::make_shared<SystemIo>(); }

std::vector<CameraInfo> ListCameras(V4l2Io& io, bool details) {
  std::vector<CameraInfo> cameras;
  for (const std::string& path : io.ListDevices()) {
    CameraInfo info;
    int err = 0;
    if (ProbeDevice(io, path, details, &info, &err) == Probe::kCamera)
      cameras.push_back(std::move(info));
  }
  return cameras;
}

std::vector<CameraInfo> ListCameras(bool details) {
  try {
    return ListCameras(*SystemV4l2Io(), details);
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace vww
