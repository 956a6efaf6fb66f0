#include "model/tensor.h"

namespace vww {

const char* DTypeName(DType type) {
  switch (type) {
    case DType::kFloat32: return "float32";
    case DType::kFloat16: return "float16";
    case DType::kInt32: return "int32";
    case DType::kUInt8: return "uint8";
    case DType::kInt64: return "int64";
    case DType::kString: return "string";
    case DType::kBool: return "bool";
    case DType::kInt16: return "int16";
    case DType::kComplex64: return "complex64";
    case DType::kInt8: return "int8";
    case DType::kFloat64: return "float64";
  }
  return "unknown";
}

size_t DTypeSize(DType type) {
  switch (type) {
    case DType::kFloat32: return 4;
    case DType::kFloat16: return 2;
    case DType::kInt32: return 4;
    case DType::kUInt8: return 1;
    case DType::kInt64: return 8;
    case DType::kBool: return 1;
    case DType::kInt16: return 2;
    case DType::kComplex64: return 8;
    case DType::kInt8: return 1;
    case DType::kFloat64: return 8;
    case DType::kString: return 0;
  }
  return 0;
}

Shape::Shape(std::initializer_list<int> d) {
  for (int v : d) dims[rank++] = v;
}

Shape Shape::FromVector(const std::vector<int>& d) {
  Shape s;
  for (int v : d) s.dims[s.rank++] = v;
  return s;
}

int64_t Shape::elements() const {
  int64_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[i];
  return n;
}

bool Shape::operator==(const Shape& o) const {
  if (rank != o.rank) return false;
  for (int i = 0; i < rank; ++i)
    if (dims[i] != o.dims[i]) return false;
  return true;
}

std::string Shape::str() const {
  if (rank == 0) return "scalar";
  std::string s;
  for (int i = 0; i < rank; ++i) {
    if (i) s += 'x';
    s += std::to_string(dims[i]);
  }
  return s;
}

}  // namespace vww
