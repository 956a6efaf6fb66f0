// pipeline/session: the live loop shared by `vww run` and the UI. Each step
// takes the next frame from a FrameSource (live sources capture on their own
// thread and hand on the newest frame), runs DSP + model, the label decision
// and the wake state machine, and reports everything about that frame in one
// FrameResult. Outputs (console, logs, hooks, a window) hang off the
// per-frame callback, so the loop itself never blocks on them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/capture/frame_source.h"
#include "pipeline/classifier.h"
#include "pipeline/decision.h"
#include "pipeline/frame_result.h"

namespace vww {

struct SessionLimits {
  int64_t max_frames = 0;     // stop after this many processed frames (0: no limit)
  double max_duration_s = 0;  // stop after this much stream time (frame timestamps; 0: none)
};

class Session {
 public:
  // Callback per processed frame; return false to stop the loop.
  using FrameCallback = std::function<bool(const FrameResult&)>;

  Session(std::unique_ptr<FrameSource> source, std::unique_ptr<Classifier> classifier,
          const DecisionOptions& decision);  // throws vww::Error for bad options
  ~Session();

  // One frame: read, classify, decide, then on_frame (may be empty). Returns
  // false at the end of the stream or when on_frame returned false. Throws
  // vww::Error when the source fails. Use this to drive the loop from a UI's
  // own event loop.
  bool Step(const FrameCallback& on_frame);

  // Steps until the end of the stream, a limit, on_frame returning false, or
  // *stop becoming true (checked before every frame; may be null). The limits
  // also apply to later Step() calls.
  SessionSummary Run(const FrameCallback& on_frame, const SessionLimits& limits = {},
                     const std::atomic<bool>* stop = nullptr);

  SessionSummary Summary() const;  // so far

  FrameSource& source() { return *source_; }
  Classifier& classifier() { return *classifier_; }
  const WakeDetector& wake() const { return wake_; }
  // Change thresholds live (e.g. UI keys); see WakeDetector::set_options.
  void set_decision(const DecisionOptions& decision);
  const DecisionOptions& decision() const { return decision_; }
  const std::vector<WakeEvent>& events() const { return events_; }

 private:
  struct Samples;  // bounded per-stage timing samples
  SessionLimits limits_;

  std::unique_ptr<FrameSource> source_;
  std::unique_ptr<Classifier> classifier_;
  DecisionOptions decision_;
  WakeDetector wake_;
  Frame frame_;
  std::unique_ptr<Samples> samples_;
  std::vector<WakeEvent> events_;
  std::string end_;
  int64_t processed_ = 0, dropped_ = 0;
  bool started_ = false;
  double start_ms_ = 0, last_ms_ = 0;  // steady clock
  double first_frame_ts_ = 0;          // timestamp of the first frame (for duration limits)
  double cpu_start_s_ = 0;
  std::vector<double> recent_done_ms_;  // completion times for the fps estimate (ring)
  int recent_next_ = 0;
};

// Process CPU time (user + system) in seconds.
double ProcessCpuSeconds();

}  // namespace vww
