// Paths to shared test data and small file helpers for the tests.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vww::test {

inline std::string SharedDir() { return VWW_SHARED_DIR; }
inline std::string AssetsDir() { return VWW_ASSETS_DIR; }
inline std::string ModelPath() { return AssetsDir() + "/person_detect.tflite"; }

inline std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// Binary PGM (P5, maxval 255) pixels, without depending on the code under test.
inline std::vector<uint8_t> ReadPgm(const std::string& path, int* w, int* h) {
  std::ifstream in(path, std::ios::binary);
  std::string magic;
  int maxval = 0;
  in >> magic >> *w >> *h >> maxval;
  in.get();
  std::vector<uint8_t> px(static_cast<size_t>(*w) * *h);
  in.read(reinterpret_cast<char*>(px.data()), px.size());
  return px;
}

}  // namespace vww::test
