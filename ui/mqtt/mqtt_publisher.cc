#include "ui/mqtt/mqtt_publisher.h"

#include <mosquitto.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <thread>

#include "model/error.h"

namespace vww {

namespace {

using json = nlohmann::json;

constexpr int kQos = 1;  // state and events: at least once while connected

double EpochS() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A name usable inside topics and Home Assistant ids.
std::string TopicSafe(const std::string& s) {
  std::string out;
  for (const char c : s)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  return out.empty() ? "vww" : out;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "vww";
  return buf;
}

std::once_flag g_lib_init;

}  // namespace

MqttUrl ParseMqttUrl(const std::string& url) {
  const std::string bad = "invalid --mqtt '" + url + "' (want mqtt://[USER:PASS@]HOST[:PORT])";
  const std::string scheme = "mqtt://";
  if (url.rfind("mqtts://", 0) == 0) throw Error("--mqtt: TLS (mqtts://) is not supported");
  if (url.rfind(scheme, 0) != 0) throw Error(bad);
  std::string rest = url.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  MqttUrl u;
  if (const size_t at = rest.rfind('@'); at != std::string::npos) {
    const std::string cred = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = cred.find(':');
    u.user = PercentDecode(cred.substr(0, colon));
    if (colon != std::string::npos) u.password = PercentDecode(cred.substr(colon + 1));
    if (u.user.empty()) throw Error(bad);
    u.has_user = true;
  }
  std::string port;
  if (!rest.empty() && rest[0] == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos) throw Error(bad);
    u.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') throw Error(bad);
      port = rest.substr(close + 2);
      if (port.empty()) throw Error(bad);
    }
  } else {
    const size_t colon = rest.find(':');
    u.host = rest.substr(0, colon);
    if (colon != std::string::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) throw Error(bad);
    }
  }
  if (u.host.empty() || u.host.find('/') != std::string::npos) throw Error(bad);
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) throw Error(bad);
    u.port = std::stoi(port);
    if (u.port < 1 || u.port > 65535) throw Error(bad);
  }
  return u;
}

MqttTopics ResolveMqttTopics(const MqttOptions& options) {
  MqttTopics t;
  t.name = options.name.empty() ? HostName() : options.name;
  if (t.name.empty() || t.name.find_first_of("+#/") != std::string::npos || t.name.size() > 64)
    throw Error("invalid --name '" + t.name + "' (at most 64 characters, without + # or /)");
  t.prefix = options.prefix.empty() ? "vww/" + TopicSafe(t.name) : options.prefix;
  if (t.prefix.empty() || t.prefix.find_first_of("+#") != std::string::npos ||
      t.prefix.front() == '/' || t.prefix.back() == '/' || t.prefix.size() > 200)
    throw Error("invalid --mqtt-prefix '" + t.prefix + "' (a topic like vww/door, without + or #)");
  return t;
}

struct MqttPublisher::Impl {
  MqttPublisher* self = nullptr;
  MqttOptions opt;
  MqttUrl url;
  Log log;
  mosquitto* mosq = nullptr;
  std::string discovery_topic, status_topic;

  std::mutex mu;  // the state below, and the order of what is sent
  std::condition_variable sent;
  std::set<int> unacked;  // message ids the broker has not taken yet (for Stop)
  bool awake = false, stopping = false, stopped = false, ever_connected = false;
  int wakes = 0;
  std::string event_id;
  double start_time = 0, top_score = 0;
  bool warned_down = false;
  bool loop_started = false;
  std::thread connector;
  std::condition_variable connector_wake;

  void ConnectInBackground() {
    double delay_s = std::max(1, opt.reconnect_min_s);
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stopping) return;
      }
      const int rc = mosquitto_connect_async(mosq, url.host.c_str(), url.port, opt.keepalive_s);
      if (rc == MOSQ_ERR_SUCCESS) {
        std::lock_guard<std::mutex> lock(mu);
        if (stopping) return;
        loop_started = mosquitto_loop_start(mosq) == MOSQ_ERR_SUCCESS;
        if (!loop_started) log("warning: mqtt: cannot start the network thread; no MQTT");
        return;
      }
      std::unique_lock<std::mutex> lock(mu);
      if (!warned_down) {
        log("warning: mqtt: cannot reach the broker " + url.host + ":" + std::to_string(url.port) +
            " (" +
            (rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : mosquitto_strerror(rc)) +
            "); retrying in the background, detection goes on");
        warned_down = true;
      }
      connector_wake.wait_for(lock, std::chrono::duration<double>(delay_s),
                              [&] { return stopping; });
      delay_s = std::min<double>(delay_s * 2, std::max(opt.reconnect_min_s, opt.reconnect_max_s));
    }
  }

  std::string Topic(const std::string& leaf) const { return self->prefix_ + "/" + leaf; }

  // Queues a message (libmosquitto's thread sends it). Returns the message
  // id, or 0 when it could not be queued.
  int Send(const std::string& topic, const std::string& payload, bool retain, int qos = kQos) {
    int mid = 0;
    const int rc = mosquitto_publish(mosq, &mid, topic.c_str(), static_cast<int>(payload.size()),
                                     payload.data(), qos, retain);
    if (rc != MOSQ_ERR_SUCCESS) return 0;
    ++self->published_;
    return mid;
  }

  json EventJson(const char* type, const LiveUpdate& u, bool end) const {
    return {{"type", type},
            {"id", event_id},
            {"camera", self->name_},
            {"label", "person"},
            {"score", u.event_score},
            {"top_score", top_score},
            {"start_time", start_time},
            {"end_time", end ? json(EpochS()) : json(nullptr)},
            {"frame", u.frame},
            {"stream_time", u.t_ms / 1000.0}};
  }

  std::string DiscoveryJson() const {
    const std::string node = "vww_" + TopicSafe(self->name_);
    return json{{"name", "Person"},
                {"unique_id", node + "_person"},
                {"object_id", node + "_person"},
                {"device_class", "occupancy"},
                {"state_topic", Topic("person")},
                {"payload_on", "1"},
                {"payload_off", "0"},
                {"availability_topic", Topic("available")},
                {"payload_available", "online"},
                {"payload_not_available", "offline"},
                {"device",
                 {{"identifiers", {node}},
                  {"name", "VWW Live " + self->name_},
                  {"manufacturer", "VWW Live"},
                  {"model", opt.model.empty() ? "person detector" : opt.model},
                  {"sw_version", opt.version}}}}
        .dump();
  }

  // On every (re)connect: the retained state again, so a broker that lost it
  // (restarted without persistence) and new subscribers see the truth.
  void OnConnect(int rc) {
    if (rc != 0) {
      log("warning: mqtt: broker " + url.host + ":" + std::to_string(url.port) +
          " refused the connection: " + mosquitto_connack_string(rc));
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    self->connected_ = true;
    sent.notify_all();
    log(std::string("mqtt: ") + (ever_connected ? "reconnected to " : "connected to ") + url.host +
        ":" + std::to_string(url.port) + ", topics under " + self->prefix_ + "/");
    ever_connected = true;
    warned_down = false;
    Send(Topic("available"), "online", true);
    Send(Topic("person"), awake ? "1" : "0", true);
    if (opt.discovery) {
      Send(discovery_topic, DiscoveryJson(), true);
      mosquitto_subscribe(mosq, nullptr, status_topic.c_str(), 1);
    }
  }

  void OnDisconnect(int rc) {
    std::lock_guard<std::mutex> lock(mu);
    const bool was = self->connected_.exchange(false);
    if (!stopping && (was || !warned_down)) {
      log("warning: mqtt: " + std::string(was ? "lost the broker " : "cannot reach the broker ") +
          url.host + ":" + std::to_string(url.port) +
          (rc ? std::string(" (") + mosquitto_strerror(rc) + ")" : "") +
          "; retrying in the background, detection goes on");
      warned_down = true;
    }
    unacked.clear();
    sent.notify_all();
  }

  void OnMessage(const mosquitto_message* m) {
    if (!opt.discovery || status_topic != m->topic) return;
    const std::string payload(static_cast<const char*>(m->payload), m->payloadlen);
    if (payload != "online") return;
    std::lock_guard<std::mutex> lock(mu);
    Send(discovery_topic, DiscoveryJson(), true);  // Home Assistant restarted
  }

  void OnPublish(int mid) {
    std::lock_guard<std::mutex> lock(mu);
    unacked.erase(mid);
    sent.notify_all();
  }
};

MqttPublisher::MqttPublisher(const MqttOptions& options, Log log)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.self = this;
  m.opt = options;
  m.log = log ? std::move(log) : [](const std::string&) {};
  m.url = ParseMqttUrl(options.url);
  const MqttTopics topics = ResolveMqttTopics(options);
  name_ = topics.name;
  prefix_ = topics.prefix;
  if (options.keepalive_s < 5) throw Error("mqtt keep-alive must be >= 5 s");
  m.discovery_topic =
      options.discovery_prefix + "/binary_sensor/vww_" + TopicSafe(name_) + "/person/config";
  m.status_topic = options.discovery_prefix + "/status";

  std::call_once(g_lib_init, [] { mosquitto_lib_init(); });
  const std::string client_id =
      "vww-" + TopicSafe(name_).substr(0, 40) + "-" + std::to_string(getpid());
  m.mosq = mosquitto_new(client_id.c_str(), true, impl_.get());
  if (!m.mosq) throw Error("mqtt: cannot create a client (out of memory)");
  mosquitto_int_option(m.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  if (m.url.has_user)
    mosquitto_username_pw_set(m.mosq, m.url.user.c_str(),
                              m.url.password.empty() ? nullptr : m.url.password.c_str());
  const std::string offline = "offline", will = prefix_ + "/available";
  mosquitto_will_set(m.mosq, will.c_str(), static_cast<int>(offline.size()), offline.data(), kQos,
                     true);
  mosquitto_reconnect_delay_set(m.mosq, std::max(1, options.reconnect_min_s),
                                std::max(options.reconnect_min_s, options.reconnect_max_s), true);
  mosquitto_connect_callback_set(
      m.mosq, [](mosquitto*, void* p, int rc) { static_cast<Impl*>(p)->OnConnect(rc); });
  mosquitto_disconnect_callback_set(
      m.mosq, [](mosquitto*, void* p, int rc) { static_cast<Impl*>(p)->OnDisconnect(rc); });
  mosquitto_message_callback_set(m.mosq, [](mosquitto*, void* p, const mosquitto_message* msg) {
    static_cast<Impl*>(p)->OnMessage(msg);
  });
  mosquitto_publish_callback_set(
      m.mosq, [](mosquitto*, void* p, int mid) { static_cast<Impl*>(p)->OnPublish(mid); });
  // libmosquitto's network thread reconnects by itself once connected, but
  // not after a first attempt that failed (a broker down at start): until the
  // first attempt gets under way, a thread of ours retries with backoff.
  m.connector = std::thread([&m] { m.ConnectInBackground(); });
}

MqttPublisher::~MqttPublisher() { Stop(); }

bool MqttPublisher::WaitForConnection(double timeout_s) {
  Impl& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mu);
  m.sent.wait_for(lock, std::chrono::duration<double>(timeout_s),
                  [&] { return connected_.load() || m.stopped; });
  return connected_;
}

void MqttPublisher::Publish(const LiveUpdate& u) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.stopped) return;
  if (u.event == LiveEvent::kWake) {
    m.awake = true;
    ++m.wakes;
    m.start_time = EpochS();
    m.top_score = u.event_score;
    char id[96];
    std::snprintf(id, sizeof id, "%.6f-%s-%d", m.start_time, TopicSafe(name_).c_str(), m.wakes);
    m.event_id = id;
    if (m.opt.snapshot) snapshot_due_ = true;
    if (connected_) {
      m.Send(m.Topic("person"), "1", true);
      m.Send(m.Topic("events"), m.EventJson("new", u, false).dump(), false);
    } else {
      ++dropped_;  // the retained state goes out on reconnect; the event is gone
    }
  } else if (u.event == LiveEvent::kSleep) {
    m.awake = false;
    m.top_score = std::max(m.top_score, u.smoothed);
    if (connected_) {
      m.Send(m.Topic("person"), "0", true);
      m.Send(m.Topic("events"), m.EventJson("end", u, true).dump(), false);
    } else {
      ++dropped_;
    }
  } else if (m.awake) {
    m.top_score = std::max(m.top_score, u.smoothed);
  }
}

void MqttPublisher::PublishSnapshot(const cv::Mat& annotated) {
  if (!snapshot_due_.exchange(false) || annotated.empty()) return;
  std::vector<uchar> jpeg;
  try {
    if (!cv::imencode(".jpg", annotated, jpeg, {cv::IMWRITE_JPEG_QUALITY, 85})) return;
  } catch (const cv::Exception&) {
    return;
  }
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mu);
  if (m.stopped || !connected_) return;
  int mid = 0;
  if (mosquitto_publish(m.mosq, &mid, m.Topic("snapshot").c_str(), static_cast<int>(jpeg.size()),
                        jpeg.data(), 0, true) == MOSQ_ERR_SUCCESS)
    ++published_;
}

void MqttPublisher::Stop(double wait_s) {
  Impl& m = *impl_;
  {
    std::unique_lock<std::mutex> lock(m.mu);
    if (m.stopped || !m.mosq) return;
    m.stopped = true;
    if (connected_) {
      if (m.awake) {
        LiveUpdate end;
        end.event_score = m.top_score;
        m.Send(m.Topic("person"), "0", true);
        json e = m.EventJson("end", end, true);
        e.erase("frame");
        e.erase("stream_time");
        e["score"] = nullptr;
        e["reason"] = "stopped";
        m.Send(m.Topic("events"), e.dump(), false);
        m.awake = false;
      }
      const int mid = m.Send(m.Topic("available"), "offline", true);
      if (mid) {
        m.unacked.insert(mid);
        m.sent.wait_for(lock, std::chrono::duration<double>(wait_s),
                        [&] { return !m.unacked.count(mid) || !connected_; });
      }
    }
    m.stopping = true;
  }
  m.connector_wake.notify_all();
  if (m.connector.joinable()) m.connector.join();
  mosquitto_disconnect(m.mosq);
  if (m.loop_started) mosquitto_loop_stop(m.mosq, false);
  mosquitto_destroy(m.mosq);
  m.mosq = nullptr;
  connected_ = false;
}

}  // namespace vww
