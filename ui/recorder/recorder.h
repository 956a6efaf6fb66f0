// ui/recorder: a recorded session, what a maker keeps. One folder per session
// (DIR/YYYYmmdd-HHMMSS) holding:
//   annotated.avi    the overlay as shown (Motion JPEG)
//   raw.avi          with RecorderOptions::raw: the frames as captured, lossless
//                    (FFV1), so `vww run --source raw.avi` reproduces the scores
//   log.csv          one row per frame, the columns of `vww run --log x.csv`
//   events.jsonl     wake/sleep events, as `vww run --events`
//   wake-NNN.png     the frame that woke, and wake-NNN-input.png, the model input
//   clips/clip-NNN.avi  with clips: preroll before each wake to postroll after sleep
//   session.json     version, model and its sha256, options, source, times, totals
// Videos are finalised by Close() (also from the destructor), which the run
// loop reaches on every way out, Ctrl-C and camera loss included. A write
// failure (disk full, folder gone) stops the recording, keeps what was
// written valid, and is reported by error(); it never throws into the loop.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>
#include <string>
#include <vector>

#include "pipeline/frame_log.h"
#include "pipeline/frame_result.h"

namespace vww {

struct RecorderOptions {
  std::string dir;  // the session folder is made inside it
  bool raw = false;
  bool clips = false;
  double preroll_s = 3.0, postroll_s = 2.0;
  double fps = 0;  // frame rate written into the videos; 0: 30
  std::string model_path, source, command_line;
  std::vector<std::string> labels;
  FrameLogColumns log_columns;  // log.csv's optional columns, as --log's
  // Recording stops (cleanly) when less than this is free on the disk, so the
  // files never end in a half-written frame.
  int64_t min_free_bytes = int64_t{64} << 20;
};

class Recorder {
 public:
  // Makes the session folder and opens the logs; throws vww::Error when the
  // folder cannot be made or written.
  explicit Recorder(const RecorderOptions& options);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // One processed frame and its annotated image (8-bit BGR). Never throws.
  void AddFrame(const FrameResult& r, const cv::Mat& annotated);
  // Finalises every file and writes session.json with the totals. Idempotent.
  void Close(const SessionSummary* summary = nullptr);

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }  // one line; empty while ok
  const std::string& folder() const { return folder_; }
  int64_t frames() const { return frames_; }

 private:
  void Write(const FrameResult& r, const cv::Mat& annotated);
  void WriteClip(const FrameResult& r, const cv::Mat& annotated);
  void Snapshot(const FrameResult& r);
  void CheckDisk();
  void Fail(const std::string& why);
  void CloseFiles();
  void WriteSessionJson(const SessionSummary* summary);

  RecorderOptions options_;
  std::string folder_, error_, start_time_;
  bool closed_ = false;
  int64_t frames_ = 0, wakes_ = 0, sleeps_ = 0, dropped_ = 0;
  cv::Size size_;
  cv::VideoWriter annotated_video_, raw_video_, clip_video_;
  std::unique_ptr<FrameLog> log_;
  std::unique_ptr<FileOut> events_;
  std::deque<cv::Mat> preroll_;  // annotated frames before a wake (clips)
  size_t preroll_frames_ = 0;
  int clips_ = 0;
  double clip_end_ms_ = -1;  // while a clip is open after a sleep: when it ends
  cv::Mat bgr_;              // gray frames converted for the raw video, reused
};

// SHA-256 (FIPS 180-4, computed by nettle) as 64 lowercase hex digits.
std::string Sha256Hex(const void* data, size_t size);
// Of a file's contents; empty when it cannot be read.
std::string Sha256File(const std::string& path);

}  // namespace vww
