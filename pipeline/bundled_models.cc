#include "pipeline/bundled_models.h"

#include <unistd.h>

#include "model/error.h"
#include "pipeline/classifier.h"

namespace vww {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

const std::vector<BundledModel>& BundledModels() {
  static const std::vector<BundledModel> models = {
      {"person_detect", "person_detect.tflite",
       "the default: the TFLite Micro person detector; fastest, gray input works with any "
       "camera, the one microcontroller courses use",
       true},
      {"mlperf_vww", "mlperf_vww.tflite",
       "more accurate (colour helps), fewer false wakes on look-alikes; needs a colour "
       "camera; pick it when accuracy matters more than speed",
       false},
  };
  return models;
}

std::string BundledModelNames() {
  std::string names;
  for (const BundledModel& m : BundledModels()) names += (names.empty() ? "" : ", ") + m.name;
  return names;
}

std::string ResolveModelPath(const std::string& name_or_path) {
  if (name_or_path.empty()) return DefaultModelPath();
  // The bundled models sit beside the default one, wherever that was found.
  const std::string assets = DefaultModelPath().substr(0, DefaultModelPath().find_last_of('/') + 1);
  for (const BundledModel& m : BundledModels())
    if (name_or_path == m.name) return assets + m.file;
  if (access(name_or_path.c_str(), F_OK) == 0 || name_or_path.find('/') != std::string::npos ||
      EndsWith(name_or_path, ".tflite"))
    return name_or_path;
  throw Error("unknown model '" + name_or_path + "': not a file and not a bundled model (" +
              BundledModelNames() + ")");
}

}  // namespace vww
