// ui/mqtt against a real mosquitto broker and a real subscriber: the topics
// and payloads, retained state, discovery, and a broker that is down or
// restarts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "model/error.h"
#include "tests/live_util.h"
#include "ui/mqtt/mqtt_publisher.h"

namespace vww {
namespace {

using json = nlohmann::json;
using test::Broker;
using test::MqttProbe;
using test::Scratch;

LiveUpdate Frame(int64_t index, double score, bool awake, LiveEvent event = LiveEvent::kNone) {
  LiveUpdate u;
  u.frame = index;
  u.t_ms = index * 100.0;
  u.label = score >= 0.6 ? "person" : "no person";
  u.confidence = std::max(score, 1 - score);
  u.scores = {static_cast<float>(1 - score), static_cast<float>(score)};
  u.person_score = u.smoothed = score;
  u.awake = awake;
  u.event = event;
  u.event_score = score;
  return u;
}

TEST(MqttUrl, ParsesHostPortAndCredentials) {
  MqttUrl u = ParseMqttUrl("mqtt://broker.local");
  EXPECT_EQ(u.host, "broker.local");
  EXPECT_EQ(u.port, 1883);
  EXPECT_FALSE(u.has_user);
  u = ParseMqttUrl("mqtt://ha:p%40ss@10.0.0.2:1884");
  EXPECT_EQ(u.host, "10.0.0.2");
  EXPECT_EQ(u.port, 1884);
  EXPECT_EQ(u.user, "ha");
  EXPECT_EQ(u.password, "p@ss");
  u = ParseMqttUrl("mqtt://[::1]:1999/");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 1999);
  for (const char* bad : {"", "broker", "http://x", "mqtt://", "mqtt://h:", "mqtt://h:70000",
                          "mqtt://h:12a", "mqtt://@h", "mqtt://[::1", "mqtts://h"})
    EXPECT_THROW(ParseMqttUrl(bad), Error) << bad;
}

TEST(MqttPublisher, RejectsBadNamesAndPrefixes) {
  MqttOptions o;
  o.url = "mqtt://127.0.0.1:1";
  o.name = "a/b";
  EXPECT_THROW(MqttPublisher(o, nullptr), Error);
  o.name = "door";
  o.prefix = "vww/#";
  EXPECT_THROW(MqttPublisher(o, nullptr), Error);
  o.prefix = "/vww";
  EXPECT_THROW(MqttPublisher(o, nullptr), Error);
}

// online -> person 1 + "new" -> person 0 + "end" -> offline, in that order,
// with Frigate's event fields.
TEST(MqttPublisher, WakeSleepSequenceOnARealBroker) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  ASSERT_TRUE(broker.running());
  MqttProbe probe(broker.port(), {"vww/door/#"});
  ASSERT_TRUE(probe.Ready());

  MqttOptions o;
  o.url = broker.url();
  o.name = "door";
  std::vector<std::string> log;
  std::mutex log_mu;
  MqttPublisher mqtt(o, [&](const std::string& l) {
    std::lock_guard<std::mutex> lock(log_mu);
    log.push_back(l);
  });
  EXPECT_EQ(mqtt.prefix(), "vww/door");
  ASSERT_TRUE(probe.WaitFor("vww/door/available", "online"));
  ASSERT_TRUE(test::WaitUntil([&] { return mqtt.connected(); }, 5));

  mqtt.Publish(Frame(10, 0.3, false));
  mqtt.Publish(Frame(11, 0.7, true, LiveEvent::kWake));
  mqtt.Publish(Frame(12, 0.9, true));  // the top score
  mqtt.Publish(Frame(13, 0.2, false, LiveEvent::kSleep));
  ASSERT_TRUE(probe.WaitFor("vww/door/person", "0"));
  mqtt.Stop();
  ASSERT_TRUE(probe.WaitFor("vww/door/available", "offline"));

  std::vector<std::string> seq;
  for (const auto& m : probe.messages())
    seq.push_back(m.topic.substr(9) + "=" +
                  (m.topic == "vww/door/events" ? json::parse(m.payload)["type"].get<std::string>()
                                                : m.payload));
  const std::vector<std::string> want = {"available=online", "person=0", "person=1",
                                         "events=new",       "person=0", "events=end",
                                         "available=offline"};
  EXPECT_EQ(seq, want);

  const auto events = probe.On("vww/door/events");
  ASSERT_EQ(events.size(), 2u);
  const json start = json::parse(events[0].payload), end = json::parse(events[1].payload);
  EXPECT_FALSE(events[0].retained);
  EXPECT_EQ(start["label"], "person");
  EXPECT_EQ(start["camera"], "door");
  EXPECT_EQ(start["frame"], 11);
  EXPECT_DOUBLE_EQ(start["score"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(start["top_score"].get<double>(), 0.7);
  EXPECT_TRUE(start["end_time"].is_null());
  EXPECT_GT(start["start_time"].get<double>(), 1.6e9);  // Unix time, as Frigate
  EXPECT_EQ(end["id"], start["id"]);
  EXPECT_EQ(end["frame"], 13);
  EXPECT_DOUBLE_EQ(end["score"].get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(end["top_score"].get<double>(), 0.9);
  EXPECT_EQ(end["start_time"], start["start_time"]);
  EXPECT_GE(end["end_time"].get<double>(), start["start_time"].get<double>());
  EXPECT_EQ(mqtt.dropped(), 0);

  // What a subscriber arriving now sees: the retained state of a clean stop.
  MqttProbe late(broker.port(), {"vww/door/#"});
  ASSERT_TRUE(late.WaitFor("vww/door/available", "offline", 5));
  ASSERT_TRUE(late.WaitFor("vww/door/person", "0", 5));
  for (const auto& m : late.messages()) {
    EXPECT_TRUE(m.retained) << m.topic;
    EXPECT_NE(m.topic, "vww/door/events");
  }
}

TEST(MqttPublisher, StopWhileAwakeEndsTheEvent) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  MqttProbe probe(broker.port(), {"cams/hall/#"});
  ASSERT_TRUE(probe.Ready());
  MqttOptions o;
  o.url = broker.url();
  o.name = "hall";
  o.prefix = "cams/hall";
  MqttPublisher mqtt(o, nullptr);
  ASSERT_TRUE(probe.WaitFor("cams/hall/available", "online"));
  mqtt.Publish(Frame(5, 0.8, true, LiveEvent::kWake));
  ASSERT_TRUE(probe.WaitFor("cams/hall/person", "1"));
  mqtt.Stop();
  ASSERT_TRUE(probe.WaitFor("cams/hall/available", "offline"));
  const auto events = probe.On("cams/hall/events");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(json::parse(events[1].payload)["type"], "end");
  EXPECT_EQ(json::parse(events[1].payload)["reason"], "stopped");
  EXPECT_EQ(probe.On("cams/hall/person").back().payload, "0");
}

TEST(MqttPublisher, HomeAssistantDiscoveryAndItsResend) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  MqttProbe probe(broker.port(), {"homeassistant/#", "vww/porch/#"});
  ASSERT_TRUE(probe.Ready());
  MqttOptions o;
  o.url = broker.url();
  o.name = "porch";
  o.discovery = true;
  o.model = "person_detect";
  o.version = "9.9";
  MqttPublisher mqtt(o, nullptr);
  const std::string topic = "homeassistant/binary_sensor/vww_porch/person/config";
  ASSERT_TRUE(probe.WaitFor(topic, ""));
  const auto configs = probe.On(topic);
  ASSERT_EQ(configs.size(), 1u);
  const json c = json::parse(configs[0].payload);
  EXPECT_EQ(c["device_class"], "occupancy");
  EXPECT_EQ(c["state_topic"], "vww/porch/person");
  EXPECT_EQ(c["payload_on"], "1");
  EXPECT_EQ(c["payload_off"], "0");
  EXPECT_EQ(c["availability_topic"], "vww/porch/available");
  EXPECT_EQ(c["payload_available"], "online");
  EXPECT_EQ(c["payload_not_available"], "offline");
  EXPECT_EQ(c["unique_id"], "vww_porch_person");
  EXPECT_EQ(c["device"]["identifiers"], json::array({"vww_porch"}));
  EXPECT_EQ(c["device"]["model"], "person_detect");
  EXPECT_EQ(c["device"]["sw_version"], "9.9");

  // The config is retained: a Home Assistant that starts later finds it.
  MqttProbe late(broker.port(), {topic});
  ASSERT_TRUE(late.WaitFor(topic, "", 5));
  EXPECT_TRUE(late.On(topic)[0].retained);

  // Home Assistant announces a restart: the config is sent again.
  probe.Publish("homeassistant/status", "online");
  ASSERT_TRUE(probe.WaitFor([&](const auto&) { return probe.On(topic).size() >= 2; }, 10));
  EXPECT_EQ(json::parse(probe.On(topic)[1].payload), c);
  // Anything else on the status topic is not a reason to resend.
  probe.Publish("homeassistant/status", "offline");
  probe.Publish("vww/porch/ping", "x");
  ASSERT_TRUE(probe.WaitFor("vww/porch/ping", "x"));
  EXPECT_EQ(probe.On(topic).size(), 2u);
}

TEST(MqttPublisher, SnapshotOfTheWakeFrame) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  Broker broker(mosquitto, dir);
  MqttProbe probe(broker.port(), {"vww/cam/#"});
  ASSERT_TRUE(probe.Ready());
  MqttOptions o;
  o.url = broker.url();
  o.name = "cam";
  o.snapshot = true;
  MqttPublisher mqtt(o, nullptr);
  ASSERT_TRUE(probe.WaitFor("vww/cam/available", "online"));
  mqtt.Publish(Frame(1, 0.2, false));
  EXPECT_FALSE(mqtt.WantsSnapshot());
  mqtt.Publish(Frame(2, 0.9, true, LiveEvent::kWake));
  EXPECT_TRUE(mqtt.WantsSnapshot());
  cv::Mat frame(120, 160, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::rectangle(frame, {40, 30, 20, 20}, cv::Scalar(255, 255, 255), cv::FILLED);
  mqtt.PublishSnapshot(frame);
  EXPECT_FALSE(mqtt.WantsSnapshot());
  ASSERT_TRUE(probe.WaitFor("vww/cam/snapshot", ""));
  const std::string jpeg = probe.On("vww/cam/snapshot")[0].payload;
  const cv::Mat decoded =
      cv::imdecode(std::vector<uchar>(jpeg.begin(), jpeg.end()), cv::IMREAD_COLOR);
  ASSERT_FALSE(decoded.empty());
  EXPECT_EQ(decoded.size(), frame.size());
  EXPECT_GT(decoded.at<cv::Vec3b>(40, 50)[0], 200);  // the white square
  EXPECT_LT(decoded.at<cv::Vec3b>(100, 10)[0], 60);
}

// A broker that is not there at start: a warning, events counted as dropped
// without waiting, and once the broker comes up the retained state (awake)
// arrives on its own.
TEST(MqttPublisher, BrokerDownAtStartThenUpGetsTheCurrentState) {
  VWW_REQUIRE_TOOL(mosquitto, "mosquitto");
  Scratch dir;
  const int port = test::FreePort();
  MqttOptions o;
  o.url = "mqtt://127.0.0.1:" + std::to_string(port);
  o.name = "shed";
  std::vector<std::string> log;
  std::mutex log_mu;
  MqttPublisher mqtt(o, [&](const std::string& l) {
    std::lock_guard<std::mutex> lock(log_mu);
    log.push_back(l);
  });
  EXPECT_FALSE(mqtt.connected());
  for (int i = 0; i < 1000; ++i) mqtt.Publish(Frame(i, 0.3, false));  // no broker: no waiting
  mqtt.Publish(Frame(1000, 0.9, true, LiveEvent::kWake));
  EXPECT_EQ(mqtt.dropped(), 1);
  ASSERT_TRUE(test::WaitUntil(
      [&] {
        std::lock_guard<std::mutex> lock(log_mu);
        return !log.empty();
      },
      10));
  {
    std::lock_guard<std::mutex> lock(log_mu);
    ASSERT_FALSE(log.empty());
    EXPECT_NE(
        log[0].find("warning: mqtt: cannot reach the broker 127.0.0.1:" + std::to_string(port)),
        std::string::npos)
        << log[0];
  }

  Broker broker(mosquitto, dir, port);
  ASSERT_TRUE(broker.running());
  MqttProbe probe(port, {"vww/shed/#"});
  ASSERT_TRUE(probe.WaitFor("vww/shed/available", "online", 20));
  ASSERT_TRUE(probe.WaitFor("vww/shed/person", "1", 5));
  EXPECT_TRUE(mqtt.connected());

  // The broker restarts (losing its retained messages): the publisher
  // reconnects and publishes its state again.
  broker.Stop();
  ASSERT_TRUE(test::WaitUntil([&] { return !mqtt.connected(); }, 10));
  ASSERT_TRUE(broker.Start());
  MqttProbe after(port, {"vww/shed/#"});
  ASSERT_TRUE(after.WaitFor("vww/shed/available", "online", 20));
  ASSERT_TRUE(after.WaitFor("vww/shed/person", "1", 5));
  std::lock_guard<std::mutex> lock(log_mu);
  bool lost = false, reconnected = false;
  for (const auto& l : log) {
    lost |= l.find("warning: mqtt: lost the broker") != std::string::npos;
    reconnected |= l.find("mqtt: reconnected to 127.0.0.1") != std::string::npos;
  }
  EXPECT_TRUE(lost);
  EXPECT_TRUE(reconnected);
}

}  // namespace
}  // namespace vww
