// pipeline/capture/v4l2/negotiate: which format, size and rate to ask a
// camera for, decided from what it offers without touching the device.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {

// Formats we take natively, best first; the libv4l2-converted BGR24 / RGB24
// are the fallback for anything else.
std::vector<uint32_t> PreferredFormats(bool prefer_gray);

// Whether a format the device lists is worth enumerating: one we read, and
// not one libv4l2 emulates at a CPU cost (except its BGR24 / RGB24 fallback).
bool IsUsableFormat(uint32_t fourcc, bool emulated, bool prefer_gray);

// One format as the device offers it; sizes empty when it does not list them
// (stepwise or not enumerated).
struct OfferedFormat {
  uint32_t fourcc = 0;
  bool emulated = false;
  std::vector<CameraInfo::Size> sizes;
};

// A size / rate / format to ask the driver for.
struct Mode {
  uint32_t fourcc = 0;
  int width = 0, height = 0;
  double fps = 0;  // 0: unknown (the driver does not enumerate rates)
  double size_cost = 0, fps_cost = 0;
  int rank = 0;  // position in PreferredFormats
  bool operator<(const Mode& o) const {
    if (size_cost != o.size_cost) return size_cost < o.size_cost;
    if (fps_cost != o.fps_cost) return fps_cost < o.fps_cost;
    return rank < o.rank;
  }
};

// The mode closest to options.width x options.height (640x480 when neither
// is set; the other side free when one is) at options.fps (30 when unset):
// size first, then rate (within half a frame per second counts as equal),
// then format preference; the first offered wins a full tie. nullopt when no
// offered format is usable.
std::optional<Mode> ChooseMode(const std::vector<OfferedFormat>& offered,
                               const SourceOptions& options);

}  // namespace vww
