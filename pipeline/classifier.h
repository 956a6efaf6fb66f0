// pipeline/classifier: one frame -> DSP -> model -> scores, timed. The one
// code path that `classify`, `run` and `eval` share.
#pragma once

#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "model/model.h"
#include "pipeline/dsp.h"

namespace vww {

struct ClassifierOptions {
  std::string model_path;   // empty: the bundled person detector
  std::string labels_path;  // empty: <model>.labels.txt beside the model, else "class N"
  Backend backend = Backend::kFast;
  CropMode crop = CropMode::kFitShortest;
  std::vector<float> mean, std;  // optional per-channel normalisation (see InputSpec)
};

struct Classification {
  std::vector<float> scores;     // probabilities (or dequantized outputs)
  std::vector<int32_t> scores_q; // raw quantized outputs
  int top = 0;                   // argmax
  double dsp_ms = 0, classification_ms = 0;
};

class Classifier {
 public:
  explicit Classifier(const ClassifierOptions& options);  // throws vww::Error

  // frame: 8-bit BGR, BGRA or gray. No allocation after the first frame size.
  const Classification& Classify(const cv::Mat& frame);

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
};

// The bundled model: assets/person_detect.tflite.
std::string DefaultModelPath();
// Reads one label per line; throws vww::Error if unreadable.
std::vector<std::string> ReadLabels(const std::string& path);

}  // namespace vww
