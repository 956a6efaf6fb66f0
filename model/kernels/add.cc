// ADD, int8, with NumPy broadcasting up to 6-D. TFLite's scheme: each input is
// shifted left by 20 bits for headroom, scaled by s_i / (2 max(s1, s2)), the
// two are summed, and the sum is scaled by 2 max(s1, s2) / (2^20 s_out).
#include <algorithm>

#include "model/kernels/binary_common.h"
#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace ref {

void Add(const AddParams& p, const Broadcast& b, const int8_t* input1, const int8_t* input2,
         int8_t* output) {
  ForEachBroadcast(b, [&](int64_t o, int64_t i1, int64_t i2) {
    const int32_t x1 = (input1[i1] + p.input1_offset) * (1 << p.left_shift);
    const int32_t x2 = (input2[i2] + p.input2_offset) * (1 << p.left_shift);
    const int32_t scaled1 =
        MultiplyByQuantizedMultiplierSmallerThanOneExp(x1, p.input1_multiplier, p.input1_shift);
    const int32_t scaled2 =
        MultiplyByQuantizedMultiplierSmallerThanOneExp(x2, p.input2_multiplier, p.input2_shift);
    const int64_t sum = int64_t{MultiplyByQuantizedMultiplierSmallerThanOneExp(
                            SaturatingAdd(scaled1, scaled2), p.output_multiplier, p.output_shift)} +
                        p.output_offset;
    output[o] = static_cast<int8_t>(std::clamp<int64_t>(sum, p.act_min, p.act_max));
  });
}

}  // namespace ref

namespace {

// A multiplier in (0, 1) as TFLite's QuantizeMultiplierSmallerThanOneExp
// requires; anything else fails the node instead of aborting.
void SmallerThanOne(const Node& node, double real, int32_t* multiplier, int* shift,
                    const char* what) {
  if (!(real > 0.0 && real < 1.0))
    Fail(node, std::string(what) + " multiplier " + std::to_string(real) + " is not in (0, 1)");
  QuantizeMultiplierSmallerThanOneExp(real, multiplier, shift);
}

bool Prepare(Node& node) {
  auto data = PrepareBinaryData<ref::AddParams>(node);
  ref::AddParams& p = data->params;
  const auto* o = Options<tflite::AddOptions>(node);
  const Tensor* in1 = node.inputs[0];
  const Tensor* in2 = node.inputs[1];
  const Tensor* out = node.outputs[0];
  p.left_shift = 20;
  // Same double expressions as TFLite (the float max and the products by 2 and
  // 2^20 are exact, so the order of conversions does not matter).
  const double twice_max_input_scale = 2.0 * static_cast<double>(std::max(in1->scale, in2->scale));
  SmallerThanOne(node, static_cast<double>(in1->scale) / twice_max_input_scale,
                 &p.input1_multiplier, &p.input1_shift, "input 1");
  SmallerThanOne(node, static_cast<double>(in2->scale) / twice_max_input_scale,
                 &p.input2_multiplier, &p.input2_shift, "input 2");
  SmallerThanOne(node,
                 twice_max_input_scale / ((1 << p.left_shift) * static_cast<double>(out->scale)),
                 &p.output_multiplier, &p.output_shift, "output");
  Expect(node, p.input1_shift <= 0 && p.input2_shift <= 0 && p.output_shift <= 0,
         "rescaling multipliers must be below 1");
  OutputActivationRange(node, o ? o->fused_activation_function() : 0, *out, &p.act_min, &p.act_max);
  node.data = std::move(data);
  node.eval = EvalBinary<ref::AddParams, ref::Add>;
  return true;
}

}  // namespace

extern const KernelRegistration kAddReference = {kOpAdd, Prepare};

}  // namespace vww
