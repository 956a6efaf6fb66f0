// pipeline/frame_log: see frame_log.h.
#include "pipeline/frame_log.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "pipeline/explain.h"

namespace vww {

std::string JsonText(const OrderedJson& j, int indent) {
  return j.dump(indent, ' ', false, OrderedJson::error_handler_t::replace);
}

std::string JsonString(const std::string& s) { return JsonText(OrderedJson(s)); }

std::string Num(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, v);
  return buf;
}

// %.9g: floats round-trip exactly, so logs can be compared with reference data.
std::string Exact(double v) { return Num("%.9g", v); }

OrderedJson JsonDigits(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  // The nearest double to a short decimal prints back as that decimal.
  const double r = std::strtod(buf, nullptr);
  if (std::strpbrk(buf, ".en") == nullptr) return OrderedJson(static_cast<int64_t>(r));
  return OrderedJson(r);
}

OrderedJson JsonFixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return OrderedJson(std::strtod(buf, nullptr));
}

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

FileOut::FileOut(const std::string& path) : path_(path), f_(std::fopen(path.c_str(), "we")) {
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
OrderedJson TileJson(const Classification& c) {
  const cv::Rect& t = c.tile_rect;
  return OrderedJson{{"index", c.tile}, {"x", t.x}, {"y", t.y}, {"w", t.width}, {"h", t.height}};
}

}  // namespace

namespace {

// The heat map's top patch in frame pixels.
cv::Rect TopPatch(const FrameResult& r) {
  const HeatPlacement where{r.heat_model_roi, r.heat_frame_rect};
  return where.ToFrame(r.heat->patch_rect(r.heat->top));
}

}  // namespace

FrameLog::FrameLog(const std::string& path, const std::vector<std::string>& labels,
                   const FrameLogColumns& columns)
    : labels_(labels), columns_(columns) {
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
  h += ",label,confidence,smoothed,state,dropped,tile";
  if (columns_.classified) h += ",classified";
  if (columns_.explain) h += ",explain_x,explain_y,explain_w,explain_h,explain_drop";
  h += "\n";
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
         (r.awake ? "awake" : "asleep") + "," + std::to_string(r.frame.dropped) + "," + TileText(c);
    if (columns_.classified) s += r.classified ? ",1" : ",0";
    if (columns_.explain) {
      if (r.heat && r.heat_fresh) {
        const cv::Rect p = TopPatch(r);
        s += "," + std::to_string(p.x) + "," + std::to_string(p.y) + "," + std::to_string(p.width) +
             "," + std::to_string(p.height) + "," + Exact(r.heat->max_drop());
      } else {
        s += ",,,,,";
      }
    }
    s += "\n";
  } else {
    OrderedJson scores = OrderedJson::object();
    for (size_t i = 0; i < c.scores.size(); ++i) scores[labels_[i]] = JsonExact(c.scores[i]);
    OrderedJson j = {{"frame", r.frame.index},
                     {"t_ms", JsonFixed(r.frame.timestamp_ms, 3)},
                     {"latency_ms", JsonFixed(r.latency_ms, 4)},
                     {"dsp_ms", JsonFixed(c.dsp_ms, 4)},
                     {"classification_ms", JsonFixed(c.classification_ms, 4)},
                     {"scores", scores},
                     {"scores_q", c.scores_q},
                     {"label", label},
                     {"confidence", JsonExact(r.label.confidence)},
                     {"smoothed", JsonExact(r.smoothed)},
                     {"state", r.awake ? "awake" : "asleep"},
                     {"dropped", r.frame.dropped},
                     {"tile", TileJson(c)}};
    if (columns_.classified) j["classified"] = r.classified ? 1 : 0;
    if (columns_.explain) {
      if (r.heat && r.heat_fresh) {
        const cv::Rect p = TopPatch(r);
        j["explain"] = {{"x", p.x},
                        {"y", p.y},
                        {"w", p.width},
                        {"h", p.height},
                        {"drop", JsonExact(r.heat->max_drop())}};
      } else {
        j["explain"] = nullptr;
      }
    }
    s = JsonText(j) + "\n";
  }
  std::fputs(s.c_str(), out_->get());
}

std::string EventJson(const WakeEvent& e) {
  const OrderedJson j = {{"event", WakeEventName(e.type)},
                         {"frame", e.frame},
                         {"t_ms", JsonFixed(e.t_ms, 3)},
                         {"score", JsonExact(e.score)}};
  return JsonText(j) + "\n";
}

}  // namespace vww
