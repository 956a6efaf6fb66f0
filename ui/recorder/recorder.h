// ui/recorder: a recorded session, what a maker keeps. One folder per session
// (DIR/YYYYmmdd-HHMMSS) holding:
//   annotated.avi    the overlay as shown (Motion JPEG)
//   raw.avi          with RecorderOptions::raw: the frames as captured, lossless
//                    (FFV1), so `vww run --source raw.avi` reproduces the scores.
//                    Frames must keep their exact size, and a video has one size
//                    with even sides: when the size changes a new segment starts
//                    (raw-002.avi, ...), and a frame size with an odd side is kept
//                    as a folder of PNG files (raw/ or raw-NNN/) instead; each
//                    segment replays with --source, and session.json lists them
//                    ("raw_segments": file, first frame, frames, width, height).
//   log.csv          one row per frame, the columns of `vww run --log x.csv`
//   events.jsonl     wake/sleep events, as `vww run --events`
//   wake-NNN.png     the frame that woke, and wake-NNN-input.png, the model input
//   clips/clip-NNN.avi  with clips: preroll before each wake to postroll after sleep
//   session.json     version, model and its sha256, options, source, times, totals
// Videos are finalised by Close() (also from the destructor), which the run
// loop reaches on every way out, Ctrl-C and camera loss included. A write
// failure (disk full, folder gone) stops the recording, keeps what was
// written valid, and is reported by error(); it never throws into the loop.
// Encoding runs on a writer thread behind a bounded queue: AddFrame() copies
// the frame and returns; when the writer falls behind on a live source, whole
// frames are left out of the recording (every file alike, so videos and log.csv still agree)
// and counted (dropped_by_recording(), "recording_dropped" in session.json).
// Frames with a wake/sleep event are always kept. Detection never waits.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>
#include <string>
#include <thread>
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
  // Frames waiting for the writer thread. When the queue is full, a live
  // source's frame is left out (drop_when_behind: detection never waits);
  // a file's frame waits for room (files are replayed whole, deterministic).
  int queue_frames = 16;
  bool drop_when_behind = false;
  // The preroll ring (clips) holds JPEG bytes, at most this many.
  int64_t preroll_max_bytes = kPrerollMaxBytes;
  static constexpr int64_t kPrerollMaxBytes = int64_t{128} << 20;
  static constexpr double kPrerollMaxSeconds = 30;  // --preroll beyond: usage error
};

class Recorder {
 public:
  // Makes the session folder and opens the logs; throws vww::Error when the
  // folder cannot be made or written.
  explicit Recorder(const RecorderOptions& options);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // One processed frame and its annotated image (8-bit BGR): copied into the
  // writer's queue (or dropped and counted when it is full). Never throws,
  // never waits for encoding.
  void AddFrame(const FrameResult& r, const cv::Mat& annotated);
  // Writes what is queued, finalises every file and writes session.json with
  // the totals. Idempotent.
  void Close(const SessionSummary* summary = nullptr);

  bool ok() const { return !failed_.load(); }
  std::string error() const;  // one line; empty while ok
  const std::string& folder() const { return folder_; }
  int64_t frames() const;                // written
  int64_t dropped_by_recording() const;  // left out because the writer was behind

 private:
  struct Job;  // one frame, owned
  struct RawSegment {
    std::string file;  // relative to the folder: raw.avi, raw-002.avi, raw-003/
    int64_t first_frame = 0, frames = 0;
    cv::Size size;
  };
  void WriterLoop();
  void Write(const Job& job);
  void WriteRaw(const cv::Mat& image);
  void WriteClip(const FrameResult& r, const cv::Mat& annotated);
  void Snapshot(const FrameResult& r);
  void CheckDisk();
  void Fail(const std::string& why);
  void CloseFiles();
  void WriteSessionJson(const SessionSummary* summary);
  void StopWriter();

  RecorderOptions options_;
  std::string folder_, start_time_;
  mutable std::mutex mu_;  // guards the queue, error_ and the counts read outside
  std::condition_variable wake_writer_, queue_room_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false;
  std::thread writer_;
  std::string error_;
  std::atomic<bool> failed_{false};
  bool closed_ = false;
  int64_t frames_ = 0, wakes_ = 0, sleeps_ = 0, dropped_ = 0, recording_dropped_ = 0;
  // Writer thread only, below.
  cv::Size size_;
  cv::VideoWriter annotated_video_, raw_video_, clip_video_;
  std::vector<RawSegment> raw_segments_;
  std::unique_ptr<FrameLog> log_;
  std::unique_ptr<FileOut> events_;
  std::deque<std::vector<uchar>> preroll_;  // JPEG of annotated frames before a wake
  int64_t preroll_bytes_ = 0;
  size_t preroll_frames_ = 0;
  int clips_ = 0;
  double clip_end_ms_ = -1;  // while a clip is open after a sleep: when it ends
  cv::Mat bgr_, decoded_;    // conversions, reused
};

// SHA-256 (FIPS 180-4, computed by nettle) as 64 lowercase hex digits.
std::string Sha256Hex(const void* data, size_t size);
// Of a file's contents; empty when it cannot be read.
std::string Sha256File(const std::string& path);

}  // namespace vww
