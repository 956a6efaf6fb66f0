// ui/web against real HTTP clients (cpp-httplib's client and raw sockets):
// the page, the JSON API, server-sent events, MJPEG parts that decode, the
// snapshots, 4xx for bad requests, the token, the client limit and a client
// that stops reading.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "model/error.h"
#include "tests/live_util.h"
#include "ui/web/web_view.h"

namespace vww {
namespace {

using json = nlohmann::json;

LiveUpdate Update(int64_t i, LiveEvent event = LiveEvent::kNone, bool awake = false) {
  LiveUpdate u;
  u.frame = i;
  u.t_ms = i * 100.0;
  const double p = awake ? 0.875 : 0.125;
  u.label = awake ? "person" : "no person";
  u.confidence = awake ? p : 1 - p;
  u.scores = {static_cast<float>(1 - p), static_cast<float>(p)};
  u.dsp_ms = 1.5;
  u.classification_ms = 2.5;
  u.fps = 10;
  u.awake = awake;
  u.person_score = u.smoothed = p;
  u.threshold = 0.6;
  u.wake_threshold = 0.6;
  u.sleep_threshold = 0.4;
  u.event = event;
  u.event_score = p;
  return u;
}

WebViewOptions Options() {
  WebViewOptions o;
  o.port = 0;
  o.labels = {"no person", "person"};
  o.model = "assets/person_detect.tflite";
  o.source = "test frames";
  o.settings = {{"threshold", "0.6"}};
  return o;
}

// Feeds the view the way the run loop does, on its own thread: a result per
// frame, and the annotated frame only when the view asks for it. Wakes at
// frame 20, sleeps at 40, and so on.
class Feeder {
 public:
  Feeder(WebView* web, cv::Size size, bool noise = false) : web_(web) {
    image_.create(size, CV_8UC3);
    thread_ = std::thread([this, noise] {
      cv::RNG rng(7);
      bool awake = false;
      for (int64_t i = 0; !stop_; ++i) {
        LiveEvent e = LiveEvent::kNone;
        if (i % 20 == 0 && i > 0) {
          awake = !awake;
          e = awake ? LiveEvent::kWake : LiveEvent::kSleep;
        }
        web_->Publish(Update(i, e, awake));
        if (web_->WantsFrame()) {
          if (noise)
            rng.fill(image_, cv::RNG::UNIFORM, 0, 256);
          else
            image_.setTo(cv::Scalar(40, 80, static_cast<double>(i % 256)));
          web_->PublishFrame(image_);
          ++frames_handed_;
        }
        ++published_;
        std::this_thread::sleep_for(std::chrono::milliseconds(noise ? 1 : 5));
      }
    });
  }
  ~Feeder() {
    stop_ = true;
    thread_.join();
  }
  int64_t published() const { return published_; }
  int64_t frames_handed() const { return frames_handed_; }

 private:
  WebView* web_;
  cv::Mat image_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> published_{0}, frames_handed_{0};
  std::thread thread_;
};

// Reads server-sent events until `enough` says so (or the stream ends).
std::vector<json> ReadEvents(httplib::Client& cli, const std::string& path,
                             const std::function<bool(const std::vector<json>&)>& enough) {
  std::vector<json> messages;
  std::string buf;
  cli.Get(path, [&](const char* data, size_t len) {
    buf.append(data, len);
    size_t end;
    while ((end = buf.find("\n\n")) != std::string::npos) {
      const std::string block = buf.substr(0, end);
      buf.erase(0, end + 2);
      if (block.rfind("data: ", 0) == 0) messages.push_back(json::parse(block.substr(6)));
    }
    return !enough(messages);
  });
  return messages;
}

// Reads MJPEG parts (their JPEG bytes) until n have arrived.
std::vector<std::string> ReadParts(httplib::Client& cli, const std::string& path, size_t n,
                                   std::string* content_type = nullptr) {
  std::vector<std::string> parts;
  std::string buf;
  cli.Get(
      path,
      [&](const httplib::Response& res) {
        if (content_type) *content_type = res.get_header_value("Content-Type");
        return res.status == 200;
      },
      [&](const char* data, size_t len) {
        buf.append(data, len);
        for (;;) {
          const size_t h = buf.find("Content-Length: ");
          const size_t body = buf.find("\r\n\r\n", h);
          if (h == std::string::npos || body == std::string::npos) break;
          const size_t size = std::stoul(buf.substr(h + 16));
          if (buf.size() < body + 4 + size) break;
          parts.push_back(buf.substr(body + 4, size));
          buf.erase(0, body + 4 + size);
        }
        return parts.size() < n;
      });
  return parts;
}

// Sends raw bytes, returns the status code of the answer (0: none).
int RawStatus(int port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return 0;
  }
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  char reply[64] = {};
  const ssize_t n = recv(fd, reply, sizeof reply - 1, 0);
  close(fd);
  if (n < 12 || std::string(reply, 5) != "HTTP/") return 0;
  return std::atoi(reply + 9);
}

TEST(WebAddress, ParsesPortsAndHosts) {
  std::string host;
  int port = -1;
  ParseHttpAddress("4912", &host, &port);
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 4912);
  ParseHttpAddress("0.0.0.0:8080", &host, &port);
  EXPECT_EQ(host, "0.0.0.0");
  EXPECT_EQ(port, 8080);
  ParseHttpAddress("[::1]:0", &host, &port);
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  for (const char* bad :
       {"", "x", ":80", "host:", "h:65536", "h:-1", "::1:80", "[::1]", "1.2.3.4:8o"})
    EXPECT_THROW(ParseHttpAddress(bad, &host, &port), Error) << bad;
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("192.168.1.5"));
}

TEST(WebView, ListensOnLoopbackAndFailsClearlyOnATakenPort) {
  WebView web(Options());
  EXPECT_EQ(web.host(), "127.0.0.1");
  ASSERT_GT(web.port(), 0);
  EXPECT_EQ(web.url(), "http://127.0.0.1:" + std::to_string(web.port()) + "/");
  WebViewOptions again = Options();
  again.port = web.port();
  try {
    WebView second(again);
    FAIL() << "a second server bound the same port";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(web.port())),
        std::string::npos)
        << e.what();
  }
}

TEST(WebView, ServesTheEmbeddedPageAndTheJsonApi) {
  WebView web(Options());
  web.Publish(Update(0));
  web.Publish(Update(1, LiveEvent::kWake, true));
  web.Publish(Update(2, LiveEvent::kNone, true));
  httplib::Client cli("127.0.0.1", web.port());

  auto page = cli.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  for (const char* part : {"<canvas id=\"timeline\"", "stream.mjpg", "EventSource", "api/status"})
    EXPECT_NE(page->body.find(part), std::string::npos) << part;
  // Self-contained: nothing loaded from elsewhere.
  EXPECT_EQ(page->body.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page->body.find("href=\"http"), std::string::npos);
  EXPECT_EQ(page->body.find("@import"), std::string::npos);

  auto status = cli.Get("/api/status");
  ASSERT_TRUE(status);
  ASSERT_EQ(status->status, 200);
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");
  const json s = json::parse(status->body);
  EXPECT_EQ(s["model"], "assets/person_detect.tflite");
  EXPECT_EQ(s["source"], "test frames");
  EXPECT_EQ(s["options"]["threshold"], "0.6");
  EXPECT_EQ(s["labels"], json::array({"no person", "person"}));
  EXPECT_EQ(s["latest"]["frame"], 2);
  EXPECT_EQ(s["latest"]["label"], "person");
  EXPECT_EQ(s["latest"]["awake"], true);
  EXPECT_DOUBLE_EQ(s["latest"]["scores"]["person"].get<double>(), 0.875);
  EXPECT_DOUBLE_EQ(s["latest"]["dsp_ms"].get<double>(), 1.5);
  EXPECT_EQ(s["summary"]["frames"], 3);
  EXPECT_EQ(s["summary"]["wakes"], 1);
  EXPECT_EQ(s["summary"]["sleeps"], 0);
  EXPECT_DOUBLE_EQ(s["summary"]["awake_s"].get<double>(), 0.1);  // frames 1 -> 2
  ASSERT_EQ(s["events"].size(), 1u);
  EXPECT_EQ(s["events"][0]["type"], "wake");
  EXPECT_EQ(s["events"][0]["frame"], 1);
  EXPECT_EQ(s["http"]["max_clients"], 8);
  EXPECT_GE(s["uptime_s"].get<double>(), 0.0);

  auto history = cli.Get("/api/history");
  ASSERT_TRUE(history);
  const json h = json::parse(history->body);
  ASSERT_EQ(h["points"].size(), 3u);
  EXPECT_DOUBLE_EQ(h["points"][2][0].get<double>(), 0.2);  // t in s
  EXPECT_EQ(h["points"][2][3], 1);                         // awake
}

TEST(WebView, EventStreamCarriesFramesWakesSleepsAndSnapshots) {
  WebViewOptions o = Options();
  o.events_per_s = 20;
  WebView web(o);
  Feeder feed(&web, {64, 48});
  httplib::Client cli("127.0.0.1", web.port());
  const auto messages = ReadEvents(cli, "/events", [](const std::vector<json>& ms) {
    bool wake = false, sleep = false, snapshot = false;
    for (const auto& m : ms) {
      wake |= m["type"] == "wake";
      sleep |= m["type"] == "sleep";
      snapshot |= m["type"] == "snapshot";
    }
    return wake && sleep && snapshot;
  });
  int frames = 0, wakes = 0;
  int64_t last_frame = -1;
  for (const auto& m : messages) {
    if (m["type"] == "frame") {
      ++frames;
      EXPECT_GT(m["frame"].get<int64_t>(), last_frame);  // newest first, never repeated
      last_frame = m["frame"];
      for (const char* k :
           {"label", "confidence", "scores", "dsp_ms", "classification_ms", "fps", "awake",
            "person", "smoothed", "threshold", "wake_threshold", "sleep_threshold", "t"})
        EXPECT_TRUE(m.contains(k)) << k;
    } else if (m["type"] == "wake") {
      ++wakes;
      EXPECT_EQ(m["frame"].get<int64_t>() % 40, 20);
    } else if (m["type"] == "snapshot") {
      auto jpg = cli.Get("/" + m["url"].get<std::string>());
      ASSERT_TRUE(jpg);
      EXPECT_EQ(jpg->status, 200);
      EXPECT_EQ(
          cv::imdecode(std::vector<uchar>(jpg->body.begin(), jpg->body.end()), cv::IMREAD_COLOR)
              .size(),
          cv::Size(64, 48));
    }
  }
  EXPECT_GT(frames, 0);
  EXPECT_GE(wakes, 1);
  // Rate-limited: far fewer frame messages than frames published.
  EXPECT_LT(frames, feed.published());
}

TEST(WebView, EventStreamEndsWithTheSummaryWhenTheRunFinishes) {
  WebView web(Options());
  web.Publish(Update(0));
  std::thread finisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    web.Finish("end of stream");
  });
  httplib::Client cli("127.0.0.1", web.port());
  const auto messages = ReadEvents(cli, "/events", [](const auto&) { return false; });
  finisher.join();
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back()["type"], "end");
  EXPECT_EQ(messages.back()["summary"]["end"], "end of stream");
  EXPECT_EQ(messages.back()["summary"]["frames"], 1);
}

TEST(WebView, MjpegPartsDecodeToTheFrameSizeAndEncodingOnlyWhileWatched) {
  WebView web(Options());
  // Nobody watches: no frames wanted, nothing encoded.
  web.Publish(Update(0));
  EXPECT_FALSE(web.WantsFrame());
  {
    Feeder feed(&web, {320, 240});
    ASSERT_TRUE(test::WaitUntil([&] { return feed.published() > 20; }, 10));
    EXPECT_EQ(feed.frames_handed(), 1);  // only the wake at frame 20 (its snapshot)
    httplib::Client cli("127.0.0.1", web.port());
    std::string type;
    const auto parts = ReadParts(cli, "/stream.mjpg", 3, &type);
    EXPECT_EQ(type, "multipart/x-mixed-replace; boundary=vwwframe");
    ASSERT_EQ(parts.size(), 3u);
    for (const auto& p : parts) {
      const cv::Mat img = cv::imdecode(std::vector<uchar>(p.begin(), p.end()), cv::IMREAD_COLOR);
      ASSERT_FALSE(img.empty());
      EXPECT_EQ(img.size(), cv::Size(320, 240));
    }
    EXPECT_NE(parts[0], parts[2]);  // live, not one frame repeated
    auto snap = cli.Get("/snapshot.jpg");
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->status, 200);
    EXPECT_EQ(
        cv::imdecode(std::vector<uchar>(snap->body.begin(), snap->body.end()), cv::IMREAD_COLOR)
            .size(),
        cv::Size(320, 240));
  }
  // The viewer left: no more frames wanted.
  ASSERT_TRUE(test::WaitUntil([&] { return web.stats().streams == 0; }, 5));
  web.Publish(Update(1000));
  EXPECT_FALSE(web.WantsFrame());
  EXPECT_GT(web.stats().jpeg_frames, 2);
}

TEST(WebView, SnapshotWithoutAnyFrameIs503) {
  WebView web(Options());
  httplib::Client cli("127.0.0.1", web.port());
  auto r = cli.Get("/snapshot.jpg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST(WebView, BadRequestsGet4xxAndTheServerCarriesOn) {
  WebView web(Options());
  web.Publish(Update(0));
  httplib::Client cli("127.0.0.1", web.port());
  for (const char* path :
       {"/nope", "/etc/passwd", "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
        "/snapshots/1.jpg", "/snapshots/abc.jpg", "/snapshots/99999999999.jpg", "/stream.mjpg/x",
        "/api", "/api/status/../../x", "/page.html", "/favicon.ico"}) {
    auto r = cli.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_LT(r->body.size(), 200u) << path;  // a short reason, never a file
  }
  auto post = cli.Post("/api/status", "x=1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  const int port = web.port();
  // Request line too long, a header line too long, too many headers, a body
  // nobody asked for, and garbage.
  EXPECT_EQ(RawStatus(port, "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"),
            414);
  const int long_header = RawStatus(
      port, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n");
  EXPECT_TRUE(long_header == 0 || (long_header >= 400 && long_header < 500)) << long_header;
  std::string many = "GET /api/status HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(RawStatus(port, many + "\r\n"), 431);
  EXPECT_EQ(
      RawStatus(port, "PUT /api/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"),
      405);
  const int garbage = RawStatus(port, "\x01\x02 nonsense\r\n\r\n");
  EXPECT_TRUE(garbage == 0 || garbage == 400) << garbage;
  auto ok = cli.Get("/api/status");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_GE(web.stats().rejected, 13);
}

TEST(WebView, TokenIsRequiredOnEveryPath) {
  WebViewOptions o = Options();
  o.token = "s3cret-token";
  WebView web(o);
  web.Publish(Update(0, LiveEvent::kWake, true));
  httplib::Client cli("127.0.0.1", web.port());
  for (const char* path : {"/", "/api/status", "/api/history", "/events", "/stream.mjpg",
                           "/snapshot.jpg", "/snapshots/1.jpg", "/nope"}) {
    auto r = cli.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    r = cli.Get(std::string(path) + "?token=wrong");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    r = cli.Get(path, {{"Authorization", "Bearer s3cret-toke"}});
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  auto r = cli.Get("/api/status?token=s3cret-token");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = cli.Get("/api/status", {{"Authorization", "Bearer s3cret-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = cli.Get("/", {{"X-VWW-Token", "s3cret-token"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = cli.Get("/nope?token=s3cret-token");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST(WebView, AtMostMaxClientsStreams) {
  WebViewOptions o = Options();
  o.max_clients = 2;
  WebView web(o);
  Feeder feed(&web, {32, 24});
  std::atomic<bool> stop{false};
  std::vector<std::thread> viewers;
  for (int i = 0; i < 2; ++i)
    viewers.emplace_back([&] {
      httplib::Client cli("127.0.0.1", web.port());
      cli.Get("/stream.mjpg", [&](const char*, size_t) { return !stop.load(); });
    });
  ASSERT_TRUE(test::WaitUntil([&] { return web.stats().streams == 2; }, 10));
  httplib::Client cli("127.0.0.1", web.port());
  auto r = cli.Get("/stream.mjpg");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  auto page = cli.Get("/api/status");  // the rest is still served
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(json::parse(page->body)["http"]["streams"], 2);
  stop = true;
  for (auto& t : viewers) t.join();
  ASSERT_TRUE(test::WaitUntil([&] { return web.stats().streams == 0; }, 10));
  auto again = cli.Get("/stream.mjpg", [](const char*, size_t) { return false; });
  EXPECT_EQ(web.stats().stream_clients, 3);
}

// A viewer that connects and never reads: the feeder (the run loop) keeps
// going, the stuck stream is dropped after the timeout while the socket is
// still open, and a reading viewer keeps getting frames meanwhile.
TEST(WebView, AClientThatNeverReadsIsDroppedAndStallsNothing) {
  WebViewOptions o = Options();
  o.client_timeout_s = 1;
  o.max_fps = 100;
  WebView web(o);
  Feeder feed(&web, {640, 480}, /*noise=*/true);  // large JPEGs fill socket buffers fast

  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(web.port()));
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  const std::string req = "GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));

  std::atomic<int64_t> good_parts{0};
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    httplib::Client cli("127.0.0.1", web.port());
    cli.Get("/stream.mjpg", [&](const char* d, size_t n) {
      if (std::string(d, n).find("Content-Type: image/jpeg") != std::string::npos) ++good_parts;
      return !stop.load();
    });
  });
  ASSERT_TRUE(test::WaitUntil([&] { return web.stats().streams == 2; }, 10));
  ASSERT_TRUE(test::WaitUntil([&] { return web.stats().dropped >= 1; }, 30))
      << "the stuck client was never dropped";
  const int64_t published_at_drop = feed.published(), parts_at_drop = good_parts;
  EXPECT_EQ(web.stats().streams, 1);  // the reading one
  // Still running and still serving the reader after the drop.
  ASSERT_TRUE(test::WaitUntil(
      [&] { return feed.published() > published_at_drop + 50 && good_parts > parts_at_drop + 2; },
      20));
  stop = true;
  reader.join();
  close(fd);
}

TEST(WebView, StopEndsOpenStreams) {
  auto web = std::make_unique<WebView>(Options());
  web->Publish(Update(0));
  cv::Mat img(24, 32, CV_8UC3, cv::Scalar(1, 2, 3));
  std::atomic<bool> done{false};
  std::thread viewer([&] {
    httplib::Client cli("127.0.0.1", web->port());
    cli.set_read_timeout(30, 0);
    cli.Get("/stream.mjpg", [&](const char*, size_t) { return true; });
    done = true;
  });
  ASSERT_TRUE(test::WaitUntil([&] { return web->stats().streams == 1; }, 10));
  web->PublishFrame(img);
  web->Stop();
  ASSERT_TRUE(test::WaitUntil([&] { return done.load(); }, 10));
  viewer.join();
  web.reset();
}

}  // namespace
}  // namespace vww
