// The classroom features end to end: `vww run --board` (classified frames
// spaced at the board's estimated latency in stream time, the wake state
// moving only on them), `vww boards` / `vww info` estimates, `vww run
// --explain` (top patch per frame in the log), `vww classify --explain`, the
// eval report's contact sheet, and the overlay's heat map and board panel.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "ui/eval_report.h"
#include "ui/heatmap.h"
#include "ui/overlay.h"
#include "ui/window.h"

namespace vww {
namespace {

using test::RunVww;
using test::Scratch;

// The Pico's estimate for the gray person detector, by hand from its
// assets/boards.csv row: 14.4 cycles/MAC x 7,157,888 MACs / 125 MHz.
constexpr double kPicoMs = 14.4 * 7157888 / 125000.0;  // 824.589 ms

struct CsvLog {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  int column(const std::string& name) const {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
};

CsvLog ReadCsv(const std::string& path) {
  CsvLog log;
  std::istringstream in(test::ReadText(path));
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string item;
    while (std::getline(ss, item, ',')) f.push_back(item);
    if (!line.empty() && line.back() == ',') f.emplace_back();
    if (first)
      log.header = f;
    else
      log.rows.push_back(f);
    first = false;
  }
  return log;
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(BoardRun, ClassifiedFramesAreSpacedAtTheBoardsLatencyInStreamTime) {
  Scratch dir;
  // The sample video is 10 fps: frames every 100 ms of stream time.
  const auto r = RunVww("run --headless --frames 60 --board pico-cmsis-nn --source " +
                        test::VideoPath("vtest_person.avi") + " --log " + dir("log.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  const CsvLog log = ReadCsv(dir("log.csv"));
  ASSERT_EQ(log.rows.size(), 60u);
  const int t = log.column("t_ms"), cls = log.column("classified"), p = log.column("p_person"),
            state = log.column("state");
  std::vector<double> classified_t;
  std::string last_p, last_state;
  for (const auto& row : log.rows) {
    ASSERT_TRUE(row[cls] == "0" || row[cls] == "1") << row[cls];
    if (row[cls] == "1") {
      classified_t.push_back(std::stod(row[t]));
    } else {
      // Shown, not classified: the last classified frame's scores and state.
      EXPECT_EQ(row[p], last_p);
      EXPECT_EQ(row[state], last_state);
    }
    last_p = row[p];
    last_state = row[state];
  }
  // A board busy for 824.6 ms takes the next frame after it: 0, 900, 1800 ...
  ASSERT_EQ(classified_t.size(), 7u);  // frames 0, 9, ..., 54 of 0..59
  for (size_t i = 1; i < classified_t.size(); ++i) {
    const double gap = classified_t[i] - classified_t[i - 1];
    EXPECT_GE(gap, kPicoMs);
    EXPECT_LT(gap, kPicoMs + 100.0);  // the first frame after the board is free
  }
  // The Edge Impulse block only for classified frames, each followed by the
  // board's estimate on its own line; the summary names the board.
  EXPECT_EQ(Count(r.out, "Predictions (DSP: "), 7);
  EXPECT_EQ(Count(r.out, "Board pico-cmsis-nn: ~824.59 ms. (estimate)"), 7);
  EXPECT_NE(r.err.find("board: pico-cmsis-nn"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("7 of 60 frames classified, 1.11 decisions/s"), std::string::npos) << r.err;
}

TEST(BoardRun, FastBoardClassifiesEveryFrameAndBadIdsAreUsageErrors) {
  Scratch dir;
  // ESP32-S3 + ESP-NN: 53.98 ms < 100 ms between frames.
  const auto r = RunVww("run --headless --quiet --frames 20 --board esp32s3-esp-nn --source " +
                        test::VideoPath("vtest_person.avi") + " --log " + dir("log.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(test::ReadText(dir("log.jsonl")));
  int rows = 0;
  for (std::string line; std::getline(in, line); ++rows)
    EXPECT_EQ(nlohmann::json::parse(line).at("classified"), 1);
  EXPECT_EQ(rows, 20);

  const auto bad = RunVww("run --headless --frames 1 --board esp99 --source " +
                          test::VideoPath("vtest_person.avi"));
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("unknown board \"esp99\""), std::string::npos) << bad.err;
  EXPECT_EQ(Count(bad.err, "\n"), 1) << bad.err;
}

TEST(BoardsCommand, ListsEveryBoardWithSourceAndInfoAddsEstimates) {
  const auto r = RunVww("boards");
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* id : {"nano33-tflm-ref", "pico-cmsis-nn", "esp32s3-esp-nn", "gap9-ne16",
                         "ndp9120", "ek-ra8d1-cmsis"})
    EXPECT_GE(Count(r.out, id), 2) << id;  // in the table and in the sources
  EXPECT_NE(r.out.find("raspberrypi/pico-tflmicro benchmark_results.txt"), std::string::npos);
  const auto json = RunVww("boards --json");
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(Count(json.out, "\n"), 18);
  const auto first = nlohmann::json::parse(json.out.substr(0, json.out.find('\n')));
  EXPECT_EQ(first.at("id"), "nano33-tflm-ref");
  EXPECT_NEAR(first.at("estimated_ms").get<double>(), 166.0 * 7157888 / 64000.0, 0.001);

  const auto info = RunVww("info");
  ASSERT_EQ(info.code, 0) << info.err;
  EXPECT_NE(info.out.find("estimated latency per board (estimates"), std::string::npos);
  // 166 x 7,157,888 / 64 MHz = 18,565.8 ms; 1.81 x 7,157,888 / 240 MHz = 53.98 ms.
  const auto line = [&info](const std::string& id) {
    const size_t at = info.out.find("\n  " + id + " ");
    return at == std::string::npos ? std::string()
                                   : info.out.substr(at + 1, info.out.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(line("nano33-tflm-ref").find(" 18566 ms  (estimate, measured)"), std::string::npos)
      << info.out;
  EXPECT_NE(line("esp32s3-esp-nn").find(" 54.0 ms  (estimate, measured)"), std::string::npos)
      << info.out;
  EXPECT_NE(line("nano33-cmsis-nn").find("(estimate, derived)"), std::string::npos) << info.out;
  const auto info_json = RunVww("info --json");
  ASSERT_EQ(info_json.code, 0);
  const auto j = nlohmann::json::parse(info_json.out);
  ASSERT_EQ(j.at("board_estimates").size(), 18u);
  EXPECT_EQ(j.at("board_estimates")[0].at("estimate"), true);
}

TEST(ExplainRun, LogsTheTopPatchOfEveryFrameInsideTheCrop) {
  Scratch dir;
  const auto r = RunVww("run --headless --quiet --frames 4 --explain --source " +
                        test::VideoPath("vtest_person.avi") + " --log " + dir("log.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(test::ReadText(dir("log.jsonl")));
  int rows = 0;
  for (std::string line; std::getline(in, line); ++rows) {
    const auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.at("explain").is_object()) << line;
    const auto& e = j.at("explain");
    // 768x576 frame, fit-shortest: the model sees the 576x576 square at x 96,
    // 6 frame pixels per model pixel, so a 16-pixel patch is 96 pixels.
    EXPECT_EQ(e.at("w"), 96);
    EXPECT_EQ(e.at("h"), 96);
    EXPECT_GE(e.at("x").get<int>(), 96);
    EXPECT_LE(e.at("x").get<int>() + 96, 96 + 576);
    EXPECT_EQ(e.at("x").get<int>() % 48, 0);  // stride 8 model pixels = 48
    EXPECT_EQ(e.at("y").get<int>() % 48, 0);
    EXPECT_TRUE(e.at("drop").is_number());
  }
  EXPECT_EQ(rows, 4);
  EXPECT_NE(r.err.find("explain: 4 heat maps (122 inferences each)"), std::string::npos) << r.err;
  // Without --explain the log has no such field.
  ASSERT_EQ(RunVww("run --headless --quiet --frames 1 --source " +
                   test::VideoPath("vtest_person.avi") + " --log " + dir("plain.jsonl"))
                .code,
            0);
  EXPECT_EQ(test::ReadText(dir("plain.jsonl")).find("explain"), std::string::npos);
}

TEST(ClassifyExplain, WritesTheImageWithItsHeatMap) {
  Scratch dir;
  const std::string image = test::ImagesDir() + "/person/astronaut.png";
  const auto r = RunVww("classify --explain " + dir("heat.png") + " " + image);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Predictions (DSP: "), std::string::npos);
  EXPECT_NE(r.out.find("explain: 121 patches of 16 px (stride 8); top patch"), std::string::npos)
      << r.out;
  const cv::Mat in = cv::imread(image, cv::IMREAD_COLOR);
  const cv::Mat out = cv::imread(dir("heat.png"), cv::IMREAD_COLOR);
  ASSERT_FALSE(out.empty());
  ASSERT_GE(std::min(in.rows, in.cols), 480);  // not enlarged
  EXPECT_EQ(out.size(), in.size());
  cv::Mat diff;
  cv::absdiff(in, out, diff);
  EXPECT_GT(cv::countNonZero(diff.reshape(1)), static_cast<int>(in.total() / 20));

  // A 96x96 image is enlarged 5 times (nearest) to be readable.
  const auto small =
      RunVww("classify --explain " + dir("small.png") + " " + test::ImagesDir() + "/person.bmp");
  ASSERT_EQ(small.code, 0) << small.err;
  EXPECT_EQ(cv::imread(dir("small.png")).size(), cv::Size(480, 480));

  EXPECT_EQ(RunVww("classify --explain " + dir("x.png") + " " + image + " " + image).code, 2);
  EXPECT_EQ(RunVww("classify --explain-patch 0 --explain " + dir("x.png") + " " + image).code, 2);
}

TEST(EvalReport, MisclassifiedSheetHasHeatMaps) {
  Scratch dir;
  const auto r = RunVww("eval " + test::ImagesDir() + " --report " + dir("report"));
  ASSERT_EQ(r.code, 0) << r.err;
  const cv::Mat sheet = cv::imread(dir("report/misclassified.png"), cv::IMREAD_COLOR);
  ASSERT_FALSE(sheet.empty());
  // The colour scale's legend under the thumbnails runs from blue to red.
  const cv::Mat legend = sheet(cv::Rect(0, sheet.rows - 44, sheet.cols, 44));
  bool red = false, blue = false;
  for (int y = 0; y < legend.rows; ++y)
    for (int x = 0; x < legend.cols; ++x) {
      const cv::Vec3b p = legend.at<cv::Vec3b>(y, x);
      red = red || (p[2] > 200 && p[1] < 60 && p[0] < 60);
      blue = blue || (p[0] > 200 && p[1] < 60 && p[2] < 60);
    }
  EXPECT_TRUE(red);
  EXPECT_TRUE(blue);
}

TEST(ContactSheet, CaptionsStayInsideTheirTiles) {
  // Two tiles with names and captions far wider than a 160-pixel tile.
  const std::string long_name = std::string(60, 'n') + ".png";
  std::vector<SheetItem> items = {
      {"/nonexistent/" + long_name, "true notperson, got person 0.99 and much more text"},
      {"/nonexistent/b" + long_name, "true notperson, got person 0.98 and much more text"}};
  const cv::Mat sheet = DrawContactSheet(items);
  ASSERT_EQ(sheet.cols, 420);  // at least wide enough for the "no images" note
  // The caption band under the thumbnails: nothing drawn in the last 2 pixel
  // columns of the first tile or the first 2 of the second (before: text ran on).
  const cv::Rect band(0, 160, sheet.cols, 40);
  for (int x : {158, 159, 160, 161}) {
    const cv::Mat column = sheet(cv::Rect(x, band.y, 1, band.height));
    EXPECT_EQ(cv::countNonZero(column.reshape(1) != 255), 0) << "column " << x;
  }
  // Both lines are there: file name (shortened in the middle, extension
  // kept) and the caption.
  const std::string fitted = FitText(long_name, 152, cv::FONT_HERSHEY_SIMPLEX, 0.4);
  EXPECT_NE(fitted.find("..."), std::string::npos);
  EXPECT_EQ(fitted.substr(fitted.size() - 4), ".png");
  int base = 0;
  EXPECT_LE(cv::getTextSize(fitted, cv::FONT_HERSHEY_SIMPLEX, 0.4, 1, &base).width, 152);
  EXPECT_EQ(FitText("short.png", 152, cv::FONT_HERSHEY_SIMPLEX, 0.4), "short.png");
  const cv::Mat line1 = sheet(cv::Rect(0, 160, 150, 20)), line2 = sheet(cv::Rect(0, 180, 150, 20));
  EXPECT_GT(cv::countNonZero(line1.reshape(1) != 255), 0);
  EXPECT_GT(cv::countNonZero(line2.reshape(1) != 255), 0);
}

TEST(OverlayHeat, HeatOverTheInsetAndTheFrameAndTheBoardPanel) {
  const cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(90, 90, 90));
  OverlayState st;
  st.model_image = cv::Mat(96, 96, CV_8UC1, cv::Scalar(90));
  st.crop = {80, 0, 480, 480};
  const cv::Mat plain = DrawOverlay(frame, st);
  // Hot in one 16x16 patch only: model x 48..63, y 64..79.
  st.heat = cv::Mat::zeros(96, 96, CV_32F);
  st.heat(cv::Rect(48, 64, 16, 16)).setTo(0.5f);
  st.heat_model_roi = {0, 0, 96, 96};
  st.heat_frame_rect = st.crop;
  st.heat_scale = 0.5f;
  st.explain_note = "heat map every frame (5.0 ms)";
  st.board_lines = {"board: Raspberry Pi Pico (RP2040)", "~824.59 ms per classification"};
  st.not_classified = true;
  const cv::Mat hot = DrawOverlay(frame, st);
  const OverlayLayout L = ComputeLayout(frame.size(), {96, 96});
  // On the frame: 5 frame pixels per model pixel, so the patch covers x
  // 320..399, y 320..399 (clear of the panels above the plot).
  const cv::Point on_frame(360, 340);
  ASSERT_LT(on_frame.y, L.plot.y);
  EXPECT_EQ(plain.at<cv::Vec3b>(on_frame), cv::Vec3b(90, 90, 90));
  EXPECT_NE(hot.at<cv::Vec3b>(on_frame), plain.at<cv::Vec3b>(on_frame));
  const cv::Point cold_frame(200, 340);
  EXPECT_EQ(hot.at<cv::Vec3b>(cold_frame), plain.at<cv::Vec3b>(cold_frame));
  // On the inset (zoomed L.inset_zoom times): the same patch is hot, the
  // top-left corner is not.
  const int z = L.inset_zoom;
  const cv::Point inset_hot(L.inset.x + 56 * z, L.inset.y + 72 * z);
  const cv::Point inset_cold(L.inset.x + 2, L.inset.y + 2);
  EXPECT_NE(hot.at<cv::Vec3b>(inset_hot), plain.at<cv::Vec3b>(inset_hot));
  EXPECT_EQ(hot.at<cv::Vec3b>(inset_cold), plain.at<cv::Vec3b>(inset_cold));
  // The board panel under the main one.
  const cv::Rect under(L.panel.x, L.panel.br().y + 10, L.panel.width, 40);
  cv::Mat d;
  cv::absdiff(hot(under), plain(under), d);
  EXPECT_GT(cv::countNonZero(d.reshape(1)), 0);
  // The key.
  EXPECT_EQ(KeyToAction('x'), KeyAction::kExplain);
  EXPECT_EQ(KeyToAction('X'), KeyAction::kExplain);
}

}  // namespace
}  // namespace vww
