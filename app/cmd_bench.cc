// vww bench: how long the model takes, per backend and per operator, and how
// long the DSP stage takes, measured in one run so the numbers compare.
//
// Nothing here is a pass/fail test: it prints what the machine did. Latency is
// wall time of Interpreter::Invoke (the input copy is outside the timed part).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "app/bench/bench.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "model/fast/isa.h"
#include "pipeline/bundled_models.h"

namespace vww {

using bench::BackendResult;
using bench::DspResult;
using bench::TiledFrameTiming;

int CmdBench(int argc, char** argv) {
  std::string model_path, backend = "fast", isa;
  std::string tiles, size = "640x480";
  int runs = 1000, warmup = 100, threads = 0;
  double gap_ms = 0;
  bool profile = false, json = false, explain = false;
  ExplainOptions explain_options;
  cli::ArgParser p("vww bench [options]",
                   "Time the model on one thread (and with --threads N > 1 also on N): load and\n"
                   "plan time, first inference, then\n"
                   "min/median/mean/p90/p99/max over --runs inferences, inferences/s and arena\n"
                   "bytes; also the DSP stage (a 640x480 BGR frame -> the model input).\n"
                   "With --tiles: the whole per-frame path of the tiled search instead (DSP of\n"
                   "every tile, every tile's inference on --threads threads), per frame.");
  p.Option("--model", &model_path,
           "person_detect (default) | mlperf_vww | FILE.tflite (see vww models)");
  p.Option("--backend", &backend, "fast | reference | all (both, and their ratio); default fast");
  p.Option("--runs", &runs, "timed inferences per backend (default 1000)");
  p.Option("--warmup", &warmup, "untimed inferences first (default 100)");
  p.Option("--isa", &isa,
           "portable | avx2 | avx512vnni (AVX-512 without VBMI) | avx512vbmi (x86-64) | neon | "
           "neondot (arm64): cap the fast kernels' instruction set");
  p.Flag("--profile", &profile, "per-operator table: MACs, median us, GMAC/s, share of total");
  p.Flag("--json", &json, "one JSON object per backend, one per line");
  p.Option("--tiles", &tiles,
           "time frames with this tiled search (1, auto, CxR@S...; see vww run)");
  p.Option("--threads", &threads,
           "with --tiles: threads sharing a frame's tiles (0 = auto: the cores, at most 2); "
           "without: N > 1 also times the fast backend with each large layer's rows split "
           "across N threads, next to one thread");
  p.Option("--size", &size, "with --tiles: the test frame's size WxH (default 640x480)");
  p.Option("--gap-ms", &gap_ms,
           "with --tiles: idle milliseconds before each frame, as between a camera's frames "
           "(default 0: back to back)");
  p.Flag("--explain", &explain,
         "time the occlusion heat map per frame (vww run --explain) on 1 and 2 threads "
         "(--threads N: 1 and N)");
  p.Option("--explain-patch", &explain_options.patch, "with --explain: patch side (default 16)");
  p.Option("--explain-stride", &explain_options.stride, "with --explain: stride (default 8)");
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
  model_path = ResolveModelPath(model_path);

  if (explain) {
    if (!(gap_ms >= 0 && gap_ms <= 10000)) throw Error("--gap-ms must be between 0 and 10000");
    std::vector<int> thread_counts = {1, threads > 1 ? threads : 2};
    for (Backend b : backends) {
      const auto r =
          bench::TimeExplain(model_path, b, explain_options, thread_counts, runs, warmup, gap_ms);
      if (json)
        for (const auto& t : r) std::printf("%s\n", bench::JsonExplain(t).c_str());
      else
        bench::PrintExplain(r);
    }
    return 0;
  }

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
      const TiledFrameTiming r = bench::TimeFrames(options, width, height, runs, warmup, gap_ms);
      if (json)
        std::printf("%s\n", bench::JsonFrames(r, options.tiles.str()).c_str());
      else
        bench::PrintFrames(r, options.tiles.str());
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
    model_macs = ModelMacs(*model);
    dsp = bench::TimeDsp(probe.input(), std::min(runs, 1000), &input);
  }

  if (threads < 0 || threads > 64) throw Error("--threads must be between 0 and 64");
  std::vector<BackendResult> results;
  for (Backend b : backends)
    results.push_back(bench::RunBackend(model_path, b, input, runs, warmup, profile));
  // One inference on N threads: the fast backend's large layers split by rows
  // (the reference kernels never split).
  std::vector<BackendResult> threaded;
  if (threads > 1 && backends.front() == Backend::kFast)
    threaded.push_back(
        bench::RunBackend(model_path, Backend::kFast, input, runs, warmup, profile, threads));

  if (json) {
    for (const BackendResult& r : results)
      std::printf("%s\n", bench::Json(r, dsp, model_macs).c_str());
    for (const BackendResult& r : threaded)
      std::printf("%s\n", bench::Json(r, dsp, model_macs).c_str());
    return 0;
  }
  std::printf("model %s: %zu operators, %lld MACs\n", model_path.c_str(), model->operators().size(),
              static_cast<long long>(model_macs));
  if (dsp.ran)
    std::printf("dsp %s: median %.4f ms (min %.4f, p99 %.4f)\n", dsp.what.c_str(), dsp.stats.median,
                dsp.stats.min, dsp.stats.p99);
  else
    std::printf("dsp: not timed (the model input is not an image the DSP produces)\n");
  for (const BackendResult& r : results) bench::PrintText(r);
  if (results.size() == 2 && results[0].stats.median > 0) {
    std::printf("fast is %.1fx faster than reference (median %.4f ms vs %.4f ms)",
                results[1].stats.median / results[0].stats.median, results[0].stats.median,
                results[1].stats.median);
    if (results[0].top >= 0)
      std::printf("; same top class: %s", results[0].top == results[1].top ? "yes" : "NO");
    std::printf("\n");
  }
  for (const BackendResult& r : threaded) {
    bench::PrintText(r);
    if (r.stats.median > 0)
      std::printf("fast on %d threads is %.2fx one thread (median %.4f ms vs %.4f ms)\n", r.threads,
                  results[0].stats.median / r.stats.median, r.stats.median,
                  results[0].stats.median);
  }
  return 0;
}

}  // namespace vww
