#include "pipeline/classifier.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>

#include "pipeline/assets.h"
#include "pipeline/bundled_models.h"

namespace vww {

namespace {

bool Exists(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

std::string DefaultModelPath() { return DataFile("person_detect.tflite"); }

std::vector<std::string> ReadLabels(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot read labels file");
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    labels.push_back(line);
  }
  while (!labels.empty() && labels.back().empty()) labels.pop_back();
  return labels;
}

Classifier::Classifier(const ClassifierOptions& options)
    : model_(Model::FromFile(ResolveModelPath(options.model_path))),
      interpreter_(std::make_unique<Interpreter>(*model_, options.backend)),
      dsp_(InputSpec::FromTensor(interpreter_->input()), options.crop) {
  if (!options.mean.empty()) {
    InputSpec spec = dsp_.spec();
    spec.mean = options.mean;
    spec.std = options.std.empty() ? std::vector<float>{1.0f} : options.std;
    dsp_ = Dsp(spec, options.crop);
  }
  const Tensor& out = interpreter_->output();
  if (out.type != DType::kInt8 && out.type != DType::kUInt8 && out.type != DType::kFloat32)
    throw Error(model_->name() + ": output type " + DTypeName(out.type) + " is not supported");
  const int classes = static_cast<int>(out.shape.elements());

  std::string labels_path = options.labels_path;
  if (labels_path.empty()) {
    std::string base = model_->name();
    if (base.size() > 7 && base.compare(base.size() - 7, 7, ".tflite") == 0)
      base = base.substr(0, base.size() - 7);
    if (Exists(base + ".labels.txt")) labels_path = base + ".labels.txt";
  }
  if (!labels_path.empty()) labels_ = ReadLabels(labels_path);
  if (!labels_.empty() && static_cast<int>(labels_.size()) != classes)
    throw Error(labels_path + ": " + std::to_string(labels_.size()) + " labels for a model with " +
                std::to_string(classes) + " outputs");
  if (labels_.empty())
    for (int i = 0; i < classes; ++i) labels_.push_back("class " + std::to_string(i));
  for (int i = 0; i < classes; ++i)
    if (Lower(labels_[i]) == "person") person_index_ = i;

  result_.scores.resize(classes);
  result_.scores_q.resize(classes);
  result_.tile_scores.resize(1);

  tiles_ = options.tiles;
  combiner_ = TileCombiner(tiles_.rule, tiles_.bias);
  tile_dsp_ = std::make_unique<TileDsp>(&dsp_, tiles_);
  if (!tiles_.single() && person_index_ < 0)
    throw Error("--tiles " + tiles_.str() + " needs a model with a class named \"person\"");

  if (options.threads < 0 || options.threads > kMaxThreads)
    throw Error("--threads must be between 0 (auto) and " + std::to_string(kMaxThreads));
  const int threads = options.threads == 0 ? AutoWorkerCount(kMaxAutoThreads) : options.threads;
  if (!tiles_.single() && threads > 1) {
    for (int w = 1; w < threads; ++w)
      worker_interpreters_.push_back(std::make_unique<Interpreter>(*model_, options.backend));
    pool_ = std::make_unique<WorkerPool>(threads);
  }
}

void Classifier::ReadOutput(const Interpreter& interpreter, float* scores,
                            int32_t* scores_q) const {
  const Tensor& out = interpreter.output();
  const int n = static_cast<int>(result_.scores.size());
  for (int i = 0; i < n; ++i) {
    switch (out.type) {
      case DType::kInt8:
        scores_q[i] = out.data_as<int8_t>()[i];
        break;
      case DType::kUInt8:
        scores_q[i] = out.data_as<uint8_t>()[i];
        break;
      default:
        scores_q[i] = 0;
    }
    scores[i] = out.type == DType::kFloat32
                    ? out.data_as<float>()[i]
                    : out.scale * static_cast<float>(scores_q[i] - out.zero_point);
  }
}

const Classification& Classifier::Classify(const cv::Mat& frame) {
  if (!tiles_.single()) return ClassifyTiles(frame);
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  dsp_.Run(frame, interpreter_->input().data);
  const auto t1 = Clock::now();
  interpreter_->Invoke();
  const auto t2 = Clock::now();

  ReadOutput(*interpreter_, result_.scores.data(), result_.scores_q.data());
  result_.top = static_cast<int>(std::max_element(result_.scores.begin(), result_.scores.end()) -
                                 result_.scores.begin());
  result_.dsp_ms = Ms(t1 - t0);
  result_.classification_ms = Ms(t2 - t1);
  result_.tile = 0;
  result_.tile_rect =
      Dsp::CropRect(frame.size(), dsp_.crop(), {dsp_.spec().width, dsp_.spec().height});
  if (person_index_ >= 0) result_.tile_scores[0] = result_.scores[person_index_];
  return result_;
}

const Classification& Classifier::ClassifyTiles(const cv::Mat& frame) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const int layout_version = tile_dsp_->layout_version();
  tile_dsp_->Run(frame, pool_.get());
  const auto t1 = Clock::now();
  const int tiles = tile_dsp_->tile_count();
  const size_t classes = result_.scores.size();
  if (layout_version != tile_dsp_->layout_version()) {
    // A new frame size or crop mode: sizes change here, not per frame.
    combiner_.Prepare(tile_dsp_->layout());
    all_scores_.assign(tiles * classes, 0.0f);
    all_q_.assign(tiles * classes, 0);
    result_.tile_scores.assign(tiles, 0.0f);
  }

  // Tiles are independent inferences: each worker sets its interpreter's
  // input, invokes and reads the output into the tile's slot. Which worker
  // runs a tile does not change its result (same model, same kernels).
  if (pool_)
    pool_->ParallelFor(tiles, [this](int worker, int tile) { ClassifyTile(worker, tile); });
  else
    for (int t = 0; t < tiles; ++t) ClassifyTile(0, t);
  int winner = 0;
  const double combined = combiner_.Combine(result_.tile_scores, &winner);
  const auto t2 = Clock::now();

  std::copy_n(&all_scores_[winner * classes], classes, result_.scores.begin());
  std::copy_n(&all_q_[winner * classes], classes, result_.scores_q.begin());
  SetPersonScore(static_cast<float>(combined));
  result_.top = static_cast<int>(std::max_element(result_.scores.begin(), result_.scores.end()) -
                                 result_.scores.begin());
  result_.tile = winner;
  result_.tile_rect = tile_dsp_->layout().tiles[winner].frame_rect;
  model_view_ = tile_dsp_->tile_image(winner);
  result_.dsp_ms = Ms(t1 - t0);
  result_.classification_ms = Ms(t2 - t1);
  return result_;
}

void Classifier::ClassifyTile(int worker, int tile) {
  Interpreter& interpreter = worker == 0 ? *interpreter_ : *worker_interpreters_[worker - 1];
  const size_t classes = result_.scores.size();
  std::memcpy(interpreter.input().data, tile_dsp_->input(tile), tile_dsp_->spec().bytes());
  interpreter.Invoke();
  ReadOutput(interpreter, &all_scores_[tile * classes], &all_q_[tile * classes]);
  result_.tile_scores[tile] = all_scores_[tile * classes + person_index_];
}

void Classifier::SetPersonScore(float p) {
  // Rules that lower the winner's score (confirmed, neighbour) report the
  // combined value; the other classes share the rest in their proportions,
  // so a softmax output still sums to one.
  float& person = result_.scores[person_index_];
  if (p == person) return;
  const float rest = 1.0f - person;
  for (size_t i = 0; i < result_.scores.size(); ++i)
    if (static_cast<int>(i) != person_index_)
      result_.scores[i] = rest > 0 ? result_.scores[i] * (1.0f - p) / rest
                                   : (1.0f - p) / static_cast<float>(result_.scores.size() - 1);
  person = p;
}

}  // namespace vww
