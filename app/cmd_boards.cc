// vww boards: the microcontroller boards `--board` can imitate, with their
// published cost per multiply-accumulate, its basis and source, and the
// estimated latency for a model.
#include <cstdio>
#include <string>

#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "pipeline/boards.h"
#include "pipeline/classifier.h"
#include "pipeline/frame_log.h"

namespace vww {

namespace {

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), ms >= 100 ? "%.0f" : ms >= 10 ? "%.1f" : "%.2f", ms);
  return buf;
}

std::string Thousands(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(i, ",");
  return s;
}

}  // namespace

void PrintBoardEstimates(FILE* out, const std::vector<Board>& boards, int64_t macs) {
  std::fprintf(out,
               "estimated latency per board (estimates: cycles per MAC x %s MACs / clock; "
               "basis: measured for this model, scaled from MLPerf Tiny VWW, or derived from "
               "another row; `vww boards` for the sources):\n",
               Thousands(macs).c_str());
  for (const Board& b : boards)
    std::fprintf(out, "  %-26s %8s ms  (estimate, %s)\n", b.id.c_str(),
                 Ms(b.EstimateMs(macs)).c_str(), b.basis_kind().c_str());
}

int CmdBoards(int argc, char** argv) {
  std::string model_path, boards_path;
  bool json = false;
  cli::ArgParser p("vww boards [options]",
                   "List the microcontroller boards that `vww run --board ID` imitates: clock,\n"
                   "inference software, published cycles per multiply-accumulate (MAC) for this\n"
                   "model class, whether that figure is measured, scaled or derived, its source,\n"
                   "and the estimated latency for a model (cycles per MAC x MACs / clock).");
  p.Option("--model", &model_path, "model to estimate for; default: the bundled person detector");
  p.Option("--boards", &boards_path, "boards file (CSV); default: the bundled assets/boards.csv");
  p.Flag("--json", &json, "one JSON object per board per line");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;

  const std::vector<Board> boards =
      LoadBoards(boards_path.empty() ? DefaultBoardsPath() : boards_path);
  const auto model = Model::FromFile(model_path.empty() ? DefaultModelPath() : model_path);
  const int64_t macs = ModelMacs(*model);

  if (json) {
    for (const Board& b : boards) {
      const OrderedJson j = {
          {"id", b.id},         {"board", b.board},
          {"core", b.core},     {"clock_mhz", JsonExact(b.clock_mhz)},
          {"stack", b.stack},   {"cycles_per_mac", JsonExact(b.cycles_per_mac)},
          {"basis", b.basis},   {"source", b.source},
          {"model_macs", macs}, {"estimated_ms", JsonFixed(b.EstimateMs(macs), 3)},
          {"estimate", true}};
      std::printf("%s\n", JsonText(j).c_str());
    }
    return 0;
  }

  std::printf("%zu boards; estimates for %s (%s MACs) = cycles per MAC x MACs / clock\n\n",
              boards.size(), model->name().c_str(), Thousands(macs).c_str());
  std::printf("%-26s %-38s %5s  %-44s %7s  %-8s %9s\n", "id", "board", "MHz", "software", "cyc/MAC",
              "basis", "est. ms");
  for (const Board& b : boards)
    std::printf("%-26s %-38.38s %5.4g  %-44.44s %7.3g  %-8s %9s\n", b.id.c_str(), b.board.c_str(),
                b.clock_mhz, b.stack.c_str(), b.cycles_per_mac, b.basis_kind().c_str(),
                Ms(b.EstimateMs(macs)).c_str());
  std::printf("\nbasis and source of each figure:\n");
  for (const Board& b : boards)
    std::printf("  %-26s %s; %s\n", b.id.c_str(), b.basis.c_str(), b.source.c_str());
  std::printf(
      "\nEstimates leave out capture, resize and input conversion, and assume the published\n"
      "setup's memory (see assets/README.md).\n");
  return 0;
}

}  // namespace vww
