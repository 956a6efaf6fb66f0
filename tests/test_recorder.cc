// Session recording: the recorder on its own (SHA-256, layout, failures) and
// `vww run --record` end to end (Ctrl-C mid-recording, replay of raw video).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>
#include <thread>

#include "model/model.h"
#include "recording_util.h"
#include "test_util.h"
#include "ui/recorder/recorder.h"

namespace vww {
namespace {

namespace fs = std::filesystem;
using test::CountFrames;
using test::CountLines;
using test::ReadText;
using test::Scratch;

std::string PersonVideo() { return test::AssetsDir() + "/vtest_person.avi"; }

// --- SHA-256 against the FIPS 180-2 example vectors ---------------------------

TEST(Sha256, StandardVectors) {
  EXPECT_EQ(Sha256Hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc", 3),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(Sha256Hex(two_blocks.data(), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(Sha256Hex(million.data(), million.size()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, ModelFileMatchesSha256sum) {
  // From `sha256sum assets/person_detect.tflite`.
  EXPECT_EQ(Sha256File(test::ModelPath()),
            "808cfdfc0cf3a6fa6f6fa26bfa379ea97c16d5db7334637766e39c3408502e9d");
  EXPECT_EQ(Sha256File("/nonexistent/file"), "");
}

// --- the recorder with synthetic frames ----------------------------------------

// Frame n of a synthetic 64x48 stream: a gradient shifted by n.
struct SyntheticFrame {
  Frame frame;
  cv::Mat model_image{96, 96, CV_8UC1, cv::Scalar(7)};
  Classification c;
  std::vector<std::string> labels{"no person", "person"};
  explicit SyntheticFrame(int n) {
    frame.image.create(48, 64, CV_8UC3);
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x) frame.image.at<cv::Vec3b>(y, x) = cv::Vec3b(x + n, y, 100);
    frame.index = n;
    frame.timestamp_ms = 100.0 * n;
    c.scores = {0.25f, 0.75f};
    c.scores_q = {-64, 64};
    c.top = 1;
  }
  FrameResult Result(std::optional<WakeEvent> event = std::nullopt) const {
    FrameResult r{frame, model_image, c, labels};
    r.person_index = 1;
    r.person_score = 0.75;
    r.event = event;
    r.awake = event && event->type == WakeEventType::kWake;
    return r;
  }
};

RecorderOptions Options(const Scratch& dir) {
  RecorderOptions o;
  o.dir = dir("rec");
  o.raw = true;
  o.clips = true;
  o.preroll_s = 0.3;  // 3 frames at 10 fps
  o.postroll_s = 0.2;
  o.fps = 10;
  o.model_path = test::ModelPath();
  o.labels = {"no person", "person"};
  o.min_free_bytes = 0;
  return o;
}

TEST(Recorder, SessionFolderHoldsEveryFileAndTheyAgree) {
  Scratch dir;
  std::string folder;
  {
    Recorder rec(Options(dir));
    folder = rec.folder();
    for (int n = 0; n < 20; ++n) {
      SyntheticFrame f(n);
      std::optional<WakeEvent> e;
      if (n == 5) e = WakeEvent{WakeEventType::kWake, 5, 500.0, 0.7};
      if (n == 10) e = WakeEvent{WakeEventType::kSleep, 10, 1000.0, 0.3};
      rec.AddFrame(f.Result(e), f.frame.image);
    }
    EXPECT_TRUE(rec.ok()) << rec.error();
  }  // the destructor finalises
  EXPECT_EQ(fs::path(folder).parent_path(), fs::path(dir("rec")));
  EXPECT_EQ(CountFrames(folder + "/annotated.avi"), 20);
  EXPECT_EQ(CountFrames(folder + "/raw.avi"), 20);
  EXPECT_EQ(CountLines(folder + "/log.csv"), 21);  // header + 20 rows
  EXPECT_EQ(CountLines(folder + "/events.jsonl"), 2);
  EXPECT_FALSE(cv::imread(folder + "/wake-001.png").empty());
  EXPECT_EQ(cv::imread(folder + "/wake-001-input.png", cv::IMREAD_UNCHANGED).size(),
            cv::Size(96, 96));
  // Clip: 3 preroll frames (2..4), the wake frame 5 to the sleep at frame 10,
  // and postroll to t >= 1000 + 200 ms (frame 12): 2..12 = 11 frames.
  EXPECT_EQ(CountFrames(folder + "/clips/clip-001.avi"), 11);
  // Raw video is lossless: frame 7 decodes to exactly the frame given.
  cv::VideoCapture raw(folder + "/raw.avi", cv::CAP_FFMPEG);
  cv::Mat got;
  for (int i = 0; i <= 7; ++i) ASSERT_TRUE(raw.read(got));
  EXPECT_EQ(cv::norm(got, SyntheticFrame(7).frame.image, cv::NORM_INF), 0.0);
  const std::string text = ReadText(folder + "/session.json");
  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json.at("model_sha256"),
            "808cfdfc0cf3a6fa6f6fa26bfa379ea97c16d5db7334637766e39c3408502e9d")
      << text;
  EXPECT_EQ(json.at("frames"), 20) << text;
  EXPECT_EQ(json.at("wakes"), 1) << text;
  EXPECT_EQ(json.at("sleeps"), 1) << text;
  EXPECT_EQ(json.at("clips_written"), 1) << text;
  EXPECT_TRUE(json.at("error").is_null()) << text;
  EXPECT_EQ(json.at("start").get<std::string>().rfind("20", 0), 0u) << text;
  EXPECT_FALSE(json.at("end").is_null()) << text;
}

TEST(Recorder, TwoSessionsInTheSameSecondGetTheirOwnFolders) {
  Scratch dir;
  Recorder a(Options(dir)), b(Options(dir));
  EXPECT_NE(a.folder(), b.folder());
}

TEST(Recorder, UnusableFolderIsAOneLineError) {
  Scratch dir;
  std::ofstream(dir("file")) << "x";
  RecorderOptions o = Options(dir);
  o.dir = dir("file") + "/sub";  // below a regular file: cannot exist
  try {
    Recorder rec(o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(o.dir), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(Recorder, DiskFullStopsRecordingAndKeepsTheFilesValid) {
  Scratch dir;
  RecorderOptions o = Options(dir);
  o.min_free_bytes = std::numeric_limits<int64_t>::max();  // any disk is "full"
  Recorder rec(o);
  for (int n = 0; n < 5; ++n) {
    SyntheticFrame f(n);
    rec.AddFrame(f.Result(), f.frame.image);  // must not throw
  }
  rec.Close();  // the writer thread has seen every frame
  EXPECT_FALSE(rec.ok());
  EXPECT_NE(rec.error().find("disk almost full"), std::string::npos) << rec.error();
  EXPECT_EQ(rec.error().find('\n'), std::string::npos);
  EXPECT_EQ(rec.frames(), 1);  // stopped after the first frame's check
  rec.Close();
  EXPECT_EQ(CountFrames(rec.folder() + "/annotated.avi"), 1);
  EXPECT_EQ(CountLines(rec.folder() + "/log.csv"), 2);
  const std::string text = ReadText(rec.folder() + "/session.json");
  const auto json = nlohmann::json::parse(text);
  ASSERT_TRUE(json.at("error").is_string()) << text;
  EXPECT_EQ(json["error"].get<std::string>().rfind("recording stopped: disk almost full", 0), 0u)
      << text;
}

// --- vww run --record ------------------------------------------------------------

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  std::string item;
  while (std::getline(ss, item, ',')) f.push_back(item);
  return f;
}

// The columns of a CSV log whose names start with p_ or q_, as text.
std::vector<std::vector<std::string>> ScoreColumns(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = SplitCsv(line);
  std::vector<size_t> keep;
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i].rfind("p_", 0) == 0 || header[i].rfind("q_", 0) == 0) keep.push_back(i);
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = SplitCsv(line);
    std::vector<std::string> row;
    for (size_t i : keep) row.push_back(i < f.size() ? f[i] : "<missing>");
    rows.push_back(row);
  }
  return rows;
}

std::string OnlySessionFolder(const std::string& record_dir) {
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(record_dir))
    if (e.is_directory()) dirs.push_back(e.path().string());
  EXPECT_EQ(dirs.size(), 1u) << "session folders in " << record_dir;
  return dirs.empty() ? "" : dirs[0];
}

// Ctrl-C in the middle of a recording, while awake with a wake clip open:
// every file in the session folder opens, and videos and log agree.
TEST(RunRecord, SigintMidRecordingLeavesEveryFileReadable) {
  Scratch dir;
  // Real time at the file's 10 fps: the person video first wakes at 4.5 s.
  test::VwwChild child({"run", "--source", PersonVideo(), "--realtime", "--headless", "--quiet",
                        "--record", dir("rec"), "--record-raw", "--clips", "--preroll", "1"});
  ASSERT_TRUE(child.started());
  // Stop mid-recording once the wake (frame 45) is behind us and the log
  // (flushed about once a second) has 15 frames more: a condition, not a
  // time, so a loaded machine that starts slowly still gets there.
  ASSERT_TRUE(test::WaitUntil(
      [&] {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir("rec"), ec))
          if (CountLines((e.path() / "log.csv").string()) - 1 >= 60) return true;
        return false;
      },
      180))
      << child.stderr_text();
  child.Signal(SIGINT);
  ASSERT_EQ(child.WaitExitCode(30), 0) << child.stderr_text();

  const std::string session = OnlySessionFolder(dir("rec"));
  ASSERT_FALSE(session.empty());
  const int rows = CountLines(session + "/log.csv") - 1;
  EXPECT_GT(rows, 20);
  EXPECT_EQ(CountFrames(session + "/annotated.avi"), rows);
  EXPECT_EQ(CountFrames(session + "/raw.avi"), rows);
  EXPECT_GT(CountFrames(session + "/clips/clip-001.avi"), 10);  // preroll + awake frames
  EXPECT_FALSE(cv::imread(session + "/wake-001.png").empty());
  EXPECT_FALSE(cv::imread(session + "/wake-001-input.png").empty());
  // The wake at frame 45 is in the events; on a loaded machine the run may
  // also have gone back to sleep (frame 127) before the log showed 60 rows,
  // so the events are checked against the logged frames, not counted.
  std::ifstream events(session + "/events.jsonl");
  std::vector<nlohmann::json> logged_events;
  for (std::string line; std::getline(events, line);)
    logged_events.push_back(nlohmann::json::parse(line));
  ASSERT_FALSE(logged_events.empty());
  EXPECT_EQ(logged_events[0].at("event"), "wake");
  for (size_t i = 0; i < logged_events.size(); ++i) {
    EXPECT_EQ(logged_events[i].at("event"), i % 2 == 0 ? "wake" : "sleep");
    EXPECT_LT(logged_events[i].at("frame").get<int>(), rows);
  }
  const std::string text = ReadText(session + "/session.json");
  const auto json = nlohmann::json::parse(text);
  EXPECT_EQ(json.at("frames"), rows) << text;
  EXPECT_FALSE(json.at("end").is_null()) << text;
  EXPECT_TRUE(json.at("error").is_null()) << text;
}

// A raw recording replayed as a file gives the logged scores exactly.
TEST(RunRecord, ReplayingTheRawVideoReproducesTheLoggedScores) {
  Scratch dir;
  const test::VwwResult record =
      test::RunVww("run --headless --quiet --frames 60 --source " + PersonVideo() + " --record " +
                   dir("rec") + " --record-raw");
  ASSERT_EQ(record.code, 0) << record.err;
  const std::string session = OnlySessionFolder(dir("rec"));
  const test::VwwResult replay = test::RunVww("run --headless --quiet --source " + session +
                                              "/raw.avi --log " + dir("replay.csv"));
  ASSERT_EQ(replay.code, 0) << replay.err;
  const auto recorded = ScoreColumns(session + "/log.csv");
  const auto replayed = ScoreColumns(dir("replay.csv"));
  ASSERT_EQ(recorded.size(), 60u);
  ASSERT_EQ(recorded[0].size(), 4u);  // p_ and q_ of both classes
  EXPECT_EQ(replayed, recorded);
}

TEST(RunRecord, UnwritableRecordFolderIsAOneLineError) {
  Scratch dir;
  std::ofstream(dir("file")) << "x";
  const test::VwwResult r = test::RunVww("run --headless --quiet --frames 3 --source " +
                                         PersonVideo() + " --record " + dir("file") + "/sub");
  EXPECT_EQ(r.code, 1);
  const std::string& err = r.err;
  EXPECT_NE(err.find("error: --record "), std::string::npos) << err;
}

}  // namespace
}  // namespace vww
