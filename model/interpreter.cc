#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "model/kernel.h"
#include "model/model.h"
#include "model/planner.h"
#include "model/worker_pool.h"

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

  // A node whose output is its input's bytes (RESHAPE's fast form) gets no
  // buffer of its own: its output shares the input's (or what that shares),
  // and the shared buffer lives from the first use of any of them to the last.
  std::vector<int> alias_of(tensor_count, -1);
  for (const OperatorInfo& info : ops) {
    if (!nodes_[info.index]->output_aliases_input) continue;
    const int in = info.inputs[0], out = info.outputs[0];
    if (in < 0 || first[in] < 0 || first[out] < 0) continue;  // a constant input: eval copies
    bool graph_input = false;
    for (int t : model.inputs()) graph_input = graph_input || t == out;
    if (graph_input || tensors_[in].bytes != tensors_[out].bytes) continue;
    const int root = alias_of[in] >= 0 ? alias_of[in] : in;
    alias_of[out] = root;
    first[root] = std::min(first[root], first[out]);
    last[root] = std::max(last[root], last[out]);
  }

  std::vector<BufferRequest> requests;
  std::vector<int> owner;  // >= 0: tensor index; < 0: scratch of node (-1 - i)
  for (int t = 0; t < tensor_count; ++t) {
    if (first[t] < 0 || alias_of[t] >= 0) continue;
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
  for (int t = 0; t < tensor_count; ++t)
    if (alias_of[t] >= 0) tensors_[t].data = tensors_[alias_of[t]].data;
}

Interpreter::~Interpreter() { std::free(arena_); }

namespace {

// One node, its parts (rows, channel blocks) shared out over the pool when it
// allows that: a few ranges per thread, claimed one at a time, so a thread that the other
// processes on the machine slow down takes fewer of them.
void EvalNode(const Node& node, WorkerPool* pool) {
  if (!pool || !node.eval_parts || node.parts < 2) {
    node.eval(node);
    return;
  }
  const int parts = std::min(node.parts, 2 * pool->size());
  pool->ParallelFor(parts, [&node, parts](int, int i) {
    const int begin = static_cast<int>(int64_t{node.parts} * i / parts);
    const int end = static_cast<int>(int64_t{node.parts} * (i + 1) / parts);
    if (end > begin) node.eval_parts(node, begin, end);
  });
}

}  // namespace

void Interpreter::Invoke() {
  for (const auto& node : nodes_) EvalNode(*node, pool_.get());
}

void Interpreter::InvokeOp(int i) { EvalNode(*nodes_[i], pool_.get()); }

void Interpreter::SetThreads(int threads) {
  if (threads < 1 || threads > 64) throw Error("threads must be between 1 and 64");
  if (threads == this->threads()) return;
  pool_.reset();
  if (threads > 1) pool_ = std::make_unique<WorkerPool>(threads);
}

int Interpreter::threads() const { return pool_ ? pool_->size() : 1; }

int Interpreter::op_count() const { return static_cast<int>(nodes_.size()); }
const Node& Interpreter::node(int i) const { return *nodes_[i]; }
bool Interpreter::op_is_fast(int i) const { return nodes_[i]->fast; }
const char* Interpreter::op_kernel_name(int i) const {
  return nodes_[i]->form ? nodes_[i]->form : "reference";
}

}  // namespace vww
