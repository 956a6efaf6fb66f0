// What ADD and MUL share: the prepare checks (two int8 per-tensor inputs that
// broadcast to one int8 output) and the node data and eval around ref::Add/Mul.
#pragma once

#include <cstdint>
#include <memory>

#include "model/kernel.h"
#include "model/kernels/reference.h"

namespace vww {

// Arity, types, per-tensor quantization, and the broadcast of the inputs onto
// the output. Fills *b or fails the node.
void PrepareBinaryInt8(const Node& node, ref::Broadcast* b);

template <typename Params>
struct BinaryData : OpData {
  Params params;
  ref::Broadcast broadcast;
};

// PrepareBinaryInt8, then the node data with the broadcast and the zero-point
// offsets set; the operator adds its multipliers and activation range.
template <typename Params>
std::unique_ptr<BinaryData<Params>> PrepareBinaryData(const Node& node) {
  auto data = std::make_unique<BinaryData<Params>>();
  PrepareBinaryInt8(node, &data->broadcast);
  Params& p = data->params;
  p.input1_offset = -node.inputs[0]->zero_point;
  p.input2_offset = -node.inputs[1]->zero_point;
  p.output_offset = node.outputs[0]->zero_point;
  return data;
}

template <typename Params,
          void (*kRun)(const Params&, const ref::Broadcast&, const int8_t*, const int8_t*, int8_t*)>
void EvalBinary(const Node& node) {
  const auto& d = node.data_as<BinaryData<Params>>();
  kRun(d.params, d.broadcast, node.inputs[0]->data_as<int8_t>(), node.inputs[1]->data_as<int8_t>(),
       node.outputs[0]->data_as<int8_t>());
}

}  // namespace vww
