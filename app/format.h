// Console and JSON formatting shared by the subcommands.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "pipeline/classifier.h"
#include "pipeline/frame_log.h"  // JsonString, Num, Exact

namespace vww {

// Edge Impulse's block: "Predictions (DSP: 0.041 ms., Classification: ...):"
// then "  label: 0.94141" per class.
void PrintPredictions(FILE* out, const Classification& c, const std::vector<std::string>& labels);

// Parses "0.485,0.456,0.406" into floats; throws vww::Error.
std::vector<float> ParseFloatList(const std::string& s, const char* option);

}  // namespace vww
