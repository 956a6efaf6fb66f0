// The whole runtime against TFLite Micro's reference interpreter: the output
// of every operator of person_detect.tflite for two images, byte for byte.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <filesystem>

#include "model/fast/isa.h"
#include "model/model.h"
#include "test_util.h"

namespace vww {
namespace {

struct GoldenOp {
  int op;
  int tensor;
  std::string file;
};

std::vector<GoldenOp> ReadOpsCsv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in,
               line);  // header: op,out_tensor,opname,shape,bytes,scale,zero_point,tensor_name,file
  std::vector<GoldenOp> ops;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i)
      if (i == line.size() || line[i] == ',') {
        f.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    if (f.size() < 6) continue;
    ops.push_back({std::stoi(f[0]), std::stoi(f[1]), f.back()});
  }
  return ops;
}

class GoldenTest : public ::testing::TestWithParam<std::tuple<std::string, Backend>> {};

TEST_P(GoldenTest, EveryOperatorMatchesTflmExactly) {
  const auto& [image, backend] = GetParam();
  auto model = Model::FromFile(test::ModelPath());
  Interpreter interp(*model, backend);
  const std::string dir = test::DataDir() + "/models/golden/" + image;
  auto input = test::ReadFile(dir + "/input_96x96x1.bin");
  ASSERT_EQ(input.size(), interp.input().bytes);
  std::memcpy(interp.input().data, input.data(), input.size());

  auto ops = ReadOpsCsv(test::DataDir() + "/models/golden/ops.csv");
  ASSERT_EQ(ops.size(), 31u);
  ASSERT_EQ(interp.op_count(), 31);
  for (const GoldenOp& g : ops) {
    interp.InvokeOp(g.op);
    const Tensor& out = interp.tensor(g.tensor);
    auto expected = test::ReadFile(dir + "/" + g.file);
    ASSERT_EQ(out.bytes, expected.size()) << g.file;
    int mismatches = 0, first = -1;
    for (size_t i = 0; i < expected.size(); ++i)
      if (out.data[i] != expected[i]) {
        if (first < 0) first = static_cast<int>(i);
        ++mismatches;
      }
    EXPECT_EQ(mismatches, 0) << g.file << ": first mismatch at byte " << first << " got "
                             << int(int8_t(out.data[first])) << " want "
                             << int(int8_t(expected[first]));
  }
}

INSTANTIATE_TEST_SUITE_P(Images, GoldenTest,
                         ::testing::Combine(::testing::Values("person_gray", "no_person_gray"),
                                            ::testing::Values(Backend::kReference, Backend::kFast)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" +
                                  BackendName(std::get<1>(info.param));
                         });

// The four more models (golden/more/README.md): every kept operator output of
// TFLite Micro's reference run, byte for byte, on the reference backend and on
// the fast backend at every ISA level this CPU runs (each level picks other
// kernel forms). The MobileNetV2s keep only their tail (from the last 1x1
// conv, through MEAN); the two small models keep every operator.
struct MoreCase {
  std::string model;
  Backend backend;
  fast::Isa isa;
};

class GoldenMoreTest : public ::testing::TestWithParam<MoreCase> {};

TEST_P(GoldenMoreTest, EveryKeptOperatorMatchesTflmExactly) {
  const MoreCase& c = GetParam();
  if (c.backend == Backend::kFast && !fast::IsaIncludes(fast::DetectIsa(), c.isa))
    GTEST_SKIP() << "this CPU has no " << fast::IsaName(c.isa);
  fast::SetIsaOverride(c.isa);
  auto model = Model::FromFile(test::ModelFile(c.model));
  Interpreter interp(*model, c.backend);
  fast::ClearIsaOverride();
  const std::string dir = test::DataDir() + "/models/golden/more/" + c.model;
  auto input = test::ReadFile(dir + "/input.bin");
  ASSERT_EQ(input.size(), interp.input().bytes);
  std::memcpy(interp.input().data, input.data(), input.size());

  auto ops = ReadOpsCsv(dir + "/ops.csv");
  ASSERT_EQ(static_cast<int>(ops.size()), interp.op_count());
  int compared = 0;
  for (const GoldenOp& g : ops) {
    interp.InvokeOp(g.op);
    if (!std::filesystem::exists(dir + "/" + g.file)) continue;
    const Tensor& out = interp.tensor(g.tensor);
    auto expected = test::ReadFile(dir + "/" + g.file);
    ASSERT_EQ(out.bytes, expected.size()) << g.file;
    int mismatches = 0, first = -1;
    for (size_t i = 0; i < expected.size(); ++i)
      if (out.data[i] != expected[i]) {
        if (first < 0) first = static_cast<int>(i);
        ++mismatches;
      }
    EXPECT_EQ(mismatches, 0) << g.file << " (" << interp.op_kernel_name(g.op) << "): " << mismatches
                             << " of " << expected.size() << " differ, first at byte " << first;
    ++compared;
  }
  // Every file the README lists is there and was compared.
  const int kept = c.model.find("mobilenet") != std::string::npos
                       ? (c.model.find("coral") != std::string::npos ? 6 : 4)
                       : interp.op_count();
  EXPECT_EQ(compared, kept);
}

std::vector<MoreCase> MoreCases() {
  std::vector<MoreCase> cases;
  for (const char* m :
       {"mlperf_tiny_vww_96_int8", "mlperf_tiny_resnet8_cifar10_int8",
        "coral_tf2_mobilenet_v2_1.0_224_ptq", "tflm_pytorch_mobilenet_v2_int8_nchw"}) {
    cases.push_back({m, Backend::kReference, fast::Isa::kPortable});
    for (fast::Isa isa : fast::RunnableIsas()) cases.push_back({m, Backend::kFast, isa});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenMoreTest, ::testing::ValuesIn(MoreCases()),
                         [](const auto& info) {
                           const MoreCase& c = info.param;
                           std::string name = c.model.substr(0, c.model.find("_int8"));
                           name = name.substr(0, name.find("_1.0"));
                           name += std::string("_") + BackendName(c.backend);
                           if (c.backend == Backend::kFast)
                             name += std::string("_") + fast::IsaName(c.isa);
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

// Final scores from person_detect.md "Reference results" (TFLM reference kernels).
void FillAndInvoke(Interpreter& interp, const std::vector<uint8_t>& gray, bool bytes_are_int8) {
  int8_t* in = interp.input().data_as<int8_t>();
  for (size_t i = 0; i < gray.size(); ++i)
    in[i] = bytes_are_int8 ? static_cast<int8_t>(gray[i]) : static_cast<int8_t>(gray[i] - 128);
  interp.Invoke();
}

TEST(EndToEnd, PersonDetectReferenceResults) {
  auto model = Model::FromFile(test::ModelPath());
  for (Backend backend : {Backend::kReference, Backend::kFast}) {
    Interpreter interp(*model, backend);
    int w, h;
    auto person = test::ReadPgm(test::ImagesDir() + "/person_gray.pgm", &w, &h);
    ASSERT_EQ(w * h, 96 * 96);
    FillAndInvoke(interp, person, false);
    EXPECT_EQ(interp.output().data_as<int8_t>()[0], -113);
    EXPECT_EQ(interp.output().data_as<int8_t>()[1], 113);

    auto no_person = test::ReadPgm(test::ImagesDir() + "/no_person_gray.pgm", &w, &h);
    FillAndInvoke(interp, no_person, false);
    EXPECT_EQ(interp.output().data_as<int8_t>()[0], 77);
    EXPECT_EQ(interp.output().data_as<int8_t>()[1], -77);

    // TFLM's unit-test convention: no_person.bmp bytes read as int8 directly.
    FillAndInvoke(interp, no_person, true);
    EXPECT_EQ(interp.output().data_as<int8_t>()[0], 57);
    EXPECT_EQ(interp.output().data_as<int8_t>()[1], -57);

    // The stock image provider: all-zero input.
    std::memset(interp.input().data, 0, interp.input().bytes);
    interp.Invoke();
    EXPECT_EQ(interp.output().data_as<int8_t>()[0], 72);
    EXPECT_EQ(interp.output().data_as<int8_t>()[1], -72);

    // Refilled input, same answer: no state carries over between invocations.
    FillAndInvoke(interp, person, false);
    EXPECT_EQ(interp.output().data_as<int8_t>()[1], 113);
  }
}

TEST(Planner, PersonDetectArenaWithinTarget) {
  auto model = Model::FromFile(test::ModelPath());
  Interpreter interp(*model);
  // Issue target: <= 56,320 B; the lower bound is the op-2 input+output pair.
  EXPECT_LE(interp.arena_bytes(), 56320u);
  EXPECT_GE(interp.arena_bytes(), 55296u);
}

}  // namespace
}  // namespace vww
