// Real parts for the tests of the live outputs (web view, MQTT): a mosquitto
// broker on a free 127.0.0.1 port, an MQTT subscriber, `vww` as a child
// process whose stderr can be watched, and the rule for missing tools.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/test_util.h"

extern char** environ;

namespace vww::test {

inline std::string FindTool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

#define VWW_REQUIRE_TOOL(var, name)                                                     \
  const std::string var = ::vww::test::FindTool(name);                                  \
  if (var.empty()) {                                                                    \
    if (::vww::test::InCi()) FAIL() << name << " is missing (scripts/install-deps.sh)"; \
    GTEST_SKIP() << name << " is missing (scripts/install-deps.sh installs it)";        \
  }

// A port nobody listens on right now (the kernel's pick, then released).
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

inline bool CanConnect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// A child process (mosquitto, chromium) with stdout and stderr in files;
// tests/run_vww.h runs vww itself.
class Child {
 public:
  Child(const std::string& program, const std::vector<std::string>& args, const std::string& out,
        const std::string& err)
      : out_(out), err_(err) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> all = {program};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, program.c_str(), &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool running() {
    if (pid_ <= 0 || exited_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return !exited_;
  }
  void Signal(int sig) {
    if (running()) kill(pid_, sig);
  }
  // The exit code (128 + signal when killed by one); -2 after killing a
  // child that outlived timeout_s.
  int Wait(double timeout_s) {
    if (!WaitUntil([&] { return !running(); }, timeout_s)) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exited_ = true;
      return -2;
    }
    return code_;
  }
  std::string out() const { return ReadText(out_); }
  std::string err() const { return ReadText(err_); }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int code_ = -1;
  std::string out_, err_;
};

// `vww run --http 127.0.0.1:0` prints "http: serving on http://HOST:PORT/ ..."
// on stderr; the port, or 0 when it did not appear within timeout_s.
template <class VwwChild>
int WaitForHttpPort(VwwChild& vww, double timeout_s = 30) {
  int port = 0;
  WaitUntil(
      [&] {
        const std::string err = vww.stderr_text();
        const size_t at = err.find("http: serving on http://");
        if (at != std::string::npos) {
          const size_t colon = err.find(':', at + 24);
          if (colon != std::string::npos) port = std::atoi(err.c_str() + colon + 1);
        }
        return port > 0 || err.find("error: ") != std::string::npos;
      },
      timeout_s);
  return port;
}

// mosquitto on 127.0.0.1:port, anonymous, no persistence (a restart loses
// retained messages, as a broker without a database would).
class Broker {
 public:
  Broker(const std::string& mosquitto, const Scratch& dir, int port = 0)
      : mosquitto_(mosquitto),
        port_(port ? port : FreePort()),
        conf_(dir("mosquitto.conf")),
        log_(dir("mosquitto.log")) {
    std::ofstream(conf_) << "listener " << port_ << " 127.0.0.1\nallow_anonymous true\n"
                         << "persistence false\n";
    Start();
  }
  ~Broker() { Stop(); }
  int port() const { return port_; }
  std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port_); }
  bool Start() {
    child_ = std::make_unique<Child>(mosquitto_, std::vector<std::string>{"-c", conf_},
                                     log_ + ".out", log_);
    return WaitUntil([&] { return CanConnect(port_) || !child_->running(); }, 10) &&
           child_->running();
  }
  void Stop() {
    if (!child_) return;
    child_->Signal(SIGTERM);
    child_->Wait(5);
    child_.reset();
  }
  bool running() { return child_ && child_->running(); }

 private:
  std::string mosquitto_;
  int port_;
  std::string conf_, log_;
  std::unique_ptr<Child> child_;
};

// A subscriber (libmosquitto, its own thread) that records every message.
class MqttProbe {
 public:
  struct Message {
    std::string topic, payload;
    bool retained = false;
  };

  MqttProbe(int port, const std::vector<std::string>& topics) : topics_(topics) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new(nullptr, true, this);
    mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
      if (rc != 0) return;
      auto* p = static_cast<MqttProbe*>(self);
      for (const auto& t : p->topics_) mosquitto_subscribe(m, nullptr, t.c_str(), 1);
      std::lock_guard<std::mutex> lock(p->mu_);
      ++p->connects_;
    });
    mosquitto_subscribe_callback_set(mosq_, [](mosquitto*, void* self, int, int, const int*) {
      auto* p = static_cast<MqttProbe*>(self);
      std::lock_guard<std::mutex> lock(p->mu_);
      ++p->subscribed_;
    });
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto* p = static_cast<MqttProbe*>(self);
      std::lock_guard<std::mutex> lock(p->mu_);
      p->messages_.push_back(
          {m->topic,
           std::string(static_cast<const char*>(m->payload), static_cast<size_t>(m->payloadlen)),
           m->retain});
    });
    mosquitto_reconnect_delay_set(mosq_, 1, 1, false);
    mosquitto_connect_async(mosq_, "127.0.0.1", port, 30);
    mosquitto_loop_start(mosq_);
  }
  ~MqttProbe() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, true);
    mosquitto_destroy(mosq_);
  }
  // Waits until all subscriptions are acknowledged.
  bool Ready(double timeout_s = 10) {
    return WaitUntil(
        [&] {
          std::lock_guard<std::mutex> lock(mu_);
          return subscribed_ >= static_cast<int>(topics_.size());
        },
        timeout_s);
  }
  void Publish(const std::string& topic, const std::string& payload, bool retain = false) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                      payload.data(), 1, retain);
  }
  std::vector<Message> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  // Messages on one topic, in arrival order.
  std::vector<Message> On(const std::string& topic) const {
    std::vector<Message> out;
    for (const auto& m : messages())
      if (m.topic == topic) out.push_back(m);
    return out;
  }
  bool WaitFor(const std::function<bool(const std::vector<Message>&)>& pred, double timeout_s) {
    return WaitUntil([&] { return pred(messages()); }, timeout_s);
  }
  // Waits for `payload` on `topic` (any payload when empty).
  bool WaitFor(const std::string& topic, const std::string& payload, double timeout_s = 15) {
    return WaitFor(
        [&](const std::vector<Message>& ms) {
          for (const auto& m : ms)
            if (m.topic == topic && (payload.empty() || m.payload == payload)) return true;
          return false;
        },
        timeout_s);
  }

 private:
  std::vector<std::string> topics_;
  mosquitto* mosq_ = nullptr;
  mutable std::mutex mu_;
  std::vector<Message> messages_;
  int connects_ = 0, subscribed_ = 0;
};

}  // namespace vww::test
