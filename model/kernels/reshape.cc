// RESHAPE: same bytes, new shape. The shape comes from the output tensor; the
// optional shape input and options only have to agree on the element count.
#include <cstring>

#include "model/kernels/kernel_util.h"

namespace vww {

namespace {

void Eval(const Node& node) {
  const Tensor& in = *node.inputs[0];
  Tensor& out = *node.outputs[0];
  if (out.data != in.data) std::memcpy(out.data, in.data, out.bytes);
}

bool Prepare(Node& node) {
  ExpectArity(node, 1, 2, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  Expect(node, in->type == out->type, "input and output types differ");
  Expect(node, in->bytes == out->bytes, "input and output element counts differ");
  Expect(node, in->scale == out->scale && in->zero_point == out->zero_point,
         "input and output quantization differ");
  node.eval = Eval;
  node.data = std::make_unique<OpData>();
  return true;
}

}  // namespace

extern const KernelRegistration kReshapeReference = {kOpReshape, Prepare};

}  // namespace vww
