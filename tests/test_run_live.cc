// `vww run --http` and `vww run --mqtt` end to end: the real binary on the
// sample videos, real HTTP clients, a real browser, a real mosquitto broker.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <regex>
#include <thread>

#include "tests/live_util.h"
#include "tests/run_vww.h"
#include "tests/web_browser_util.h"

namespace vww {
namespace {

using json = nlohmann::json;
using test::Broker;
using test::MqttProbe;
using test::Scratch;

std::string PersonVideo() { return test::VideoPath("vtest_person.avi"); }
std::string NoPersonVideo() { return test::VideoPath("city_no_person.mpg"); }

std::vector<std::string> Args(std::vector<std::string> head, const std::vector<std::string>& more) {
  head.insert(head.end(), more.begin(), more.end());
  return head;
}

// The numbers on the summary line: frames processed.
int64_t SummaryFrames(const std::string& err) {
  std::smatch m;
  if (!std::regex_search(err, m, std::regex("summary: (\\d+) frames"))) return -1;
  return std::stoll(m[1]);
}

// Reads MJPEG parts until n arrived.
std::vector<std::string> ReadParts(int port, size_t n) {
  httplib::Client cli("127.0.0.1", port);
  std::vector<std::string> parts;
  std::string buf;
  cli.Get("/stream.mjpg", [&](const char* data, size_t len) {
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

json Status(int port, const std::string& query = "") {
  httplib::Client cli("127.0.0.1", port);
  auto r = cli.Get("/api/status" + query);
  if (!r || r->status != 200) return json();
  return json::parse(r->body);
}

// --- vww run --http --------------------------------------------------------------

TEST(RunHttp, StatusEventsStreamAnd4xxOfALiveRun) {
  Scratch dir;
  test::VwwChild vww({"run", "--source", PersonVideo(), "--realtime", "--loop", "--headless",
                      "--quiet", "--http", "127.0.0.1:0", "--name", "shelf"});
  const int port = test::WaitForHttpPort(vww);
  ASSERT_GT(port, 0) << vww.stderr_text();
  EXPECT_NE(
      vww.stderr_text().find("http: serving on http://127.0.0.1:" + std::to_string(port) + "/"),
      std::string::npos);

  ASSERT_TRUE(test::WaitUntil([&] { return !Status(port)["latest"].is_null(); }, 20));
  const json s = Status(port);
  EXPECT_NE(s["source"].get<std::string>().find("vtest_person.avi"), std::string::npos) << s;
  EXPECT_NE(s["model"].get<std::string>().find("person_detect.tflite"), std::string::npos) << s;
  EXPECT_EQ(s["labels"], json::array({"no person", "person"}));
  EXPECT_EQ(s["options"]["threshold"], "0.6");
  EXPECT_EQ(s["http"]["max_fps"], 15.0);
  EXPECT_EQ(s["http"]["max_clients"], 8);
  EXPECT_GE(s["summary"]["frames"].get<int>(), 1);

  // Server-sent events: per-frame results of this run.
  {
    httplib::Client cli("127.0.0.1", port);
    std::vector<json> frames;
    std::string buf;
    cli.Get("/events", [&](const char* d, size_t n) {
      buf.append(d, n);
      size_t end;
      while ((end = buf.find("\n\n")) != std::string::npos) {
        if (buf.rfind("data: ", 0) == 0) {
          const json m = json::parse(buf.substr(6, end - 6));
          if (m["type"] == "frame") frames.push_back(m);
        }
        buf.erase(0, end + 2);
      }
      return frames.size() < 3;
    });
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_LT(frames[0]["frame"].get<int64_t>(), frames[2]["frame"].get<int64_t>());
    for (const auto& f : frames) {
      EXPECT_TRUE(f["label"] == "person" || f["label"] == "no person" || f["label"] == "uncertain");
      EXPECT_NEAR(f["scores"]["person"].get<double>() + f["scores"]["no person"].get<double>(), 1.0,
                  0.01);
    }
  }

  // MJPEG: the annotated frames at the video's size.
  const auto parts = ReadParts(port, 2);
  ASSERT_EQ(parts.size(), 2u);
  for (const auto& p : parts) {
    const cv::Mat img = cv::imdecode(std::vector<uchar>(p.begin(), p.end()), cv::IMREAD_COLOR);
    ASSERT_FALSE(img.empty());
    EXPECT_EQ(img.size(), cv::Size(768, 576));
  }

  httplib::Client cli("127.0.0.1", port);
  for (const char* path :
       {"/nope", "/../README.md", "/assets/vtest_person.avi", "/snapshots/0.jpg"}) {
    auto r = cli.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
  }
  auto big = cli.Get("/" + std::string(9000, 'x'));
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 414);
  auto post = cli.Post("/", std::string(100000, 'y'), "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);

  vww.Signal(SIGINT);
  EXPECT_EQ(vww.WaitExitCode(30), 0) << vww.stderr_text();
  EXPECT_NE(vww.stderr_text().find("http: "), std::string::npos);
  EXPECT_GT(SummaryFrames(vww.stderr_text()), 0);
}

TEST(RunHttp, TokenIsEnforced) {
  Scratch dir;
  test::VwwChild vww({"run", "--source", PersonVideo(), "--realtime", "--loop", "--headless",
                      "--quiet", "--http", "127.0.0.1:0", "--http-token", "open-sesame"});
  const int port = test::WaitForHttpPort(vww);
  ASSERT_GT(port, 0) << vww.stderr_text();
  httplib::Client cli("127.0.0.1", port);
  for (const char* path : {"/", "/api/status", "/events", "/stream.mjpg", "/snapshot.jpg"}) {
    auto r = cli.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  auto ok = cli.Get("/api/status?token=open-sesame");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  ok = cli.Get("/snapshot.jpg", {{"Authorization", "Bearer open-sesame"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(
      cv::imdecode(std::vector<uchar>(ok->body.begin(), ok->body.end()), cv::IMREAD_COLOR).size(),
      cv::Size(768, 576));
  vww.Signal(SIGTERM);
  EXPECT_EQ(vww.WaitExitCode(30), 0) << vww.stderr_text();
}

// Binding anywhere but loopback prints a warning first (tested with an
// address this machine does not have, so nothing is exposed: the bind fails
// with a one-line error).
TEST(RunHttp, OtherHostsWarnAndBindFailuresAreOneLine) {
  Scratch dir;
  test::VwwChild vww(
      {"run", "--source", NoPersonVideo(), "--headless", "--quiet", "--http", "192.0.2.1:0"});
  EXPECT_EQ(vww.WaitExitCode(30), 1);
  const std::string err = vww.stderr_text();
  EXPECT_NE(err.find("warning: http: 192.0.2.1 is reachable from other machines"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("--http-token"), std::string::npos) << err;
  EXPECT_NE(err.find("error: --http: cannot listen on 192.0.2.1"), std::string::npos) << err;
}

TEST(RunHttp, UsageErrors) {
  Scratch dir;
  const std::vector<std::vector<std::string>> bad = {
      {"--http", "abc"},
      {"--http", "127.0.0.1:99999"},
      {"--http", "4912", "--http-fps", "0"},
      {"--http", "4912", "--http-clients", "0"},
      {"--http", "4912", "--http-timeout", "0"},
      {"--http-token", "x"},
      {"--http-fps", "5"},
      {"--mqtt", "http://broker"},
      {"--mqtt", "mqtt://"},
      {"--mqtt-prefix", "a/b"},
      {"--mqtt-discovery"},
      {"--mqtt", "mqtt://127.0.0.1:1", "--mqtt-prefix", "a/#"},
      {"--mqtt", "mqtt://127.0.0.1:1", "--name", "a/b"}};
  for (const auto& args : bad) {
    test::VwwChild vww(Args({"run", "--source", NoPersonVideo(), "--headless", "--quiet"}, args));
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(vww.WaitExitCode(30), 2) << joined << vww.stderr_text();
    const std::string err = vww.stderr_text();
    EXPECT_EQ(err.rfind("error: ", 0), 0u) << joined << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << joined << err;
  }
}

TEST(RunHttp, APortInUseIsAClearError) {
  Scratch dir;
  test::VwwChild first({"run", "--source", PersonVideo(), "--realtime", "--loop", "--headless",
                        "--quiet", "--http", "127.0.0.1:0"});
  const int port = test::WaitForHttpPort(first);
  ASSERT_GT(port, 0) << first.stderr_text();
  test::VwwChild second({"run", "--source", NoPersonVideo(), "--headless", "--quiet", "--http",
                         std::to_string(port)});
  EXPECT_EQ(second.WaitExitCode(30), 1);
  EXPECT_NE(second.stderr_text().find("error: --http: cannot listen on 127.0.0.1:" +
                                      std::to_string(port)),
            std::string::npos)
      << second.stderr_text();
  first.Signal(SIGINT);
  EXPECT_EQ(first.WaitExitCode(30), 0);
}

// A viewer that connects and never reads: the run keeps processing frames
// while it is connected, drops it after --http-timeout, serves the others,
// and stops cleanly.
TEST(RunHttp, AViewerThatNeverReadsIsDroppedAndTheRunGoesOn) {
  Scratch dir;
  test::VwwChild vww({"run", "--source", PersonVideo(), "--loop", "--headless", "--quiet", "--http",
                      "127.0.0.1:0", "--http-timeout", "1", "--http-fps", "60"});
  const int port = test::WaitForHttpPort(vww);
  ASSERT_GT(port, 0) << vww.stderr_text();

  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  const std::string req = "GET /stream.mjpg HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  ASSERT_TRUE(test::WaitUntil([&] { return Status(port)["http"]["streams"] == 1; }, 10));
  const int64_t frames_at_connect = Status(port)["summary"]["frames"];

  // A reading viewer beside it keeps getting frames, then leaves.
  EXPECT_EQ(ReadParts(port, 3).size(), 3u);
  ASSERT_TRUE(test::WaitUntil([&] { return Status(port)["http"]["streams"] == 1; }, 10));
  // The stuck one goes too, while its socket is still open here.
  ASSERT_TRUE(test::WaitUntil([&] { return Status(port)["http"]["streams"] == 0; }, 60))
      << "the stuck viewer was never dropped";
  const json s = Status(port);
  EXPECT_EQ(s["http"]["stream_clients"], 2);
  EXPECT_EQ(s["http"]["dropped"], 2);  // the reader that left and the stuck one
  EXPECT_GT(s["summary"]["frames"].get<int64_t>(), frames_at_connect);
  vww.Signal(SIGINT);
  EXPECT_EQ(vww.WaitExitCode(30), 0) << vww.stderr_text();
  EXPECT_GT(SummaryFrames(vww.stderr_text()), frames_at_connect);
  EXPECT_NE(vww.stderr_text().find(" 0 dropped,"), std::string::npos)
      << vww.stderr_text();  // source: none
  close(fd);
}

TEST(RunHttp, BrowserShowsTheLiveRun) {
  VWW_REQUIRE_TOOL(chromium, "chromium");
  Scratch dir;
  test::VwwChild vww({"run", "--source", PersonVideo(), "--realtime", "--loop", "--headless",
                      "--quiet", "--http", "127.0.0.1:0"});
  const int port = test::WaitForHttpPort(vww);
  ASSERT_GT(port, 0) << vww.stderr_text();
  // The person video wakes at 4.5 s: wait for it, so the page has an event.
  ASSERT_TRUE(
      test::WaitUntil([&] { return Status(port)["summary"]["wakes"].get<int>() >= 1; }, 30));
  const test::PageCapture page =
      test::CapturePage(chromium, dir, "http://127.0.0.1:" + std::to_string(port) + "/");
  vww.Signal(SIGINT);
  EXPECT_EQ(vww.WaitExitCode(30), 0) << vww.stderr_text();
  ASSERT_TRUE(page.ok) << page.log;

  EXPECT_EQ(page.body_attr("data-error"), "");
  const std::string label = page.body_attr("data-label");
  EXPECT_TRUE(label == "person" || label == "no person" || label == "uncertain") << label;
  EXPECT_TRUE(std::regex_search(page.dom, std::regex("id=\"label\"[^>]*>" + label + "<")));
  EXPECT_EQ(page.body_attr("data-stream"), "768x576");
  EXPECT_NE(page.dom.find("data-type=\"wake\" data-id=\"1\""), std::string::npos);
  EXPECT_NE(page.dom.find("vtest_person.avi"), std::string::npos);

  // The stream's box holds the video (varied pixels), not an empty frame.
  const cv::Rect stream = page.rect("stream") & cv::Rect({}, page.screenshot.size());
  ASSERT_GT(stream.area(), 10000);
  cv::Scalar mean, stddev;
  cv::meanStdDev(page.screenshot(stream), mean, stddev);
  EXPECT_GT(stddev[1], 20.0);
  const cv::Rect label_box = page.rect("label") & cv::Rect({}, page.screenshot.size());
  ASSERT_GT(label_box.area(), 100);
  EXPECT_GT(test::BrightPixels(page.screenshot(label_box)), 100);
}

// --- vww run --mqtt --------------------------------------------------------------

std::vector<std::string> Sequence(const MqttProbe& probe, const std::string& prefix) {
  std::vector<std::string> seq;
  for (const auto& m : probe.messages()) {
    if (m.topic.rfind(prefix + "/", 0) != 0) continue;
    const std::string leaf = m.topic.substr(prefix.size() + 1);
    if (leaf == "events")
      seq.push_back("events=" + json::parse(m.payload)["type"].get<std::string>());
    else if (leaf != "snapshot")
      seq.push_back(leaf + "=" + m.payload);
  }
  return seq;
}

// The person video's first 140 frames: one wake (frame 45) and one sleep
// (frame 127), as the console prints them.
TEST(RunMqtt, AvailableWakeSleepOfflineOnThePersonVideo) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  MqttProbe probe(broker.port(), {"vww/#"});
  ASSERT_TRUE(probe.Ready());
  test::VwwChild vww({"run", "--source", PersonVideo(), "--frames", "140", "--headless", "--quiet",
                      "--mqtt", broker.url(), "--name", "porch"});
  ASSERT_EQ(vww.WaitExitCode(60), 0) << vww.stderr_text();
  ASSERT_TRUE(probe.WaitFor("vww/porch/available", "offline", 10));
  const std::vector<std::string> want = {"available=online", "person=0", "person=1",
                                         "events=new",       "person=0", "events=end",
                                         "available=offline"};
  EXPECT_EQ(Sequence(probe, "vww/porch"), want);
  const auto events = probe.On("vww/porch/events");
  ASSERT_EQ(events.size(), 2u);
  const json start = json::parse(events[0].payload), end = json::parse(events[1].payload);
  EXPECT_EQ(start["frame"], 45);
  EXPECT_EQ(end["frame"], 127);
  EXPECT_EQ(start["id"], end["id"]);
  EXPECT_NEAR(start["score"].get<double>(), 0.60781, 1e-5);  // the smoothed score printed
  EXPECT_NEAR(end["score"].get<double>(), 0.35469, 1e-5);
  EXPECT_GE(end["top_score"].get<double>(), start["score"].get<double>());
  EXPECT_NEAR(start["stream_time"].get<double>(), 4.5, 1e-6);
  EXPECT_NE(vww.stdout_text().find("WAKE (frame 45"), std::string::npos);
  EXPECT_NE(vww.stderr_text().find("mqtt: connected to 127.0.0.1:" + std::to_string(broker.port())),
            std::string::npos)
      << vww.stderr_text();
}

TEST(RunMqtt, NoPersonVideoNeverWakes) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  MqttProbe probe(broker.port(), {"cams/#"});
  ASSERT_TRUE(probe.Ready());
  test::VwwChild vww({"run", "--source", NoPersonVideo(), "--headless", "--quiet", "--mqtt",
                      broker.url(), "--mqtt-prefix", "cams/city"});
  ASSERT_EQ(vww.WaitExitCode(60), 0) << vww.stderr_text();
  ASSERT_TRUE(probe.WaitFor("cams/city/available", "offline", 10));
  const std::vector<std::string> want = {"available=online", "person=0", "available=offline"};
  EXPECT_EQ(Sequence(probe, "cams/city"), want);
}

TEST(RunMqtt, LastWillAfterKill9) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  MqttProbe probe(broker.port(), {"vww/#"});
  ASSERT_TRUE(probe.Ready());
  test::VwwChild vww({"run", "--source", PersonVideo(), "--realtime", "--loop", "--headless",
                      "--quiet", "--mqtt", broker.url(), "--name", "attic"});
  ASSERT_TRUE(probe.WaitFor("vww/attic/available", "online", 20)) << vww.stderr_text();
  vww.Signal(SIGKILL);
  vww.WaitExitCode(10);
  ASSERT_TRUE(probe.WaitFor("vww/attic/available", "offline", 20));
  // The broker keeps it: a subscriber arriving now sees offline.
  MqttProbe late(broker.port(), {"vww/attic/available"});
  ASSERT_TRUE(late.WaitFor("vww/attic/available", "offline", 10));
  EXPECT_TRUE(late.On("vww/attic/available")[0].retained);
}

TEST(RunMqtt, DiscoveryAndSnapshot) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  MqttProbe probe(broker.port(), {"vww/#", "homeassistant/#"});
  ASSERT_TRUE(probe.Ready());
  test::VwwChild vww({"run", "--source", PersonVideo(), "--frames", "60", "--headless", "--quiet",
                      "--mqtt", broker.url(), "--name", "garden", "--mqtt-discovery",
                      "--mqtt-snapshot"});
  ASSERT_EQ(vww.WaitExitCode(60), 0) << vww.stderr_text();
  ASSERT_TRUE(probe.WaitFor("vww/garden/available", "offline", 10));
  const auto config = probe.On("homeassistant/binary_sensor/vww_garden/person/config");
  ASSERT_EQ(config.size(), 1u);
  {
    MqttProbe late(broker.port(), {"homeassistant/#"});  // Home Assistant starting later
    ASSERT_TRUE(late.WaitFor("homeassistant/binary_sensor/vww_garden/person/config", "", 10));
    EXPECT_TRUE(late.messages()[0].retained);
  }
  const json c = json::parse(config[0].payload);
  EXPECT_EQ(c["device_class"], "occupancy");
  EXPECT_EQ(c["state_topic"], "vww/garden/person");
  EXPECT_EQ(c["availability_topic"], "vww/garden/available");
  EXPECT_EQ(c["payload_on"], "1");
  EXPECT_EQ(c["payload_off"], "0");
  EXPECT_EQ(c["unique_id"], "vww_garden_person");
  EXPECT_EQ(c["device"]["name"], "VWW Live garden");
  EXPECT_EQ(c["device"]["model"], "person_detect.tflite");
  const auto snaps = probe.On("vww/garden/snapshot");
  ASSERT_EQ(snaps.size(), 1u);  // one wake in 60 frames
  const cv::Mat img = cv::imdecode(
      std::vector<uchar>(snaps[0].payload.begin(), snaps[0].payload.end()), cv::IMREAD_COLOR);
  EXPECT_EQ(img.size(), cv::Size(768, 576));
}

TEST(RunMqtt, ReconnectsAfterTheBrokerRestarts) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  test::VwwChild vww({"run", "--source", PersonVideo(), "--realtime", "--loop", "--headless",
                      "--quiet", "--mqtt", broker.url(), "--name", "door"});
  {
    MqttProbe probe(broker.port(), {"vww/door/available"});
    ASSERT_TRUE(probe.WaitFor("vww/door/available", "online", 20)) << vww.stderr_text();
  }
  broker.Stop();  // no persistence: the retained state is gone with it
  ASSERT_TRUE(test::WaitUntil(
      [&] { return vww.stderr_text().find("warning: mqtt: lost the broker") != std::string::npos; },
      20))
      << vww.stderr_text();
  ASSERT_TRUE(broker.Start());
  MqttProbe probe(broker.port(), {"vww/door/#"});
  ASSERT_TRUE(probe.WaitFor("vww/door/available", "online", 30)) << vww.stderr_text();
  ASSERT_TRUE(probe.WaitFor("vww/door/person", "", 5));
  EXPECT_NE(vww.stderr_text().find("mqtt: reconnected to 127.0.0.1"), std::string::npos)
      << vww.stderr_text();
  EXPECT_EQ(vww.stderr_text().find("summary:"), std::string::npos);  // still running
  vww.Signal(SIGINT);
  EXPECT_EQ(vww.WaitExitCode(30), 0) << vww.stderr_text();
  ASSERT_TRUE(probe.WaitFor("vww/door/available", "offline", 10));
}

TEST(RunMqtt, BrokerDownIsAWarningAndTheRunGoesOn) {
  Scratch dir;
  const int port = test::FreePort();
  test::VwwChild vww({"run", "--source", PersonVideo(), "--frames", "100", "--headless", "--quiet",
                      "--mqtt", "mqtt://127.0.0.1:" + std::to_string(port)});
  ASSERT_EQ(vww.WaitExitCode(60), 0) << vww.stderr_text();
  EXPECT_NE(vww.stderr_text().find("warning: mqtt: cannot reach the broker 127.0.0.1:" +
                                   std::to_string(port)),
            std::string::npos)
      << vww.stderr_text();
  EXPECT_EQ(SummaryFrames(vww.stderr_text()), 100);
  EXPECT_NE(vww.stdout_text().find("WAKE (frame 45"), std::string::npos);
}

}  // namespace
}  // namespace vww
