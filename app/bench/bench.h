// app/bench: `vww bench`, split by what it times: the model per backend
// (model.cc), the DSP stage (dsp.cc), whole tiled frames (tiles.cc), and the
// text and JSON reports (report.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "pipeline/classifier.h"
#include "pipeline/explain.h"
#include "pipeline/stats.h"

namespace vww::bench {

using Clock = std::chrono::steady_clock;

inline double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A deterministic BGR test frame (640x480 unless --size): smooth gradients
// plus noise, so the resize does real work (no flat regions) and runs repeat
// exactly.
cv::Mat MakeFrame(int width = 640, int height = 480);

struct DspResult {
  bool ran = false;
  std::string what;  // "640x480 BGR -> 96x96x1 int8"
  Summary stats;
};

// Times the DSP stage on the test frame and leaves its output in *input
// (the model input every backend then runs on). Models whose input the DSP
// cannot produce get random bytes instead, and no DSP time.
DspResult TimeDsp(const Tensor& input_tensor, int runs, std::vector<uint8_t>* input);

struct OpProfile {
  int index = 0;
  std::string op;
  std::string shape;        // the output's
  std::string input_shape;  // the first input's ("-" when none)
  int64_t macs = 0;
  bool fast = false;
  std::string kernel;  // the fast form's name, or "reference"
  double median_us = 0;
};

struct BackendResult {
  std::string name;
  std::string isa;  // fast backend only
  int threads = 1;  // sharing one inference's large layers (Interpreter::SetThreads)
  int fast_ops = 0, ops = 0;
  double load_ms = 0, plan_ms = 0, first_ms = 0;
  Summary stats;
  int runs = 0;
  size_t arena_bytes = 0;
  int top = -1;  // argmax of the output, to show both backends agree
  std::vector<OpProfile> profile;
};

// Loads and plans the model with backend, then times --runs inferences on
// input (and, with profile, each operator alone).
// threads > 1 shares each large layer's rows across that many threads.
BackendResult RunBackend(const std::string& model_path, Backend backend,
                         const std::vector<uint8_t>& input, int runs, int warmup, bool profile,
                         int threads = 1);

// The whole per-frame path of the tiled search (Classifier::Classify: every
// tile's DSP, every tile's inference, the combination), timed per frame.
struct TiledFrameTiming {
  std::string backend;
  int width = 0, height = 0, tiles = 0, threads = 1, runs = 0;
  Summary dsp, classification, total;
  float score = 0;  // the combined person score of the test frame
};

TiledFrameTiming TimeFrames(ClassifierOptions options, int width, int height, int runs, int warmup,
                            double gap_ms);

// The occlusion heat map of one frame (pipeline/explain: the base and one
// inference per patch over the worker pool), timed per frame for each thread
// count, beside one plain inference.
struct ExplainTiming {
  std::string backend;
  int threads = 1, patch = 0, stride = 0, inferences = 0, runs = 0;
  cv::Size input;
  Summary stats;            // ms per heat map
  double inference_ms = 0;  // median of one plain inference
  float max_drop = 0;       // the test frame's hottest patch (same for every thread count)
};

std::vector<ExplainTiming> TimeExplain(const std::string& model_path, Backend backend,
                                       const ExplainOptions& options,
                                       const std::vector<int>& threads, int runs, int warmup,
                                       double gap_ms);

// Reports: text for people, one JSON object per line for scripts.
void PrintText(const BackendResult& r);
std::string Json(const BackendResult& r, const DspResult& dsp, int64_t model_macs);
void PrintFrames(const TiledFrameTiming& r, const std::string& spec);
std::string JsonFrames(const TiledFrameTiming& r, const std::string& spec);
void PrintExplain(const std::vector<ExplainTiming>& r);
std::string JsonExplain(const ExplainTiming& r);

}  // namespace vww::bench
