#include "pipeline/dsp/tiles.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "model/model.h"

namespace vww {

const char* const kAutoTiles = "4x4@0.4:neighbour:1";

const char* TileRuleName(TileRule rule) {
  switch (rule) {
    case TileRule::kMax:
      return "max";
    case TileRule::kConfirmed:
      return "confirmed";
    case TileRule::kNeighbour:
      return "neighbour";
    case TileRule::kTop2:
      return "top2";
  }
  return "?";
}

namespace {

TileRule ParseRule(const std::string& name, const std::string& text) {
  for (TileRule r : {TileRule::kMax, TileRule::kConfirmed, TileRule::kNeighbour, TileRule::kTop2})
    if (name == TileRuleName(r)) return r;
  if (name == "neighbor") return TileRule::kNeighbour;
  throw Error("invalid --tiles '" + text + "': unknown rule '" + name +
              "' (max, confirmed, neighbour or top2)");
}

TileLevel ParseLevel(const std::string& s, const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return Error("invalid --tiles '" + text + "': " + why +
                 " (want 1, auto, or levels like 2x2, 3x2@0.5, 2x2+3x3@0.4, optionally :RULE)");
  };
  TileLevel level;
  char x = 0;
  int used = 0;
  if (std::sscanf(s.c_str(), "%d%c%d%n", &level.cols, &x, &level.rows, &used) != 3 ||
      (x != 'x' && x != 'X'))
    throw bad("'" + s + "' is not CxR[@S]");
  if (level.cols < 1 || level.rows < 1 || level.cols > 64 || level.rows > 64)
    throw bad("grid counts must be 1..64");
  level.size = 1.0 / std::min(level.cols, level.rows);
  const std::string rest = s.substr(static_cast<size_t>(used));
  if (!rest.empty()) {
    double size = 0;
    int n = 0;
    if (rest[0] != '@' || std::sscanf(rest.c_str() + 1, "%lf%n", &size, &n) != 1 ||
        static_cast<size_t>(n) + 1 != rest.size())
      throw bad("'" + s + "' is not CxR[@S]");
    if (!(size > 0 && size <= 1)) throw bad("tile size S must be in (0, 1]");
    level.size = size;
  }
  return level;
}

int RoundToInt(double v) { return static_cast<int>(std::lround(v)); }

// Integer floor / ceil of a * b / c for non-negative values.
int MulDivFloor(int a, int b, int c) { return static_cast<int>(static_cast<int64_t>(a) * b / c); }
int MulDivCeil(int a, int b, int c) {
  return static_cast<int>((static_cast<int64_t>(a) * b + c - 1) / c);
}

}  // namespace

std::string TileSpec::str() const {
  if (single()) return "1";
  std::string s;
  for (const TileLevel& l : levels) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%dx%d@%g", s.empty() ? "" : "+", l.cols, l.rows, l.size);
    s += buf;
  }
  char bias_text[32];
  std::snprintf(bias_text, sizeof(bias_text), ":%g", bias);
  return s + ":" + TileRuleName(rule) + bias_text;
}

TileSpec ParseTileSpec(const std::string& text) {
  std::string s = text == "auto" ? std::string(kAutoTiles) : text;
  TileSpec spec;
  if (s == "1") return spec;
  const size_t colon = s.find(':');
  if (colon != std::string::npos) {
    std::string rule = s.substr(colon + 1);
    const size_t colon2 = rule.find(':');
    if (colon2 != std::string::npos) {
      const std::string bias = rule.substr(colon2 + 1);
      int n = 0;
      if (std::sscanf(bias.c_str(), "%lf%n", &spec.bias, &n) != 1 ||
          static_cast<size_t>(n) != bias.size() || !(spec.bias >= 0 && spec.bias <= 20))
        throw Error("invalid --tiles '" + text + "': bias must be a number in [0, 20]");
      rule = rule.substr(0, colon2);
    }
    spec.rule = ParseRule(rule, text);
    s = s.substr(0, colon);
  }
  if (s.empty()) throw Error("invalid --tiles '" + text + "': no levels");
  size_t start = 0;
  for (;;) {
    const size_t plus = s.find('+', start);
    spec.levels.push_back(ParseLevel(s.substr(start, plus - start), text));
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  if (spec.levels.size() > 8) throw Error("invalid --tiles '" + text + "': at most 8 levels");
  return spec;
}

std::vector<int> SpreadPositions(int length, int side, int count) {
  std::vector<int> pos(static_cast<size_t>(std::max(count, 1)), 0);
  const int span = std::max(length - side, 0);
  if (count <= 1) {
    pos[0] = span / 2;
    return pos;
  }
  // Round half up: i * span / (count - 1) in integers.
  for (int i = 0; i < count; ++i)
    pos[i] = static_cast<int>((2LL * i * span + (count - 1)) / (2LL * (count - 1)));
  return pos;
}

TileLayout ComputeTileLayout(const TileSpec& spec, cv::Size frame, cv::Size model, CropMode crop) {
  if (frame.width <= 0 || frame.height <= 0) throw Error("tiles: empty frame");
  TileLayout layout;
  layout.frame = frame;
  Tile full;
  full.frame_rect = Dsp::CropRect(frame, crop, model);
  layout.tiles.push_back(full);

  const int frame_short = std::min(frame.width, frame.height);
  const int model_short = std::min(model.width, model.height);
  for (size_t l = 0; l < spec.levels.size(); ++l) {
    const TileLevel& want = spec.levels[l];
    // Scale so that a tile of `size` x the frame's short side becomes the
    // model's short side.
    const double f = model_short / (want.size * frame_short);
    TileLevelGeometry g;
    g.resized.width = std::max(model.width, RoundToInt(frame.width * f));
    g.resized.height = std::max(model.height, RoundToInt(frame.height * f));
    // Enough tiles to cover, never two at the same position.
    auto count = [](int asked, int length, int side) {
      const int cover = (length + side - 1) / side;
      return std::min(std::max(asked, cover), length - side + 1);
    };
    g.cols = count(want.cols, g.resized.width, model.width);
    g.rows = count(want.rows, g.resized.height, model.height);
    const std::vector<int> xs = SpreadPositions(g.resized.width, model.width, g.cols);
    const std::vector<int> ys = SpreadPositions(g.resized.height, model.height, g.rows);
    for (int r = 0; r < g.rows; ++r) {
      for (int c = 0; c < g.cols; ++c) {
        Tile t;
        t.level = static_cast<int>(l);
        t.col = c;
        t.row = r;
        t.roi = cv::Rect(xs[c], ys[r], model.width, model.height);
        // Back to frame pixels: every frame pixel that contributes to the
        // tile's resized pixels (area interpolation maps resized pixel x to
        // [x, x + 1) * frame / resized).
        const int x0 = MulDivFloor(t.roi.x, frame.width, g.resized.width);
        const int y0 = MulDivFloor(t.roi.y, frame.height, g.resized.height);
        const int x1 = MulDivCeil(t.roi.x + t.roi.width, frame.width, g.resized.width);
        const int y1 = MulDivCeil(t.roi.y + t.roi.height, frame.height, g.resized.height);
        t.frame_rect = cv::Rect(x0, y0, x1 - x0, y1 - y0);
        layout.tiles.push_back(t);
      }
    }
    layout.levels.push_back(g);
  }
  return layout;
}

TileDsp::TileDsp(Dsp* full_view, const TileSpec& tiles) : full_(full_view), tiles_(tiles) {
  resized_.resize(tiles_.levels.size());
  coloured_.resize(tiles_.levels.size());
}

void TileDsp::Run(const cv::Mat& frame, WorkerPool* pool) {
  Dsp::CheckFrame(frame);
  const InputSpec& s = spec();
  const cv::Size model(s.width, s.height);
  if (layout_.tiles.empty() || layout_.frame != frame.size() || layout_crop_ != full_->crop()) {
    layout_ = ComputeTileLayout(tiles_, frame.size(), model, full_->crop());
    layout_crop_ = full_->crop();
    ++layout_version_;
    inputs_.assign(layout_.tiles.size() * s.bytes(), 0);
  }
  // Tile 0 is exactly the single-crop DSP.
  if (tiles_.single()) {
    full_->Run(frame, inputs_.data());
    return;
  }
  if (pool && pool->size() > 1) {
    pool->ParallelFor(2, [&](int, int job) {
      if (job == 0)
        full_->Run(frame, inputs_.data());
      else
        RunLevels(frame);
    });
  } else {
    full_->Run(frame, inputs_.data());
    RunLevels(frame);
  }
}

void TileDsp::RunLevels(const cv::Mat& frame) {
  const InputSpec& s = spec();
  // Gray models: one colour conversion per frame, then every resize works on
  // one channel (a third of the pixels). This rounds differently from the
  // full view's resize-then-gray by at most one grey level.
  const cv::Mat* src = &frame;
  if (s.channels == 1 && frame.channels() != 1) {
    cv::cvtColor(frame, bgr_, frame.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    src = &bgr_;
  } else if (frame.channels() == 4) {
    cv::cvtColor(frame, bgr_, cv::COLOR_BGRA2BGR);
    src = &bgr_;
  }
  for (size_t l = 0; l < layout_.levels.size(); ++l) {
    // One area resize of the whole frame per level. (Box-averaging by the
    // integer part first would be faster, but measurably blurs distant
    // people: the vtest frames >= 0.6 fell from 75% to 61%.)
    resize_.Run(*src, layout_.levels[l].resized, &resized_[l]);
    if (resized_[l].channels() != s.channels) ToModelColour(resized_[l], s.channels, &coloured_[l]);
  }
  for (size_t i = 1; i < layout_.tiles.size(); ++i)
    WriteModelInput(tile_image(static_cast<int>(i)), s, inputs_.data() + i * s.bytes());
}

cv::Mat TileDsp::tile_image(int tile) const {
  const Tile& t = layout_.tiles.at(static_cast<size_t>(tile));
  if (t.level < 0) return full_->model_image();
  const cv::Mat& level =
      resized_[t.level].channels() == spec().channels ? resized_[t.level] : coloured_[t.level];
  return level(t.roi);
}

TileCombiner::TileCombiner(TileRule rule, double bias) : rule_(rule), odds_(std::exp(bias)) {}

void TileCombiner::Prepare(const TileLayout& layout) {
  const size_t n = layout.tiles.size();
  neighbours_.assign(n, {});
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (i != j && (layout.tiles[i].frame_rect & layout.tiles[j].frame_rect).area() > 0)
        neighbours_[i].push_back(static_cast<int>(j));
  previous_.assign(n, 0.0f);
  biased_.assign(n, 0.0f);
  has_previous_ = false;
}

void TileCombiner::Reset() { has_previous_ = false; }

double TileCombiner::Combine(const std::vector<float>& raw, int* winner) {
  const int n = static_cast<int>(raw.size());
  CV_Assert(n > 0);
  if (biased_.size() != raw.size()) biased_.resize(raw.size());  // unprepared use
  // p / (p + (1 - p) e^b) is sigmoid(logit(p) - b), also at p = 0 and 1.
  biased_[0] = raw[0];
  for (int i = 1; i < n; ++i) {
    const double p = raw[i];
    const double d = p + (1.0 - p) * odds_;
    biased_[i] = d > 0 ? static_cast<float>(p / d) : 0.0f;
  }
  const std::vector<float>& scores = biased_;
  // The full view counts as it is: tiles only ever add evidence, so the
  // combined score is never below the single crop's.
  int best = 0;
  double best_value = scores[0];
  if (rule_ == TileRule::kTop2) {
    // The second-largest score of all tiles (the first of equals ranks higher).
    int top = 0, second = -1;
    for (int i = 1; i < n; ++i) {
      if (scores[i] > scores[top]) {
        second = top;
        top = i;
      } else if (second < 0 || scores[i] > scores[second]) {
        second = i;
      }
    }
    if (second >= 0 && scores[second] > best_value) {
      best = second;
      best_value = scores[second];
    }
  } else {
    for (int i = 1; i < n; ++i) {
      double v = scores[i];
      if (rule_ == TileRule::kConfirmed && has_previous_ && i < static_cast<int>(previous_.size()))
        v = std::min(v, static_cast<double>(previous_[i]));
      if (rule_ == TileRule::kNeighbour && i < static_cast<int>(neighbours_.size()) &&
          !neighbours_[i].empty()) {
        double support = 0;
        for (int j : neighbours_[i]) support = std::max(support, static_cast<double>(scores[j]));
        v = std::min(v, support);
      }
      if (v > best_value) {
        best_value = v;
        best = i;
      }
    }
  }
  if (rule_ == TileRule::kConfirmed) {
    if (previous_.size() != scores.size()) previous_.resize(scores.size());  // unprepared use
    std::copy(scores.begin(), scores.end(), previous_.begin());
    has_previous_ = true;
  }
  if (winner) *winner = best;
  return best_value;
}

}  // namespace vww
