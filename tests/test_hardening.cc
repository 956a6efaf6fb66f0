// Hardening (issue 13): recordings finalised on every way out (closed stdout,
// SIGHUP), the recorder's writer thread and bounded preroll, raw recordings of
// odd and changing frame sizes, hook hygiene (stdin, descriptors, timer), and
// input checks (keys, --tiles, --stall-timeout, --source, --preroll).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>
#include <thread>

#include "model/error.h"
#include "pipeline/dsp/tiles.h"
#include "pipeline/hooks.h"
#include "recording_util.h"
#include "run_vww.h"
#include "test_util.h"
#include "ui/recorder/recorder.h"
#include "ui/window.h"

namespace vww {
namespace {

namespace fs = std::filesystem;
using test::CountFrames;
using test::CountLines;
using test::ReadText;
using test::Scratch;

std::string PersonVideo() { return test::AssetsDir() + "/vtest_person.avi"; }

std::string OnlySessionFolder(const std::string& record_dir) {
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(record_dir))
    if (e.is_directory()) dirs.push_back(e.path().string());
  EXPECT_EQ(dirs.size(), 1u) << "session folders in " << record_dir;
  return dirs.empty() ? "" : dirs[0];
}

// The p_ and q_ columns of a log.csv, one row per frame (no quoting in them).
std::vector<std::string> Scores(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<size_t> keep;
  {
    std::stringstream header(line);
    std::string name;
    for (size_t i = 0; std::getline(header, name, ','); ++i)
      if (name.rfind("p_", 0) == 0 || name.rfind("q_", 0) == 0) keep.push_back(i);
  }
  std::vector<std::string> rows;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string f, row;
    for (size_t i = 0; std::getline(fields, f, ','); ++i)
      if (std::find(keep.begin(), keep.end(), i) != keep.end()) row += f + ";";
    rows.push_back(row);
  }
  return rows;
}

// Every file of a finished session agrees: session.json has an end and the
// frame count of log.csv, and each video plays every frame.
void ExpectFinalised(const std::string& session, bool raw) {
  const int rows = CountLines(session + "/log.csv") - 1;
  EXPECT_GT(rows, 0);
  EXPECT_EQ(CountFrames(session + "/annotated.avi"), rows);
  if (raw) {
    EXPECT_EQ(CountFrames(session + "/raw.avi"), rows);
  }
  const std::string text = ReadText(session + "/session.json");
  const auto json = nlohmann::json::parse(text);
  EXPECT_FALSE(json.at("end").is_null()) << text;
  EXPECT_EQ(json.at("frames"), rows) << text;
  EXPECT_TRUE(json.at("error").is_null()) << text;
}

// --- every way out --------------------------------------------------------------

// `vww run ... | head -c 100`: stdout is a pipe whose reader goes away.
TEST(Hardening, ClosedStdoutStopsCleanlyAndFinalisesTheRecording) {
  Scratch dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::vector<std::string> args = {VWW_BINARY, "run",         "--headless",
                                   "--source", PersonVideo(), "--loop",
                                   "--record", dir("rec"),    "--record-raw"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string err_path = dir("stderr.txt");
  const pid_t pid = fork();
  if (pid == 0) {
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    if (err < 0 || in < 0 || dup2(fds[1], 1) < 0 || dup2(err, 2) < 0 || dup2(in, 0) < 0) _exit(127);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[100];
  size_t got = 0;
  while (got < sizeof(buf)) {
    const ssize_t n = read(fds[0], buf + got, sizeof(buf) - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  EXPECT_EQ(got, sizeof(buf));
  close(fds[0]);  // what `head -c 100` does next
  int status = 0;
  for (int i = 0; i < 3000 && waitpid(pid, &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (kill(pid, 0) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "vww kept running with stdout closed";
  }
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status) << ": " << ReadText(err_path);
  EXPECT_EQ(WEXITSTATUS(status), 0) << ReadText(err_path);
  EXPECT_NE(ReadText(err_path).find("summary:"), std::string::npos) << ReadText(err_path);
  ExpectFinalised(OnlySessionFolder(dir("rec")), true);
}

// A closed terminal or SSH session: SIGHUP ends the run like SIGTERM.
TEST(Hardening, SighupStopsCleanlyAndFinalisesTheRecording) {
  Scratch dir;
  test::VwwChild child({"run", "--source", PersonVideo(), "--loop", "--realtime", "--headless",
                        "--quiet", "--record", dir("rec"), "--record-raw", "--clips"});
  ASSERT_TRUE(child.started());
  ASSERT_TRUE(child.WaitForStderr("recording to ")) << child.stderr_text();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  child.Signal(SIGHUP);
  ASSERT_EQ(child.WaitExitCode(60), 0) << child.stderr_text();
  EXPECT_NE(child.stderr_text().find("summary:"), std::string::npos) << child.stderr_text();
  ExpectFinalised(OnlySessionFolder(dir("rec")), true);
}

// --- the recorder's writer thread and preroll -----------------------------------

struct OwnedFrame {
  Frame frame;
  cv::Mat model_image{96, 96, CV_8UC1, cv::Scalar(7)};
  Classification c;
  std::vector<std::string> labels{"no person", "person"};
  OwnedFrame(int n, cv::Size size) {
    frame.image.create(size, CV_8UC3);
    cv::randu(frame.image, 0, 256);
    frame.index = n;
    frame.timestamp_ms = 100.0 * n;
    c.scores = {0.25f, 0.75f};
    c.scores_q = {-64, 64};
  }
  FrameResult Result(std::optional<WakeEvent> event = std::nullopt) const {
    FrameResult r{frame, model_image, c, labels};
    r.person_index = 1;
    r.event = event;
    return r;
  }
};

RecorderOptions Options(const Scratch& dir) {
  RecorderOptions o;
  o.dir = dir("rec");
  o.fps = 10;
  o.model_path = test::ModelPath();
  o.labels = {"no person", "person"};
  o.min_free_bytes = 0;
  return o;
}

// A writer that cannot keep up (a one-frame queue, frames offered far faster
// than they encode) leaves whole frames out, counts them, and every file
// agrees on what was kept.
TEST(Hardening, RecorderBehindDropsWholeFramesAndCountsThem) {
  Scratch dir;
  RecorderOptions o = Options(dir);
  o.raw = true;
  o.queue_frames = 1;
  o.drop_when_behind = true;  // as for a live source
  Recorder rec(o);
  const OwnedFrame f(0, cv::Size(640, 480));
  constexpr int kOffered = 200;
  for (int i = 0; i < kOffered; ++i) rec.AddFrame(f.Result(), f.frame.image);
  rec.Close();
  EXPECT_EQ(rec.frames() + rec.dropped_by_recording(), kOffered);
  EXPECT_GT(rec.dropped_by_recording(), 0);  // 200 FFV1 + MJPEG encodes vs 200 copies
  const std::string session = rec.folder();
  EXPECT_EQ(CountLines(session + "/log.csv") - 1, rec.frames());
  EXPECT_EQ(CountFrames(session + "/annotated.avi"), rec.frames());
  EXPECT_EQ(CountFrames(session + "/raw.avi"), rec.frames());
  const auto json = nlohmann::json::parse(ReadText(session + "/session.json"));
  EXPECT_EQ(json.at("recording_dropped"), rec.dropped_by_recording());
  EXPECT_EQ(json.at("frames"), rec.frames());
}

// The preroll ring is bounded in bytes: with a 1-byte cap a 10 s preroll
// keeps nothing, so the clip holds only the frames from the wake on.
TEST(Hardening, PrerollRingIsCappedInBytes) {
  Scratch dir;
  RecorderOptions o = Options(dir);
  o.clips = true;
  o.preroll_s = 10;  // 100 frames at 10 fps
  o.queue_frames = 1000;
  o.preroll_max_bytes = 1;
  Recorder rec(o);
  for (int i = 0; i < 60; ++i) {
    const OwnedFrame f(i, cv::Size(64, 48));
    std::optional<WakeEvent> e;
    if (i == 50) e = WakeEvent{WakeEventType::kWake, 50, 5000.0, 0.9};
    rec.AddFrame(f.Result(e), f.frame.image);
  }
  rec.Close();
  EXPECT_EQ(rec.frames(), 60);
  EXPECT_EQ(CountFrames(rec.folder() + "/clips/clip-001.avi"), 10);
}

TEST(Hardening, PrerollBeyondTheCapIsAUsageError) {
  const test::VwwResult r =
      test::RunVww("run --headless --quiet --frames 1 --source " + PersonVideo() +
                   " --record /tmp/unused --clips --preroll 600");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("error: --preroll must be between 0 and 30"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// --- raw recordings of odd and changing frame sizes -------------------------------

// Frames n.. of the sample video, resized, as PNG files 00.png, 01.png ...
void WriteFolder(const std::string& folder, const std::vector<cv::Size>& sizes) {
  fs::create_directories(folder);
  cv::VideoCapture cap(PersonVideo(), cv::CAP_FFMPEG);
  ASSERT_TRUE(cap.isOpened());
  cv::Mat f, resized;
  for (int skip = 0; skip < 60; ++skip) cap.read(f);  // frames with a person
  for (size_t i = 0; i < sizes.size(); ++i) {
    ASSERT_TRUE(cap.read(f));
    cv::resize(f, resized, sizes[i], 0, 0, cv::INTER_AREA);
    char name[32];
    std::snprintf(name, sizeof(name), "/%02zu.png", i);
    ASSERT_TRUE(cv::imwrite(folder + name, resized));
  }
}

// Records `folder` raw, replays every raw segment in order and compares the
// scores with the recorded log.
void ExpectRawReplaysExactly(const Scratch& dir, const std::string& folder, size_t frames,
                             size_t segments) {
  const test::VwwResult rec = test::RunVww("run --headless --quiet --source " + folder +
                                           " --record " + dir("rec") + " --record-raw");
  ASSERT_EQ(rec.code, 0) << rec.err;
  const std::string session = OnlySessionFolder(dir("rec"));
  const std::vector<std::string> recorded = Scores(session + "/log.csv");
  ASSERT_EQ(recorded.size(), frames);
  const auto json = nlohmann::json::parse(ReadText(session + "/session.json"));
  const auto& list = json.at("raw_segments");
  ASSERT_EQ(list.size(), segments) << json.dump(2);
  std::vector<std::string> replayed;
  int64_t counted = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string file = list[i].at("file");
    EXPECT_EQ(list[i].at("first_frame"), counted);
    counted += list[i].at("frames").get<int64_t>();
    const std::string log = dir("replay" + std::to_string(i) + ".csv");
    const test::VwwResult r =
        test::RunVww("run --headless --quiet --source " + session + "/" + file + " --log " + log);
    ASSERT_EQ(r.code, 0) << r.err;
    const std::vector<std::string> part = Scores(log);
    EXPECT_EQ(static_cast<int64_t>(part.size()), list[i].at("frames").get<int64_t>()) << file;
    replayed.insert(replayed.end(), part.begin(), part.end());
  }
  EXPECT_EQ(counted, static_cast<int64_t>(frames));
  EXPECT_EQ(replayed, recorded);
}

TEST(Hardening, RawRecordingOfOddFrameSizeReplaysExactly) {
  Scratch dir;
  WriteFolder(dir("odd"), std::vector<cv::Size>(6, cv::Size(641, 481)));
  ExpectRawReplaysExactly(dir, dir("odd"), 6, 1);
}

TEST(Hardening, RawRecordingOfMixedFrameSizesKeepsEveryFrame) {
  Scratch dir;
  WriteFolder(dir("mixed"),
              {{640, 480}, {640, 480}, {320, 240}, {641, 481}, {640, 480}, {321, 240}});
  ExpectRawReplaysExactly(dir, dir("mixed"), 6, 5);
}

// --- hooks ------------------------------------------------------------------------

// A hook reads stdin and lists its descriptors: it gets /dev/null (not the
// terminal or our stdin) and nothing above 2 (not the log, the recording).
TEST(Hardening, HookGetsDevNullStdinAndNoInheritedDescriptors) {
  Scratch dir;
  const std::string hook = "read line; echo \"stdin:$line\" > " + dir("stdin.txt") +
                           "; ls -l /proc/$$/fd > " + dir("fds.tmp") + "; mv " + dir("fds.tmp") +
                           " " + dir("fds.txt");
  test::VwwOptions options;
  options.stdin_text = "secret\n";
  const test::VwwResult r =
      // 200 frames are enough to wake (the run waits for a running hook at its end).
      test::RunVww(test::Words("run --headless --quiet --frames 200 --source " + PersonVideo() +
                                   " --log " + dir("log.csv") + " --events " + dir("events.jsonl") +
                                   " --record " + dir("rec") + " --record-raw --on-wake",
                               {hook}),
                   options);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(dir("stdin.txt")), "stdin:\n");
  // The shell keeps a descriptor of its own (dash: 10, a copy of stdin);
  // none may be one of ours.
  const std::string fds = ReadText(dir("fds.txt"));
  EXPECT_NE(fds.find(" 0 -> /dev/null"), std::string::npos) << fds;
  for (const char* ours : {"log.csv", "events.jsonl", "/rec/", ".avi", ".in"})
    EXPECT_EQ(fds.find(ours), std::string::npos) << ours << " inherited:\n" << fds;
}

// No Poll() from the caller (no frames: paused, stalled, reconnecting): the
// timer still kills an overdue hook and reaps a finished one.
TEST(Hardening, HookTimeoutsAndReapingDoNotNeedFrames) {
  HookRunner hooks(4, 0.2);
  ASSERT_TRUE(hooks.Start("sleep 30", {}));
  ASSERT_TRUE(hooks.Start("true", {}));
  for (int i = 0; i < 200 && hooks.running() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  EXPECT_EQ(hooks.running(), 0);
  EXPECT_EQ(hooks.killed(), 1);
}

// --- input checks ----------------------------------------------------------------

TEST(Hardening, ArrowKeysAreNotLetters) {
  // GTK / X11 keysyms from waitKeyEx: Left, Up, Right, Down; their low bytes
  // are 'Q', 'R', 'S', 'T'.
  for (int key : {0xFF51, 0xFF52, 0xFF53, 0xFF54}) EXPECT_EQ(KeyToAction(key), KeyAction::kNone);
  EXPECT_EQ(KeyToAction('q'), KeyAction::kQuit);
  EXPECT_EQ(KeyToAction('r'), KeyAction::kRecord);
  EXPECT_EQ(KeyToAction('s'), KeyAction::kSnapshot);
  EXPECT_EQ(KeyToAction(27), KeyAction::kQuit);
}

TEST(Hardening, TileCountsAreBoundedAndOverflowSafe) {
  for (const char* bad : {"99999999999x2", "2x99999999999", "64x64", "16x16+2x2", "0x2"}) {
    try {
      ParseTileSpec(bad);
      ADD_FAILURE() << bad << " accepted";
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("invalid --tiles"), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
  // Tiny tiles are no smaller than the model input in frame pixels.
  const TileLayout layout = ComputeTileLayout(ParseTileSpec("2x2@0.001"), cv::Size(640, 480),
                                              cv::Size(96, 96), CropMode::kFitShortest);
  EXPECT_LE(layout.tiles.size(), static_cast<size_t>(kMaxTiles));
  for (const Tile& t : layout.tiles) {
    EXPECT_GE(t.frame_rect.width, 96);
    EXPECT_GE(t.frame_rect.height, 96);
  }
}

TEST(Hardening, TinyTilesRunWithinTheCap) {
  const test::VwwResult r = test::RunVww(
      "run --headless --quiet --frames 2 --tiles 2x2@0.001 "
      "--source " +
      test::ImagesDir() + "/person.bmp");
  // Either it runs (tiles grown to the model size) or it is a one-line error.
  if (r.code != 0) {
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("error: "), std::string::npos) << r.err;
  }
  EXPECT_NE(r.code, -1) << "killed or timed out";
}

TEST(Hardening, HugeStallTimeoutMeansNever) {
  for (const char* timeout : {"1e12", "inf"}) {
    const test::VwwResult r = test::RunVww(
        std::string("run --headless --quiet --frames 3 --realtime --fps 20 --stall-timeout ") +
        timeout + " --source " + PersonVideo());
    EXPECT_EQ(r.code, 0) << timeout << ": " << r.err;
  }
}

TEST(Hardening, HugeCameraIndexIsAClearError) {
  const test::VwwResult r = test::RunVww("run --headless --quiet --source 99999999999");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err.find("stoi"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: --source 99999999999: no such camera"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vww
