// vww: the VWW Live command line.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <opencv2/core/utils/logger.hpp>
#include <string>

#include "app/commands.h"
#include "model/fast/isa.h"
#include "pipeline/assets.h"

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
    {"boards", vww::CmdBoards, "microcontroller boards --board imitates, with estimated latency"},
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

// The version, what the fast backend runs on this CPU, and where the shipped
// files were found: the three things a bug report needs first.
void PrintVersion() {
  std::printf("vww %s\n", VWW_VERSION);
  std::printf("fast kernels: %s\n", vww::fast::IsaName(vww::fast::ActiveIsa()));
  std::printf("data: %s\n", vww::DataDir().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  // Our own messages say what failed; OpenCV's warnings would repeat it.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  // A hostile image header must not make OpenCV allocate gigabytes: 64 MP
  // (any camera or photo) is plenty. The user's own setting wins. OpenCV
  // reads the variable once, when its library loads (before main), so it
  // takes effect only in a fresh process image: set it and exec ourselves
  // once (same pid, same arguments; if exec fails, go on without the cap).
  if (!std::getenv("OPENCV_IO_MAX_IMAGE_PIXELS")) {
    setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "67108864", /*overwrite=*/1);
    execv("/proc/self/exe", argv);
  }
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (name == "--version" || name == "-V") {
    PrintVersion();
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
