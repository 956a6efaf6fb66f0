// RESHAPE without moving a byte: the output has the input's bytes in the same
// order under another shape, so the form asks the planner to give the output
// the input's memory (Node::output_aliases_input; the interpreter extends the
// shared buffer's lifetime over both tensors). Where the planner cannot alias
// (a constant input lives in the model file, not the arena), eval copies.
#include <cstring>

#include "model/fast/isa.h"
#include "model/kernel.h"

namespace vww {

namespace fast {
namespace {

void Eval(const Node& node) {
  const Tensor& in = *node.inputs[0];
  Tensor& out = *node.outputs[0];
  if (out.data != in.data) std::memcpy(out.data, in.data, out.bytes);
}

}  // namespace

bool PrepareReshapeAlias(Node& node, Isa) {
  // The reference prepare checked equal types, byte counts and quantization.
  node.data = std::make_unique<OpData>();
  node.eval = Eval;
  node.scratch_bytes = 0;
  node.output_aliases_input = true;
  return true;
}

}  // namespace fast

}  // namespace vww
