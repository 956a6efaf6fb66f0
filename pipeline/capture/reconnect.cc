#include "pipeline/capture/reconnect.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace vww {

namespace {

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g s", s);
  return buf;
}

class ReconnectingSource : public FrameSource {
 public:
  ReconnectingSource(std::unique_ptr<FrameSource> first, SourceOpener open,
                     const ReconnectOptions& options, const std::atomic<bool>* stop,
                     ReconnectReport report)
      : source_(std::move(first)),
        open_(std::move(open)),
        options_(options),
        stop_(stop),
        report_(std::move(report)),
        description_(source_->Describe()),
        live_(source_->is_live()),
        fps_(source_->fps()) {}

  bool Read(Frame* frame) override {
    for (;;) {
      if (source_) {
        try {
          if (!source_->Read(frame)) return false;
          frame->index += index_base_;
          frame->dropped += dropped_base_;
          last_index_ = frame->index;
          last_dropped_ = frame->dropped;
          return true;
        } catch (const Error& e) {
          Report(std::string(e.what()) + "; reconnecting");
          // Closing the failed device first: it may only open again once
          // nobody holds it.
          source_.reset();
          index_base_ = last_index_ + 1;
          dropped_base_ = last_dropped_;
          delay_s_ = options_.first_delay_s;
          attempts_ = 0;
          last_error_ = e.what();
        }
      }
      if (!Reopen()) return false;
    }
  }

  std::string Describe() const override {
    return (source_ ? source_->Describe() : description_) + " (reconnect)";
  }
  bool is_live() const override { return live_; }
  double fps() const override { return source_ ? source_->fps() : fps_; }

 private:
  void Report(const std::string& line) {
    if (report_) report_(line);
  }

  bool Stopped() const { return stop_ && stop_->load(); }

  // Sleeps up to seconds; false when stopped meanwhile.
  bool Wait(double seconds) {
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(seconds));
    while (std::chrono::steady_clock::now() < end) {
      if (Stopped()) return false;
      const auto left = end - std::chrono::steady_clock::now();
      std::this_thread::sleep_for(
          std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
    return !Stopped();
  }

  // One attempt after the current delay. False when stopped; throws after
  // max_attempts failures.
  bool Reopen() {
    if (!Wait(delay_s_)) return false;
    ++attempts_;
    try {
      source_ = open_();
      description_ = source_->Describe();
      Report("reconnected to " + description_ + " after " + std::to_string(attempts_) +
             (attempts_ == 1 ? " attempt" : " attempts"));
      return true;
    } catch (const Error& e) {
      last_error_ = e.what();
    }
    if (options_.max_attempts > 0 && attempts_ >= options_.max_attempts)
      throw Error(last_error_ + " (gave up after " + std::to_string(attempts_) +
                  " reconnection attempts)");
    delay_s_ = std::min(delay_s_ * 2, options_.max_delay_s);
    Report("reconnection attempt " + std::to_string(attempts_) + " failed: " + last_error_ +
           "; next in " + Seconds(delay_s_));
    return true;
  }

  std::unique_ptr<FrameSource> source_;
  SourceOpener open_;
  ReconnectOptions options_;
  const std::atomic<bool>* stop_;
  ReconnectReport report_;
  std::string description_;
  bool live_;
  double fps_;
  int64_t index_base_ = 0, dropped_base_ = 0;
  int64_t last_index_ = -1, last_dropped_ = 0;
  double delay_s_ = 0;
  int attempts_ = 0;
  std::string last_error_;
};

}  // namespace

std::unique_ptr<FrameSource> MakeReconnectingSource(std::unique_ptr<FrameSource> first,
                                                    SourceOpener open,
                                                    const ReconnectOptions& options,
                                                    const std::atomic<bool>* stop,
                                                    ReconnectReport report) {
  if (!first) throw Error("reconnect: no source");
  return std::make_unique<ReconnectingSource>(std::move(first), std::move(open), options, stop,
                                              std::move(report));
}

}  // namespace vww
