#include "pipeline/capture/image_file.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <vector>

#include "model/error.h"

namespace vww {

namespace {

constexpr char kPngSignature[] = "\x89PNG\r\n\x1a\n";
constexpr size_t kSignatureSize = 8;

bool IsColourChunk(const char* type) {
  for (const char* t : {"iCCP", "sRGB", "cHRM", "gAMA"})
    if (std::memcmp(type, t, 4) == 0) return true;
  return false;
}

uint32_t BigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 | uint32_t{u[2]} << 8 | u[3];
}

}  // namespace

std::string WithoutColourChunks(std::string png) {
  if (png.size() < kSignatureSize || png.compare(0, kSignatureSize, kPngSignature) != 0) return png;
  std::string out = png.substr(0, kSignatureSize);
  size_t at = kSignatureSize;
  while (at < png.size()) {
    // length (4), type (4), data (length), CRC (4)
    if (png.size() - at < 12) return png;
    const uint64_t length = BigEndian32(png.data() + at);
    if (length > png.size() - at - 12) return png;
    const size_t chunk_size = static_cast<size_t>(length) + 12;
    if (!IsColourChunk(png.data() + at + 4)) out.append(png, at, chunk_size);
    at += chunk_size;
  }
  return out;
}

cv::Mat ReadImageFile(const std::string& path, int flags, std::string* why) {
  // A gray decode of a colour PNG is different: libpng's RGB to gray step
  // works in linear light when the file states its gamma (gAMA, sRGB, iCCP),
  // so there the chunks matter and the file goes to cv::imread as it is.
  const bool to_gray =
      flags != cv::IMREAD_UNCHANGED && (flags & (cv::IMREAD_COLOR | cv::IMREAD_ANYCOLOR)) == 0;
  char head[kSignatureSize] = {};
  std::ifstream in(path, std::ios::binary);
  if (!in) return cv::Mat();
  in.read(head, kSignatureSize);
  if (to_gray || in.gcount() != static_cast<std::streamsize>(kSignatureSize) ||
      std::memcmp(head, kPngSignature, kSignatureSize) != 0) {
    in.close();
    try {
      return cv::imread(path, flags);
    } catch (const cv::Exception& e) {
      if (why) *why = e.what();
      return cv::Mat();
    }
  }
  in.seekg(0);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  const std::string png = WithoutColourChunks(bytes.str());
  try {
    return cv::imdecode(cv::_InputArray(png.data(), static_cast<int>(png.size())), flags);
  } catch (const cv::Exception& e) {
    if (why) *why = e.what();
    return cv::Mat();
  }
}

cv::Mat LoadColourImage(const std::string& path) {
  std::string why;
  cv::Mat image = ReadImageFile(path, cv::IMREAD_COLOR, &why);
  if (!image.empty()) return image;
  // imread and imdecode check the header's size against the limit by throwing.
  if (why.find("CV_IO_MAX_IMAGE_PIXELS") != std::string::npos) {
    const char* limit = std::getenv("OPENCV_IO_MAX_IMAGE_PIXELS");
    throw Error(path + ": larger than the decode limit (OPENCV_IO_MAX_IMAGE_PIXELS, " +
                (limit ? limit : "default") + " pixels)");
  }
  throw Error(path + ": cannot read or decode image");
}

}  // namespace vww
