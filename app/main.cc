// vww: the VWW Live command line.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <opencv2/core/utils/logger.hpp>
#include <string>

#include "app/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* summary;
};

const Command kCommands[] = {
    {"info", vww::CmdInfo, "describe a model: operators, shapes, quantization, MACs, arena"},
    {"classify", vww::CmdClassify, "classify image files"},
    {"run", vww::CmdRun, "watch a camera or file: live scores, wake/sleep events, logs"},
    {"devices", vww::CmdDevices, "list cameras: driver, formats, sizes, frame rates"},
    {"bench", vww::CmdBench, "time the model and the DSP: latency percentiles, per-op profile"},
    {"eval", vww::CmdEval, "accuracy, ROC AUC and latency over a labelled folder; compare models"},
    {"models", vww::CmdModels,
     "the bundled models (--model NAME): input, MACs, arena, when to pick"},
};

void PrintUsage(FILE* out) {
  std::fprintf(
      out,
      "VWW Live %s: watch a camera and decide, every frame, whether a person is in view.\n\n"
      "usage: vww <command> [options]   (vww <command> --help for its options)\n\n"
      "commands:\n",
      VWW_VERSION);
  for (const Command& c : kCommands) std::fprintf(out, "  %-10s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  // Our own messages say what failed; OpenCV's warnings would repeat it.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  // A hostile image header must not make OpenCV allocate gigabytes: 64 MP
  // (any camera or photo) is plenty. The user's own setting wins.
  setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "67108864", /*overwrite=*/0);
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (name == "--version") {
    std::printf("vww %s\n", VWW_VERSION);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.run(argc, argv);
    } catch (const std::exception& e) {
      // Every failure is one line on stderr and a non-zero exit.
      std::fprintf(stderr, "error: %s\n", e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "error: unknown command '%s' (see vww --help)\n", name.c_str());
  return 2;
}
