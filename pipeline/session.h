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

#include "pipeline/boards.h"
#include "pipeline/capture/frame_source.h"
#include "pipeline/classifier.h"
#include "pipeline/decision.h"
#include "pipeline/explain.h"
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

  // Board-speed mode: classify only the frames a board taking latency_ms per
  // classification would take (BoardPace on frame timestamps: stream time for
  // files, so a run is deterministic; the steady clock for cameras). Frames in
  // between are reported with classified = false and the last classification;
  // smoothing, wake and sleep move at the board's pace. 0: every frame.
  void set_board_latency(double latency_ms) { pace_ = BoardPace(latency_ms); }
  double board_latency_ms() const { return pace_.latency_ms(); }

  // Occlusion heat maps of the winning tile (pipeline/explain), made on
  // classified frames while on: every frame when they fit in the time between
  // a live source's frames, else every N-th (ExplainEvery). The explainer is
  // made on first use with these options (throws vww::Error for a model it
  // cannot explain, e.g. one without a "person" class).
  void set_explain_options(const ExplainOptions& options) { explain_options_ = options; }
  void set_explain(bool on);
  bool explain() const { return explain_on_; }
  const Explainer* explainer() const { return explainer_.get(); }

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

  // Board-speed mode.
  BoardPace pace_;
  const Classification* last_ = nullptr;  // the last classified frame's (the classifier's)
  LabelDecision last_label_;
  int64_t classified_ = 0;
  double first_classified_ts_ = 0, last_classified_ts_ = 0;
  std::vector<double> recent_classified_ts_;  // ring, for the decision rate
  int recent_classified_next_ = 0;

  // Heat maps.
  ExplainOptions explain_options_;
  std::unique_ptr<Explainer> explainer_;
  bool explain_on_ = false;
  std::vector<uint8_t> explain_input_;
  int explain_every_ = 1, explain_countdown_ = 0;
  int64_t explained_ = 0;
  double explain_ms_ = 0, callback_ms_ = 0;
  cv::Rect heat_model_roi_, heat_frame_rect_;
};

// Process CPU time (user + system) in seconds.
double ProcessCpuSeconds();

}  // namespace vww
