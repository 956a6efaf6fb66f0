// Tensors as the runtime sees them: explicit NHWC shapes, a type, affine
// quantization, and a data pointer bound once when memory is planned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vww {

// Values are TFLite's TensorType numbers, so a file's byte maps directly.
enum class DType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
};

const char* DTypeName(DType type);
// Bytes per element; 0 for types without a fixed size (string) or unknown.
size_t DTypeSize(DType type);

constexpr int kMaxRank = 6;

struct Shape {
  int rank = 0;
  int dims[kMaxRank] = {0, 0, 0, 0, 0, 0};

  Shape() = default;
  Shape(std::initializer_list<int> d);
  static Shape FromVector(const std::vector<int>& d);

  int64_t elements() const;
  int operator[](int i) const { return dims[i]; }
  int& operator[](int i) { return dims[i]; }
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const;  // "1x96x96x1"
};

struct Tensor {
  std::string name;
  DType type = DType::kInt8;
  Shape shape;
  size_t bytes = 0;

  // Affine quantization: real = scale * (q - zero_point). Per-channel tensors
  // (weights) keep one scale per slice of `quantized_dimension`; `scale` and
  // `zero_point` then hold the first channel's values.
  bool quantized = false;
  float scale = 0.0f;
  int32_t zero_point = 0;
  std::vector<float> channel_scales;
  std::vector<int32_t> channel_zero_points;
  int quantized_dimension = 0;

  bool is_constant = false;  // data lives in the model file
  uint8_t* data = nullptr;   // constant data, or a slice of the arena

  template <typename T>
  T* data_as() const {
    return reinterpret_cast<T*>(data);
  }
};

}  // namespace vww
