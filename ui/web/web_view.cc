#include "ui/web/web_view.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "model/error.h"
#include "ui/web/page_html.h"  // kPageHtml, generated from ui/web/page.html

namespace vww {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxHeaders = 64;       // more request headers than this: 431
constexpr size_t kMaxBody = 4096;        // nothing here takes a body
constexpr int kEventsKept = 64;          // wake/sleep/snapshot messages kept for late readers
constexpr size_t kHistoryPoints = 4000;  // timeline points kept at most
constexpr double kSnapshotWaitS = 2.0;   // /snapshot.jpg waits this long for a fresh frame
constexpr double kHeartbeatS = 10.0;     // an idle event stream gets a comment this often
constexpr const char* kBoundary = "vwwframe";

double NowMs() {
  return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
}

double EpochS() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Compares without an early exit, so the time taken says nothing about how
// much of a guessed token was right.
bool SameToken(const std::string& a, const std::string& b) {
  const size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() != b.size();
  for (size_t i = 0; i < n; ++i)
    diff |= static_cast<unsigned char>(i < a.size() ? a[i] : 0) ^
            static_cast<unsigned char>(i < b.size() ? b[i] : 0);
  return diff == 0;
}

const char* Reason(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "token required (?token=... or Authorization: Bearer ...)";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 413:
      return "request too large";
    case 414:
      return "request line too long";
    case 431:
      return "too many or too large headers";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "server error" : "error";
  }
}

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void ParseHttpAddress(const std::string& text, std::string* host, int* port) {
  std::string h = "127.0.0.1", p = text;
  if (!text.empty() && text[0] == '[') {  // [v6]:PORT
    const size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw Error("invalid --http '" + text + "' (want PORT, HOST:PORT or [IPV6]:PORT)");
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else if (const size_t colon = text.rfind(':'); colon != std::string::npos) {
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
    if (h.find(':') != std::string::npos)
      throw Error("invalid --http '" + text + "' (write an IPv6 host as [ADDR]:PORT)");
  }
  if (h.empty() || !AllDigits(p) || p.size() > 5 || std::stoi(p) > 65535)
    throw Error("invalid --http '" + text +
                "' (want PORT, HOST:PORT or [IPV6]:PORT, port 0-65535)");
  *host = h;
  *port = std::stoi(p);
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct WebView::State {
  WebViewOptions opt;
  httplib::Server server;
  std::thread listen_thread, encoder_thread;
  std::string host;
  int port = 0;
  double start_ms = NowMs();

  mutable std::mutex mu;
  std::condition_variable changed;  // a new update, event, JPEG, the end, the stop
  std::atomic<bool> stopping{false};
  bool finished = false, stopped = false;
  std::string end_reason;

  LiveUpdate latest;
  int64_t update_seq = 0;   // 0: nothing published yet
  std::deque<json> events;  // each with "seq"
  int64_t event_seq = 0;
  int wakes = 0, sleeps = 0;
  int64_t frames = 0;
  double awake_ms = 0, last_t_ms = 0, dsp_sum = 0, cls_sum = 0;
  double open_start_epoch = 0, open_start_t = 0, open_top = 0;  // the current wake event
  struct Point {
    double t_ms;
    float person, smoothed;
    bool awake;
  };
  std::deque<Point> history;

  std::shared_ptr<const std::string> jpeg;
  int64_t jpeg_seq = 0;
  cv::Size jpeg_size;
  std::deque<std::pair<int, std::shared_ptr<const std::string>>> snapshots;  // wake id -> JPEG
  WebViewStats stats;

  // The frame handed over by the run loop, for the encoder thread.
  std::mutex frame_mu;
  std::condition_variable frame_cv;
  cv::Mat pending;
  bool has_pending = false;
  int pending_snapshot = 0;  // wake id the pending frame is the snapshot of

  std::atomic<int> watchers{0};       // MJPEG clients + waiting /snapshot.jpg requests
  std::atomic<int> wake_snapshot{0};  // wake id still waiting for its frame
  std::atomic<double> last_frame_ms{-1e18};

  void Encode();
  void AddEvent(json e) {
    e["seq"] = ++event_seq;
    events.push_back(std::move(e));
    while (events.size() > static_cast<size_t>(kEventsKept)) events.pop_front();
  }
  json FrameJson() const;
  json SummaryJson() const;
  json StatusJson() const;
  void Routes();
};

json WebView::State::FrameJson() const {
  const LiveUpdate& u = latest;
  json scores = json::object();
  for (size_t i = 0; i < u.scores.size(); ++i)
    scores[i < opt.labels.size() ? opt.labels[i] : std::to_string(i)] = u.scores[i];
  return {{"type", "frame"},
          {"frame", u.frame},
          {"t", u.t_ms / 1000.0},
          {"label", u.label},
          {"confidence", u.confidence},
          {"scores", scores},
          {"dsp_ms", u.dsp_ms},
          {"classification_ms", u.classification_ms},
          {"fps", u.fps},
          {"awake", u.awake},
          {"person", u.person_score},
          {"smoothed", u.smoothed},
          {"threshold", u.threshold},
          {"wake_threshold", u.wake_threshold},
          {"sleep_threshold", u.sleep_threshold}};
}

json WebView::State::SummaryJson() const {
  return {{"frames", frames},
          {"wakes", wakes},
          {"sleeps", sleeps},
          {"awake", update_seq > 0 && latest.awake},
          {"awake_s", awake_ms / 1000.0},
          {"stream_s", frames ? last_t_ms / 1000.0 : 0.0},
          {"mean_dsp_ms", frames ? dsp_sum / frames : 0.0},
          {"mean_classification_ms", frames ? cls_sum / frames : 0.0},
          {"fps", update_seq ? latest.fps : 0.0},
          {"uptime_s", (NowMs() - start_ms) / 1000.0},
          {"end", finished ? json(end_reason) : json(nullptr)}};
}

json WebView::State::StatusJson() const {
  json settings = json::object();
  for (const auto& [k, v] : opt.settings) settings[k] = v;
  json recent = json::array();
  for (const json& e : events)
    if (e["type"] != "snapshot") recent.push_back(e);
  return {{"model", opt.model},
          {"source", opt.source},
          {"labels", opt.labels},
          {"options", settings},
          {"latest", update_seq ? FrameJson() : json(nullptr)},
          {"summary", SummaryJson()},
          {"events", recent},
          {"frame_size", jpeg_seq ? json{jpeg_size.width, jpeg_size.height} : json(nullptr)},
          {"http",
           {{"max_fps", opt.max_fps},
            {"max_clients", opt.max_clients},
            {"streams", stats.streams},
            {"event_streams", stats.event_streams},
            {"stream_clients", stats.stream_clients},
            {"dropped", stats.dropped},
            {"requests", stats.requests},
            {"rejected", stats.rejected},
            {"jpeg_frames", stats.jpeg_frames}}},
          {"uptime_s", (NowMs() - start_ms) / 1000.0},
          {"finished", finished}};
}

void WebView::State::Encode() {
  cv::Mat work;
  std::vector<uchar> buf;
  const std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, opt.jpeg_quality};
  for (;;) {
    int snapshot_id = 0;
    {
      std::unique_lock<std::mutex> lock(frame_mu);
      frame_cv.wait(lock, [&] { return has_pending || stopping; });
      if (stopping) return;
      cv::swap(pending, work);
      has_pending = false;
      snapshot_id = pending_snapshot;
      pending_snapshot = 0;
    }
    bool ok = false;
    try {
      ok = cv::imencode(".jpg", work, buf, params);
    } catch (const cv::Exception&) {
      ok = false;
    }
    if (!ok) continue;
    auto data = std::make_shared<const std::string>(buf.begin(), buf.end());
    std::lock_guard<std::mutex> lock(mu);
    jpeg = data;
    ++jpeg_seq;
    jpeg_size = work.size();
    ++stats.jpeg_frames;
    if (snapshot_id > 0) {
      snapshots.emplace_back(snapshot_id, data);
      while (snapshots.size() > static_cast<size_t>(std::max(1, opt.keep_snapshots)))
        snapshots.pop_front();
      const std::string url = "snapshots/" + std::to_string(snapshot_id) + ".jpg";
      for (json& e : events)
        if (e["type"] == "wake" && e["id"] == snapshot_id) e["snapshot"] = url;
      AddEvent({{"type", "snapshot"}, {"id", snapshot_id}, {"url", url}});
    }
    changed.notify_all();
  }
}

void WebView::State::Routes() {
  using httplib::DataSink;
  using httplib::Request;
  using httplib::Response;

  server.set_pre_routing_handler([this](const Request& req, Response& res) {
    if (req.headers.size() > kMaxHeaders) {
      res.status = 431;
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!opt.token.empty()) {
      std::string given = req.get_param_value("token");
      if (given.empty()) given = req.get_header_value("X-VWW-Token");
      const std::string auth = req.get_header_value("Authorization");
      if (given.empty() && auth.rfind("Bearer ", 0) == 0) given = auth.substr(7);
      if (!SameToken(given, opt.token)) {
        res.status = 401;
        res.set_header("WWW-Authenticate", "Bearer");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (req.method != "GET" && req.method != "HEAD") {
      res.status = 405;
      res.set_header("Allow", "GET, HEAD");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler([](const Request&, Response& res) {
    if (res.body.empty()) {
      res.set_content(std::to_string(res.status) + " " + Reason(res.status) + "\n",
                      "text/plain; charset=utf-8");
    }
  });
  server.set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("500 internal error\n", "text/plain; charset=utf-8");
  });
  server.set_logger([this](const Request&, const Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    ++stats.requests;
    if (res.status >= 400) ++stats.rejected;
  });
  server.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Cache-Control", "no-store"},
                              {"Referrer-Policy", "no-referrer"}});

  const auto page = [](const Request&, Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' blob:; style-src 'unsafe-inline'; "
                   "script-src 'unsafe-inline'; connect-src 'self'");
    res.set_content(kPageHtml, "text/html; charset=utf-8");
  };
  server.Get("/", page);
  server.Get("/index.html", page);

  server.Get("/api/status", [this](const Request&, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    res.set_content(StatusJson().dump(), "application/json");
  });
  server.Get("/api/history", [this](const Request&, Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    json points = json::array();
    for (const Point& p : history)
      points.push_back({p.t_ms / 1000.0, p.person, p.smoothed, p.awake ? 1 : 0});
    res.set_content(json{{"window_s", opt.history_s}, {"points", points}}.dump(),
                    "application/json");
  });

  server.Get("/snapshot.jpg", [this](const Request&, Response& res) {
    std::shared_ptr<const std::string> data;
    {
      std::unique_lock<std::mutex> lock(mu);
      const int64_t seen = jpeg_seq;
      if (!finished) {
        ++watchers;
        changed.wait_for(lock, std::chrono::duration<double>(kSnapshotWaitS),
                         [&] { return stopping || finished || jpeg_seq > seen; });
        --watchers;
      }
      data = jpeg;
    }
    if (!data) {
      res.status = 503;
      res.set_content("no frame yet\n", "text/plain; charset=utf-8");
      return;
    }
    res.set_content(*data, "image/jpeg");
  });
  server.Get(R"(/snapshots/(\d{1,9})\.jpg)", [this](const Request& req, Response& res) {
    const int id = std::stoi(req.matches[1]);
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [sid, data] : snapshots)
      if (sid == id) return res.set_content(*data, "image/jpeg");
    res.status = 404;
  });

  // MJPEG: each part is the newest JPEG; a client that falls behind skips
  // frames, a client that stops reading fails a write after the timeout and
  // is dropped.
  server.Get("/stream.mjpg", [this](const Request&, Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping || stats.streams >= opt.max_clients) {
        res.status = 503;
        res.set_content("too many viewers (--http-clients)\n", "text/plain; charset=utf-8");
        return;
      }
      ++stats.streams;
      ++stats.stream_clients;
      ++watchers;
    }
    auto last = std::make_shared<int64_t>(0);
    res.set_chunked_content_provider(
        std::string("multipart/x-mixed-replace; boundary=") + kBoundary,
        [this, last](size_t, DataSink& sink) {
          std::shared_ptr<const std::string> data;
          {
            std::unique_lock<std::mutex> lock(mu);
            changed.wait_for(lock, std::chrono::seconds(1),
                             [&] { return stopping || (jpeg && jpeg_seq != *last); });
            if (stopping) return false;
            if (!jpeg || jpeg_seq == *last) return true;  // nothing new: wait again
            data = jpeg;
            *last = jpeg_seq;
          }
          const std::string head =
              std::string("--") + kBoundary +
              "\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(data->size()) +
              "\r\n\r\n";
          if (sink.write(head.data(), head.size()) && sink.write(data->data(), data->size()) &&
              sink.write("\r\n", 2))
            return true;
          std::lock_guard<std::mutex> lock(mu);
          ++stats.dropped;
          return false;
        },
        [this](bool) {
          std::lock_guard<std::mutex> lock(mu);
          --stats.streams;
          --watchers;
        });
  });

  // Server-sent events: every wake/sleep/snapshot message, and the newest
  // frame's result at most events_per_s times a second.
  server.Get("/events", [this](const Request&, Response& res) {
    struct Cursor {
      int64_t update_seq = 0, event_seq = 0;
      double next_frame_ms = 0, last_write_ms = 0;
      bool hello = false, ended = false;
    };
    auto cur = std::make_shared<Cursor>();
    {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping || stats.event_streams >= opt.max_clients) {
        res.status = 503;
        res.set_content("too many viewers (--http-clients)\n", "text/plain; charset=utf-8");
        return;
      }
      ++stats.event_streams;
      cur->event_seq = event_seq;  // earlier events are in /api/status
    }
    const double frame_gap_ms = 1000.0 / std::max(0.1, opt.events_per_s);
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, cur, frame_gap_ms](size_t, DataSink& sink) {
          if (cur->ended) return false;
          std::string out;
          {
            std::unique_lock<std::mutex> lock(mu);
            const auto ready = [&] {
              return stopping || finished || event_seq > cur->event_seq ||
                     (update_seq > cur->update_seq && NowMs() >= cur->next_frame_ms);
            };
            if (!cur->hello) {
              out = "retry: 2000\n\n";
              cur->hello = true;
            } else if (!ready()) {
              const double due = update_seq > cur->update_seq
                                     ? std::max(1.0, cur->next_frame_ms - NowMs())
                                     : 1000.0;
              changed.wait_for(lock, std::chrono::duration<double, std::milli>(due), ready);
            }
            if (stopping) return false;
            for (const json& e : events)
              if (e["seq"].get<int64_t>() > cur->event_seq) out += "data: " + e.dump() + "\n\n";
            cur->event_seq = event_seq;
            if (update_seq > cur->update_seq && NowMs() >= cur->next_frame_ms) {
              out += "data: " + FrameJson().dump() + "\n\n";
              cur->update_seq = update_seq;
              cur->next_frame_ms = NowMs() + frame_gap_ms;
            }
            if (finished) {
              out += "data: " + json{{"type", "end"}, {"summary", SummaryJson()}}.dump() + "\n\n";
              cur->ended = true;
            }
          }
          const double now = NowMs();
          if (out.empty()) {
            if (now - cur->last_write_ms < kHeartbeatS * 1000) return true;
            out = ": keep-alive\n\n";
          }
          if (!sink.write(out.data(), out.size())) {
            std::lock_guard<std::mutex> lock(mu);
            ++stats.dropped;
            return false;
          }
          cur->last_write_ms = now;
          if (cur->ended) sink.done();
          return true;
        },
        [this](bool) {
          std::lock_guard<std::mutex> lock(mu);
          --stats.event_streams;
          changed.notify_all();
        });
  });
}

WebView::WebView(const WebViewOptions& options) : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.opt = options;
  if (s.opt.max_clients < 1) throw Error("--http-clients must be >= 1");
  if (!(s.opt.max_fps > 0)) throw Error("--http-fps must be > 0");
  if (!(s.opt.client_timeout_s > 0)) throw Error("--http-timeout must be > 0");
  s.host = s.opt.host;
  // Every stream holds a worker thread while it lasts; the rest serve the
  // page, the API and the snapshots.
  const size_t workers = 2 * static_cast<size_t>(s.opt.max_clients) + 4;
  s.server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  const auto timeout_us = static_cast<int64_t>(s.opt.client_timeout_s * 1e6);
  s.server.set_write_timeout(timeout_us / 1000000, timeout_us % 1000000);
  s.server.set_read_timeout(5, 0);
  s.server.set_keep_alive_timeout(5);
  s.server.set_keep_alive_max_count(100);
  s.server.set_payload_max_length(kMaxBody);
  // cpp-httplib's default also sets SO_REUSEPORT, which would let a second
  // vww share (and silently split) a port already in use.
  s.server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.Routes();

  if (s.opt.port == 0) {
    s.port = s.server.bind_to_any_port(s.host);
    if (s.port <= 0) throw Error("--http: cannot listen on " + s.host + " (no free port)");
  } else {
    if (!s.server.bind_to_port(s.host, s.opt.port))
      throw Error("--http: cannot listen on " + s.host + ":" + std::to_string(s.opt.port) +
                  " (in use, or not an address of this machine)");
    s.port = s.opt.port;
  }
  s.encoder_thread = std::thread([st = state_] { st->Encode(); });
  s.listen_thread = std::thread([st = state_] { st->server.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it, so a Stop()
  // right after construction cannot leave the loop running.
  for (int i = 0; i < 2000 && !s.server.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

WebView::~WebView() { Stop(); }

const std::string& WebView::host() const { return state_->host; }
int WebView::port() const { return state_->port; }
std::string WebView::url() const {
  const std::string& h = state_->host;
  return "http://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" +
         std::to_string(state_->port) + "/";
}

void WebView::Publish(const LiveUpdate& u) {
  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.frames > 0 && s.latest.awake) s.awake_ms += std::max(0.0, u.t_ms - s.last_t_ms);
    s.latest = u;
    ++s.update_seq;
    ++s.frames;
    s.last_t_ms = u.t_ms;
    s.dsp_sum += u.dsp_ms;
    s.cls_sum += u.classification_ms;
    s.history.push_back(
        {u.t_ms, static_cast<float>(u.person_score), static_cast<float>(u.smoothed), u.awake});
    while (s.history.size() > kHistoryPoints ||
           (s.history.size() > 1 && u.t_ms - s.history.front().t_ms > s.opt.history_s * 1000))
      s.history.pop_front();
    if (u.awake) s.open_top = std::max(s.open_top, u.smoothed);
    if (u.event == LiveEvent::kWake) {
      const int id = ++s.wakes;
      s.open_start_epoch = EpochS();
      s.open_start_t = u.t_ms;
      s.open_top = u.event_score;
      s.AddEvent({{"type", "wake"},
                  {"id", id},
                  {"frame", u.frame},
                  {"t", u.t_ms / 1000.0},
                  {"score", u.event_score},
                  {"time", s.open_start_epoch},
                  {"snapshot", nullptr}});
      s.wake_snapshot = id;
    } else if (u.event == LiveEvent::kSleep) {
      ++s.sleeps;
      s.AddEvent({{"type", "sleep"},
                  {"id", s.wakes},
                  {"frame", u.frame},
                  {"t", u.t_ms / 1000.0},
                  {"score", u.event_score},
                  {"time", EpochS()},
                  {"duration_s", (u.t_ms - s.open_start_t) / 1000.0},
                  {"top_score", s.open_top}});
    }
  }
  s.changed.notify_all();
}

bool WebView::WantsFrame() const {
  const State& s = *state_;
  if (s.wake_snapshot.load() > 0) return true;
  if (s.watchers.load() <= 0) return false;
  return NowMs() - s.last_frame_ms.load() >= 1000.0 / s.opt.max_fps;
}

void WebView::PublishFrame(const cv::Mat& annotated) {
  State& s = *state_;
  if (annotated.empty()) return;
  s.last_frame_ms = NowMs();
  {
    std::lock_guard<std::mutex> lock(s.frame_mu);
    // A wake's snapshot still waiting for the encoder is not replaced.
    if (s.has_pending && s.pending_snapshot > 0) return;
    annotated.copyTo(s.pending);
    s.has_pending = true;
    s.pending_snapshot = s.wake_snapshot.exchange(0);
  }
  s.frame_cv.notify_one();
}

void WebView::Finish(const std::string& why) {
  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.finished = true;
    s.end_reason = why;
  }
  s.changed.notify_all();
}

void WebView::Stop() {
  State& s = *state_;
  {
    std::unique_lock<std::mutex> lock(s.mu);
    if (s.stopped) return;
    s.stopped = true;
    // After Finish(), give the event streams a moment to deliver the "end"
    // message with the summary; they close by themselves.
    if (s.finished)
      s.changed.wait_for(lock, std::chrono::seconds(1), [&] { return s.stats.event_streams == 0; });
    s.stopping = true;
  }
  {
    std::lock_guard<std::mutex> lock(s.frame_mu);  // so the encoder cannot miss the wake-up
  }
  s.changed.notify_all();
  s.frame_cv.notify_all();
  s.server.stop();
  if (s.listen_thread.joinable()) s.listen_thread.join();
  if (s.encoder_thread.joinable()) s.encoder_thread.join();
}

WebViewStats WebView::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stats;
}

}  // namespace vww
