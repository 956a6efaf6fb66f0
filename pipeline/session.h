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

#include "pipeline/capture.h"
#include "pipeline/classifier.h"
#include "pipeline/decision.h"

namespace vww {

// Everything about one processed frame. The references stay valid until the
// next Step(); copy what must outlive it (cv::Mat clone for images).
struct FrameResult {
  const Frame& frame;                    // as captured (BGR or gray)
  const cv::Mat& model_image;            // what the model saw (the winning tile with --tiles)
  const Classification& classification;  // scores, scores_q, dsp_ms, classification_ms
  const std::vector<std::string>& labels;
  LabelDecision label;             // index -1: "uncertain"
  int person_index = -1;           // -1: the model has no "person" class
  double person_score = 0;         // raw score of the person class (0 without one)
  double smoothed = 0;             // moving average of person_score
  bool awake = false;              // wake state after this frame
  std::optional<WakeEvent> event;  // transition caused by this frame, if any
  double latency_ms = 0;           // capture -> decision made
  double fps = 0;                  // processed frames per second, last ~1 s
  int64_t processed = 0;           // frames processed so far, this one included
};

// Median and 99th percentile of one stage, in ms.
struct StageSummary {
  double median_ms = 0, p99_ms = 0;
};

struct SessionSummary {
  int64_t frames = 0;   // processed
  int64_t dropped = 0;  // reported by the source (live sources drop, files do not)
  double wall_s = 0;    // first Step() to the last
  double fps = 0;       // processed frames / wall_s
  StageSummary latency, dsp, classification;
  double cpu_share = 0;  // process user+sys CPU time / wall time (1.0 = one full core)
  int wakes = 0, sleeps = 0;
  bool awake = false;  // state at the end
  std::string end;     // why Run() returned: "end of stream", "frame limit", ...
};

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

// Steady-clock milliseconds, the clock live frame timestamps use.
double SteadyNowMs();
// Process CPU time (user + system) in seconds.
double ProcessCpuSeconds();

}  // namespace vww
