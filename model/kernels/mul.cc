// MUL, int8, with NumPy broadcasting up to 6-D: the product of the
// zero-point-corrected inputs, scaled by s1 * s2 / s_out (computed in double,
// as TFLite Micro's mul_common.cc does).
#include <algorithm>

#include "model/kernels/binary_common.h"
#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace ref {

void Mul(const MulParams& p, const Broadcast& b, const int8_t* input1, const int8_t* input2,
         int8_t* output) {
  ForEachBroadcast(b, [&](int64_t o, int64_t i1, int64_t i2) {
    const int32_t product = (input1[i1] + p.input1_offset) * (input2[i2] + p.input2_offset);
    output[o] = static_cast<int8_t>(ScaleToOutput(product, p.output_multiplier, p.output_shift,
                                                  p.output_offset, p.act_min, p.act_max));
  });
}

}  // namespace ref

namespace {

bool Prepare(Node& node) {
  auto data = PrepareBinaryData<ref::MulParams>(node);
  ref::MulParams& p = data->params;
  const auto* o = Options<tflite::MulOptions>(node);
  const Tensor* in1 = node.inputs[0];
  const Tensor* in2 = node.inputs[1];
  const Tensor* out = node.outputs[0];
  const double real = static_cast<double>(in1->scale) * static_cast<double>(in2->scale) /
                      static_cast<double>(out->scale);
  int shift = 0;
  QuantizeMultiplier(real, &p.output_multiplier, &shift);
  p.output_shift = shift;
  OutputActivationRange(node, o ? o->fused_activation_function() : 0, *out, &p.act_min, &p.act_max);
  node.data = std::move(data);
  node.eval = EvalBinary<ref::MulParams, ref::Mul>;
  return true;
}

}  // namespace

extern const KernelRegistration kMulReference = {kOpMul, Prepare};

}  // namespace vww
