// vww classify: images -> Edge Impulse style predictions (or JSON lines).
#include <opencv2/imgcodecs.hpp>

#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "pipeline/capture/image_file.h"
#include "pipeline/explain.h"
#include "ui/heatmap.h"

namespace vww {

int CmdClassify(int argc, char** argv) {
  std::string model, labels, backend = "fast", crop = "fit-shortest", mean, stddev, tiles = "1";
  bool json = false;
  int threads = 0;
  std::string explain_out;
  ExplainOptions explain_options;
  std::vector<std::string> images;
  cli::ArgParser p("vww classify [options] IMAGE...",
                   "Classify image files (PNG, JPG, BMP, PGM, ...) with the same DSP as the live\n"
                   "pipeline and print the scores per image.");
  p.Option("--model", &model,
           "person_detect (default) | mlperf_vww | FILE.tflite (see vww models)");
  p.Option("--labels", &labels, "class names, one per line; default: <model>.labels.txt");
  p.Option("--backend", &backend, "fast | reference (default fast)");
  p.Option("--crop", &crop, "fit-shortest | fit-longest | squash (default fit-shortest)");
  p.Option("--tiles", &tiles,
           "1 (the crop only, default) | auto | CxR[@S][+...][:RULE[:BIAS]]: also search "
           "overlapping tiles and combine their person scores; prints the winning tile");
  p.Option("--threads", &threads,
           "threads sharing an image's tiles (0 = auto: the cores, at most 2; default 0)");
  p.Option("--mean", &mean, "per-channel mean of 0..1 pixels, e.g. 0.485,0.456,0.406");
  p.Option("--std", &stddev, "per-channel std of 0..1 pixels, e.g. 0.229,0.224,0.225");
  p.Flag("--json", &json, "one JSON object per image per line");
  p.Option("--explain", &explain_out,
           "write OUT.png: the image with its occlusion heat map (how much hiding each patch of "
           "the model's input lowers the person score); one IMAGE");
  p.Option("--explain-patch", &explain_options.patch,
           "heat map patch side, model pixels (default 16)");
  p.Option("--explain-stride", &explain_options.stride,
           "heat map step between patches, model pixels (default 8)");
  p.Positionals(&images, "IMAGE...", "image files to classify");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;
  if (images.empty()) {
    std::fprintf(stderr, "error: no images given (see vww classify --help)\n");
    return 2;
  }

  if (!explain_out.empty() && images.size() != 1) {
    std::fprintf(stderr, "error: --explain OUT.png takes exactly one IMAGE\n");
    return 2;
  }
  if (explain_options.patch < 1 || explain_options.stride < 1) {
    std::fprintf(stderr, "error: --explain-patch and --explain-stride must be at least 1\n");
    return 2;
  }
  ClassifierOptions options;
  options.model_path = model;
  options.labels_path = labels;
  options.backend = ParseBackend(backend);
  options.crop = ParseCropMode(crop);
  if (!mean.empty()) options.mean = ParseFloatList(mean, "--mean");
  if (!stddev.empty()) options.std = ParseFloatList(stddev, "--std");
  try {
    options.tiles = ParseTileSpec(tiles);
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  if (threads < 0 || threads > kMaxThreads) {
    std::fprintf(stderr, "error: --threads must be between 0 (auto) and %d\n", kMaxThreads);
    return 2;
  }
  options.threads = threads;
  Classifier classifier(options);
  const bool tiled = !options.tiles.single();
  std::unique_ptr<Explainer> explainer;
  if (!explain_out.empty()) {
    if (classifier.person_index() < 0) {
      std::fprintf(stderr, "error: --explain needs a model with a class named \"person\"\n");
      return 2;
    }
    explain_options.threads = threads;
    explain_options.backend = options.backend;
    explainer =
        std::make_unique<Explainer>(classifier.model(), classifier.person_index(), explain_options);
  }

  int failures = 0;
  for (const std::string& path : images) {
    cv::Mat image;
    try {
      image = LoadColourImage(path);
    } catch (const Error& e) {
      std::fprintf(stderr, "error: %s\n", e.what());
      ++failures;
      continue;
    }
    classifier.Reset();  // images are unrelated: no look-back across them
    const Classification& c = classifier.Classify(image);
    const cv::Rect& t = c.tile_rect;
    const auto& names = classifier.labels();
    if (json) {
      OrderedJson scores = OrderedJson::object();
      for (size_t i = 0; i < c.scores.size(); ++i) scores[names[i]] = JsonDigits(c.scores[i], 6);
      OrderedJson j = {
          {"file", path}, {"label", names[c.top]}, {"scores", scores}, {"scores_q", c.scores_q}};
      if (tiled) {
        j["tiles"] = c.tile_scores.size();
        j["tile"] = {{"index", c.tile}, {"x", t.x}, {"y", t.y}, {"w", t.width}, {"h", t.height}};
      }
      j["dsp_ms"] = JsonFixed(c.dsp_ms, 4);
      j["classification_ms"] = JsonFixed(c.classification_ms, 4);
      std::printf("%s\n", JsonText(j).c_str());
    } else {
      std::printf("%s\n", path.c_str());
      PrintPredictions(stdout, c, names);
      if (tiled)
        std::printf("tile: %d of %zu, %dx%d at (%d, %d)\n", c.tile, c.tile_scores.size(), t.width,
                    t.height, t.x, t.y);
    }
    if (explainer) {
      // The winning tile's model input, as the DSP wrote it.
      std::vector<uint8_t> input(explainer->spec().bytes());
      WriteModelInput(classifier.model_image(), explainer->spec(), input.data());
      const HeatMap& heat = explainer->Run(input.data());
      const HeatPlacement where = PlaceHeat(image.size(), classifier.model_image().size(),
                                            options.crop, c.tile, c.tile_rect);
      const cv::Rect top = where.ToFrame(heat.patch_rect(heat.top));
      char caption[160];
      std::snprintf(caption, sizeof caption, "%s %.2f; hottest patch: score -%.2f",
                    names[classifier.person_index()].c_str(), heat.base, heat.max_drop());
      const cv::Mat out = DrawExplainedFrame(image, heat, where, caption);
      bool ok = false;
      try {
        ok = cv::imwrite(explain_out, out);
      } catch (const cv::Exception&) {
        ok = false;
      }
      if (!ok) {
        std::fprintf(stderr, "error: %s: cannot write the heat map image\n", explain_out.c_str());
        return 1;
      }
      // On stderr with --json, so stdout stays one JSON object per line.
      std::fprintf(json ? stderr : stdout,
                   "explain: %d patches of %d px (stride %d); top patch %dx%d at (%d, %d), "
                   "%s score drop %.5f; wrote %s\n",
                   heat.count(), heat.patch, explainer->options().stride, top.width, top.height,
                   top.x, top.y, names[classifier.person_index()].c_str(), heat.max_drop(),
                   explain_out.c_str());
    }
  }
  return failures ? 1 : 0;
}

}  // namespace vww
