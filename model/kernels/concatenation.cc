// CONCATENATION, int8, along any axis (negative counts from the end).
//
// Quantization: an input whose scale and zero point equal the output's is
// copied byte for byte (what TFLite and TFLite Micro do for int8). TFLite
// refuses int8 inputs whose quantization differs, and TFLite Micro copies them
// unscaled; the only requantizing concatenation TFLite has is the uint8
// ConcatenationWithScaling, and we apply its float formula, clamped to int8:
//   q_out = round(q_in * s + b) + zp_out,  s = in_scale * (1 / out_scale),
//   b = -zp_in * s,  all in float, round half away from zero.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"

namespace vww {

namespace ref {

void Concatenation(const ConcatenationParams& p, const Shape* const* input_shapes,
                   const int8_t* const* inputs, const Shape& output_shape, int8_t* output) {
  const int rank = output_shape.rank;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < p.axis; ++d) outer *= output_shape[d];
  for (int d = p.axis + 1; d < rank; ++d) inner *= output_shape[d];
  // Computed once, as TFLite does, so every element sees the same float.
  const float inverse_output_scale = 1.0f / p.output_scale;
  int8_t* out = output;
  for (int64_t k = 0; k < outer; ++k) {
    for (int i = 0; i < p.inputs_count; ++i) {
      const int64_t n = (*input_shapes[i])[p.axis] * inner;
      const int8_t* in = inputs[i] + k * n;
      if (p.input_scales[i] == p.output_scale && p.input_zero_points[i] == p.output_zero_point) {
        std::memcpy(out, in, static_cast<size_t>(n));
      } else {
        const float scale = p.input_scales[i] * inverse_output_scale;
        const float bias = static_cast<float>(-p.input_zero_points[i]) * scale;
        for (int64_t j = 0; j < n; ++j) {
          // Kept as separate float steps: a fused multiply-add would round
          // differently from TFLite's product-then-sum.
          const float product = static_cast<float>(in[j]) * scale;
          const float real = product + bias;
          const int32_t v = static_cast<int32_t>(std::round(real)) + p.output_zero_point;
          out[j] = static_cast<int8_t>(std::min<int32_t>(127, std::max<int32_t>(-128, v)));
        }
      }
      out += n;
    }
  }
}

}  // namespace ref

namespace {

struct ConcatData : OpData {
  ref::ConcatenationParams params;
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
  // Filled per Invoke: the planner binds data pointers only after prepare.
  std::vector<const Shape*> shapes;
  std::vector<const int8_t*> data;
};

void Eval(const Node& node) {
  auto& d = node.data_as<ConcatData>();
  for (size_t i = 0; i < node.inputs.size(); ++i) d.data[i] = node.inputs[i]->data_as<int8_t>();
  Tensor& out = *node.outputs[0];
  ref::Concatenation(d.params, d.shapes.data(), d.data.data(), out.shape, out.data_as<int8_t>());
}

bool Prepare(Node& node) {
  ExpectArity(node, 1, node.inputs.size() > 0 ? node.inputs.size() : 1, 1);
  const Tensor* out = node.outputs[0];
  ExpectType(node, out, DType::kInt8, "output");
  const int rank = out->shape.rank;
  Expect(node, rank >= 1, "output must have at least one dimension");

  // TFLite's defaults when the options table is absent: axis 0, no activation.
  const auto* o = Options<tflite::ConcatenationOptions>(node);
  int axis = o ? o->axis() : 0;
  const int activation = o ? o->fused_activation_function() : 0;
  if (activation != 0)
    Fail(node, "fused activation " + std::to_string(activation) +
                   " is not supported (TFLite requires NONE)");
  if (axis < -rank || axis >= rank)
    Fail(node,
         "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;

  auto data = std::make_unique<ConcatData>();
  int64_t axis_sum = 0;
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const Tensor* in = node.inputs[i];
    const std::string which = "input " + std::to_string(i);
    ExpectType(node, in, DType::kInt8, which.c_str());
    if (in->shape.rank != rank) Fail(node, which + " rank differs from the output's");
    for (int d = 0; d < rank; ++d)
      if (d != axis && in->shape[d] != out->shape[d])
        Fail(node, which + " shape " + in->shape.str() + " differs from output " +
                       out->shape.str() + " outside axis " + std::to_string(axis));
    axis_sum += in->shape[axis];
    if (in->quantized != out->quantized)
      Fail(node, which + " and the output must both be quantized or both not");
    // Unquantized tensors copy: equal (0, 0) parameters select the memcpy path.
    data->scales.push_back(in->quantized ? in->scale : 1.0f);
    data->zero_points.push_back(in->quantized ? in->zero_point : 0);
    data->shapes.push_back(&in->shape);
  }
  if (axis_sum != out->shape[axis])
    Fail(node, "output size " + std::to_string(out->shape[axis]) + " along axis " +
                   std::to_string(axis) + " differs from the inputs' sum " +
                   std::to_string(axis_sum));

  ref::ConcatenationParams& p = data->params;
  p.axis = axis;
  p.inputs_count = static_cast<int>(node.inputs.size());
  p.input_scales = data->scales.data();
  p.input_zero_points = data->zero_points.data();
  p.output_scale = out->quantized ? out->scale : 1.0f;
  p.output_zero_point = out->quantized ? out->zero_point : 0;
  data->data.assign(node.inputs.size(), nullptr);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kConcatenationReference = {kOpConcatenation, Prepare};

}  // namespace vww
