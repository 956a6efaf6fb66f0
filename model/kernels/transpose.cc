// TRANSPOSE of any fixed-size element type, rank up to 6, with a constant
// int32 or int64 perm. Elements are moved, never converted, so quantized
// tensors keep their values (TFLite does not requantize either).
#include <string>

#include "model/kernels/kernel_util.h"
#include "model/kernels/reference.h"

namespace vww {

namespace {

// Walks the output in order with an odometer over its axes, keeping the
// matching input offset incrementally: no division per element.
template <typename T>
void TransposeImpl(const int* perm, const Shape& in_shape, const T* in, const Shape& out_shape,
                   T* out) {
  const int rank = in_shape.rank;
  const int64_t total = out_shape.elements();
  if (total == 0) return;
  int64_t in_stride[kMaxRank];
  if (rank > 0) in_stride[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * in_shape[d + 1];
  int64_t step[kMaxRank];  // input elements per step along output axis i
  for (int i = 0; i < rank; ++i) step[i] = in_stride[perm[i]];
  int index[kMaxRank] = {0, 0, 0, 0, 0, 0};
  int64_t offset = 0;
  for (int64_t n = 0; n < total; ++n) {
    out[n] = in[offset];
    for (int i = rank - 1; i >= 0; --i) {
      offset += step[i];
      if (++index[i] < out_shape[i]) break;
      offset -= step[i] * out_shape[i];
      index[i] = 0;
    }
  }
}

}  // namespace

namespace ref {

void Transpose(const TransposeParams& p, const Shape& input_shape, const void* input,
               size_t element_size, const Shape& output_shape, void* output) {
  switch (element_size) {
    case 1:
      TransposeImpl(p.perm, input_shape, static_cast<const uint8_t*>(input), output_shape,
                    static_cast<uint8_t*>(output));
      break;
    case 2:
      TransposeImpl(p.perm, input_shape, static_cast<const uint16_t*>(input), output_shape,
                    static_cast<uint16_t*>(output));
      break;
    case 4:
      TransposeImpl(p.perm, input_shape, static_cast<const uint32_t*>(input), output_shape,
                    static_cast<uint32_t*>(output));
      break;
    case 8:
      TransposeImpl(p.perm, input_shape, static_cast<const uint64_t*>(input), output_shape,
                    static_cast<uint64_t*>(output));
      break;
  }
}

}  // namespace ref

namespace {

struct TransposeData : OpData {
  ref::TransposeParams params;
  size_t element_size = 1;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<TransposeData>();
  const Tensor& in = *node.inputs[0];
  Tensor& out = *node.outputs[0];
  ref::Transpose(d.params, in.shape, in.data, d.element_size, out.shape, out.data);
}

template <typename T>
void ReadPerm(const Node& node, const Tensor& perm, int rank, ref::TransposeParams* p) {
  const T* v = perm.data_as<T>();
  bool seen[kMaxRank] = {false, false, false, false, false, false};
  for (int i = 0; i < rank; ++i) {
    // TFLite accepts only 0 <= perm[i] < rank (no negative axes); a repeated
    // axis would leave another unread, so it is rejected too.
    if (v[i] < 0 || v[i] >= rank || seen[v[i]])
      Fail(node, "perm " + std::to_string(v[i]) + " at position " + std::to_string(i) +
                     " is not a permutation of 0.." + std::to_string(rank - 1));
    seen[v[i]] = true;
    p->perm[i] = static_cast<int>(v[i]);
  }
}

bool Prepare(Node& node) {
  ExpectArity(node, 2, 2, 1);
  const Tensor* in = node.inputs[0];
  const Tensor* perm = node.inputs[1];
  const Tensor* out = node.outputs[0];
  ExpectType(node, out, in->type, "output");
  const size_t element_size = DTypeSize(in->type);
  Expect(node, element_size == 1 || element_size == 2 || element_size == 4 || element_size == 8,
         "input element type is not supported");
  Expect(node,
         in->quantized == out->quantized &&
             (!in->quantized || (in->scale == out->scale && in->zero_point == out->zero_point)),
         "input and output quantization differ");
  Expect(node, perm->type == DType::kInt32 || perm->type == DType::kInt64,
         "perm must be int32 or int64");
  Expect(node, perm->is_constant, "perm must be constant");
  const int rank = in->shape.rank;
  Expect(node, rank >= 1 && rank <= kMaxRank, "input rank must be 1 to 6");
  if (perm->shape.rank != 1 || perm->shape[0] != rank)
    Fail(node,
         "perm shape " + perm->shape.str() + " does not list " + std::to_string(rank) + " axes");

  auto data = std::make_unique<TransposeData>();
  if (perm->type == DType::kInt32)
    ReadPerm<int32_t>(node, *perm, rank, &data->params);
  else
    ReadPerm<int64_t>(node, *perm, rank, &data->params);
  bool shape_ok = out->shape.rank == rank;
  for (int i = 0; shape_ok && i < rank; ++i)
    shape_ok = out->shape[i] == in->shape[data->params.perm[i]];
  if (!shape_ok)
    Fail(node,
         "output shape " + out->shape.str() + " is not input " + in->shape.str() + " permuted");
  data->element_size = element_size;
  node.data = std::move(data);
  node.eval = Eval;
  return true;
}

}  // namespace

extern const KernelRegistration kTransposeReference = {kOpTranspose, Prepare};

}  // namespace vww
