#include "model/kernels/pool_common.h"

#include <memory>
#include <string>

#include "model/kernels/kernel_util.h"

namespace vww {

namespace {

struct ReferencePoolData : OpData {
  ref::PoolParams params;
  PoolFn run = nullptr;
};

void EvalReferencePool(const Node& node) {
  const auto& d = node.data_as<ReferencePoolData>();
  const Tensor& in = *node.inputs[0];
  Tensor& out = *node.outputs[0];
  d.run(d.params, in.shape, in.data_as<int8_t>(), out.shape, out.data_as<int8_t>());
}

}  // namespace

void PreparePool2D(const Node& node, ref::PoolParams* p) {
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

bool PrepareReferencePool(Node& node, PoolFn run) {
  auto data = std::make_unique<ReferencePoolData>();
  PreparePool2D(node, &data->params);
  data->run = run;
  node.data = std::move(data);
  node.eval = EvalReferencePool;
  return true;
}

}  // namespace vww
