#include <cstdlib>
#include <cstring>

#include "model/kernel.h"
#include "model/model.h"
#include "model/planner.h"

namespace vww {

namespace {
// 64 bytes: a cache line, and the widest vector load of the fast kernels.
constexpr size_t kArenaAlignment = 64;
// Activation memory above this is refused: the largest real model we know of
// needs a few MB, and a hostile file must not make us allocate gigabytes.
constexpr size_t kMaxArenaBytes = size_t{256} << 20;
}  // namespace

const char* BackendName(Backend backend) {
  return backend == Backend::kFast ? "fast" : "reference";
}

Backend ParseBackend(const std::string& name) {
  if (name == "fast") return Backend::kFast;
  if (name == "reference" || name == "ref") return Backend::kReference;
  throw Error("unknown backend '" + name + "' (use fast or reference)");
}

Interpreter::Interpreter(const Model& model, Backend backend)
    : model_(model), backend_(backend), tensors_(model.tensors()) {
  const auto& ops = model.operators();
  const int op_count = static_cast<int>(ops.size());

  // Every unsupported operator is reported at once, so a user learns the whole
  // gap in one run: "node 3 (SQUARED_DIFFERENCE), node 9 (GATHER)".
  std::string missing;
  for (const OperatorInfo& info : ops) {
    if (!FindReferenceKernel(info.opcode)) {
      if (!missing.empty()) missing += ", ";
      missing +=
          "node " + std::to_string(info.index) + " (" +
          (info.custom_code.empty() ? BuiltinOpName(info.opcode) : "CUSTOM " + info.custom_code) +
          ")";
    }
  }
  if (!missing.empty()) throw Error(model.name() + ": unsupported operator(s): " + missing);

  for (const OperatorInfo& info : ops) {
    auto node = std::make_unique<Node>();
    node->index = info.index;
    node->opcode = info.opcode;
    node->op = model.raw_operator(info.index);
    for (int t : info.inputs) node->inputs.push_back(t < 0 ? nullptr : &tensors_[t]);
    for (int t : info.outputs) node->outputs.push_back(&tensors_[t]);
    try {
      FindReferenceKernel(info.opcode)->prepare(*node);
      if (backend == Backend::kFast) {
        if (const KernelRegistration* fast = FindFastKernel(info.opcode)) {
          // The reference prepare has validated the node; the fast prepare may
          // replace data and eval, or decline and leave the reference in place.
          auto ref_data = std::move(node->data);
          const EvalFn ref_eval = node->eval;
          const size_t ref_scratch = node->scratch_bytes;
          node->data = nullptr;
          if (fast->prepare(*node)) {
            node->fast = true;
          } else {
            node->data = std::move(ref_data);
            node->eval = ref_eval;
            node->scratch_bytes = ref_scratch;
          }
        }
      }
    } catch (const Error& e) {
      throw Error(model.name() + ": " + e.what());
    }
    if (!node->eval) throw Error(model.name() + ": " + node->where() + ": kernel set no eval");
    nodes_.push_back(std::move(node));
  }

  // Lifetimes: graph inputs are live from the start, graph outputs to the end;
  // every other activation from the op that writes it to the last op that
  // reads it. Scratch lives for its one op.
  const int tensor_count = static_cast<int>(tensors_.size());
  std::vector<int> first(tensor_count, -1), last(tensor_count, -1);
  auto touch = [&](int t, int op) {
    if (t < 0 || tensors_[t].is_constant) return;
    if (first[t] < 0 || op < first[t]) first[t] = op;
    if (op > last[t]) last[t] = op;
  };
  for (int t : model.inputs()) touch(t, 0);
  for (const OperatorInfo& info : ops) {
    for (int t : info.inputs) touch(t, info.index);
    for (int t : info.outputs) touch(t, info.index);
  }
  for (int t : model.outputs()) touch(t, op_count - 1);

  std::vector<BufferRequest> requests;
  std::vector<int> owner;  // >= 0: tensor index; < 0: scratch of node (-1 - i)
  for (int t = 0; t < tensor_count; ++t) {
    if (first[t] < 0) continue;
    requests.push_back({tensors_[t].bytes, first[t], last[t]});
    owner.push_back(t);
  }
  for (const auto& node : nodes_) {
    if (node->scratch_bytes == 0) continue;
    requests.push_back({node->scratch_bytes, node->index, node->index});
    owner.push_back(-1 - node->index);
  }
  std::vector<size_t> offsets;
  arena_bytes_ = PlanArena(requests, kArenaAlignment, &offsets);
  if (arena_bytes_ > kMaxArenaBytes)
    throw Error(model.name() + ": needs " + std::to_string(arena_bytes_ >> 20) +
                " MB of activation memory (limit " + std::to_string(kMaxArenaBytes >> 20) + " MB)");
  arena_ = static_cast<uint8_t*>(
      std::aligned_alloc(kArenaAlignment, std::max<size_t>(arena_bytes_, kArenaAlignment)));
  if (!arena_)
    throw Error(model.name() + ": cannot allocate " + std::to_string(arena_bytes_) +
                " bytes of arena");
  std::memset(arena_, 0, arena_bytes_);
  for (size_t i = 0; i < requests.size(); ++i) {
    if (owner[i] >= 0)
      tensors_[owner[i]].data = arena_ + offsets[i];
    else
      nodes_[-1 - owner[i]]->scratch = arena_ + offsets[i];
  }
}

Interpreter::~Interpreter() { std::free(arena_); }

void Interpreter::Invoke() {
  for (const auto& node : nodes_) node->eval(*node);
}

void Interpreter::InvokeOp(int i) { nodes_[i]->eval(*nodes_[i]); }

int Interpreter::op_count() const { return static_cast<int>(nodes_.size()); }
const Node& Interpreter::node(int i) const { return *nodes_[i]; }
bool Interpreter::op_is_fast(int i) const { return nodes_[i]->fast; }
const char* Interpreter::op_kernel_name(int i) const {
  return nodes_[i]->form ? nodes_[i]->form : "reference";
}

}  // namespace vww
