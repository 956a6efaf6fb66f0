// pipeline/frame_log: see frame_log.h.
#include "pipeline/frame_log.h"

#include <cctype>
#include <cerrno>
#include <cstring>

namespace vww {

std::string JsonString(const std::string& s) {
  std::string r = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"':
        r += "\\\"";
        break;
      case '\\':
        r += "\\\\";
        break;
      case '\n':
        r += "\\n";
        break;
      case '\r':
        r += "\\r";
        break;
      case '\t':
        r += "\\t";
        break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", ch);
          r += buf;
        } else {
          r += static_cast<char>(ch);
        }
    }
  }
  return r + "\"";
}

std::string Num(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

// %.9g: floats round-trip exactly, so logs can be compared with reference data.
std::string Exact(double v) { return Num("%.9g", v); }

namespace {

bool EndsWith(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string r = "\"";
  for (char c : s) r += c == '"' ? std::string("\"\"") : std::string(1, c);
  return r + "\"";
}

// A label as a column-name suffix: letters, digits and '_' only.
std::string ColumnName(const std::string& label) {
  std::string r;
  for (unsigned char c : label) r += std::isalnum(c) ? static_cast<char>(c) : '_';
  return r;
}

}  // namespace

FileOut::FileOut(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "w")) {
  if (!f_) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
}

FileOut::~FileOut() {
  if (f_) std::fclose(f_);
}

bool FileOut::Flush() { return f_ && std::fflush(f_) == 0 && std::ferror(f_) == 0; }

void FileOut::Close() {
  if (!f_) return;
  const bool failed = std::ferror(f_) != 0;
  const bool closed = std::fclose(f_) == 0;
  f_ = nullptr;
  if (failed || !closed) throw Error(path_ + ": write failed (disk full?)");
}

namespace {

// The tile that carried the person score (--tiles; 0 = the full view) and
// its frame rect, X geometry style: "3:192x192+96+48".
std::string TileText(const Classification& c) {
  const cv::Rect& t = c.tile_rect;
  return std::to_string(c.tile) + ":" + std::to_string(t.width) + "x" + std::to_string(t.height) +
         "+" + std::to_string(t.x) + "+" + std::to_string(t.y);
}
std::string TileJson(const Classification& c) {
  const cv::Rect& t = c.tile_rect;
  return "{\"index\":" + std::to_string(c.tile) + ",\"x\":" + std::to_string(t.x) +
         ",\"y\":" + std::to_string(t.y) + ",\"w\":" + std::to_string(t.width) +
         ",\"h\":" + std::to_string(t.height) + "}";
}

}  // namespace

FrameLog::FrameLog(const std::string& path, const std::vector<std::string>& labels)
    : labels_(labels) {
  if (EndsWith(path, ".csv")) {
    csv_ = true;
  } else if (!EndsWith(path, ".jsonl")) {
    throw Error(path + ": a log name must end in .csv or .jsonl");
  }
  out_ = std::make_unique<FileOut>(path);
  if (!csv_) return;
  std::string h = "frame,t_ms,latency_ms,dsp_ms,classification_ms";
  for (const auto& l : labels_) h += ",p_" + ColumnName(l);
  for (const auto& l : labels_) h += ",q_" + ColumnName(l);
  h += ",label,confidence,smoothed,state,dropped,tile\n";
  std::fputs(h.c_str(), out_->get());
}

void FrameLog::Write(const FrameResult& r) {
  const Classification& c = r.classification;
  const std::string label = LabelName(r.label, labels_);
  std::string s;
  if (csv_) {
    s = std::to_string(r.frame.index) + "," + Num("%.3f", r.frame.timestamp_ms) + "," +
        Num("%.4f", r.latency_ms) + "," + Num("%.4f", c.dsp_ms) + "," +
        Num("%.4f", c.classification_ms);
    for (float v : c.scores) s += "," + Exact(v);
    for (int32_t q : c.scores_q) s += "," + std::to_string(q);
    s += "," + CsvField(label) + "," + Exact(r.label.confidence) + "," + Exact(r.smoothed) + "," +
         (r.awake ? "awake" : "asleep") + "," + std::to_string(r.frame.dropped) + "," +
         TileText(c) + "\n";
  } else {
    s = "{\"frame\":" + std::to_string(r.frame.index) +
        ",\"t_ms\":" + Num("%.3f", r.frame.timestamp_ms) +
        ",\"latency_ms\":" + Num("%.4f", r.latency_ms) + ",\"dsp_ms\":" + Num("%.4f", c.dsp_ms) +
        ",\"classification_ms\":" + Num("%.4f", c.classification_ms) + ",\"scores\":{";
    for (size_t i = 0; i < c.scores.size(); ++i)
      s += (i ? "," : "") + JsonString(labels_[i]) + ":" + Exact(c.scores[i]);
    s += "},\"scores_q\":[";
    for (size_t i = 0; i < c.scores_q.size(); ++i)
      s += (i ? "," : "") + std::to_string(c.scores_q[i]);
    s += "],\"label\":" + JsonString(label) + ",\"confidence\":" + Exact(r.label.confidence) +
         ",\"smoothed\":" + Exact(r.smoothed) + ",\"state\":\"" + (r.awake ? "awake" : "asleep") +
         "\",\"dropped\":" + std::to_string(r.frame.dropped) + ",\"tile\":" + TileJson(c) + "}\n";
  }
  std::fputs(s.c_str(), out_->get());
}

std::string EventJson(const WakeEvent& e) {
  return std::string("{\"event\":\"") + WakeEventName(e.type) +
         "\",\"frame\":" + std::to_string(e.frame) + ",\"t_ms\":" + Num("%.3f", e.t_ms) +
         ",\"score\":" + Exact(e.score) + "}\n";
}

}  // namespace vww
