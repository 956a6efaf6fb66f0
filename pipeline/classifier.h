// pipeline/classifier: one frame -> DSP -> model -> scores, timed. The one
// code path that `classify`, `run` and `eval` share.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/worker_pool.h"
#include "pipeline/dsp/dsp.h"
#include "pipeline/dsp/tiles.h"
#include "pipeline/frame_result.h"

namespace vww {

struct ClassifierOptions {
  std::string model_path;   // empty: the bundled person detector; or a bundled name
  std::string labels_path;  // empty: <model>.labels.txt beside the model, else "class N"
  Backend backend = Backend::kFast;
  CropMode crop = CropMode::kFitShortest;
  std::vector<float> mean, std;  // optional per-channel normalisation (see InputSpec)
  TileSpec tiles;                // default: the single crop (see pipeline/dsp/tiles.h)
  // Threads that share a frame's tiles, each with its own interpreter
  // (0: auto, the cores, at most kMaxAutoThreads). A single crop is one
  // inference and always runs on the calling thread.
  int threads = 0;
};
constexpr int kMaxAutoThreads = 2;
constexpr int kMaxThreads = 16;

class Classifier {
 public:
  explicit Classifier(const ClassifierOptions& options);  // throws vww::Error

  // frame: 8-bit BGR, BGRA or gray. No allocation after the first frame size.
  const Classification& Classify(const cv::Mat& frame);
  // Forget earlier frames (rules that look back, e.g. tiles "confirmed"):
  // call between unrelated images.
  void Reset() { combiner_.Reset(); }

  // What the model saw for the winning tile (8-bit, model size); valid until
  // the next Classify().
  const cv::Mat& model_image() const { return tiles_.single() ? dsp_.model_image() : model_view_; }
  const TileSpec& tiles() const { return tiles_; }
  // Threads classifying the tiles of a frame (1 with a single crop).
  int threads() const { return pool_ ? pool_->size() : 1; }
  // The current tile layout (after the first frame; tiles[0] is the crop).
  const TileLayout& tile_layout() const { return tile_dsp_->layout(); }

  const std::vector<std::string>& labels() const { return labels_; }
  const Model& model() const { return *model_; }
  Interpreter& interpreter() { return *interpreter_; }
  Dsp& dsp() { return dsp_; }
  // Index of the class named "person" (case-insensitive), or -1.
  int person_index() const { return person_index_; }

 private:
  std::unique_ptr<Model> model_;
  std::unique_ptr<Interpreter> interpreter_;
  Dsp dsp_;
  std::vector<std::string> labels_;
  int person_index_ = -1;
  Classification result_;

  // Tiled search; unused with a single crop.
  TileSpec tiles_;
  std::unique_ptr<TileDsp> tile_dsp_;
  TileCombiner combiner_;
  // Interpreters of workers 1.. (worker 0 uses interpreter_): the model is
  // shared, each has its own arena and packed weights.
  std::vector<std::unique_ptr<Interpreter>> worker_interpreters_;
  std::vector<float> all_scores_;  // tile-major, classes per tile
  std::vector<int32_t> all_q_;
  cv::Mat model_view_;
  // Last: destroyed (its threads joined) before everything they use.
  std::unique_ptr<WorkerPool> pool_;  // null: tiles run on the calling thread
  const Classification& ClassifyTiles(const cv::Mat& frame);
  void ClassifyTile(int worker, int tile);
  void ReadOutput(const Interpreter& interpreter, float* scores, int32_t* scores_q) const;
  void SetPersonScore(float p);
};

// The bundled model: person_detect.tflite in DataDir() (pipeline/assets.h).
std::string DefaultModelPath();
// Reads one label per line; throws vww::Error if unreadable.
std::vector<std::string> ReadLabels(const std::string& path);

}  // namespace vww
