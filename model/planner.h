// Static memory planning: every activation and scratch buffer gets a fixed
// offset in one arena, decided once from buffer lifetimes.
#pragma once

#include <cstddef>
#include <vector>

namespace vww {

struct BufferRequest {
  size_t bytes = 0;
  int first_use = 0;  // first operator index that touches the buffer
  int last_use = 0;   // last operator index that touches it (inclusive)
};

// Greedy by size: the largest buffer is placed first, each buffer at the
// lowest aligned offset that does not collide with an already placed buffer
// whose lifetime overlaps. Returns the arena size; offsets[i] is buffer i's.
size_t PlanArena(const std::vector<BufferRequest>& buffers, size_t alignment,
                 std::vector<size_t>* offsets);

}  // namespace vww
