// vww eval: the metrics against hand computations, and the command against
// the reference outputs of the sample images.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "pipeline/evaluation.h"
#include "test_util.h"

namespace vww {
namespace {

namespace fs = std::filesystem;

TEST(Metrics, ConfusionAccuracyAndPerClassByHand) {
  // truth 0,0,0,1,1; predicted 0, 1, uncertain, 1, 1.
  const EvalMetrics m = ComputeMetrics(2, {0, 0, 0, 1, 1}, {0, 1, -1, 1, 1});
  EXPECT_EQ(m.n, 5);
  EXPECT_EQ(m.confusion, (std::vector<std::vector<int>>{{1, 1, 1}, {0, 2, 0}}));
  EXPECT_DOUBLE_EQ(m.accuracy, 3.0 / 5);
  EXPECT_DOUBLE_EQ(m.balanced_accuracy, (1.0 / 3 + 1.0) / 2);
  EXPECT_DOUBLE_EQ(m.per_class[0].precision, 1.0);
  EXPECT_DOUBLE_EQ(m.per_class[0].recall, 1.0 / 3);
  EXPECT_DOUBLE_EQ(m.per_class[0].f1, 2 * (1.0 / 3) / (1 + 1.0 / 3));
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 2.0 / 3);
  EXPECT_EQ(m.per_class[1].support, 2);
}

TEST(Metrics, AucCountsTiesAsHalf) {
  // Pairs (pos, neg): (.9,.5) 1, (.9,.1) 1, (.5,.5) 1/2 twice, (.5,.1) 1 twice: 5 of 6.
  EXPECT_DOUBLE_EQ(RocAuc({0.9f, 0.5f, 0.5f}, {0.5f, 0.1f}), 5.0 / 6);
  EXPECT_DOUBLE_EQ(RocAuc({0.9f}, {0.1f}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({0.1f}, {0.9f}), 0.0);
  EXPECT_DOUBLE_EQ(RocAuc({}, {0.9f}), -1.0);
}

TEST(Metrics, RocCurveAndBestThreshold) {
  const std::vector<RocPoint> roc = RocCurve({0.8f, 0.6f}, {0.7f, 0.2f});
  ASSERT_EQ(roc.size(), 5u);  // +inf, .8, .7, .6, .2
  EXPECT_DOUBLE_EQ(roc[1].tpr, 0.5);
  EXPECT_DOUBLE_EQ(roc[1].fpr, 0.0);
  EXPECT_DOUBLE_EQ(roc[4].tpr, 1.0);
  EXPECT_DOUBLE_EQ(roc[4].fpr, 1.0);
  double t = 0, ba = 0;
  BestThreshold({0.8f, 0.6f}, {0.7f, 0.2f}, &t, &ba);
  EXPECT_FLOAT_EQ(static_cast<float>(t), 0.8f);  // first of the two 0.75 maxima
  EXPECT_DOUBLE_EQ(ba, 0.75);
}

struct Cmd {
  int status;
  std::string out;
};
Cmd RunVww(const test::Scratch& dir, const std::string& args) {
  const std::string cmd =
      std::string(VWW_BINARY) + " " + args + " >" + dir("out.txt") + " 2>" + dir("err.txt");
  const int status = std::system(cmd.c_str());
  return {WEXITSTATUS(status), test::ReadText(dir("out.txt")) + test::ReadText(dir("err.txt"))};
}

// The confusion matrix JSON the reference outputs imply: label = argmax of
// (q_no_person, q_person), "uncertain" when its probability (q + 128) / 256 is
// below 0.6.
std::string ReferenceConfusion(int* n) {
  std::ifstream in(test::DataDir() + "/reference/images.crop.csv");
  std::string line;
  std::getline(in, line);  // header
  int c[2][3] = {};
  *n = 0;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string is_person, file, qn, qp;
    std::getline(ss, is_person, ',');
    std::getline(ss, file, ',');
    std::getline(ss, qn, ',');
    std::getline(ss, qp, ',');
    const int q[2] = {std::stoi(qn), std::stoi(qp)};
    const int top = q[1] > q[0] ? 1 : 0;
    const int predicted = (q[top] + 128) / 256.0 < 0.6 ? 2 : top;
    ++c[std::stoi(is_person)][predicted];
    ++*n;
  }
  return "\"confusion\":[[" + std::to_string(c[0][0]) + "," + std::to_string(c[0][1]) + "," +
         std::to_string(c[0][2]) + "],[" + std::to_string(c[1][0]) + "," + std::to_string(c[1][1]) +
         "," + std::to_string(c[1][2]) + "]]";
}

TEST(EvalCli, SampleImagesMatchTheReferenceConfusion) {
  test::Scratch dir;
  const std::string data = test::ImagesDir();
  int files = 0;
  for (const char* c : {"person", "no_person"})
    for (const auto& e : fs::directory_iterator(data + "/" + c)) files += e.is_regular_file();
  int reference_rows = 0;
  const std::string confusion = ReferenceConfusion(&reference_rows);
  ASSERT_EQ(reference_rows, files);
  const Cmd r = RunVww(dir, "eval --json " + data);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"n\":" + std::to_string(files) + ","), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(confusion), std::string::npos) << confusion << "\n" << r.out;
  EXPECT_NE(r.out.find("\"auc\":"), std::string::npos);
}

TEST(EvalCli, ReportWritesReadablePictures) {
  test::Scratch dir;
  const Cmd r = RunVww(dir, "eval " + test::ImagesDir() + " --report " + dir("rep"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("accuracy: "), std::string::npos);
  EXPECT_NE(r.out.find("confusion (rows: true"), std::string::npos);
  EXPECT_EQ(cv::imread(dir("rep/roc.png")).size(), cv::Size(960, 480));
  EXPECT_FALSE(cv::imread(dir("rep/misclassified.png")).empty());
  EXPECT_NE(test::ReadText(dir("rep/scores.csv")).find("file,true_label,predicted,p_no person"),
            std::string::npos);
}

TEST(EvalCli, CompareSameModelTwiceGivesTheSameColumns) {
  test::Scratch dir;
  const std::string m = test::ModelPath();
  const Cmd r = RunVww(
      dir, "eval --json --model " + m + " --model " + m + " " + test::ImagesDir());
  ASSERT_EQ(r.status, 0) << r.out;
  std::stringstream ss(r.out);
  std::string a, b;
  std::getline(ss, a);
  std::getline(ss, b);
  // Identical but for the latency figures.
  const auto strip = [](std::string s) { return s.substr(0, s.find(",\"dsp_p99_ms\"")); };
  EXPECT_EQ(strip(a), strip(b));
  EXPECT_NE(a.find("\"accuracy\":"), std::string::npos);
}

TEST(EvalCli, BadInputIsOneLine) {
  test::Scratch dir;
  Cmd r = RunVww(dir, "eval /nonexistent");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "error: /nonexistent: no such folder or CSV file\n");
  std::ofstream(dir("l.csv")) << "file,label\nx.png,cat\n";
  r = RunVww(dir, "eval " + dir("l.csv"));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("is not a class of the model"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vww
