// Pointwise (1x1) CONV_2D: the GEMM [pixels x in_c] x [in_c x out_c] that holds
// 85% of MobileNet's MACs. Prepare repacks the weights for the chosen ISA and
// folds every zero-point correction into the bias, so eval is one repacking
// pass over the input plus multiply-accumulates and requantization.
//
// Arithmetic per ISA (all exact in int32, so every path is bit-exact with the
// reference):
//  - AVX-512 VNNI: vpdpbusd multiplies unsigned by signed bytes. The input is
//    repacked as u8 = x + 128 (x ^ 0x80), so sum w*(x + off) = sum w*u8 +
//    (off - 128) * sum w, and the second term goes into the bias.
//  - AVX2: vpmaddwd on int16 (x + off), which is within [-255, 255].
//  - arm64 NEON (smull/smlal2/sadalp) and dot product (sdot): sum w*x on the
//    raw int8 input + off * sum w in the bias (conv_1x1_neon*.cc).
//  - portable: sum w*x + off * sum w.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "model/fast/common.h"
#include "model/fast/isa.h"
#include "model/kernels/conv_common.h"

namespace vww {

namespace fast {
namespace {

struct PointwiseData : OpData {
  Isa isa = Isa::kPortable;
  PointwiseArgs args{};
  std::vector<int8_t> weights8;    // VNNI: [oc/16][depth/4][16][4]; arm64: PackGemmWeightsNeon
  std::vector<int16_t> weights16;  // AVX2: [oc/8][depth/2][8][2]
  std::vector<int32_t> bias;
  RequantData rq;
  void (*kernel)(const PointwiseArgs&) = nullptr;
  long scratch_element = 0;  // bytes per packed input element
};

void PointwisePortable(const PointwiseArgs& a) {
  const auto* w = static_cast<const int8_t*>(a.weights);
  int8_t* out = a.output;
  for (int b = 0; b < a.batches; ++b)
    for (int oy = 0; oy < a.out_h; ++oy)
      for (int ox = 0; ox < a.out_w; ++ox) {
        const int8_t* x =
            a.input + ((b * a.in_h + oy * a.stride_h) * a.in_w + ox * a.stride_w) * a.in_c;
        for (int oc = 0; oc < a.out_c; ++oc) {
          const int8_t* wr = w + oc * a.in_c;
          int32_t acc = 0;
          for (int ic = 0; ic < a.in_c; ++ic) acc += wr[ic] * x[ic];
          out[oc] = RequantizeScalar(acc + a.bias[oc], a.rq, oc);
        }
        out += a.out_c;
      }
}

void Eval(const Node& node) {
  const auto& d = node.data_as<PointwiseData>();
  PointwiseArgs a = d.args;
  a.input = node.inputs[0]->data_as<int8_t>();
  a.output = node.outputs[0]->data_as<int8_t>();
  a.scratch = node.scratch;
  d.kernel(a);
}

// Output rows [begin, end) of a one-batch layer: the same kernel on the rows'
// own input, output and packed-pixel scratch (each pixel is computed alone, so
// any split gives the same bytes).
void EvalRows(const Node& node, int begin, int end) {
  const auto& d = node.data_as<PointwiseData>();
  PointwiseArgs a = d.args;
  const long in_row = static_cast<long>(a.stride_h) * a.in_w * a.in_c;
  const long out_row = static_cast<long>(a.out_w) * a.out_c;
  const long scratch_row = static_cast<long>(a.out_w) * a.depth * d.scratch_element;
  a.input = node.inputs[0]->data_as<int8_t>() + begin * in_row;
  a.output = node.outputs[0]->data_as<int8_t>() + begin * out_row;
  a.scratch = node.scratch ? node.scratch + begin * scratch_row : nullptr;
  a.out_h = end - begin;
  a.in_h = std::min(a.in_h - begin * a.stride_h, a.out_h * a.stride_h);
  d.kernel(a);
}

}  // namespace

bool PreparePointwise(Node& node, Isa isa) {
  // The reference prepare has validated types, shapes and quantization.
  const Tensor* in = node.inputs[0];
  const Tensor* filter = node.inputs[1];
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  const Tensor* out = node.outputs[0];
  if (filter->shape[1] != 1 || filter->shape[2] != 1) return false;  // not pointwise
  PreparedConv c;
  PrepareConv(node, ConvKind::kConv2D, &c);  // already passed in the reference prepare
  const int sh = c.params.stride_h, sw = c.params.stride_w;
  const int in_c = in->shape[3], out_c = out->shape[3];
  // A 1x1 filter never needs padding; anything else is not a plain GEMM.
  const int oh = out->shape[1], ow = out->shape[2];
  if (c.params.pad_h != 0 || c.params.pad_w != 0) return false;
  // Every accumulator, partial sum and folded bias must fit in int32
  // (common.h); beyond that (only hostile files) the reference takes the node.
  int64_t max_abs_acc = 0;
  if (!GemmFitsInt32(bias ? bias->data_as<int32_t>() : nullptr, filter->data_as<int8_t>(), out_c,
                     in_c, &max_abs_acc))
    return false;

  auto d = std::make_unique<PointwiseData>();
  const int out_c_padded = RoundUp(out_c, 16);
  d->rq.Init(c.multipliers, c.shifts, out_c, out_c_padded, c.params.output_offset, c.params.act_min,
             c.params.act_max);

  const int8_t* w = filter->data_as<int8_t>();
  const int32_t* b = bias ? bias->data_as<int32_t>() : nullptr;
  const int32_t input_offset = c.params.input_offset;
  const std::vector<int32_t> weight_sums = RowSums(w, out_c, in_c);

  PointwiseArgs& a = d->args;
  a.batches = in->shape[0];
  a.in_h = in->shape[1];
  a.in_w = in->shape[2];
  a.in_c = in_c;
  a.out_h = oh;
  a.out_w = ow;
  a.out_c = out_c;
  a.stride_h = sh;
  a.stride_w = sw;
  a.input_offset = input_offset;
  // Only the ISA cases of the switch below use it (none on a portable-only build).
  [[maybe_unused]] const size_t pixels = static_cast<size_t>(a.batches) * oh * ow;
  d->bias.assign(out_c_padded, 0);
  d->isa = isa;
  switch (d->isa) {
#if defined(VWW_FAST_X86)
    case Isa::kAvx512Vnni: {
      a.depth = RoundUp(in_c, 4);
      d->weights8 = PackWeightsVnni(w, out_c, in_c, a.depth);
      for (int oc = 0; oc < out_c; ++oc)
        d->bias[oc] = (b ? b[oc] : 0) + (input_offset - 128) * weight_sums[oc];
      a.weights = d->weights8.data();
      d->rq.EnableFloor(max_abs_acc);
      node.scratch_bytes = pixels * a.depth;
      d->scratch_element = 1;
      d->kernel = PointwiseAvx512;
      break;
    }
    case Isa::kAvx2: {
      a.depth = RoundUp(in_c, 2);
      d->weights16 = PackWeightsPairs(w, out_c, in_c, a.depth);
      for (int oc = 0; oc < out_c; ++oc) d->bias[oc] = b ? b[oc] : 0;
      a.weights = d->weights16.data();
      node.scratch_bytes = pixels * a.depth * sizeof(int16_t);
      d->scratch_element = sizeof(int16_t);
      d->kernel = PointwiseAvx2;
      break;
    }
#endif
#if defined(VWW_FAST_ARM64)
    case Isa::kNeonDot:
    case Isa::kNeon: {
      a.depth = PackGemmWeightsNeon(isa, w, out_c, in_c, &d->weights8, &a.pair_products);
      for (int oc = 0; oc < out_c; ++oc)
        d->bias[oc] = (b ? b[oc] : 0) + input_offset * weight_sums[oc];
      a.weights = d->weights8.data();
      // Contiguous rows of depth bytes are read in place (PointwiseRows).
      node.scratch_bytes = PointwiseRowsInPlace(a) ? 0 : pixels * a.depth;
      d->kernel = isa == Isa::kNeonDot ? PointwiseNeonDot : PointwiseNeon;
      break;
    }
#endif
    default: {
      a.depth = in_c;
      for (int oc = 0; oc < out_c; ++oc)
        d->bias[oc] = (b ? b[oc] : 0) + input_offset * weight_sums[oc];
      a.weights = w;
      node.scratch_bytes = 0;
      d->kernel = PointwisePortable;
      break;
    }
  }
  a.bias = d->bias.data();
  a.rq = d->rq.args;
  node.data = std::move(d);
  node.eval = Eval;
  if (a.batches == 1 && static_cast<int64_t>(pixels) * in_c * out_c >= kMinSplitMacs) {
    node.eval_parts = EvalRows;
    node.parts = oh;
  }
  return true;
}

}  // namespace fast

}  // namespace vww
