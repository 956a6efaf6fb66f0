#include "model/planner.h"

#include <algorithm>
#include <numeric>

namespace vww {

namespace {
size_t AlignUp(size_t v, size_t a) { return (v + a - 1) / a * a; }
}  // namespace

size_t PlanArena(const std::vector<BufferRequest>& buffers, size_t alignment,
                 std::vector<size_t>* offsets) {
  offsets->assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  // Larger first; ties by earlier first use, then index, so the plan is stable.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers[a].bytes != buffers[b].bytes) return buffers[a].bytes > buffers[b].bytes;
    return buffers[a].first_use < buffers[b].first_use;
  });

  std::vector<size_t> placed;
  size_t arena = 0;
  struct Range {
    size_t begin, end;
  };
  std::vector<Range> busy;
  for (size_t i : order) {
    const BufferRequest& b = buffers[i];
    if (b.bytes == 0) continue;
    busy.clear();
    for (size_t j : placed) {
      const BufferRequest& o = buffers[j];
      if (o.first_use <= b.last_use && b.first_use <= o.last_use)
        busy.push_back({(*offsets)[j], (*offsets)[j] + o.bytes});
    }
    std::sort(busy.begin(), busy.end(), [](const Range& x, const Range& y) { return x.begin < y.begin; });
    size_t offset = 0;
    for (const Range& r : busy) {
      if (offset + b.bytes <= r.begin) break;  // fits in the gap before r
      offset = std::max(offset, AlignUp(r.end, alignment));
    }
    (*offsets)[i] = offset;
    placed.push_back(i);
    arena = std::max(arena, offset + b.bytes);
  }
  return AlignUp(arena, alignment);
}

}  // namespace vww
