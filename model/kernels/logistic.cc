// STUB: to be replaced by the real kernel.
#include "model/kernels/common.h"

namespace vww {
namespace {
bool Prepare(Node& node) { Fail(node, "kernel not implemented yet"); }
}  // namespace
extern const KernelRegistration kLogisticReference = {kOpLogistic, Prepare};
}  // namespace vww
