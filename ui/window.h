// ui/window: the OpenCV highgui window the overlay is shown in, and the keys.
#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace vww {

// What a key press asks for. The run loop acts on these; the window handles
// 'f' (fullscreen) itself because nothing else needs to know.
enum class KeyAction {
  kNone,
  kQuit,           // q, Q, Esc, or the window was closed
  kPause,          // space
  kRecord,         // r
  kSnapshot,       // s
  kMirror,         // m
  kCycleCrop,      // c
  kThresholdUp,    // + or = (the unshifted +)
  kThresholdDown,  // - or _
  kHelp,           // h or ?
  kExplain,        // x: occlusion heat map on / off
};
const char* KeyActionName(KeyAction action);

// A key code from cv::waitKeyEx (-1: no key) -> the action. Pure, for tests.
KeyAction KeyToAction(int key);

// True when a window can be shown: DISPLAY (X11) or WAYLAND_DISPLAY names a
// server that accepts connections and a window can actually be created. The
// server check comes first because Qt, which Debian's OpenCV uses, aborts the
// process (no exception) when it cannot connect. An explicit QT_QPA_PLATFORM
// such as offscreen or vnc also counts. The answer is computed once.
bool DisplayAvailable();

class Window {
 public:
  // Opens a resizable window (WINDOW_NORMAL | KEEPRATIO | GUI_NORMAL: no Qt
  // toolbar or status bar). initial_size: the first client size, e.g. the
  // frame size; empty: the backend's choice. Throws cv::Exception when no
  // window can be created (check DisplayAvailable() first).
  explicit Window(const std::string& title, cv::Size initial_size = {});
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  void Show(const cv::Mat& image);

  // Waits up to delay_ms (at least 1: highgui only paints while waiting) for
  // a key. Returns kQuit once the user has closed the window.
  KeyAction PollKey(int delay_ms = 1);

  void SetFullscreen(bool on);
  bool fullscreen() const { return fullscreen_; }
  bool closed() const { return closed_; }
  const std::string& title() const { return title_; }

 private:
  std::string title_;
  bool shown_ = false, closed_ = false, fullscreen_ = false;
};

}  // namespace vww
