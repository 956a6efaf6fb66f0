// model/: a verified, read-only view of an int8 TensorFlow Lite model, and the
// interpreter that runs it from one statically planned arena.
//
// Lifecycle (as in XNNPACK): create (load + verify + prepare + plan, may throw
// vww::Error), setup (write the input tensor's data), run (Invoke, never
// allocates). The input tensor lives in the arena and may be overwritten by
// later operators, so fill it before every Invoke, as with TFLite Micro.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/tensor.h"

namespace tflite {
struct Model;
struct Operator;
}  // namespace tflite

namespace vww {

// TFLite builtin operator codes that the runtime knows by name.
enum BuiltinOp : int {
  kOpAdd = 0,
  kOpAveragePool2D = 1,
  kOpConcatenation = 2,
  kOpConv2D = 3,
  kOpDepthwiseConv2D = 4,
  kOpDequantize = 6,
  kOpFullyConnected = 9,
  kOpLogistic = 14,
  kOpMaxPool2D = 17,
  kOpMul = 18,
  kOpReshape = 22,
  kOpSoftmax = 25,
  kOpPad = 34,
  kOpTranspose = 39,
  kOpMean = 40,
  kOpQuantize = 114,
};

// "CONV_2D", or "BUILTIN_<n>" for codes we have no name for.
std::string BuiltinOpName(int code);

struct OperatorInfo {
  int index = 0;
  int opcode = 0;  // builtin code: max(deprecated_builtin_code, builtin_code)
  int version = 1;
  std::string custom_code;  // non-empty for CUSTOM operators
  std::vector<int> inputs;  // tensor indices; -1 marks an omitted optional input
  std::vector<int> outputs;
};

class Model {
 public:
  // Reads and verifies a .tflite file. Throws Error with a one-line message.
  static std::unique_ptr<Model> FromFile(const std::string& path);
  // Verifies an in-memory file image (takes ownership).
  static std::unique_ptr<Model> FromBytes(std::vector<uint8_t> bytes, std::string name = "model");

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  uint32_t schema_version() const { return schema_version_; }
  size_t file_bytes() const { return bytes_.size(); }

  // Tensors of subgraph 0. Constant tensors point into the file image.
  const std::vector<Tensor>& tensors() const { return tensors_; }
  const std::vector<OperatorInfo>& operators() const { return operators_; }
  const std::vector<int>& inputs() const { return inputs_; }
  const std::vector<int>& outputs() const { return outputs_; }

  // Bytes of constant data (weights, biases, shapes): what goes to flash.
  size_t constant_bytes() const { return constant_bytes_; }

  // The flatbuffer operator, for kernels that read their builtin options.
  const tflite::Operator* raw_operator(int index) const;

 private:
  Model() = default;
  void Parse();

  std::string name_;
  std::string description_;
  uint32_t schema_version_ = 0;
  std::vector<uint8_t> bytes_;
  const tflite::Model* fb_ = nullptr;
  std::vector<Tensor> tensors_;
  std::vector<OperatorInfo> operators_;
  std::vector<int> inputs_, outputs_;
  size_t constant_bytes_ = 0;
};

enum class Backend { kReference, kFast };
const char* BackendName(Backend backend);
Backend ParseBackend(const std::string& name);  // throws Error

struct Node;
class WorkerPool;  // model/worker_pool.h

class Interpreter {
 public:
  // Prepares every operator (checks, quantized multipliers, scratch sizes) and
  // plans all activation memory. Throws Error naming the operator and node.
  explicit Interpreter(const Model& model, Backend backend = Backend::kReference);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  const Model& model() const { return model_; }
  Backend backend() const { return backend_; }

  Tensor& input(int i = 0) { return tensors_[model_.inputs()[i]]; }
  const Tensor& output(int i = 0) const { return tensors_[model_.outputs()[i]]; }
  int input_count() const { return static_cast<int>(model_.inputs().size()); }
  int output_count() const { return static_cast<int>(model_.outputs().size()); }

  // Runs every operator in order. No allocation; with threads (SetThreads),
  // the large layers' rows (or channel blocks) are shared out, with the same results as one thread.
  void Invoke();
  // Runs operator i alone (for per-layer tests and profiling). The tensors an
  // operator reads are valid only if the operators before it just ran.
  void InvokeOp(int i);
  // Splits each large layer that allows it (Node::eval_parts) across `threads`
  // threads (1: none, the default) for one inference at a time; the outputs
  // are bit-identical to one thread's. Starts the threads here, not in Invoke.
  void SetThreads(int threads);
  int threads() const;

  int op_count() const;
  const Node& node(int i) const;
  // True when operator i runs an optimized kernel, false for the reference one.
  bool op_is_fast(int i) const;
  // The kernel that runs operator i: its fast form's name
  // (model/fast/forms.h), or "reference".
  const char* op_kernel_name(int i) const;

  const Tensor& tensor(int i) const { return tensors_[i]; }
  size_t arena_bytes() const { return arena_bytes_; }

 private:
  const Model& model_;
  Backend backend_;
  std::vector<Tensor> tensors_;
  std::vector<std::unique_ptr<Node>> nodes_;
  size_t arena_bytes_ = 0;
  uint8_t* arena_ = nullptr;          // aligned, owned
  std::unique_ptr<WorkerPool> pool_;  // with SetThreads(n > 1)
};

}  // namespace vww
