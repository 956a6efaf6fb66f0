#include "app/format.h"

#include <cstdio>
#include <cstdlib>

#include "model/model.h"

namespace vww {

void PrintPredictions(FILE* out, const Classification& c, const std::vector<std::string>& labels) {
  std::fprintf(out, "Predictions (DSP: %.3f ms., Classification: %.3f ms., Anomaly: 0 ms.):\n",
               c.dsp_ms, c.classification_ms);
  for (size_t i = 0; i < c.scores.size(); ++i)
    std::fprintf(out, "  %s: %.5f\n", labels[i].c_str(), c.scores[i]);
}

bool ParseFrameSize(const std::string& s, int* width, int* height) {
  char x = 0, extra = 0;
  return std::sscanf(s.c_str(), "%d%c%d%c", width, &x, height, &extra) == 3 &&
         (x == 'x' || x == 'X') && *width > 0 && *height > 0;
}

std::vector<float> ParseFloatList(const std::string& s, const char* option) {
  std::vector<float> values;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const std::string item =
        s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const float v = std::strtof(item.c_str(), &end);
    if (item.empty() || *end)
      throw Error(std::string("invalid number '") + item + "' in " + option);
    values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

// Multiply-accumulates of one operator (conv, depthwise, fully connected).
int64_t OperatorMacs(const Model& m, const OperatorInfo& op) {
  const auto& t = m.tensors();
  if (op.outputs.empty() || op.inputs.size() < 2 || op.inputs[1] < 0) return 0;
  const Tensor& out = t[op.outputs[0]];
  const Tensor& w = t[op.inputs[1]];
  switch (op.opcode) {
    case kOpConv2D:  // out elements x KH x KW x Cin
      return w.shape.rank == 4 ? out.shape.elements() * w.shape[1] * w.shape[2] * w.shape[3] : 0;
    case kOpDepthwiseConv2D:  // out elements x KH x KW
      return w.shape.rank == 4 ? out.shape.elements() * w.shape[1] * w.shape[2] : 0;
    case kOpFullyConnected:  // out elements x input depth
      return w.shape.rank == 2 ? out.shape.elements() * w.shape[1] : 0;
    default:
      return 0;
  }
}

int64_t ModelMacs(const Model& m) {
  int64_t total = 0;
  for (const OperatorInfo& op : m.operators()) total += OperatorMacs(m, op);
  return total;
}

}  // namespace vww
