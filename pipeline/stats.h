// pipeline/stats: order statistics of timings and scores, the one place the
// run summary, the evaluation report and the benchmark take them from.
#pragma once

#include <vector>

namespace vww {

// Nearest-rank percentile, p in [0, 100]: the smallest value with at least
// p % of the values <= it (the smallest value for p = 0). 0 for no values.
double Percentile(std::vector<double> values, double p);

// The spread of a set of timings (or any values).
struct Summary {
  double min = 0, median = 0, mean = 0, p90 = 0, p99 = 0, max = 0;
};
// median: the middle value, or the mean of the two middle ones.
Summary Summarize(std::vector<double> values);

}  // namespace vww
