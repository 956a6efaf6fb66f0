// vww eval: the metrics against hand computations, and the command against
// the reference outputs of the sample images.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
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

using test::RunVww;

// The confusion matrix the reference outputs imply: label = argmax of
// (q_no_person, q_person), "uncertain" when its probability (q + 128) / 256 is
// below 0.6.
nlohmann::json ReferenceConfusion(int* n) {
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
  return {{c[0][0], c[0][1], c[0][2]}, {c[1][0], c[1][1], c[1][2]}};
}

TEST(EvalCli, SampleImagesMatchTheReferenceConfusion) {
  test::Scratch dir;
  const std::string data = test::ImagesDir();
  int files = 0;
  for (const char* c : {"person", "no_person"})
    for (const auto& e : fs::directory_iterator(data + "/" + c)) files += e.is_regular_file();
  int reference_rows = 0;
  const nlohmann::json confusion = ReferenceConfusion(&reference_rows);
  ASSERT_EQ(reference_rows, files);
  const test::VwwResult r = RunVww("eval --json " + data);
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["n"], files) << r.out;
  EXPECT_EQ(j["confusion"], confusion) << confusion << "\n" << r.out;
  EXPECT_TRUE(j.contains("auc"));
}

TEST(EvalCli, ReportWritesReadablePictures) {
  test::Scratch dir;
  const test::VwwResult r = RunVww("eval " + test::ImagesDir() + " --report " + dir("rep"));
  ASSERT_EQ(r.code, 0) << r.err;
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
  const test::VwwResult r =
      RunVww("eval --json --model " + m + " --model " + m + " " + test::ImagesDir());
  ASSERT_EQ(r.code, 0) << r.err;
  std::stringstream ss(r.out);
  std::string line_a, line_b;
  std::getline(ss, line_a);
  std::getline(ss, line_b);
  // Identical but for the latency figures (the fields from dsp_p99_ms on).
  const auto strip = [](nlohmann::ordered_json j) {
    const auto at = j.find("dsp_p99_ms");
    nlohmann::ordered_json kept = nlohmann::ordered_json::object();
    for (auto it = j.begin(); it != at; ++it) kept[it.key()] = it.value();
    return kept;
  };
  const auto oa = nlohmann::ordered_json::parse(line_a), ob = nlohmann::ordered_json::parse(line_b);
  EXPECT_EQ(strip(oa), strip(ob));
  EXPECT_TRUE(oa.contains("accuracy"));
}

TEST(EvalCli, BadInputIsOneLine) {
  test::Scratch dir;
  test::VwwResult r = RunVww("eval /nonexistent");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out + r.err, "error: /nonexistent: no such folder or CSV file\n");
  std::ofstream(dir("l.csv")) << "file,label\nx.png,cat\n";
  r = RunVww("eval " + dir("l.csv"));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("is not a class of the model"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vww
