#include "ui/window.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <opencv2/highgui.hpp>

namespace vww {
namespace {

bool ConnectUnix(const std::string& path, bool abstract) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const size_t offset = abstract ? 1 : 0;  // abstract names start with a NUL
  if (path.size() + offset >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path + offset, path.data(), path.size());
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + offset + path.size());
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0;
  close(fd);
  return ok;
}

// Non-blocking with a timeout: an unreachable remote X server (a stale ssh -X
// DISPLAY) must not hang startup.
bool ConnectTcp(const std::string& host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return false;
  bool ok = false;
  for (addrinfo* a = res; a && !ok; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      ok = poll(&p, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
           err == 0;
    }
    close(fd);
  }
  freeaddrinfo(res);
  return ok;
}

// DISPLAY is [host]:display[.screen]; local servers listen on
// /tmp/.X11-unix/X<display> (as a file and, on Linux, as an abstract socket).
bool X11Reachable(const std::string& display) {
  if (display.empty()) return false;
  if (display[0] == '/') return true;  // a socket path (XQuartz style): let the backend decide
  const size_t colon = display.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string host = display.substr(0, colon);
  const int number = std::atoi(display.c_str() + colon + 1);
  if (host.empty() || host == "unix") {
    const std::string path = "/tmp/.X11-unix/X" + std::to_string(number);
    return ConnectUnix(path, false) || ConnectUnix(path, true);
  }
  return ConnectTcp(host, 6000 + number, 1000);
}

bool WaylandReachable(const std::string& name) {
  if (name.empty()) return false;
  if (name[0] == '/') return ConnectUnix(name, false);
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  return runtime && *runtime && ConnectUnix(std::string(runtime) + "/" + name, false);
}

bool ComputeDisplayAvailable() {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  const std::string qpa = env("QT_QPA_PLATFORM");
  const bool x11 = X11Reachable(env("DISPLAY"));
  const bool wayland = !x11 && WaylandReachable(env("WAYLAND_DISPLAY"));
  // offscreen, vnc, eglfs, linuxfb...: the user chose a platform that needs
  // neither server.
  const bool other_platform =
      !qpa.empty() && qpa.rfind("xcb", 0) != 0 && qpa.rfind("wayland", 0) != 0;
  if (!x11 && !wayland && !other_platform) return false;
  // Qt 5 tries X11 first, and aborts without it; on a Wayland-only session
  // point it at Wayland (does nothing if highgui is built with GTK).
  if (!x11 && wayland && qpa.empty()) setenv("QT_QPA_PLATFORM", "wayland", 0);
  try {
    const char* probe = "vww display probe";
    cv::namedWindow(probe, cv::WINDOW_NORMAL | cv::WINDOW_GUI_NORMAL);
    cv::destroyWindow(probe);
    return true;
  } catch (const cv::Exception&) {
    return false;  // e.g. OpenCV built without a GUI backend
  }
}

}  // namespace

const char* KeyActionName(KeyAction action) {
  switch (action) {
    case KeyAction::kNone: return "none";
    case KeyAction::kQuit: return "quit";
    case KeyAction::kPause: return "pause";
    case KeyAction::kRecord: return "record";
    case KeyAction::kSnapshot: return "snapshot";
    case KeyAction::kMirror: return "mirror";
    case KeyAction::kCycleCrop: return "cycle-crop";
    case KeyAction::kThresholdUp: return "threshold-up";
    case KeyAction::kThresholdDown: return "threshold-down";
    case KeyAction::kHelp: return "help";
    case KeyAction::kExplain: return "explain";
  }
  return "?";
}

KeyAction KeyToAction(int key) {
  if (key < 0) return KeyAction::kNone;
  // Codes from cv::waitKeyEx: special keys carry keysyms (Left is 0xFF51
  // under GTK), whose low byte would alias an ASCII key ('Q'); compare the
  // whole keysym, without the modifier bits above it (Qt).
  switch (key & 0xFFFF) {
    case 'q': case 'Q': case 27: return KeyAction::kQuit;
    case ' ': return KeyAction::kPause;
    case 'r': case 'R': return KeyAction::kRecord;
    case 's': case 'S': return KeyAction::kSnapshot;
    case 'm': case 'M': return KeyAction::kMirror;
    case 'c': case 'C': return KeyAction::kCycleCrop;
    case '+': case '=': return KeyAction::kThresholdUp;
    case '-': case '_': return KeyAction::kThresholdDown;
    case 'h': case 'H': case '?': return KeyAction::kHelp;
    case 'x': case 'X': return KeyAction::kExplain;
    default: return KeyAction::kNone;
  }
}

bool DisplayAvailable() {
  static const bool available = ComputeDisplayAvailable();
  return available;
}

Window::Window(const std::string& title, cv::Size initial_size) : title_(title) {
  cv::namedWindow(title_, cv::WINDOW_NORMAL | cv::WINDOW_KEEPRATIO | cv::WINDOW_GUI_NORMAL);
  if (initial_size.area() > 0) cv::resizeWindow(title_, initial_size.width, initial_size.height);
}

Window::~Window() {
  if (closed_) return;
  try {
    cv::destroyWindow(title_);
  } catch (const cv::Exception&) {
    // Already gone with the backend; nothing to release.
  }
}

void Window::Show(const cv::Mat& image) {
  if (closed_) return;
  cv::imshow(title_, image);
  shown_ = true;
}

KeyAction Window::PollKey(int delay_ms) {
  if (closed_) return KeyAction::kQuit;
  const int key = cv::waitKeyEx(delay_ms < 1 ? 1 : delay_ms);
  // The close button does not produce a key; the window just stops being
  // visible (or stops existing, and some backends then throw).
  if (shown_) {
    double visible = 0;
    try {
      visible = cv::getWindowProperty(title_, cv::WND_PROP_VISIBLE);
    } catch (const cv::Exception&) {
      visible = -1;
    }
    if (visible < 1) {
      closed_ = true;
      return KeyAction::kQuit;
    }
  }
  if ((key & 0xFFFF) == 'f' || (key & 0xFFFF) == 'F') {
    SetFullscreen(!fullscreen_);
    return KeyAction::kNone;
  }
  return KeyToAction(key);
}

void Window::SetFullscreen(bool on) {
  if (closed_) return;
  cv::setWindowProperty(title_, cv::WND_PROP_FULLSCREEN,
                        on ? cv::WINDOW_FULLSCREEN : cv::WINDOW_NORMAL);
  fullscreen_ = on;
}

}  // namespace vww
