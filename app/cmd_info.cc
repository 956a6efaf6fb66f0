// vww info: what a model is, what it costs, and what it needs as input.
#include "app/cli.h"
#include "app/commands.h"
#include "app/format.h"
#include "model/kernel.h"
#include "pipeline/boards.h"
#include "pipeline/bundled_models.h"

namespace vww {

namespace {

std::string Quant(const Tensor& t) {
  if (!t.quantized) return "-";
  char buf[96];
  if (t.channel_scales.size() > 1)
    std::snprintf(buf, sizeof(buf), "per-channel (%zu, axis %d)", t.channel_scales.size(),
                  t.quantized_dimension);
  else
    std::snprintf(buf, sizeof(buf), "%.9g / %d", t.scale, t.zero_point);
  return buf;
}

// Per board: {"id","estimated_ms","estimate":true,"basis"}.
OrderedJson BoardEstimatesJson(int64_t macs) {
  OrderedJson j = OrderedJson::array();
  for (const Board& b : LoadBoards(DefaultBoardsPath()))
    j.push_back({{"id", b.id},
                 {"estimated_ms", JsonFixed(b.EstimateMs(macs), 3)},
                 {"estimate", true},
                 {"basis", b.basis_kind()}});
  return j;
}

}  // namespace

int CmdInfo(int argc, char** argv) {
  std::string model_path, backend = "reference";
  bool json = false;
  cli::ArgParser p("vww info [options]",
                   "Describe a model: operators in order with shapes, quantization and MACs;\n"
                   "totals, arena bytes, constant (flash) bytes and the input format.");
  p.Option("--model", &model_path,
           "person_detect (default) | mlperf_vww | FILE.tflite (see vww models)");
  p.Option("--backend", &backend,
           "fast | reference: whose arena plan to report (default reference)");
  p.Flag("--json", &json, "one JSON object");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;

  auto model = Model::FromFile(ResolveModelPath(model_path));
  Interpreter interp(*model, ParseBackend(backend));
  const auto& tensors = model->tensors();
  int64_t total_macs = 0;
  int64_t params = 0;
  for (const Tensor& t : tensors)
    if (t.is_constant) params += t.shape.elements();
  const Tensor& in = tensors[model->inputs()[0]];
  const Tensor& out = tensors[model->outputs()[0]];

  if (json) {
    OrderedJson ops = OrderedJson::array();
    for (const OperatorInfo& op : model->operators()) {
      const int64_t macs = OperatorMacs(*model, op);
      total_macs += macs;
      const Tensor& o = tensors[op.outputs[0]];
      ops.push_back({{"index", op.index},
                     {"op", BuiltinOpName(op.opcode)},
                     {"output_shape", o.shape.str()},
                     {"macs", macs}});
    }
    OrderedJson shape = OrderedJson::array();
    for (int i = 0; i < in.shape.rank; ++i) shape.push_back(in.shape[i]);
    const OrderedJson j = {{"model", model->name()},
                           {"description", model->description()},
                           {"schema_version", model->schema_version()},
                           {"ops", interp.op_count()},
                           {"macs", total_macs},
                           {"params", params},
                           {"arena_bytes", interp.arena_bytes()},
                           {"flash_bytes", model->constant_bytes()},
                           {"file_bytes", model->file_bytes()},
                           {"input",
                            {{"shape", shape},
                             {"type", DTypeName(in.type)},
                             {"scale", JsonExact(in.scale)},
                             {"zero_point", in.zero_point}}},
                           {"output", {{"shape", out.shape.str()}, {"type", DTypeName(out.type)}}},
                           {"operators", ops},
                           {"board_estimates", BoardEstimatesJson(total_macs)}};
    std::printf("%s\n", JsonText(j).c_str());
    return 0;
  }

  std::printf("model: %s (%zu bytes, schema %u, \"%s\")\n", model->name().c_str(),
              model->file_bytes(), model->schema_version(), model->description().c_str());
  std::printf("input:  %s %s %s, quantization %s\n", in.name.c_str(), DTypeName(in.type),
              in.shape.str().c_str(), Quant(in).c_str());
  std::printf("output: %s %s %s, quantization %s\n\n", out.name.c_str(), DTypeName(out.type),
              out.shape.str().c_str(), Quant(out).c_str());
  std::printf("%4s  %-18s %-14s %-14s %-26s %-28s %12s\n", "#", "op", "input", "output", "weights",
              "output quantization", "MACs");
  for (const OperatorInfo& op : model->operators()) {
    const int64_t macs = OperatorMacs(*model, op);
    total_macs += macs;
    const Tensor& o = tensors[op.outputs[0]];
    std::string in_shape =
        op.inputs.empty() || op.inputs[0] < 0 ? "-" : tensors[op.inputs[0]].shape.str();
    std::string weights = "-";
    if (op.inputs.size() > 1 && op.inputs[1] >= 0 && tensors[op.inputs[1]].is_constant)
      weights =
          tensors[op.inputs[1]].shape.str() + " " + Quant(tensors[op.inputs[1]]).substr(0, 16);
    std::printf("%4d  %-18s %-14s %-14s %-26s %-28s %12lld\n", op.index,
                BuiltinOpName(op.opcode).c_str(), in_shape.c_str(), o.shape.str().c_str(),
                weights.c_str(), Quant(o).c_str(), static_cast<long long>(macs));
  }
  std::printf(
      "\noperators: %d\nMACs: %lld\nparameters: %lld\narena: %zu bytes\nflash (constant data): %zu "
      "bytes\n",
      interp.op_count(), static_cast<long long>(total_macs), static_cast<long long>(params),
      interp.arena_bytes(), model->constant_bytes());
  std::printf("input format: %s %s, int8 = pixel - 128 for int8 inputs, pixel for uint8\n",
              in.shape.str().c_str(), DTypeName(in.type));
  std::printf("\n");
  PrintBoardEstimates(stdout, LoadBoards(DefaultBoardsPath()), total_macs);
  return 0;
}

}  // namespace vww
