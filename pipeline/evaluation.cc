// pipeline/evaluation: see evaluation.h.
#include "pipeline/evaluation.h"

#include <algorithm>
#include <cmath>

namespace vww {

EvalMetrics ComputeMetrics(int classes, const std::vector<int>& truth,
                           const std::vector<int>& predicted) {
  EvalMetrics m;
  m.n = static_cast<int>(truth.size());
  m.confusion.assign(classes, std::vector<int>(classes + 1, 0));
  int correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const int p = predicted[i] < 0 ? classes : predicted[i];
    ++m.confusion[truth[i]][p];
    correct += predicted[i] == truth[i];
  }
  m.accuracy = m.n ? static_cast<double>(correct) / m.n : 0;
  m.per_class.resize(classes);
  double recall_sum = 0;
  int with_examples = 0;
  for (int c = 0; c < classes; ++c) {
    ClassMetrics& k = m.per_class[c];
    int predicted_c = 0;
    for (int t = 0; t < classes; ++t) predicted_c += m.confusion[t][c];
    for (int p = 0; p <= classes; ++p) k.support += m.confusion[c][p];
    const int tp = m.confusion[c][c];
    k.precision = predicted_c ? static_cast<double>(tp) / predicted_c : 0;
    k.recall = k.support ? static_cast<double>(tp) / k.support : 0;
    k.f1 = k.precision + k.recall > 0 ? 2 * k.precision * k.recall / (k.precision + k.recall) : 0;
    if (k.support) {
      recall_sum += k.recall;
      ++with_examples;
    }
  }
  m.balanced_accuracy = with_examples ? recall_sum / with_examples : 0;
  return m;
}

double RocAuc(const std::vector<float>& pos, const std::vector<float>& neg) {
  if (pos.empty() || neg.empty()) return -1;
  // Rank-based: sort negatives once, count those below and equal to each positive.
  std::vector<float> sorted = neg;
  std::sort(sorted.begin(), sorted.end());
  double wins = 0;
  for (float s : pos) {
    const auto lo = std::lower_bound(sorted.begin(), sorted.end(), s);
    const auto hi = std::upper_bound(sorted.begin(), sorted.end(), s);
    wins += (lo - sorted.begin()) + 0.5 * (hi - lo);
  }
  return wins / (static_cast<double>(pos.size()) * neg.size());
}

std::vector<RocPoint> RocCurve(const std::vector<float>& pos, const std::vector<float>& neg) {
  std::vector<float> thresholds = pos;
  thresholds.insert(thresholds.end(), neg.begin(), neg.end());
  std::sort(thresholds.begin(), thresholds.end(), std::greater<float>());
  thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());
  std::vector<RocPoint> curve{{0, 0, INFINITY}};
  for (float t : thresholds) {
    const auto at_least = [t](const std::vector<float>& v) {
      return v.empty() ? 0.0
                       : static_cast<double>(
                             std::count_if(v.begin(), v.end(), [t](float s) { return s >= t; })) /
                             v.size();
    };
    curve.push_back({at_least(neg), at_least(pos), t});
  }
  return curve;
}

void BestThreshold(const std::vector<float>& pos, const std::vector<float>& neg, double* threshold,
                   double* balanced_accuracy) {
  *threshold = -1;
  *balanced_accuracy = -1;
  if (pos.empty() || neg.empty()) return;
  for (const RocPoint& p : RocCurve(pos, neg)) {
    if (std::isinf(p.threshold)) continue;
    const double ba = 0.5 * (p.tpr + (1 - p.fpr));
    if (ba > *balanced_accuracy) {
      *balanced_accuracy = ba;
      *threshold = p.threshold;
    }
  }
}

}  // namespace vww
