// ui/heatmap: drawing an occlusion heat map (pipeline/explain) over an image
// and its colour scale. Pure functions of their inputs, like the overlay.
#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace vww {

// The colour of heat h in [0, 1] (0: cold, 1: hot; clamped), BGR. One scale
// for the overlay, the legend and the reports.
cv::Vec3b HeatColour(float h);

// Blends `heat` (CV_32F, per model pixel; only heat_roi of it is used) into
// image_rect of *image (8-bit BGR), stretched to fit; parts of image_rect
// outside the image are clipped. Heat is divided by `full_scale` (the value
// drawn hottest); heat <= 0 leaves the pixel as it is, and opacity grows with
// the heat so the image stays readable under weak heat.
void BlendHeat(const cv::Mat& heat, cv::Rect heat_roi, float full_scale, cv::Rect image_rect,
               cv::Mat* image);

// A vertical colour bar from cold (bottom) to hot (top) in `where`, with its
// top and bottom labelled ("0", and `top_label`, e.g. "-0.42" for the score
// drop drawn hottest). Text scale `scale` (1 at 480 rows).
void DrawHeatScale(cv::Mat* image, cv::Rect where, const std::string& top_label, double scale);

// The full scale a heat map is drawn with: its largest drop, but at least
// `floor` so that noise on an image the model does not care about stays cold.
inline float HeatFullScale(float max_drop, float floor = 0.05f) {
  return max_drop > floor ? max_drop : floor;
}

struct HeatMap;
struct HeatPlacement;

// A still image with its heat map (`vww classify --explain`): the frame
// (8-bit gray, BGR or BGRA; enlarged by a whole factor, nearest neighbour,
// to at least 480 pixels on its short side) with the heat map blended in
// where the model saw it, the model's region outlined, the top patch boxed,
// the caption top left (shrunk to fit) and the colour scale at the right.
cv::Mat DrawExplainedFrame(const cv::Mat& frame, const HeatMap& heat, const HeatPlacement& where,
                           const std::string& caption);

}  // namespace vww
