// PAD, int8 / uint8, with a constant int32 or int64 paddings tensor [rank, 2].
// As in TFLite, a quantized tensor is padded with the output zero point (the
// quantized real 0) and an unquantized one with 0; values are copied, never
// requantized, so input and output quantization must be equal.
#include <cstring>
#include <limits>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"

namespace vww {

namespace {
// TFLite's PadKernelMaxDimensionCount().
constexpr int kPadMaxRank = 5;

// Fills the output block spanned by axes d.. (out) from the input block (in).
// stride[d] is the element count of one step along axis d.
void PadAxis(const ref::PadParams& p, const Shape& in_shape, const int64_t* in_stride,
             const int64_t* out_stride, int d, const uint8_t* in, uint8_t pad_value, uint8_t* out) {
  const int rank = in_shape.rank;
  const int before = p.before[d], n = in_shape[d], after = p.after[d];
  if (d == rank - 1) {
    std::memset(out, pad_value, before);
    std::memcpy(out + before, in, n);
    std::memset(out + before + n, pad_value, after);
    return;
  }
  const int64_t step = out_stride[d];
  std::memset(out, pad_value, static_cast<size_t>(before * step));
  out += before * step;
  for (int i = 0; i < n; ++i, out += step)
    PadAxis(p, in_shape, in_stride, out_stride, d + 1, in + i * in_stride[d], pad_value, out);
  std::memset(out, pad_value, static_cast<size_t>(after * step));
}
}  // namespace

namespace ref {

void Pad(const PadParams& p, const Shape& input_shape, const uint8_t* input, uint8_t pad_value,
         const Shape& output_shape, uint8_t* output) {
  const int rank = input_shape.rank;
  if (rank == 0) {  // a scalar has nothing to pad
    output[0] = input[0];
    return;
  }
  if (output_shape.elements() == 0) return;
  int64_t in_stride[kMaxRank], out_stride[kMaxRank];
  in_stride[rank - 1] = out_stride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) {
    in_stride[d] = in_stride[d + 1] * input_shape[d + 1];
    out_stride[d] = out_stride[d + 1] * output_shape[d + 1];
  }
  PadAxis(p, input_shape, in_stride, out_stride, 0, input, pad_value, output);
}

}  // namespace ref

namespace {

struct PadData : OpData {
  ref::PadParams params;
  uint8_t pad_value = 0;  // raw byte of the int8 / uint8 pad value
};

void Eval(const Node& node) {
  const auto& d = node.data_as<PadData>();
  const Tensor& in = *node.inputs[0];
  Tensor& out = *node.outputs[0];
  ref::Pad(d.params, in.shape, in.data_as<uint8_t>(), d.pad_value, out.shape,
           out.data_as<uint8_t>());
}

template <typename T>
void ReadPaddings(const Node& node, const Tensor& paddings, int rank, ref::PadParams* p) {
  const T* v = paddings.data_as<T>();
  for (int d = 0; d < rank; ++d) {
    const T before = v[2 * d], after = v[2 * d + 1];
    // TFLite takes int64 paddings only within int32 range, and none negative.
    if (before < 0 || after < 0 || before > std::numeric_limits<int32_t>::max() ||
        after > std::numeric_limits<int32_t>::max())
      Fail(node, "paddings of axis " + std::to_string(d) + " are out of range (" +
                     std::to_string(before) + ", " + std::to_string(after) + ")");
    p->before[d] = static_cast<int>(before);
    p->after[d] = static_cast<int>(after);
  }
}

bool Prepare(Node& node) {
  // PADV2's third input (constant_values) is not part of PAD.
  ExpectArity(node, 2, 2, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* paddings = node.inputs[1];
  const Tensor* out = node.outputs[0];
  Expect(node, in->type == DType::kInt8 || in->type == DType::kUInt8,
         "input must be int8 or uint8");
  ExpectType(node, out, in->type, "output");
  // TFLite copies bytes without looking; a copy is only right when both sides
  // read the bytes the same way, which every converter we know guarantees.
  Expect(node,
         in->quantized == out->quantized &&
             (!in->quantized || (in->scale == out->scale && in->zero_point == out->zero_point)),
         "input and output quantization differ");
  Expect(node, paddings->type == DType::kInt32 || paddings->type == DType::kInt64,
         "paddings must be int32 or int64");
  Expect(node, paddings->is_constant, "paddings must be constant");
  const int rank = in->shape.rank;
  Expect(node, rank <= kPadMaxRank, "input rank above 5 is not supported");
  Expect(node, out->shape.rank == rank, "input and output ranks differ");
  if (paddings->shape.rank != 2 || paddings->shape[0] != rank || paddings->shape[1] != 2)
    Fail(node,
         "paddings shape " + paddings->shape.str() + " is not [" + std::to_string(rank) + ", 2]");

  auto data = std::make_unique<PadData>();
  if (paddings->type == DType::kInt32)
    ReadPaddings<int32_t>(node, *paddings, rank, &data->params);
  else
    ReadPaddings<int64_t>(node, *paddings, rank, &data->params);
  for (int d = 0; d < rank; ++d) {
    const int64_t expected = int64_t{data->params.before[d]} + in->shape[d] + data->params.after[d];
    if (out->shape[d] != expected)
      Fail(node, "output shape " + out->shape.str() + " does not match input " + in->shape.str() +
                     " plus paddings");
  }

  // The pad value is the real 0: the output zero point for a quantized tensor
  // (TFLite does the same for uint8 and quantized int8), else 0.
  const int32_t lo = in->type == DType::kUInt8 ? 0 : -128;
  const int32_t hi = in->type == DType::kUInt8 ? 255 : 127;
  const int32_t pad = out->quantized ? out->zero_point : 0;
  Expect(node, pad >= lo && pad <= hi, "output zero point is outside the output type's range");
  data->pad_value = static_cast<uint8_t>(pad);  // two's complement byte for int8
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kPadReference = {kOpPad, Prepare};

}  // namespace vww
