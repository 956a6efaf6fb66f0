// classify end to end: decode -> DSP -> runtime against the TFLite Micro
// reference outputs for every sample image (shared/testdata/reference), and
// the command line's contract (output format, exit codes, one-line errors).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "pipeline/classifier.h"
#include "test_util.h"

namespace vww {
namespace {

struct ReferenceRow {
  std::string file;
  int q_no_person, q_person;
};

std::vector<ReferenceRow> ReadImagesCsv(const std::string& mode) {
  std::ifstream in(test::DataDir() + "/reference/images." + mode + ".csv");
  std::string line;
  std::getline(in, line);  // label_is_person,file,q_no_person,q_person,p_person,width,height
  std::vector<ReferenceRow> rows;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string label, file, q0, q1;
    std::getline(ss, label, ',');
    std::getline(ss, file, ',');
    std::getline(ss, q0, ',');
    std::getline(ss, q1, ',');
    rows.push_back({file, std::stoi(q0), std::stoi(q1)});
  }
  return rows;
}

class ClassifyReference : public ::testing::TestWithParam<std::tuple<std::string, Backend>> {};

TEST_P(ClassifyReference, EverySampleImageMatchesExactly) {
  const auto& [mode, backend] = GetParam();
  ClassifierOptions options;
  options.backend = backend;
  options.crop = mode == "crop" ? CropMode::kFitShortest : CropMode::kSquash;
  Classifier classifier(options);
  const auto rows = ReadImagesCsv(mode);
  ASSERT_EQ(rows.size(), 9u);
  for (const ReferenceRow& row : rows) {
    const cv::Mat image = cv::imread(test::ImagesDir() + "/" + row.file, cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty()) << row.file;
    const Classification& c = classifier.Classify(image);
    EXPECT_EQ(c.scores_q[0], row.q_no_person) << row.file;
    EXPECT_EQ(c.scores_q[1], row.q_person) << row.file;
    EXPECT_FLOAT_EQ(c.scores[1], (row.q_person + 128) / 256.0f) << row.file;
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, ClassifyReference,
                         ::testing::Combine(::testing::Values("crop", "squash"),
                                            ::testing::Values(Backend::kReference, Backend::kFast)),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" +
                                  BackendName(std::get<1>(info.param));
                         });

TEST(Classifier, LabelsAndPersonIndex) {
  Classifier classifier(ClassifierOptions{});
  ASSERT_EQ(classifier.labels().size(), 2u);
  EXPECT_EQ(classifier.labels()[0], "no person");
  EXPECT_EQ(classifier.labels()[1], "person");
  EXPECT_EQ(classifier.person_index(), 1);
}

using test::RunVww;

TEST(ClassifyCli, EdgeImpulseOutputFormat) {
  std::string out, err;
  const std::string image = test::ImagesDir() + "/person/camera.png";
  ASSERT_EQ(RunVww("classify " + image, &out, &err), 0) << err;
  // camera.png: reference [-114, 114] -> 14/256 and 242/256.
  EXPECT_NE(out.find("Predictions (DSP: "), std::string::npos) << out;
  EXPECT_NE(out.find(" ms., Classification: "), std::string::npos) << out;
  EXPECT_NE(out.find(" ms., Anomaly: 0 ms.):\n  no person: 0.05469\n  person: 0.94531\n"),
            std::string::npos)
      << out;
}

TEST(ClassifyCli, JsonLines) {
  std::string out, err;
  const std::string dir = test::ImagesDir() + "/";
  ASSERT_EQ(RunVww("classify --json " + dir + "person/messi5.jpg " + dir + "no_person/rocket.jpg",
                   &out, &err),
            0);
  std::stringstream ss(out);
  std::string first_line, second_line;
  std::getline(ss, first_line);
  std::getline(ss, second_line);
  using Json = nlohmann::ordered_json;
  const Json first = Json::parse(first_line), second = Json::parse(second_line);
  EXPECT_EQ(first.at("label"), "person") << first_line;
  EXPECT_EQ(first.at("scores_q"), Json({-62, 62})) << first_line;
  EXPECT_EQ(first.at("scores"), Json({{"no person", 0.257812}, {"person", 0.742188}}))
      << first_line;
  EXPECT_TRUE(first.contains("dsp_ms"));
  EXPECT_TRUE(first.contains("classification_ms"));
  // rocket.jpg is the sample the model gets wrong: [-53, 53].
  EXPECT_EQ(second.at("scores_q"), Json({-53, 53})) << second_line;
}

TEST(ClassifyCli, BadInputsAreOneLineErrors) {
  std::string out, err;
  EXPECT_EQ(RunVww("classify /nonexistent.png", &out, &err), 1);
  EXPECT_EQ(err, "error: /nonexistent.png: cannot read or decode image\n");

  EXPECT_EQ(RunVww("classify --model /nonexistent.tflite x.png", &out, &err), 1);
  EXPECT_EQ(err, "error: /nonexistent.tflite: cannot open model file\n");

  // A model that is not a model.
  const std::string not_model = test::ImagesDir() + "/person/camera.png";
  EXPECT_EQ(RunVww("classify --model " + not_model + " x.png", &out, &err), 1);
  EXPECT_EQ(err, "error: " + not_model + ": not a TensorFlow Lite model (no TFL3 identifier)\n");

  EXPECT_EQ(RunVww("classify --bogus", &out, &err), 2);
  EXPECT_NE(err.find("unknown option --bogus"), std::string::npos);
  EXPECT_EQ(RunVww("classify", &out, &err), 2);
  EXPECT_EQ(RunVww("classify --crop sideways x.png", &out, &err), 1);
  EXPECT_NE(err.find("unknown crop mode 'sideways'"), std::string::npos);
}

TEST(Cli, HelpListsCommandsAndEachHasHelp) {
  std::string out, err;
  ASSERT_EQ(RunVww("--help", &out, &err), 0);
  std::vector<std::string> commands;
  std::stringstream ss(out.substr(out.find("commands:")));
  std::string line;
  std::getline(ss, line);
  while (std::getline(ss, line))
    if (line.size() > 2 && line[0] == ' ')
      commands.push_back(line.substr(2, line.find(' ', 2) - 2));
  EXPECT_GE(commands.size(), 2u);
  for (const std::string& c : commands) {
    EXPECT_EQ(RunVww(c + " --help", &out, &err), 0) << c;
    EXPECT_EQ(out.rfind("usage: vww " + c, 0), 0u) << c << ": " << out;
  }
  EXPECT_EQ(RunVww("frobnicate", &out, &err), 2);
  EXPECT_EQ(err, "error: unknown command 'frobnicate' (see vww --help)\n");
}

TEST(InfoCli, PersonDetectFacts) {
  std::string out, err;
  ASSERT_EQ(RunVww("info --json", &out, &err), 0) << err;
  // Facts from shared/models/person_detect.md.
  using Json = nlohmann::ordered_json;
  const Json j = Json::parse(out);
  EXPECT_EQ(j.at("ops"), 31) << out;
  EXPECT_EQ(j.at("macs"), 7157888);
  EXPECT_EQ(j.at("params"), 210708);
  EXPECT_EQ(j.at("flash_bytes"), 218928);
  EXPECT_EQ(j.at("arena_bytes"), 55296);
  EXPECT_EQ(j.at("input"), Json({{"shape", {1, 96, 96, 1}},
                                 {"type", "int8"},
                                 {"scale", 0.00784313772},
                                 {"zero_point", -1}}))
      << out;
}

}  // namespace
}  // namespace vww
