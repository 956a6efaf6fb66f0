// Paths to shared test data and small file helpers for the tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace vww::test {

// Everything the tests read is in the repository: assets/ (what the program
// ships) and tests/data/ (test-only files; tests/data/README.md gives sources
// and licences).
inline std::string AssetsDir() { return VWW_ASSETS_DIR; }
inline std::string DataDir() { return VWW_TEST_DATA_DIR; }
inline std::string ImagesDir() { return DataDir() + "/images"; }
inline std::string ModelPath() { return AssetsDir() + "/person_detect.tflite"; }

// A real model by its upstream file stem (as in tests/data/models/MODELS.md);
// the bundled ones live in assets/ under their short names.
inline std::string ModelFile(const std::string& stem) {
  if (stem == "person_detect") return ModelPath();
  if (stem == "mlperf_tiny_vww_96_int8") return AssetsDir() + "/mlperf_vww.tflite";
  return DataDir() + "/models/" + stem + ".tflite";
}

// The two sample videos: the one with people ships in assets/.
inline std::string VideoPath(const std::string& name) {
  return name.rfind("vtest_person", 0) == 0 ? AssetsDir() + "/" + name : DataDir() + "/" + name;
}

// The frame-for-frame video references (tests/data/reference/<video>.*.csv)
// come from the frames Debian 12's FFmpeg decodes on x86-64. Debian's arm64
// FFmpeg decodes the sample videos to other bytes (62-78% of bytes differ, by
// up to 5-6), so there they do not hold: a test that decodes a video and
// compares with them says what it checks instead (test_run.cc ReadReference).
// Images decode to the same bytes everywhere: their references hold on both.
inline constexpr bool VideoDecodesLikeReference() {
#if defined(__x86_64__)
  return true;
#else
  return false;
#endif
}

// True with CI=true in the environment (as .ci/run sets it).
inline bool InCi() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

// The one way a test gives up for a missing capability (a tool, an operator):
// skipped on a developer's machine, a failure in CI, where every capability
// must be there. The caller returns right after:
//   if (!test::HaveTools({"xvfb-run", "xwd"})) return;
inline void SkipOrFailInCi(const std::string& why) {
  if (InCi())
    ADD_FAILURE() << why << " (CI=true: a skip is a failure)";
  else
    GTEST_SKIP() << why;
}

// True when every program is on PATH; otherwise SkipOrFailInCi naming the
// missing ones (scripts/install-deps.sh installs every tool a test uses).
inline bool HaveTools(std::initializer_list<const char*> programs) {
  std::string missing;
  for (const char* p : programs)
    if (std::system(("command -v " + std::string(p) + " >/dev/null 2>&1").c_str()) != 0)
      missing += (missing.empty() ? "" : ", ") + std::string(p);
  if (missing.empty()) return true;
  SkipOrFailInCi(missing + " missing (scripts/install-deps.sh installs it)");
  return false;
}

inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Polls cond every 20 ms for up to timeout_s.
inline bool WaitUntil(const std::function<bool()>& cond, double timeout_s) {
  const auto t0 = std::chrono::steady_clock::now();
  while (!cond()) {
    if (SecondsSince(t0) > timeout_s) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

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

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A scratch folder per test (unique per process and test: ctest runs tests
// in parallel processes), removed at the end.
class Scratch {
 public:
  Scratch() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ =
        std::filesystem::temp_directory_path() / ("vww_test_" + std::to_string(::getpid()) + "_" +
                                                  info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~Scratch() { std::filesystem::remove_all(path_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string operator()(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace vww::test

#include "tests/run_vww.h"  // RunVww, VwwChild
