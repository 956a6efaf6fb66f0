// app/bench/model: the model timed per backend, and per operator.
#include <cstring>

#include "app/bench/bench.h"
#include "app/format.h"
#include "model/fast/isa.h"
#include "model/kernel.h"

namespace vww::bench {
namespace {

int Argmax(const Tensor& out) {
  const int64_t n = out.shape.elements();
  int best = 0;
  for (int64_t i = 1; i < n; ++i) {
    const bool greater = out.type == DType::kUInt8
                             ? out.data[i] > out.data[best]
                             : out.data_as<int8_t>()[i] > out.data_as<int8_t>()[best];
    if (greater) best = static_cast<int>(i);
  }
  return best;
}

}  // namespace

BackendResult RunBackend(const std::string& model_path, Backend backend,
                         const std::vector<uint8_t>& input, int runs, int warmup, bool profile,
                         int threads) {
  BackendResult r;
  r.name = BackendName(backend);
  auto start = Clock::now();
  auto model = Model::FromFile(model_path);
  r.load_ms = MsSince(start);
  start = Clock::now();
  Interpreter interp(*model, backend);
  r.plan_ms = MsSince(start);
  interp.SetThreads(threads);
  r.threads = interp.threads();
  r.arena_bytes = interp.arena_bytes();
  r.ops = interp.op_count();
  for (int i = 0; i < r.ops; ++i) r.fast_ops += interp.op_is_fast(i) ? 1 : 0;
  if (backend == Backend::kFast) r.isa = fast::IsaName(fast::ActiveIsa());

  Tensor& in = interp.input();
  if (in.bytes != input.size())
    throw Error(model_path + ": input tensor size changed between runs");
  std::memcpy(in.data, input.data(), input.size());
  start = Clock::now();
  interp.Invoke();
  r.first_ms = MsSince(start);
  if (interp.output_count() > 0) r.top = Argmax(interp.output());

  for (int i = 0; i < warmup; ++i) {
    std::memcpy(in.data, input.data(), input.size());
    interp.Invoke();
  }
  std::vector<double> ms;
  ms.reserve(runs);
  for (int i = 0; i < runs; ++i) {
    std::memcpy(in.data, input.data(), input.size());
    start = Clock::now();
    interp.Invoke();
    ms.push_back(MsSince(start));
  }
  r.runs = runs;
  r.stats = Summarize(std::move(ms));

  if (profile) {
    // Each operator timed alone, in order, so the tensors it reads are the
    // ones its predecessors just wrote.
    const int n = interp.op_count();
    std::vector<std::vector<double>> us(n);
    for (auto& v : us) v.reserve(runs);
    for (int run = 0; run < runs; ++run) {
      std::memcpy(in.data, input.data(), input.size());
      for (int i = 0; i < n; ++i) {
        const auto t0 = Clock::now();
        interp.InvokeOp(i);
        us[i].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    }
    for (int i = 0; i < n; ++i) {
      const Node& node = interp.node(i);
      OpProfile p;
      p.index = i;
      p.op = BuiltinOpName(node.opcode);
      p.shape = node.outputs.empty() ? "-" : node.outputs[0]->shape.str();
      p.input_shape = node.inputs.empty() || !node.inputs[0] ? "-" : node.inputs[0]->shape.str();
      p.macs = OperatorMacs(*model, model->operators()[i]);
      p.fast = interp.op_is_fast(i);
      p.kernel = interp.op_kernel_name(i);
      p.median_us = Summarize(std::move(us[i])).median;
      r.profile.push_back(p);
    }
  }
  return r;
}

}  // namespace vww::bench
