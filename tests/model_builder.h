// Builds small .tflite flatbuffers in tests, so each loader check and kernel
// can be exercised on a model made for it (valid or deliberately broken).
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "model/tflite_subset_generated.h"

namespace vww::test {

class ModelBuilder {
 public:
  struct TensorSpec {
    std::vector<int> shape;
    int type = 9;  // int8
    std::vector<float> scales;  // empty: not quantized
    std::vector<int64_t> zero_points;
    int quantized_dimension = 0;
    std::vector<uint8_t> data;  // non-empty: constant
    std::string name;
  };

  int AddTensor(TensorSpec spec) {
    tensors_.push_back(std::move(spec));
    return static_cast<int>(tensors_.size()) - 1;
  }
  // Convenience: an int8 activation with per-tensor quantization.
  int AddInt8(std::vector<int> shape, float scale, int zero_point) {
    return AddTensor({std::move(shape), 9, {scale}, {zero_point}, 0, {}, ""});
  }
  template <typename T>
  int AddConstant(std::vector<int> shape, int type, const std::vector<T>& values,
                  std::vector<float> scales = {}, std::vector<int64_t> zero_points = {},
                  int quantized_dimension = 0) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return AddTensor({std::move(shape), type, std::move(scales), std::move(zero_points),
                      quantized_dimension, std::move(bytes), ""});
  }

  // options: a function that builds the builtin options in fbb and returns
  // (union type, offset); may be empty for operators without options.
  using OptionsFn = std::pair<uint8_t, flatbuffers::Offset<void>> (*)(flatbuffers::FlatBufferBuilder&);
  struct OpSpec {
    int opcode;
    std::vector<int> inputs, outputs;
    uint8_t options_type = 0;
    std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> options;
    std::string custom_code;
  };
  void AddOp(OpSpec op) { ops_.push_back(std::move(op)); }

  std::vector<uint8_t> Build(std::vector<int> inputs, std::vector<int> outputs, uint32_t version = 3,
                             bool identifier = true) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<flatbuffers::Offset<tflite::Buffer>> buffers;
    buffers.push_back(tflite::CreateBuffer(fbb));  // buffer 0: empty, by convention
    std::vector<flatbuffers::Offset<tflite::Tensor>> tensors;
    for (const TensorSpec& t : tensors_) {
      uint32_t buffer = 0;
      if (!t.data.empty()) {
        fbb.ForceVectorAlignment(t.data.size(), 1, 16);
        buffers.push_back(tflite::CreateBuffer(fbb, fbb.CreateVector(t.data)));
        buffer = static_cast<uint32_t>(buffers.size() - 1);
      }
      flatbuffers::Offset<tflite::QuantizationParameters> q = 0;
      if (!t.scales.empty())
        q = tflite::CreateQuantizationParameters(fbb, 0, 0, fbb.CreateVector(t.scales),
                                                 fbb.CreateVector(t.zero_points), 0, 0,
                                                 t.quantized_dimension);
      tensors.push_back(tflite::CreateTensor(fbb, fbb.CreateVector(t.shape),
                                             static_cast<int8_t>(t.type), buffer,
                                             fbb.CreateString(t.name), q));
    }
    std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes;
    std::vector<flatbuffers::Offset<tflite::Operator>> ops;
    for (const OpSpec& op : ops_) {
      const int8_t deprecated = static_cast<int8_t>(op.opcode < 127 ? op.opcode : 127);
      codes.push_back(tflite::CreateOperatorCode(
          fbb, deprecated, op.custom_code.empty() ? 0 : fbb.CreateString(op.custom_code), 1,
          op.opcode));
      flatbuffers::Offset<void> options = op.options ? op.options(fbb) : 0;
      ops.push_back(tflite::CreateOperator(
          fbb, static_cast<uint32_t>(codes.size() - 1), fbb.CreateVector(op.inputs),
          fbb.CreateVector(op.outputs), static_cast<tflite::BuiltinOptions>(op.options_type), options));
    }
    auto subgraph = tflite::CreateSubGraph(fbb, fbb.CreateVector(tensors), fbb.CreateVector(inputs),
                                           fbb.CreateVector(outputs), fbb.CreateVector(ops));
    auto model = tflite::CreateModel(fbb, version, fbb.CreateVector(codes),
                                     fbb.CreateVector(std::vector<decltype(subgraph)>{subgraph}),
                                     fbb.CreateString("test"), fbb.CreateVector(buffers));
    if (identifier)
      fbb.Finish(model, tflite::ModelIdentifier());
    else
      fbb.Finish(model);
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  }

 private:
  std::vector<TensorSpec> tensors_;
  std::vector<OpSpec> ops_;
};

}  // namespace vww::test
