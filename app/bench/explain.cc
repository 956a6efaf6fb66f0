// app/bench/explain: the occlusion heat map's cost per frame (pipeline/explain:
// the base plus one inference per patch, shared over the worker pool), on
// one and two threads, next to one plain inference.
#include "pipeline/explain.h"

#include <thread>

#include "app/bench/bench.h"
#include "pipeline/dsp/dsp.h"

namespace vww::bench {

std::vector<ExplainTiming> TimeExplain(const std::string& model_path, Backend backend,
                                       const ExplainOptions& base, const std::vector<int>& threads,
                                       int runs, int warmup, double gap_ms) {
  ClassifierOptions co;
  co.model_path = model_path;
  co.backend = backend;
  Classifier classifier(co);
  if (classifier.person_index() < 0)
    throw Error(classifier.model().name() + ": --explain needs a class named \"person\"");
  // The model input of the test frame, as the live loop would explain it.
  const cv::Mat frame = MakeFrame();
  classifier.Classify(frame);
  std::vector<uint8_t> input(classifier.dsp().spec().bytes());
  WriteModelInput(classifier.model_image(), classifier.dsp().spec(), input.data());

  // One plain inference, for scale.
  std::vector<double> single;
  for (int i = 0; i < runs; ++i) single.push_back(classifier.Classify(frame).classification_ms);
  const double inference_ms = Summarize(std::move(single)).median;

  std::vector<ExplainTiming> out;
  for (int t : threads) {
    ExplainOptions o = base;
    o.threads = t;
    o.backend = backend;
    Explainer explainer(classifier.model(), classifier.person_index(), o);
    for (int i = 0; i < 1 + warmup; ++i) explainer.Run(input.data());
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
      if (gap_ms > 0)
        std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(gap_ms));
      const auto t0 = Clock::now();
      explainer.Run(input.data());
      ms.push_back(MsSince(t0));
    }
    ExplainTiming r;
    r.backend = BackendName(backend);
    r.threads = explainer.threads();
    r.patch = o.patch;
    r.stride = o.stride;
    r.inferences = explainer.inferences();
    r.input = explainer.heat().input;
    r.runs = runs;
    r.stats = Summarize(std::move(ms));
    r.inference_ms = inference_ms;
    r.max_drop = explainer.heat().max_drop();
    out.push_back(r);
  }
  return out;
}

}  // namespace vww::bench
