// DEPTHWISE_CONV_2D (any filter size up to 64 taps, any stride, dilation and
// padding), for depth multiplier 1 and for one-channel inputs with any
// multiplier (the stem of the person detector: 1 -> 8 channels). Vectors run
// along the channels; taps that fall in the padding read the input zero point,
// which the bias correction cancels exactly:
//   sum_t w_t * (x_t + off) = sum_t w_t * x_t + off * sum_t w_t,
// with x_t = -off (the zero point) for padded taps. The second term is folded
// into the bias, so eval multiplies raw int8 inputs and every path is
// bit-exact with the reference.
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "model/fast/common.h"
#include "model/fast/isa.h"
#include "model/kernels/conv_common.h"

namespace vww {

namespace fast {
namespace {

// The forms of this file (model/fast/forms.cc), most specialised first.
enum class DwForm { kColumns, kRowQuads, kStemQuads, kRows, kGeneric };

// The ISA families with row kernels.
bool HasRowKernels(Isa isa) { return isa != Isa::kPortable; }
// The quad forms multiply with vpdpbusd (u8 x s8: the copy holds x + 128) on
// x86 and with sdot (s8 x s8: the copy holds x) on arm64.
uint8_t QuadFlip(Isa isa) { return IsNeon(isa) ? 0 : 0x80; }

struct DepthwiseData : OpData {
  Isa isa = Isa::kPortable;
  DepthwiseArgs args{};
  const int8_t* filter = nullptr;  // [taps][out_c], for the portable path
  std::vector<int32_t> weights;    // [taps][out_c_padded], w & 0xFFFF
  std::vector<int16_t> weights16;  // the same as int16 (NEON)
  std::vector<int32_t> bias;
  RequantData rq;
  void (*kernel)(const DepthwiseArgs&, const int8_t*) = nullptr;

  // The row kernels (DepthwiseRowArgs), when the shapes suit them.
  bool use_rows = false;
  DepthwiseRowArgs rows{};
  std::vector<int32_t> chunk_input, row_weights, row_bias, gather;
  std::vector<int16_t> row_weights16;  // NEON
  std::vector<uint8_t> quad_index;     // the VBMI form (DepthwiseRowArgs::quads)
  std::vector<int8_t> quad_weights;
  std::vector<int32_t> quad_bias;
  RequantData row_rq;
  void (*row_kernel)(const DepthwiseRowArgs&) = nullptr;
};

#if defined(VWW_FAST_X86) || defined(VWW_FAST_ARM64)
// Copies one batch of the input into the scratch with a border of zero-point
// pixels, so the row kernels read every tap without bounds checks. The x86
// quad forms want u8 = x + 128 (x ^ 0x80, DepthwiseRowArgs::fill_xor).
void FillPadded(const DepthwiseRowArgs& a, const int8_t* input) {
  const uint8_t flip = a.fill_xor;
  const uint8_t pad = static_cast<uint8_t>(a.pad_value) ^ flip;
  const long c = a.in_c;
  const long row_bytes = a.padded_w * c;
  const int left = std::min(a.pad_w, a.padded_w);
  const int copy = std::max(0, std::min(a.in_w, a.padded_w - left));
  for (int py = 0; py < a.padded_h; ++py) {
    uint8_t* row = a.scratch + py * row_bytes;
    const int iy = py - a.pad_h;
    if (iy < 0 || iy >= a.in_h) {
      std::memset(row, pad, row_bytes);
      continue;
    }
    std::memset(row, pad, left * c);
    if (flip) {
      const uint8_t* src = reinterpret_cast<const uint8_t*>(input + iy * a.in_w * c);
      uint8_t* dst = row + left * c;
      for (long i = 0; i < copy * c; ++i) dst[i] = src[i] ^ flip;
    } else {
      std::memcpy(row + left * c, input + iy * a.in_w * c, copy * c);
    }
    std::memset(row + (left + copy) * c, pad, row_bytes - (left + copy) * c);
  }
}

void EvalRows(const Node& node) {
  const auto& d = node.data_as<DepthwiseData>();
  DepthwiseRowArgs a = d.rows;
  a.scratch = node.scratch;
  const int8_t* input = node.inputs[0]->data_as<int8_t>();
  int8_t* output = node.outputs[0]->data_as<int8_t>();
  const long in_size = static_cast<long>(a.in_h) * a.in_w * a.in_c;
  const long out_size = static_cast<long>(a.out_h) * a.row_elements;
  for (int b = 0; b < a.batches; ++b) {
    // The AVX-512 column form lays out its own copy.
#if defined(VWW_FAST_X86)
    if (a.columns)
      a.input = input + b * in_size;
    else if (a.lanes == 16)
      FillPaddedAvx512(a, input + b * in_size);
    else
      FillPadded(a, input + b * in_size);
#else
    FillPadded(a, input + b * in_size);
#endif
    a.output = output + b * out_size;
    d.row_kernel(a);
  }
}

// The column form's channel blocks [begin, end) of a one-batch layer.
void EvalColumnBlocks(const Node& node, int begin, int end) {
  const auto& d = node.data_as<DepthwiseData>();
  DepthwiseRowArgs a = d.rows;
  a.scratch = node.scratch;
  a.input = node.inputs[0]->data_as<int8_t>();
  a.output = node.outputs[0]->data_as<int8_t>();
  a.block_begin = begin;
  a.block_end = end;
  d.row_kernel(a);
}
#endif

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
          for (int t = 0; t < taps; ++t)
            acc += filter[t * a.out_c + oc] * (ptr[t] ? ptr[t][ic] : zp);
          out[oc] = RequantizeScalar(acc, a.rq, oc);
        }
        out += a.out_c;
      }
}

#if defined(VWW_FAST_X86)
void CallAvx512(const DepthwiseArgs& a, const int8_t*) { DepthwiseAvx512(a); }
void CallAvx2(const DepthwiseArgs& a, const int8_t*) { DepthwiseAvx2(a); }
#endif
#if defined(VWW_FAST_ARM64)
void CallNeon(const DepthwiseArgs& a, const int8_t*) { DepthwiseNeon(a); }
#endif

#if defined(VWW_FAST_X86) || defined(VWW_FAST_ARM64)
// The column form (DepthwiseRowArgs::columns) for the 3x3 layers with whole
// 16-channel blocks: 3 taps per vpdpbusd / sdot where the row kernels need
// one multiply-add per tap.
bool PrepareColumns(DepthwiseData& d, const int8_t* filter) {
  DepthwiseRowArgs& r = d.rows;
  if (r.broadcast_input || r.in_c % 16 != 0 || r.kh != 3 || r.kw != 3 || r.dilation_h != 1 ||
      r.dilation_w != 1 || (r.stride_w != 1 && r.stride_w != 2))
    return false;
  d.quad_index.assign(64, 0);
  for (int c = 0; c < 16; ++c)
    for (int ty = 0; ty < 4; ++ty) d.quad_index[4 * c + ty] = 16 * std::min(ty, 2) + c;
  const int blocks = r.in_c / 16;
  d.quad_weights.assign(static_cast<size_t>(blocks) * 3 * 64, 0);
  d.quad_bias.assign(r.in_c, 0);
  for (int c = 0; c < r.in_c; ++c) {
    const int b = c / 16, lane = c % 16;
    int32_t sum = 0;
    for (int ty = 0; ty < 3; ++ty)
      for (int tx = 0; tx < 3; ++tx) {
        const int8_t w = filter[(ty * 3 + tx) * r.out_c + c];
        d.quad_weights[(static_cast<size_t>(b) * 3 + tx) * 64 + 4 * lane + ty] = w;
        sum += w;
      }
    // Pattern b is block b (patterns = in_c / 16), so row_bias[c] is channel c's.
    d.quad_bias[c] = d.row_bias[c] - (QuadFlip(d.isa) ? 128 * sum : 0);
  }
  r.columns = true;
  r.block_begin = 0;
  r.block_end = blocks;
  r.quad_index = d.quad_index.data();
  r.quad_weights = d.quad_weights.data();
  r.quad_bias = d.quad_bias.data();
#if defined(VWW_FAST_X86)
  d.row_kernel = DepthwiseRowsVbmi;
#else
  d.row_kernel = DepthwiseRowsNeonDot;
#endif
  return true;
}

// Switches the AVX-512 row kernel to a quad form (DepthwiseRowArgs::quads)
// when a filter row has at most 4 taps and
//  - one input channel (the stem): every tap of a chunk lies within the 16
//    bytes at the chunk's input, which one broadcast load puts in every
//    128-bit lane, so the in-lane vpshufb gathers the quads (AVX-512 BW);
//  - stride 1 (VBMI only): every tap lies within 64 bytes, for vpermb.
// Measured on Zen-class AVX-512, vpermb loses to the other forms for the stem
// and for stride 2 (which share converted loads), and wins for 8 channels.
// On arm64 the same windows feed vqtbl1q_u8 (16 bytes) and vqtbl4q_u8 (64).
bool PrepareQuads(DepthwiseData& d, const int8_t* filter, DwForm form) {
  DepthwiseRowArgs& r = d.rows;
  if (r.kw > 4) return false;
  if (r.broadcast_input != (form == DwForm::kStemQuads)) return false;
  auto offset = [&](int lane, int tx) {
    return r.broadcast_input ? (lane / r.out_c) * r.stride_w + tx * r.dilation_w
                             : lane + tx * r.dilation_w * r.in_c;
  };
  if (r.broadcast_input) {
    if (offset(15, r.kw - 1) >= 16) return false;
  } else {
    if (r.stride_w != 1 || offset(15, r.kw - 1) >= 64) return false;
  }
#if defined(VWW_FAST_X86)
  d.row_kernel = r.broadcast_input ? DepthwiseRowsAvx512 : DepthwiseRowsVbmi;
#else
  d.row_kernel = DepthwiseRowsNeonDot;
#endif
  d.quad_index.assign(64, 0);
  for (int l = 0; l < 16; ++l)
    for (int tx = 0; tx < 4; ++tx) d.quad_index[4 * l + tx] = offset(l, tx < r.kw ? tx : 0);
  const int width = r.patterns * 16;
  d.quad_weights.assign(static_cast<size_t>(r.kh) * width * 4, 0);
  d.quad_bias.assign(width, 0);
  for (int i = 0; i < width; ++i) {
    const int c = i % r.out_c;
    int32_t sum = 0;
    for (int ty = 0; ty < r.kh; ++ty)
      for (int tx = 0; tx < r.kw; ++tx) {
        const int8_t w = filter[(ty * r.kw + tx) * r.out_c + c];
        d.quad_weights[(static_cast<size_t>(ty) * width + i) * 4 + tx] = w;
        sum += w;
      }
    // x86: sum w * (u8 - 128) = sum w * u8 - 128 * sum w.
    d.quad_bias[i] = d.row_bias[i] - (QuadFlip(d.isa) ? 128 * sum : 0);
  }
  r.quads = true;
  r.fill_xor = QuadFlip(d.isa);
  r.quad_index = d.quad_index.data();
  r.quad_weights = d.quad_weights.data();
  r.quad_bias = d.quad_bias.data();
  return true;
}

// Sets up the row kernel when every chunk of a row reads contiguous inputs
// (or gathers them from one 16/8-byte load for a one-channel input).
bool PrepareRows(DepthwiseData& d, const int8_t* filter, const std::vector<int32_t>& multipliers,
                 const std::vector<int32_t>& shifts, int32_t output_offset, int32_t act_min,
                 int32_t act_max, int64_t max_abs_acc, DwForm form, Node* node) {
  const DepthwiseArgs& a = d.args;
  const int lanes = d.isa == Isa::kAvx2 ? 8 : 16;
  if (lanes != 16 && form != DwForm::kRows) return false;
  if (a.broadcast_input) {
    const int m = a.out_c;
    if (lanes % m != 0) return false;
    if ((lanes / m - 1) * a.stride_w + (a.kw - 1) * a.dilation_w >= lanes) return false;
  } else if (a.stride_w != 1 && a.in_c % lanes != 0) {
    return false;
  }
  DepthwiseRowArgs& r = d.rows;
  r.batches = a.batches;
  r.in_h = a.in_h;
  r.in_w = a.in_w;
  r.in_c = a.in_c;
  r.out_h = a.out_h;
  r.out_w = a.out_w;
  r.out_c = a.out_c;
  r.kh = a.kh;
  r.kw = a.kw;
  r.stride_h = a.stride_h;
  r.stride_w = a.stride_w;
  r.dilation_h = a.dilation_h;
  r.dilation_w = a.dilation_w;
  r.pad_h = a.pad_h;
  r.pad_w = a.pad_w;
  r.padded_h = (a.out_h - 1) * a.stride_h + (a.kh - 1) * a.dilation_h + 1;
  r.padded_w = (a.out_w - 1) * a.stride_w + (a.kw - 1) * a.dilation_w + 1;
  r.pad_value = static_cast<int8_t>(a.input_zero_point);
  r.broadcast_input = a.broadcast_input;
  r.lanes = lanes;
  r.row_elements = a.out_w * a.out_c;
  r.chunks = (r.row_elements + lanes - 1) / lanes;
  r.patterns = a.broadcast_input ? 1 : a.out_c / std::gcd(a.out_c, lanes);

  // Lane l of pattern p is channel (p * lanes + l) % out_c.
  const int taps = a.kh * a.kw;
  const int width = r.patterns * lanes;
  std::vector<int32_t> lane_multipliers(width), lane_shifts(width);
  d.row_weights.assign(static_cast<size_t>(taps) * width, 0);
  d.row_weights16.assign(static_cast<size_t>(taps) * width, 0);
  d.row_bias.assign(width, 0);
  for (int i = 0; i < width; ++i) {
    const int c = i % a.out_c;
    lane_multipliers[i] = multipliers.size() == 1 ? multipliers[0] : multipliers[c];
    lane_shifts[i] = shifts.size() == 1 ? shifts[0] : shifts[c];
    d.row_bias[i] = d.bias[c];
    for (int t = 0; t < taps; ++t) {
      d.row_weights[static_cast<size_t>(t) * width + i] =
          static_cast<uint16_t>(filter[t * a.out_c + c]);
      d.row_weights16[static_cast<size_t>(t) * width + i] = filter[t * a.out_c + c];
    }
  }
  d.row_rq.Init(lane_multipliers, lane_shifts, width, width, output_offset, act_min, act_max);
  if (IsAvx512(d.isa)) d.row_rq.EnableFloor(max_abs_acc);

  d.chunk_input.resize(r.chunks);
  for (int k = 0; k < r.chunks; ++k) {
    const int e = k * lanes;  // first output element of the chunk
    if (a.broadcast_input)
      d.chunk_input[k] = (e / a.out_c) * a.stride_w;
    else if (a.stride_w == 1)
      d.chunk_input[k] = e;
    else
      d.chunk_input[k] = (e / a.in_c) * a.stride_w * a.in_c + e % a.in_c;
  }
  if (a.broadcast_input) {
    d.gather.resize(static_cast<size_t>(a.kw) * lanes);
    for (int tx = 0; tx < a.kw; ++tx)
      for (int l = 0; l < lanes; ++l)
        d.gather[tx * lanes + l] = (l / a.out_c) * a.stride_w + tx * a.dilation_w;
  }
  r.chunk_input = d.chunk_input.data();
  r.weights = d.row_weights.data();
  r.weights16 = d.row_weights16.data();
  r.bias = d.row_bias.data();
  r.rq = d.row_rq.args;
  r.gather = d.gather.data();
#if defined(VWW_FAST_X86)
  d.row_kernel = lanes == 16 ? DepthwiseRowsAvx512 : DepthwiseRowsAvx2;
#else
  d.row_kernel = DepthwiseRowsNeon;
#endif
  if (form == DwForm::kColumns && !PrepareColumns(d, filter)) return false;
  if ((form == DwForm::kRowQuads || form == DwForm::kStemQuads) && !PrepareQuads(d, filter, form))
    return false;
  d.use_rows = true;
  // The padded copy, plus slack for the vector loads of a row's last chunk.
  node->scratch_bytes = static_cast<size_t>(r.padded_h) * r.padded_w * a.in_c + 128;
  node->eval = EvalRows;
  if (r.columns && r.batches == 1 && int64_t{r.out_h} * r.out_w * r.out_c * 9 >= kMinSplitMacs) {
    node->eval_parts = EvalColumnBlocks;
    node->parts = r.in_c / 16;
  }
  return true;
}
#endif

void Eval(const Node& node) {
  const auto& d = node.data_as<DepthwiseData>();
  DepthwiseArgs a = d.args;
  a.input = node.inputs[0]->data_as<int8_t>();
  a.output = node.outputs[0]->data_as<int8_t>();
  d.kernel(a, d.filter);
}

bool PrepareForm(Node& node, Isa isa, DwForm form) {
  const Tensor* in = node.inputs[0];
  const Tensor* filter = node.inputs[1];
  const Tensor* bias = node.inputs.size() > 2 ? node.inputs[2] : nullptr;
  const Tensor* out = node.outputs[0];
  const int in_c = in->shape[3], out_c = out->shape[3];
  const int kh = filter->shape[1], kw = filter->shape[2];
  if (in_c != out_c && in_c != 1) return false;  // multiplier > 1 on several channels
  if (kh * kw > kMaxDepthwiseTaps) return false;

  PreparedConv c;
  PrepareConv(node, ConvKind::kDepthwiseConv2D, &c);  // already passed in the reference prepare
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
  a.stride_h = c.params.stride_h;
  a.stride_w = c.params.stride_w;
  a.dilation_h = c.params.dilation_h;
  a.dilation_w = c.params.dilation_w;
  a.pad_h = c.params.pad_h;
  a.pad_w = c.params.pad_w;
  a.broadcast_input = in_c != out_c;
  a.input_zero_point = in->zero_point;
  a.out_c_padded = RoundUp(out_c, 16);

  const int32_t act_min = c.params.act_min, act_max = c.params.act_max;
  d->rq.Init(c.multipliers, c.shifts, out_c, a.out_c_padded, c.params.output_offset, act_min,
             act_max);

  const int taps = kh * kw;
  const int8_t* w = filter->data_as<int8_t>();
  const int32_t* b = bias ? bias->data_as<int32_t>() : nullptr;
  const int32_t input_offset = c.params.input_offset;
  d->filter = w;
  d->weights.assign(static_cast<size_t>(taps) * a.out_c_padded, 0);
  d->weights16.assign(static_cast<size_t>(taps) * a.out_c_padded, 0);
  d->bias.assign(a.out_c_padded, 0);
  int64_t max_abs_acc = 0;  // over all inputs, |x - zero point| <= 255
  bool fits = true;
  for (int oc = 0; oc < out_c; ++oc) {
    int32_t sum = 0;
    int64_t bound = b ? std::abs(static_cast<int64_t>(b[oc])) : 0;
    int64_t abs_w = 0;
    for (int t = 0; t < taps; ++t) {
      const int8_t v = w[t * out_c + oc];
      sum += v;
      abs_w += std::abs(static_cast<int>(v));
      bound += 255 * std::abs(static_cast<int>(v));
      // vpmaddwd / vpdpwssd on int32 lanes: the high 16 bits of the weight
      // are zero, so the sign-extended input's high half contributes nothing.
      d->weights[static_cast<size_t>(t) * a.out_c_padded + oc] = static_cast<uint16_t>(v);
      d->weights16[static_cast<size_t>(t) * a.out_c_padded + oc] = v;
    }
    d->bias[oc] = static_cast<int32_t>((b ? int64_t{b[oc]} : 0) + int64_t{input_offset} * sum);
    max_abs_acc = std::max(max_abs_acc, bound);
    // Every int32 the kernels form: the folded bias, b + (input offset, or
    // input offset - 128 for the u8 quads) * sum w, is at most |b| + 256 sum |w|,
    // and any partial sum of w * x (x int8, or u8 <= 255) at most 255 sum |w|
    // (the same bound as GemmFitsInt32). The true accumulator is the
    // reference's, so whenever this holds neither overflows; the one-rounding
    // requantization checks its own tighter bound (EnableFloor).
    fits = fits &&
           (b ? std::abs(static_cast<int64_t>(b[oc])) : 0) + 511 * abs_w < (int64_t{1} << 31) - 1;
  }
  // Beyond this only hostile files: the reference runs them.
  if (!fits) return false;
  a.weights = d->weights.data();
  a.weights16 = d->weights16.data();
  a.bias = d->bias.data();
  a.rq = d->rq.args;
  d->isa = isa;
  switch (d->isa) {
#if defined(VWW_FAST_X86)
    case Isa::kAvx512Vbmi:
    case Isa::kAvx512Vnni:
      d->rq.EnableFloor(max_abs_acc);
      a.rq = d->rq.args;
      d->kernel = CallAvx512;
      break;
    case Isa::kAvx2:
      d->kernel = CallAvx2;
      break;
#endif
#if defined(VWW_FAST_ARM64)
    case Isa::kNeonDot:
    case Isa::kNeon:
      d->kernel = CallNeon;
      break;
#endif
    default:
      d->kernel = DepthwisePortable;
      break;
  }
  node.scratch_bytes = 0;
  node.eval = Eval;
  if (form != DwForm::kGeneric) {
#if defined(VWW_FAST_X86) || defined(VWW_FAST_ARM64)
    if (!HasRowKernels(d->isa) ||
        !PrepareRows(*d, w, c.multipliers, c.shifts, c.params.output_offset, act_min, act_max,
                     max_abs_acc, form, &node))
      return false;
#else
    return false;
#endif
  }
  node.data = std::move(d);
  return true;
}

}  // namespace

bool PrepareDepthwiseColumns(Node& node, Isa isa) {
  return PrepareForm(node, isa, DwForm::kColumns);
}
bool PrepareDepthwiseRowQuads(Node& node, Isa isa) {
  return PrepareForm(node, isa, DwForm::kRowQuads);
}
bool PrepareDepthwiseStemQuads(Node& node, Isa isa) {
  return PrepareForm(node, isa, DwForm::kStemQuads);
}
bool PrepareDepthwiseRows(Node& node, Isa isa) { return PrepareForm(node, isa, DwForm::kRows); }
bool PrepareDepthwiseGeneric(Node& node, Isa isa) {
  return PrepareForm(node, isa, DwForm::kGeneric);
}

}  // namespace fast

}  // namespace vww
