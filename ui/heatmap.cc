// ui/heatmap: see heatmap.h.
#include "ui/heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "pipeline/explain.h"

namespace vww {

namespace {

// Stops of the colour scale (BGR): blue, cyan, green, yellow, red; the
// rainbow classroom heat maps use, evenly spaced.
constexpr int kStops = 5;
const cv::Vec3f kStop[kStops] = {
    {255, 40, 0}, {255, 220, 0}, {40, 220, 40}, {0, 230, 255}, {0, 0, 255}};

// Opacity of heat h in [0, 1]: weak heat barely tints the image.
float Opacity(float h) { return 0.7f * h; }

}  // namespace

cv::Vec3b HeatColour(float h) {
  h = std::clamp(h, 0.0f, 1.0f) * (kStops - 1);
  const int i = std::min(kStops - 2, static_cast<int>(h));
  const float t = h - static_cast<float>(i);
  const cv::Vec3f c = kStop[i] * (1.0f - t) + kStop[i + 1] * t;
  return {cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]),
          cv::saturate_cast<uchar>(c[2])};
}

void BlendHeat(const cv::Mat& heat, cv::Rect heat_roi, float full_scale, cv::Rect image_rect,
               cv::Mat* image) {
  CV_Assert(heat.type() == CV_32F && image->type() == CV_8UC3);
  heat_roi &= cv::Rect(0, 0, heat.cols, heat.rows);
  const cv::Rect visible = image_rect & cv::Rect(0, 0, image->cols, image->rows);
  if (heat_roi.empty() || visible.empty() || !(full_scale > 0)) return;
  // Each image pixel takes the heat of the model pixel it came from
  // (nearest): the patches stay visible as the squares they were.
  const double sx = static_cast<double>(heat_roi.width) / image_rect.width;
  const double sy = static_cast<double>(heat_roi.height) / image_rect.height;
  for (int y = visible.y; y < visible.br().y; ++y) {
    const int hy =
        heat_roi.y + std::min(heat_roi.height - 1, static_cast<int>((y - image_rect.y + 0.5) * sy));
    const float* hrow = heat.ptr<float>(hy);
    cv::Vec3b* row = image->ptr<cv::Vec3b>(y);
    for (int x = visible.x; x < visible.br().x; ++x) {
      const int hx = heat_roi.x +
                     std::min(heat_roi.width - 1, static_cast<int>((x - image_rect.x + 0.5) * sx));
      const float v = hrow[hx];
      if (!(v > 0)) continue;
      const float h = std::min(1.0f, v / full_scale);
      const float a = Opacity(h);
      const cv::Vec3b c = HeatColour(h);
      cv::Vec3b& p = row[x];
      for (int k = 0; k < 3; ++k) p[k] = cv::saturate_cast<uchar>(p[k] * (1.0f - a) + c[k] * a);
    }
  }
}

void DrawHeatScale(cv::Mat* image, cv::Rect where, const std::string& top_label, double scale) {
  const cv::Rect bar = where & cv::Rect(0, 0, image->cols, image->rows);
  if (bar.height < 2 || bar.width < 1) return;
  for (int y = bar.y; y < bar.br().y; ++y) {
    const float h = 1.0f - static_cast<float>(y - where.y) / (where.height - 1);
    const cv::Vec3b c = HeatColour(h);
    cv::line(*image, {bar.x, y}, {bar.br().x - 1, y}, cv::Scalar(c[0], c[1], c[2]));
  }
  cv::rectangle(*image, bar, cv::Scalar(255, 255, 255), 1);
  const double font = 0.4 * scale;
  const int thick = std::max(1, static_cast<int>(std::lround(scale)));
  int base = 0;
  const cv::Size th = cv::getTextSize(top_label, cv::FONT_HERSHEY_SIMPLEX, font, thick, &base);
  const cv::Point top(where.x - th.width - 4, where.y + th.height);
  const cv::Point bottom(
      where.x - cv::getTextSize("0", cv::FONT_HERSHEY_SIMPLEX, font, thick, &base).width - 4,
      where.br().y);
  for (const auto& [text, at] : {std::pair{top_label, top}, std::pair{std::string("0"), bottom}}) {
    cv::putText(*image, text, at, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), thick + 2,
                cv::LINE_AA);
    cv::putText(*image, text, at, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(255, 255, 255), thick,
                cv::LINE_AA);
  }
}

cv::Mat DrawExplainedFrame(const cv::Mat& frame, const HeatMap& heat, const HeatPlacement& where,
                           const std::string& caption) {
  cv::Mat bgr;
  if (frame.channels() == 1)
    cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
  else if (frame.channels() == 4)
    cv::cvtColor(frame, bgr, cv::COLOR_BGRA2BGR);
  else
    bgr = frame;
  // Small images (a 96x96 crop) are enlarged, pixels kept square, so the
  // caption and the patches are readable.
  const int zoom = std::max(
      1, (480 + std::min(bgr.rows, bgr.cols) - 1) / std::max(1, std::min(bgr.rows, bgr.cols)));
  cv::Mat out;
  cv::resize(bgr, out, {}, zoom, zoom, cv::INTER_NEAREST);
  HeatPlacement at = where;
  at.frame_rect = {where.frame_rect.x * zoom, where.frame_rect.y * zoom,
                   where.frame_rect.width * zoom, where.frame_rect.height * zoom};
  const float full = HeatFullScale(heat.max_drop());
  BlendHeat(heat.pixels, at.model_roi, full, at.frame_rect, &out);
  const double s = std::max(0.5, std::min(out.rows / 480.0, out.cols / 640.0));
  const int thick = std::max(1, static_cast<int>(std::lround(2 * s)));
  cv::rectangle(out, at.frame_rect, cv::Scalar(230, 220, 120), thick);  // what the model saw
  if (heat.count() > 0 && heat.max_drop() > 0)
    cv::rectangle(out, at.ToFrame(heat.patch_rect(heat.top)), cv::Scalar(255, 255, 255), thick);
  const int bar_w = std::max(6, static_cast<int>(12 * s));
  const int margin = static_cast<int>(10 * s);
  // The caption, shrunk to fit beside the colour scale and its labels.
  double font = 0.6 * s;
  int base = 0;
  const int room = out.cols - 2 * margin - bar_w - static_cast<int>(60 * s);
  cv::Size ts = cv::getTextSize(caption, cv::FONT_HERSHEY_SIMPLEX, font, thick, &base);
  if (ts.width > room && room > 0) {
    font *= static_cast<double>(room) / ts.width;
    ts = cv::getTextSize(caption, cv::FONT_HERSHEY_SIMPLEX, font, thick, &base);
  }
  const cv::Point org(margin, margin + ts.height);
  cv::putText(out, caption, org, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), thick + 2,
              cv::LINE_AA);
  cv::putText(out, caption, org, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(255, 255, 255), thick,
              cv::LINE_AA);
  char top[32];
  std::snprintf(top, sizeof top, "-%.2f", full);
  DrawHeatScale(
      &out,
      {out.cols - bar_w - margin, margin + ts.height + margin, bar_w, std::max(20, out.rows / 2)},
      top, s);
  return out;
}

}  // namespace vww
