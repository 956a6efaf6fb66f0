// ADD, int8, with NumPy broadcasting up to 6-D. TFLite's scheme: each input is
// shifted left by 20 bits for headroom, scaled by s_i / (2 max(s1, s2)), the
// two are summed, and the sum is scaled by 2 max(s1, s2) / (2^20 s_out).
#include <algorithm>

#include "model/kernels/common.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

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

struct AddData : OpData {
  ref::AddParams params;
  ref::Broadcast broadcast;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<AddData>();
  ref::Add(d.params, d.broadcast, node.inputs[0]->data_as<int8_t>(),
           node.inputs[1]->data_as<int8_t>(), node.outputs[0]->data_as<int8_t>());
}

// A multiplier in (0, 1) as TFLite's QuantizeMultiplierSmallerThanOneExp
// requires; anything else fails the node instead of aborting.
void SmallerThanOne(const Node& node, double real, int32_t* multiplier, int* shift,
                    const char* what) {
  if (!(real > 0.0 && real < 1.0))
    Fail(node, std::string(what) + " multiplier " + std::to_string(real) + " is not in (0, 1)");
  QuantizeMultiplierSmallerThanOneExp(real, multiplier, shift);
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

  auto data = std::make_unique<AddData>();
  if (!ref::MakeBroadcast(in1->shape, in2->shape, out->shape, &data->broadcast))
    Fail(node, "shapes " + in1->shape.str() + " and " + in2->shape.str() +
                   " do not broadcast to the output shape " + out->shape.str());

  const auto* o = Options<tflite::AddOptions>(node);
  ref::AddParams& p = data->params;
  p.input1_offset = -in1->zero_point;
  p.input2_offset = -in2->zero_point;
  p.output_offset = out->zero_point;
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
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kAddReference = {kOpAdd, Prepare};

}  // namespace vww
