// ui/eval_report: see eval_report.h.
#include "ui/eval_report.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pipeline/capture/image_file.h"
#include "ui/heatmap.h"

namespace vww {

namespace {

const cv::Scalar kWhite(255, 255, 255), kBlack(0, 0, 0), kGrey(160, 160, 160);
const cv::Scalar kPositive(40, 150, 40), kNegative(40, 40, 200), kCurve(200, 90, 20);
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void Text(cv::Mat* img, const std::string& s, cv::Point at, double scale = 0.5,
          const cv::Scalar& colour = kBlack) {
  cv::putText(*img, s, at, kFont, scale, colour, 1, cv::LINE_AA);
}

std::string Fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

// A unit square plot area with ticks at 0, 0.2 ... 1 on both axes.
void Axes(cv::Mat* img, cv::Rect area, const std::string& x_label, const std::string& y_label,
          const std::string& title) {
  cv::rectangle(*img, area, kBlack, 1);
  for (int i = 0; i <= 5; ++i) {
    const int x = area.x + area.width * i / 5, y = area.y + area.height - area.height * i / 5;
    cv::line(*img, {x, area.y + area.height}, {x, area.y + area.height + 5}, kBlack);
    cv::line(*img, {area.x - 5, y}, {area.x, y}, kBlack);
    Text(img, Fixed(i / 5.0, 1), {x - 10, area.y + area.height + 20}, 0.4);
    Text(img, Fixed(i / 5.0, 1), {area.x - 35, y + 4}, 0.4);
  }
  Text(img, x_label, {area.x + area.width / 2 - 60, area.y + area.height + 42});
  Text(img, y_label, {area.x - 40, area.y - 10});
  Text(img, title, {area.x + area.width / 2 - 70, area.y - 28}, 0.6);
}

}  // namespace

cv::Mat DrawRocAndHistograms(const std::vector<RocPoint>& roc, double auc,
                             const std::vector<float>& pos, const std::vector<float>& neg,
                             const std::string& pos_label, const std::string& neg_label) {
  cv::Mat img(480, 960, CV_8UC3, kWhite);
  // ROC.
  const cv::Rect a(70, 70, 340, 340);
  Axes(&img, a, "false positive rate", "true positive rate", "ROC curve");
  const auto to_px = [&a](double x, double y) {
    return cv::Point(a.x + static_cast<int>(x * a.width),
                     a.y + a.height - static_cast<int>(y * a.height));
  };
  cv::line(img, to_px(0, 0), to_px(1, 1), kGrey, 1, cv::LINE_AA);
  for (size_t i = 1; i < roc.size(); ++i)
    cv::line(img, to_px(roc[i - 1].fpr, roc[i - 1].tpr), to_px(roc[i].fpr, roc[i].tpr), kCurve, 2,
             cv::LINE_AA);
  if (!roc.empty())
    cv::line(img, to_px(roc.back().fpr, roc.back().tpr), to_px(1, 1), kCurve, 2, cv::LINE_AA);
  cv::line(img, {a.x + 150, a.y + 290}, {a.x + 175, a.y + 290}, kCurve, 2);
  Text(&img, "model, AUC " + (auc >= 0 ? Fixed(auc, 3) : std::string("n/a")),
       {a.x + 182, a.y + 295}, 0.45);
  cv::line(img, {a.x + 150, a.y + 315}, {a.x + 175, a.y + 315}, kGrey, 1);
  Text(&img, "chance", {a.x + 182, a.y + 320}, 0.45);

  // Histograms of the positive-class score, as fractions of each class.
  const cv::Rect h(560, 70, 340, 340);
  Axes(&img, h, "score of '" + pos_label + "'", "fraction of class", "score histograms");
  constexpr int kBins = 20;
  const auto hist = [](const std::vector<float>& v) {
    std::vector<double> f(kBins, 0);
    for (float s : v) f[std::clamp(static_cast<int>(s * kBins), 0, kBins - 1)] += 1.0 / v.size();
    return f;
  };
  const std::vector<double> hp = hist(pos), hn = hist(neg);
  const int bw = h.width / kBins;
  for (int b = 0; b < kBins; ++b) {
    const int x = h.x + b * bw;
    const auto bar = [&](double f, const cv::Scalar& colour, int offset) {
      const int height = static_cast<int>(std::min(1.0, f) * h.height);
      if (height > 0)
        cv::rectangle(img, {x + offset, h.y + h.height - height, bw / 2 - 1, height}, colour,
                      cv::FILLED);
    };
    if (!neg.empty()) bar(hn[b], kNegative, 0);
    if (!pos.empty()) bar(hp[b], kPositive, bw / 2);
  }
  cv::rectangle(img, {h.x + 150, h.y + 12, 14, 14}, kPositive, cv::FILLED);
  Text(&img, pos_label + " (" + std::to_string(pos.size()) + ")", {h.x + 170, h.y + 24}, 0.45);
  cv::rectangle(img, {h.x + 150, h.y + 34, 14, 14}, kNegative, cv::FILLED);
  Text(&img, neg_label + " (" + std::to_string(neg.size()) + ")", {h.x + 170, h.y + 46}, 0.45);
  return img;
}

std::string FitText(const std::string& text, int max_width, int font, double scale, int thickness) {
  int base = 0;
  const auto width = [&](const std::string& t) {
    return cv::getTextSize(t, font, scale, thickness, &base).width;
  };
  if (width(text) <= max_width) return text;
  // Keep both ends (a file name's start and its extension, a caption's
  // label and its score), drop characters from the middle.
  for (size_t keep = text.size(); keep-- > 0;) {
    const size_t head = (keep + 1) / 2, tail = keep / 2;
    const std::string t = text.substr(0, head) + "..." + text.substr(text.size() - tail);
    if (width(t) <= max_width) return t;
  }
  return "";
}

cv::Mat DrawContactSheet(const std::vector<SheetItem>& items) {
  constexpr int kThumb = 160, kCaption = 40, kColumns = 5, kPad = 4;
  static constexpr double kCaptionScale = 0.4, kMinCaptionScale = 0.32;
  if (items.empty()) {
    cv::Mat img(80, 420, CV_8UC3, kWhite);
    Text(&img, "no misclassified images", {20, 45}, 0.7);
    return img;
  }
  const int columns = std::min<int>(kColumns, static_cast<int>(items.size()));
  const int rows = (static_cast<int>(items.size()) + columns - 1) / columns;
  bool any_heat = false;
  float heat_scale = 0;
  for (const SheetItem& item : items)
    if (!item.heat.empty()) {
      any_heat = true;
      heat_scale = std::max(heat_scale, item.heat_scale);
    }
  const int legend = any_heat ? 44 : 0;
  cv::Mat sheet(rows * (kThumb + kCaption) + legend, std::max(columns * kThumb, 420), CV_8UC3,
                kWhite);
  for (size_t i = 0; i < items.size(); ++i) {
    const SheetItem& item = items[i];
    const cv::Rect cell(static_cast<int>(i % columns) * kThumb,
                        static_cast<int>(i / columns) * (kThumb + kCaption), kThumb, kThumb);
    cv::Mat image = ReadImageFile(item.file, cv::IMREAD_COLOR);
    if (!image.empty()) {
      if (!item.heat.empty())
        BlendHeat(item.heat, item.model_roi, heat_scale, item.image_rect, &image);  // one scale
      const double s = static_cast<double>(kThumb) / std::max(image.cols, image.rows);
      cv::Mat thumb;
      cv::resize(image, thumb, {}, s, s, cv::INTER_AREA);
      thumb.copyTo(sheet(cv::Rect(cell.x + (kThumb - thumb.cols) / 2,
                                  cell.y + (kThumb - thumb.rows) / 2, thumb.cols, thumb.rows)));
    }
    // Each line shrinks (down to a still readable size) before it is
    // shortened, so it never runs into the next tile.
    const int width = kThumb - 2 * kPad;
    const auto fit = [width](const std::string& text, double* scale) {
      int base = 0;
      const int w = cv::getTextSize(text, kFont, kCaptionScale, 1, &base).width;
      *scale = w > width ? std::max(kMinCaptionScale, kCaptionScale * width / w) : kCaptionScale;
      return FitText(text, width, kFont, *scale);
    };
    double scale = kCaptionScale;
    const std::string name = fit(std::filesystem::path(item.file).filename().string(), &scale);
    Text(&sheet, name, {cell.x + kPad, cell.y + kThumb + 15}, scale);
    const std::string caption = fit(item.caption, &scale);
    Text(&sheet, caption, {cell.x + kPad, cell.y + kThumb + 32}, scale, kNegative);
  }
  if (any_heat) {
    const int y = rows * (kThumb + kCaption) + 8;
    // A horizontal colour bar: cold (left) to hot (right).
    const cv::Rect bar(150, y + 4, 200, 14);
    for (int x = 0; x < bar.width; ++x) {
      const cv::Vec3b c = HeatColour(static_cast<float>(x) / (bar.width - 1));
      cv::line(sheet, {bar.x + x, bar.y}, {bar.x + x, bar.br().y - 1},
               cv::Scalar(c[0], c[1], c[2]));
    }
    cv::rectangle(sheet, bar, kBlack, 1);
    Text(&sheet, "heat: score drop", {6, y + 15}, kCaptionScale);
    Text(&sheet, "0", {bar.x - 12, y + 15}, kCaptionScale);
    Text(&sheet, Fixed(heat_scale, 2) + "+", {bar.br().x + 6, y + 15}, kCaptionScale);
  }
  return sheet;
}

}  // namespace vww
