// The whole runtime against TFLite Micro's reference interpreter: the output
// of every operator of person_detect.tflite for two images, byte for byte.
#include <gtest/gtest.h>

#include <cstring>

#include "model/model.h"
#include "test_util.h"

namespace vww {
namespace {

struct GoldenOp {
  int op;
  int tensor;
  std::string file;
};

std::vector<GoldenOp> ReadOpsCsv() {
  std::ifstream in(test::DataDir() + "/models/golden/ops.csv");
  std::string line;
  std::getline(in, line);  // header: op,out_tensor,opname,shape,bytes,scale,zero_point,tensor_name,file
  std::vector<GoldenOp> ops;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i)
      if (i == line.size() || line[i] == ',') {
        f.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    if (f.size() < 9) continue;
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

  auto ops = ReadOpsCsv();
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
