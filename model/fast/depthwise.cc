// DEPTHWISE_CONV_2D (any filter size up to 64 taps, any stride, dilation and
// padding), for depth multiplier 1 and for one-channel inputs with any
// multiplier (the stem of the person detector: 1 -> 8 channels). Vectors run
// along the channels; taps that fall in the padding read the input zero point,
// which the bias correction cancels exactly:
//   sum_t w_t * (x_t + off) = sum_t w_t * x_t + off * sum_t w_t,
// with x_t = -off (the zero point) for padded taps. The second term is folded
// into the bias, so eval multiplies raw int8 inputs and every path is
// bit-exact with the reference.
#include "model/fast/common.h"
#include "model/fast/isa.h"
#include "model/kernels/common.h"

namespace vww {

namespace fast {
namespace {

struct DepthwiseData : OpData {
  Isa isa = Isa::kPortable;
  DepthwiseArgs args{};
  const int8_t* filter = nullptr;  // [taps][out_c], for the portable path
  std::vector<int32_t> weights;    // [taps][out_c_padded], w & 0xFFFF
  std::vector<int32_t> bias;
  RequantData rq;
  void (*kernel)(const DepthwiseArgs&, const int8_t*) = nullptr;
};

void DepthwisePortable(const DepthwiseArgs& a, const int8_t* filter) {
  const int taps = a.kh * a.kw;
  const int8_t* ptr[kMaxDepthwiseTaps];
  int8_t* out = a.output;
  const int8_t zp = static_cast<int8_t>(a.input_zero_point);
  for (int b = 0; b < a.batches; ++b)
    for (int oy = 0; oy < a.out_h; ++oy)
      for (int ox = 0; ox < a.out_w; ++ox) {
        for (int t = 0; t < taps; ++t) {
          const int iy = oy * a.stride_h - a.pad_h + (t / a.kw) * a.dilation_h;
          const int ix = ox * a.stride_w - a.pad_w + (t % a.kw) * a.dilation_w;
          ptr[t] = iy >= 0 && iy < a.in_h && ix >= 0 && ix < a.in_w
                       ? a.input + ((static_cast<long>(b) * a.in_h + iy) * a.in_w + ix) * a.in_c
                       : nullptr;
        }
        for (int oc = 0; oc < a.out_c; ++oc) {
          const int ic = a.broadcast_input ? 0 : oc;
          int32_t acc = a.bias[oc];
          for (int t = 0; t < taps; ++t) acc += filter[t * a.out_c + oc] * (ptr[t] ? ptr[t][ic] : zp);
          out[oc] = RequantizeScalar(acc, a.rq, oc);
        }
        out += a.out_c;
      }
}

#if defined(VWW_FAST_X86)
void CallAvx512(const DepthwiseArgs& a, const int8_t*) { DepthwiseAvx512(a); }
void CallAvx2(const DepthwiseArgs& a, const int8_t*) { DepthwiseAvx2(a); }
#endif

void Eval(const Node& node) {
  const auto& d = node.data_as<DepthwiseData>();
  DepthwiseArgs a = d.args;
  a.input = node.inputs[0]->data_as<int8_t>();
  a.output = node.outputs[0]->data_as<int8_t>();
  d.kernel(a, d.filter);
}

bool Prepare(Node& node) {
  const Tensor* in = node.inputs[0];
  const Tensor* filter = node.inputs[1];
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  const Tensor* out = node.outputs[0];
  const int in_c = in->shape[3], out_c = out->shape[3];
  const int kh = filter->shape[1], kw = filter->shape[2];
  if (in_c != out_c && in_c != 1) return false;  // multiplier > 1 on several channels
  if (kh * kw > kMaxDepthwiseTaps) return false;

  const auto* o = Options<tflite::DepthwiseConv2DOptions>(node);
  auto d = std::make_unique<DepthwiseData>();
  DepthwiseArgs& a = d->args;
  a.batches = in->shape[0];
  a.in_h = in->shape[1];
  a.in_w = in->shape[2];
  a.in_c = in_c;
  a.out_h = out->shape[1];
  a.out_w = out->shape[2];
  a.out_c = out_c;
  a.kh = kh;
  a.kw = kw;
  a.stride_h = o->stride_h();
  a.stride_w = o->stride_w();
  a.dilation_h = o->dilation_h_factor();
  a.dilation_w = o->dilation_w_factor();
  a.pad_h = ComputePadding(a.stride_h, a.dilation_h, a.in_h, kh, a.out_h);
  a.pad_w = ComputePadding(a.stride_w, a.dilation_w, a.in_w, kw, a.out_w);
  a.broadcast_input = in_c != out_c;
  a.input_zero_point = in->zero_point;
  a.out_c_padded = RoundUp(out_c, 16);

  std::vector<int32_t> multipliers, shifts;
  PerChannelMultipliers(*in, *filter, *out, out_c, &multipliers, &shifts);
  int32_t act_min, act_max;
  OutputActivationRange(node, o->fused_activation_function(), *out, &act_min, &act_max);
  d->rq.Init(multipliers, shifts, out_c, a.out_c_padded, out->zero_point, act_min, act_max);

  const int taps = kh * kw;
  const int8_t* w = filter->data_as<int8_t>();
  const int32_t* b = bias ? bias->data_as<int32_t>() : nullptr;
  const int32_t input_offset = -in->zero_point;
  d->filter = w;
  d->weights.assign(static_cast<size_t>(taps) * a.out_c_padded, 0);
  d->bias.assign(a.out_c_padded, 0);
  for (int oc = 0; oc < out_c; ++oc) {
    int32_t sum = 0;
    for (int t = 0; t < taps; ++t) {
      const int8_t v = w[t * out_c + oc];
      sum += v;
      // vpmaddwd / vpdpwssd on int32 lanes: the high 16 bits of the weight
      // are zero, so the sign-extended input's high half contributes nothing.
      d->weights[static_cast<size_t>(t) * a.out_c_padded + oc] = static_cast<uint16_t>(v);
    }
    d->bias[oc] = (b ? b[oc] : 0) + input_offset * sum;
  }
  a.weights = d->weights.data();
  a.bias = d->bias.data();
  a.rq = d->rq.args;
  d->isa = ActiveIsa();
  switch (d->isa) {
#if defined(VWW_FAST_X86)
    case Isa::kAvx512Vnni:
      d->kernel = CallAvx512;
      break;
    case Isa::kAvx2:
      d->kernel = CallAvx2;
      break;
#endif
    default:
      d->kernel = DepthwisePortable;
      break;
  }
  node.scratch_bytes = 0;
  node.data = std::move(d);
  node.eval = Eval;
  return true;
}

}  // namespace
}  // namespace fast

extern const KernelRegistration kDepthwiseConv2DFast = {kOpDepthwiseConv2D, fast::Prepare};

}  // namespace vww
