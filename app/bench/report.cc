// app/bench/report: the bench results as text for people and as one JSON
// object per line (nlohmann-json) for scripts.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "app/bench/bench.h"

namespace vww::bench {
namespace {

// Keys in the order they are set, as the report has always printed them.
using JsonObject = nlohmann::ordered_json;

void PrintProfile(const BackendResult& r) {
  double total = 0;
  for (const OpProfile& p : r.profile) total += p.median_us;
  std::printf("  %5s  %-18s %-14s %10s %10s %8s %7s  %s\n", "index", "op", "output", "MACs",
              "median us", "GMAC/s", "share", "kernel");
  for (const OpProfile& p : r.profile) {
    char gmacs[32] = "-";
    if (p.macs > 0 && p.median_us > 0)
      std::snprintf(gmacs, sizeof(gmacs), "%.1f",
                    static_cast<double>(p.macs) / (p.median_us * 1e3));
    std::printf("  %5d  %-18s %-14s %10lld %10.2f %8s %6.1f%%  %s\n", p.index, p.op.c_str(),
                p.shape.c_str(), static_cast<long long>(p.macs), p.median_us, gmacs,
                total > 0 ? 100.0 * p.median_us / total : 0.0, p.kernel.c_str());
  }
  std::printf("  sum of operator medians: %.2f us\n", total);
  // The share of time per kernel form, largest first.
  std::vector<std::pair<std::string, double>> forms;
  for (const OpProfile& p : r.profile) {
    auto it = std::find_if(forms.begin(), forms.end(),
                           [&](const auto& f) { return f.first == p.kernel; });
    if (it == forms.end())
      forms.emplace_back(p.kernel, p.median_us);
    else
      it->second += p.median_us;
  }
  std::sort(forms.begin(), forms.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  std::printf("  time per kernel form:\n");
  for (const auto& [name, us] : forms)
    std::printf("    %-36s %10.2f us %6.1f%%\n", name.c_str(), us,
                total > 0 ? 100.0 * us / total : 0.0);
}

}  // namespace

void PrintText(const BackendResult& r) {
  std::printf("backend %s", r.name.c_str());
  if (!r.isa.empty())
    std::printf(" (isa %s, %d of %d ops on fast kernels)", r.isa.c_str(), r.fast_ops, r.ops);
  std::printf(", %d thread%s\n", r.threads, r.threads == 1 ? "" : "s");
  std::printf("  load %.3f ms, plan %.3f ms, first inference %.3f ms, arena %zu bytes\n", r.load_ms,
              r.plan_ms, r.first_ms, r.arena_bytes);
  const Summary& s = r.stats;
  std::printf("  %d runs: min %.4f  median %.4f  mean %.4f  p90 %.4f  p99 %.4f  max %.4f ms\n",
              r.runs, s.min, s.median, s.mean, s.p90, s.p99, s.max);
  std::printf("  %.0f inferences/s (at the median)\n", s.median > 0 ? 1000.0 / s.median : 0.0);
  if (!r.profile.empty()) PrintProfile(r);
}

std::string Json(const BackendResult& r, const DspResult& dsp, int64_t model_macs) {
  const Summary& s = r.stats;
  JsonObject j;
  j["backend"] = r.name;
  if (!r.isa.empty()) j["isa"] = r.isa;
  j["threads"] = r.threads;
  j["runs"] = r.runs;
  j["load_ms"] = r.load_ms;
  j["plan_ms"] = r.plan_ms;
  j["first_ms"] = r.first_ms;
  j["min_ms"] = s.min;
  j["median_ms"] = s.median;
  j["mean_ms"] = s.mean;
  j["p90_ms"] = s.p90;
  j["p99_ms"] = s.p99;
  j["max_ms"] = s.max;
  j["inferences_per_s"] = s.median > 0 ? 1000.0 / s.median : 0.0;
  j["arena_bytes"] = r.arena_bytes;
  j["macs"] = model_macs;
  j["fast_ops"] = r.fast_ops;
  j["ops"] = r.ops;
  if (dsp.ran) j["dsp_median_ms"] = dsp.stats.median;
  if (!r.profile.empty()) {
    JsonObject profile = JsonObject::array();
    for (const OpProfile& p : r.profile)
      profile.push_back({{"index", p.index},
                         {"op", p.op},
                         {"input_shape", p.input_shape},
                         {"output_shape", p.shape},
                         {"macs", p.macs},
                         {"fast", p.fast},
                         {"kernel", p.kernel},
                         {"median_us", p.median_us}});
    j["profile"] = std::move(profile);
  }
  return j.dump();
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
  JsonObject j;
  j["frames"] = std::to_string(r.width) + "x" + std::to_string(r.height);
  j["tiles_spec"] = spec;
  j["tiles"] = r.tiles;
  j["backend"] = r.backend;
  j["threads"] = r.threads;
  j["runs"] = r.runs;
  j["dsp_median_ms"] = r.dsp.median;
  j["classification_median_ms"] = r.classification.median;
  j["total_median_ms"] = r.total.median;
  j["total_p99_ms"] = r.total.p99;
  j["person"] = static_cast<double>(r.score);
  return j.dump();
}

void PrintExplain(const std::vector<ExplainTiming>& results) {
  if (results.empty()) return;
  const ExplainTiming& f = results.front();
  std::printf(
      "explain: %dx%d patches, stride %d, on a %dx%d input: %d inferences per heat map "
      "(backend %s, %d runs; one inference: median %.4f ms)\n",
      f.patch, f.patch, f.stride, f.input.width, f.input.height, f.inferences, f.backend.c_str(),
      f.runs, f.inference_ms);
  for (const ExplainTiming& r : results)
    std::printf(
        "  %d thread%s: median %.3f ms per heat map (min %.3f, p99 %.3f), %.2fx one "
        "thread\n",
        r.threads, r.threads == 1 ? " " : "s", r.stats.median, r.stats.min, r.stats.p99,
        r.stats.median > 0 ? f.stats.median / r.stats.median : 0.0);
}

std::string JsonExplain(const ExplainTiming& r) {
  JsonObject j;
  j["explain_patch"] = r.patch;
  j["explain_stride"] = r.stride;
  j["input"] = std::to_string(r.input.width) + "x" + std::to_string(r.input.height);
  j["inferences"] = r.inferences;
  j["backend"] = r.backend;
  j["threads"] = r.threads;
  j["runs"] = r.runs;
  j["explain_median_ms"] = r.stats.median;
  j["explain_p99_ms"] = r.stats.p99;
  j["inference_median_ms"] = r.inference_ms;
  j["max_drop"] = static_cast<double>(r.max_drop);
  return j.dump();
}

}  // namespace vww::bench
