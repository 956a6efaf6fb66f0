// pipeline/frame_result: what the pipeline reports, per frame and per run,
// without the classifier, DSP or model headers (for logs and recorders).
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/capture/frame_source.h"
#include "pipeline/decision.h"

namespace vww {

struct HeatMap;  // pipeline/explain.h

// One frame's scores and timings from the Classifier.
struct Classification {
  std::vector<float> scores;                 // probabilities (or dequantized outputs)
  std::vector<int32_t> scores_q;             // raw quantized outputs
  int top = 0;                               // argmax
  double dsp_ms = 0, classification_ms = 0;  // all tiles of the frame

  // Tiled search (ClassifierOptions::tiles): scores above are the winning
  // tile's (the tile whose person score carried the combined score) with the
  // person score replaced by the combined one (see TileCombiner; the other
  // classes rescaled to keep the sum), scores_q the winning tile's raw
  // outputs. Single crop: tile 0, the crop rect.
  int tile = 0;
  cv::Rect tile_rect;              // the winning tile in frame pixels
  std::vector<float> tile_scores;  // every tile's person score (tile order)
};

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

  // Board-speed mode (--board): false for a frame the board would have been
  // too busy to take; it is shown, but classification, label and wake state
  // are the last classified frame's.
  bool classified = true;
  double decision_rate = 0;  // classified frames per second of stream time (board mode)

  // Occlusion heat map (--explain, key x): the latest one while explaining,
  // else null. Its model pixels heat_model_roi show frame pixels
  // heat_frame_rect (the crop, the letterbox or the winning tile).
  const HeatMap* heat = nullptr;
  bool heat_fresh = false;  // made from this frame
  cv::Rect heat_model_roi, heat_frame_rect;
  int explain_every = 1;  // heat maps are made every N-th classified frame
  double explain_ms = 0;  // time the last one took
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
  bool awake = false;        // state at the end
  std::string end;           // why Run() returned: "end of stream", "frame limit", ...
  int64_t classified = 0;    // frames classified (fewer than frames in board mode)
  double decision_rate = 0;  // classified frames per second of stream time
  int64_t explained = 0;     // heat maps made
  StageSummary explain;      // time per heat map
};

}  // namespace vww
