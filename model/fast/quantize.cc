// QUANTIZE from 8 bits to 8 bits (Coral's uint8 input and output ops, int8
// <-> int8 rescaling): each output byte depends on the input byte alone, so
// prepare runs the reference arithmetic (ref::Requantize) on all 256 inputs
// and eval looks the bytes up, exact by construction. With AVX-512 VBMI, two
// vpermi2b and a blend look up 64 bytes; with NEON, four vqtbl4q/vqtbx4q
// look up 16; otherwise a byte loop.
#include <cstring>

#include "model/fast/elementwise_args.h"
#include "model/fast/isa.h"
#include "model/kernel.h"
#include "model/kernels/reference.h"
#include "model/quantization.h"

namespace vww {

namespace fast {
namespace {

struct ByteTableData : OpData {
  alignas(64) uint8_t table[256];
  ByteTableArgs args{};
  void (*kernel)(const ByteTableArgs&) = nullptr;
};

void ByteTablePortable(const ByteTableArgs& a) {
  for (long i = 0; i < a.elements; ++i) a.output[i] = a.table[a.input[i]];
}

void Eval(const Node& node) {
  const auto& d = node.data_as<ByteTableData>();
  ByteTableArgs a = d.args;
  a.table = d.table;
  a.input = node.inputs[0]->data_as<uint8_t>();
  a.output = node.outputs[0]->data_as<uint8_t>();
  d.kernel(a);
}

bool Is8Bit(DType t) { return t == DType::kInt8 || t == DType::kUInt8; }

// The reference's output for every input byte.
template <typename In, typename Out>
void FillTable(const ref::RequantizeParams& p, uint8_t* table) {
  In in[256];
  Out out[256];
  for (int b = 0; b < 256; ++b) {
    const uint8_t byte = static_cast<uint8_t>(b);
    std::memcpy(&in[b], &byte, 1);
  }
  ref::Requantize(p, 256, in, out);
  std::memcpy(table, out, 256);
}

}  // namespace

// Every form: the table; AVX-512 VBMI and NEON look it up in vectors, else a byte loop.
bool PrepareQuantizeTable(Node& node, Isa isa) {
  const Tensor* in = node.inputs[0];
  const Tensor* out = node.outputs[0];
  if (!Is8Bit(in->type)) return false;  // float input: the reference's AffineQuantize
  // The reference prepare validated the node; these are its parameters.
  ref::RequantizeParams p;
  p.input_zero_point = in->zero_point;
  p.output_zero_point = out->zero_point;
  int shift = 0;
  QuantizeMultiplier(static_cast<double>(in->scale) / static_cast<double>(out->scale),
                     &p.multiplier, &shift);
  p.shift = shift;
  auto d = std::make_unique<ByteTableData>();
  const bool in_u8 = in->type == DType::kUInt8, out_u8 = out->type == DType::kUInt8;
  if (in_u8 && out_u8) FillTable<uint8_t, uint8_t>(p, d->table);
  if (in_u8 && !out_u8) FillTable<uint8_t, int8_t>(p, d->table);
  if (!in_u8 && out_u8) FillTable<int8_t, uint8_t>(p, d->table);
  if (!in_u8 && !out_u8) FillTable<int8_t, int8_t>(p, d->table);
  d->args.elements = in->shape.elements();
  d->kernel = ByteTablePortable;
#if defined(VWW_FAST_X86)
  if (isa == Isa::kAvx512Vbmi) d->kernel = ByteTableVbmi;
#endif
#if defined(VWW_FAST_ARM64)
  if (IsNeon(isa)) d->kernel = ByteTableNeon;
#endif
  node.data = std::move(d);
  node.eval = Eval;
  node.scratch_bytes = 0;
  return true;
}

}  // namespace fast

}  // namespace vww
