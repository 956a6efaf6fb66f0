// TRANSPOSE of planes into pixels (NCHW -> NHWC, perm 0,2,3,1, 1-byte
// elements), as at the start of models exported from PyTorch: the reference
// walks an odometer per element; here each pixel gathers its C bytes from the
// C planes, with C = 3 (RGB) unrolled. Elements are copied, never converted,
// so the result is the reference's. Other perms stay on the reference.
#include <cstring>

#include "model/fast/isa.h"
#include "model/kernel.h"

namespace vww {

namespace fast {
namespace {

struct PlanesToPixelsData : OpData {
  int batches = 0, channels = 0;
  long pixels = 0;
};

void Eval(const Node& node) {
  const auto& d = node.data_as<PlanesToPixelsData>();
  const uint8_t* in = node.inputs[0]->data_as<uint8_t>();
  uint8_t* out = node.outputs[0]->data_as<uint8_t>();
  const long plane = d.pixels, image = plane * d.channels;
  for (int b = 0; b < d.batches; ++b, in += image, out += image) {
    if (d.channels == 3) {
      const uint8_t *r = in, *g = in + plane, *bl = in + 2 * plane;
      for (long p = 0; p < plane; ++p) {
        out[3 * p] = r[p];
        out[3 * p + 1] = g[p];
        out[3 * p + 2] = bl[p];
      }
      continue;
    }
    for (long p = 0; p < plane; ++p)
      for (int c = 0; c < d.channels; ++c) out[p * d.channels + c] = in[c * plane + p];
  }
}

}  // namespace

bool PrepareTransposePlanesToPixels(Node& node, Isa /*isa*/) {
  // The reference prepare validated the perm and the shapes.
  const Tensor* in = node.inputs[0];
  const Tensor* perm = node.inputs[1];
  if (in->shape.rank != 4 || in->bytes != static_cast<size_t>(in->shape.elements())) return false;
  int p[4];
  for (int i = 0; i < 4; ++i)
    p[i] = perm->type == DType::kInt64 ? static_cast<int>(perm->data_as<int64_t>()[i])
                                       : perm->data_as<int32_t>()[i];
  if (!(p[0] == 0 && p[1] == 2 && p[2] == 3 && p[3] == 1)) return false;
  auto d = std::make_unique<PlanesToPixelsData>();
  d->batches = in->shape[0];
  d->channels = in->shape[1];
  d->pixels = static_cast<long>(in->shape[2]) * in->shape[3];
  node.data = std::move(d);
  node.eval = Eval;
  node.scratch_bytes = 0;
  return true;
}

}  // namespace fast

}  // namespace vww
