#include "pipeline/explain.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "pipeline/classifier.h"  // kMaxAutoThreads, kMaxThreads

namespace vww {

std::vector<int> PatchOrigins(int length, int patch, int stride) {
  std::vector<int> origins;
  const int side = std::min(patch, length);
  for (int x = 0; x + side <= length; x += stride) origins.push_back(x);
  if (origins.empty() || origins.back() + side < length) origins.push_back(length - side);
  return origins;
}

int ExplainEvery(double explain_ms, double frame_ms, double interval_ms, int max_every) {
  if (!(interval_ms > 0)) return 1;
  const double spare = 0.8 * interval_ms - frame_ms;
  if (!(spare > 0)) return max_every;
  const double every = std::ceil(explain_ms / spare);
  return static_cast<int>(std::clamp(every, 1.0, static_cast<double>(max_every)));
}

HeatPlacement PlaceHeat(cv::Size frame, cv::Size model, CropMode crop, int tile,
                        cv::Rect tile_rect) {
  HeatPlacement p{{0, 0, model.width, model.height}, tile_rect};
  if (tile == 0 && crop == CropMode::kFitLongest && !frame.empty()) {
    // As Dsp::Run: scale the longest side to fit, round, centre.
    const double s = std::min(static_cast<double>(model.width) / frame.width,
                              static_cast<double>(model.height) / frame.height);
    const int w = std::max(1, static_cast<int>(frame.width * s + 0.5));
    const int h = std::max(1, static_cast<int>(frame.height * s + 0.5));
    p.model_roi = {(model.width - w) / 2, (model.height - h) / 2, w, h};
    p.frame_rect = {0, 0, frame.width, frame.height};
  }
  return p;
}

cv::Rect HeatPlacement::ToFrame(cv::Rect model) const {
  if (model_roi.empty()) return {};
  const double sx = static_cast<double>(frame_rect.width) / model_roi.width;
  const double sy = static_cast<double>(frame_rect.height) / model_roi.height;
  const auto x = [&](int mx) {
    return frame_rect.x + static_cast<int>(std::lround((mx - model_roi.x) * sx));
  };
  const auto y = [&](int my) {
    return frame_rect.y + static_cast<int>(std::lround((my - model_roi.y) * sy));
  };
  const cv::Rect r(cv::Point(x(model.x), y(model.y)), cv::Point(x(model.br().x), y(model.br().y)));
  return r & frame_rect;
}

float Explainer::ReadScore(const Tensor& output, int index) {
  switch (output.type) {
    case DType::kInt8:
      return output.scale * static_cast<float>(output.data_as<int8_t>()[index] - output.zero_point);
    case DType::kUInt8:
      return output.scale *
             static_cast<float>(output.data_as<uint8_t>()[index] - output.zero_point);
    case DType::kFloat32:
      return output.data_as<float>()[index];
    default:
      return 0.0f;
  }
}

Explainer::Explainer(const Model& model, int score_index, const ExplainOptions& options)
    : options_(options), score_index_(score_index) {
  if (options.patch < 1) throw Error("--explain-patch must be at least 1");
  if (options.stride < 1) throw Error("--explain-stride must be at least 1");
  if (options.threads < 0 || options.threads > kMaxThreads)
    throw Error("--threads must be between 0 (auto) and " + std::to_string(kMaxThreads));
  const int threads = options.threads == 0 ? AutoWorkerCount(kMaxAutoThreads) : options.threads;
  for (int w = 0; w < threads; ++w)
    interpreters_.push_back(std::make_unique<Interpreter>(model, options.backend));
  spec_ = InputSpec::FromTensor(interpreters_[0]->input());
  if (spec_.type != DType::kInt8 && spec_.type != DType::kUInt8)
    throw Error(model.name() + ": --explain needs an int8 or uint8 input, not " +
                DTypeName(spec_.type));
  const Tensor& out = interpreters_[0]->output();
  if (out.type != DType::kInt8 && out.type != DType::kUInt8 && out.type != DType::kFloat32)
    throw Error(model.name() + ": output type " + DTypeName(out.type) + " is not supported");
  if (score_index < 0 || score_index >= out.shape.elements())
    throw Error(model.name() + ": --explain needs a class named \"person\" (output " +
                std::to_string(score_index) + " of " + std::to_string(out.shape.elements()) + ")");
  // Real value 0 (the zero point), clamped to the type's range.
  const int zp = spec_.type == DType::kInt8 ? std::clamp(spec_.zero_point, -128, 127)
                                            : std::clamp(spec_.zero_point, 0, 255);
  hidden_ = static_cast<uint8_t>(zp);

  heat_.input = cv::Size(spec_.width, spec_.height);
  heat_.patch = options.patch;
  heat_.xs = PatchOrigins(spec_.width, options.patch, options.stride);
  heat_.ys = PatchOrigins(spec_.height, options.patch, options.stride);
  heat_.drops.assign(heat_.xs.size() * heat_.ys.size(), 0.0f);
  heat_.pixels = cv::Mat::zeros(heat_.input, CV_32F);
  scores_.assign(heat_.drops.size() + 1, 0.0f);

  // How many patches cover each pixel (every pixel is covered at least once).
  coverage_ = cv::Mat::zeros(heat_.input, CV_32F);
  for (int i = 0; i < heat_.count(); ++i) coverage_(heat_.patch_rect(i)) += 1.0f;
  cv::divide(1.0f, coverage_, coverage_);  // kept as 1 / count

  if (threads > 1) pool_ = std::make_unique<WorkerPool>(threads);
}

Explainer::~Explainer() = default;

void Explainer::RunVariant(int worker, int variant) {
  Interpreter& interpreter = *interpreters_[worker];
  uint8_t* in = interpreter.input().data;
  std::memcpy(in, input_, spec_.bytes());
  if (variant > 0) {
    const cv::Rect r = heat_.patch_rect(variant - 1);
    const int c = spec_.channels;
    if (spec_.nchw) {
      for (int ch = 0; ch < c; ++ch)
        for (int y = r.y; y < r.y + r.height; ++y)
          std::memset(in + (static_cast<size_t>(ch) * spec_.height + y) * spec_.width + r.x,
                      hidden_, r.width);
    } else {
      for (int y = r.y; y < r.y + r.height; ++y)
        std::memset(in + (static_cast<size_t>(y) * spec_.width + r.x) * c, hidden_,
                    static_cast<size_t>(r.width) * c);
    }
  }
  interpreter.Invoke();
  scores_[variant] = ReadScore(interpreter.output(), score_index_);
}

const HeatMap& Explainer::Run(const void* input) {
  input_ = static_cast<const uint8_t*>(input);
  const int variants = static_cast<int>(scores_.size());
  if (pool_)
    pool_->ParallelFor(variants, [this](int worker, int v) { RunVariant(worker, v); });
  else
    for (int v = 0; v < variants; ++v) RunVariant(0, v);
  input_ = nullptr;

  heat_.base = scores_[0];
  heat_.top = 0;
  heat_.pixels.setTo(0.0f);
  for (int i = 0; i < heat_.count(); ++i) {
    const float drop = scores_[0] - scores_[i + 1];
    heat_.drops[i] = drop;
    if (drop > heat_.drops[heat_.top]) heat_.top = i;
    const cv::Rect r = heat_.patch_rect(i);
    for (int y = r.y; y < r.y + r.height; ++y) {
      float* row = heat_.pixels.ptr<float>(y);
      for (int x = r.x; x < r.x + r.width; ++x) row[x] += drop;
    }
  }
  // Mean over the covering patches (coverage_ holds 1 / count).
  for (int y = 0; y < heat_.input.height; ++y) {
    float* row = heat_.pixels.ptr<float>(y);
    const float* inv = coverage_.ptr<float>(y);
    for (int x = 0; x < heat_.input.width; ++x) row[x] *= inv[x];
  }
  return heat_;
}

}  // namespace vww
