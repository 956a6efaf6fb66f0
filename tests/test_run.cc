// `vww run` end to end on the sample videos: scores frame for frame equal to
// the TFLM reference (on arm64: see ReadReference), wake decisions equal to the documented rule
// applied to the reference scores, deterministic logs, hooks, limits and errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/session.h"
#include "tests/test_util.h"
#include "tests/video_reference.h"

namespace vww {
namespace {

namespace fs = std::filesystem;

std::string Video(const std::string& name) { return test::VideoPath(name); }

using test::Scratch;

using test::ReadText;

using Result = test::VwwResult;
using test::RunVww;

std::vector<std::string> SplitCsv(const std::string& line) {
  // Our logs and the reference never quote (labels without commas).
  std::vector<std::string> f;
  std::stringstream ss(line);
  std::string item;
  while (std::getline(ss, item, ',')) f.push_back(item);
  if (!line.empty() && line.back() == ',') f.emplace_back();
  return f;
}

// The reference outputs of every frame of a video, plus its frame rate.
struct Reference {
  std::vector<int> q_no_person, q_person;
  std::vector<double> p_person;
  double fps = 0;
};

Reference ReadTflmReference(const std::string& video, const std::string& mode) {
  std::ifstream in(test::DataDir() + "/reference/" + video + "." + mode + ".csv");
  Reference ref;
  std::string line;
  std::getline(in, line);  // frame,q_no_person,q_person,p_person
  while (std::getline(in, line)) {
    if (line.rfind("#meta", 0) == 0) {
      const size_t at = line.find("fps=");
      if (at != std::string::npos) ref.fps = std::stod(line.substr(at + 4));
      continue;
    }
    if (line.empty()) continue;
    const auto f = SplitCsv(line);
    EXPECT_EQ(std::stoi(f[0]), static_cast<int>(ref.q_person.size()));
    ref.q_no_person.push_back(std::stoi(f[1]));
    ref.q_person.push_back(std::stoi(f[2]));
    // P(person) exactly as documented in reference/README.md.
    ref.p_person.push_back((std::stoi(f[2]) + 128) / 256.0);
  }
  return ref;
}

// A --log CSV as columns by header name.
struct CsvLog {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  int Column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    EXPECT_NE(it, header.end()) << "no column " << name;
    return static_cast<int>(it - header.begin());
  }
  std::vector<std::string> Get(const std::string& name) const {
    const int c = Column(name);
    std::vector<std::string> v;
    for (const auto& r : rows) v.push_back(c < static_cast<int>(r.size()) ? r[c] : "");
    return v;
  }
  std::vector<int> Ints(const std::string& name) const {
    std::vector<int> v;
    for (const auto& s : Get(name)) v.push_back(std::stoi(s));
    return v;
  }
  std::vector<double> Doubles(const std::string& name) const {
    std::vector<double> v;
    for (const auto& s : Get(name)) v.push_back(std::stod(s));
    return v;
  }
};

CsvLog ReadCsvLog(const std::string& path) {
  std::ifstream in(path);
  CsvLog log;
  std::string line;
  std::getline(in, line);
  log.header = SplitCsv(line);
  while (std::getline(in, line))
    if (!line.empty()) log.rows.push_back(SplitCsv(line));
  return log;
}

std::string VideoFile(const std::string& video) {
  return Video(video + (video == "vtest_person" ? ".avi" : ".mpg"));
}

// The scores a run of `video` must log, frame for frame. Where the sample
// videos decode to the bytes the TFLite Micro references were made from
// (test::VideoDecodesLikeReference: x86-64), those references: the whole path,
// decode, DSP and model, equals TFLite Micro's. Where the decoder gives other
// bytes (Debian's arm64 FFmpeg), the scores of the reference backend on the
// frames it gives (the reference kernels equal TFLite Micro's on this machine
// too: tests/test_golden.cc and the image references), so the run's DSP, fast
// kernels, decisions and logs are still checked frame for frame; the frame
// count and rate must still be the reference's.
Reference ReadReference(const std::string& video, const std::string& mode) {
  const Reference tflm = ReadTflmReference(video, mode);
  if (test::VideoDecodesLikeReference()) return tflm;
  static std::map<std::string, Reference> local;  // one reference run per video and mode
  const auto it = local.find(video + "." + mode);
  if (it != local.end()) return it->second;
  Scratch dir;
  const Result r =
      RunVww("run --headless --quiet --backend reference --source " + VideoFile(video) +
             (mode == "squash" ? " --crop squash" : "") + " --log " + dir("log.csv"));
  EXPECT_EQ(r.code, 0) << r.err;
  const CsvLog log = ReadCsvLog(dir("log.csv"));
  Reference ref;
  ref.fps = tflm.fps;
  ref.q_no_person = log.Ints("q_no_person");
  ref.q_person = log.Ints("q_person");
  for (int q : ref.q_person) ref.p_person.push_back((q + 128) / 256.0);
  EXPECT_EQ(ref.q_person.size(), tflm.q_person.size()) << video << ": frames decoded";
  return local[video + "." + mode] = ref;
}

struct Event {
  std::string type;
  long frame = -1;
  double t_ms = 0, score = 0;
};

// One line of a .jsonl file, keys in the order written.
using Json = nlohmann::ordered_json;

std::vector<Event> ReadEvents(const std::string& path) {
  std::ifstream in(path);
  std::vector<Event> events;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const Json j = Json::parse(line);
    Event e;
    e.type = j.at("event").get<std::string>();
    e.frame = j.at("frame").get<long>();
    e.t_ms = j.at("t_ms").get<double>();
    e.score = j.at("score").get<double>();
    events.push_back(e);
  }
  return events;
}

// The documented wake rule (pipeline/decision.h, `vww run --help`) applied
// independently of the code under test: smoothed = mean of the last `smooth`
// scores (fewer at the start); wake on the `frames`-th consecutive frame with
// smoothed >= threshold. Returns the frame, or -1.
long FirstWake(const std::vector<double>& p, int smooth, double threshold, int frames) {
  int run = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const size_t from = i + 1 >= static_cast<size_t>(smooth) ? i + 1 - smooth : 0;
    double sum = 0;
    for (size_t j = from; j <= i; ++j) sum += p[j];
    const double s = sum / static_cast<double>(i + 1 - from);
    run = s >= threshold ? run + 1 : 0;
    if (run == frames) return static_cast<long>(i);
  }
  return -1;
}

// The smoothed score at frame i by the documented rule: the mean of the last
// `smooth` scores up to and including frame i (fewer at the start).
double SmoothedAt(const std::vector<double>& p, int smooth, size_t i) {
  const size_t from = i + 1 >= static_cast<size_t>(smooth) ? i + 1 - smooth : 0;
  double sum = 0;
  for (size_t j = from; j <= i; ++j) sum += p[j];
  return sum / static_cast<double>(i + 1 - from);
}

double MaxSmoothed(const std::vector<double>& p, int smooth) {
  double best = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const size_t from = i + 1 >= static_cast<size_t>(smooth) ? i + 1 - smooth : 0;
    double sum = 0;
    for (size_t j = from; j <= i; ++j) sum += p[j];
    best = std::max(best, sum / static_cast<double>(i + 1 - from));
  }
  return best;
}

void ExpectScoresMatchReference(const CsvLog& log, const Reference& ref) {
  const auto frames = log.Ints("frame");
  const auto q0 = log.Ints("q_no_person");
  const auto q1 = log.Ints("q_person");
  const auto p1 = log.Doubles("p_person");
  ASSERT_EQ(frames.size(), ref.q_person.size());
  int mismatches = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i], static_cast<int>(i));
    if (q0[i] != ref.q_no_person[i] || q1[i] != ref.q_person[i] || p1[i] != ref.p_person[i]) {
      if (++mismatches <= 5)
        ADD_FAILURE() << "frame " << i << ": got [" << q0[i] << ", " << q1[i] << "] want ["
                      << ref.q_no_person[i] << ", " << ref.q_person[i] << "]";
    }
  }
  EXPECT_EQ(mismatches, 0);
}

class RunVideo : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

// Every frame of both videos, both crop modes: the int8 outputs in the log
// equal the reference interpreter's, frame for frame.
TEST_P(RunVideo, ScoresMatchReferenceFrameForFrame) {
  const auto& [video, mode] = GetParam();
  Scratch dir;
  const std::string crop = mode == "squash" ? " --crop squash" : "";
  const Result r = RunVww("run --headless --quiet --source " + VideoFile(video) + crop + " --log " +
                          dir("log.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectScoresMatchReference(ReadCsvLog(dir("log.csv")), ReadReference(video, mode));
}

INSTANTIATE_TEST_SUITE_P(Videos, RunVideo,
                         ::testing::Combine(::testing::Values("vtest_person", "city_no_person"),
                                            ::testing::Values("crop", "squash")),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

TEST(RunCli, PersonVideoWakesWhereTheReferenceSays) {
  Scratch dir;
  const Result r = RunVww("run --headless --quiet --source " + Video("vtest_person.avi") +
                          " --log " + dir("log.csv") + " --events " + dir("events.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  const Reference ref = ReadReference("vtest_person", "crop");
  const long want = FirstWake(ref.p_person, 5, 0.6, 3);
  ASSERT_GT(want, 0);

  const auto events = ReadEvents(dir("events.jsonl"));
  ASSERT_FALSE(events.empty()) << r.out;
  EXPECT_EQ(events[0].type, "wake");
  EXPECT_EQ(events[0].frame, want);
  ASSERT_GT(ref.fps, 0);
  EXPECT_DOUBLE_EQ(events[0].t_ms, want * 1000.0 / ref.fps);  // about 4.5 s in
  // Events alternate wake, sleep, wake, ...
  for (size_t i = 0; i < events.size(); ++i)
    EXPECT_EQ(events[i].type, i % 2 ? "sleep" : "wake") << i;

  // The per-frame log agrees with the events, and the console prints them.
  const CsvLog log = ReadCsvLog(dir("log.csv"));
  const auto state = log.Get("state");
  ASSERT_EQ(state.size(), ref.p_person.size());
  EXPECT_EQ(state[want - 1], "asleep");
  EXPECT_EQ(state[want], "awake");
  EXPECT_NE(r.out.find("WAKE (frame " + std::to_string(want) + ","), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("summary: 795 frames"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("end of stream"), std::string::npos) << r.err;
}

TEST(RunCli, NoPersonVideoNeverWakes) {
  Scratch dir;
  // The copy in tests/data, which must be the reference video.
  const std::string video = test::AssetsDir() + "/../tests/data/city_no_person.mpg";
  const Result r = RunVww("run --headless --quiet --source " + video + " --log " + dir("log.csv") +
                          " --events " + dir("events.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(ReadEvents(dir("events.jsonl")).empty());
  const Reference ref = ReadReference("city_no_person", "crop");
  EXPECT_EQ(FirstWake(ref.p_person, 5, 0.6, 3), -1);
  const CsvLog log = ReadCsvLog(dir("log.csv"));
  for (const auto& s : log.Get("state")) ASSERT_EQ(s, "asleep");
  const auto smoothed = log.Doubles("smoothed");
  ASSERT_FALSE(smoothed.empty());
  EXPECT_NEAR(*std::max_element(smoothed.begin(), smoothed.end()), MaxSmoothed(ref.p_person, 5),
              1e-9);
  EXPECT_EQ(r.out.find("WAKE"), std::string::npos);
}

// The columns that do not measure time.
std::string WithoutTimings(const std::string& jsonl) {
  std::stringstream in(jsonl);
  std::string line, kept;
  while (std::getline(in, line)) {
    Json j = Json::parse(line);
    for (const char* key : {"latency_ms", "dsp_ms", "classification_ms"}) j.erase(key);
    kept += j.dump() + "\n";
  }
  return kept;
}

TEST(RunCli, TwoRunsGiveIdenticalLogs) {
  Scratch dir;
  const std::string args = "run --headless --quiet --source " + Video("city_no_person.mpg") +
                           " --smooth 3 --wake-threshold 0.2 --sleep-threshold 0.2 "
                           "--hold-seconds 0.5 --events ";
  ASSERT_EQ(RunVww(args + dir("e1.jsonl") + " --log " + dir("a.jsonl")).code, 0);
  ASSERT_EQ(RunVww(args + dir("e2.jsonl") + " --log " + dir("b.jsonl")).code, 0);
  const std::string a = WithoutTimings(ReadText(dir("a.jsonl")));
  ASSERT_GT(std::count(a.begin(), a.end(), '\n'), 100);
  EXPECT_EQ(a.find("latency_ms"), std::string::npos);
  EXPECT_NE(a.find("\"scores_q\":["), std::string::npos);
  EXPECT_EQ(a, WithoutTimings(ReadText(dir("b.jsonl"))));
  // Low thresholds so these runs have events to compare too.
  EXPECT_FALSE(ReadText(dir("e1.jsonl")).empty());
  EXPECT_EQ(ReadText(dir("e1.jsonl")), ReadText(dir("e2.jsonl")));
}

TEST(RunCli, JsonlLogHasEveryField) {
  Scratch dir;
  ASSERT_EQ(RunVww("run --headless --quiet --frames 3 --source " + Video("vtest_person.avi") +
                   " --log " + dir("log.jsonl"))
                .code,
            0);
  std::stringstream in(ReadText(dir("log.jsonl")));
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const Json j = Json::parse(line);
    EXPECT_EQ(j.at("frame"), n);
    EXPECT_DOUBLE_EQ(j.at("t_ms").get<double>(), n * 100.0);
    for (const char* key :
         {"latency_ms", "dsp_ms", "classification_ms", "confidence", "smoothed", "dropped"})
      EXPECT_TRUE(j.at(key).is_number()) << key << " in " << line;
    ASSERT_TRUE(j.at("scores").is_object()) << line;
    ASSERT_FALSE(j["scores"].empty()) << line;
    EXPECT_EQ(j["scores"].begin().key(), "no person") << line;
    EXPECT_TRUE(j.at("label").is_string()) << line;
    EXPECT_EQ(j.at("state"), "asleep");
    ++n;
  }
  EXPECT_EQ(n, 3);
}

TEST(RunCli, ConsoleMirrorsEdgeImpulse) {
  Scratch dir;
  const Result r =
      RunVww("run --headless --frames 4 --print-every 2 --source " + Video("city_no_person.mpg"));
  ASSERT_EQ(r.code, 0) << r.err;
  // Frames 0 and 2 of 4; reference q for frame 0 is [76, -76].
  size_t blocks = 0;
  for (size_t at = 0; (at = r.out.find("Predictions (DSP: ", at)) != std::string::npos; ++at)
    ++blocks;
  EXPECT_EQ(blocks, 2u) << r.out;
  EXPECT_NE(r.out.find(" ms., Anomaly: 0 ms.):\n  no person: 0.79688\n  person: 0.20312\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("summary: 4 frames"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("frame limit"), std::string::npos) << r.err;

  const Result q =
      RunVww("run --headless --quiet --frames 4 --source " + Video("city_no_person.mpg"));
  ASSERT_EQ(q.code, 0) << q.err;
  EXPECT_EQ(q.out, "");
}

TEST(RunCli, DurationIsStreamTime) {
  Scratch dir;
  // vtest is 10 fps: one second is frames 0..9.
  const Result r = RunVww("run --headless --quiet --duration 1 --source " +
                          Video("vtest_person.avi") + " --log " + dir("log.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadCsvLog(dir("log.csv")).rows.size(), 10u);
  EXPECT_NE(r.err.find("duration limit"), std::string::npos) << r.err;
}

TEST(RunCli, HooksGetTheEventInTheirEnvironment) {
  Scratch dir;
  const std::string out = dir("hooks.txt");
  const Result r = RunVww(
      test::Words("run --headless --quiet --frames 60 --source " + Video("vtest_person.avi"),
                  {"--on-wake", "echo \"$VWW_EVENT $VWW_FRAME $VWW_T_MS $VWW_SCORE\" >> " + out}));
  ASSERT_EQ(r.code, 0) << r.err;
  const long wake = FirstWake(ReadReference("vtest_person", "crop").p_person, 5, 0.6, 3);
  ASSERT_LT(wake, 60);
  // vww waits for hooks still running at the end, so the file is complete.
  const std::string text = ReadText(out);
  EXPECT_EQ(
      text.rfind("wake " + std::to_string(wake) + " " + std::to_string(wake * 100) + ".000 0.", 0),
      0u)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

TEST(RunCli, HungHookIsKilled) {
  Scratch dir;
  // The hook would sleep for a minute; the run must end without it.
  const Result r = RunVww(test::Words(
      "run --headless --quiet --frames 60 --hook-timeout 0.3 --source " + Video("vtest_person.avi"),
      {"--on-wake", "sleep 60"}));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("hooks: 1 run, 0 skipped, 1 killed"), std::string::npos) << r.err;
}

TEST(RunCli, ErrorsAreOneLineAndNonZero) {
  Scratch dir;
  Result r = RunVww("run --headless --source " + dir("missing.avi"));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  for (const char* bad : {"--smooth 0", "--sleep-threshold 0.9", "--size 640", "--capture foo",
                          "--log out.txt", "--bogus"}) {
    r = RunVww(std::string("run --headless --source ") + Video("city_no_person.mpg") + " " + bad);
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << bad << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << bad << ": " << r.err;
  }
}

TEST(RunCli, FallsBackToTheSampleVideoWithoutACamera) {
  for (int i = 0; i < 64; ++i)
    if (fs::exists("/dev/video" + std::to_string(i))) GTEST_SKIP() << "this machine has a camera";
  Scratch dir;
  const Result r = RunVww("run --headless --quiet --frames 5 --log " + dir("log.csv"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("vtest_person.avi"), std::string::npos) << r.err;
  // The bundled copy is the reference video: same scores.
  const auto q = ReadCsvLog(dir("log.csv")).Ints("q_person");
  const Reference ref = ReadReference("vtest_person", "crop");
  ASSERT_EQ(q.size(), 5u);
  for (size_t i = 0; i < q.size(); ++i) EXPECT_EQ(q[i], ref.q_person[i]) << i;
}

// The loop as a library, the way the UI drives it.
std::unique_ptr<Session> OpenSession(const std::string& video) {
  SourceOptions source;
  source.source = Video(video);
  return std::make_unique<Session>(
      OpenSource(source), std::make_unique<Classifier>(ClassifierOptions{}), DecisionOptions{});
}

TEST(Session, CallbackSeesEachFrameAndCanStop) {
  auto session = OpenSession("city_no_person.mpg");
  const Reference ref = ReadReference("city_no_person", "crop");
  int64_t seen = 0;
  const SessionSummary s = session->Run([&](const FrameResult& r) {
    EXPECT_EQ(r.frame.index, seen);
    EXPECT_EQ(r.processed, seen + 1);
    EXPECT_EQ(r.frame.image.cols, 720);
    EXPECT_EQ(r.model_image.cols, 96);
    EXPECT_EQ(r.model_image.rows, 96);
    EXPECT_EQ(r.labels.size(), 2u);
    EXPECT_EQ(r.person_index, 1);
    EXPECT_EQ(r.classification.scores_q[1], ref.q_person[seen]);
    EXPECT_EQ(r.person_score, ref.p_person[seen]);
    EXPECT_EQ(r.label.index, 0);  // "no person" above 0.6 on these frames
    EXPECT_FALSE(r.awake);
    EXPECT_FALSE(r.event.has_value());
    return ++seen < 10;
  });
  EXPECT_EQ(seen, 10);
  EXPECT_EQ(s.frames, 10);
  EXPECT_EQ(s.end, "stopped");
  EXPECT_EQ(s.wakes, 0);
}

TEST(Session, StopFlagAndFrameLimit) {
  auto session = OpenSession("city_no_person.mpg");
  std::atomic<bool> stop{false};
  SessionSummary s = session->Run(
      [&](const FrameResult& r) {
        if (r.processed == 5) stop = true;
        return true;
      },
      {}, &stop);
  EXPECT_EQ(s.frames, 5);
  EXPECT_EQ(s.end, "interrupted");

  stop = false;
  SessionLimits limits;
  limits.max_frames = 8;  // counts all frames of the session
  s = session->Run(nullptr, limits, &stop);
  EXPECT_EQ(s.frames, 8);
  EXPECT_EQ(s.end, "frame limit");
}

TEST(Session, EventsReachTheCallbackAndTheList) {
  auto session = OpenSession("vtest_person.avi");
  const Reference ref = ReadReference("vtest_person", "crop");
  const long want = FirstWake(ref.p_person, 5, 0.6, 3);
  std::vector<WakeEvent> seen;
  SessionLimits limits;
  limits.max_frames = want + 1;
  const SessionSummary s = session->Run(
      [&](const FrameResult& r) {
        if (r.event) seen.push_back(*r.event);
        EXPECT_EQ(r.awake, r.frame.index >= want);
        // The smoothed score the callback sees is the documented mean of the
        // reference scores (default --smooth 5), not the session's own state.
        EXPECT_NEAR(r.smoothed, SmoothedAt(ref.p_person, 5, static_cast<size_t>(r.frame.index)),
                    1e-9)
            << "frame " << r.frame.index;
        return true;
      },
      limits);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].frame, want);
  EXPECT_EQ(seen[0].type, WakeEventType::kWake);
  ASSERT_EQ(session->events().size(), 1u);
  EXPECT_EQ(session->events()[0].frame, want);
  EXPECT_EQ(s.wakes, 1);
  EXPECT_TRUE(s.awake);
}

}  // namespace
}  // namespace vww
