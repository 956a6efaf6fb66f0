#include "model/kernels/binary_common.h"

#include <algorithm>
#include <string>

#include "model/kernels/kernel_util.h"

namespace vww {

namespace ref {

bool MakeBroadcast(const Shape& input1, const Shape& input2, const Shape& output, Broadcast* b) {
  // A scalar output is treated as [1] so the loops run once.
  const int rank = std::max({input1.rank, input2.rank, 1});
  if (output.rank != std::max(input1.rank, input2.rank)) return false;
  *b = Broadcast();
  b->rank = rank;
  int64_t s1 = 1, s2 = 1;
  for (int d = rank - 1; d >= 0; --d) {
    // Align shapes at their last axis; missing leading axes are 1.
    const int k1 = d - (rank - input1.rank), k2 = d - (rank - input2.rank);
    const int d1 = k1 >= 0 ? input1[k1] : 1;
    const int d2 = k2 >= 0 ? input2[k2] : 1;
    if (d1 != d2 && d1 != 1 && d2 != 1) return false;
    const int dim = d1 == 1 ? d2 : d1;
    const int k = d - (rank - output.rank);
    if ((k >= 0 ? output[k] : 1) != dim) return false;
    b->dims[d] = dim;
    b->stride1[d] = d1 == 1 ? 0 : s1;
    b->stride2[d] = d2 == 1 ? 0 : s2;
    s1 *= d1;
    s2 *= d2;
  }
  return true;
}

}  // namespace ref

void PrepareBinaryInt8(const Node& node, ref::Broadcast* b) {
  ExpectArity(node, 2, 2, 1);
  const Tensor* in1 = node.inputs[0];
  const Tensor* in2 = node.inputs[1];
  const Tensor* out = node.outputs[0];
  ExpectType(node, in1, DType::kInt8, "input 1");
  ExpectType(node, in2, DType::kInt8, "input 2");
  ExpectType(node, out, DType::kInt8, "output");
  Expect(node, in1->quantized && in2->quantized && out->quantized,
         "inputs and output must be quantized");
  Expect(node, in1->channel_scales.size() == 1 && in2->channel_scales.size() == 1,
         "inputs must be quantized per tensor");
  if (!ref::MakeBroadcast(in1->shape, in2->shape, out->shape, b))
    Fail(node, "shapes " + in1->shape.str() + " and " + in2->shape.str() +
                   " do not broadcast to the output shape " + out->shape.str());
}

}  // namespace vww
