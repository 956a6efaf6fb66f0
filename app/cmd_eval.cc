// vww eval: accuracy, ROC AUC and latency of a model over labelled images,
// through the same DSP as the live pipeline; with several --model, the models
// side by side on the same images.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <thread>

#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "pipeline/bundled_models.h"
#include "pipeline/capture/image_file.h"
#include "pipeline/decision.h"
#include "pipeline/evaluation.h"
#include "pipeline/explain.h"
#include "ui/eval_report.h"
#include "ui/heatmap.h"

namespace vww {

namespace {

namespace fs = std::filesystem;

struct Example {
  std::string file, label;  // label as written (folder name or CSV field)
};

bool IsImage(const fs::path& p) {
  std::string e = p.extension().string();
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* x : {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp"})
    if (e == x) return true;
  return false;
}

// DIR/<class>/<image> (sorted), or a CSV of file,label (files relative to it).
std::vector<Example> ReadExamples(const std::string& where) {
  std::vector<Example> out;
  if (fs::is_regular_file(where)) {
    std::ifstream in(where);
    std::string line;
    const fs::path base = fs::path(where).parent_path();
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const size_t comma = line.rfind(',');
      if (line.empty() || comma == std::string::npos) continue;
      std::string file = line.substr(0, comma), label = line.substr(comma + 1);
      if (file == "file" && label == "label") continue;  // header
      if (fs::path(file).is_relative()) file = (base / file).string();
      out.push_back({file, label});
    }
  } else if (fs::is_directory(where)) {
    std::vector<fs::path> classes;
    for (const auto& e : fs::directory_iterator(where))
      if (e.is_directory()) classes.push_back(e.path());
    std::sort(classes.begin(), classes.end());
    for (const fs::path& c : classes) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(c))
        if (e.is_regular_file() && IsImage(e.path())) files.push_back(e.path().string());
      std::sort(files.begin(), files.end());
      for (const std::string& f : files) out.push_back({f, c.filename().string()});
    }
  } else {
    throw Error(where + ": no such folder or CSV file");
  }
  if (out.empty()) throw Error(where + ": no labelled images (want DIR/<class>/<image> or a CSV)");
  return out;
}

// "no_person" and "No Person" both name the label "no person".
std::string Normalise(std::string s) {
  for (char& c : s)
    c = c == '_' || c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Decodes the examples' images in order on a thread of its own, a few images
// ahead of the classifier: decoding a photo costs more than classifying it,
// and this way it runs on the second core. The order, and so every result,
// is that of a plain loop.
class ImageReader {
 public:
  explicit ImageReader(const std::vector<Example>& examples)
      : examples_(examples), thread_([this] { Decode(); }) {}
  ~ImageReader() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }
  ImageReader(const ImageReader&) = delete;
  ImageReader& operator=(const ImageReader&) = delete;

  // The next image in order; empty when it cannot be read or decoded.
  cv::Mat Next() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty(); });
    cv::Mat image = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return image;
  }

 private:
  static constexpr size_t kAhead = 8;

  void Decode() {
    for (const Example& e : examples_) {
      cv::Mat image = ReadImageFile(e.file, cv::IMREAD_COLOR);
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [this] { return stop_ || ready_.size() < kAhead; });
      if (stop_) return;
      ready_.push_back(std::move(image));
      changed_.notify_all();
    }
  }

  const std::vector<Example>& examples_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<cv::Mat> ready_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything it uses exists
};

// "done/total images, N images/s, M:SS left" on one terminal line, redrawn
// at most 5 times a second; nothing at all when disabled (stderr is not a
// terminal), so logs and pipes get only the results.
class ProgressLine {
 public:
  ProgressLine(size_t total, bool enabled) : total_(total), enabled_(enabled) {}

  void Update(size_t done) {
    if (!enabled_) return;
    const double now = SteadyNowMs();
    if (done < total_ && now - last_ms_ < 200) return;
    last_ms_ = now;
    const double elapsed_s = (now - start_ms_) / 1000.0;
    const double rate = elapsed_s > 0 ? done / elapsed_s : 0;
    char left[32] = "-";
    if (rate > 0) {
      const long s = std::lround((total_ - done) / rate);
      std::snprintf(left, sizeof left, "%ld:%02ld", s / 60, s % 60);
    }
    std::fprintf(stderr, "\r%zu/%zu images, %.0f images/s, %s left   ", done, total_, rate, left);
    std::fflush(stderr);
  }
  void Finish() {
    if (enabled_) std::fprintf(stderr, "\n");
  }

 private:
  size_t total_;
  bool enabled_;
  double start_ms_ = SteadyNowMs(), last_ms_ = -1e9;
};

struct ModelResult {
  std::string model;
  std::vector<std::string> labels;
  EvalMetrics metrics;
  std::vector<std::vector<float>> scores;  // per example
  std::vector<int> predicted;
  std::vector<double> dsp_ms, classification_ms;
  int64_t macs = 0;
  size_t arena = 0, flash = 0;
  int positive = -1;  // the class whose score the ROC uses (two-class models)
};

ModelResult Evaluate(const ClassifierOptions& options, const std::vector<Example>& examples,
                     double threshold, std::vector<int>* truth, bool progress) {
  Classifier classifier(options);
  ModelResult r;
  r.model = ResolveModelPath(options.model_path);
  r.labels = classifier.labels();
  r.macs = ModelMacs(classifier.model());
  r.arena = classifier.interpreter().arena_bytes();
  r.flash = classifier.model().constant_bytes();
  const int classes = static_cast<int>(r.labels.size());
  std::map<std::string, int> index;
  for (int i = 0; i < classes; ++i) index[Normalise(r.labels[i])] = i;
  // Two-class data against a two-class model whose names differ for one
  // class only ("no_person" vs "notperson"): the unmatched names pair up.
  std::vector<std::string> names;
  for (const Example& e : examples)
    if (std::find(names.begin(), names.end(), Normalise(e.label)) == names.end())
      names.push_back(Normalise(e.label));
  if (classes == 2 && names.size() == 2) {
    const int matched = index.count(names[0]) + index.count(names[1]);
    if (matched == 1) {
      const std::string& known = index.count(names[0]) ? names[0] : names[1];
      const std::string& other = index.count(names[0]) ? names[1] : names[0];
      index[other] = 1 - index[known];
    }
  }
  truth->clear();
  for (const Example& e : examples) {
    const auto it = index.find(Normalise(e.label));
    if (it == index.end())
      throw Error("label '" + e.label + "' of " + e.file + " is not a class of the model");
    truth->push_back(it->second);
  }
  if (classes == 2) r.positive = classifier.person_index() >= 0 ? classifier.person_index() : 1;
  ImageReader reader(examples);
  ProgressLine line(examples.size(), progress);
  for (size_t i = 0; i < examples.size(); ++i) {
    const cv::Mat image = reader.Next();
    if (image.empty()) throw Error(examples[i].file + ": cannot read or decode image");
    classifier.Reset();
    const Classification& c = classifier.Classify(image);
    r.scores.push_back(c.scores);
    r.predicted.push_back(DecideLabel(c.scores, threshold).index);
    r.dsp_ms.push_back(c.dsp_ms);
    r.classification_ms.push_back(c.classification_ms);
    line.Update(i + 1);
  }
  line.Finish();
  r.metrics = ComputeMetrics(classes, *truth, r.predicted);
  if (r.positive >= 0) {
    std::vector<float> pos, neg;
    for (size_t i = 0; i < truth->size(); ++i)
      ((*truth)[i] == r.positive ? pos : neg).push_back(r.scores[i][r.positive]);
    r.metrics.auc = RocAuc(pos, neg);
    BestThreshold(pos, neg, &r.metrics.best_threshold, &r.metrics.best_balanced_accuracy);
  }
  return r;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / v.size();
}

void PrintText(const ModelResult& r, const std::vector<Example>& examples,
               const std::vector<int>& truth) {
  const EvalMetrics& m = r.metrics;
  const int classes = static_cast<int>(r.labels.size());
  std::printf("model: %s\nimages: %d\naccuracy: %.4f\nbalanced accuracy: %.4f\n", r.model.c_str(),
              m.n, m.accuracy, m.balanced_accuracy);
  if (m.auc >= 0)
    std::printf("ROC AUC (%s): %.4f\nbest threshold: %.5f (balanced accuracy %.4f)\n",
                r.labels[r.positive].c_str(), m.auc, m.best_threshold, m.best_balanced_accuracy);
  std::printf("\n%-16s %9s %9s %9s %8s\n", "class", "precision", "recall", "f1", "support");
  for (int c = 0; c < classes; ++c)
    std::printf("%-16s %9.4f %9.4f %9.4f %8d\n", r.labels[c].c_str(), m.per_class[c].precision,
                m.per_class[c].recall, m.per_class[c].f1, m.per_class[c].support);
  std::printf("\nconfusion (rows: true, columns: predicted)\n%-16s", "");
  for (int c = 0; c < classes; ++c) std::printf(" %12.12s", r.labels[c].c_str());
  std::printf(" %12s\n", "uncertain");
  for (int t = 0; t < classes; ++t) {
    std::printf("%-16.16s", r.labels[t].c_str());
    for (int p = 0; p <= classes; ++p) std::printf(" %12d", m.confusion[t][p]);
    std::printf("\n");
  }
  std::printf("\nlatency ms, mean / p99: dsp %.3f / %.3f, classification %.3f / %.3f\n",
              Mean(r.dsp_ms), Percentile(r.dsp_ms, 99), Mean(r.classification_ms),
              Percentile(r.classification_ms, 99));
  std::printf("\nmisclassified:\n");
  int shown = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (r.predicted[i] == truth[i]) continue;
    ++shown;
    std::printf("  %s: true %s, got %s (", examples[i].file.c_str(), r.labels[truth[i]].c_str(),
                r.predicted[i] < 0 ? "uncertain" : r.labels[r.predicted[i]].c_str());
    for (int c = 0; c < classes; ++c)
      std::printf("%s%s %.5f", c ? ", " : "", r.labels[c].c_str(), r.scores[i][c]);
    std::printf(")\n");
  }
  if (!shown) std::printf("  none\n");
}

std::string EvalJson(const ModelResult& r) {
  const EvalMetrics& m = r.metrics;
  OrderedJson confusion = OrderedJson::array();
  for (const auto& row : m.confusion) confusion.push_back(row);
  OrderedJson per_class = OrderedJson::object();
  for (size_t c = 0; c < r.labels.size(); ++c)
    per_class[r.labels[c]] = {{"precision", JsonExact(m.per_class[c].precision)},
                              {"recall", JsonExact(m.per_class[c].recall)},
                              {"f1", JsonExact(m.per_class[c].f1)},
                              {"support", m.per_class[c].support}};
  const OrderedJson j = {
      {"model", r.model},
      {"n", m.n},
      {"accuracy", JsonExact(m.accuracy)},
      {"balanced_accuracy", JsonExact(m.balanced_accuracy)},
      {"auc", m.auc >= 0 ? JsonExact(m.auc) : OrderedJson(nullptr)},
      {"best_threshold", m.auc >= 0 ? JsonExact(m.best_threshold) : OrderedJson(nullptr)},
      {"labels", r.labels},
      {"confusion", confusion},
      {"per_class", per_class},
      {"dsp_p99_ms", JsonFixed(Percentile(r.dsp_ms, 99), 4)},
      {"classification_p99_ms", JsonFixed(Percentile(r.classification_ms, 99), 4)},
      {"macs", r.macs},
      {"arena_bytes", r.arena},
      {"flash_bytes", r.flash}};
  return JsonText(j);
}

// The misclassified images' heat maps: each image classified again (as in
// the evaluation) and its winning tile explained. Models without a "person"
// class get none.
void AddHeatMaps(const ClassifierOptions& options, std::vector<SheetItem>* items) {
  Classifier classifier(options);
  if (classifier.person_index() < 0) return;
  ExplainOptions eo;
  eo.backend = options.backend;
  eo.threads = options.threads;
  Explainer explainer(classifier.model(), classifier.person_index(), eo);
  std::vector<uint8_t> input(explainer.spec().bytes());
  for (SheetItem& item : *items) {
    const cv::Mat image = cv::imread(item.file, cv::IMREAD_COLOR);
    if (image.empty()) continue;
    classifier.Reset();
    const Classification& c = classifier.Classify(image);
    WriteModelInput(classifier.model_image(), explainer.spec(), input.data());
    const HeatMap& heat = explainer.Run(input.data());
    const HeatPlacement where =
        PlaceHeat(image.size(), classifier.model_image().size(), options.crop, c.tile, c.tile_rect);
    item.heat = heat.pixels.clone();
    item.model_roi = where.model_roi;
    item.image_rect = where.frame_rect;
    item.heat_scale = HeatFullScale(heat.max_drop());
  }
}

void WriteReport(const std::string& dir, const ModelResult& r, const std::vector<Example>& examples,
                 const std::vector<int>& truth, const ClassifierOptions& options) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("--report " + dir + ": cannot create the folder: " + ec.message());
  FileOut csv(dir + "/scores.csv");
  std::string header = "file,true_label,predicted";
  for (const std::string& l : r.labels) header += ",p_" + l;
  std::fprintf(csv.get(), "%s\n", header.c_str());
  std::vector<SheetItem> wrong;
  for (size_t i = 0; i < examples.size(); ++i) {
    const std::string got = r.predicted[i] < 0 ? "uncertain" : r.labels[r.predicted[i]];
    std::string row = examples[i].file + "," + r.labels[truth[i]] + "," + got;
    for (float s : r.scores[i]) row += "," + Exact(s);
    std::fprintf(csv.get(), "%s\n", row.c_str());
    if (r.predicted[i] != truth[i]) {
      const int shown = r.predicted[i] < 0 ? truth[i] : r.predicted[i];
      wrong.push_back({examples[i].file, "true " + r.labels[truth[i]] + ", got " + got + " " +
                                             Num("%.2f", r.scores[i][shown])});
    }
  }
  AddHeatMaps(options, &wrong);
  csv.Close();
  if (r.positive >= 0) {
    std::vector<float> pos, neg;
    for (size_t i = 0; i < truth.size(); ++i)
      (truth[i] == r.positive ? pos : neg).push_back(r.scores[i][r.positive]);
    const std::string negative = r.labels[1 - r.positive];
    if (!cv::imwrite(dir + "/roc.png", DrawRocAndHistograms(RocCurve(pos, neg), r.metrics.auc, pos,
                                                            neg, r.labels[r.positive], negative)))
      throw Error(dir + "/roc.png: cannot write");
  }
  if (!cv::imwrite(dir + "/misclassified.png", DrawContactSheet(wrong)))
    throw Error(dir + "/misclassified.png: cannot write");
}

}  // namespace

int CmdEval(int argc, char** argv) {
  std::vector<std::string> models, where;
  std::string labels, backend = "fast", crop = "fit-shortest", tiles = "1", mean, stddev, report;
  double threshold = 0.6;
  int threads = 0;
  bool json = false;
  cli::ArgParser p("vww eval [options] DIR|FILE.csv",
                   "Accuracy, balanced accuracy, per-class precision / recall / F1, the confusion\n"
                   "matrix, ROC AUC and the best threshold (two-class models), and latency, over\n"
                   "labelled images: DIR/<class>/<image> (folder names are labels, '_' for\n"
                   "spaces) or a CSV of file,label. Images go through the live pipeline's DSP.\n"
                   "Give --model twice or more to compare models on the same images.");
  p.Option("--model", &models,
           "person_detect (default) | mlperf_vww | FILE.tflite, repeatable (vww models)");
  p.Option("--labels", &labels, "class names, one per line; default: <model>.labels.txt");
  p.Option("--backend", &backend, "fast | reference (default fast)");
  p.Option("--crop", &crop, "fit-shortest | fit-longest | squash (default fit-shortest)");
  p.Option("--tiles", &tiles, "1 (default) | auto | CxR[@S][...]: tiled search, see vww run");
  p.Option("--threads", &threads, "threads sharing an image's tiles (0 = auto, default)");
  p.Option("--threshold", &threshold, "top score below this counts as uncertain (default 0.6)");
  p.Option("--mean", &mean, "per-channel mean of 0..1 pixels, e.g. 0.485,0.456,0.406");
  p.Option("--std", &stddev, "per-channel std of 0..1 pixels, e.g. 0.229,0.224,0.225");
  p.Flag("--json", &json, "one JSON object per model");
  p.Option("--report", &report,
           "write OUT_DIR/roc.png (ROC + score histograms), misclassified.png, scores.csv");
  p.Positionals(&where, "DIR|FILE.csv", "labelled images");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;
  if (where.size() != 1) {
    std::fprintf(stderr, "error: give one DIR or CSV (see vww eval --help)\n");
    return 2;
  }
  if (models.empty()) models.push_back("");
  ClassifierOptions options;
  options.labels_path = labels;
  options.backend = ParseBackend(backend);
  options.crop = ParseCropMode(crop);
  options.tiles = ParseTileSpec(tiles);
  options.threads = threads;
  if (!mean.empty()) options.mean = ParseFloatList(mean, "--mean");
  if (!stddev.empty()) options.std = ParseFloatList(stddev, "--std");

  const std::vector<Example> examples = ReadExamples(where[0]);
  std::vector<ModelResult> results;
  std::vector<int> truth;
  for (size_t k = 0; k < models.size(); ++k) {
    options.model_path = models[k];
    results.push_back(Evaluate(options, examples, threshold, &truth, isatty(STDERR_FILENO) != 0));
    const ModelResult& r = results.back();
    if (json) {
      std::printf("%s\n", EvalJson(r).c_str());
    } else {
      if (k) std::printf("\n");
      PrintText(r, examples, truth);
    }
    if (!report.empty())
      WriteReport(models.size() > 1 ? report + "/model" + std::to_string(k + 1) : report, r,
                  examples, truth, options);
  }
  if (results.size() > 1 && !json) {
    std::printf("\ncomparison (same %zu images)\n", examples.size());
    std::printf("%-36s %9s %9s %7s %10s %10s %10s %11s\n", "model", "accuracy", "balanced", "AUC",
                "class. ms", "arena B", "flash B", "MACs");
    for (const ModelResult& r : results)
      std::printf("%-36.36s %9.4f %9.4f %7s %10.3f %10zu %10zu %11lld\n",
                  fs::path(r.model).filename().c_str(), r.metrics.accuracy,
                  r.metrics.balanced_accuracy,
                  r.metrics.auc >= 0 ? Num("%.4f", r.metrics.auc).c_str() : "-",
                  Mean(r.classification_ms), r.arena, r.flash, static_cast<long long>(r.macs));
  }
  return 0;
}

}  // namespace vww
