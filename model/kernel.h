// The contract between the interpreter and an operator kernel (TFLite Micro's
// shape): `prepare` runs once at create time and does every check and every
// precomputation; `eval` runs per inference and does only arithmetic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/tensor.h"

namespace vww {

// Per-node data a kernel computes in prepare (multipliers, padding, ...).
struct OpData {
  virtual ~OpData() = default;
};

struct Node;
using EvalFn = void (*)(const Node& node);
// Computes parts [begin, end) of a node that can be split (see
// Node::eval_parts); disjoint ranges may run at the same time.
using EvalPartsFn = void (*)(const Node& node, int begin, int end);

// A layer is split across threads only above this many multiply-adds: below
// it, waking the other thread costs more than it saves.
constexpr int64_t kMinSplitMacs = 1 << 20;

struct Node {
  int index = 0;
  int opcode = 0;
  const tflite::Operator* op = nullptr;  // for builtin options
  std::vector<Tensor*> inputs;           // nullptr where an optional input is omitted
  std::vector<Tensor*> outputs;

  std::unique_ptr<OpData> data;  // set by prepare
  size_t scratch_bytes = 0;      // set by prepare; the planner places it in the arena
  uint8_t* scratch = nullptr;    // bound by the planner, valid during eval
  EvalFn eval = nullptr;         // set by prepare
  bool fast = false;             // an optimized kernel took this node
  const char* form = nullptr;    // its form's name (model/fast/forms.h)
  // Set by prepare: output 0 holds input 0's bytes unchanged (RESHAPE), so the
  // planner may place both tensors in one buffer; eval then has nothing to do.
  bool output_aliases_input = false;
  // Set by prepare for a large layer made of `parts` independent parts
  // (output rows, or channel blocks), each writing its own output bytes and
  // its own scratch: eval_parts(node, 0, parts) does what eval does, and
  // Interpreter::SetThreads shares ranges of parts out. nullptr: never split.
  EvalPartsFn eval_parts = nullptr;
  int parts = 0;

  template <typename T>
  T& data_as() const {
    return *static_cast<T*>(data.get());
  }
  // "node 3 (CONV_2D)", for error messages.
  std::string where() const;
};

// Reference prepare: validates and fills node.data / node.eval, or throws
// Error. Optimized prepare: returns false to decline the node (the reference
// kernel then runs it), true after taking it.
using PrepareFn = bool (*)(Node& node);

struct KernelRegistration {
  int opcode;
  PrepareFn prepare;
};

// nullptr when there is no kernel for the opcode.
const KernelRegistration* FindReferenceKernel(int opcode);
const KernelRegistration* FindFastKernel(int opcode);

// The helpers kernels use in prepare (Fail, Expect, ...) are in
// model/kernels/kernel_util.h.

}  // namespace vww
