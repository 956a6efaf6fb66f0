// AVERAGE_POOL_2D, int8. Input and output share quantization, so the kernel
// averages raw int8 values.
#include "model/kernels/common.h"
#include "model/kernels/reference.h"

namespace vww {

namespace ref {

void AveragePool(const PoolParams& p, const Shape& input_shape, const int8_t* input,
                 const Shape& output_shape, int8_t* output) {
  const int batches = input_shape[0], in_h = input_shape[1], in_w = input_shape[2],
            depth = input_shape[3];
  const int out_h = output_shape[1], out_w = output_shape[2];
  for (int b = 0; b < batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      const int in_y0 = oy * p.stride_h - p.pad_h;
      const int fy_start = std::max(0, -in_y0);
      const int fy_end = std::min(p.filter_h, in_h - in_y0);
      for (int ox = 0; ox < out_w; ++ox) {
        const int in_x0 = ox * p.stride_w - p.pad_w;
        const int fx_start = std::max(0, -in_x0);
        const int fx_end = std::min(p.filter_w, in_w - in_x0);
        const int count = (fy_end - fy_start) * (fx_end - fx_start);
        for (int c = 0; c < depth; ++c) {
          int32_t acc = 0;
          for (int fy = fy_start; fy < fy_end; ++fy)
            for (int fx = fx_start; fx < fx_end; ++fx)
              acc += input[((b * in_h + in_y0 + fy) * in_w + in_x0 + fx) * depth + c];
          // Prepare guarantees count > 0. Rounds half away from zero.
          acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          acc = std::min(std::max(acc, p.act_min), p.act_max);
          output[((b * out_h + oy) * out_w + ox) * depth + c] = static_cast<int8_t>(acc);
        }
      }
    }
  }
}

}  // namespace ref

namespace {

struct PoolData : OpData {
  ref::PoolParams params;
};

void Eval(const Node& node) {
  const Tensor& in = *node.inputs[0];
  Tensor& out = *node.outputs[0];
  ref::AveragePool(node.data_as<PoolData>().params, in.shape, in.data_as<int8_t>(), out.shape,
                   out.data_as<int8_t>());
}

}  // namespace

// Shared with MAX_POOL_2D: options, output shape and padding checks.
void PreparePool2D(Node& node, ref::PoolParams* p) {
  ExpectArity(node, 1, 1, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  ExpectType(node, in, DType::kInt8, "input");
  ExpectType(node, out, DType::kInt8, "output");
  Expect(node, in->shape.rank == 4 && out->shape.rank == 4, "input and output must be 4-D (NHWC)");
  Expect(node, in->shape[0] == out->shape[0] && in->shape[3] == out->shape[3],
         "pooling must keep batch and depth");
  Expect(node, in->quantized && out->quantized, "input and output must be quantized");
  Expect(node, in->scale == out->scale && in->zero_point == out->zero_point,
         "input and output quantization must be equal");
  const auto* o = Options<tflite::Pool2DOptions>(node);
  Expect(node, o != nullptr, "missing Pool2DOptions");
  p->stride_h = o->stride_h();
  p->stride_w = o->stride_w();
  p->filter_h = o->filter_height();
  p->filter_w = o->filter_width();
  Expect(node, p->stride_h > 0 && p->stride_w > 0 && p->filter_h > 0 && p->filter_w > 0,
         "strides and filter size must be positive");
  Expect(node, o->padding() == 0 || o->padding() == 1, "unknown padding");
  const Padding padding = static_cast<Padding>(o->padding());
  const int oh = ComputeOutSize(padding, in->shape[1], p->filter_h, p->stride_h, 1);
  const int ow = ComputeOutSize(padding, in->shape[2], p->filter_w, p->stride_w, 1);
  if (oh != out->shape[1] || ow != out->shape[2] || oh <= 0 || ow <= 0)
    Fail(node, "output shape " + out->shape.str() + " does not match the computed " +
                   std::to_string(oh) + "x" + std::to_string(ow));
  p->pad_h = ComputePadding(p->stride_h, 1, in->shape[1], p->filter_h, oh);
  p->pad_w = ComputePadding(p->stride_w, 1, in->shape[2], p->filter_w, ow);
  // Every window must overlap the input (an empty window has no average).
  Expect(node, p->pad_h < p->filter_h && p->pad_w < p->filter_w, "padding exceeds the filter");
  OutputActivationRange(node, o->fused_activation_function(), *out, &p->act_min, &p->act_max);
}

namespace {
bool Prepare(Node& node) {
  auto data = std::make_unique<PoolData>();
  PreparePool2D(node, &data->params);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}
}  // namespace

extern const KernelRegistration kAveragePool2DReference = {kOpAveragePool2D, Prepare};

}  // namespace vww
