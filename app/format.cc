#include "app/format.h"

#include <cstdlib>

#include "model/model.h"

namespace vww {

void PrintPredictions(FILE* out, const Classification& c, const std::vector<std::string>& labels) {
  std::fprintf(out, "Predictions (DSP: %.3f ms., Classification: %.3f ms., Anomaly: 0 ms.):\n",
               c.dsp_ms, c.classification_ms);
  for (size_t i = 0; i < c.scores.size(); ++i)
    std::fprintf(out, "  %s: %.5f\n", labels[i].c_str(), c.scores[i]);
}

std::string JsonString(const std::string& s) {
  std::string r = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\r': r += "\\r"; break;
      case '\t': r += "\\t"; break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", ch);
          r += buf;
        } else {
          r += static_cast<char>(ch);
        }
    }
  }
  return r + "\"";
}

std::vector<float> ParseFloatList(const std::string& s, const char* option) {
  std::vector<float> values;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    const std::string item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const float v = std::strtof(item.c_str(), &end);
    if (item.empty() || *end) throw Error(std::string("invalid number '") + item + "' in " + option);
    values.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

}  // namespace vww
