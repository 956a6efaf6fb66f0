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
};
// Thumbnails (160 px) in a grid, each captioned; an empty list gives a small
// image saying there is nothing to show.
cv::Mat DrawContactSheet(const std::vector<SheetItem>& items);

}  // namespace vww
