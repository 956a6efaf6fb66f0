// vww bench: how long the model takes, per backend and per operator, and how
// long the DSP stage takes, measured in one run so the numbers compare.
//
// Nothing here is a pass/fail test: it prints what the machine did. Latency is
// wall time of Interpreter::Invoke (the input copy is outside the timed part).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <opencv2/core.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "model/fast/isa.h"
#include "model/kernel.h"
#include "pipeline/classifier.h"
#include "pipeline/dsp.h"

namespace vww {

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Order statistics of a set of timings, in ms.
struct Stats {
  double min = 0, median = 0, mean = 0, p90 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = p / 100.0 * static_cast<double>(sorted.size());
  size_t i = static_cast<size_t>(rank);
  if (static_cast<double>(i) < rank) ++i;  // ceil
  return sorted[std::min(sorted.size() - 1, i == 0 ? 0 : i - 1)];
}

Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  s.p90 = Percentile(v, 90);
  s.p99 = Percentile(v, 99);
  return s;
}

// Multiply-accumulates of one operator (conv, depthwise, fully connected).
int64_t OpMacs(const Node& node) {
  if (node.outputs.empty() || node.inputs.size() < 2 || !node.inputs[1]) return 0;
  const Shape& out = node.outputs[0]->shape;
  const Shape& w = node.inputs[1]->shape;
  switch (node.opcode) {
    case kOpConv2D:
      return w.rank == 4 ? out.elements() * w[1] * w[2] * w[3] : 0;
    case kOpDepthwiseConv2D:
      return w.rank == 4 ? out.elements() * w[1] * w[2] : 0;
    case kOpFullyConnected:
      return w.rank == 2 ? out.elements() * w[1] : 0;
    default:
      return 0;
  }
}

// A deterministic BGR test frame (640x480 unless --size): smooth gradients
// plus noise, so the resize does real work (no flat regions) and runs repeat
// exactly.
cv::Mat MakeFrame(int width = 640, int height = 480) {
  cv::Mat frame(height, width, CV_8UC3);
  std::mt19937 rng(42);
  for (int y = 0; y < frame.rows; ++y) {
    auto* row = frame.ptr<uint8_t>(y);
    for (int x = 0; x < frame.cols; ++x) {
      const int noise = static_cast<int>(rng() % 32);
      row[3 * x + 0] = static_cast<uint8_t>((x / 3 + noise) & 255);
      row[3 * x + 1] = static_cast<uint8_t>((y / 2 + noise) & 255);
      row[3 * x + 2] = static_cast<uint8_t>((x + y + noise) / 5 & 255);
    }
  }
  return frame;
}

struct DspResult {
  bool ran = false;
  std::string what;  // "640x480 BGR -> 96x96x1 int8"
  Stats stats;
};

// Times the DSP stage on the test frame and leaves its output in *input
// (the model input every backend then runs on). Models whose input the DSP
// cannot produce get random bytes instead, and no DSP time.
DspResult TimeDsp(const Tensor& input_tensor, int runs, std::vector<uint8_t>* input) {
  DspResult r;
  input->assign(input_tensor.bytes, 0);
  InputSpec spec;
  try {
    spec = InputSpec::FromTensor(input_tensor);
  } catch (const Error&) {
    std::mt19937 rng(7);
    for (uint8_t& b : *input) b = static_cast<uint8_t>(rng());
    return r;
  }
  Dsp dsp(spec, CropMode::kFitShortest);
  const cv::Mat frame = MakeFrame();
  dsp.Run(frame, input->data());  // first frame allocates the intermediates
  std::vector<double> ms;
  ms.reserve(runs);
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    dsp.Run(frame, input->data());
    ms.push_back(MsSince(start));
  }
  r.ran = true;
  r.what = "640x480 BGR -> " + std::to_string(spec.width) + "x" + std::to_string(spec.height) +
           "x" + std::to_string(spec.channels) + " " + DTypeName(spec.type);
  r.stats = Summarize(std::move(ms));
  return r;
}

struct OpProfile {
  int index = 0;
  std::string op;
  std::string shape;
  int64_t macs = 0;
  bool fast = false;
  double median_us = 0;
};

struct BackendResult {
  std::string name;
  std::string isa;  // fast backend only
  int fast_ops = 0, ops = 0;
  double load_ms = 0, plan_ms = 0, first_ms = 0;
  Stats stats;
  int runs = 0;
  size_t arena_bytes = 0;
  int top = -1;  // argmax of the output, to show both backends agree
  std::vector<OpProfile> profile;
};

int Argmax(const Tensor& out) {
  const int64_t n = out.shape.elements();
  int best = 0;
  for (int64_t i = 1; i < n; ++i) {
    const bool greater = out.type == DType::kUInt8
                             ? out.data[i] > out.data[best]
                             : out.data_as<int8_t>()[i] > out.data_as<int8_t>()[best];
    if (greater) best = static_cast<int>(i);
  }
  return best;
}

BackendResult RunBackend(const std::string& model_path, Backend backend,
                         const std::vector<uint8_t>& input, int runs, int warmup, bool profile) {
  BackendResult r;
  r.name = BackendName(backend);
  auto start = Clock::now();
  auto model = Model::FromFile(model_path);
  r.load_ms = MsSince(start);
  start = Clock::now();
  Interpreter interp(*model, backend);
  r.plan_ms = MsSince(start);
  r.arena_bytes = interp.arena_bytes();
  r.ops = interp.op_count();
  for (int i = 0; i < r.ops; ++i) r.fast_ops += interp.op_is_fast(i) ? 1 : 0;
  if (backend == Backend::kFast) r.isa = fast::IsaName(fast::ActiveIsa());

  Tensor& in = interp.input();
  if (in.bytes != input.size())
    throw Error(model_path + ": input tensor size changed between runs");
  std::memcpy(in.data, input.data(), input.size());
  start = Clock::now();
  interp.Invoke();
  r.first_ms = MsSince(start);
  if (interp.output_count() > 0) r.top = Argmax(interp.output());

  for (int i = 0; i < warmup; ++i) {
    std::memcpy(in.data, input.data(), input.size());
    interp.Invoke();
  }
  std::vector<double> ms;
  ms.reserve(runs);
  for (int i = 0; i < runs; ++i) {
    std::memcpy(in.data, input.data(), input.size());
    start = Clock::now();
    interp.Invoke();
    ms.push_back(MsSince(start));
  }
  r.runs = runs;
  r.stats = Summarize(std::move(ms));

  if (profile) {
    // Each operator timed alone, in order, so the tensors it reads are the
    // ones its predecessors just wrote.
    const int n = interp.op_count();
    std::vector<std::vector<double>> us(n);
    for (auto& v : us) v.reserve(runs);
    for (int run = 0; run < runs; ++run) {
      std::memcpy(in.data, input.data(), input.size());
      for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        interp.InvokeOp(i);
        us[i].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    }
    for (int i = 0; i < n; ++i) {
      const Node& node = interp.node(i);
      OpProfile p;
      p.index = i;
      p.op = BuiltinOpName(node.opcode);
      p.shape = node.outputs.empty() ? "-" : node.outputs[0]->shape.str();
      p.macs = OpMacs(node);
      p.fast = interp.op_is_fast(i);
      p.median_us = Summarize(std::move(us[i])).median;
      r.profile.push_back(p);
    }
  }
  return r;
}

void PrintProfile(const BackendResult& r) {
  double total = 0;
  for (const OpProfile& p : r.profile) total += p.median_us;
  std::printf("  %5s  %-18s %-6s %-12s %10s %10s %8s %7s\n", "index", "op", "kernel", "output",
              "MACs", "median us", "GMAC/s", "share");
  for (const OpProfile& p : r.profile) {
    char gmacs[32] = "-";
    if (p.macs > 0 && p.median_us > 0)
      std::snprintf(gmacs, sizeof(gmacs), "%.1f",
                    static_cast<double>(p.macs) / (p.median_us * 1e3));
    std::printf("  %5d  %-18s %-6s %-12s %10lld %10.2f %8s %6.1f%%\n", p.index, p.op.c_str(),
                p.fast ? "fast" : "ref", p.shape.c_str(), static_cast<long long>(p.macs),
                p.median_us, gmacs, total > 0 ? 100.0 * p.median_us / total : 0.0);
  }
  std::printf("  sum of operator medians: %.2f us\n", total);
}

void PrintText(const BackendResult& r) {
  std::printf("backend %s", r.name.c_str());
  if (!r.isa.empty())
    std::printf(" (isa %s, %d of %d ops on fast kernels)", r.isa.c_str(), r.fast_ops, r.ops);
  std::printf("\n");
  std::printf("  load %.3f ms, plan %.3f ms, first inference %.3f ms, arena %zu bytes\n", r.load_ms,
              r.plan_ms, r.first_ms, r.arena_bytes);
  const Stats& s = r.stats;
  std::printf("  %d runs: min %.4f  median %.4f  mean %.4f  p90 %.4f  p99 %.4f  max %.4f ms\n",
              r.runs, s.min, s.median, s.mean, s.p90, s.p99, s.max);
  std::printf("  %.0f inferences/s (at the median)\n", s.median > 0 ? 1000.0 / s.median : 0.0);
  if (!r.profile.empty()) PrintProfile(r);
}

std::string JsonNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string Json(const BackendResult& r, const DspResult& dsp, int64_t model_macs) {
  const Stats& s = r.stats;
  std::string j = "{\"backend\":" + JsonString(r.name);
  if (!r.isa.empty()) j += ",\"isa\":" + JsonString(r.isa);
  j += ",\"runs\":" + std::to_string(r.runs) + ",\"load_ms\":" + JsonNumber(r.load_ms) +
       ",\"plan_ms\":" + JsonNumber(r.plan_ms) + ",\"first_ms\":" + JsonNumber(r.first_ms) +
       ",\"min_ms\":" + JsonNumber(s.min) + ",\"median_ms\":" + JsonNumber(s.median) +
       ",\"mean_ms\":" + JsonNumber(s.mean) + ",\"p90_ms\":" + JsonNumber(s.p90) +
       ",\"p99_ms\":" + JsonNumber(s.p99) + ",\"max_ms\":" + JsonNumber(s.max) +
       ",\"inferences_per_s\":" + JsonNumber(s.median > 0 ? 1000.0 / s.median : 0.0) +
       ",\"arena_bytes\":" + std::to_string(r.arena_bytes) +
       ",\"macs\":" + std::to_string(model_macs) + ",\"fast_ops\":" + std::to_string(r.fast_ops) +
       ",\"ops\":" + std::to_string(r.ops);
  if (dsp.ran) j += ",\"dsp_median_ms\":" + JsonNumber(dsp.stats.median);
  if (!r.profile.empty()) {
    j += ",\"profile\":[";
    for (size_t i = 0; i < r.profile.size(); ++i) {
      const OpProfile& p = r.profile[i];
      j += std::string(i ? "," : "") + "{\"index\":" + std::to_string(p.index) +
           ",\"op\":" + JsonString(p.op) + ",\"output_shape\":" + JsonString(p.shape) +
           ",\"macs\":" + std::to_string(p.macs) + ",\"fast\":" + (p.fast ? "true" : "false") +
           ",\"median_us\":" + JsonNumber(p.median_us) + "}";
    }
    j += "]";
  }
  return j + "}";
}

// The whole per-frame path of the tiled search (Classifier::Classify: every
// tile's DSP, every tile's inference, the combination), timed per frame.
struct TiledFrameTiming {
  std::string backend;
  int width = 0, height = 0, tiles = 0, threads = 1, runs = 0;
  Stats dsp, classification, total;
  float score = 0;  // the combined person score of the test frame
};

TiledFrameTiming TimeFrames(ClassifierOptions options, int width, int height, int runs, int warmup,
                            double gap_ms) {
  TiledFrameTiming r;
  r.backend = BackendName(options.backend);
  Classifier classifier(options);
  const cv::Mat frame = MakeFrame(width, height);
  for (int i = 0; i < 1 + warmup; ++i) classifier.Classify(frame);  // the first one allocates
  std::vector<double> dsp, classification, total;
  for (int i = 0; i < runs; ++i) {
    // A camera's frames come with idle time between them (33 ms at 30 fps),
    // in which worker threads go to sleep and caches cool down.
    if (gap_ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(gap_ms));
    const Classification& c = classifier.Classify(frame);
    dsp.push_back(c.dsp_ms);
    classification.push_back(c.classification_ms);
    total.push_back(c.dsp_ms + c.classification_ms);
    if (classifier.person_index() >= 0) r.score = c.scores[classifier.person_index()];
  }
  r.width = width;
  r.height = height;
  r.tiles =
      classifier.tiles().single() ? 1 : static_cast<int>(classifier.tile_layout().tiles.size());
  r.threads = classifier.threads();
  r.runs = runs;
  r.dsp = Summarize(std::move(dsp));
  r.classification = Summarize(std::move(classification));
  r.total = Summarize(std::move(total));
  return r;
}

void PrintFrames(const TiledFrameTiming& r, const std::string& spec) {
  std::printf("frames %dx%d BGR, tiles %s (%d per frame), backend %s, %d thread%s, %d runs:\n",
              r.width, r.height, spec.c_str(), r.tiles, r.backend.c_str(), r.threads,
              r.threads == 1 ? "" : "s", r.runs);
  std::printf("  dsp             median %.4f ms (min %.4f, p99 %.4f)\n", r.dsp.median, r.dsp.min,
              r.dsp.p99);
  std::printf("  classification  median %.4f ms (min %.4f, p99 %.4f), %.4f ms per tile\n",
              r.classification.median, r.classification.min, r.classification.p99,
              r.classification.median / std::max(r.tiles, 1));
  std::printf("  dsp + classification  median %.4f ms (min %.4f, p99 %.4f), %.0f frames/s\n",
              r.total.median, r.total.min, r.total.p99,
              r.total.median > 0 ? 1000.0 / r.total.median : 0.0);
}

std::string JsonFrames(const TiledFrameTiming& r, const std::string& spec) {
  return "{\"frames\":\"" + std::to_string(r.width) + "x" + std::to_string(r.height) +
         "\",\"tiles_spec\":" + JsonString(spec) + ",\"tiles\":" + std::to_string(r.tiles) +
         ",\"backend\":" + JsonString(r.backend) + ",\"threads\":" + std::to_string(r.threads) +
         ",\"runs\":" + std::to_string(r.runs) + ",\"dsp_median_ms\":" + JsonNumber(r.dsp.median) +
         ",\"classification_median_ms\":" + JsonNumber(r.classification.median) +
         ",\"total_median_ms\":" + JsonNumber(r.total.median) +
         ",\"total_p99_ms\":" + JsonNumber(r.total.p99) + ",\"person\":" + JsonNumber(r.score) +
         "}";
}

}  // namespace

int CmdBench(int argc, char** argv) {
  std::string model_path, backend = "fast", isa;
  std::string tiles, size = "640x480";
  int runs = 1000, warmup = 100, threads = 0;
  double gap_ms = 0;
  bool profile = false, json = false;
  cli::ArgParser p("vww bench [options]",
                   "Time the model on one thread: load and plan time, first inference, then\n"
                   "min/median/mean/p90/p99/max over --runs inferences, inferences/s and arena\n"
                   "bytes; also the DSP stage (a 640x480 BGR frame -> the model input).\n"
                   "With --tiles: the whole per-frame path of the tiled search instead (DSP of\n"
                   "every tile, every tile's inference on --threads threads), per frame.");
  p.Option("--model", &model_path, "model file (.tflite); default: the bundled person detector");
  p.Option("--backend", &backend, "fast | reference | all (both, and their ratio); default fast");
  p.Option("--runs", &runs, "timed inferences per backend (default 1000)");
  p.Option("--warmup", &warmup, "untimed inferences first (default 100)");
  p.Option("--isa", &isa, "portable | avx2 | avx512vnni: cap the fast kernels' instruction set");
  p.Flag("--profile", &profile, "per-operator table: MACs, median us, GMAC/s, share of total");
  p.Flag("--json", &json, "one JSON object per backend, one per line");
  p.Option("--tiles", &tiles,
           "time frames with this tiled search (1, auto, CxR@S...; see vww run)");
  p.Option("--threads", &threads,
           "with --tiles: threads sharing a frame's tiles (0 = auto: the cores, at most 2)");
  p.Option("--size", &size, "with --tiles: the test frame's size WxH (default 640x480)");
  p.Option("--gap-ms", &gap_ms,
           "with --tiles: idle milliseconds before each frame, as between a camera's frames "
           "(default 0: back to back)");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;
  if (runs < 1 || runs > 10000000) throw Error("--runs must be between 1 and 10000000");
  if (warmup < 0 || warmup > 10000000) throw Error("--warmup must be between 0 and 10000000");
  std::vector<Backend> backends;
  if (backend == "all") {
    backends = {Backend::kFast, Backend::kReference};
  } else if (backend == "fast" || backend == "reference") {
    backends = {ParseBackend(backend)};
  } else {
    throw Error("unknown backend '" + backend + "' (use fast, reference or all)");
  }
  if (!isa.empty()) fast::SetIsaOverride(fast::ParseIsa(isa.c_str()));
  if (model_path.empty()) model_path = DefaultModelPath();

  if (!tiles.empty()) {
    ClassifierOptions options;
    int width = 0, height = 0;
    if (!ParseFrameSize(size, &width, &height) || width > 8192 || height > 8192)
      throw Error("invalid --size '" + size + "' (want WxH, e.g. 640x480)");
    if (!(gap_ms >= 0 && gap_ms <= 10000)) throw Error("--gap-ms must be between 0 and 10000");
    options.model_path = model_path;
    options.tiles = ParseTileSpec(tiles);
    options.threads = threads;
    for (Backend b : backends) {
      options.backend = b;
      const TiledFrameTiming r = TimeFrames(options, width, height, runs, warmup, gap_ms);
      if (json)
        std::printf("%s\n", JsonFrames(r, options.tiles.str()).c_str());
      else
        PrintFrames(r, options.tiles.str());
    }
    return 0;
  }

  // The DSP output of the test frame is every backend's input.
  auto model = Model::FromFile(model_path);
  int64_t model_macs = 0;
  std::vector<uint8_t> input;
  DspResult dsp;
  {
    Interpreter probe(*model, Backend::kReference);
    if (probe.input_count() != 1)
      throw Error(model_path + ": vww bench needs a model with one input");
    for (int i = 0; i < probe.op_count(); ++i) model_macs += OpMacs(probe.node(i));
    dsp = TimeDsp(probe.input(), std::min(runs, 1000), &input);
  }

  std::vector<BackendResult> results;
  for (Backend b : backends)
    results.push_back(RunBackend(model_path, b, input, runs, warmup, profile));

  if (json) {
    for (const BackendResult& r : results) std::printf("%s\n", Json(r, dsp, model_macs).c_str());
    return 0;
  }
  std::printf("model %s: %zu operators, %lld MACs\n", model_path.c_str(), model->operators().size(),
              static_cast<long long>(model_macs));
  if (dsp.ran)
    std::printf("dsp %s: median %.4f ms (min %.4f, p99 %.4f)\n", dsp.what.c_str(), dsp.stats.median,
                dsp.stats.min, dsp.stats.p99);
  else
    std::printf("dsp: not timed (the model input is not an image the DSP produces)\n");
  for (const BackendResult& r : results) PrintText(r);
  if (results.size() == 2 && results[0].stats.median > 0) {
    std::printf("fast is %.1fx faster than reference (median %.4f ms vs %.4f ms)",
                results[1].stats.median / results[0].stats.median, results[0].stats.median,
                results[1].stats.median);
    if (results[0].top >= 0)
      std::printf("; same top class: %s", results[0].top == results[1].top ? "yes" : "NO");
    std::printf("\n");
  }
  return 0;
}

}  // namespace vww
