#include "app/run_live.h"

#include <cstdio>

#include "model/error.h"

namespace vww {

void LiveOptions::Register(cli::ArgParser* p) {
  p->Option("--http", &http,
            "serve a live web view on [HOST:]PORT (e.g. 4912; HOST defaults to 127.0.0.1; port 0 "
            "picks a free one): page, /stream.mjpg, /events, /api/status, /snapshot.jpg");
  p->Option("--http-fps", &http_fps, "web view: JPEG frames per second at most (default 15)");
  p->Option("--http-clients", &http_clients, "web view: viewers at once, more get 503 (default 8)");
  p->Option("--http-token", &http_token,
            "web view: require this token on every request (?token=T or Authorization: Bearer T)");
  p->Option("--http-timeout", &http_timeout,
            "web view: seconds after which a viewer that takes no data is dropped (default 5)");
  p->Option("--mqtt", &mqtt,
            "publish availability, wake state and events to mqtt://[USER:PASS@]HOST[:PORT]");
  p->Option("--mqtt-prefix", &mqtt_prefix, "MQTT topic prefix (default vww/<name>)");
  p->Option("--name", &name, "this camera's name in MQTT topics and ids (default: the host name)");
  p->Flag("--mqtt-snapshot", &mqtt_snapshot,
          "also publish the wake frame as JPEG on <prefix>/snapshot");
  p->Flag("--mqtt-discovery", &mqtt_discovery,
          "also publish a Home Assistant discovery config (binary_sensor, occupancy)");
}

void LiveOptions::Validate() const {
  if (http.empty()) {
    if (!http_token.empty() || http_fps != 15 || http_clients != 8 || http_timeout != 5)
      throw Error("--http-token, --http-fps, --http-clients and --http-timeout need --http");
  } else {
    std::string host;
    int port = 0;
    ParseHttpAddress(http, &host, &port);
    if (!(http_fps > 0) || http_fps > 120) throw Error("--http-fps must be > 0 and <= 120");
    if (http_clients < 1 || http_clients > 64) throw Error("--http-clients must be 1 to 64");
    if (!(http_timeout > 0) || http_timeout > 600)
      throw Error("--http-timeout must be > 0 and <= 600 seconds");
  }
  if (mqtt.empty()) {
    if (!mqtt_prefix.empty() || mqtt_snapshot || mqtt_discovery)
      throw Error("--mqtt-prefix, --mqtt-snapshot and --mqtt-discovery need --mqtt");
  } else {
    ParseMqttUrl(mqtt);
    MqttOptions o;
    o.name = name;
    o.prefix = mqtt_prefix;
    ResolveMqttTopics(o);
  }
}

LiveOutputs::LiveOutputs(const LiveOptions& options, const std::string& model,
                         const std::string& source, const std::vector<std::string>& labels,
                         const std::vector<std::pair<std::string, std::string>>& settings) {
  const std::string model_file = model.substr(model.find_last_of('/') + 1);
  if (!options.http.empty()) {
    WebViewOptions w;
    ParseHttpAddress(options.http, &w.host, &w.port);
    if (!IsLoopbackHost(w.host))
      std::fprintf(stderr,
                   "warning: http: %s is reachable from other machines: anyone who can reach it "
                   "sees the camera%s\n",
                   w.host.c_str(),
                   options.http_token.empty() ? "; use --http-token" : " (with --http-token)");
    w.max_fps = options.http_fps;
    w.max_clients = options.http_clients;
    w.token = options.http_token;
    w.client_timeout_s = options.http_timeout;
    w.model = model;
    w.source = source;
    w.settings = settings;
    w.labels = labels;
    web_ = std::make_unique<WebView>(w);
    std::fprintf(stderr, "http: serving on %s (%s)\n", web_->url().c_str(),
                 options.http_token.empty() ? "no token" : "token required");
  }
  if (!options.mqtt.empty()) {
    MqttOptions m;
    m.url = options.mqtt;
    m.name = options.name;
    m.prefix = options.mqtt_prefix;
    m.snapshot = options.mqtt_snapshot;
    m.discovery = options.mqtt_discovery;
    m.model = model_file;
    m.version = VWW_VERSION;
    mqtt_ = std::make_unique<MqttPublisher>(
        m, [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); });
    // A short run should not lose its first events to the connection set-up;
    // a broker that is down costs this once, then detection goes on.
    mqtt_->WaitForConnection(2.0);
  }
}

LiveOutputs::~LiveOutputs() {
  if (!finished_) Finish("stopped");
}

void LiveOutputs::AttachTo(RunView* view) {
  if (web_)
    view->AddFrameSink({[w = web_.get()] { return w->WantsFrame(); },
                        [w = web_.get()](const cv::Mat& m) { w->PublishFrame(m); }});
  if (mqtt_)
    view->AddFrameSink({[q = mqtt_.get()] { return q->WantsSnapshot(); },
                        [q = mqtt_.get()](const cv::Mat& m) { q->PublishSnapshot(m); }});
}

void LiveOutputs::OnFrame(const FrameResult& r, const DecisionOptions& d) {
  if (!web_ && !mqtt_) return;
  LiveUpdate u;
  u.frame = r.frame.index;
  u.t_ms = r.frame.timestamp_ms;
  u.label = LabelName(r.label, r.labels);
  u.confidence = r.label.confidence;
  u.scores = r.classification.scores;
  u.dsp_ms = r.classification.dsp_ms;
  u.classification_ms = r.classification.classification_ms;
  u.fps = r.fps;
  u.awake = r.awake;
  u.person_score = r.person_score;
  u.smoothed = r.smoothed;
  u.threshold = d.threshold;
  u.wake_threshold = d.wake_threshold;
  u.sleep_threshold = d.sleep_threshold;
  if (r.event) {
    u.event = r.event->type == WakeEventType::kWake ? LiveEvent::kWake : LiveEvent::kSleep;
    u.event_score = r.event->score;
  }
  if (web_) web_->Publish(u);
  if (mqtt_) mqtt_->Publish(u);
}

void LiveOutputs::Finish(const std::string& end) {
  finished_ = true;
  if (web_) web_->Finish(end);
  if (mqtt_) {
    mqtt_->Stop();
    std::fprintf(stderr, "mqtt: %lld messages published, %lld events not sent (no connection)\n",
                 static_cast<long long>(mqtt_->published()),
                 static_cast<long long>(mqtt_->dropped()));
  }
  if (web_) {
    web_->Stop();
    const WebViewStats s = web_->stats();
    std::fprintf(stderr,
                 "http: %lld requests (%lld refused), %lld stream viewers, %lld streams ended "
                 "by a failed write (viewer gone, or dropped for not reading), %lld frames "
                 "encoded\n",
                 static_cast<long long>(s.requests), static_cast<long long>(s.rejected),
                 static_cast<long long>(s.stream_clients), static_cast<long long>(s.dropped),
                 static_cast<long long>(s.jpeg_frames));
  }
}

}  // namespace vww
