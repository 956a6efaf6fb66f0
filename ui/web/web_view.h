// ui/web/web_view: the live web view behind `vww run --http`. One page
// (embedded in the binary), the annotated frames as an MJPEG stream, the
// per-frame results as server-sent events, a JSON status, and the snapshots
// of the last wake events. The server runs on its own threads; the run loop
// only hands over results and, while someone watches, annotated frames: it
// never waits for a client.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ui/live_update.h"

namespace vww {

struct WebViewOptions {
  std::string host = "127.0.0.1";  // loopback unless the user names another host
  int port = 4912;                 // 0: any free port (see WebView::port())
  double max_fps = 15;             // JPEG frames per second at most, while someone watches
  int max_clients = 8;             // MJPEG streams at once (and, separately, event streams)
  std::string token;               // non-empty: required on every request
  double client_timeout_s = 5;     // a client that takes no data this long is dropped
  double events_per_s = 10;        // per-frame event messages per client per second
  int jpeg_quality = 80;
  int keep_snapshots = 12;  // wake snapshots kept (the oldest go first)
  double history_s = 60;    // stream time of person scores kept for the timeline

  // Shown by /api/status and the page.
  std::string model, source;
  std::vector<std::pair<std::string, std::string>> settings;  // option name -> value
  std::vector<std::string> labels;
};

// "PORT" or "HOST:PORT" (IPv4 address or name; "[v6]:PORT" for IPv6) into
// host and port; the host defaults to 127.0.0.1. Throws vww::Error with a
// one-line reason for anything else.
void ParseHttpAddress(const std::string& text, std::string* host, int* port);
// Whether host only reaches this machine (127.x.x.x, ::1, localhost).
bool IsLoopbackHost(const std::string& host);

// Counters, for the status page, the end-of-run line and tests.
struct WebViewStats {
  int64_t requests = 0;
  int64_t rejected = 0;        // 4xx/5xx answers (bad path, token, too many clients, ...)
  int streams = 0;             // MJPEG clients now
  int event_streams = 0;       // SSE clients now
  int64_t stream_clients = 0;  // MJPEG clients ever
  int64_t dropped = 0;         // streams ended because the client stopped taking data
  int64_t jpeg_frames = 0;     // frames encoded
};

class WebView {
 public:
  // Binds and starts serving; throws vww::Error when it cannot listen.
  explicit WebView(const WebViewOptions& options);
  ~WebView();  // Stop()
  WebView(const WebView&) = delete;
  WebView& operator=(const WebView&) = delete;

  const std::string& host() const;
  int port() const;  // the bound port (the free one picked for port 0)
  std::string url() const;

  // One processed frame. Cheap and never blocks on clients.
  void Publish(const LiveUpdate& update);

  // Whether the caller should draw the annotated frame and hand it to
  // PublishFrame(): someone watches the stream (and a frame is due under
  // max_fps), a /snapshot.jpg waits, or the last Publish() was a wake whose
  // snapshot is still missing.
  bool WantsFrame() const;
  // The annotated frame (8-bit BGR or gray) of the last Publish(). Copied;
  // JPEG encoding happens on the server's own thread.
  void PublishFrame(const cv::Mat& annotated);

  // The run ended: event streams get an "end" message and close, the page
  // keeps showing the last state. why: e.g. "end of stream".
  void Finish(const std::string& why);
  // Ends every stream and stops serving. Idempotent.
  void Stop();

  WebViewStats stats() const;

  struct State;  // shared with the server's handlers

 private:
  std::shared_ptr<State> state_;
};

}  // namespace vww
