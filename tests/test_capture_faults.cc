// --reconnect (pipeline/capture/reconnect.h) against scripted sources: a source that
// fails mid-stream is reopened with backoff, frame indices keep counting, a
// stop request ends the wait, and a source that never comes back is given up
// after max_attempts. (The V4L2 fake device cases are in
// test_capture_v4l2.cc.) Delays here are tiny; no test asserts a duration.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/capture/reconnect.h"

namespace vww {
namespace {

// Delivers `frames` frames (dropping one before each odd index), then either
// ends or throws `error`.
class ScriptedSource : public FrameSource {
 public:
  ScriptedSource(int frames, std::string error) : frames_(frames), error_(std::move(error)) {}
  bool Read(Frame* frame) override {
    if (next_ >= frames_) {
      if (error_.empty()) return false;
      throw Error(error_);
    }
    frame->image = cv::Mat(2, 2, CV_8UC1, cv::Scalar(next_));
    frame->index = next_ * 2;  // one dropped frame between two delivered ones
    frame->dropped = next_;
    ++next_;
    return true;
  }
  std::string Describe() const override { return "scripted"; }
  bool is_live() const override { return true; }
  double fps() const override { return 30; }

 private:
  int frames_;
  std::string error_;
  int next_ = 0;
};

ReconnectOptions Fast(int max_attempts = 0) {
  ReconnectOptions o;
  o.first_delay_s = 0.001;
  o.max_delay_s = 0.004;
  o.max_attempts = max_attempts;
  return o;
}

TEST(Reconnect, ReopensWithBackoffAndKeepsCounting) {
  int opens = 0;
  std::vector<std::string> lines;
  auto source = MakeReconnectingSource(
      std::make_unique<ScriptedSource>(2, "camera /dev/video0 disconnected (No such device)"),
      [&]() -> std::unique_ptr<FrameSource> {
        if (++opens < 3) throw Error("camera /dev/video0 not found; no camera found");
        return std::make_unique<ScriptedSource>(2, "");
      },
      Fast(), nullptr, [&](const std::string& l) { lines.push_back(l); });

  // Indices as delivered: 0, 2 from the first source; the second source's
  // 0, 2 continue after the last one seen (2), as 3 and 5.
  std::vector<int64_t> indices, dropped;
  Frame frame;
  while (source->Read(&frame)) {
    indices.push_back(frame.index);
    dropped.push_back(frame.dropped);
  }
  EXPECT_EQ(indices, (std::vector<int64_t>{0, 2, 3, 5}));
  EXPECT_EQ(dropped, (std::vector<int64_t>{0, 1, 1, 2}));
  EXPECT_EQ(opens, 3);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "camera /dev/video0 disconnected (No such device); reconnecting");
  EXPECT_EQ(lines[1],
            "reconnection attempt 1 failed: camera /dev/video0 not found; no camera found; "
            "next in 0.002 s");
  EXPECT_EQ(lines[2],
            "reconnection attempt 2 failed: camera /dev/video0 not found; no camera found; "
            "next in 0.004 s");
  EXPECT_EQ(lines[3], "reconnected to scripted after 3 attempts");
  for (const auto& l : lines) EXPECT_EQ(l.find('\n'), std::string::npos);
}

TEST(Reconnect, GivesUpAfterMaxAttempts) {
  int opens = 0;
  auto source = MakeReconnectingSource(
      std::make_unique<ScriptedSource>(1, "camera /dev/video0 stalled: no frame for 5 s"),
      [&]() -> std::unique_ptr<FrameSource> {
        ++opens;
        throw Error("camera /dev/video0 not found; no camera found");
      },
      Fast(3), nullptr, nullptr);
  Frame frame;
  ASSERT_TRUE(source->Read(&frame));
  std::string error;
  try {
    source->Read(&frame);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_EQ(error,
            "camera /dev/video0 not found; no camera found (gave up after 3 reconnection "
            "attempts)");
  EXPECT_EQ(opens, 3);
}

TEST(Reconnect, StopRequestEndsTheWait) {
  std::atomic<bool> stop{false};
  ReconnectOptions slow;
  slow.first_delay_s = 0.05;
  slow.max_delay_s = 3600;  // without the stop flag this would wait an hour
  auto source = MakeReconnectingSource(
      std::make_unique<ScriptedSource>(0, "camera /dev/video0 disconnected (No such device)"),
      []() -> std::unique_ptr<FrameSource> { throw Error("camera /dev/video0 not found"); }, slow,
      &stop, nullptr);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  Frame frame;
  EXPECT_FALSE(source->Read(&frame));
  stopper.join();
}

TEST(Reconnect, EndOfStreamIsNotAFailure) {
  int opens = 0;
  auto source = MakeReconnectingSource(
      std::make_unique<ScriptedSource>(3, ""),
      [&]() -> std::unique_ptr<FrameSource> {
        ++opens;
        return std::make_unique<ScriptedSource>(3, "");
      },
      Fast(), nullptr, nullptr);
  Frame frame;
  int n = 0;
  while (source->Read(&frame)) ++n;
  EXPECT_EQ(n, 3);
  EXPECT_EQ(opens, 0);
}

}  // namespace
}  // namespace vww
