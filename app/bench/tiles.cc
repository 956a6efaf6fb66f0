// app/bench/tiles: the whole per-frame path of the tiled search, timed.
#include <algorithm>
#include <thread>

#include "app/bench/bench.h"

namespace vww::bench {

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

}  // namespace vww::bench
