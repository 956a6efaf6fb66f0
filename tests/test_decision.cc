// The label decision and the wake/sleep state machine on hand-made score
// sequences, where the right answer can be worked out by hand.
#include <gtest/gtest.h>

#include <vector>

#include "model/model.h"
#include "pipeline/decision.h"

namespace vww {
namespace {

struct Fed {
  std::vector<WakeEvent> events;
  std::vector<double> smoothed;
  std::vector<bool> awake;
};

// Feeds scores as frames 0, 1, ... at `period_ms` intervals.
Fed Feed(WakeDetector& d, const std::vector<double>& scores, double period_ms = 100.0,
         int64_t first = 0) {
  Fed f;
  for (size_t i = 0; i < scores.size(); ++i) {
    const int64_t frame = first + static_cast<int64_t>(i);
    WakeEvent e;
    if (d.Update(frame, frame * period_ms, scores[i], &e)) f.events.push_back(e);
    f.smoothed.push_back(d.smoothed());
    f.awake.push_back(d.awake());
  }
  return f;
}

std::vector<double> Repeat(double v, int n) { return std::vector<double>(n, v); }

std::vector<double> Concat(std::initializer_list<std::vector<double>> parts) {
  std::vector<double> r;
  for (const auto& p : parts) r.insert(r.end(), p.begin(), p.end());
  return r;
}

DecisionOptions NoSmoothing() {
  DecisionOptions o;
  o.smooth = 1;
  return o;
}

TEST(DecideLabel, ArgmaxAboveThreshold) {
  const LabelDecision d = DecideLabel({0.25f, 0.75f}, 0.6);
  EXPECT_EQ(d.index, 1);
  EXPECT_FLOAT_EQ(d.confidence, 0.75f);
  EXPECT_EQ(LabelName(d, {"no person", "person"}), "person");
}

TEST(DecideLabel, BelowThresholdIsUncertain) {
  const LabelDecision d = DecideLabel({0.45f, 0.55f}, 0.6);
  EXPECT_EQ(d.index, -1);
  EXPECT_FLOAT_EQ(d.confidence, 0.55f);  // still reported
  EXPECT_EQ(LabelName(d, {"no person", "person"}), "uncertain");
}

TEST(DecideLabel, ExactlyAtThresholdIsConfident) {
  EXPECT_EQ(DecideLabel({0.375f, 0.625f}, 0.625).index, 1);
}

TEST(DecideLabel, TiesGoToTheFirstClassAndEmptyIsUncertain) {
  EXPECT_EQ(DecideLabel({0.5f, 0.5f}, 0.5).index, 0);
  EXPECT_EQ(DecideLabel({0.1f, 0.3f, 0.6f}, 0.0).index, 2);
  EXPECT_EQ(DecideLabel({}, 0.6).index, -1);
}

TEST(MovingAverage, PartialWindowThenSliding) {
  MovingAverage m(3);
  EXPECT_DOUBLE_EQ(m.Push(3), 3.0);  // [3]
  EXPECT_DOUBLE_EQ(m.Push(6), 4.5);  // [3 6]
  EXPECT_DOUBLE_EQ(m.Push(9), 6.0);  // [3 6 9]
  EXPECT_DOUBLE_EQ(m.Push(0), 5.0);  // [6 9 0]
  EXPECT_DOUBLE_EQ(m.Push(0), 3.0);  // [9 0 0]
  EXPECT_DOUBLE_EQ(m.Push(0), 0.0);  // [0 0 0]
  EXPECT_EQ(m.count(), 3);
  m.Reset();
  EXPECT_EQ(m.count(), 0);
  EXPECT_DOUBLE_EQ(m.Push(1), 1.0);
}

TEST(MovingAverage, WindowOfOneIsTheValue) {
  MovingAverage m(1);
  for (double v : {0.1, 0.9, 0.4}) EXPECT_DOUBLE_EQ(m.Push(v), v);
}

TEST(WakeDetector, WakesOnTheKthConsecutiveFrame) {
  WakeDetector d(NoSmoothing());  // wake_frames 3, wake_threshold 0.6
  const Fed f = Feed(d, {0.1, 0.7, 0.7, 0.2, 0.6, 0.8, 0.9, 0.9});
  // 1, 2 above then broken at 3; 4, 5, 6 above -> wake on frame 6.
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].type, WakeEventType::kWake);
  EXPECT_EQ(f.events[0].frame, 6);
  EXPECT_DOUBLE_EQ(f.events[0].t_ms, 600.0);
  EXPECT_DOUBLE_EQ(f.events[0].score, 0.9);
  EXPECT_FALSE(f.awake[5]);
  EXPECT_TRUE(f.awake[6]);
  EXPECT_TRUE(f.awake[7]);
}

TEST(WakeDetector, SleepsAfterTheHoldTimeOnFrameTimestamps) {
  WakeDetector d(NoSmoothing());  // sleep_threshold 0.4, hold 2.0 s
  // Awake on frame 2; below from frame 5 (t 500 ms); 2 s later is frame 25.
  const Fed f = Feed(d, Concat({Repeat(0.9, 5), Repeat(0.1, 30)}));
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[0].frame, 2);
  EXPECT_EQ(f.events[1].type, WakeEventType::kSleep);
  EXPECT_EQ(f.events[1].frame, 25);
  EXPECT_DOUBLE_EQ(f.events[1].t_ms, 2500.0);
  EXPECT_DOUBLE_EQ(f.events[1].score, 0.1);
  EXPECT_TRUE(f.awake[24]);
  EXPECT_FALSE(f.awake[25]);
}

TEST(WakeDetector, HoldIsTimeNotFrames) {
  WakeDetector d(NoSmoothing());
  // At 25 fps (40 ms) the 2 s hold is 50 frames: below from frame 3 -> 53.
  const Fed f = Feed(d, Concat({Repeat(0.9, 3), Repeat(0.1, 60)}), 40.0);
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[1].frame, 53);
}

TEST(WakeDetector, ScoreBackAboveSleepThresholdRestartsTheHold) {
  WakeDetector d(NoSmoothing());
  // Between the thresholds (0.5) counts as "not below": it breaks the run.
  const Fed f = Feed(d, Concat({Repeat(0.9, 3), Repeat(0.1, 15), {0.5}, Repeat(0.1, 25)}));
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[1].frame, 19 + 20);  // run restarts at frame 19
}

TEST(WakeDetector, HoldZeroSleepsOnTheFirstFrameBelow) {
  DecisionOptions o = NoSmoothing();
  o.hold_seconds = 0;
  WakeDetector d(o);
  const Fed f = Feed(d, {0.9, 0.9, 0.9, 0.5, 0.39});
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[1].frame, 4);
}

TEST(WakeDetector, WakesAgainAfterSleeping) {
  WakeDetector d(NoSmoothing());
  const Fed f = Feed(d, Concat({Repeat(0.9, 3), Repeat(0.0, 21), Repeat(0.9, 3)}));
  ASSERT_EQ(f.events.size(), 3u);
  EXPECT_EQ(f.events[0].frame, 2);
  EXPECT_EQ(f.events[1].frame, 23);
  EXPECT_EQ(f.events[2].type, WakeEventType::kWake);
  EXPECT_EQ(f.events[2].frame, 26);  // needs 3 fresh frames, none carried over
}

TEST(WakeDetector, SmoothingDelaysAndFiltersWake) {
  WakeDetector d;  // defaults: smooth 5, wake 0.6 x 3
  // Smoothed: 0.0 0.0 0.0 0.0 0.2 0.4 0.6 0.8 1.0 -> >= 0.6 from frame 6,
  // third such frame is 8.
  const Fed f = Feed(d, Concat({Repeat(0.0, 4), Repeat(1.0, 5)}));
  const std::vector<double> want = {0, 0, 0, 0, 0.2, 0.4, 0.6, 0.8, 1.0};
  ASSERT_EQ(f.smoothed.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(f.smoothed[i], want[i], 1e-12) << i;
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].frame, 8);
  EXPECT_NEAR(f.events[0].score, 1.0, 1e-12);

  // A single-frame spike is averaged away.
  WakeDetector spike;
  EXPECT_TRUE(Feed(spike, Concat({Repeat(0.1, 5), {1.0}, Repeat(0.1, 10)})).events.empty());
}

TEST(WakeDetector, PartialWindowAtTheStart) {
  DecisionOptions o;
  o.wake_frames = 1;
  WakeDetector d(o);
  // Frame 0 alone is the whole window: 0.7 wakes at once.
  const Fed f = Feed(d, {0.7});
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].frame, 0);
}

TEST(WakeDetector, ClockRestartDoesNotStallSleep) {
  WakeDetector d(NoSmoothing());
  WakeEvent e;
  for (int i = 0; i < 3; ++i) d.Update(i, 10000.0 + i * 100, 0.9, &e);
  ASSERT_TRUE(d.awake());
  d.Update(3, 10300, 0.1, &e);  // the below-run starts at 10.3 s ...
  int64_t slept = -1;
  for (int i = 4; i < 40 && slept < 0; ++i)  // ... and the clock restarts at 0
    if (d.Update(i, (i - 4) * 100.0, 0.1, &e)) slept = e.frame;
  EXPECT_EQ(slept, 4 + 20);
}

TEST(WakeDetector, NewThresholdsKeepStateNewWindowResets) {
  WakeDetector d(NoSmoothing());
  Feed(d, Repeat(0.9, 3));
  ASSERT_TRUE(d.awake());
  DecisionOptions o = NoSmoothing();
  o.sleep_threshold = 0.2;
  d.set_options(o);
  EXPECT_TRUE(d.awake());
  o.smooth = 4;
  d.set_options(o);
  EXPECT_FALSE(d.awake());
  EXPECT_EQ(d.smoothed(), 0.0);
}

TEST(DecisionOptions, ValidateRejectsNonsense) {
  EXPECT_NO_THROW(DecisionOptions().Validate());
  auto bad = [](auto change) {
    DecisionOptions o;
    change(o);
    EXPECT_THROW(o.Validate(), Error);
  };
  bad([](DecisionOptions& o) { o.smooth = 0; });
  bad([](DecisionOptions& o) { o.wake_frames = 0; });
  bad([](DecisionOptions& o) { o.threshold = 1.5; });
  bad([](DecisionOptions& o) { o.hold_seconds = -1; });
  bad([](DecisionOptions& o) { o.sleep_threshold = 0.7; });  // above wake_threshold 0.6
}

}  // namespace
}  // namespace vww
