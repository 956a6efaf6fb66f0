#include "pipeline/dsp.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "model/model.h"

namespace vww {

const char* CropModeName(CropMode mode) {
  switch (mode) {
    case CropMode::kFitShortest:
      return "fit-shortest";
    case CropMode::kFitLongest:
      return "fit-longest";
    case CropMode::kSquash:
      return "squash";
  }
  return "?";
}

CropMode ParseCropMode(const std::string& name) {
  if (name == "fit-shortest" || name == "crop") return CropMode::kFitShortest;
  if (name == "fit-longest" || name == "letterbox") return CropMode::kFitLongest;
  if (name == "squash") return CropMode::kSquash;
  throw Error("unknown crop mode '" + name + "' (use fit-shortest, fit-longest or squash)");
}

InputSpec InputSpec::FromTensor(const Tensor& t) {
  InputSpec s;
  if (t.type != DType::kInt8 && t.type != DType::kUInt8 && t.type != DType::kFloat32)
    throw Error(std::string("model input type ") + DTypeName(t.type) +
                " is not supported (int8, uint8 or float32)");
  auto is_channels = [](int c) { return c == 1 || c == 3; };
  if (t.shape.rank == 4 && t.shape[0] == 1 && is_channels(t.shape[3])) {
    s.height = t.shape[1];
    s.width = t.shape[2];
    s.channels = t.shape[3];
  } else if (t.shape.rank == 4 && t.shape[0] == 1 && is_channels(t.shape[1])) {
    s.nchw = true;
    s.channels = t.shape[1];
    s.height = t.shape[2];
    s.width = t.shape[3];
  } else if (t.shape.rank == 3 && is_channels(t.shape[2])) {
    s.height = t.shape[0];
    s.width = t.shape[1];
    s.channels = t.shape[2];
  } else {
    throw Error("model input shape " + t.shape.str() +
                " is not an image (NHWC or NCHW, 1 or 3 channels)");
  }
  if (s.width <= 0 || s.height <= 0) throw Error("model input has an empty image shape");
  s.type = t.type;
  s.scale = t.scale;
  s.zero_point = t.zero_point;
  return s;
}

size_t InputSpec::bytes() const {
  return static_cast<size_t>(width) * height * channels * DTypeSize(type);
}

cv::Rect Dsp::CropRect(cv::Size frame, CropMode crop, cv::Size model) {
  if (crop != CropMode::kFitShortest) return cv::Rect(0, 0, frame.width, frame.height);
  // The largest region with the model's aspect ratio, centred; integer
  // division exactly as the reference preprocessing does.
  int w = frame.width, h = frame.height;
  if (static_cast<int64_t>(frame.width) * model.height >
      static_cast<int64_t>(frame.height) * model.width)
    w = static_cast<int>(static_cast<int64_t>(frame.height) * model.width / model.height);
  else
    h = static_cast<int>(static_cast<int64_t>(frame.width) * model.height / model.width);
  return cv::Rect((frame.width - w) / 2, (frame.height - h) / 2, w, h);
}

Dsp::Dsp(const InputSpec& spec, CropMode crop) : spec_(spec), crop_(crop) {}

void Dsp::CheckFrame(const cv::Mat& frame) {
  // Decoders and drivers can hand on 16-bit, float or 2-channel images; say
  // so instead of failing inside OpenCV (or reading the wrong bytes).
  if (frame.empty()) throw Error("empty frame");
  if (frame.depth() != CV_8U ||
      (frame.channels() != 1 && frame.channels() != 3 && frame.channels() != 4))
    throw Error("unsupported frame format (" + std::to_string(frame.channels()) + " channels of " +
                std::to_string(frame.elemSize1() * 8) + "-bit; need 8-bit gray, BGR or BGRA)");
}

void Dsp::Run(const cv::Mat& frame, void* dst) {
  CheckFrame(frame);
  const cv::Size model_size(spec_.width, spec_.height);
  const cv::Mat* src = &frame;
  if (frame.channels() == 4) {
    cv::cvtColor(frame, bgr_, cv::COLOR_BGRA2BGR);
    src = &bgr_;
  }

  if (crop_ == CropMode::kFitLongest) {
    // Scale the longest side to fit, centre on black.
    const double s = std::min(static_cast<double>(model_size.width) / src->cols,
                              static_cast<double>(model_size.height) / src->rows);
    const int w = std::max(1, static_cast<int>(src->cols * s + 0.5));
    const int h = std::max(1, static_cast<int>(src->rows * s + 0.5));
    resize_.Run(*src, cv::Size(w, h), &resized_);
    letterbox_.create(model_size, src->type());
    letterbox_.setTo(cv::Scalar::all(0));
    resized_.copyTo(
        letterbox_(cv::Rect((model_size.width - w) / 2, (model_size.height - h) / 2, w, h)));
    src = &letterbox_;
  } else {
    const cv::Rect roi = CropRect(src->size(), crop_, model_size);
    resize_.Run((*src)(roi), model_size, &resized_);
    src = &resized_;
  }

  // Colour after resizing, as the reference preprocessing does.
  ToModelColour(*src, spec_.channels, &model_image_);
  WriteModelInput(model_image_, spec_, dst);
}

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

void ToModelColour(const cv::Mat& src, int channels, cv::Mat* dst) {
  if (channels == 1) {
    if (src.channels() == 3)
      cv::cvtColor(src, *dst, cv::COLOR_BGR2GRAY);
    else
      src.copyTo(*dst);
  } else {
    if (src.channels() == 1)
      cv::cvtColor(src, *dst, cv::COLOR_GRAY2BGR);
    else
      src.copyTo(*dst);
  }
}

void WriteModelInput(const cv::Mat& image, const InputSpec& spec, void* dst) {
  CV_Assert(image.depth() == CV_8U && image.channels() == spec.channels &&
            image.cols == spec.width && image.rows == spec.height);
  // Pixel mapping. Channel order for colour models is RGB.
  const int w = spec.width, h = spec.height, c = spec.channels;
  const bool normalise = !spec.mean.empty();
  if (!normalise && c == 1 && spec.type == DType::kInt8) {
    // The common case (gray int8, e.g. the person detector), without the
    // per-pixel branches: the tiled search maps many tiles per frame.
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = image.ptr<uint8_t>(y);
      int8_t* out = static_cast<int8_t*>(dst) + static_cast<size_t>(y) * w;
      for (int x = 0; x < w; ++x) out[x] = static_cast<int8_t>(row[x] - 128);
    }
    return;
  }
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int ch = 0; ch < c; ++ch) {
        const uint8_t p = c == 3 ? row[x * 3 + (2 - ch)] : row[x];  // BGR -> RGB
        const size_t i = spec.nchw ? (static_cast<size_t>(ch) * h + y) * w + x
                                   : (static_cast<size_t>(y) * w + x) * c + ch;
        if (normalise) {
          const float real =
              (p / 255.0f - spec.mean[ch % spec.mean.size()]) / spec.std[ch % spec.std.size()];
          if (spec.type == DType::kFloat32) {
            static_cast<float*>(dst)[i] = real;
          } else {
            const int lo = spec.type == DType::kInt8 ? -128 : 0;
            const int q = spec.zero_point + static_cast<int>(std::lround(real / spec.scale));
            const int v = std::min(std::max(q, lo), lo + 255);
            if (spec.type == DType::kInt8)
              static_cast<int8_t*>(dst)[i] = static_cast<int8_t>(v);
            else
              static_cast<uint8_t*>(dst)[i] = static_cast<uint8_t>(v);
          }
        } else if (spec.type == DType::kInt8) {
          static_cast<int8_t*>(dst)[i] = static_cast<int8_t>(p - 128);  // TFLM convention
        } else if (spec.type == DType::kUInt8) {
          static_cast<uint8_t*>(dst)[i] = p;
        } else {
          static_cast<float*>(dst)[i] = p / 255.0f;
        }
      }
    }
  }
}

}  // namespace vww
