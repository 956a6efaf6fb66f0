// FULLY_CONNECTED as a pointwise convolution of one pixel per batch: the
// weights [units, depth] are the 1x1 filter [out_c, in_c], so prepare packs
// them for the pointwise kernels (conv_1x1.cc: vpdpbusd with AVX-512 VNNI,
// vpmaddwd with AVX2, smull/sadalp with NEON, sdot with the dot product, a
// plain loop otherwise) and folds the input zero point
// into the bias the same way. The requantization is the convolutions'
// (per-tensor or per-unit multipliers), so the result is the reference's.
#include <cstdlib>

#include "model/fast/common.h"
#include "model/fast/isa.h"
#include "model/kernel.h"
#include "model/kernels/kernel_util.h"

namespace vww {

namespace fast {
namespace {

struct FullyConnectedData : OpData {
  PointwiseArgs args{};
  std::vector<int8_t> weights8;    // VNNI: [units/16][depth/4][16][4]; arm64: PackGemmWeightsNeon
  std::vector<int16_t> weights16;  // AVX2: [units/8][depth/2][8][2]
  std::vector<int32_t> bias;
  RequantData rq;
  void (*kernel)(const PointwiseArgs&) = nullptr;
};

void FullyConnectedPortable(const PointwiseArgs& a) {
  const auto* w = static_cast<const int8_t*>(a.weights);
  for (int b = 0; b < a.batches; ++b) {
    const int8_t* x = a.input + static_cast<long>(b) * a.in_c;
    int8_t* out = a.output + static_cast<long>(b) * a.out_c;
    for (int u = 0; u < a.out_c; ++u) {
      const int8_t* wr = w + static_cast<long>(u) * a.in_c;
      int32_t acc = 0;
      for (int d = 0; d < a.in_c; ++d) acc += wr[d] * x[d];
      out[u] = RequantizeScalar(acc + a.bias[u], a.rq, u);
    }
  }
}

void Eval(const Node& node) {
  const auto& d = node.data_as<FullyConnectedData>();
  PointwiseArgs a = d.args;
  a.input = node.inputs[0]->data_as<int8_t>();
  a.output = node.outputs[0]->data_as<int8_t>();
  a.scratch = node.scratch;
  d.kernel(a);
}

}  // namespace

// Every form: the pointwise kernel of `isa`.
bool PrepareFullyConnected(Node& node, Isa isa) {
  // The reference prepare validated types, shapes and quantization.
  const Tensor* in = node.inputs[0];
  const Tensor* filter = node.inputs[1];
  const Tensor* bias_tensor = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  const Tensor* out = node.outputs[0];
  if (!filter->is_constant) return false;
  // A nonzero per-tensor weight zero point (no converter emits one) has a
  // term the pointwise kernels do not carry.
  if (filter->channel_scales.size() <= 1 && filter->zero_point != 0) return false;
  const int units = filter->shape[0], depth = filter->shape[1];
  const int batches = static_cast<int>(in->shape.elements() / depth);
  const int8_t* w = filter->data_as<int8_t>();
  const int32_t* b = bias_tensor ? bias_tensor->data_as<int32_t>() : nullptr;
  // The pointwise GEMM kernels: exact whenever every value they form fits in
  // int32 (GemmFitsInt32, common.h); the one-rounding requantization checks
  // its own bound on max_abs_acc (EnableFloor).
  int64_t max_abs_acc = 0;
  if (!GemmFitsInt32(b, w, units, depth, &max_abs_acc)) return false;
  const std::vector<int32_t> weight_sums = RowSums(w, units, depth);

  const auto* o = Options<tflite::FullyConnectedOptions>(node);
  int32_t act_min = -128, act_max = 127;
  OutputActivationRange(node, o ? o->fused_activation_function() : 0, *out, &act_min, &act_max);
  std::vector<int32_t> multipliers, shifts;
  PerChannelMultipliers(*in, *filter, *out, units, &multipliers, &shifts);

  auto d = std::make_unique<FullyConnectedData>();
  const int units_padded = RoundUp(units, 16);
  d->rq.Init(multipliers, shifts, units, units_padded, out->zero_point, act_min, act_max);
  const int32_t input_offset = -in->zero_point;
  PointwiseArgs& a = d->args;
  a.batches = batches;
  a.in_h = a.in_w = a.out_h = a.out_w = 1;
  a.stride_h = a.stride_w = 1;
  a.in_c = depth;
  a.out_c = units;
  a.input_offset = input_offset;
  d->bias.assign(units_padded, 0);
  switch (IsAvx512(isa) ? Isa::kAvx512Vnni : isa) {
#if defined(VWW_FAST_X86)
    case Isa::kAvx512Vnni: {
      a.depth = RoundUp(depth, 4);
      d->weights8 = PackWeightsVnni(w, units, depth, a.depth);
      for (int u = 0; u < units; ++u)
        d->bias[u] = (b ? b[u] : 0) + (input_offset - 128) * weight_sums[u];
      a.weights = d->weights8.data();
      d->rq.EnableFloor(max_abs_acc);
      node.scratch_bytes = static_cast<size_t>(batches) * a.depth;
      d->kernel = PointwiseAvx512;
      break;
    }
    case Isa::kAvx2: {
      a.depth = RoundUp(depth, 2);
      d->weights16 = PackWeightsPairs(w, units, depth, a.depth);
      for (int u = 0; u < units; ++u) d->bias[u] = b ? b[u] : 0;
      a.weights = d->weights16.data();
      node.scratch_bytes = static_cast<size_t>(batches) * a.depth * sizeof(int16_t);
      d->kernel = PointwiseAvx2;
      break;
    }
#endif
#if defined(VWW_FAST_ARM64)
    case Isa::kNeonDot:
    case Isa::kNeon: {
      a.depth = PackGemmWeightsNeon(isa, w, units, depth, &d->weights8, &a.pair_products);
      for (int u = 0; u < units; ++u) d->bias[u] = (b ? b[u] : 0) + input_offset * weight_sums[u];
      a.weights = d->weights8.data();
      // Batches whose rows are already a.depth bytes are read in place.
      node.scratch_bytes = a.depth == depth ? 0 : static_cast<size_t>(batches) * a.depth;
      d->kernel = isa == Isa::kNeonDot ? FullyConnectedNeonDot : FullyConnectedNeon;
      break;
    }
#endif
    default:
      a.depth = depth;
      for (int u = 0; u < units; ++u) d->bias[u] = (b ? b[u] : 0) + input_offset * weight_sums[u];
      a.weights = w;
      node.scratch_bytes = 0;
      d->kernel = FullyConnectedPortable;
      break;
  }
  a.bias = d->bias.data();
  a.rq = d->rq.args;
  node.data = std::move(d);
  node.eval = Eval;
  return true;
}

}  // namespace fast

}  // namespace vww
