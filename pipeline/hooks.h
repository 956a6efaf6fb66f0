// pipeline/hooks: --on-wake / --on-sleep commands. A hook must never stall the
// pipeline, so commands are spawned without waiting, reaped by polling, capped
// in number, and killed (with everything they started) when they overrun.
#pragma once

#include <sys/types.h>

#include <string>
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

  int running() const { return static_cast<int>(running_.size()); }
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

  int max_running_;
  double timeout_ms_;
  std::vector<Child> running_;
  int started_ = 0, skipped_ = 0, killed_ = 0;
};

}  // namespace vww
