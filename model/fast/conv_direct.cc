// CONV_2D of any filter, stride, dilation and padding without im2col: the
// GEMM of conv_1x1 reads each output pixel's receptive field straight from a
// zero-point-padded copy of the input (args.h, DirectConvArgs). The copy is
// the input's size, where im2col writes kh*kw times as many bytes: on the
// 3x3 layers of ResNet-8 and the 3-channel stems the im2col was most of the
// time. The tile follows the layer's width: 16 pixels x 16 channels for
// narrow layers (16 of a 64-channel tile's lanes would idle), 8 x 32, 4 x 64.
//
// A filter row (kw * in_c bytes, contiguous in the input when the filter is
// not dilated along x) is read as whole 4-byte quads; the last quad may run
// into the next pixel's bytes, which meet zero weights. So a 3-channel stem
// does 3 quads per filter row (9 bytes + 3 that count 0), with no channel
// padding and no copy of the receptive fields.
//
// Arithmetic as in conv_im2col.cc: padded taps hold the input zero point, the
// zero-point correction (and vpdpbusd's u8 = x + 128) folds into the bias.
#include "model/fast/common.h"
#include "model/fast/isa.h"
#include "model/kernels/conv_common.h"

namespace vww {

namespace fast {
namespace {

struct DirectConvData : OpData {
  DirectConvArgs args{};
  std::vector<int32_t> quad_offset;
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;
  RequantData rq;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<DirectConvData>();
  DirectConvArgs a = d.args;
  a.input = node.inputs[0]->data_as<int8_t>();
  a.output = node.outputs[0]->data_as<int8_t>();
  a.scratch = node.scratch;
#if defined(VWW_FAST_X86)
  DirectConvAvx512(a);
#else
  (void)a;  // prepare takes no node off x86-64
#endif
}

}  // namespace

bool PrepareConvDirect(Node& node, Isa isa) {
  if (!IsAvx512(isa)) return false;
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

  const int k = kh * kw * in_c;
  const int8_t* w = filter->data_as<int8_t>();
  const int32_t* b = bias ? bias->data_as<int32_t>() : nullptr;
  int64_t max_abs_acc = 0;
  if (!GemmFitsInt32(b, w, out_c, k, &max_abs_acc)) return false;

  auto d = std::make_unique<DirectConvData>();
  DirectConvArgs& a = d->args;
  a.batches = in->shape[0];
  a.in_h = in->shape[1];
  a.in_w = in->shape[2];
  a.in_c = in_c;
  a.out_h = out->shape[1];
  a.out_w = out->shape[2];
  a.out_c = out_c;
  a.stride_h = p.stride_h;
  a.stride_w = p.stride_w;
  a.pad_h = p.pad_h;
  a.pad_w = p.pad_w;
  a.pad_value = static_cast<int8_t>(-p.input_offset);
  // Every row and column a tap reads, and at least the whole input.
  a.padded_h = std::max(p.pad_h + a.in_h, (a.out_h - 1) * p.stride_h + (kh - 1) * p.dilation_h + 1);
  a.padded_w = std::max(p.pad_w + a.in_w, (a.out_w - 1) * p.stride_w + (kw - 1) * p.dilation_w + 1);
  const long row_bytes = static_cast<long>(a.padded_w) * in_c;
  const size_t copy_bytes = static_cast<size_t>(a.padded_h) * row_bytes;
  // The last quad of the last run may read 3 bytes past the copy; the copy
  // routine writes whole 64-byte vectors of slack.
  node.scratch_bytes = copy_bytes + 64;
  if (node.scratch_bytes > (size_t{64} << 20)) return false;

  // Runs: a whole filter row when it is contiguous (no dilation along x),
  // else one tap. They partition the filter's [ky][kx][c] order.
  const int run_taps = p.dilation_w == 1 ? kw : 1;
  const int run_bytes = run_taps * in_c;
  const int runs = k / run_bytes;
  const int quads = (run_bytes + 3) / 4;
  a.taps = runs * quads;
  d->quad_offset.resize(a.taps);
  std::vector<int8_t> expanded(static_cast<size_t>(out_c) * a.taps * 4, 0);
  for (int r = 0; r < runs; ++r) {
    const int ky = r * run_taps / kw, kx = r * run_taps % kw;
    const long start = ky * p.dilation_h * row_bytes + static_cast<long>(kx) * p.dilation_w * in_c;
    for (int q = 0; q < quads; ++q)
      d->quad_offset[r * quads + q] = static_cast<int32_t>(start + 4 * q);
    for (int oc = 0; oc < out_c; ++oc)
      for (int i = 0; i < run_bytes; ++i)
        expanded[(static_cast<size_t>(oc) * a.taps + r * quads) * 4 + i] =
            w[static_cast<long>(oc) * k + r * run_bytes + i];
  }
  d->weights = PackWeightsVnni(expanded.data(), out_c, a.taps * 4, a.taps * 4);
  const std::vector<int32_t> sums = RowSums(w, out_c, k);
  const int out_c_padded = RoundUp(out_c, 16);
  d->bias.assign(out_c_padded, 0);
  for (int oc = 0; oc < out_c; ++oc)
    d->bias[oc] = (b ? b[oc] : 0) + (p.input_offset - 128) * sums[oc];
  d->rq.Init(c.multipliers, c.shifts, out_c, out_c_padded, p.output_offset, p.act_min, p.act_max);
  d->rq.EnableFloor(max_abs_acc);
  a.window_runs =
      (in_c == 16 && kw == 3 && p.stride_w == 1 && p.dilation_w == 1 && out_c <= 16) ? runs : 0;
  a.quad_offset = d->quad_offset.data();
  a.weights = d->weights.data();
  a.bias = d->bias.data();
  a.rq = d->rq.args;
  node.data = std::move(d);
  node.eval = Eval;
  return true;
}

}  // namespace fast

}  // namespace vww
