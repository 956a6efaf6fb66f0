// Tiled search (pipeline/tiles): spec parsing, tile geometry worked out by
// hand, tile pixels against a hand computation, the combination rules on
// hand-made scores, `--tiles 1` equal to the single crop, and the acceptance
// targets of issue 8 on the sample videos (behaviour, not timing).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "pipeline/classifier.h"
#include "pipeline/session.h"
#include "pipeline/dsp/tiles.h"
#include "tests/test_util.h"

namespace vww {
namespace {

const cv::Size kModel(96, 96);

// ---- spec parsing ----

TEST(TileSpec, ParsesTheDocumentedForms) {
  EXPECT_TRUE(ParseTileSpec("1").single());
  EXPECT_EQ(ParseTileSpec("1").str(), "1");

  const TileSpec a = ParseTileSpec("auto");
  ASSERT_EQ(a.levels.size(), 1u);
  EXPECT_EQ(a.levels[0].cols, 4);
  EXPECT_EQ(a.levels[0].rows, 4);
  EXPECT_DOUBLE_EQ(a.levels[0].size, 0.4);
  EXPECT_EQ(a.rule, TileRule::kNeighbour);
  EXPECT_DOUBLE_EQ(a.bias, 1.0);
  EXPECT_EQ(a.str(), "4x4@0.4:neighbour:1");

  const TileSpec b = ParseTileSpec("2x2");  // size defaults to 1 / min(C, R)
  ASSERT_EQ(b.levels.size(), 1u);
  EXPECT_DOUBLE_EQ(b.levels[0].size, 0.5);

  const TileSpec c = ParseTileSpec("3x2@0.5+1x1@1:max:0.25");
  ASSERT_EQ(c.levels.size(), 2u);
  EXPECT_EQ(c.levels[0].cols, 3);
  EXPECT_EQ(c.levels[0].rows, 2);
  EXPECT_DOUBLE_EQ(c.levels[1].size, 1.0);
  EXPECT_EQ(c.rule, TileRule::kMax);
  EXPECT_DOUBLE_EQ(c.bias, 0.25);
  EXPECT_EQ(ParseTileSpec(c.str()).str(), c.str());  // canonical text round-trips
  EXPECT_EQ(ParseTileSpec("2x2:top2").rule, TileRule::kTop2);
  EXPECT_EQ(ParseTileSpec("2x2:confirmed").rule, TileRule::kConfirmed);
}

TEST(TileSpec, BadSpecsAreOneLineErrors) {
  for (const char* bad : {"", "0", "2", "0x2", "2x", "2x2@0", "2x2@1.5", "2x2@", "2x2@0.5x",
                          "2x2:foo", "2x2:max:-1", "2x2:max:x", ":max", "2x2+", "65x1"}) {
    try {
      ParseTileSpec(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("--tiles"), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
}

// ---- geometry ----

TEST(TileGeometry, SpreadPositionsByHand) {
  EXPECT_EQ(SpreadPositions(256, 96, 3), (std::vector<int>{0, 80, 160}));
  EXPECT_EQ(SpreadPositions(192, 96, 2), (std::vector<int>{0, 96}));
  // 331 / 4 = 82.75, 165.5, 248.25: rounded half up.
  EXPECT_EQ(SpreadPositions(427, 96, 5), (std::vector<int>{0, 83, 166, 248, 331}));
  EXPECT_EQ(SpreadPositions(96, 96, 1), (std::vector<int>{0}));
}

// Every pixel of the frame lies in at least one tile of every level, every
// tile lies inside the frame, and neighbours in a grid overlap or touch.
void ExpectLevelsCoverTheFrame(const TileLayout& layout) {
  const cv::Size f = layout.frame;
  for (size_t l = 0; l < layout.levels.size(); ++l) {
    cv::Mat covered(f, CV_8U, cv::Scalar(0));
    for (const Tile& t : layout.tiles) {
      if (t.level != static_cast<int>(l)) continue;
      EXPECT_EQ((t.frame_rect & cv::Rect(0, 0, f.width, f.height)), t.frame_rect);
      EXPECT_EQ(t.roi.size(), kModel);
      EXPECT_LE(t.roi.x + t.roi.width, layout.levels[l].resized.width);
      EXPECT_LE(t.roi.y + t.roi.height, layout.levels[l].resized.height);
      covered(t.frame_rect).setTo(1);
    }
    EXPECT_EQ(cv::countNonZero(covered), f.area()) << "level " << l << " of " << f;
  }
}

TEST(TileGeometry, VgaTwoByTwoByHand) {
  // 640x480, tiles of half the short side (240 px): scale 96/240 = 0.4, the
  // frame resized to 256x192; 256/96 needs 3 columns, 192/96 2 rows.
  const TileLayout t =
      ComputeTileLayout(ParseTileSpec("2x2@0.5"), {640, 480}, kModel, CropMode::kFitShortest);
  ASSERT_EQ(t.levels.size(), 1u);
  EXPECT_EQ(t.levels[0].resized, cv::Size(256, 192));
  EXPECT_EQ(t.levels[0].cols, 3);
  EXPECT_EQ(t.levels[0].rows, 2);
  ASSERT_EQ(t.tiles.size(), 7u);
  EXPECT_EQ(t.tiles[0].level, -1);
  EXPECT_EQ(t.tiles[0].frame_rect, cv::Rect(80, 0, 480, 480));  // the centre crop
  // Resized x 0, 80, 160 -> frame x 0, 200, 400 (x 2.5); 240 px wide.
  const std::vector<cv::Rect> want = {{0, 0, 240, 240},     {200, 0, 240, 240},
                                      {400, 0, 240, 240},   {0, 240, 240, 240},
                                      {200, 240, 240, 240}, {400, 240, 240, 240}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(t.tiles[i + 1].frame_rect, want[i]) << "tile " << i + 1;
    EXPECT_EQ(t.tiles[i + 1].col, static_cast<int>(i % 3));
    EXPECT_EQ(t.tiles[i + 1].row, static_cast<int>(i / 3));
  }
  EXPECT_EQ(t.tiles[2].roi, cv::Rect(80, 0, 96, 96));
  // Columns overlap by 40 px.
  EXPECT_EQ((t.tiles[1].frame_rect & t.tiles[2].frame_rect).width, 40);
  ExpectLevelsCoverTheFrame(t);
}

TEST(TileGeometry, HdAutoByHand) {
  // 1280x720 with auto (4x4@0.4): tiles of 288 px, scale 1/3, resized
  // 427x240 (426.67 rounded); 5 columns are needed, 4 rows asked.
  const TileLayout t =
      ComputeTileLayout(ParseTileSpec("auto"), {1280, 720}, kModel, CropMode::kFitShortest);
  ASSERT_EQ(t.levels.size(), 1u);
  EXPECT_EQ(t.levels[0].resized, cv::Size(427, 240));
  EXPECT_EQ(t.levels[0].cols, 5);
  EXPECT_EQ(t.levels[0].rows, 4);
  ASSERT_EQ(t.tiles.size(), 21u);
  EXPECT_EQ(t.tiles[0].frame_rect, cv::Rect(280, 0, 720, 720));
  // Column 1, row 0: resized x 83..179 -> frame floor(83 * 1280 / 427) = 248
  // to ceil(179 * 1280 / 427) = 537; rows 0..96 -> 0..288.
  EXPECT_EQ(t.tiles[2].roi, cv::Rect(83, 0, 96, 96));
  EXPECT_EQ(t.tiles[2].frame_rect, cv::Rect(248, 0, 289, 288));
  // The last tile touches the bottom-right corner.
  EXPECT_EQ(t.tiles[20].frame_rect.br(), cv::Point(1280, 720));
  // Rows: resized 0, 48, 96, 144 -> frame 0, 144, 288, 432: 50% overlap.
  EXPECT_EQ(t.tiles[6].frame_rect.y, 144);
  EXPECT_EQ((t.tiles[1].frame_rect & t.tiles[6].frame_rect).height, 144);
  ExpectLevelsCoverTheFrame(t);
}

TEST(TileGeometry, PortraitFrameByHand) {
  // 480x640: the short side is the width; 2 columns, 3 rows of 240 px.
  const TileLayout t =
      ComputeTileLayout(ParseTileSpec("2x2@0.5"), {480, 640}, kModel, CropMode::kFitShortest);
  EXPECT_EQ(t.levels[0].resized, cv::Size(192, 256));
  EXPECT_EQ(t.levels[0].cols, 2);
  EXPECT_EQ(t.levels[0].rows, 3);
  ASSERT_EQ(t.tiles.size(), 7u);
  EXPECT_EQ(t.tiles[0].frame_rect, cv::Rect(0, 80, 480, 480));
  const std::vector<cv::Rect> want = {{0, 0, 240, 240},   {240, 0, 240, 240},
                                      {0, 200, 240, 240}, {240, 200, 240, 240},
                                      {0, 400, 240, 240}, {240, 400, 240, 240}};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(t.tiles[i + 1].frame_rect, want[i]);
  ExpectLevelsCoverTheFrame(t);
}

TEST(TileGeometry, EveryLevelCoversOddFrames) {
  for (const cv::Size f :
       {cv::Size(640, 480), cv::Size(1280, 720), cv::Size(720, 405), cv::Size(768, 576),
        cv::Size(480, 640), cv::Size(97, 301), cv::Size(96, 96), cv::Size(50, 40)}) {
    for (const char* spec : {"auto", "2x2", "3x2@0.5", "1x1@1", "3x3@0.33+2x2@0.7", "5x5@0.2"}) {
      const TileLayout t =
          ComputeTileLayout(ParseTileSpec(spec), f, kModel, CropMode::kFitShortest);
      SCOPED_TRACE(std::string(spec));
      ExpectLevelsCoverTheFrame(t);
    }
  }
}

TEST(TileGeometry, FullViewFollowsTheCropMode) {
  const TileLayout t =
      ComputeTileLayout(ParseTileSpec("2x2"), {640, 480}, kModel, CropMode::kSquash);
  EXPECT_EQ(t.tiles[0].frame_rect, cv::Rect(0, 0, 640, 480));
}

// ---- tile pixels ----

TEST(TileDsp, TilesAreCutFromTheOnceResizedFrame) {
  // A 384x288 gray frame (stored as BGR with equal channels, so the gray
  // conversion is exact) whose 2x2 blocks average to a whole number:
  // base(bx, by) plus offsets -2, 0, 0, +2 within the block.
  cv::Mat frame(288, 384, CV_8UC3);
  auto base = [](int bx, int by) { return (bx * 7 + by * 13) % 250 + 2; };
  for (int y = 0; y < frame.rows; ++y)
    for (int x = 0; x < frame.cols; ++x) {
      const int v = base(x / 2, y / 2) + (x % 2) * 2 + (y % 2) * 2 - 2;
      frame.at<cv::Vec3b>(y, x) = cv::Vec3b(v, v, v);
    }
  // Tiles of 192 px (2/3 of 288): scale exactly 1/2, resized 192x144, a 2x2
  // grid at resized (0, 0), (96, 0), (0, 48), (96, 48).
  const TileSpec spec = ParseTileSpec("2x2@0.6666667");
  InputSpec in;  // 96x96x1 int8
  Dsp full(in, CropMode::kFitShortest);
  TileDsp dsp(&full, spec);
  dsp.Run(frame);
  ASSERT_EQ(dsp.tile_count(), 5);
  EXPECT_EQ(dsp.layout().levels[0].resized, cv::Size(192, 144));
  const std::vector<cv::Point> origin = {{0, 0}, {96, 0}, {0, 48}, {96, 48}};
  for (int t = 1; t <= 4; ++t) {
    EXPECT_EQ(dsp.layout().tiles[t].roi.tl(), origin[t - 1]);
    EXPECT_EQ(dsp.layout().tiles[t].frame_rect,
              cv::Rect(origin[t - 1].x * 2, origin[t - 1].y * 2, 192, 192));
    const int8_t* input = reinterpret_cast<const int8_t*>(dsp.input(t));
    const cv::Mat image = dsp.tile_image(t);
    int mismatches = 0;
    for (int y = 0; y < 96; ++y)
      for (int x = 0; x < 96; ++x) {
        const int want = base(origin[t - 1].x + x, origin[t - 1].y + y);
        mismatches += input[y * 96 + x] != want - 128;
        mismatches += image.at<uint8_t>(y, x) != want;
      }
    EXPECT_EQ(mismatches, 0) << "tile " << t;
  }
  // Tile 0 is the plain single-crop DSP, byte for byte.
  std::vector<int8_t> single(in.bytes());
  Dsp plain(in, CropMode::kFitShortest);
  plain.Run(frame, single.data());
  EXPECT_EQ(std::memcmp(single.data(), dsp.input(0), in.bytes()), 0);
}

// ---- combination rules ----

double Combine(TileCombiner& c, const std::vector<float>& s, int* winner) {
  return c.Combine(s, winner);
}

TEST(TileCombiner, MaxAndTheFullViewFloor) {
  TileCombiner max(TileRule::kMax, 0);
  int w = -1;
  EXPECT_NEAR(Combine(max, {0.2f, 0.5f, 0.9f, 0.1f}, &w), 0.9, 1e-6);
  EXPECT_EQ(w, 2);
  // The full view's own score is never lowered: tiles only add evidence.
  EXPECT_NEAR(Combine(max, {0.7f, 0.3f, 0.2f}, &w), 0.7, 1e-6);
  EXPECT_EQ(w, 0);
  EXPECT_NEAR(Combine(max, {0.4f}, &w), 0.4, 1e-6);
  EXPECT_EQ(w, 0);
}

TEST(TileCombiner, BiasIsALogitShiftOfTheTilesOnly) {
  // bias ln 4: odds / 4, so a tile's 0.8 (odds 4) becomes 0.5 (odds 1).
  TileCombiner c(TileRule::kMax, std::log(4.0));
  int w = -1;
  EXPECT_NEAR(Combine(c, {0.1f, 0.8f}, &w), 0.5, 1e-6);
  EXPECT_EQ(w, 1);
  EXPECT_NEAR(Combine(c, {0.6f, 0.8f}, &w), 0.6, 1e-6);  // the full view is not biased
  EXPECT_EQ(w, 0);
  EXPECT_NEAR(Combine(c, {0.0f, 1.0f}, &w), 1.0, 1e-6);  // the ends stay put
  EXPECT_NEAR(Combine(c, {0.0f, 0.0f}, &w), 0.0, 1e-6);
}

TileLayout HandLayout() {
  // Tile 0 (the full view) apart from the rest; 1 overlaps 2, 2 overlaps 3.
  TileLayout l;
  l.frame = {300, 300};
  for (const cv::Rect r : {cv::Rect(200, 200, 10, 10), cv::Rect(0, 0, 50, 50),
                           cv::Rect(40, 0, 50, 50), cv::Rect(85, 0, 50, 50)}) {
    Tile t;
    t.frame_rect = r;
    l.tiles.push_back(t);
  }
  return l;
}

TEST(TileCombiner, NeighbourNeedsAnOverlappingTileToAgree) {
  TileCombiner c(TileRule::kNeighbour, 0);
  c.Prepare(HandLayout());
  int w = -1;
  // 1: min(0.9, 0.3); 2: min(0.3, 0.9); 3: min(0.8, 0.3) -> 0.3 (first best).
  EXPECT_NEAR(Combine(c, {0.1f, 0.9f, 0.3f, 0.8f}, &w), 0.3, 1e-6);
  EXPECT_EQ(w, 1);
  // 1: min(0.9, 0.7) = 0.7; 2: min(0.7, 0.9); 3: min(0.2, 0.7).
  EXPECT_NEAR(Combine(c, {0.1f, 0.9f, 0.7f, 0.2f}, &w), 0.7, 1e-6);
  EXPECT_EQ(w, 1);
  // A lone strong tile (3) is held to its neighbour 2.
  EXPECT_NEAR(Combine(c, {0.1f, 0.0f, 0.2f, 0.95f}, &w), 0.2, 1e-6);
}

TEST(TileCombiner, ConfirmedNeedsThePreviousFrameToAgree) {
  TileCombiner c(TileRule::kConfirmed, 0);
  c.Prepare(HandLayout());
  int w = -1;
  EXPECT_NEAR(Combine(c, {0.1f, 0.9f, 0.2f, 0.0f}, &w), 0.9, 1e-6);  // nothing to confirm yet
  EXPECT_EQ(w, 1);
  // 1: min(0.3, 0.9); 2: min(0.8, 0.2).
  EXPECT_NEAR(Combine(c, {0.1f, 0.3f, 0.8f, 0.0f}, &w), 0.3, 1e-6);
  EXPECT_EQ(w, 1);
  // 2: min(0.85, 0.8).
  EXPECT_NEAR(Combine(c, {0.1f, 0.3f, 0.85f, 0.0f}, &w), 0.8, 1e-6);
  EXPECT_EQ(w, 2);
  c.Reset();
  EXPECT_NEAR(Combine(c, {0.1f, 0.2f, 0.6f, 0.0f}, &w), 0.6, 1e-6);
}

TEST(TileCombiner, Top2NeedsTwoTiles) {
  TileCombiner c(TileRule::kTop2, 0);
  int w = -1;
  EXPECT_NEAR(Combine(c, {0.1f, 0.9f, 0.7f, 0.2f}, &w), 0.7, 1e-6);
  EXPECT_EQ(w, 2);
  EXPECT_NEAR(Combine(c, {0.8f, 0.9f, 0.1f}, &w), 0.8, 1e-6);  // the full view is the second
  EXPECT_EQ(w, 0);
  EXPECT_NEAR(Combine(c, {0.1f, 0.95f, 0.2f}, &w), 0.2, 1e-6);
  EXPECT_EQ(w, 2);
}

// ---- the classifier ----

std::vector<cv::Mat> SampleImages() {
  std::vector<cv::Mat> images;
  for (const char* name :
       {"person.bmp", "no_person.bmp", "no_person/chelsea.png", "no_person/building.jpg"})
    images.push_back(cv::imread(test::ImagesDir() + "/" + name, cv::IMREAD_COLOR));
  return images;
}

TEST(TiledClassifier, TilesOneIsTheSingleCrop) {
  ClassifierOptions plain;
  plain.backend = Backend::kReference;
  ClassifierOptions one = plain;
  one.tiles = ParseTileSpec("1");
  Classifier a(plain), b(one);
  for (const cv::Mat& image : SampleImages()) {
    ASSERT_FALSE(image.empty());
    const Classification ca = a.Classify(image);
    const Classification& cb = b.Classify(image);
    EXPECT_EQ(ca.scores, cb.scores);
    EXPECT_EQ(ca.scores_q, cb.scores_q);
    EXPECT_EQ(cb.tile, 0);
    EXPECT_EQ(cb.tile_rect, Dsp::CropRect(image.size(), CropMode::kFitShortest, kModel));
    ASSERT_EQ(cb.tile_scores.size(), 1u);
    EXPECT_EQ(cb.tile_scores[0], cb.scores[b.person_index()]);
  }
}

TEST(TiledClassifier, FullViewTileScoresLikeTheSingleCrop) {
  ClassifierOptions plain;
  plain.backend = Backend::kReference;
  ClassifierOptions tiled = plain;
  tiled.tiles = ParseTileSpec("2x2:max:0");
  Classifier a(plain), b(tiled);
  for (const cv::Mat& image : SampleImages()) {
    const Classification single = a.Classify(image);
    b.Reset();
    const Classification& t = b.Classify(image);
    const int person = b.person_index();
    ASSERT_EQ(t.tile_scores.size(), b.tile_layout().tiles.size());
    EXPECT_GT(t.tile_scores.size(), 1u);
    EXPECT_EQ(t.tile_scores[0], single.scores[person]);
    // max with no bias: the combined score is the best tile, and the winner's.
    float best = 0;
    for (float s : t.tile_scores) best = std::max(best, s);
    EXPECT_EQ(t.scores[person], best);
    EXPECT_EQ(t.tile_scores[t.tile], best);
    EXPECT_EQ(t.tile_rect, b.tile_layout().tiles[t.tile].frame_rect);
    EXPECT_EQ(b.model_image().size(), kModel);
    EXPECT_NEAR(t.scores[0] + t.scores[1], 1.0, 1e-5);
  }
}

TEST(TiledClassifier, NoPersonClassIsAnError) {
  // The bundled model with labels that have no "person".
  const std::string dir = ::testing::TempDir() + "vww_tiles_labels_" + std::to_string(getpid());
  const std::string labels = dir + ".txt";
  {
    std::ofstream out(labels);
    out << "cat\ndog\n";
  }
  ClassifierOptions o;
  o.labels_path = labels;
  o.tiles = ParseTileSpec("2x2");
  EXPECT_THROW(Classifier c(o), Error);
  std::remove(labels.c_str());
}

// ---- the command line ----

// stdout and stderr both into *out.
using test::RunVww;

TEST(TilesCli, RunLogsTheWinningTile) {
  const std::string log =
      ::testing::TempDir() + "vww_tiles_log_" + std::to_string(getpid()) + ".csv";
  std::string out;
  ASSERT_EQ(RunVww("run --headless --quiet --frames 3 --tiles auto --source " + test::AssetsDir() +
                       "/vtest_person.avi --log " + log,
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("tiles: 4x4@0.4:neighbour:1, 17 per frame"), std::string::npos) << out;
  std::ifstream in(log);
  std::string header, row;
  std::getline(in, header);
  EXPECT_EQ(header.substr(header.rfind(',') + 1), "tile");
  int rows = 0;
  while (std::getline(in, row)) {
    ++rows;
    // "INDEX:WxH+X+Y" with a tile of this 768x576 layout.
    int index = -1, w = 0, h = 0, x = -1, y = -1;
    const std::string tile = row.substr(row.rfind(',') + 1);
    ASSERT_EQ(std::sscanf(tile.c_str(), "%d:%dx%d+%d+%d", &index, &w, &h, &x, &y), 5) << tile;
    EXPECT_GE(index, 0);
    EXPECT_LT(index, 17);
    EXPECT_LE(x + w, 768);
    EXPECT_LE(y + h, 576);
  }
  EXPECT_EQ(rows, 3);
  std::remove(log.c_str());
}

TEST(TilesCli, ClassifyPrintsTheWinningTile) {
  std::string out;
  ASSERT_EQ(RunVww("classify --tiles 2x2 " + test::ImagesDir() + "/person.bmp", &out), 0) << out;
  EXPECT_NE(out.find("tile: "), std::string::npos) << out;
  EXPECT_NE(out.find(" of 5, "), std::string::npos) << out;  // 96x96: full view + 2x2
  std::string err;
  ASSERT_EQ(RunVww("classify --json --tiles 2x2 " + test::ImagesDir() + "/person.bmp", &out, &err),
            0)
      << err;
  // "tiles": 5, then "tile": {"index": ...}.
  const auto j = nlohmann::ordered_json::parse(out);
  EXPECT_EQ(j.at("tiles"), 5) << out;
  auto at = j.find("tiles");
  ASSERT_NE(++at, j.end()) << out;
  EXPECT_EQ(at.key(), "tile") << out;
  ASSERT_TRUE(at->is_object() && !at->empty()) << out;
  EXPECT_EQ(at->begin().key(), "index") << out;
}

TEST(TilesCli, BadSpecIsAUsageError) {
  std::string out;
  EXPECT_EQ(RunVww("run --headless --tiles 2x2:nope --frames 1", &out), 2);
  EXPECT_EQ(out.rfind("error: invalid --tiles '2x2:nope'", 0), 0u) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(RunVww("classify --tiles 0x0 " + test::ImagesDir() + "/person.bmp", &out), 2);
  EXPECT_EQ(out.rfind("error: invalid --tiles '0x0'", 0), 0u) << out;
  EXPECT_EQ(RunVww("run --headless --tiles auto --threads 99 --frames 1", &out), 2);
  EXPECT_EQ(out, "error: --threads must be between 0 (auto) and 16\n");
  EXPECT_EQ(RunVww("classify --tiles auto --threads -1 " + test::ImagesDir() + "/person.bmp", &out),
            2);
  EXPECT_EQ(out, "error: --threads must be between 0 (auto) and 16\n");
}

TEST(TilesCli, RunSummaryNamesTheThreads) {
  std::string out;
  ASSERT_EQ(RunVww("run --headless --quiet --frames 2 --tiles auto --threads 1 --source " +
                       test::AssetsDir() + "/vtest_person.avi",
                   &out),
            0)
      << out;
  EXPECT_NE(out.find("tiles: 4x4@0.4:neighbour:1, 17 per frame on 1 thread ("), std::string::npos)
      << out;
}

// ---- acceptance (issue 8) on the sample videos, default tiling ----

struct VideoStats {
  int frames = 0, above = 0, wakes = 0, awake_after_first = 0, after_first = 0;
  double max_smoothed = 0;
  int tiles = 0;
};

VideoStats RunVideo(const std::string& path, const std::string& tiles) {
  SourceOptions so;
  so.source = path;
  ClassifierOptions co;
  co.tiles = ParseTileSpec(tiles);
  Session session(OpenSource(so), std::make_unique<Classifier>(co), DecisionOptions());
  VideoStats s;
  bool woke = false;
  session.Run([&](const FrameResult& r) {
    ++s.frames;
    s.above += r.person_score >= 0.6;
    s.max_smoothed = std::max(s.max_smoothed, r.smoothed);
    if (r.event && r.event->type == WakeEventType::kWake) {
      ++s.wakes;
      woke = true;
    }
    if (woke) {
      ++s.after_first;
      s.awake_after_first += r.awake;
    }
    s.tiles = static_cast<int>(r.classification.tile_scores.size());
    return true;
  });
  return s;
}

TEST(TilesAcceptance, PersonVideoWithTheDefaultTiling) {
  const VideoStats s = RunVideo(test::AssetsDir() + "/vtest_person.avi", "auto");
  ASSERT_EQ(s.frames, 795);
  EXPECT_EQ(s.tiles, 17);  // 768x576
  EXPECT_GE(s.above, 0.6 * s.frames) << s.above << " of " << s.frames << " frames >= 0.6";
  ASSERT_GT(s.after_first, 0);
  EXPECT_GE(s.awake_after_first, 0.7 * s.after_first)
      << s.awake_after_first << " of " << s.after_first;
}

TEST(TilesAcceptance, NoPersonVideoNeverWakes) {
  const VideoStats s = RunVideo(test::DataDir() + "/city_no_person.mpg", "auto");
  ASSERT_EQ(s.frames, 190);
  EXPECT_EQ(s.tiles, 21);  // 720x405
  EXPECT_EQ(s.wakes, 0);
  EXPECT_LT(s.max_smoothed, 0.6);
}

TEST(TilesAcceptance, NoPersonImagesKeepTheirLabelAsOftenAsTheSingleCrop) {
  auto no_person_labels = [](const std::string& tiles) {
    ClassifierOptions o;
    o.tiles = ParseTileSpec(tiles);
    Classifier c(o);
    int kept = 0;
    for (const char* name :
         {"building.jpg", "chelsea.png", "coffee.png", "fruits.jpg", "rocket.jpg"}) {
      const cv::Mat image = cv::imread(test::ImagesDir() + "/no_person/" + name, cv::IMREAD_COLOR);
      c.Reset();
      const Classification& r = c.Classify(image);
      kept +=
          LabelName(DecideLabel(r.scores, DecisionOptions().threshold), c.labels()) == "no person";
    }
    return kept;
  };
  const int single = no_person_labels("1");
  EXPECT_EQ(single, 4);  // rocket.jpg is a "person" to the single crop already
  EXPECT_GE(no_person_labels("auto"), single);
}

}  // namespace
}  // namespace vww
