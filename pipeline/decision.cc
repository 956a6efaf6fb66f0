#include "pipeline/decision.h"

#include <algorithm>
#include <cmath>

#include "model/model.h"

namespace vww {

namespace {

// Frame timestamps derived from a container's clock (e.g. 1999.9999 ms for
// 20 frames at 10 fps) must still count as a full hold time.
constexpr double kTimeEpsilonMs = 1e-3;

void Require(bool ok, const char* what) {
  if (!ok) throw Error(what);
}

}  // namespace

void DecisionOptions::Validate() const {
  Require(std::isfinite(threshold) && threshold >= 0 && threshold <= 1,
          "--threshold must be between 0 and 1");
  Require(smooth >= 1 && smooth <= 10000, "--smooth must be between 1 and 10000 frames");
  Require(std::isfinite(wake_threshold) && wake_threshold >= 0 && wake_threshold <= 1,
          "--wake-threshold must be between 0 and 1");
  Require(wake_frames >= 1, "--wake-frames must be >= 1");
  Require(std::isfinite(sleep_threshold) && sleep_threshold >= 0 && sleep_threshold <= 1,
          "--sleep-threshold must be between 0 and 1");
  // Without hysteresis a score sitting between the two would wake and sleep
  // in turn; reject it rather than flap.
  Require(sleep_threshold <= wake_threshold, "--sleep-threshold must be <= --wake-threshold");
  Require(std::isfinite(hold_seconds) && hold_seconds >= 0, "--hold-seconds must be >= 0");
}

LabelDecision DecideLabel(const std::vector<float>& scores, double threshold) {
  LabelDecision d;
  if (scores.empty()) return d;
  // First maximum wins on ties, as in Classifier's argmax.
  const auto top = std::max_element(scores.begin(), scores.end());
  d.confidence = *top;
  if (static_cast<double>(*top) >= threshold) d.index = static_cast<int>(top - scores.begin());
  return d;
}

std::string LabelName(const LabelDecision& d, const std::vector<std::string>& labels) {
  if (d.index < 0 || d.index >= static_cast<int>(labels.size())) return "uncertain";
  return labels[d.index];
}

MovingAverage::MovingAverage(int window) : ring_(std::max(window, 1), 0.0) {}

double MovingAverage::Push(double value) {
  ring_[next_] = value;
  next_ = (next_ + 1) % static_cast<int>(ring_.size());
  count_ = std::min(count_ + 1, static_cast<int>(ring_.size()));
  // Oldest to newest, so the sum does not depend on where the ring starts.
  const int n = static_cast<int>(ring_.size());
  double sum = 0;
  for (int i = 0; i < count_; ++i) sum += ring_[(next_ - count_ + i + n) % n];
  mean_ = sum / count_;
  return mean_;
}

void MovingAverage::Reset() {
  std::fill(ring_.begin(), ring_.end(), 0.0);
  next_ = count_ = 0;
  mean_ = 0;
}

const char* WakeEventName(WakeEventType type) {
  return type == WakeEventType::kWake ? "wake" : "sleep";
}

WakeDetector::WakeDetector(const DecisionOptions& options)
    : options_(options), average_(options.smooth) {}

void WakeDetector::Reset() {
  average_.Reset();
  awake_ = false;
  above_run_ = 0;
  below_run_ = false;
  below_since_ms_ = 0;
}

void WakeDetector::set_options(const DecisionOptions& options) {
  const bool same_window = options.smooth == options_.smooth;
  options_ = options;
  if (same_window) return;
  average_ = MovingAverage(options.smooth);
  Reset();
}

bool WakeDetector::Update(int64_t frame, double t_ms, double score, WakeEvent* event) {
  const double s = average_.Push(score);
  if (!awake_) {
    above_run_ = s >= options_.wake_threshold ? above_run_ + 1 : 0;
    if (above_run_ < options_.wake_frames) return false;
    awake_ = true;
    above_run_ = 0;
    below_run_ = false;
    *event = {WakeEventType::kWake, frame, t_ms, s};
    return true;
  }
  if (s >= options_.sleep_threshold) {
    below_run_ = false;
    return false;
  }
  // A looping file may restart its clock: start the run again rather than
  // wait for time to catch up with the old timestamps.
  if (!below_run_ || t_ms < below_since_ms_) {
    below_run_ = true;
    below_since_ms_ = t_ms;
  }
  if (t_ms - below_since_ms_ + kTimeEpsilonMs < options_.hold_seconds * 1000.0) return false;
  awake_ = false;
  below_run_ = false;
  above_run_ = 0;
  *event = {WakeEventType::kSleep, frame, t_ms, s};
  return true;
}

}  // namespace vww
