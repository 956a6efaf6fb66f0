// `vww run` as a child process under faults (issue 7): SIGINT / SIGTERM end
// the run cleanly with the summary, a second Ctrl-C quits at once, and
// --on-wake hooks that hang or fail neither stall the pipeline nor outlive
// it. Waits are bounded; no test asserts a duration.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <thread>

#include "tests/test_util.h"

namespace vww {
namespace {

namespace fs = std::filesystem;

using test::ReadText;

using test::Scratch;

using test::VwwChild;

// `vww run ARGS...`.
std::vector<std::string> RunArgs(std::vector<std::string> args) {
  args.insert(args.begin(), "run");
  return args;
}

std::string PersonVideo() { return test::AssetsDir() + "/vtest_person.avi"; }

// A run that would go on for an hour: the looping video paced like a camera.
std::vector<std::string> EndlessRun(const Scratch& dir) {
  return {"--headless", "--quiet",     "--loop", "--realtime",
          "--source",   PersonVideo(), "--log",  dir("log.csv")};
}

void ExpectCleanStop(int sig) {
  Scratch dir;
  VwwChild child(RunArgs(EndlessRun(dir)));
  ASSERT_TRUE(child.WaitForStderr("source: ")) << child.stderr_text();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a few frames in
  child.Signal(sig);
  const int status = child.Wait();
  ASSERT_NE(status, -1) << "vww run did not stop after signal " << sig;
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string err = child.stderr_text();
  EXPECT_NE(err.find("stopping (Ctrl-C again to quit at once)"), std::string::npos) << err;
  EXPECT_NE(err.find("summary: "), std::string::npos) << err;
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  // The log was finalised: a header and complete rows.
  const std::string log = ReadText(dir("log.csv"));
  EXPECT_EQ(log.rfind("frame,", 0), 0u);
  EXPECT_EQ(log.back(), '\n');
}

TEST(RunFaults, SigintStopsCleanlyWithSummary) { ExpectCleanStop(SIGINT); }

TEST(RunFaults, SigtermStopsCleanlyWithSummary) { ExpectCleanStop(SIGTERM); }

// True once the process is gone or a zombie waiting for init (bounded wait).
bool ProcessGone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    if (kill(pid, 0) != 0 ||
        ReadText("/proc/" + std::to_string(pid) + "/stat").find(") Z") != std::string::npos)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Waits (bounded) until the hook wrote its child's pid; 0 if it never did.
pid_t HookChild(const std::string& pid_file) {
  for (int i = 0; i < 3000; ++i) {
    const std::string text = ReadText(pid_file);
    if (!text.empty() && text.back() == '\n') return static_cast<pid_t>(std::atol(text.c_str()));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

TEST(RunFaults, SecondCtrlCQuitsAtOnce) {
  Scratch dir;
  // After the first Ctrl-C vww gives running hooks a moment to finish; a
  // hook that hangs keeps it there, and the second Ctrl-C must not wait.
  const std::string pid_file = dir("hook.pid");
  auto args = EndlessRun(dir);
  args.insert(args.end(), {"--hook-timeout", "100", "--on-wake",
                           "sleep 100 & echo $! > " + pid_file + "; wait"});
  VwwChild child(RunArgs(args));
  const pid_t hook_child = HookChild(pid_file);  // the person video wakes after ~5 s
  ASSERT_GT(hook_child, 0) << child.stderr_text();
  child.Signal(SIGINT);
  ASSERT_TRUE(child.WaitForStderr("stopping")) << child.stderr_text();
  child.Signal(SIGINT);
  const int status = child.Wait();
  ASSERT_NE(status, -1) << "vww run did not quit on the second Ctrl-C";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << status;
  // The hook's process group was killed on the way out.
  EXPECT_TRUE(ProcessGone(hook_child)) << "the hook's child " << hook_child << " outlived vww";
}

TEST(RunFaults, HangingHookIsKilledAndLeavesNothingBehind) {
  Scratch dir;
  // The hook starts a grandchild that would run 100 s and records its pid.
  const std::string pid_file = dir("hook.pid");
  VwwChild child(RunArgs({"--headless", "--quiet", "--frames", "80", "--source", PersonVideo(),
                          "--hook-timeout", "0.5", "--on-wake",
                          "sleep 100 & echo $! > " + pid_file + "; wait"}));
  const int status = child.Wait(60);
  ASSERT_NE(status, -1) << "vww run stalled on a hanging hook";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << child.stderr_text();
  const std::string err = child.stderr_text();
  EXPECT_NE(err.find("hooks: 1 run, 0 skipped, 1 killed"), std::string::npos) << err;
  const pid_t grandchild = HookChild(pid_file);
  ASSERT_GT(grandchild, 0) << "the hook did not run";
  EXPECT_TRUE(ProcessGone(grandchild)) << "the hook's child " << grandchild << " outlived vww";
}

TEST(RunFaults, FailingHooksDoNotStopThePipeline) {
  Scratch dir;
  VwwChild child(
      RunArgs({"--headless", "--quiet", "--frames", "80", "--source", PersonVideo(), "--log",
               dir("log.csv"), "--on-wake", "exit 3", "--on-sleep", "/nonexistent/command"}));
  const int status = child.Wait(60);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << child.stderr_text();
  const std::string err = child.stderr_text();
  EXPECT_NE(err.find("note: hook exited with status 3: exit 3"), std::string::npos) << err;
  EXPECT_NE(err.find("summary: 80 frames"), std::string::npos) << err;
}

TEST(RunFaults, SourceFailingMidStreamFinalisesAndReportsOneLine) {
  Scratch dir;
  // A folder source whose third image turns out to be corrupt when it is
  // read: the PNG signature passes the folder scan, the rest is garbage.
  const std::string frames = dir("frames");
  fs::create_directories(frames);
  cv::imwrite(frames + "/a.png", cv::Mat(48, 64, CV_8UC3, cv::Scalar(10, 20, 30)));
  cv::imwrite(frames + "/b.png", cv::Mat(48, 64, CV_8UC3, cv::Scalar(40, 50, 60)));
  std::ofstream(frames + "/c.png", std::ios::binary) << "\x89PNG\r\n\x1a\n garbage, not an image";
  VwwChild child(RunArgs({"--headless", "--quiet", "--source", frames, "--log", dir("log.csv")}));
  const int status = child.Wait(60);
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  const std::string err = child.stderr_text();
  // The summary first (the run is accounted for), the error as the last line.
  EXPECT_NE(err.find("summary: 2 frames"), std::string::npos) << err;
  EXPECT_NE(err.find("source failed"), std::string::npos) << err;
  const std::string last = "error: " + frames + "/c.png: cannot read or decode image\n";
  ASSERT_GE(err.size(), last.size()) << err;
  EXPECT_EQ(err.substr(err.size() - last.size()), last) << err;
  // The log is complete: the header and both frames.
  const std::string log = ReadText(dir("log.csv"));
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 3) << log;
}

}  // namespace
}  // namespace vww
