// vww::Error: the one exception type of the runtime and the stages above it.
// Its message is one line that says what failed and where.
#pragma once

#include <stdexcept>

namespace vww {

// Every user-facing failure (bad file, unsupported operator, bad shapes) is an
// Error whose message is one line that says what and where.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace vww
