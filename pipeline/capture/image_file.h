// pipeline/capture/image_file: reading one image file, as cv::imread does,
// without third-party noise on stderr.
#pragma once

#include <opencv2/core.hpp>
#include <string>

namespace vww {

// cv::imread(path, flags), pixel for pixel, minus libpng's warnings
// ("libpng warning: iCCP: known incorrect sRGB profile", "... invalid
// rendering intent"): OpenCV leaves libpng's default warning handler, which
// prints to stderr, and those warnings are about colour-management chunks
// (iCCP, sRGB, cHRM, gAMA) that OpenCV's decoder never applies. So a PNG is
// read into memory, those chunks are left out, and the rest is decoded with
// cv::imdecode. Other formats, and gray decodes (flags without IMREAD_COLOR or
// IMREAD_ANYCOLOR: libpng's RGB to gray step uses the file's gamma), go to
// cv::imread unchanged. Returns an empty Mat when the file cannot be read or
// decoded; *why (if given) then gets OpenCV's exception text, if any.
cv::Mat ReadImageFile(const std::string& path, int flags, std::string* why = nullptr);

// An image file as 8-bit BGR (IMREAD_COLOR, as the reference data), through
// ReadImageFile. Throws vww::Error "PATH: cannot read or decode image", or,
// for a header larger than OpenCV's decode limit (OPENCV_IO_MAX_IMAGE_PIXELS;
// vww sets 64 MP), "PATH: larger than the decode limit ...", so a hostile
// header allocates nothing.
cv::Mat LoadColourImage(const std::string& path);

// The PNG bytes without the colour-management chunks; anything that is not a
// well-formed chunk sequence is returned unchanged (the decoder reports it).
std::string WithoutColourChunks(std::string png);

}  // namespace vww
