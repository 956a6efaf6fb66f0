#include "pipeline/session.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "pipeline/stats.h"

namespace vww {

namespace {

// Timing samples kept per stage: enough for stable percentiles, bounded so a
// soak run (--loop for days) does not grow without limit.
constexpr size_t kMaxSamples = 1 << 17;
constexpr int kFpsWindow = 30;  // frames in the recent-fps estimate

StageSummary SummarizeStage(const std::vector<double>& v) {
  return {Percentile(v, 50), Percentile(v, 99)};
}

}  // namespace

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

struct Session::Samples {
  // Rings of the newest kMaxSamples values.
  std::vector<double> latency, dsp, classification;
  std::vector<double> explain;  // time per heat map (bounded: cleared when full)
  size_t next = 0;

  void Add(double l, double d, double c) {
    if (latency.size() < kMaxSamples) {
      latency.push_back(l);
      dsp.push_back(d);
      classification.push_back(c);
      return;
    }
    latency[next] = l;
    dsp[next] = d;
    classification[next] = c;
    next = (next + 1) % kMaxSamples;
  }
};

Session::Session(std::unique_ptr<FrameSource> source, std::unique_ptr<Classifier> classifier,
                 const DecisionOptions& decision)
    : source_(std::move(source)),
      classifier_(std::move(classifier)),
      decision_(decision),
      wake_(decision),
      samples_(std::make_unique<Samples>()) {
  if (!source_ || !classifier_) throw Error("session needs a source and a classifier");
  decision_.Validate();
  recent_done_ms_.reserve(kFpsWindow);
  recent_classified_ts_.reserve(kFpsWindow);
}

void Session::set_explain(bool on) {
  if (on && !explainer_) {
    if (classifier_->person_index() < 0)
      throw Error("--explain needs a model with a class named \"person\"");
    explainer_ = std::make_unique<Explainer>(classifier_->model(), classifier_->person_index(),
                                             explain_options_);
    explain_input_.assign(explainer_->spec().bytes(), 0);
  }
  explain_on_ = on;
  explain_countdown_ = 0;  // the next classified frame
}

Session::~Session() = default;

void Session::set_decision(const DecisionOptions& decision) {
  decision.Validate();
  decision_ = decision;
  wake_.set_options(decision);
}

bool Session::Step(const FrameCallback& on_frame) {
  if (!started_) {
    started_ = true;
    start_ms_ = last_ms_ = SteadyNowMs();
    cpu_start_s_ = ProcessCpuSeconds();
  }
  if (!source_->Read(&frame_)) {
    end_ = "end of stream";
    return false;
  }
  const double read_ms = SteadyNowMs();
  if (processed_ == 0) first_frame_ts_ = frame_.timestamp_ms;
  // Checked on the frame just read so that --duration 1 on a 10 fps file
  // processes exactly the 10 frames of its first second.
  if (limits_.max_duration_s > 0 && processed_ > 0 &&
      frame_.timestamp_ms - first_frame_ts_ >= limits_.max_duration_s * 1000.0 - 1e-3) {
    end_ = "duration limit";
    return false;
  }
  dropped_ = frame_.dropped;

  // Board-speed mode: a busy board takes no new frame; show it with the last
  // classification and leave the wake state alone.
  const bool classified = pace_.Admit(frame_.timestamp_ms) || last_ == nullptr;
  WakeEvent event;
  bool transition = false;
  const int person = classifier_->person_index();
  if (classified) {
    last_ = &classifier_->Classify(frame_.image);
    last_label_ = DecideLabel(last_->scores, decision_.threshold);
    transition = person >= 0 &&
                 wake_.Update(frame_.index, frame_.timestamp_ms, last_->scores[person], &event);
    if (transition) events_.push_back(event);
    if (classified_ == 0) first_classified_ts_ = frame_.timestamp_ms;
    last_classified_ts_ = frame_.timestamp_ms;
    ++classified_;
    if (static_cast<int>(recent_classified_ts_.size()) < kFpsWindow) {
      recent_classified_ts_.push_back(frame_.timestamp_ms);
    } else {
      recent_classified_ts_[recent_classified_next_] = frame_.timestamp_ms;
      recent_classified_next_ = (recent_classified_next_ + 1) % kFpsWindow;
    }
  }
  const Classification& c = *last_;
  const LabelDecision label = last_label_;
  const double person_score = person >= 0 ? c.scores[person] : 0.0;

  bool heat_fresh = false;
  if (explain_on_ && classified && --explain_countdown_ < 0) {
    const double t0 = SteadyNowMs();
    // The winning tile's model input, exactly as the DSP wrote it.
    WriteModelInput(classifier_->model_image(), explainer_->spec(), explain_input_.data());
    explainer_->Run(explain_input_.data());
    explain_ms_ = SteadyNowMs() - t0;
    samples_->explain.push_back(explain_ms_);
    if (samples_->explain.size() > kMaxSamples) samples_->explain.clear();
    ++explained_;
    heat_fresh = true;
    const HeatPlacement where = PlaceHeat(frame_.image.size(), classifier_->model_image().size(),
                                          classifier_->dsp().crop(), c.tile, c.tile_rect);
    heat_model_roi_ = where.model_roi;
    heat_frame_rect_ = where.frame_rect;
    // Live sources: keep up with the frames. Files not paced: every frame.
    const double interval =
        source_->is_live() && source_->fps() > 0 ? 1000.0 / source_->fps() : 0.0;
    explain_every_ =
        ExplainEvery(explain_ms_, c.dsp_ms + c.classification_ms + callback_ms_, interval);
    explain_countdown_ = explain_every_ - 1;
  }
  const double done_ms = SteadyNowMs();

  // Live frames carry their capture time on the steady clock, so the latency
  // includes the time the frame waited in the capture thread. File frames
  // carry stream time instead; for them it starts when Read() returned.
  double capture_ms = read_ms;
  if (source_->is_live() && frame_.timestamp_ms <= done_ms &&
      frame_.timestamp_ms > done_ms - 10000.0)
    capture_ms = frame_.timestamp_ms;
  const double latency_ms = done_ms - capture_ms;
  if (classified) samples_->Add(latency_ms, c.dsp_ms, c.classification_ms);
  ++processed_;
  last_ms_ = done_ms;

  if (static_cast<int>(recent_done_ms_.size()) < kFpsWindow) {
    recent_done_ms_.push_back(done_ms);
  } else {
    recent_done_ms_[recent_next_] = done_ms;
    recent_next_ = (recent_next_ + 1) % kFpsWindow;
  }
  double fps = 0;
  if (recent_done_ms_.size() >= 2) {
    const size_t n = recent_done_ms_.size();
    const double oldest = recent_done_ms_[n < kFpsWindow ? 0 : recent_next_];
    if (done_ms > oldest) fps = static_cast<double>(n - 1) * 1000.0 / (done_ms - oldest);
  }

  if (!on_frame) return true;
  FrameResult r{frame_, classifier_->model_image(), c, classifier_->labels()};
  r.label = label;
  r.person_index = person;
  r.person_score = person_score;
  r.smoothed = wake_.smoothed();
  r.awake = wake_.awake();
  if (transition) r.event = event;
  r.latency_ms = latency_ms;
  r.fps = fps;
  r.processed = processed_;
  r.classified = classified;
  if (recent_classified_ts_.size() >= 2) {
    // Over the last kFpsWindow classified frames, in stream time.
    const size_t n = recent_classified_ts_.size();
    const double oldest = recent_classified_ts_[n < kFpsWindow ? 0 : recent_classified_next_];
    if (last_classified_ts_ > oldest)
      r.decision_rate = static_cast<double>(n - 1) * 1000.0 / (last_classified_ts_ - oldest);
  }
  if (explain_on_ && explained_ > 0) {
    r.heat = &explainer_->heat();
    r.heat_fresh = heat_fresh;
    r.heat_model_roi = heat_model_roi_;
    r.heat_frame_rect = heat_frame_rect_;
    r.explain_every = explain_every_;
    r.explain_ms = explain_ms_;
  }
  const double callback_start = SteadyNowMs();
  const bool go_on = on_frame(r);
  callback_ms_ = SteadyNowMs() - callback_start;
  if (go_on) return true;
  end_ = "stopped";
  return false;
}

SessionSummary Session::Run(const FrameCallback& on_frame, const SessionLimits& limits,
                            const std::atomic<bool>* stop) {
  limits_ = limits;
  for (;;) {
    if (stop && stop->load()) {
      end_ = "interrupted";
      break;
    }
    if (limits.max_frames > 0 && processed_ >= limits.max_frames) {
      end_ = "frame limit";
      break;
    }
    if (!Step(on_frame)) break;
  }
  return Summary();
}

SessionSummary Session::Summary() const {
  SessionSummary s;
  s.frames = processed_;
  s.dropped = dropped_;
  s.wall_s = started_ ? (last_ms_ - start_ms_) / 1000.0 : 0;
  s.fps = s.wall_s > 0 ? static_cast<double>(processed_) / s.wall_s : 0;
  s.latency = SummarizeStage(samples_->latency);
  s.dsp = SummarizeStage(samples_->dsp);
  s.classification = SummarizeStage(samples_->classification);
  if (started_ && s.wall_s > 0) s.cpu_share = (ProcessCpuSeconds() - cpu_start_s_) / s.wall_s;
  for (const WakeEvent& e : events_) (e.type == WakeEventType::kWake ? s.wakes : s.sleeps)++;
  s.awake = wake_.awake();
  s.end = end_;
  s.classified = classified_;
  if (classified_ >= 2 && last_classified_ts_ > first_classified_ts_)
    s.decision_rate = (classified_ - 1) * 1000.0 / (last_classified_ts_ - first_classified_ts_);
  s.explained = explained_;
  s.explain = SummarizeStage(samples_->explain);
  return s;
}

}  // namespace vww
