#include "ui/overlay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "ui/heatmap.h"

namespace vww {
namespace {

const cv::Scalar kWhite(255, 255, 255);
const cv::Scalar kBlack(0, 0, 0);
const cv::Scalar kLightGrey(200, 200, 200);
const cv::Scalar kAmber(0, 190, 255);
const cv::Scalar kRed(40, 40, 230);
const cv::Scalar kThresholdColor(0, 220, 255);  // yellow: the line the score must cross
const cv::Scalar kWakeLineColor(255, 160, 60);  // light blue
const cv::Scalar kCropColor(230, 220, 120);  // pale cyan: not the threshold's yellow
const cv::Scalar kTileColor(255, 120, 255);

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr int kBoldFont = cv::FONT_HERSHEY_DUPLEX;

int Px(double v) { return static_cast<int>(std::lround(v)); }

// Hershey font scales are in arbitrary units; work in pixels of cap height so
// the overlay is laid out the same at every frame size.
double FontScaleFor(int font, double cap_px) {
  int base = 0;
  const cv::Size one = cv::getTextSize("H", font, 1.0, 1, &base);
  return cap_px / std::max(1, one.height);
}

int Thickness(double cap_px, double ratio) { return std::max(1, Px(cap_px * ratio)); }

struct TextStyle {
  int font = kFont;
  double cap_px = 16;
  cv::Scalar color = kWhite;
  double weight = 0.09;  // stroke thickness as a fraction of cap height
  bool outline = true;   // a dark halo keeps text readable over any video
};

cv::Size MeasureText(const std::string& text, const TextStyle& st) {
  int base = 0;
  return cv::getTextSize(text, st.font, FontScaleFor(st.font, st.cap_px),
                         Thickness(st.cap_px, st.weight), &base);
}

// org: the left end of the baseline, as cv::putText.
void DrawText(cv::Mat& img, const std::string& text, cv::Point org, const TextStyle& st) {
  const double scale = FontScaleFor(st.font, st.cap_px);
  const int thick = Thickness(st.cap_px, st.weight);
  if (st.outline)
    cv::putText(img, text, org, st.font, scale, kBlack, thick + std::max(2, thick), cv::LINE_AA);
  cv::putText(img, text, org, st.font, scale, st.color, thick, cv::LINE_AA);
}

// Semi-transparent dark panel: scaling in place needs no second image.
void Darken(cv::Mat& img, cv::Rect r, double keep) {
  r &= cv::Rect(0, 0, img.cols, img.rows);
  if (r.empty()) return;
  cv::Mat roi = img(r);
  roi.convertTo(roi, -1, keep);
}

void Tint(cv::Mat& img, cv::Rect r, const cv::Scalar& add) {
  r &= cv::Rect(0, 0, img.cols, img.rows);
  if (r.empty()) return;
  cv::Mat roi = img(r);
  cv::add(roi, add, roi);
}

void DashedHLine(cv::Mat& img, int x0, int x1, int y, const cv::Scalar& color, int thick,
                 int dash) {
  for (int x = x0; x < x1; x += 2 * dash)
    cv::line(img, {x, y}, {std::min(x + dash, x1), y}, color, thick, cv::LINE_AA);
}

cv::Rect MirrorRect(const cv::Rect& r, int width, bool mirror) {
  if (!mirror) return r;
  return cv::Rect(width - r.x - r.width, r.y, r.width, r.height);
}

// A thin outline with heavier corner brackets: visible without hiding the
// picture inside it.
void DrawBracketRect(cv::Mat& img, cv::Rect r, const cv::Scalar& color, double s) {
  if (r.empty()) return;
  const int thin = std::max(1, Px(1.5 * s)), thick = std::max(2, Px(4 * s));
  const int len = std::max(6, std::min(Px(30 * s), std::min(r.width, r.height) / 4));
  cv::rectangle(img, r, color, thin, cv::LINE_AA);
  const cv::Point c[4] = {r.tl(), {r.x + r.width - 1, r.y}, {r.x, r.y + r.height - 1},
                          {r.x + r.width - 1, r.y + r.height - 1}};
  for (const cv::Point& p : c) {
    const int dx = p.x == r.x ? len : -len, dy = p.y == r.y ? len : -len;
    cv::line(img, p, {p.x + dx, p.y}, color, thick, cv::LINE_AA);
    cv::line(img, p, {p.x, p.y + dy}, color, thick, cv::LINE_AA);
  }
}

void DrawBanner(cv::Mat& img, const OverlayState& st, const OverlayLayout& L) {
  const cv::Scalar fill = st.awake ? kAwakeColor : kAsleepColor;
  cv::rectangle(img, L.banner, fill, cv::FILLED);
  const std::string text = st.awake ? "PERSON - AWAKE" : "asleep";
  TextStyle ts;
  ts.font = kBoldFont;
  ts.cap_px = L.banner.height * 0.5;
  ts.weight = st.awake ? 0.14 : 0.08;
  ts.color = st.awake ? kWhite : cv::Scalar(225, 225, 225);
  ts.outline = st.awake;  // white on green needs the halo; grey on grey reads better without
  const cv::Size sz = MeasureText(text, ts);
  const cv::Point org(L.banner.x + (L.banner.width - sz.width) / 2,
                      L.banner.y + (L.banner.height + sz.height) / 2);
  DrawText(img, text, org, ts);

  const double s = L.scale;
  if (st.recording) {
    // Right end of the banner, where it never covers the picture.
    TextStyle rs;
    rs.font = kBoldFont;
    rs.cap_px = L.banner.height * 0.4;
    rs.weight = 0.12;
    const cv::Size rsz = MeasureText("REC", rs);
    const int r = Px(L.banner.height * 0.26);
    const int right = L.banner.x + L.banner.width - Px(12 * s);
    const cv::Point text_org(right - rsz.width, L.banner.y + (L.banner.height + rsz.height) / 2);
    const cv::Point dot(text_org.x - Px(8 * s) - r, L.banner.y + L.banner.height / 2);
    cv::circle(img, dot, r + std::max(1, Px(2 * s)), kWhite, cv::FILLED, cv::LINE_AA);
    cv::circle(img, dot, r, kRed, cv::FILLED, cv::LINE_AA);
    DrawText(img, "REC", text_org, rs);
  }
  if (st.fps > 0) {
    // Left end of the banner: frame rate, small.
    TextStyle fs;
    fs.cap_px = L.banner.height * 0.32;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f FPS", st.fps);
    const cv::Size fsz = MeasureText(buf, fs);
    DrawText(img, buf,
             {L.banner.x + Px(12 * s), L.banner.y + (L.banner.height + fsz.height) / 2}, fs);
  }
}

void DrawPanel(cv::Mat& img, const OverlayState& st, const OverlayLayout& L) {
  const double s = L.scale;
  Darken(img, L.panel, 0.35);

  // Label and confidence on one line, as large as the panel allows.
  const bool good = !st.uncertain && st.confidence >= st.threshold;
  TextStyle ls;
  ls.font = kBoldFont;
  ls.cap_px = L.label.height * 0.72;
  ls.weight = 0.12;
  ls.color = st.uncertain ? kAmber : kWhite;
  std::string label = st.top_label.empty() ? "-" : st.top_label;
  if (st.uncertain) label += "?";
  char pct[16];
  std::snprintf(pct, sizeof pct, "%d%%", Px(std::clamp(st.confidence, 0.0f, 1.0f) * 100));
  const cv::Size psz = MeasureText(pct, ls);
  // Shrink a long label rather than run into the percentage.
  const int room = L.label.width - psz.width - Px(12 * s);
  cv::Size lsz = MeasureText(label, ls);
  if (lsz.width > room && room > 0) {
    ls.cap_px *= static_cast<double>(room) / lsz.width;
    lsz = MeasureText(label, ls);
  }
  const int base_y = L.label.y + (L.label.height + Px(L.label.height * 0.72)) / 2;
  DrawText(img, label, {L.label.x, base_y}, ls);
  TextStyle ps = ls;
  ps.cap_px = L.label.height * 0.72;
  DrawText(img, pct, {L.label.x + L.label.width - psz.width, base_y}, ps);

  // Confidence bar with the threshold as a tick.
  cv::rectangle(img, L.bar, cv::Scalar(60, 60, 60), cv::FILLED);
  cv::Rect fill = L.bar;
  fill.width = Px(L.bar.width * std::clamp(st.confidence, 0.0f, 1.0f));
  if (fill.width > 0) cv::rectangle(img, fill, good ? kAwakeColor : kAmber, cv::FILLED);
  cv::rectangle(img, L.bar, kLightGrey, 1);
  const int tx = L.bar.x + Px(L.bar.width * std::clamp(st.threshold, 0.0f, 1.0f));
  const int over = std::max(2, Px(4 * s));
  cv::line(img, {tx, L.bar.y - over}, {tx, L.bar.y + L.bar.height + over}, kThresholdColor,
           std::max(2, Px(3 * s)));

  // Timings in Edge Impulse's words.
  TextStyle ts;
  ts.cap_px = 15 * s;
  ts.color = kLightGrey;
  const int line = Px(26 * s);
  int y = L.bar.y + L.bar.height + Px(12 * s) + Px(ts.cap_px);
  char buf[64];
  std::snprintf(buf, sizeof buf, "DSP %.3f ms", st.dsp_ms);
  DrawText(img, buf, {L.label.x, y}, ts);
  y += line;
  std::snprintf(buf, sizeof buf, "Classification %.3f ms", st.classification_ms);
  DrawText(img, buf, {L.label.x, y}, ts);
  y += line;
  std::snprintf(buf, sizeof buf, "threshold %.2f", st.threshold);
  ts.color = kThresholdColor;
  DrawText(img, buf, {L.label.x, y}, ts);
}

void DrawInset(cv::Mat& img, const OverlayState& st, const OverlayLayout& L) {
  if (st.model_image.empty() || L.inset.empty()) return;
  if ((L.inset & cv::Rect(0, 0, img.cols, img.rows)) != L.inset) return;  // frame too small
  const double s = L.scale;
  const int frame_px = std::max(2, Px(3 * s));
  cv::rectangle(img, {L.inset.x - frame_px, L.inset.y - frame_px},
                {L.inset.x + L.inset.width + frame_px - 1, L.inset.y + L.inset.height + frame_px - 1},
                kWhite, cv::FILLED);
  // Nearest neighbour: the class should see the model's pixels, blocky and
  // honest, not a smoothed picture that looks better than what the model got.
  cv::Mat roi = img(L.inset);
  const cv::Mat& m = st.model_image;
  if (m.type() == CV_8UC3) {
    cv::resize(m, roi, roi.size(), 0, 0, cv::INTER_NEAREST);
  } else {
    thread_local cv::Mat bgr;  // model-sized, so reused every frame
    if (m.type() == CV_8UC1)
      cv::cvtColor(m, bgr, cv::COLOR_GRAY2BGR);
    else if (m.type() == CV_8UC4)
      cv::cvtColor(m, bgr, cv::COLOR_BGRA2BGR);
    else
      return;
    cv::resize(bgr, roi, roi.size(), 0, 0, cv::INTER_NEAREST);
  }

  TextStyle cs;
  cs.cap_px = 13 * s;
  cs.color = kLightGrey;
  char buf[64];
  // Right-aligned under the inset: the captions may be wider than it.
  const int right = L.inset.x + L.inset.width;
  std::snprintf(buf, sizeof buf, "model input %dx%d", m.cols, m.rows);
  int y = L.inset.y + L.inset.height + frame_px + Px(8 * s) + Px(cs.cap_px);
  DrawText(img, buf, {right - MeasureText(buf, cs).width, y}, cs);
  if (!st.crop_mode.empty()) {
    y += Px(22 * s);
    const std::string crop = "crop: " + st.crop_mode;
    DrawText(img, crop, {right - MeasureText(crop, cs).width, y}, cs);
  }
  if (st.heat.empty()) return;
  // The heat map over what the model saw, and its scale to the left.
  BlendHeat(st.heat, {0, 0, st.heat.cols, st.heat.rows}, st.heat_scale, L.inset, &img);
  const int bar_w = std::max(6, Px(12 * s));
  char top[32];
  std::snprintf(top, sizeof top, "-%.2f", st.heat_scale);
  DrawHeatScale(&img, {L.inset.x - frame_px - Px(6 * s) - bar_w, L.inset.y, bar_w, L.inset.height},
                top, s);
  cs.color = kWhite;
  for (const std::string& line : {std::string("heat: person score drop"), st.explain_note}) {
    if (line.empty()) continue;
    y += Px(22 * s);
    DrawText(img, line, {right - MeasureText(line, cs).width, y}, cs);
  }
}

// Board-speed mode: a panel under the main one.
void DrawBoard(cv::Mat& img, const OverlayState& st, const OverlayLayout& L) {
  if (st.board_lines.empty()) return;
  const double s = L.scale;
  TextStyle ts;
  ts.cap_px = 13 * s;
  ts.color = kLightGrey;
  const int line = Px(22 * s), pad = Px(10 * s);
  int width = L.panel.width;
  for (const std::string& l : st.board_lines)
    width = std::max(width, MeasureText(l, ts).width + 2 * pad);
  const int lines = static_cast<int>(st.board_lines.size()) + (st.not_classified ? 1 : 0);
  const cv::Rect box(L.panel.x, L.panel.y + L.panel.height + Px(8 * s),
                     std::min(width, img.cols - L.panel.x - L.border), lines * line + pad);
  Darken(img, box, 0.35);
  int y = box.y + Px(6 * s) + Px(ts.cap_px);
  for (const std::string& l : st.board_lines) {
    DrawText(img, l, {box.x + pad, y}, ts);
    y += line;
  }
  if (st.not_classified) {
    ts.color = kAmber;
    DrawText(img, "this frame: not classified (board busy)", {box.x + pad, y}, ts);
  }
}

void DrawPlot(cv::Mat& img, const OverlayState& st, const OverlayLayout& L) {
  const double s = L.scale;
  const cv::Rect& P = L.plot;
  const cv::Rect& D = L.plot_data;
  if (P.empty() || D.empty()) return;
  Darken(img, P, 0.35);
  const double window = std::max(1.0, st.history_window_ms);
  const double t1 = st.history.empty() ? 0 : st.history.back().t_ms, t0 = t1 - window;
  const int top = D.y, bottom = D.y + D.height - 1;
  auto X = [&](double t) {
    return D.x + Px(std::clamp((t - t0) / window, 0.0, 1.0) * (D.width - 1));
  };
  auto Y = [&](float v) { return bottom - Px(std::clamp(v, 0.0f, 1.0f) * (bottom - top)); };

  // Awake periods: tint from each awake sample to the next sample.
  for (size_t i = 0; i < st.history.size(); ++i) {
    if (!st.history[i].awake) continue;
    size_t j = i;
    while (j + 1 < st.history.size() && st.history[j + 1].awake) ++j;
    const double end = j + 1 < st.history.size() ? st.history[j + 1].t_ms : st.history[j].t_ms;
    const int x0 = X(st.history[i].t_ms), x1 = std::max(X(end), x0 + 1);
    Tint(img, cv::Rect(x0, P.y, x1 - x0, P.height), cv::Scalar(0, 70, 0));
    i = j;
  }

  // Threshold lines run on into the gutter, where their values are written,
  // so the score line never hides the numbers.
  const int dash = std::max(4, Px(10 * s));
  const int line_w = std::max(1, Px(2 * s));
  const int gutter_x = D.x + D.width + Px(6 * s);
  TextStyle vs;
  vs.cap_px = 12 * s;
  char buf[64];
  DashedHLine(img, D.x, gutter_x, Y(st.threshold), kThresholdColor, line_w, dash);
  std::snprintf(buf, sizeof buf, "%.2f", st.threshold);
  vs.color = kThresholdColor;
  DrawText(img, buf, {gutter_x + Px(4 * s), Y(st.threshold) + Px(vs.cap_px / 2)}, vs);
  if (std::fabs(st.wake_threshold - st.threshold) > 1e-3f) {
    DashedHLine(img, D.x + dash, gutter_x, Y(st.wake_threshold), kWakeLineColor, line_w, dash);
    std::snprintf(buf, sizeof buf, "%.2f", st.wake_threshold);
    vs.color = kWakeLineColor;
    // Keep the two numbers apart when the thresholds are close.
    int y = Y(st.wake_threshold) + Px(vs.cap_px / 2);
    const int ty = Y(st.threshold) + Px(vs.cap_px / 2), min_gap = Px(vs.cap_px * 1.6);
    if (std::abs(y - ty) < min_gap) y = st.wake_threshold > st.threshold ? ty - min_gap : ty + min_gap;
    DrawText(img, buf, {gutter_x + Px(4 * s), y}, vs);
  }

  const int thick = std::max(2, Px(2.5 * s));
  for (size_t i = 1; i < st.history.size(); ++i) {
    const ScoreSample &a = st.history[i - 1], &b = st.history[i];
    if (b.t_ms < t0) continue;
    cv::line(img, {X(a.t_ms), Y(a.score)}, {X(b.t_ms), Y(b.score)}, kWhite, thick, cv::LINE_AA);
  }
  if (!st.history.empty()) {
    // "Now": the newest score as a dot at the right end.
    const cv::Point now(X(t1), Y(st.history.back().score));
    cv::circle(img, now, thick * 2, st.history.back().awake ? kAwakeColor : kLightGrey, cv::FILLED,
               cv::LINE_AA);
    cv::circle(img, now, thick * 2, kWhite, std::max(1, thick / 2), cv::LINE_AA);
  }

  TextStyle cs;
  cs.cap_px = 12 * s;
  cs.color = kLightGrey;
  std::snprintf(buf, sizeof buf, "person score, last %.0f s", window / 1000);
  DrawText(img, buf, {P.x + Px(8 * s), P.y + Px(6 * s) + Px(cs.cap_px)}, cs);
}

void DrawPaused(cv::Mat& img, const OverlayLayout& L) {
  TextStyle ps;
  ps.font = kBoldFont;
  ps.cap_px = img.rows * 0.09;
  ps.weight = 0.14;
  const cv::Size sz = MeasureText("PAUSED", ps);
  const int bar_w = Px(ps.cap_px * 0.28), gap = Px(ps.cap_px * 0.22);
  const int icon_w = 2 * bar_w + gap, spacing = Px(ps.cap_px * 0.5);
  const int total = icon_w + spacing + sz.width;
  const int x = (img.cols - total) / 2, base = (img.rows + sz.height) / 2;
  Darken(img, cv::Rect(0, base - sz.height - Px(ps.cap_px * 0.5), img.cols, sz.height + Px(ps.cap_px)),
         0.5);
  for (int k = 0; k < 2; ++k)
    cv::rectangle(img, cv::Rect(x + k * (bar_w + gap), base - sz.height, bar_w, sz.height), kWhite,
                  cv::FILLED);
  DrawText(img, "PAUSED", {x + icon_w + spacing, base}, ps);
}

void DrawHelp(cv::Mat& img, const OverlayLayout& L) {
  const double s = L.scale;
  TextStyle ks;
  ks.font = kBoldFont;
  ks.cap_px = 17 * s;
  ks.color = kThresholdColor;
  TextStyle ds = ks;
  ds.font = kFont;
  ds.color = kWhite;
  int key_w = 0, desc_w = 0;
  for (const auto& [key, desc] : HelpKeys()) {
    key_w = std::max(key_w, MeasureText(key, ks).width);
    desc_w = std::max(desc_w, MeasureText(desc, ds).width);
  }
  TextStyle title = ks;
  title.cap_px = 22 * s;
  title.color = kWhite;
  const int line = Px(28 * s), pad = Px(18 * s), gap = Px(24 * s);
  const int w = std::max(key_w + gap + desc_w, MeasureText("Keys", title).width) + 2 * pad;
  const int h = Px(title.cap_px) + Px(16 * s) + line * static_cast<int>(HelpKeys().size()) + 2 * pad;
  const cv::Rect box((img.cols - w) / 2, (img.rows - h) / 2, w, h);
  Darken(img, box, 0.12);  // nearly opaque: the keys must read over any picture
  cv::rectangle(img, box, kLightGrey, std::max(1, Px(2 * s)), cv::LINE_AA);
  int y = box.y + pad + Px(title.cap_px);
  DrawText(img, "Keys", {box.x + pad, y}, title);
  y += Px(16 * s);
  for (const auto& [key, desc] : HelpKeys()) {
    y += line;
    DrawText(img, key, {box.x + pad, y}, ks);
    DrawText(img, desc, {box.x + pad + key_w + gap, y}, ds);
  }
}

}  // namespace

void PushScore(std::deque<ScoreSample>* history, const ScoreSample& sample, double window_ms) {
  // A clock that went backwards (a looping file restarting) would fold the
  // plot over itself; start afresh instead.
  if (!history->empty() && sample.t_ms < history->back().t_ms) history->clear();
  history->push_back(sample);
  while (!history->empty() && history->front().t_ms < sample.t_ms - window_ms)
    history->pop_front();
}

OverlayLayout ComputeLayout(cv::Size frame, cv::Size model) {
  OverlayLayout L;
  const int W = frame.width, H = frame.height;
  // 1 at 640x480; text and margins follow the smaller of the two ratios so a
  // wide or tall frame does not overflow.
  L.scale = std::max(0.3, std::min(H / 480.0, W / 640.0));
  const double s = L.scale;
  L.border = std::max(2, Px(8 * s));
  const int m = Px(10 * s);
  L.banner = cv::Rect(L.border, L.border, W - 2 * L.border, Px(44 * s));

  const int pad = Px(10 * s);
  const int panel_w = std::min(Px(300 * s), W / 2 - L.border - m);
  L.panel = cv::Rect(L.border + m, L.banner.y + L.banner.height + m, panel_w, Px(166 * s));
  L.label = cv::Rect(L.panel.x + pad, L.panel.y + pad, panel_w - 2 * pad, Px(50 * s));
  L.bar = cv::Rect(L.label.x, L.label.y + L.label.height + Px(6 * s), L.label.width, Px(16 * s));

  if (model.width > 0 && model.height > 0) {
    // An integer zoom keeps every model pixel the same size on screen.
    const int zoom = std::max(
        1, std::min(Px(std::floor(0.4 * H / model.height)), Px(std::floor(0.33 * W / model.width))));
    L.inset_zoom = zoom;
    const int iw = model.width * zoom, ih = model.height * zoom;
    const int frame_px = std::max(2, Px(3 * s));
    L.inset = cv::Rect(W - L.border - m - frame_px - iw, L.panel.y + frame_px, iw, ih);
  }

  const int plot_h = std::max(24, Px(96 * s));
  L.plot = cv::Rect(L.border + m, H - L.border - m - plot_h, W - 2 * (L.border + m), plot_h);
  const int plot_pad = std::max(2, Px(5 * s)), gutter = Px(52 * s);
  L.plot_data = cv::Rect(L.plot.x + plot_pad, L.plot.y + plot_pad,
                         std::max(0, L.plot.width - 2 * plot_pad - gutter),
                         std::max(0, L.plot.height - 2 * plot_pad));
  return L;
}

const std::vector<std::pair<std::string, std::string>>& HelpKeys() {
  static const std::vector<std::pair<std::string, std::string>> keys = {
      {"q / Esc", "quit"},     {"space", "pause"},          {"r", "record"},
      {"s", "snapshot"},       {"m", "mirror"},             {"c", "crop mode"},
      {"+ / -", "threshold"},  {"f", "fullscreen"},         {"x", "heat map"},
      {"h", "help"},
  };
  return keys;
}

void DrawOverlay(const cv::Mat& frame, const OverlayState& st, cv::Mat* out) {
  CV_Assert(!frame.empty() && frame.depth() == CV_8U);
  switch (frame.channels()) {
    case 1: cv::cvtColor(frame, *out, cv::COLOR_GRAY2BGR); break;
    case 3:
      if (out->data != frame.data) frame.copyTo(*out);
      break;
    case 4: cv::cvtColor(frame, *out, cv::COLOR_BGRA2BGR); break;
    default: CV_Error(cv::Error::StsBadArg, "DrawOverlay: 1, 3 or 4 channels expected");
  }
  cv::Mat& img = *out;
  // The heat map goes on the frame before mirroring, so it mirrors with it.
  if (!st.heat.empty())
    BlendHeat(st.heat, st.heat_model_roi, st.heat_scale, st.heat_frame_rect, &img);
  if (st.mirror) cv::flip(img, img, 1);

  const OverlayLayout L = ComputeLayout(img.size(), st.model_image.size());
  const double s = L.scale;

  // Frame-space annotations first, so the panels sit on top of them.
  if (!st.crop.empty()) {
    // Dim what the model does not see: clearer than any outline from the back
    // of a room. Four strips around the crop, darkened in place.
    const cv::Rect c = MirrorRect(st.crop, img.cols, st.mirror) & cv::Rect(0, 0, img.cols, img.rows);
    const int W = img.cols, H = img.rows;
    for (const cv::Rect& r : {cv::Rect(0, 0, W, c.y), cv::Rect(0, c.y + c.height, W, H - c.y - c.height),
                              cv::Rect(0, c.y, c.x, c.height),
                              cv::Rect(c.x + c.width, c.y, W - c.x - c.width, c.height)})
      Darken(img, r, 0.55);
    DrawBracketRect(img, c, kCropColor, s);
  }
  for (const cv::Rect& t : st.tiles)
    cv::rectangle(img, MirrorRect(t, img.cols, st.mirror), kTileColor, std::max(2, Px(3 * s)),
                  cv::LINE_AA);

  DrawPanel(img, st, L);
  DrawBoard(img, st, L);
  DrawInset(img, st, L);
  DrawPlot(img, st, L);

  if (!st.message.empty()) {
    TextStyle ms;
    ms.cap_px = 15 * s;
    DrawText(img, st.message, {L.plot.x, L.plot.y - Px(10 * s)}, ms);
  }
  if (!st.help) {
    // A hint, so nobody has to know the keys beforehand.
    TextStyle hs;
    hs.cap_px = 12 * s;
    hs.color = kLightGrey;
    const cv::Size sz = MeasureText("h: help", hs);
    DrawText(img, "h: help", {L.plot.x + L.plot.width - sz.width, L.plot.y - Px(10 * s)}, hs);
  }
  if (st.paused) DrawPaused(img, L);

  // Wake state last among the status elements: it must never be covered.
  const cv::Scalar wake = st.awake ? kAwakeColor : kAsleepColor;
  const int b = L.border, W = img.cols, H = img.rows;
  for (const cv::Rect& r : {cv::Rect(0, 0, W, b), cv::Rect(0, H - b, W, b), cv::Rect(0, 0, b, H),
                            cv::Rect(W - b, 0, b, H)})
    cv::rectangle(img, r & cv::Rect(0, 0, W, H), wake, cv::FILLED);
  DrawBanner(img, st, L);

  if (st.help) DrawHelp(img, L);
}

cv::Mat DrawOverlay(const cv::Mat& frame, const OverlayState& state) {
  cv::Mat out;
  DrawOverlay(frame, state, &out);
  return out;
}

}  // namespace vww
