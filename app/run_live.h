// app/run_live: `vww run --http` and `--mqtt`. Their options, and the glue
// that turns each FrameResult into the LiveUpdate the web view (ui/web) and
// the MQTT publisher (ui/mqtt) are fed. A few calls from the run loop.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/cli.h"
#include "pipeline/decision.h"
#include "pipeline/frame_result.h"
#include "ui/mqtt/mqtt_publisher.h"
#include "ui/run_view.h"
#include "ui/web/web_view.h"

namespace vww {

struct LiveOptions {
  std::string http;  // [HOST:]PORT; empty: no web view
  double http_fps = 15, http_timeout = 5;
  int http_clients = 8;
  std::string http_token;
  std::string mqtt;  // mqtt://...; empty: no MQTT
  std::string mqtt_prefix, name;
  bool mqtt_snapshot = false, mqtt_discovery = false;

  void Register(cli::ArgParser* p);
  // Throws vww::Error (a usage error) for bad values and options that need
  // --http or --mqtt without it.
  void Validate() const;
  // Someone will look at the annotated frames in colour.
  bool shows_frames() const { return !http.empty() || mqtt_snapshot; }
};

class LiveOutputs {
 public:
  // Starts the web server and the MQTT connection (throws vww::Error when
  // the server cannot listen); prints where on stderr.
  LiveOutputs(const LiveOptions& options, const std::string& model, const std::string& source,
              const std::vector<std::string>& labels,
              const std::vector<std::pair<std::string, std::string>>& settings);
  ~LiveOutputs();

  // The annotated frames, only when the web view or a wake snapshot wants one.
  void AttachTo(RunView* view);
  // One processed frame, from the run loop (never waits on a client or broker).
  void OnFrame(const FrameResult& r, const DecisionOptions& decision);
  // The run ended: the page shows it, MQTT goes offline, the server stops;
  // one line each on stderr.
  void Finish(const std::string& end);

 private:
  std::unique_ptr<WebView> web_;
  std::unique_ptr<MqttPublisher> mqtt_;
  bool finished_ = false;
};

}  // namespace vww
