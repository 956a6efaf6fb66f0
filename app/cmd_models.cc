// vww models: the models bundled in assets/, what each costs and when to pick it.
#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "pipeline/bundled_models.h"

namespace vww {

namespace {

// "96x96 gray" / "96x96 RGB" from an NHWC input tensor.
std::string InputName(const Tensor& in) {
  if (in.shape.rank != 4) return in.shape.str();
  const int channels = in.shape[3];
  const std::string colour = channels == 1   ? "gray"
                             : channels == 3 ? "RGB"
                                             : std::to_string(channels) + " channels";
  return std::to_string(in.shape[2]) + "x" + std::to_string(in.shape[1]) + " " + colour;
}

std::string Thousands(long long v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(i, ",");
  return s;
}

}  // namespace

int CmdModels(int argc, char** argv) {
  bool json = false;
  cli::ArgParser p("vww models [options]",
                   "The models bundled with VWW Live: their short names (for --model NAME in\n"
                   "run, classify, eval, bench and info), input, MACs per inference, arena bytes\n"
                   "(fast backend), constant (flash) bytes, and when to pick each.");
  p.Flag("--json", &json, "one JSON object per model, one per line");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;

  if (!json)
    std::printf("%-15s %-12s %11s %9s %9s  %s\n", "name", "input", "MACs", "arena B", "flash B",
                "file");
  for (const BundledModel& b : BundledModels()) {
    const std::string path = ResolveModelPath(b.name);
    auto model = Model::FromFile(path);
    Interpreter interp(*model, Backend::kFast);
    const Tensor& in = interp.input();
    const long long macs = static_cast<long long>(ModelMacs(*model));
    if (json) {
      const OrderedJson j = {{"name", b.name},
                             {"default", b.is_default},
                             {"file", path},
                             {"input", InputName(in)},
                             {"macs", macs},
                             {"arena_bytes", interp.arena_bytes()},
                             {"flash_bytes", model->constant_bytes()},
                             {"pick", b.pick}};
      std::printf("%s\n", JsonText(j).c_str());
      continue;
    }
    std::printf("%-15s %-12s %11s %9s %9s  %s\n", (b.name + (b.is_default ? "*" : "")).c_str(),
                InputName(in).c_str(), Thousands(macs).c_str(),
                Thousands(static_cast<long long>(interp.arena_bytes())).c_str(),
                Thousands(static_cast<long long>(model->constant_bytes())).c_str(), path.c_str());
  }
  if (json) return 0;
  std::printf("\n* the default\n");
  for (const BundledModel& b : BundledModels())
    std::printf("%s: %s\n", b.name.c_str(), b.pick.c_str());
  return 0;
}

}  // namespace vww
