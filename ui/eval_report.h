// ui/eval_report: the pictures of `vww eval --report`: the ROC curve beside
// the per-class score histograms, and a contact sheet of the misclassified
// images with their scores. Pure drawing functions (inputs -> image).
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "pipeline/evaluation.h"

namespace vww {

// Left: ROC curve with the chance diagonal, axes, ticks and the AUC in the
// legend. Right: histograms (20 bins over 0..1) of the positive-class score
// for the positive and the negative examples.
cv::Mat DrawRocAndHistograms(const std::vector<RocPoint>& roc, double auc,
                             const std::vector<float>& positive_scores,
                             const std::vector<float>& negative_scores,
                             const std::string& positive_label, const std::string& negative_label);

struct SheetItem {
  std::string file;
  std::string caption;  // e.g. "true person, got no person 0.23"
  // Optional occlusion heat map (pipeline/explain HeatMap::pixels, model
  // pixels model_roi showing image pixels image_rect) drawn over the
  // thumbnail; the sheet uses one scale, the largest heat_scale, so the
  // colours compare across tiles.
  cv::Mat heat;
  cv::Rect model_roi, image_rect;
  float heat_scale = 0;
};
// Thumbnails (160 px) in a grid, each with a two-line caption fitted to its
// tile (the file name, then item.caption; text that does not fit is
// shortened in the middle with "..."); an empty list gives a small image
// saying there is nothing to show. A heat map, when given, comes with a
// colour scale at the bottom of the sheet.
cv::Mat DrawContactSheet(const std::vector<SheetItem>& items);

// text, shortened in the middle ("long_fil...name.png") until it is at most
// max_width pixels wide in the given Hershey font and scale.
std::string FitText(const std::string& text, int max_width, int font, double scale,
                    int thickness = 1);

}  // namespace vww
