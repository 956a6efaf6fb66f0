// ui/mqtt/mqtt_publisher: wake/sleep events over MQTT (`vww run --mqtt`),
// shaped like Frigate's topics so automations port easily, with an optional
// Home Assistant discovery config. libmosquitto runs the connection on its
// own thread (connect, keep-alive, reconnect with backoff); the run loop's
// calls only queue messages and never wait for the broker.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "ui/live_update.h"

namespace vww {

// mqtt://[USER[:PASS]@]HOST[:PORT] (port 1883 by default; [v6] hosts).
struct MqttUrl {
  std::string host, user, password;
  int port = 1883;
  bool has_user = false;
};
// Throws vww::Error with a one-line reason.
MqttUrl ParseMqttUrl(const std::string& url);

struct MqttOptions {
  std::string url;         // --mqtt
  std::string name;        // --name; empty: the host name
  std::string prefix;      // --mqtt-prefix; empty: vww/<name>
  bool snapshot = false;   // --mqtt-snapshot: the wake frame as JPEG on <prefix>/snapshot
  bool discovery = false;  // --mqtt-discovery: a Home Assistant binary_sensor config
  std::string discovery_prefix = "homeassistant";
  int keepalive_s = 30;
  int reconnect_min_s = 1, reconnect_max_s = 30;  // backoff, doubling
  std::string model;                              // shown in the discovery device
  std::string version;                            // ditto
};

// The name (--name, else the host name) and topic prefix the options give;
// throws vww::Error for a name or prefix that cannot be used in topics.
struct MqttTopics {
  std::string name, prefix;
};
MqttTopics ResolveMqttTopics(const MqttOptions& options);

class MqttPublisher {
 public:
  using Log = std::function<void(const std::string& line)>;  // warnings and notes, one line each

  // Checks the options (throws vww::Error), then connects in the background:
  // a broker that is down is a warning and a retry, not an error.
  MqttPublisher(const MqttOptions& options, Log log);
  ~MqttPublisher();  // Stop()
  MqttPublisher(const MqttPublisher&) = delete;
  MqttPublisher& operator=(const MqttPublisher&) = delete;

  // Waits up to timeout_s for the first connection (e.g. before the first
  // frame of a short run). Returns whether connected.
  bool WaitForConnection(double timeout_s);

  // One processed frame: on a wake, person=1 (retained) and a "new" event;
  // on a sleep, person=0 and an "end" event. Other frames only update the
  // event's top score. Never blocks on the broker.
  void Publish(const LiveUpdate& update);

  // With --mqtt-snapshot: whether the last Publish() was a wake whose frame
  // should be handed to PublishSnapshot().
  bool WantsSnapshot() const { return snapshot_due_.load(); }
  void PublishSnapshot(const cv::Mat& annotated);

  // A clean stop: an open event ends ("end", person=0), availability goes
  // "offline" (waiting up to wait_s for the broker to take it), disconnect.
  void Stop(double wait_s = 2.0);

  const std::string& prefix() const { return prefix_; }
  const std::string& name() const { return name_; }
  bool connected() const { return connected_.load(); }
  int64_t published() const { return published_.load(); }
  int64_t dropped() const { return dropped_.load(); }  // events not sent: no connection

  struct Impl;  // libmosquitto's callbacks reach the publisher through this

 private:
  std::string prefix_, name_;
  std::atomic<bool> connected_{false}, snapshot_due_{false};
  std::atomic<int64_t> published_{0}, dropped_{0};
  std::unique_ptr<Impl> impl_;
};

}  // namespace vww
