// The one way tests run the `vww` binary: a synchronous run that returns the
// exit code, stdout and stderr, and a child in the background to signal and
// wait for. No shell: fork + execv with an argv vector, so paths and hook
// commands reach vww exactly as written.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace vww::test {

// "run --headless --source X" as {"run", "--headless", "--source", "X"}:
// split at spaces, no quoting; then `more` as they are (words with spaces,
// such as hook commands).
inline std::vector<std::string> Words(const std::string& text,
                                      const std::vector<std::string>& more = {}) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  words.insert(words.end(), more.begin(), more.end());
  return words;
}

struct VwwOptions {
  std::string stdin_text;        // fed to stdin (empty: /dev/null)
  std::vector<std::string> env;  // "NAME=value" added to the environment
  double timeout_s = 240;        // then killed; the result's code is -1
};

// `vww ARGS...` in the background, stdout and stderr in files of its own
// (unique per process and child: ctest runs test processes side by side),
// removed when the child object goes.
class VwwChild {
 public:
  explicit VwwChild(std::vector<std::string> args, const VwwOptions& options = {}) {
    static std::atomic<int> children{0};
    const std::string base =
        (std::filesystem::temp_directory_path() /
         ("vww_child_" + std::to_string(::getpid()) + "_" + std::to_string(children++)))
            .string();
    out_ = base + ".out";
    err_ = base + ".err";
    in_ = base + ".in";
    std::ofstream(in_) << options.stdin_text;
    args.insert(args.begin(), VWW_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = options.env;
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int in = ::open(in_.c_str(), O_RDONLY);
      const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 ||
          ::dup2(err, 2) < 0)
        ::_exit(127);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
  }
  ~VwwChild() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    std::remove(out_.c_str());
    std::remove(err_.c_str());
    std::remove(in_.c_str());
  }
  VwwChild(const VwwChild&) = delete;
  VwwChild& operator=(const VwwChild&) = delete;

  bool started() const { return pid_ > 0; }
  void Signal(int sig) { ::kill(pid_, sig); }

  // The wait status (for WIFEXITED / WEXITSTATUS), or -1 when it did not exit
  // within `seconds` (then it is killed).
  int Wait(double seconds = 30) {
    if (exited_) return status_;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        return status_;
      }
      if (r < 0) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    exited_ = true;
    status_ = -1;
    return -1;
  }
  // The exit code; -1 when killed by a signal or after the timeout.
  int WaitExitCode(double seconds = 30) {
    const int status = Wait(seconds);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Waits (bounded) until stderr contains `text`.
  bool WaitForStderr(const std::string& text, double seconds = 30) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (stderr_text().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::string stdout_text() const { return Read(out_); }
  std::string stderr_text() const { return Read(err_); }

 private:
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string out_, err_, in_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
};

struct VwwResult {
  int code = -1;  // the exit code; -1 when killed (signal or timeout)
  std::string out, err;
};

// Runs `vww ARGS...` to the end.
inline VwwResult RunVww(const std::vector<std::string>& args, const VwwOptions& options = {}) {
  VwwChild child(args, options);
  VwwResult r;
  r.code = child.WaitExitCode(options.timeout_s);
  r.out = child.stdout_text();
  r.err = child.stderr_text();
  return r;
}
inline VwwResult RunVww(const std::string& words, const VwwOptions& options = {}) {
  return RunVww(Words(words), options);
}

// The exit code (-1 when killed), with stdout in *out and stderr in *err, or
// stderr after stdout in *out when err is null.
inline int RunVww(const std::string& words, std::string* out, std::string* err = nullptr) {
  VwwResult r = RunVww(words);
  *out = r.out;
  if (err)
    *err = r.err;
  else
    *out += r.err;
  return r.code;
}

}  // namespace vww::test
