// pipeline/hooks: --on-wake / --on-sleep commands. A hook must never stall the
// pipeline, so commands are spawned without waiting, reaped by polling, capped
// in number, and killed (with everything they started) when they overrun.
// A timer thread polls too, so overdue hooks are killed and finished ones
// reaped while no frame arrives (paused, stalled, reconnecting).
// A hook gets /dev/null as stdin (its process group is in the background, so
// reading the terminal would stop it) and none of our descriptors above 2.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace vww {

class HookRunner {
 public:
  // max_running: hooks allowed at once (more are skipped with a note);
  // timeout_s: a hook still running this long after it started is killed.
  explicit HookRunner(int max_running = 4, double timeout_s = 10.0);
  ~HookRunner();  // kills whatever still runs
  HookRunner(const HookRunner&) = delete;
  HookRunner& operator=(const HookRunner&) = delete;

  // Starts `/bin/sh -c command` with `env` added to this process's
  // environment. Returns false (with a note on stderr) when it was skipped
  // or could not start.
  bool Start(const std::string& command,
             const std::vector<std::pair<std::string, std::string>>& env);

  // Reaps finished hooks and kills overdue ones. Never blocks; call often.
  void Poll();

  // Waits up to wait_s for the running hooks to finish, then kills the rest.
  void Finish(double wait_s);

  // Kills every running hook of every runner. Async-signal-safe: for a
  // handler that is about to _exit, so hooks are not left orphaned.
  static void KillAllFromSignalHandler();

  int running() const;
  int started() const { return started_; }
  int skipped() const { return skipped_; }
  int killed() const { return killed_; }

 private:
  struct Child {
    pid_t pid;
    double start_ms;
    std::string command;
  };
  void Reaped(const Child& child, int status);
  void Forget(pid_t pid);
  void Kill(const Child& child);
  void PollLocked();
  void TimerLoop();

  int max_running_;
  double timeout_ms_;
  mutable std::mutex mu_;  // running_, between the caller and the timer thread
  std::vector<Child> running_;
  std::atomic<int> started_{0}, skipped_{0}, killed_{0};
  std::condition_variable timer_wake_;
  bool timer_stop_ = false;
  std::thread timer_;
};

}  // namespace vww
