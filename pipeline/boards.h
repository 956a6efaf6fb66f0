// pipeline/boards: how fast this model class runs on microcontroller boards
// (assets/boards.csv, documented in assets/README.md), and the pace gate
// that makes a run behave like one of them (`vww run --board ID`).
//
// Estimates scale a board's published cost per multiply-accumulate to the
// loaded model: cycles_per_mac x model MACs / clock. They leave out capture,
// resize and input conversion (see assets/README.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vww {

struct Board {
  std::string id;     // what --board takes, e.g. "esp32s3-esp-nn"
  std::string board;  // e.g. "Espressif ESP32-S3"
  std::string core;
  double clock_mhz = 0;
  std::string stack;  // the inference software
  double cycles_per_mac = 0;
  std::string basis;        // "measured", or "scaled (...)", "derived (...)" with how
  double reference_ms = 0;  // the CSV's ms_7158k_macs (the gray person detector)
  std::string source;       // where the number was published

  // The first word of basis: "measured", "scaled" or "derived".
  std::string basis_kind() const;
  // Estimated milliseconds for one inference of `macs` multiply-accumulates.
  double EstimateMs(int64_t macs) const;
};

// Parses boards.csv text (header row naming the columns, in any order, then
// one board per row; RFC 4180 quoting). `origin` names the file in errors.
// Throws vww::Error with a one-line message "origin:LINE: what is wrong".
std::vector<Board> ParseBoards(const std::string& text, const std::string& origin);
// Reads and parses a file; throws vww::Error if it cannot be read.
std::vector<Board> LoadBoards(const std::string& path);
// assets/boards.csv of this build (or beside a moved executable).
std::string DefaultBoardsPath();

// The board with this id; throws vww::Error naming the id and how to list them.
const Board& FindBoard(const std::vector<Board>& boards, const std::string& id);

// Decides which frames a board would classify: it takes a frame, is busy for
// its latency, then takes the next frame that arrives. Frames in between are
// shown but not classified. Timestamps are milliseconds on one clock: stream
// time for files (so a run is deterministic), the steady clock for cameras.
// Pure: no clock of its own, no allocation.
class BoardPace {
 public:
  explicit BoardPace(double latency_ms = 0) : latency_ms_(latency_ms) {}

  // True if the frame at t_ms is classified: the first frame, and any frame
  // at least latency_ms after the last classified one. A timestamp earlier
  // than the last classified frame (a looping file restarting) starts over.
  bool Admit(double t_ms);
  void Reset() { has_last_ = false; }

  double latency_ms() const { return latency_ms_; }
  // Frames seen and classified since construction.
  int64_t frames() const { return frames_; }
  int64_t classified() const { return classified_; }

 private:
  double latency_ms_;
  double last_ms_ = 0;
  bool has_last_ = false;
  int64_t frames_ = 0, classified_ = 0;
};

}  // namespace vww
