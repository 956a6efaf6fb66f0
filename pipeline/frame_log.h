// pipeline/frame_log: the per-frame log (CSV or JSON lines) and the wake/sleep
// event lines, written the same way by `vww run --log/--events` and by a
// session recording, so tools that read one read the other.
#pragma once

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipeline/frame_result.h"

namespace vww {

// A JSON string literal with escapes (nlohmann's).
std::string JsonString(const std::string& s);
// "%.3f"-style formatting into a string.
std::string Num(const char* fmt, double v);
// %.9g: floats round-trip exactly, so logs can be compared with reference data.
std::string Exact(double v);

// JSON (nlohmann); ordered: objects keep the order keys were added in, which
// is the documented field order of every JSON output.
using OrderedJson = nlohmann::ordered_json;
// A number printed as "%.<digits>g" prints it: the same digits, and an integer
// when that has no decimal point (so 1 stays 1, 0.921875 stays 0.921875).
OrderedJson JsonDigits(double v, int digits);
// %.9g: a float that round-trips exactly.
inline OrderedJson JsonExact(double v) { return JsonDigits(v, 9); }
// Rounded to `decimals` places as "%.<decimals>f" rounds (timings); always a
// float, printed without trailing zeros ("12.5", "3.0").
OrderedJson JsonFixed(double v, int decimals);
// Compact, one line, no trailing newline; invalid UTF-8 (odd file names)
// becomes U+FFFD instead of an exception.
std::string JsonText(const OrderedJson& j, int indent = -1);

// A file opened for writing; throws vww::Error (with the path and the reason)
// when it cannot be opened, and from Close() when any write failed (disk full).
class FileOut {
 public:
  explicit FileOut(const std::string& path);
  ~FileOut();
  FileOut(const FileOut&) = delete;
  FileOut& operator=(const FileOut&) = delete;
  FILE* get() const { return f_; }
  // Flushes; false once a write has failed.
  bool Flush();
  void Close();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  FILE* f_ = nullptr;
};

// Optional columns, after the standard ones.
struct FrameLogColumns {
  // --board: classified (1, or 0 for a frame the board was too busy to take).
  bool classified = false;
  // --explain: the heat map's top patch, in frame pixels, and its score drop:
  // explain_x, explain_y, explain_w, explain_h, explain_drop (empty on frames
  // without a new heat map); JSON lines: "explain":{...} or null.
  bool explain = false;
};

// One row per processed frame. The format follows the name: .csv (a header
// line, then frame, t_ms, latency_ms, dsp_ms, classification_ms, p_<label>...,
// q_<label>..., label, confidence, smoothed, state, dropped, tile, then the
// optional columns) or .jsonl (one object per frame with the same fields).
class FrameLog {
 public:
  FrameLog(const std::string& path, const std::vector<std::string>& labels,
           const FrameLogColumns& columns = {});  // throws vww::Error
  void Write(const FrameResult& r);
  bool Flush() { return out_->Flush(); }
  void Close() { out_->Close(); }

 private:
  std::vector<std::string> labels_;
  FrameLogColumns columns_;
  bool csv_ = false;
  std::unique_ptr<FileOut> out_;
};

// {"event":"wake","frame":..,"t_ms":..,"score":..} and a newline.
std::string EventJson(const WakeEvent& e);

}  // namespace vww
