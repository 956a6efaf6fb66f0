// ui/live_update: what the live outputs (the web view, MQTT) are told about
// each processed frame. A plain struct the run loop fills from its per-frame
// result, so ui/web and ui/mqtt depend on nothing in the pipeline.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vww {

enum class LiveEvent { kNone, kWake, kSleep };

struct LiveUpdate {
  int64_t frame = 0;  // the frame's 0-based index in the stream
  double t_ms = 0;    // its timestamp (stream time)
  std::string label;  // the decided label, or "uncertain"
  double confidence = 0;
  std::vector<float> scores;  // per class, in the order of the labels the output was given
  double dsp_ms = 0, classification_ms = 0;
  double fps = 0;  // processed frames per second, recent
  bool awake = false;
  double person_score = 0;  // raw score of the person class
  double smoothed = 0;      // its moving average (what wakes and sleeps)
  double threshold = 0, wake_threshold = 0, sleep_threshold = 0;
  LiveEvent event = LiveEvent::kNone;  // the transition this frame caused
  double event_score = 0;              // smoothed score at the transition
};

}  // namespace vww
