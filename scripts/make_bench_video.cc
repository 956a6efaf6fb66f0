// Writes a synthetic camera-like video for the recording benchmark
// (scripts/bench-record.sh): a test image scaled to WxH, panned by a pixel per
// frame so every frame differs, Motion JPEG at FPS for SECONDS.
// Usage: make_bench_video IMAGE OUT.avi W H FPS SECONDS
#include <cstdio>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: make_bench_video IMAGE OUT.avi W H FPS SECONDS\n");
    return 2;
  }
  const cv::Mat image = cv::imread(argv[1]);
  const cv::Size size(std::atoi(argv[3]), std::atoi(argv[4]));
  const double fps = std::atof(argv[5]);
  const int frames = static_cast<int>(fps * std::atof(argv[6]));
  if (image.empty() || size.area() <= 0 || fps <= 0 || frames <= 0) {
    std::fprintf(stderr, "error: bad image or arguments\n");
    return 1;
  }
  cv::Mat big, frame;
  cv::resize(image, big, cv::Size(size.width + frames, size.height), 0, 0, cv::INTER_LINEAR);
  cv::VideoWriter out(argv[2], cv::CAP_FFMPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps,
                      size, true);
  if (!out.isOpened()) {
    std::fprintf(stderr, "error: %s: cannot open the video writer\n", argv[2]);
    return 1;
  }
  for (int i = 0; i < frames; ++i) out.write(big(cv::Rect(i, 0, size.width, size.height)));
  return 0;
}
