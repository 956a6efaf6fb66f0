// CONV_2D of any filter size, stride, dilation and padding (the 3-channel
// stems, ResNet's 3x3 convolutions, padded 1x1s): im2col, then the pointwise
// GEMM of conv_1x1 over rows of kh*kw*in_c values. TFLite's filter layout
// [out_c][kh][kw][in_c] is already the GEMM's [out_c][depth], and im2col
// writes each receptive field in the same [ky][kx][c] order.
//
// Padded taps hold the input zero point, so sum w * (x - zp) over the real
// taps equals the sum over all taps: the zero-point correction folds into the
// bias exactly as for the pointwise form, and every form is bit-exact.
//  - AVX-512 VNNI: im2col writes u8 = x + 128 in the GEMM's packed layout
//    (depth = kh*kw*in_c rounded up to 4), so the GEMM runs on it directly.
//  - AVX2: im2col in int8, then the AVX2 pointwise kernel (which repacks to
//    int16) treats the rows as a 1x1 input.
//  - arm64 (NEON, dot product): im2col in int8, rows padded to the depth of
//    the weights (PackGemmWeightsNeon), then the arm64 GEMM on them.
//  - portable: im2col in int8, then a plain dot product per output.
#include <cstdlib>
#include <cstring>

#include "model/fast/common.h"
#include "model/fast/isa.h"
#include "model/kernels/conv_common.h"

namespace vww {

namespace fast {
namespace {

struct Im2colData : OpData {
  Isa isa = Isa::kPortable;
  Im2colArgs im2col{};
  PointwiseArgs gemm{};
  size_t rows_bytes = 0;  // scratch: the rows, then (AVX2) the GEMM's own packing
  std::vector<int8_t> weights8;
  std::vector<int16_t> weights16;
  std::vector<int32_t> bias;
  RequantData rq;
};

void Im2colPortable(const Im2colArgs& a) {
  const long c = a.in_c;
  const long used = static_cast<long>(a.kh) * a.kw * c;
  const uint8_t pad = static_cast<uint8_t>(a.pad_value) ^ a.flip;
  uint8_t* dst = a.rows;
  for (int b = 0; b < a.batches; ++b) {
    const int8_t* image = a.input + static_cast<long>(b) * a.in_h * a.in_w * c;
    for (int oy = 0; oy < a.out_h; ++oy)
      for (int ox = 0; ox < a.out_w; ++ox) {
        uint8_t* d = dst;
        for (int ky = 0; ky < a.kh; ++ky) {
          const int iy = oy * a.stride_h - a.pad_h + ky * a.dilation_h;
          for (int kx = 0; kx < a.kw; ++kx, d += c) {
            const int ix = ox * a.stride_w - a.pad_w + kx * a.dilation_w;
            if (iy < 0 || iy >= a.in_h || ix < 0 || ix >= a.in_w) {
              std::memset(d, pad, c);
            } else {
              const int8_t* src = image + (static_cast<long>(iy) * a.in_w + ix) * c;
              if (a.flip == 0)
                std::memcpy(d, src, c);
              else
                for (long i = 0; i < c; ++i) d[i] = static_cast<uint8_t>(src[i]) ^ a.flip;
            }
          }
        }
        std::memset(dst + used, 0, a.depth - used);
        dst += a.depth;
      }
  }
}

void GemmPortable(const PointwiseArgs& a) {
  const auto* w = static_cast<const int8_t*>(a.weights);
  const long pixels = static_cast<long>(a.batches) * a.out_h * a.out_w;
  const auto* x = reinterpret_cast<const int8_t*>(a.input);
  int8_t* out = a.output;
  for (long p = 0; p < pixels; ++p, x += a.depth, out += a.out_c)
    for (int oc = 0; oc < a.out_c; ++oc) {
      const int8_t* wr = w + static_cast<long>(oc) * a.in_c;
      int32_t acc = 0;
      for (int i = 0; i < a.in_c; ++i) acc += wr[i] * x[i];
      out[oc] = RequantizeScalar(acc + a.bias[oc], a.rq, oc);
    }
}

void Eval(const Node& node) {
  const auto& d = node.data_as<Im2colData>();
  Im2colArgs im = d.im2col;
  im.input = node.inputs[0]->data_as<int8_t>();
  im.rows = node.scratch;
  PointwiseArgs g = d.gemm;
  g.output = node.outputs[0]->data_as<int8_t>();
  switch (d.isa) {
#if defined(VWW_FAST_X86)
    case Isa::kAvx512Vnni:
      Im2colAvx512(im);
      g.scratch = node.scratch;
      PointwiseGemmAvx512(g);
      return;
    case Isa::kAvx2:
      Im2colPortable(im);
      g.input = reinterpret_cast<const int8_t*>(node.scratch);
      g.scratch = node.scratch + d.rows_bytes;
      PointwiseAvx2(g);
      return;
#endif
#if defined(VWW_FAST_ARM64)
    case Isa::kNeonDot:
    case Isa::kNeon:
      Im2colPortable(im);
      g.scratch = node.scratch;
      (d.isa == Isa::kNeonDot ? PointwiseGemmNeonDot : PointwiseGemmNeon)(g);
      return;
#endif
    default:
      Im2colPortable(im);
      g.input = reinterpret_cast<const int8_t*>(node.scratch);
      GemmPortable(g);
      return;
  }
}

}  // namespace

bool PrepareConvIm2col(Node& node, Isa isa) {
  const Tensor* in = node.inputs[0];
  const Tensor* filter = node.inputs[1];
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  const Tensor* out = node.outputs[0];
  const int in_c = in->shape[3], out_c = out->shape[3];
  const int kh = filter->shape[1], kw = filter->shape[2];
  if (filter->shape[3] != in_c) return false;  // grouped convolution
  PreparedConv c;
  PrepareConv(node, ConvKind::kConv2D, &c);  // already passed in the reference prepare
  const ref::ConvParams& p = c.params;
  // Plain 1x1s are the pointwise form's (no copy at all).
  if (kh == 1 && kw == 1 && p.pad_h == 0 && p.pad_w == 0) return false;

  const int k = kh * kw * in_c;
  const int8_t* w = filter->data_as<int8_t>();
  const int32_t* b = bias ? bias->data_as<int32_t>() : nullptr;
  int64_t max_abs_acc = 0;
  if (!GemmFitsInt32(b, w, out_c, k, &max_abs_acc)) return false;
  const std::vector<int32_t> weight_sums = RowSums(w, out_c, k);

  auto d = std::make_unique<Im2colData>();
  d->isa = isa;
  const int batches = in->shape[0], oh = out->shape[1], ow = out->shape[2];
  const long pixels = static_cast<long>(batches) * oh * ow;
  Im2colArgs& im = d->im2col;
  im.batches = batches;
  im.in_h = in->shape[1];
  im.in_w = in->shape[2];
  im.in_c = in_c;
  im.out_h = oh;
  im.out_w = ow;
  im.kh = kh;
  im.kw = kw;
  im.stride_h = p.stride_h;
  im.stride_w = p.stride_w;
  im.dilation_h = p.dilation_h;
  im.dilation_w = p.dilation_w;
  im.pad_h = p.pad_h;
  im.pad_w = p.pad_w;
  im.pad_value = static_cast<int8_t>(-p.input_offset);

  const int out_c_padded = RoundUp(out_c, 16);
  d->rq.Init(c.multipliers, c.shifts, out_c, out_c_padded, p.output_offset, p.act_min, p.act_max);
  d->bias.assign(out_c_padded, 0);
  PointwiseArgs& g = d->gemm;
  g.batches = batches;
  g.in_h = oh;
  g.in_w = ow;
  g.in_c = k;
  g.out_h = oh;
  g.out_w = ow;
  g.out_c = out_c;
  g.stride_h = 1;
  g.stride_w = 1;
  g.input_offset = p.input_offset;
  switch (isa) {
#if defined(VWW_FAST_X86)
    case Isa::kAvx512Vnni: {
      im.depth = RoundUp(k, 4);
      im.flip = 0x80;
      g.depth = im.depth;
      d->weights8 = PackWeightsVnni(w, out_c, k, g.depth);
      for (int oc = 0; oc < out_c; ++oc)
        d->bias[oc] = (b ? b[oc] : 0) + (p.input_offset - 128) * weight_sums[oc];
      g.weights = d->weights8.data();
      d->rq.EnableFloor(max_abs_acc);
      d->rows_bytes = static_cast<size_t>(pixels) * im.depth;
      node.scratch_bytes = d->rows_bytes;
      break;
    }
    case Isa::kAvx2: {
      im.depth = k;
      im.flip = 0;
      g.depth = RoundUp(k, 2);
      d->weights16 = PackWeightsPairs(w, out_c, k, g.depth);
      for (int oc = 0; oc < out_c; ++oc) d->bias[oc] = b ? b[oc] : 0;
      g.weights = d->weights16.data();
      // The rows, then the AVX2 kernel's int16 copy, 64-byte aligned.
      d->rows_bytes = (static_cast<size_t>(pixels) * k + 63) / 64 * 64;
      node.scratch_bytes = d->rows_bytes + static_cast<size_t>(pixels) * g.depth * sizeof(int16_t);
      break;
    }
#endif
#if defined(VWW_FAST_ARM64)
    case Isa::kNeonDot:
    case Isa::kNeon: {
      g.depth = PackGemmWeightsNeon(isa, w, out_c, k, &d->weights8, &g.pair_products);
      im.depth = g.depth;
      im.flip = 0;
      for (int oc = 0; oc < out_c; ++oc)
        d->bias[oc] = (b ? b[oc] : 0) + p.input_offset * weight_sums[oc];
      g.weights = d->weights8.data();
      d->rows_bytes = static_cast<size_t>(pixels) * im.depth;
      node.scratch_bytes = d->rows_bytes;
      break;
    }
#endif
    default: {
      im.depth = k;
      im.flip = 0;
      g.depth = k;
      for (int oc = 0; oc < out_c; ++oc)
        d->bias[oc] = (b ? b[oc] : 0) + p.input_offset * weight_sums[oc];
      g.weights = w;
      d->rows_bytes = static_cast<size_t>(pixels) * k;
      node.scratch_bytes = d->rows_bytes;
      break;
    }
  }
  // A hostile file's huge output could ask for an absurd scratch: leave it to
  // the reference kernel, which needs none.
  if (node.scratch_bytes > (size_t{64} << 20)) return false;
  g.bias = d->bias.data();
  g.rq = d->rq.args;
  node.data = std::move(d);
  node.eval = Eval;
  return true;
}

}  // namespace fast

}  // namespace vww
