// ui/overlay: everything drawn on top of the live frame, as a pure function of
// (frame, OverlayState). No window, no clock, no globals: the same inputs give
// the same pixels, so tests check pixels without a display and screenshots for
// the docs are reproducible.
#pragma once

#include <deque>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace vww {

// One point of the scrolling person-score plot.
struct ScoreSample {
  double t_ms = 0;     // any monotonic clock (e.g. Frame::timestamp_ms)
  float score = 0;     // person score, 0..1
  bool awake = false;  // wake state after this frame
};

// Everything the overlay shows. A plain struct: the run loop keeps one and
// updates fields in place each frame (cv::Mat members are shallow headers, so
// assigning Dsp::model_image() copies no pixels).
struct OverlayState {
  // Classification. labels/scores are optional (drawn as a small per-class
  // list when there are more than two classes); top_label and confidence
  // are what the big text says.
  std::vector<std::string> labels;
  std::vector<float> scores;
  std::string top_label;
  float confidence = 0;  // score of top_label, 0..1
  float threshold = 0.5f;  // the decision threshold (+/- keys); a tick on the bar, a line on the plot
  bool uncertain = false;  // below the threshold / undecided: label drawn amber with "?"

  // Timing, as in Edge Impulse's output.
  double dsp_ms = 0, classification_ms = 0;
  double fps = 0;

  // Wake state: the coloured border and the banner.
  bool awake = false;
  float wake_threshold = 0.5f;  // drawn as a second (dashed) plot line when it differs

  // What the model saw: 8-bit gray or BGR at the model's size (e.g. 96x96),
  // typically Dsp::model_image(). Empty: no inset.
  cv::Mat model_image;
  // The region of the (unmirrored) frame the model sees, e.g. Dsp::CropRect().
  // Empty: no outline.
  cv::Rect crop;
  std::string crop_mode;  // e.g. CropModeName(); shown beside the inset when set

  // The last history_window_ms of scores, oldest first (see PushScore).
  std::deque<ScoreSample> history;
  double history_window_ms = 10000;

  bool mirror = false;     // flip the frame left-right (selfie view); text is never mirrored
  bool paused = false;     // frozen frame: big "PAUSED"
  bool recording = false;  // red REC dot
  bool help = false;       // key list on top of everything

  // Optional boxes in (unmirrored) frame coordinates, e.g. the tile that won
  // in a tiled search. Drawn as outlines.
  std::vector<cv::Rect> tiles;

  // A short status line (e.g. "snapshot saved: vww-0001.png"); empty: none.
  std::string message;

  // Occlusion heat map (--explain, key x): per model pixel score drops
  // (CV_32F, model size), drawn over the inset and, through the crop (model
  // pixels heat_model_roi show frame pixels heat_frame_rect), over the frame,
  // hottest at heat_scale, with a colour scale beside the inset. Empty: none.
  cv::Mat heat;
  cv::Rect heat_model_roi, heat_frame_rect;
  float heat_scale = 0;
  std::string explain_note;  // under the inset, e.g. "heat map every 3rd frame"

  // Board-speed mode (--board): lines in a panel under the main one (board,
  // its estimated time and decision rate, ours); empty: none.
  std::vector<std::string> board_lines;
  bool not_classified = false;  // this frame was shown but not classified
};

// Appends a sample and drops the ones older than window_ms before it.
void PushScore(std::deque<ScoreSample>* history, const ScoreSample& sample,
               double window_ms = 10000);

// Where things go, as a function of the frame size only (so the panels do not
// jump around as values change). Public for the tests and for callers that
// want to place things around the overlay.
struct OverlayLayout {
  double scale = 1;   // text scale: 1 at 480 rows
  int border = 0;     // wake-state border thickness
  cv::Rect banner;    // wake-state banner across the top
  cv::Rect panel;     // label, confidence bar, timings (top left)
  cv::Rect label;     // the big label text inside panel
  cv::Rect bar;       // the confidence bar inside panel
  cv::Rect inset;     // model input, scaled by inset_zoom (top right)
  int inset_zoom = 1;
  cv::Rect plot;       // score history (bottom)
  cv::Rect plot_data;  // inside plot: time left to right (newest at the right edge),
                       // score 0 at the bottom row to 1 at the top row
};
OverlayLayout ComputeLayout(cv::Size frame, cv::Size model_image);

// Draws the overlay into *out (8-bit BGR, the frame's size). out is
// (re)allocated only when the frame size changes, so a caller that keeps it
// between frames allocates nothing per frame. frame: 8-bit gray, BGR or BGRA.
// out may be the frame itself only when the frame is already BGR.
void DrawOverlay(const cv::Mat& frame, const OverlayState& state, cv::Mat* out);

// Convenience form that returns a new image.
cv::Mat DrawOverlay(const cv::Mat& frame, const OverlayState& state);

// The colours, for tests and for anything drawn beside the overlay (BGR).
inline const cv::Scalar kAwakeColor(60, 200, 40);
inline const cv::Scalar kAsleepColor(110, 110, 110);

// The help text, one "key  action" pair per entry.
const std::vector<std::pair<std::string, std::string>>& HelpKeys();

}  // namespace vww
