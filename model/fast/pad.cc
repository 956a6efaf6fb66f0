// PAD with whole rows: the reference copies along the innermost axis, which
// for NHWC padding of H and W is one channel vector (3 bytes for an RGB
// input) per memcpy. Trailing axes without padding are contiguous in both
// tensors, so prepare folds them into the axis before: [1,224,224,3] padded
// by 1 in H and W becomes [1,224,672] padded by 3 in the last axis, and
// ref::Pad then copies 672-byte rows. The same bytes, from the same function.
#include "model/fast/isa.h"
#include "model/kernel.h"
#include "model/kernels/reference.h"

namespace vww {

namespace fast {
namespace {

struct FoldedPadData : OpData {
  ref::PadParams params;
  Shape in_shape, out_shape;  // folded
  uint8_t pad_value = 0;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<FoldedPadData>();
  ref::Pad(d.params, d.in_shape, node.inputs[0]->data_as<uint8_t>(), d.pad_value, d.out_shape,
           node.outputs[0]->data_as<uint8_t>());
}

template <typename T>
void ReadPaddings(const Tensor& paddings, int rank, ref::PadParams* p) {
  const T* v = paddings.data_as<T>();
  for (int d = 0; d < rank; ++d) {
    p->before[d] = static_cast<int>(v[2 * d]);
    p->after[d] = static_cast<int>(v[2 * d + 1]);
  }
}

}  // namespace

// One portable form: ref::Pad on the folded shapes.
bool PreparePadFolded(Node& node, Isa /*isa*/) {
  // The reference prepare validated types, ranges and shapes.
  const Tensor* in = node.inputs[0];
  const Tensor* paddings = node.inputs[1];
  const Tensor* out = node.outputs[0];
  const int rank = in->shape.rank;
  if (rank < 2) return false;
  ref::PadParams p;
  if (paddings->type == DType::kInt32)
    ReadPaddings<int32_t>(*paddings, rank, &p);
  else
    ReadPaddings<int64_t>(*paddings, rank, &p);
  // Fold every unpadded trailing axis into the one before it.
  int last = rank - 1;
  int64_t inner = 1;
  while (last > 0 && p.before[last] == 0 && p.after[last] == 0) inner *= in->shape[last--];
  if (inner == 1) return false;  // nothing to fold: the reference is as good
  const int64_t folded_in = in->shape[last] * inner, folded_out = out->shape[last] * inner;
  if (folded_out > (int64_t{1} << 30)) return false;
  auto d = std::make_unique<FoldedPadData>();
  d->in_shape = in->shape;
  d->out_shape = out->shape;
  d->in_shape.rank = d->out_shape.rank = last + 1;
  d->in_shape[last] = static_cast<int>(folded_in);
  d->out_shape[last] = static_cast<int>(folded_out);
  d->params = p;
  d->params.before[last] = static_cast<int>(p.before[last] * inner);
  d->params.after[last] = static_cast<int>(p.after[last] * inner);
  for (int k = last + 1; k < rank; ++k) d->params.before[k] = d->params.after[k] = 0;
  const int32_t pad = out->quantized ? out->zero_point : 0;
  d->pad_value = static_cast<uint8_t>(pad);
  node.data = std::move(d);
  node.eval = Eval;
  node.scratch_bytes = 0;
  return true;
}

}  // namespace fast

}  // namespace vww
