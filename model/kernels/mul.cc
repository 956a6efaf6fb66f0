// MUL, int8, with NumPy broadcasting up to 6-D: the product of the
// zero-point-corrected inputs, scaled by s1 * s2 / s_out (computed in double,
// as TFLite Micro's mul_common.cc does).
#include <algorithm>

#include "model/kernels/common.h"
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

struct MulData : OpData {
  ref::MulParams params;
  ref::Broadcast broadcast;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<MulData>();
  ref::Mul(d.params, d.broadcast, node.inputs[0]->data_as<int8_t>(),
           node.inputs[1]->data_as<int8_t>(), node.outputs[0]->data_as<int8_t>());
}

bool Prepare(Node& node) {
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

  auto data = std::make_unique<MulData>();
  if (!ref::MakeBroadcast(in1->shape, in2->shape, out->shape, &data->broadcast))
    Fail(node, "shapes " + in1->shape.str() + " and " + in2->shape.str() +
                   " do not broadcast to the output shape " + out->shape.str());

  const auto* o = Options<tflite::MulOptions>(node);
  ref::MulParams& p = data->params;
  p.input1_offset = -in1->zero_point;
  p.input2_offset = -in2->zero_point;
  p.output_offset = out->zero_point;
  const double real = static_cast<double>(in1->scale) * static_cast<double>(in2->scale) /
                      static_cast<double>(out->scale);
  int shift = 0;
  QuantizeMultiplier(real, &p.output_multiplier, &shift);
  p.output_shift = shift;
  OutputActivationRange(node, o ? o->fused_activation_function() : 0, *out, &p.act_min, &p.act_max);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kMulReference = {kOpMul, Prepare};

}  // namespace vww
