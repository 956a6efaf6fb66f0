// pipeline/bundled_models: the models that ship in assets/, by short name.
// `--model NAME` takes one of these names or a .tflite path, everywhere.
#pragma once

#include <string>
#include <vector>

namespace vww {

struct BundledModel {
  std::string name;  // what --model takes: "person_detect", "mlperf_vww"
  std::string file;  // in assets/: "<name>.tflite" (labels beside it)
  std::string pick;  // one line: when to pick it
  bool is_default = false;
};

// Every bundled model; the first is the default.
const std::vector<BundledModel>& BundledModels();

// "person_detect, mlperf_vww": for messages.
std::string BundledModelNames();

// The file for a --model value: empty -> the default model; a bundled name ->
// its file in assets/; an existing file or anything that looks like a path
// (has a '/' or ends in .tflite) -> unchanged, so the loader reports it.
// Anything else throws vww::Error, one line naming the bundled models.
std::string ResolveModelPath(const std::string& name_or_path);

}  // namespace vww
