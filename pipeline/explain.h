// pipeline/explain: occlusion sensitivity ("what is the model looking at?").
// The model's input is classified once as it is and once per patch with that
// patch hidden (set to the input's zero point: real value 0, which is mid
// gray for inputs in -1..1 such as the person detector's, black for inputs in
// 0..1 such as the MLPerf model's); how much the chosen class's score drops when a
// patch is hidden is that patch's heat.
//
// Create -> run, as the classifier: the constructor checks the model and
// plans every variant (patch positions, per-pixel coverage) and makes one
// interpreter per worker; Run() fills, invokes and reads, and does not
// allocate. The variants are independent inferences and are shared out over
// a worker pool, each worker with its own interpreter (as the tiled search).
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <vector>

#include "model/model.h"
#include "model/worker_pool.h"
#include "pipeline/dsp/dsp.h"

namespace vww {

struct ExplainOptions {
  int patch = 16;   // side of the hidden square, model pixels
  int stride = 8;   // step between patch positions
  int threads = 1;  // workers (0: auto, the cores, at most kMaxAutoThreads)
  Backend backend = Backend::kFast;
};

// Patch origins along one axis: 0, stride, 2 stride, ... and, when the last
// of those does not reach the far edge, one more flush with it, so every
// pixel is covered. Pure.
std::vector<int> PatchOrigins(int length, int patch, int stride);

struct HeatMap {
  cv::Size input;            // the model's input size
  int patch = 0;             // (clamped to the input size)
  std::vector<int> xs, ys;   // patch origins (PatchOrigins)
  std::vector<float> drops;  // row-major ys.size() x xs.size(): base - occluded score
  float base = 0;            // the score of the unoccluded input
  int top = 0;               // the patch with the largest drop
  // Per model pixel, the mean drop of the patches that cover it (CV_32F,
  // input size): the heat map drawn over the image.
  cv::Mat pixels;

  int cols() const { return static_cast<int>(xs.size()); }
  int rows() const { return static_cast<int>(ys.size()); }
  int count() const { return static_cast<int>(drops.size()); }
  cv::Rect patch_rect(int i) const {
    return {xs[i % cols()], ys[i / cols()], std::min(patch, input.width),
            std::min(patch, input.height)};
  }
  float max_drop() const { return drops.empty() ? 0.0f : drops[top]; }
};

class Explainer {
 public:
  // score_index: the output element whose drop is measured (the person
  // class). Throws vww::Error (one line) for a model whose input is not
  // int8/uint8 or an index outside its output, or patch/stride < 1.
  Explainer(const Model& model, int score_index, const ExplainOptions& options);
  ~Explainer();

  // input: spec().bytes() of model input, as the DSP wrote it.
  const HeatMap& Run(const void* input);
  const HeatMap& heat() const { return heat_; }

  const InputSpec& spec() const { return spec_; }
  // Inferences per Run: the base plus one per patch.
  int inferences() const { return heat_.count() + 1; }
  int threads() const { return pool_ ? pool_->size() : 1; }
  const ExplainOptions& options() const { return options_; }

  // The score of `index` in an interpreter's output (dequantized), as the
  // classifier reads it.
  static float ReadScore(const Tensor& output, int index);

 private:
  void RunVariant(int worker, int variant);  // variant 0: the base, else patch variant - 1

  ExplainOptions options_;
  InputSpec spec_;
  int score_index_;
  uint8_t hidden_ = 0;                                      // the zero point, as the input's byte
  std::vector<std::unique_ptr<Interpreter>> interpreters_;  // one per worker
  const uint8_t* input_ = nullptr;                          // during Run
  std::vector<float> scores_;                               // per variant
  HeatMap heat_;
  cv::Mat coverage_;  // CV_32F: patches covering each pixel
  // Last: destroyed (its threads joined) before everything they use.
  std::unique_ptr<WorkerPool> pool_;
};

// Where a heat map lies on the frame: model pixels model_roi show frame
// pixels frame_rect (each stretched onto the other).
struct HeatPlacement {
  cv::Rect model_roi;
  cv::Rect frame_rect;
  // A rectangle of model pixels (e.g. HeatMap::patch_rect) in frame pixels,
  // clipped to frame_rect.
  cv::Rect ToFrame(cv::Rect model) const;
};
// For the tile the heat map was made for: tile_rect is the frame region it
// sees (Classification::tile_rect). The full view (tile 0) with the
// letterbox crop (fit-longest) shows the whole frame centred on padding,
// placed with the DSP's own arithmetic; every other tile and crop fills the
// model's input.
HeatPlacement PlaceHeat(cv::Size frame, cv::Size model, CropMode crop, int tile,
                        cv::Rect tile_rect);

// How often a live loop can afford a heat map: every frame when explaining
// fits in the time a frame leaves over, else every N-th frame so that the
// average cost per frame fits. explain_ms: one Run(); frame_ms: the rest of
// a frame's work (capture to display); interval_ms: time between frames of
// the source (0: not paced, e.g. a file played as fast as possible: every
// frame). Keeps a fifth of the interval spare for jitter. Pure.
int ExplainEvery(double explain_ms, double frame_ms, double interval_ms, int max_every = 30);

}  // namespace vww
