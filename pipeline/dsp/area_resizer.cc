// pipeline/dsp/area_resizer: OpenCV's INTER_AREA resize, reproduced float
// step by float step (so bit-exact) but faster (dsp.h, AreaResizer).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "pipeline/dsp/dsp.h"

namespace vww {

namespace {

// Four floats in one SIMD register (GCC / Clang vector extension: plain
// element-wise IEEE arithmetic, so exactly the scalar results).
typedef float Float4 __attribute__((vector_size(16)));

constexpr float kRoundingBias = 12582912.0f;  // 1.5 * 2^23

// OpenCV's scale for a resize axis: 1 / (destination / source), in double.
double AreaScale(int source, int size) {
  return 1.0 / (static_cast<double>(size) / static_cast<double>(source));
}

// OpenCV's test for its whole-number ("area fast") path on one axis.
bool WholeScale(double scale, int* factor) {
  *factor = static_cast<int>(std::lrint(scale));
  return std::abs(scale - *factor) < DBL_EPSILON;
}

}  // namespace

bool AreaResizer::RunWhole(const cv::Mat& src, cv::Size size, cv::Mat* dst) {
  if (src.depth() != CV_8U || size.width <= 0 || size.height <= 0 || dst->data == src.data)
    return false;
  int kx = 0, ky = 0;
  if (!WholeScale(AreaScale(src.cols, size.width), &kx) ||
      !WholeScale(AreaScale(src.rows, size.height), &ky) || kx < 1 || ky < 1 ||
      kx * size.width != src.cols || ky * size.height != src.rows)
    return false;
  // 2x2: OpenCV's own path, already fast, rounds (sum + 2) / 4 half up.
  // Past 257 rows a 16-bit column sum could overflow.
  if ((kx == 2 && ky == 2) || ky > 257 || static_cast<int64_t>(kx) * ky > 65536) return false;
  const int cn = src.channels();
  const int row_len = src.cols * cn;
  dst->create(size, src.type());
  if (column_.size() < static_cast<size_t>(row_len)) column_.resize(row_len);
  if (area_ != kx * ky) {
    // OpenCV's whole-number area resize: the box sum times the float
    // 1 / area, rounded to the nearest integer, ties to even (its
    // saturate_cast<uchar>(int_sum * float_scale)). Tabulated once per area.
    area_ = kx * ky;
    const float scale = 1.0f / static_cast<float>(area_);
    mean_.resize(static_cast<size_t>(255) * area_ + 1);
    for (size_t sum = 0; sum < mean_.size(); ++sum)
      mean_[sum] = static_cast<uint8_t>(
          std::min(255L, std::lrint(static_cast<float>(static_cast<int>(sum)) * scale)));
  }
  uint16_t* column = column_.data();
  const uint8_t* mean = mean_.data();
  for (int y = 0; y < size.height; ++y) {
    // Column sums of the ky source rows (vectorised by the compiler) ...
    const uint8_t* first = src.ptr<uint8_t>(y * ky);
    for (int i = 0; i < row_len; ++i) column[i] = first[i];
    for (int dy = 1; dy < ky; ++dy) {
      const uint8_t* row = src.ptr<uint8_t>(y * ky + dy);
      for (int i = 0; i < row_len; ++i) column[i] = static_cast<uint16_t>(column[i] + row[i]);
    }
    // ... then kx of them per output pixel and channel. BGR and gray get
    // their own loops: one accumulator per channel keeps them in registers.
    uint8_t* out = dst->ptr<uint8_t>(y);
    const uint16_t* box = column;
    if (cn == 3) {
      for (int x = 0; x < size.width; ++x, box += kx * 3, out += 3) {
        int b = 0, g = 0, r = 0;
        for (int dx = 0; dx < kx; ++dx) {
          b += box[dx * 3];
          g += box[dx * 3 + 1];
          r += box[dx * 3 + 2];
        }
        out[0] = mean[b];
        out[1] = mean[g];
        out[2] = mean[r];
      }
    } else if (cn == 1) {
      for (int x = 0; x < size.width; ++x, box += kx) {
        int sum = 0;
        for (int dx = 0; dx < kx; ++dx) sum += box[dx];
        out[x] = mean[sum];
      }
    } else {
      for (int x = 0; x < size.width; ++x, box += kx * cn) {
        for (int c = 0; c < cn; ++c) {
          int sum = 0;
          for (int dx = 0; dx < kx; ++dx) sum += box[dx * cn + c];
          out[x * cn + c] = mean[sum];
        }
      }
    }
  }
  return true;
}

void AreaResizer::Axis::Build(int source_size, int out_size, int channels) {
  if (source == source_size && size == out_size && cn == channels) return;
  source = source_size;
  size = out_size;
  cn = channels;
  offset.clear();
  weight.clear();
  first.assign(1, 0);
  auto add = [&](int s, double w) {
    offset.push_back(s * channels);
    weight.push_back(static_cast<float>(w));
  };
  // OpenCV's area weights (its computeResizeAreaTab): output i covers source
  // [i * scale, (i + 1) * scale); partly covered pixels at either end get
  // their covered fraction, whole ones 1, all divided by the cell's width.
  // Every step in double, each weight rounded to float once, as there.
  const double scale = AreaScale(source_size, out_size);
  for (int i = 0; i < out_size; ++i) {
    const double f1 = i * scale, f2 = f1 + scale;
    const double cell = std::min(scale, source_size - f1);
    int s1 = static_cast<int>(std::ceil(f1)), s2 = static_cast<int>(std::floor(f2));
    s2 = std::min(s2, source_size - 1);
    s1 = std::min(s1, s2);
    if (s1 - f1 > 1e-3) add(s1 - 1, (s1 - f1) / cell);
    for (int s = s1; s < s2; ++s) add(s, 1.0 / cell);
    if (f2 - s2 > 1e-3) add(s2, std::min(std::min(f2 - s2, 1.0), cell) / cell);
    first.push_back(static_cast<int>(offset.size()));
  }
  // The same terms for four columns at a time (SumRowGray): [group][k][lane],
  // short columns padded with weight 0 on their last pixel.
  group_first.assign(1, 0);
  group_offset.clear();
  group_weight.clear();
  for (int g = 0; g * 4 < out_size; ++g) {
    int longest = 0;
    for (int l = 0; l < 4 && g * 4 + l < out_size; ++l)
      longest = std::max(longest, first[g * 4 + l + 1] - first[g * 4 + l]);
    for (int k = 0; k < longest; ++k)
      for (int l = 0; l < 4; ++l) {
        const int i = std::min(g * 4 + l, out_size - 1);
        const int n = first[i + 1] - first[i];
        const bool real = g * 4 + l < out_size && k < n;
        group_offset.push_back(n > 0 ? offset[first[i] + std::min(k, n - 1)] : 0);
        group_weight.push_back(real ? weight[first[i] + k] : 0.0f);
      }
    group_first.push_back(static_cast<int>(group_offset.size()));
  }
}

namespace {

// A source row's weighted column sums for OpenCV's area resize: out[i * cn
// + c] = (...((0 + p0 w0) + p1 w1) + ...) over output column i's terms in
// order, as OpenCV adds them; row is the source row as float (+ one spare
// pixel), terms hold source offsets already multiplied by cn.
struct RowTerms {
  const int* first;   // output column i: terms [first[i], first[i + 1])
  const int* offset;  // source float offset of each term
  const float* weight;
  int width;  // output columns
};

void SumRowVector(const float* __restrict row, const RowTerms& t, int cn, float* __restrict out) {
  // BGR / BGRA: a pixel's channels side by side in one 4-lane vector (for
  // BGR the fourth lane reads the next pixel and is dropped): the same
  // element-wise float multiply and add per channel, a third of the work.
  for (int i = 0; i < t.width; ++i) {
    Float4 v = {0, 0, 0, 0};
    for (int k = t.first[i]; k < t.first[i + 1]; ++k) {
      Float4 p;
      std::memcpy(&p, row + t.offset[k], sizeof(p));
      const float w = t.weight[k];
      v = v + p * Float4{w, w, w, w};
    }
    for (int c = 0; c < cn; ++c) out[i * cn + c] = v[c];
  }
}

// Gray: four output columns at once, one per lane. Each group of four has
// its terms padded to the longest column's count with weight-0 terms (x * 0
// + v = v exactly, all values being >= 0), laid out [group][k][lane].
void SumRowGray(const float* __restrict row, const int* __restrict group_first,
                const int* __restrict offset, const float* __restrict weight, int width,
                float* __restrict out) {
  const int groups = (width + 3) / 4;
  for (int g = 0; g < groups; ++g) {
    Float4 v = {0, 0, 0, 0};
    for (int k = group_first[g]; k < group_first[g + 1]; k += 4) {
      const int* o = offset + k;
      Float4 w;
      std::memcpy(&w, weight + k, sizeof(w));
      v = v + Float4{row[o[0]], row[o[1]], row[o[2]], row[o[3]]} * w;
    }
    const int lanes = std::min(4, width - g * 4);
    for (int l = 0; l < lanes; ++l) out[g * 4 + l] = v[l];
  }
}

void SumRowScalar(const float* __restrict row, const RowTerms& t, int cn, float* __restrict out) {
  for (int i = 0; i < t.width; ++i)
    for (int c = 0; c < cn; ++c) {
      float v = 0;
      for (int k = t.first[i]; k < t.first[i + 1]; ++k) v = v + row[t.offset[k] + c] * t.weight[k];
      out[i * cn + c] = v;
    }
}

void ToFloat(const uint8_t* __restrict in, int n, float* __restrict out) {
  for (int i = 0; i < n; ++i) out[i] = in[i];
}

void Assign(const float* __restrict in, float beta, int n, float* __restrict acc) {
  for (int e = 0; e < n; ++e) acc[e] = beta * in[e];
}

void MultiplyAdd(const float* __restrict in, float beta, int n, float* __restrict acc) {
  for (int e = 0; e < n; ++e) acc[e] = acc[e] + beta * in[e];
}

// saturate_cast<uchar>(float): round to nearest, ties to even, clamp.
// Adding and taking away 1.5 * 2^23 rounds a float in [0, 2^22) to an
// integer in the default rounding mode (the sums are in [0, 256)), without
// the libm call that lrint is without -fno-math-errno.
void RoundToBytes(const float* __restrict acc, int n, uint8_t* __restrict out) {
  for (int e = 0; e < n; ++e) {
    const float rounded = (acc[e] + kRoundingBias) - kRoundingBias;
    out[e] = static_cast<uint8_t>(std::min(255.0f, std::max(0.0f, rounded)));
  }
}

}  // namespace

bool AreaResizer::RunGeneral(const cv::Mat& src, cv::Size size, cv::Mat* dst) {
  if (src.depth() != CV_8U || size.width <= 0 || size.height <= 0 || dst->data == src.data ||
      size.width > src.cols || size.height > src.rows)
    return false;
  int kx = 0, ky = 0;  // OpenCV takes its whole-number path for these
  if (WholeScale(AreaScale(src.cols, size.width), &kx) &&
      WholeScale(AreaScale(src.rows, size.height), &ky))
    return false;
  const int cn = src.channels();
  x_.Build(src.cols, size.width, cn);
  y_.Build(src.rows, size.height, 1);
  dst->create(size, src.type());
  const int row_len = src.cols * cn, out_len = size.width * cn;
  if (row_.size() < static_cast<size_t>(row_len) + 4) row_.resize(row_len + 4);  // + a lane
  if (sums_.size() < static_cast<size_t>(out_len)) sums_.resize(out_len);
  if (acc_.size() < static_cast<size_t>(out_len)) acc_.resize(out_len);
  const RowTerms terms{x_.first.data(), x_.offset.data(), x_.weight.data(), size.width};
  int summed_row = -1;  // the source row sums_ holds (boundary rows serve two outputs)
  for (int y = 0; y < size.height; ++y) {
    // The output row: sum over its source rows of weight * column sums, the
    // first one assigned (OpenCV's sum = beta * buf), then added in order.
    for (int k = y_.first[y]; k < y_.first[y + 1]; ++k) {
      const int sy = y_.offset[k];
      if (sy != summed_row) {
        ToFloat(src.ptr<uint8_t>(sy), row_len, row_.data());
        if (cn == 3 || cn == 4)
          SumRowVector(row_.data(), terms, cn, sums_.data());
        else if (cn == 1)
          SumRowGray(row_.data(), x_.group_first.data(), x_.group_offset.data(),
                     x_.group_weight.data(), size.width, sums_.data());
        else
          SumRowScalar(row_.data(), terms, cn, sums_.data());
        summed_row = sy;
      }
      if (k == y_.first[y])
        Assign(sums_.data(), y_.weight[k], out_len, acc_.data());
      else
        MultiplyAdd(sums_.data(), y_.weight[k], out_len, acc_.data());
    }
    RoundToBytes(acc_.data(), out_len, dst->ptr<uint8_t>(y));
  }
  return true;
}

void AreaResizer::Run(const cv::Mat& src, cv::Size size, cv::Mat* dst) {
  if (!RunWhole(src, size, dst) && !RunGeneral(src, size, dst))
    cv::resize(src, *dst, size, 0, 0, cv::INTER_AREA);
}

}  // namespace vww
