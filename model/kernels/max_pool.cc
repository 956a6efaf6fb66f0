// MAX_POOL_2D, int8. Input and output share quantization, so the max of the
// raw int8 values is the quantized max.
#include <algorithm>
#include <limits>

#include "model/kernels/common.h"
#include "model/kernels/reference.h"

namespace vww {

namespace ref {

void MaxPool(const PoolParams& p, const Shape& input_shape, const int8_t* input,
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
        for (int c = 0; c < depth; ++c) {
          // Padded pixels are skipped, not read as the zero point: TFLite's
          // max starts from the lowest int8 and sees only in-bounds pixels.
          int32_t max = std::numeric_limits<int8_t>::lowest();
          for (int fy = fy_start; fy < fy_end; ++fy)
            for (int fx = fx_start; fx < fx_end; ++fx)
              max = std::max<int32_t>(
                  max, input[((b * in_h + in_y0 + fy) * in_w + in_x0 + fx) * depth + c]);
          max = std::min(std::max(max, p.act_min), p.act_max);
          output[((b * out_h + oy) * out_w + ox) * depth + c] = static_cast<int8_t>(max);
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
  ref::MaxPool(node.data_as<PoolData>().params, in.shape, in.data_as<int8_t>(), out.shape,
               out.data_as<int8_t>());
}

bool Prepare(Node& node) {
  auto data = std::make_unique<PoolData>();
  PreparePool2D(node, &data->params);
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kMaxPool2DReference = {kOpMaxPool2D, Prepare};

}  // namespace vww
