// pipeline/decision: scores -> a label per frame, and a debounced wake/sleep
// state for the person class. Pure logic on numbers and frame timestamps, so
// a file gives the same decisions on every run and every machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vww {

struct DecisionOptions {
  double threshold = 0.6;        // below this the top class is reported as "uncertain"
  int smooth = 5;                // moving-average window, frames (1: no smoothing)
  double wake_threshold = 0.6;   // smoothed person score needed to wake ...
  int wake_frames = 3;           // ... on this many consecutive frames
  double sleep_threshold = 0.4;  // smoothed person score below which sleep starts ...
  double hold_seconds = 2.0;     // ... once it has stayed below this long (frame timestamps)

  // Throws vww::Error naming the offending option (e.g. "--smooth must be >= 1").
  void Validate() const;
};

// The per-frame label: argmax of the scores; -1 ("uncertain") when its score
// is below the threshold or there are no scores.
struct LabelDecision {
  int index = -1;
  float confidence = 0;  // score of the argmax (also when uncertain)
};
LabelDecision DecideLabel(const std::vector<float>& scores, double threshold);
// labels[index], or "uncertain" for -1.
std::string LabelName(const LabelDecision& d, const std::vector<std::string>& labels);

// Mean of the last `window` values; while fewer have been seen, the mean of
// those. The window is summed afresh each time (it is small) so long runs do
// not accumulate rounding drift and the value depends only on the window.
class MovingAverage {
 public:
  explicit MovingAverage(int window = 1);
  double Push(double value);  // returns the new mean
  double value() const { return mean_; }
  int count() const { return count_; }  // values in the window now
  void Reset();

 private:
  std::vector<double> ring_;
  int next_ = 0, count_ = 0;
  double mean_ = 0;
};

enum class WakeEventType { kWake, kSleep };
const char* WakeEventName(WakeEventType type);  // "wake" | "sleep"

struct WakeEvent {
  WakeEventType type = WakeEventType::kWake;
  int64_t frame = 0;  // frame index of the frame that caused the transition
  double t_ms = 0;    // that frame's timestamp
  double score = 0;   // smoothed person score on that frame
};

// The wake state machine, fed the person score of every processed frame:
//  - smoothed = MovingAverage(smooth) of the raw scores;
//  - asleep -> awake on the frame where smoothed >= wake_threshold has held
//    for wake_frames consecutive frames (the K-th such frame);
//  - awake -> asleep on the first frame whose timestamp is at least
//    hold_seconds after the first frame of the current run of frames with
//    smoothed < sleep_threshold (hold 0: that first frame itself).
// Starts asleep. Runs are broken by any frame outside them; the smoothing
// window carries on across transitions.
class WakeDetector {
 public:
  explicit WakeDetector(const DecisionOptions& options = {});

  // One frame. Returns true and fills *event on a transition.
  bool Update(int64_t frame, double t_ms, double score, WakeEvent* event);

  bool awake() const { return awake_; }
  double smoothed() const { return average_.value(); }
  const DecisionOptions& options() const { return options_; }
  void Reset();  // asleep, empty window
  // New thresholds take effect from the next frame with the state kept; a new
  // window length starts a fresh average (and the state machine asleep).
  void set_options(const DecisionOptions& options);

 private:
  DecisionOptions options_;
  MovingAverage average_;
  bool awake_ = false;
  int above_run_ = 0;       // consecutive frames >= wake_threshold while asleep
  bool below_run_ = false;  // inside a run of frames < sleep_threshold while awake
  double below_since_ms_ = 0;
};

}  // namespace vww
