// ui/run_view: what `vww run` shows and keeps on top of the pipeline. It
// turns each FrameResult into the overlay state, draws the annotated frame
// when someone needs it (the window, a recording, a screenshot), shows it in
// the window and acts on the keys. The run loop calls OnFrame() from the
// session's per-frame callback, on the main thread: the UI thread only draws,
// capture runs on its own thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "pipeline/session.h"
#include "ui/overlay.h"
#include "ui/recorder/recorder.h"
#include "ui/window.h"

namespace vww {

struct RunViewOptions {
  bool window = false;  // show a window (the caller checked DisplayAvailable())
  std::string title = "VWW Live";
  std::string screenshot;  // --screenshot FILE: the image shown last, saved at the end
  // Show each frame at its timestamp (a file at its own frame rate, every
  // frame shown) instead of as fast as they come; only with a window.
  bool paced = false;

  // Recording (--record DIR, or the r key into record_dir or "recordings").
  std::string record_dir;   // empty: not recording from the start
  bool record_raw = false;  // also the raw frames, losslessly (for replay)
  bool clips = false;       // a clip per wake event
  double preroll_s = 3.0, postroll_s = 2.0;
  std::string model_path;  // for session.json
  std::string source;      // for session.json
  std::string options;     // the command line, for session.json

  // Board-speed mode (--board): the panel's first lines (board and its
  // estimate; the decision rate and our time are added per frame).
  std::vector<std::string> board_lines;
  FrameLogColumns log_columns;  // a recording's log.csv: the --log columns
};

class RunView {
 public:
  RunView(Session* session, const RunViewOptions& options);
  ~RunView();  // closes an open recording
  RunView(const RunView&) = delete;
  RunView& operator=(const RunView&) = delete;

  // One processed frame: updates the overlay, records, shows, handles keys
  // (waiting in here while paused). Returns false when the user quit (q, Esc,
  // closed the window). Returns promptly once *stop is set.
  bool OnFrame(const FrameResult& r, const std::atomic<bool>* stop);

  // The end of the run, whatever the reason: finalises the recording and
  // writes the --screenshot file (the image drawn last).
  void Finish();

  // With a window and --screenshot: keeps the saved image on screen until the
  // user quits, *stop is set or hold_s pass, so a screen grab sees exactly
  // what was saved.
  void HoldScreenshot(const std::atomic<bool>* stop, double hold_s = 60.0);

  // An output beside the window that wants the annotated frame now and then
  // (the web view, MQTT wake snapshots). Asked every frame; the frame is
  // drawn and handed over only when some output wants it, so nothing is
  // drawn while nobody watches.
  struct FrameSink {
    std::function<bool()> wants;
    std::function<void(const cv::Mat& annotated)> take;
  };
  void AddFrameSink(FrameSink sink);

  bool drawing() const;  // whether every frame gets annotated (window, recording, screenshot)
  bool recording() const;
  const OverlayState& state() const { return state_; }

 private:
  void Update(const FrameResult& r);
  const cv::Mat& Draw();  // the annotated image of the current frame and state
  KeyAction ShowAndPoll(int delay_ms);
  void WaitUntilDue(double timestamp_ms, const std::atomic<bool>* stop);
  void Handle(KeyAction action);
  void ToggleRecording();
  void StartRecording(const std::string& dir, bool required = false);
  void StopRecording();
  void RecordFrame(const FrameResult& r, const cv::Mat& annotated);
  void Snapshot();
  void CycleCrop();
  void StepThreshold(double delta);
  void ToggleExplain();
  void Say(const std::string& message);

  Session* session_;
  RunViewOptions options_;
  std::unique_ptr<Window> window_;
  bool quit_ = false;

  OverlayState state_;
  cv::Mat frame_;      // the current frame (a shallow header: valid during OnFrame)
  cv::Mat annotated_;  // DrawOverlay's output buffer, reused
  double message_until_ms_ = 0;
  int snapshots_ = 0;
  // Pacing: frame timestamps against the steady clock, from an anchor.
  bool pace_anchored_ = false;
  double pace_anchor_ms_ = 0, pace_anchor_ts_ms_ = 0, pace_last_ts_ms_ = 0;

  std::unique_ptr<Recorder> recording_;
  std::vector<FrameSink> sinks_;
  std::vector<char> sink_wants_;  // per sink, this frame
};

}  // namespace vww
