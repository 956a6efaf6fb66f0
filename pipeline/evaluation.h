// pipeline/evaluation: accuracy measures over labelled examples, as pure
// functions of (true class, scores), so they can be checked against hand
// computations. `vww eval` fills them from the classifier.
#pragma once

#include <string>
#include <vector>

#include "pipeline/stats.h"  // Percentile, which eval reports use

namespace vww {

struct ClassMetrics {
  int support = 0;  // examples of this class
  double precision = 0, recall = 0, f1 = 0;
};

struct EvalMetrics {
  int n = 0;
  std::vector<std::vector<int>> confusion;  // [true][predicted]; predicted == classes: uncertain
  double accuracy = 0;                      // correct / n (uncertain counts as wrong)
  double balanced_accuracy = 0;             // mean recall over classes with examples
  std::vector<ClassMetrics> per_class;
  // Two classes only (positive = class 1 of a two-class model, e.g. person):
  double auc = -1;             // ROC AUC, -1 when undefined
  double best_threshold = -1;  // positive score threshold maximising balanced accuracy
  double best_balanced_accuracy = -1;
};

// predicted[i]: the class index, or -1 for "uncertain" (below the threshold).
EvalMetrics ComputeMetrics(int classes, const std::vector<int>& truth,
                           const std::vector<int>& predicted);

// Area under the ROC curve from the positive-class scores of positives and
// negatives: the probability that a random positive scores above a random
// negative, ties counting one half (the Mann-Whitney U statistic).
double RocAuc(const std::vector<float>& positive_scores, const std::vector<float>& negative_scores);

// ROC points (false positive rate, true positive rate), from threshold +inf
// down through every distinct score.
struct RocPoint {
  double fpr, tpr, threshold;
};
std::vector<RocPoint> RocCurve(const std::vector<float>& positive_scores,
                               const std::vector<float>& negative_scores);

// The threshold t ("positive when score >= t") with the best balanced
// accuracy, and that accuracy. Candidates are the distinct scores.
void BestThreshold(const std::vector<float>& positive_scores,
                   const std::vector<float>& negative_scores, double* threshold,
                   double* balanced_accuracy);

}  // namespace vww
