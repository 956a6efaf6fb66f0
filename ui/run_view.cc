#include "ui/run_view.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <system_error>
#include <utility>

#include "pipeline/dsp/dsp.h"
#include "pipeline/explain.h"
#include "ui/heatmap.h"
#include "ui/screen_fit.h"

namespace vww {

namespace {

constexpr double kMessageMs = 2500;  // how long a status line stays up
constexpr double kThresholdStep = 0.05;
constexpr int kPausedPollMs = 30;  // key polling while paused

// Local time as YYYYmmdd-HHMMSS, for file names.
std::string TimeStamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

// Writes through a temporary name and renames, so whoever waits for the file
// (a test, a script) never reads half of it.
bool WritePngAtomically(const std::string& path, const cv::Mat& image) {
  const std::string tmp = path + ".part.png";
  bool ok = false;
  try {
    ok = cv::imwrite(tmp, image);
  } catch (const cv::Exception&) {
    ok = false;
  }
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) std::filesystem::remove(tmp, ec);
  return ok && !ec;
}

}  // namespace

RunView::RunView(Session* session, const RunViewOptions& options)
    : session_(session), options_(options) {
  const DecisionOptions& d = session_->decision();
  state_.threshold = static_cast<float>(d.threshold);
  state_.wake_threshold = static_cast<float>(d.wake_threshold);
  if (session_->source().is_live()) options_.paced = false;  // a camera paces itself
  // --record: a folder that cannot be made is an error before the first
  // frame, not a run that silently keeps nothing.
  if (!options_.record_dir.empty()) StartRecording(options_.record_dir, /*required=*/true);
}

RunView::~RunView() { StopRecording(); }

bool RunView::drawing() const {
  return options_.window || recording() || !options_.screenshot.empty();
}

bool RunView::recording() const { return recording_ != nullptr; }

void RunView::Update(const FrameResult& r) {
  const Classification& c = r.classification;
  if (state_.labels.empty()) state_.labels = r.labels;
  state_.scores = c.scores;
  state_.top_label = c.scores.empty() ? "" : r.labels[c.top];
  state_.confidence = r.label.confidence;
  state_.uncertain = r.label.index < 0;
  state_.dsp_ms = c.dsp_ms;
  state_.classification_ms = c.classification_ms;
  state_.fps = r.fps;
  state_.awake = r.awake;
  state_.model_image = r.model_image;
  const Dsp& dsp = session_->classifier().dsp();
  state_.crop = Dsp::CropRect(r.frame.image.size(), dsp.crop(), r.model_image.size());
  state_.crop_mode = CropModeName(dsp.crop());
  // Tiled search: outline the tile that carried a "person" label (not the
  // crop itself, which is outlined anyway).
  state_.tiles.clear();
  if (!session_->classifier().tiles().single() && r.person_index >= 0 &&
      r.label.index == r.person_index && c.tile > 0)
    state_.tiles.push_back(c.tile_rect);
  if (r.person_index >= 0)
    PushScore(&state_.history, {r.frame.timestamp_ms, static_cast<float>(r.person_score), r.awake},
              state_.history_window_ms);
  state_.recording = recording();
  // Heat map: the newest while explaining (a shallow header; the explainer
  // rewrites it in place, between frames).
  if (r.heat) {
    state_.heat = r.heat->pixels;
    state_.heat_model_roi = r.heat_model_roi;
    state_.heat_frame_rect = r.heat_frame_rect;
    state_.heat_scale = HeatFullScale(r.heat->max_drop());
    char note[96];
    if (r.explain_every > 1)
      std::snprintf(note, sizeof note, "heat map every %d frames (%.1f ms each)", r.explain_every,
                    r.explain_ms);
    else
      std::snprintf(note, sizeof note, "heat map every frame (%.1f ms)", r.explain_ms);
    state_.explain_note = note;
  } else {
    state_.heat = cv::Mat();
    state_.explain_note.clear();
  }
  if (!options_.board_lines.empty()) {
    state_.board_lines = options_.board_lines;
    char line[128];
    std::snprintf(line, sizeof line, "%.2f decisions/s; ours: %.3f ms per classification",
                  r.decision_rate, c.classification_ms);
    state_.board_lines.push_back(line);
    state_.not_classified = !r.classified;
  }
  frame_ = r.frame.image;
}

const cv::Mat& RunView::Draw() {
  if (!state_.message.empty() && SteadyNowMs() > message_until_ms_) state_.message.clear();
  DrawOverlay(frame_, state_, &annotated_);
  return annotated_;
}

void RunView::AddFrameSink(FrameSink sink) {
  sinks_.push_back(std::move(sink));
  sink_wants_.push_back(0);
}

bool RunView::OnFrame(const FrameResult& r, const std::atomic<bool>* stop) {
  if (!drawing() && sinks_.empty()) return true;
  Update(r);  // every frame, so the score plot is whole whenever a sink looks
  bool wanted = false;
  for (size_t i = 0; i < sinks_.size(); ++i) wanted |= (sink_wants_[i] = sinks_[i].wants());
  if (!drawing() && !wanted) return true;
  // Drawn once per frame: the recording keeps what the screen showed.
  const cv::Mat& annotated = Draw();
  for (size_t i = 0; i < sinks_.size(); ++i)
    if (sink_wants_[i]) sinks_[i].take(annotated);
  if (recording()) RecordFrame(r, annotated);
  if (!options_.window) return true;
  if (!window_)
    window_ = std::make_unique<Window>(options_.title, FitToDisplay(frame_.size(), DisplaySize()));
  if (options_.paced) WaitUntilDue(r.frame.timestamp_ms, stop);
  window_->Show(annotated);
  Handle(window_->PollKey(1));
  if (state_.paused) pace_anchored_ = false;  // play on from where it stopped
  while (state_.paused && !quit_ && !(stop && stop->load())) Handle(ShowAndPoll(kPausedPollMs));
  return !quit_;
}

// A file plays at its own rate: frame timestamps are laid on the steady clock
// from an anchor, the first frame. The anchor moves on after a pause, a jump
// back (--loop) and a lag of over a second (a slow model), so playback never
// fast-forwards to catch up. Keys are answered while waiting.
void RunView::WaitUntilDue(double timestamp_ms, const std::atomic<bool>* stop) {
  constexpr double kMaxLagMs = 1000;
  const double now = SteadyNowMs();
  if (!pace_anchored_ || timestamp_ms < pace_last_ts_ms_ ||
      now - (pace_anchor_ms_ + timestamp_ms - pace_anchor_ts_ms_) > kMaxLagMs) {
    pace_anchored_ = true;
    pace_anchor_ms_ = now;
    pace_anchor_ts_ms_ = timestamp_ms;
  }
  pace_last_ts_ms_ = timestamp_ms;
  const double due = pace_anchor_ms_ + (timestamp_ms - pace_anchor_ts_ms_);
  for (double left = due - now; left >= 1 && !quit_ && !state_.paused && !(stop && stop->load());
       left = due - SteadyNowMs())
    Handle(window_->PollKey(static_cast<int>(std::min(left, double{kPausedPollMs}))));
}

KeyAction RunView::ShowAndPoll(int delay_ms) {
  window_->Show(Draw());
  return window_->PollKey(delay_ms);
}

void RunView::Handle(KeyAction action) {
  switch (action) {
    case KeyAction::kNone:
      break;
    case KeyAction::kQuit:
      quit_ = true;
      break;
    case KeyAction::kPause:
      state_.paused = !state_.paused;
      std::fprintf(stderr, "%s\n", state_.paused ? "paused" : "playing");
      break;
    case KeyAction::kRecord:
      ToggleRecording();
      break;
    case KeyAction::kSnapshot:
      Snapshot();
      break;
    case KeyAction::kMirror:
      state_.mirror = !state_.mirror;
      Say(state_.mirror ? "mirror on" : "mirror off");
      std::fprintf(stderr, "%s\n", state_.message.c_str());
      break;
    case KeyAction::kCycleCrop:
      CycleCrop();
      break;
    case KeyAction::kThresholdUp:
      StepThreshold(kThresholdStep);
      break;
    case KeyAction::kThresholdDown:
      StepThreshold(-kThresholdStep);
      break;
    case KeyAction::kHelp:
      state_.help = !state_.help;
      std::fprintf(stderr, "%s\n", state_.help ? "help shown" : "help hidden");
      break;
    case KeyAction::kExplain:
      ToggleExplain();
      break;
  }
}

void RunView::Say(const std::string& message) {
  state_.message = message;
  message_until_ms_ = SteadyNowMs() + kMessageMs;
}

void RunView::CycleCrop() {
  Dsp& dsp = session_->classifier().dsp();
  const CropMode next = dsp.crop() == CropMode::kFitShortest  ? CropMode::kFitLongest
                        : dsp.crop() == CropMode::kFitLongest ? CropMode::kSquash
                                                              : CropMode::kFitShortest;
  dsp.set_crop(next);
  // The inset and outline follow with the next frame; say it now.
  state_.crop_mode = CropModeName(next);
  Say(std::string("crop: ") + CropModeName(next) + " (from the next frame)");
  std::fprintf(stderr, "%s\n", state_.message.c_str());
}

// Moves the label threshold and the wake/sleep thresholds together, keeping
// their gap, so what the bar and the plot show is what wakes.
void RunView::StepThreshold(double delta) {
  DecisionOptions d = session_->decision();
  const double lo = std::min({d.threshold, d.wake_threshold, d.sleep_threshold});
  const double hi = std::max({d.threshold, d.wake_threshold, d.sleep_threshold});
  delta = std::clamp(delta, -lo, 1.0 - hi);
  // Snap to the step grid against rounding drift (0.6 - 0.05 * 3 ...).
  auto step = [delta](double v) {
    return std::clamp(std::round((v + delta) * 1e6) / 1e6, 0.0, 1.0);
  };
  d.threshold = step(d.threshold);
  d.wake_threshold = step(d.wake_threshold);
  d.sleep_threshold = step(d.sleep_threshold);
  session_->set_decision(d);
  state_.threshold = static_cast<float>(d.threshold);
  state_.wake_threshold = static_cast<float>(d.wake_threshold);
  char buf[96];
  std::snprintf(buf, sizeof buf, "threshold %.2f (wake %.2f, sleep %.2f)", d.threshold,
                d.wake_threshold, d.sleep_threshold);
  Say(buf);
  std::fprintf(stderr, "%s\n", buf);
}

void RunView::ToggleExplain() {
  try {
    session_->set_explain(!session_->explain());
    Say(session_->explain() ? "heat map on (from the next frame)" : "heat map off");
  } catch (const Error& e) {
    Say(e.what());
  }
  if (!session_->explain()) state_.heat = cv::Mat();
  std::fprintf(stderr, "%s\n", state_.message.c_str());
}

void RunView::Snapshot() {
  if (frame_.empty()) return;
  std::string dir = ".";
  if (!options_.record_dir.empty()) dir = options_.record_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string base =
      dir + "/vww-snapshot-" + TimeStamp() + "-" + std::to_string(++snapshots_);
  // What the class sees, minus the transient layers (pause, help, messages),
  // and the raw frame, which `vww classify` can score again.
  OverlayState clean = state_;
  clean.paused = clean.help = false;
  clean.message.clear();
  const bool ok = WritePngAtomically(base + ".png", DrawOverlay(frame_, clean)) &&
                  WritePngAtomically(base + "-raw.png", frame_);
  Say(ok ? "snapshot saved: " + base + ".png" : "snapshot failed: cannot write " + base + ".png");
  std::fprintf(stderr, "%s\n", state_.message.c_str());
}

void RunView::ToggleRecording() {
  if (recording()) {
    StopRecording();
    Say("recording stopped");
    return;
  }
  StartRecording(options_.record_dir.empty() ? "recordings" : options_.record_dir);
}

void RunView::StartRecording(const std::string& dir, bool required) {
  RecorderOptions o;
  o.dir = dir;
  o.raw = options_.record_raw;
  o.clips = options_.clips;
  o.preroll_s = options_.preroll_s;
  o.postroll_s = options_.postroll_s;
  o.fps = session_->source().fps();
  o.drop_when_behind = session_->source().is_live();
  o.model_path = options_.model_path;
  o.source = options_.source;
  o.command_line = options_.options;
  o.labels = session_->classifier().labels();
  o.log_columns = options_.log_columns;
  try {
    recording_ = std::make_unique<Recorder>(o);
  } catch (const Error& e) {
    if (required) throw;
    Say(std::string("cannot record: ") + e.what());
    std::fprintf(stderr, "error: %s\n", e.what());
    return;
  }
  Say("recording to " + recording_->folder());
  std::fprintf(stderr, "recording to %s\n", recording_->folder().c_str());
}

void RunView::StopRecording() {
  if (!recording_) return;
  const SessionSummary summary = session_->Summary();
  recording_->Close(&summary);
  if (!recording_->ok()) std::fprintf(stderr, "error: %s\n", recording_->error().c_str());
  std::fprintf(stderr, "recorded %lld frames to %s", static_cast<long long>(recording_->frames()),
               recording_->folder().c_str());
  // Frames the writer could not keep up with (the detection never waited).
  if (recording_->dropped_by_recording() > 0)
    std::fprintf(stderr, "; %lld left out of the recording (encoder behind)",
                 static_cast<long long>(recording_->dropped_by_recording()));
  std::fprintf(stderr, "\n");
  recording_.reset();
}

void RunView::RecordFrame(const FrameResult& r, const cv::Mat& annotated) {
  recording_->AddFrame(r, annotated);
  if (recording_->ok()) return;
  // Disk full or folder gone: say so once, keep detecting.
  Say(recording_->error());
  StopRecording();
}

void RunView::Finish() {
  StopRecording();
  if (options_.screenshot.empty() || annotated_.empty()) return;
  if (!WritePngAtomically(options_.screenshot, annotated_))
    std::fprintf(stderr, "error: %s: cannot write the screenshot\n", options_.screenshot.c_str());
}

void RunView::HoldScreenshot(const std::atomic<bool>* stop, double hold_s) {
  if (options_.screenshot.empty() || annotated_.empty() || !window_ || quit_) return;
  // Keep exactly the saved image on screen, for a screen grab.
  const double until = SteadyNowMs() + hold_s * 1000.0;
  while (!(stop && stop->load()) && SteadyNowMs() < until) {
    window_->Show(annotated_);
    if (window_->PollKey(kPausedPollMs) == KeyAction::kQuit) break;
  }
}

}  // namespace vww
