// libFuzzer target: a model file from untrusted bytes, the whole path a user's
// --model takes. Load and verify (Model::FromBytes), prepare and plan an
// Interpreter with the reference backend and the fast one, fill the input and
// run one inference. Every rejection must be a vww::Error; anything else (a
// crash, a sanitizer report, a hang, an absurd allocation) is a finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vww::fuzz::RunModelBytes(data, size);
  return 0;
}
