// pipeline/capture/live_source: what every live source (the V4L2 and OpenCV
// cameras, a file played in realtime) shares: the newest-frame mailbox
// between its producer thread and Read(), and the stall error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>

#include "model/error.h"
#include "pipeline/capture/frame_source.h"

namespace vww {

// A one-frame mailbox between a producer thread and Read(). A live source
// must never hand on a stale frame, so a new frame replaces an unread one and
// the replaced one counts as dropped.
class NewestFrame {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Status { kFrame, kEnd, kTimeout };

  // Producer side.
  void Put(Frame&& frame) {
    std::lock_guard<std::mutex> lock(mu_);
    if (has_frame_) ++dropped_;
    frame_ = std::move(frame);
    has_frame_ = true;
    cv_.notify_all();
  }
  void AddDropped(int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    dropped_ += n;
  }
  // End of stream: error empty for a clean end, else the one-line reason.
  void Finish(const std::string& error) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finished_) return;
    finished_ = true;
    error_ = error;
    cv_.notify_all();
  }
  // Asks the producer to stop; wakes it from SleepUntil.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  bool stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }
  // Sleeps until t or Stop(); false when stopped.
  bool SleepUntil(Clock::time_point t) {
    std::unique_lock<std::mutex> lock(mu_);
    return !cv_.wait_until(lock, t, [this] { return stop_; });
  }

  // Consumer side: waits up to timeout_s for a frame newer than the last one
  // taken. A pending frame is handed on before the end or error is reported.
  // Throws vww::Error with the producer's error.
  Status Take(Frame* out, double timeout_s) {
    std::unique_lock<std::mutex> lock(mu_);
    const auto timeout = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(timeout_s > 0 ? timeout_s : 0));
    cv_.wait_for(lock, timeout, [this] { return has_frame_ || finished_; });
    if (has_frame_) {
      *out = std::move(frame_);
      frame_ = Frame();
      has_frame_ = false;
      out->dropped = dropped_;
      return Status::kFrame;
    }
    if (finished_) {
      if (!error_.empty()) throw Error(error_);
      return Status::kEnd;
    }
    return Status::kTimeout;
  }

  // FrameSource::Read for a live source: true with the newest frame, false at
  // the end of the stream; throws vww::Error(stalled()) when no frame came
  // within timeout_s, or the producer's error.
  bool Read(Frame* out, double timeout_s, const std::function<std::string()>& stalled) {
    switch (Take(out, timeout_s)) {
      case Status::kFrame:
        return true;
      case Status::kEnd:
        return false;
      case Status::kTimeout:
        break;
    }
    throw Error(stalled());
  }
  int64_t dropped() {
    std::lock_guard<std::mutex> lock(mu_);
    return dropped_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Frame frame_;
  bool has_frame_ = false;
  bool finished_ = false;
  bool stop_ = false;
  std::string error_;
  int64_t dropped_ = 0;
};

// "camera /dev/video0 stalled: no frame for 5 s": the cameras' stall error.
inline std::string CameraStalled(const std::string& name, double timeout_s) {
  char s[32];
  std::snprintf(s, sizeof(s), "%g", timeout_s);
  return "camera " + name + " stalled: no frame for " + s + " s";
}

}  // namespace vww
