// Loading: the flatbuffers Verifier first (every offset inside the file), then
// our own semantic checks, so that kernels can trust shapes, types and sizes.
#include "model/model.h"

#include <flatbuffers/flatbuffers.h>

#include <climits>
#include <cmath>
#include <fstream>
#include <iterator>

#include "model/tflite_subset_generated.h"

namespace vww {

namespace {

// Limits that keep a hostile file from asking for absurd work or memory.
constexpr int64_t kMaxDim = 1 << 24;
constexpr int64_t kMaxElements = int64_t{1} << 30;
constexpr size_t kMaxFileBytes = size_t{1} << 30;
// Graph size caps, far above the models this runtime is for (microcontroller
// vision models have tens to hundreds of tensors): planning is quadratic in
// the number of buffers alive at once, so a 20 MB file of tiny tensors used
// to take minutes to load; at these caps the worst case is about a second.
constexpr int64_t kMaxTensors = 8192;
constexpr int64_t kMaxOperators = 8192;
// Inputs or outputs of one operator, and of the subgraph.
constexpr int64_t kMaxOperands = 1024;

[[noreturn]] void Bad(const std::string& name, const std::string& what) {
  throw Error(name + ": " + what);
}

}  // namespace

std::string BuiltinOpName(int code) {
  // Names of TFLite builtin operators 0..126, in code order.
  static const char* const kNames[] = {
      "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D",
      "DEPTH_TO_SPACE", "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED",
      "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION",
      "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1", "RELU6",
      "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH",
      "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
      "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND",
      "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
      "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX",
      "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM",
      "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN",
      "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG",
      "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD",
      "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK",
      "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD",
      "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD",
      "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE",
      "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
      "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5",
      "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL"};
  constexpr int kCount = static_cast<int>(sizeof(kNames) / sizeof(kNames[0]));
  if (code >= 0 && code < kCount) return kNames[code];
  return "BUILTIN_" + std::to_string(code);
}

std::unique_ptr<Model> Model::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Bad(path, "cannot open model file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) Bad(path, "cannot read model file");
  if (static_cast<uint64_t>(size) > kMaxFileBytes) Bad(path, "model file larger than 1 GiB");
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
    Bad(path, "cannot read model file");
  return FromBytes(std::move(bytes), path);
}

std::unique_ptr<Model> Model::FromBytes(std::vector<uint8_t> bytes, std::string name) {
  std::unique_ptr<Model> model(new Model());
  model->name_ = std::move(name);
  model->bytes_ = std::move(bytes);
  model->Parse();
  return model;
}

const tflite::Operator* Model::raw_operator(int index) const {
  return fb_->subgraphs()->Get(0)->operators()->Get(static_cast<flatbuffers::uoffset_t>(index));
}

void Model::Parse() {
  const std::string& n = name_;
  if (bytes_.empty()) Bad(n, "model file is empty");
  if (bytes_.size() < 8) Bad(n, "model file is truncated (" + std::to_string(bytes_.size()) + " bytes)");
  if (!tflite::ModelBufferHasIdentifier(bytes_.data()))
    Bad(n, "not a TensorFlow Lite model (no TFL3 identifier)");
  // Appended data (metadata zips) is allowed: the verifier only checks that
  // everything the flatbuffer references lies inside the file.
  flatbuffers::Verifier::Options options;
  options.max_depth = 32;
  options.max_tables = 10'000'000;
  flatbuffers::Verifier verifier(bytes_.data(), bytes_.size(), options);
  if (!tflite::VerifyModelBuffer(verifier))
    Bad(n, "model file is corrupt or truncated (flatbuffer verification failed)");

  fb_ = tflite::GetModel(bytes_.data());
  schema_version_ = fb_->version();
  if (schema_version_ != 3)
    Bad(n, "unsupported TFLite schema version " + std::to_string(schema_version_) + " (need 3)");
  if (fb_->description()) description_ = fb_->description()->str();

  const auto* subgraphs = fb_->subgraphs();
  if (!subgraphs || subgraphs->size() == 0) Bad(n, "model has no subgraph");
  const tflite::SubGraph* sg = subgraphs->Get(0);
  const auto* buffers = fb_->buffers();
  const auto* codes = fb_->operator_codes();
  const auto* fb_tensors = sg->tensors();
  const auto* fb_ops = sg->operators();
  if (!fb_tensors || fb_tensors->size() == 0) Bad(n, "subgraph has no tensors");
  if (!fb_ops || fb_ops->size() == 0) Bad(n, "subgraph has no operators");
  if (fb_tensors->size() > kMaxTensors)
    Bad(n, "subgraph has " + std::to_string(fb_tensors->size()) + " tensors (limit " +
               std::to_string(kMaxTensors) + ")");
  if (fb_ops->size() > kMaxOperators)
    Bad(n, "subgraph has " + std::to_string(fb_ops->size()) + " operators (limit " +
               std::to_string(kMaxOperators) + ")");
  const int tensor_count = static_cast<int>(fb_tensors->size());

  // Tensors: shapes, types, quantization, constant data sizes.
  tensors_.resize(fb_tensors->size());
  for (int i = 0; i < tensor_count; ++i) {
    const tflite::Tensor* ft = fb_tensors->Get(i);
    Tensor& t = tensors_[i];
    const std::string where = "tensor " + std::to_string(i);
    if (ft->name()) t.name = ft->name()->str();
    t.type = static_cast<DType>(ft->type());
    const size_t elem = DTypeSize(t.type);
    if (ft->type() < 0 || ft->type() > 10 || elem == 0)
      Bad(n, where + " has unsupported type " + std::to_string(ft->type()));
    if (ft->is_variable()) Bad(n, where + " is a variable tensor (not supported)");
    if (ft->sparsity()) Bad(n, where + " is sparse (not supported)");
    if (ft->shape()) {
      if (ft->shape()->size() > kMaxRank)
        Bad(n, where + " has rank " + std::to_string(ft->shape()->size()) + " (max 6)");
      // The running product is checked per dimension: six dimensions of up
      // to 2^24 would overflow int64 before a check on the total.
      int64_t product = 1;
      for (int d : *ft->shape()) {
        if (d < 0 || d > kMaxDim) Bad(n, where + " has invalid dimension " + std::to_string(d));
        product *= d;
        if (product > kMaxElements) Bad(n, where + " has too many elements (shape too large)");
        t.shape.dims[t.shape.rank++] = d;
      }
    }
    const int64_t elements = t.shape.elements();
    t.bytes = static_cast<size_t>(elements) * elem;

    if (const auto* q = ft->quantization(); q && q->scale() && q->scale()->size() > 0) {
      const auto* scales = q->scale();
      const auto* zps = q->zero_point();
      const size_t count = scales->size();
      if (count > 1) {
        int dim = q->quantized_dimension();
        // Converters leave the weights' axis (3) on 1-D per-channel biases.
        if (t.shape.rank == 1) dim = 0;
        if (dim < 0 || dim >= t.shape.rank)
          Bad(n, where + " has quantized_dimension " + std::to_string(dim) + " out of range");
        if (static_cast<int64_t>(count) != t.shape[dim])
          Bad(n, where + " has " + std::to_string(count) + " scales for " +
                     std::to_string(t.shape[dim]) + " channels");
        t.quantized_dimension = dim;
      }
      if (zps && zps->size() != count && zps->size() != 1)
        Bad(n, where + " has " + std::to_string(zps->size()) + " zero points for " +
                   std::to_string(count) + " scales");
      for (size_t c = 0; c < count; ++c) {
        const float s = scales->Get(static_cast<flatbuffers::uoffset_t>(c));
        if (!(s > 0.0f) || !std::isfinite(s)) Bad(n, where + " has an invalid scale");
        int64_t zp = 0;
        if (zps && zps->size() > 0) zp = zps->Get(zps->size() == 1 ? 0 : static_cast<flatbuffers::uoffset_t>(c));
        // A zero point outside the type's range is meaningless, and the
        // kernels' offset arithmetic relies on it (the fuzzer found an ADD
        // overflow with one).
        int64_t zp_min = INT32_MIN, zp_max = INT32_MAX;
        if (t.type == DType::kInt8) zp_min = -128, zp_max = 127;
        if (t.type == DType::kUInt8) zp_min = 0, zp_max = 255;
        if (t.type == DType::kInt16) zp_min = -32768, zp_max = 32767;
        if (zp < zp_min || zp > zp_max)
          Bad(n, where + " has zero point " + std::to_string(zp) + " outside its type's range");
        t.channel_scales.push_back(s);
        t.channel_zero_points.push_back(static_cast<int32_t>(zp));
      }
      t.quantized = true;
      t.scale = t.channel_scales[0];
      t.zero_point = t.channel_zero_points[0];
    }

    const uint32_t b = ft->buffer();
    if (!buffers || b >= buffers->size())
      Bad(n, where + " refers to buffer " + std::to_string(b) + " that does not exist");
    const tflite::Buffer* buf = buffers->Get(b);
    if (buf->offset() > 1 || buf->size() > 0)
      Bad(n, where + " keeps its data outside the flatbuffer (not supported)");
    if (buf->data() && buf->data()->size() > 0) {
      if (buf->data()->size() != t.bytes)
        Bad(n, where + " has " + std::to_string(buf->data()->size()) + " bytes of data for shape " +
                   t.shape.str() + " of " + DTypeName(t.type) + " (" + std::to_string(t.bytes) +
                   " bytes)");
      t.is_constant = true;
      t.data = const_cast<uint8_t*>(buf->data()->data());
      constant_bytes_ += t.bytes;
    }
  }

  auto check_index = [&](int index, const std::string& what) {
    if (index < 0 || index >= tensor_count)
      Bad(n, what + " refers to tensor " + std::to_string(index) + " that does not exist");
  };
  if (!sg->inputs() || sg->inputs()->size() == 0) Bad(n, "subgraph has no inputs");
  if (!sg->outputs() || sg->outputs()->size() == 0) Bad(n, "subgraph has no outputs");
  if (sg->inputs()->size() > kMaxOperands || sg->outputs()->size() > kMaxOperands)
    Bad(n, "subgraph has " + std::to_string(sg->inputs()->size()) + " inputs and " +
               std::to_string(sg->outputs()->size()) + " outputs (limit " +
               std::to_string(kMaxOperands) + " each)");
  for (int i : *sg->inputs()) {
    check_index(i, "subgraph input");
    if (tensors_[i].is_constant) Bad(n, "subgraph input tensor " + std::to_string(i) + " is constant");
    inputs_.push_back(i);
  }
  for (int i : *sg->outputs()) {
    check_index(i, "subgraph output");
    outputs_.push_back(i);
  }

  // Operators: codes, tensor indices, and a valid execution order (every
  // activation is written before it is read, and written once).
  std::vector<bool> written(tensor_count, false);
  for (int i : inputs_) written[i] = true;
  const int op_count = static_cast<int>(fb_ops->size());
  operators_.resize(op_count);
  for (int i = 0; i < op_count; ++i) {
    const tflite::Operator* fo = fb_ops->Get(i);
    OperatorInfo& op = operators_[i];
    op.index = i;
    const std::string where = "operator " + std::to_string(i);
    if (!codes || fo->opcode_index() >= codes->size())
      Bad(n, where + " has opcode index " + std::to_string(fo->opcode_index()) + " out of range");
    const tflite::OperatorCode* code = codes->Get(fo->opcode_index());
    // Older files set only the int8 deprecated field; newer ones set both.
    op.opcode = std::max<int>(code->deprecated_builtin_code(), code->builtin_code());
    op.version = code->version();
    if (code->custom_code()) op.custom_code = code->custom_code()->str();
    const size_t operands = std::max(fo->inputs() ? fo->inputs()->size() : 0,
                                     fo->outputs() ? fo->outputs()->size() : 0);
    if (operands > kMaxOperands)
      Bad(n, where + " has " + std::to_string(operands) + " inputs or outputs (limit " +
                 std::to_string(kMaxOperands) + ")");
    if (fo->inputs())
      for (int t : *fo->inputs()) {
        if (t != -1) {
          check_index(t, where + " input");
          if (!tensors_[t].is_constant && !written[t])
            Bad(n, where + " reads tensor " + std::to_string(t) + " before any operator writes it");
        }
        op.inputs.push_back(t);
      }
    if (fo->outputs())
      for (int t : *fo->outputs()) {
        check_index(t, where + " output");
        if (tensors_[t].is_constant)
          Bad(n, where + " writes constant tensor " + std::to_string(t));
        if (written[t]) Bad(n, where + " writes tensor " + std::to_string(t) + " a second time");
        written[t] = true;
        op.outputs.push_back(t);
      }
    if (op.outputs.empty()) Bad(n, where + " has no outputs");
  }
  for (int i : outputs_)
    if (!written[i] && !tensors_[i].is_constant)
      Bad(n, "subgraph output tensor " + std::to_string(i) + " is never written");
}

}  // namespace vww
