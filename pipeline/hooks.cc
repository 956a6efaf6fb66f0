#include "pipeline/hooks.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "pipeline/capture/frame_source.h"  // SteadyNowMs

extern char** environ;

namespace vww {

namespace {

// Process groups of running hooks, readable from a signal handler (lock-free
// atomics only); 0 marks a free slot. Bounds max_running.
constexpr int kMaxSlots = 16;
std::atomic<pid_t> g_hook_groups[kMaxSlots];
static_assert(std::atomic<pid_t>::is_always_lock_free, "used from a signal handler");

void Remember(pid_t pid) {
  for (auto& slot : g_hook_groups) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pid)) return;
  }
}

}  // namespace

void HookRunner::KillAllFromSignalHandler() {
  for (auto& slot : g_hook_groups) {
    const pid_t pid = slot.load();
    if (pid > 0) kill(-pid, SIGKILL);
  }
}

void HookRunner::Forget(pid_t pid) {
  for (auto& slot : g_hook_groups) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

HookRunner::HookRunner(int max_running, double timeout_s)
    : max_running_(std::min(std::max(max_running, 1), kMaxSlots)),
      timeout_ms_(timeout_s * 1000.0) {}

HookRunner::~HookRunner() {
  for (const Child& c : running_) Kill(c);
  running_.clear();
}

bool HookRunner::Start(const std::string& command,
                       const std::vector<std::pair<std::string, std::string>>& env) {
  Poll();
  if (static_cast<int>(running_.size()) >= max_running_) {
    ++skipped_;
    std::fprintf(stderr, "note: hook skipped, %d still running: %s\n", max_running_,
                 command.c_str());
    return false;
  }

  // The child's environment: ours minus any stale copies of the event
  // variables, plus this event's.
  std::vector<std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    bool replaced = false;
    for (const auto& [name, value] : env)
      if (std::strncmp(*e, name.c_str(), name.size()) == 0 && (*e)[name.size()] == '=')
        replaced = true;
    if (!replaced) vars.emplace_back(*e);
  }
  for (const auto& [name, value] : env) vars.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);

  // posix_spawn (vfork-like in glibc) rather than fork: no copy of our page
  // tables, so starting a hook costs microseconds even with a large process.
  // The hook gets its own process group so a timeout kills what it started
  // too, and default signal handling whatever ours is.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGCHLD);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  const int err = posix_spawn(&pid, "/bin/sh", nullptr, &attr, argv, envp.data());
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    ++skipped_;
    std::fprintf(stderr, "note: cannot start hook (%s): %s\n", std::strerror(err), command.c_str());
    return false;
  }
  ++started_;
  Remember(pid);
  running_.push_back({pid, SteadyNowMs(), command});
  return true;
}

void HookRunner::Reaped(const Child& child, int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    std::fprintf(stderr, "note: hook exited with status %d: %s\n", WEXITSTATUS(status),
                 child.command.c_str());
  else if (WIFSIGNALED(status))
    std::fprintf(stderr, "note: hook ended by signal %d: %s\n", WTERMSIG(status),
                 child.command.c_str());
}

void HookRunner::Kill(const Child& child) {
  ++killed_;
  std::fprintf(stderr, "note: hook killed after %.1f s: %s\n",
               (SteadyNowMs() - child.start_ms) / 1000.0, child.command.c_str());
  kill(-child.pid, SIGKILL);  // the whole group: sh and what it started
  kill(child.pid, SIGKILL);   // in case it left its group
  int status = 0;
  // SIGKILL cannot be caught, so this wait is short.
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  Forget(child.pid);
}

void HookRunner::Poll() {
  const double now = SteadyNowMs();
  for (size_t i = 0; i < running_.size();) {
    int status = 0;
    const pid_t r = waitpid(running_[i].pid, &status, WNOHANG);
    if (r == running_[i].pid || (r < 0 && errno == ECHILD)) {
      if (r > 0) Reaped(running_[i], status);
      Forget(running_[i].pid);
      running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (now - running_[i].start_ms > timeout_ms_) {
      Kill(running_[i]);
      running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    ++i;
  }
}

void HookRunner::Finish(double wait_s) {
  const double deadline = SteadyNowMs() + wait_s * 1000.0;
  Poll();
  while (!running_.empty() && SteadyNowMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    Poll();
  }
  for (const Child& c : running_) Kill(c);
  running_.clear();
}

}  // namespace vww
