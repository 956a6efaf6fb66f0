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

  // Placed buffers in one list sorted by offset, so each new buffer scans
  // it once for the first gap (no per-buffer sort: a model with tens of
  // thousands of tensors used to spend seconds here).
  struct Placed {
    size_t begin, end;
    int first_use, last_use;
  };
  std::vector<Placed> placed;
  placed.reserve(buffers.size());
  size_t arena = 0;
  for (size_t i : order) {
    const BufferRequest& b = buffers[i];
    if (b.bytes == 0) continue;
    size_t offset = 0;
    for (const Placed& r : placed) {
      if (r.first_use > b.last_use || b.first_use > r.last_use) continue;  // never live together
      if (offset + b.bytes <= r.begin) break;  // fits in the gap before r
      offset = std::max(offset, AlignUp(r.end, alignment));
    }
    (*offsets)[i] = offset;
    const Placed p{offset, offset + b.bytes, b.first_use, b.last_use};
    placed.insert(
        std::upper_bound(placed.begin(), placed.end(), p,
                         [](const Placed& x, const Placed& y) { return x.begin < y.begin; }),
        p);
    arena = std::max(arena, offset + b.bytes);
  }
  return AlignUp(arena, alignment);
}

}  // namespace vww
