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

// Multiply-accumulates of one operator (CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED; 0 for the others), and of the whole model.
int64_t OperatorMacs(const Model& m, const OperatorInfo& op);
int64_t ModelMacs(const Model& m);

// Parses "640x480" (or "640X480"); false for anything else or a size < 1.
bool ParseFrameSize(const std::string& s, int* width, int* height);

// Parses "0.485,0.456,0.406" into floats; throws vww::Error.
std::vector<float> ParseFloatList(const std::string& s, const char* option);

}  // namespace vww
