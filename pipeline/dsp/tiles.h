// pipeline/dsp/tiles: multi-crop (tiled) detection. Besides the usual single crop
// (the "full view"), the frame is searched with grids of overlapping tiles at
// finer scales, each tile classified by the same model, and the per-tile
// person scores are combined into one score per frame. The tile that carried
// the combined score gives a coarse location.
//
// Spec (--tiles):
//   1               the single crop only (exactly the plain DSP)
//   auto            the default layout and rule (kAutoTiles below)
//   LEVEL[+LEVEL...][:RULE[:BIAS]]
//     LEVEL = CxR[@S]  a grid of at least C columns and R rows of model-shaped
//                      tiles whose short side is S times the frame's short side
//                      (0 < S <= 1; default 1/min(C,R)). The counts grow where
//                      needed so that the tiles of one level cover the whole
//                      frame, whatever its aspect ratio; tiles are spread
//                      evenly, first and last touching the frame's edges.
//     RULE  = max | confirmed | neighbour | top2   (default neighbour)
//     BIAS  = logit units subtracted from every tile's person score except
//             the full view's before combining (default 1): the best of many
//             tiles crosses a threshold by chance far more often than one
//             crop, so a tile must be more certain than the full view.
//   The full view is always tile 0; levels follow in order, row-major.
//
// Default (auto) "4x4@0.4:neighbour:1", chosen by measurement on the sample
// videos and images (numbers in README.md): 17 tiles on a 4:3 frame, 21 on
// 16:9.
//
// DSP cost: the frame is converted to gray once (gray models), each level
// resizes the whole frame once (area interpolation) so that its tiles are
// exactly the model's size, and the tiles are cut from that image. (Cutting from a
// once-resized image differs slightly from cropping then resizing; tile 0 is
// the plain Dsp, exactly.)
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "model/worker_pool.h"
#include "pipeline/dsp/dsp.h"

namespace vww {

// How the per-tile person scores make one score per frame.
// Every rule works on the biased scores (see BIAS) and returns at least the
// full view's score: tiles only ever add evidence.
enum class TileRule {
  kMax,        // the largest tile score
  kConfirmed,  // per tile the smaller of this and the previous frame's score, then the largest
  kNeighbour,  // per tile the smaller of its score and its best overlapping tile's, then the
               // largest
  kTop2,       // the second-largest tile score (two tiles must agree)
};
const char* TileRuleName(TileRule rule);

struct TileLevel {
  int cols = 1, rows = 1;  // at least this many; grown to cover the frame
  double size = 1.0;       // tile short side / frame short side
};

struct TileSpec {
  std::vector<TileLevel> levels;  // empty: the single crop only
  TileRule rule = TileRule::kNeighbour;
  double bias = 1.0;  // logit units, >= 0 (see above)
  bool single() const { return levels.empty(); }
  std::string str() const;  // canonical text, e.g. "1" or "2x2@0.5+3x3@0.33:max:0"
};

// Limits: grid counts per level, and tiles per frame (the full view included;
// checked on the spec and on the layout, whose counts grow to cover a frame).
constexpr int kMaxGrid = 64;
constexpr int kMaxTiles = 256;

// The layout `--tiles auto` selects (chosen by measurement, see README).
extern const char* const kAutoTiles;

// Parses a --tiles value; throws vww::Error with a one-line message.
TileSpec ParseTileSpec(const std::string& text);

// One tile of a layout.
struct Tile {
  int level = -1;        // -1: the full view (single crop), else index into TileSpec::levels
  int col = 0, row = 0;  // position in its level's grid
  cv::Rect frame_rect;   // the frame pixels it sees (for overlays and logs)
  cv::Rect roi;          // model-sized region of its level's resized image (level >= 0)
};

struct TileLevelGeometry {
  cv::Size resized;  // the whole frame resized so tiles are model-sized
  int cols = 1, rows = 1;
};

struct TileLayout {
  cv::Size frame;
  std::vector<TileLevelGeometry> levels;
  std::vector<Tile> tiles;  // tiles[0]: the full view
};

// The layout of spec for frames of size `frame`, a model of size `model` and
// the full view's crop mode. Pure; throws vww::Error for an empty frame.
TileLayout ComputeTileLayout(const TileSpec& spec, cv::Size frame, cv::Size model, CropMode crop);

// Evenly spread positions of `count` segments of length `side` over [0, length):
// first at 0, last at length - side, steps rounded to the nearest pixel.
std::vector<int> SpreadPositions(int length, int side, int count);

// All tiles of a frame -> model inputs. The full view is the given Dsp (so a
// crop mode changed on it applies here too). Owns its other images, so after
// the first frame of a given size it does not allocate.
class TileDsp {
 public:
  TileDsp(Dsp* full_view, const TileSpec& tiles);

  // Resizes the frame once per level and writes every tile's model input
  // into inputs() (tile i at i * spec().bytes()). frame: 8-bit BGR, BGRA or
  // gray. With a pool of two or more workers the full view and the levels
  // are made at the same time (they share only the frame).
  void Run(const cv::Mat& frame, WorkerPool* pool = nullptr);

  const TileLayout& layout() const { return layout_; }
  // Changes whenever the layout is recomputed (new frame size or crop mode).
  int layout_version() const { return layout_version_; }
  int tile_count() const { return static_cast<int>(layout_.tiles.size()); }
  const uint8_t* input(int tile) const { return inputs_.data() + tile * spec().bytes(); }
  // What the model saw for a tile (8-bit gray or BGR, model size; a view
  // into an owned image, valid until the next Run()).
  cv::Mat tile_image(int tile) const;
  const InputSpec& spec() const { return full_->spec(); }
  const TileSpec& tiles() const { return tiles_; }

 private:
  void RunLevels(const cv::Mat& frame);  // every tile but the full view

  Dsp* full_;
  CropMode layout_crop_ = CropMode::kFitShortest;
  TileSpec tiles_;
  TileLayout layout_;
  int layout_version_ = 0;
  std::vector<cv::Mat> resized_, coloured_;  // per level
  cv::Mat bgr_;  // the frame in the model's colour (gray) or BGR from BGRA
  AreaResizer resize_;
  std::vector<uint8_t> inputs_;
};

// Combines per-tile person scores frame by frame (kConfirmed remembers the
// previous frame). Prepare once per layout; Combine does not allocate.
class TileCombiner {
 public:
  explicit TileCombiner(TileRule rule = TileRule::kMax, double bias = 0);

  // Tile geometry for kNeighbour: two tiles are neighbours when their frame
  // rects overlap. Resets the history.
  void Prepare(const TileLayout& layout);
  void Reset();  // forget the previous frame (a new image or stream)

  // scores: one person score per tile (tile 0 the full view), as many as
  // the prepared layout has tiles. Tiles 1.. are first lowered by the bias:
  // p / (p + (1 - p) e^bias). Returns the combined score; *winner gets the
  // tile that carried it.
  double Combine(const std::vector<float>& scores, int* winner);

  TileRule rule() const { return rule_; }

 private:
  TileRule rule_;
  double odds_ = 1;  // e^bias
  std::vector<std::vector<int>> neighbours_;
  std::vector<float> biased_;
  std::vector<float> previous_;
  bool has_previous_ = false;
};

}  // namespace vww
