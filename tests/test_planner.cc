// PlanArena: hand cases with known optimal arenas, and a randomized property
// test of the two invariants any plan must keep (no two buffers alive at the
// same time share a byte; the arena holds everything alive at any time).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "model/planner.h"

namespace vww {
namespace {

TEST(PlanArena, ChainNeedsTheLargestAdjacentPair) {
  // Op i reads buffer i and writes buffer i + 1, so only neighbours overlap.
  // Pairs: 100+200, 200+300, 300+50: the arena is 500.
  const std::vector<BufferRequest> b = {{100, 0, 0}, {200, 0, 1}, {300, 1, 2}, {50, 2, 3}};
  std::vector<size_t> off;
  EXPECT_EQ(PlanArena(b, 1, &off), 500u);
  ASSERT_EQ(off.size(), 4u);
  // Largest first: 300 at 0, 200 above it, 100 and 50 in the gaps at 0 / 300.
  EXPECT_EQ(off[2], 0u);
  EXPECT_EQ(off[1], 300u);
  EXPECT_EQ(off[0], 0u);
  EXPECT_EQ(off[3], 300u);
}

TEST(PlanArena, DisjointLifetimesShareMemory) {
  const std::vector<BufferRequest> b = {{64, 0, 0}, {128, 1, 1}, {32, 2, 3}};
  std::vector<size_t> off;
  EXPECT_EQ(PlanArena(b, 1, &off), 128u);
  EXPECT_EQ(off, (std::vector<size_t>{0, 0, 0}));
}

TEST(PlanArena, AlignmentIsRespected) {
  // Two 10-byte buffers alive together with 64-byte alignment: offsets 0 and
  // 64, arena rounded up from 74 to 128.
  const std::vector<BufferRequest> b = {{10, 0, 1}, {10, 1, 2}};
  std::vector<size_t> off;
  EXPECT_EQ(PlanArena(b, 64, &off), 128u);
  EXPECT_EQ(off[0], 0u);
  EXPECT_EQ(off[1], 64u);
}

TEST(PlanArena, DeadBuffersLeaveGapsForLaterOnes) {
  // A (100, ops 0-1) at 0 and B (100, ops 1-2) above it at 100. D (80, op 0)
  // lives with A but not B, so it goes to 100; C (50, op 2) lives with B but
  // not A, so it takes A's old place at 0. Peak is A + B = 200 at op 1.
  const std::vector<BufferRequest> b = {{100, 0, 1}, {100, 1, 2}, {50, 2, 2}, {80, 0, 0}};
  std::vector<size_t> off;
  EXPECT_EQ(PlanArena(b, 1, &off), 200u);
  EXPECT_EQ(off, (std::vector<size_t>{0, 100, 0, 100}));
}

TEST(PlanArena, EmptyAndZeroSized) {
  std::vector<size_t> off;
  EXPECT_EQ(PlanArena({}, 16, &off), 0u);
  EXPECT_TRUE(off.empty());
  EXPECT_EQ(PlanArena({{0, 0, 5}, {16, 0, 5}}, 16, &off), 16u);
}

// The invariants, checked without knowing how the planner works.
void CheckPlan(const std::vector<BufferRequest>& b, size_t alignment, size_t arena,
               const std::vector<size_t>& off) {
  ASSERT_EQ(off.size(), b.size());
  EXPECT_EQ(arena % alignment, 0u);
  int last_op = 0;
  for (const auto& r : b) last_op = std::max(last_op, r.last_use);
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i].bytes == 0) continue;
    EXPECT_EQ(off[i] % alignment, 0u) << "buffer " << i;
    EXPECT_LE(off[i] + b[i].bytes, arena) << "buffer " << i;
    for (size_t j = i + 1; j < b.size(); ++j) {
      if (b[j].bytes == 0) continue;
      const bool same_time = b[i].first_use <= b[j].last_use && b[j].first_use <= b[i].last_use;
      const bool same_bytes = off[i] < off[j] + b[j].bytes && off[j] < off[i] + b[i].bytes;
      EXPECT_FALSE(same_time && same_bytes)
          << "buffers " << i << " [" << off[i] << ", +" << b[i].bytes << ") ops " << b[i].first_use
          << "-" << b[i].last_use << " and " << j << " [" << off[j] << ", +" << b[j].bytes
          << ") ops " << b[j].first_use << "-" << b[j].last_use;
    }
  }
  // Lower bound: at every op, the bytes of all live buffers must fit.
  for (int op = 0; op <= last_op; ++op) {
    size_t live = 0;
    for (const auto& r : b)
      if (r.first_use <= op && op <= r.last_use) live += r.bytes;
    EXPECT_GE(arena, live) << "at op " << op;
  }
}

TEST(PlanArena, RandomizedPlansKeepLiveBuffersApart) {
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    const int ops = 1 + static_cast<int>(rng() % 30);
    const int count = static_cast<int>(rng() % 40);
    const size_t alignment = size_t{1} << (rng() % 7);  // 1 .. 64
    std::vector<BufferRequest> b(count);
    for (auto& r : b) {
      // Mostly small, sometimes large, sometimes empty; many equal sizes
      // exercise the tie-breaking.
      const unsigned kind = rng() % 10;
      r.bytes = kind == 0  ? 0
                : kind < 4 ? 64 * (1 + rng() % 4)
                           : 1 + rng() % (kind < 9 ? 500 : 20000);
      r.first_use = static_cast<int>(rng() % ops);
      r.last_use = r.first_use + static_cast<int>(rng() % (ops - r.first_use));
    }
    std::vector<size_t> off;
    const size_t arena = PlanArena(b, alignment, &off);
    SCOPED_TRACE("seed " + std::to_string(seed));
    CheckPlan(b, alignment, arena, off);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace vww
