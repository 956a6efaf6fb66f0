// What a newcomer meets outside the tests' usual paths: where vww finds its
// shipped files, third-party noise on stderr, and progress on long evals.
// (tests/install/installed_vww_test.sh runs an installed and a packaged vww.)
#include <fcntl.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "pipeline/capture/image_file.h"
#include "run_vww.h"
#include "test_util.h"

namespace vww {
namespace {

namespace fs = std::filesystem;
using test::RunVww;

std::string NoisyPng() { return test::DataDir() + "/png/iccp_bad_intent.png"; }

// TFLite Micro's int8 person score for each sample image (reference CSV).
std::map<std::string, int> ReferencePersonQ() {
  std::ifstream in(test::DataDir() + "/reference/images.crop.csv");
  std::map<std::string, int> q;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream s(line);
    for (std::string x; std::getline(s, x, ',');) f.push_back(x);
    q[f[1]] = std::stoi(f[3]);
  }
  return q;
}

// What a function writes on this process's stderr (fd 2) while it runs.
template <typename F>
std::string CaptureStderr(F f) {
  std::fflush(stderr);
  const std::string path =
      (fs::temp_directory_path() / ("vww_stderr_" + std::to_string(getpid()) + ".txt")).string();
  const int saved = dup(2);
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  dup2(fd, 2);
  close(fd);
  f();
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  const std::string text = test::ReadText(path);
  fs::remove(path);
  return text;
}

// ---------------------------------------------------------------- data dir

TEST(DataDir, BuildTreeUsesTheSourceAssets) {
  const test::VwwResult r = RunVww("--version");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("vww " + std::string(VWW_PROJECT_VERSION) + "\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nfast kernels: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\ndata: " + fs::canonical(test::AssetsDir()).string() + "\n"),
            std::string::npos)
      << r.out;
}

// VWW_DATA_DIR wins over the compiled-in assets/ (only <exe>/../share/vww,
// absent in a build tree, comes first): the model, its labels and the sample
// video all come from there.
TEST(DataDir, VwwDataDirIsWhereTheDefaultModelLabelsAndVideoComeFrom) {
  test::Scratch dir;
  const std::string data = dir("data");
  fs::create_directories(data);
  fs::copy_file(test::ModelPath(), data + "/person_detect.tflite");
  std::ofstream(data + "/person_detect.labels.txt") << "nobody here\nsomebody\n";
  fs::copy_file(test::AssetsDir() + "/vtest_person.avi", data + "/vtest_person.avi");
  test::VwwOptions env;
  env.env = {"VWW_DATA_DIR=" + data};

  const test::VwwResult v = RunVww(test::Words("--version"), env);
  EXPECT_NE(v.out.find("\ndata: " + fs::canonical(data).string() + "\n"), std::string::npos)
      << v.out;

  const test::VwwResult c =
      RunVww(test::Words("classify " + test::ImagesDir() + "/person/camera.png"), env);
  ASSERT_EQ(c.code, 0) << c.err;
  const int q = ReferencePersonQ().at("person/camera.png");
  char want[64];
  std::snprintf(want, sizeof want, "  somebody: %.5f\n", (q + 128) / 256.0);
  EXPECT_NE(c.out.find(want), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("  nobody here: "), std::string::npos) << c.out;

  if (fs::exists("/dev/video0")) GTEST_SKIP() << "a camera exists: run would not use the sample";
  const test::VwwResult run = RunVww(test::Words("run --headless --quiet --frames 3"), env);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.err.find("playing the sample video " + fs::canonical(data).string() +
                         "/vtest_person.avi"),
            std::string::npos)
      << run.err;
}

// ------------------------------------------------------------ quiet images

// The test image really makes libpng talk, and ReadImageFile gives the very
// pixels cv::imread does without a word.
TEST(QuietImages, IccpWarningsAreNotPassedOnAndPixelsAreUnchanged) {
  cv::Mat loud, quiet;
  const std::string noise = CaptureStderr([&] { loud = cv::imread(NoisyPng(), cv::IMREAD_COLOR); });
  EXPECT_NE(noise.find("iCCP"), std::string::npos)
      << "the test image no longer makes libpng warn: " << noise;
  EXPECT_EQ(CaptureStderr([&] { quiet = ReadImageFile(NoisyPng(), cv::IMREAD_COLOR); }), "");
  ASSERT_FALSE(loud.empty());
  ASSERT_EQ(quiet.size(), loud.size());
  ASSERT_EQ(quiet.type(), loud.type());
  EXPECT_EQ(cv::norm(quiet, loud, cv::NORM_INF), 0);
  // Hand-checked pixel (make_iccp_bad_intent.py): x=10, y=20 is
  // R=(10+20)*2, G=10*3, B=20*5 -> BGR (100, 30, 60).
  EXPECT_EQ(quiet.at<cv::Vec3b>(20, 10), cv::Vec3b(100, 30, 60));
}

// astronaut.png and chelsea.png carry iCCP profiles of their own (libpng:
// "known incorrect sRGB profile"); gray decodes, where the profile changes
// libpng's arithmetic, are passed to cv::imread as they are.
TEST(QuietImages, EveryPngOfTheSamplesDecodesAsImreadDoes) {
  for (const char* cls : {"person", "no_person"})
    for (const auto& e : fs::directory_iterator(test::ImagesDir() + "/" + cls)) {
      const std::string path = e.path().string();
      for (int flags : {cv::IMREAD_COLOR, cv::IMREAD_ANYCOLOR, cv::IMREAD_UNCHANGED}) {
        const cv::Mat a = cv::imread(path, flags), b = ReadImageFile(path, flags);
        ASSERT_EQ(a.size(), b.size()) << path;
        ASSERT_EQ(a.type(), b.type()) << path;
        EXPECT_EQ(cv::norm(a, b, cv::NORM_INF), 0) << path << " flags " << flags;
      }
    }
}

TEST(QuietImages, CorruptPngsGiveAnEmptyImageNotACrash) {
  test::Scratch dir;
  const std::vector<uint8_t> png = test::ReadFile(NoisyPng());
  for (size_t keep : {size_t{8}, size_t{20}, size_t{33}, size_t{200}, png.size() - 5}) {
    const std::string path = dir("cut.png");
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(png.data()), keep);
    EXPECT_TRUE(ReadImageFile(path, cv::IMREAD_COLOR).empty()) << keep;
  }
  EXPECT_TRUE(ReadImageFile(dir("missing.png"), cv::IMREAD_COLOR).empty());
}

TEST(QuietImages, ClassifyAndEvalSayNothingAboutIccp) {
  test::Scratch dir;
  fs::create_directories(dir("set/person"));
  fs::create_directories(dir("set/no_person"));
  fs::copy_file(NoisyPng(), dir("set/no_person/noisy.png"));
  fs::copy_file(test::ImagesDir() + "/person/camera.png", dir("set/person/camera.png"));
  const test::VwwResult c = RunVww("classify " + NoisyPng());
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(c.err, "");
  const test::VwwResult e = RunVww("eval " + dir("set"));
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(e.err, "");  // not a terminal: no progress either
  EXPECT_NE(e.out.find("images: 2"), std::string::npos) << e.out;
  // astronaut.png has a real-world profile libpng calls "known incorrect".
  fs::copy_file(test::ImagesDir() + "/person/astronaut.png", dir("set/person/astronaut.png"));
  const test::VwwResult e2 = RunVww("eval " + dir("set"));
  ASSERT_EQ(e2.code, 0) << e2.err;
  EXPECT_EQ(e2.err, "");
  const test::VwwResult run = RunVww("run --headless --quiet --source " + dir("set/no_person"));
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err.find("libpng"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("iCCP"), std::string::npos) << run.err;
}

// ------------------------------------------------------------ eval progress

// A labelled folder of `copies` copies of each sample image, named so that
// the sorted order interleaves the sources; returns the source of each file
// in eval's order (classes sorted, then files).
std::vector<std::string> MakeBigSet(const std::string& root, int copies) {
  std::vector<std::pair<std::string, std::string>> files;  // (destination, source key)
  for (const char* cls : {"no_person", "person"}) {
    fs::create_directories(root + "/" + cls);
    std::vector<std::string> sources;
    for (const auto& e : fs::directory_iterator(test::ImagesDir() + "/" + cls))
      sources.push_back(e.path().filename().string());
    std::sort(sources.begin(), sources.end());
    for (int k = 0; k < copies; ++k)
      for (const std::string& s : sources) {
        char name[256];
        std::snprintf(name, sizeof name, "%s/%s/%04d_%s", root.c_str(), cls, k, s.c_str());
        fs::copy_file(test::ImagesDir() + "/" + cls + "/" + s, name);
        files.push_back({name, std::string(cls) + "/" + s});
      }
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> order;
  for (const auto& f : files) order.push_back(f.second);
  return order;
}

// Decoding runs on its own thread: every score still belongs to its own
// image, in order, and equals TFLite Micro's.
TEST(EvalProgress, ManyImagesScoreInOrderAndMatchTheReference) {
  test::Scratch dir;
  const std::vector<std::string> order = MakeBigSet(dir("set"), 12);  // 108 images
  const test::VwwResult r = RunVww("eval " + dir("set") + " --report " + dir("rep"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // stderr is a file: no progress line
  std::ifstream csv(dir("rep") + "/scores.csv");
  std::string line;
  std::getline(csv, line);
  ASSERT_EQ(line, "file,true_label,predicted,p_no person,p_person");
  const std::map<std::string, int> reference = ReferencePersonQ();
  size_t row = 0;
  while (std::getline(csv, line)) {
    ASSERT_LT(row, order.size());
    const std::string file = line.substr(0, line.find(','));
    EXPECT_NE(file.find(order[row].substr(order[row].find('/') + 1)), std::string::npos)
        << row << ": " << file << " vs " << order[row];
    const double p = std::stod(line.substr(line.rfind(',') + 1));
    EXPECT_EQ(p, (reference.at(order[row]) + 128) / 256.0) << line;
    ++row;
  }
  EXPECT_EQ(row, order.size());
}

// On a terminal: a progress line with done/total, images per second and the
// time left, redrawn with \r, ending at total/total.
TEST(EvalProgress, ATerminalGetsAProgressLine) {
  test::Scratch dir;
  const std::vector<std::string> order = MakeBigSet(dir("set"), 12);
  int master = -1, slave = -1;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  const std::string out_path = dir("stdout.txt");
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(slave, 2);
    close(master);
    const std::string where = dir("set");
    execl(VWW_BINARY, VWW_BINARY, "eval", where.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(slave);
  std::string tty;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    tty.append(buf, static_cast<size_t>(n));
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << tty;
  const std::string total = std::to_string(order.size());
  EXPECT_NE(tty.find("\r" + total + "/" + total + " images, "), std::string::npos) << tty;
  EXPECT_NE(tty.find(" images/s, "), std::string::npos) << tty;
  EXPECT_NE(tty.find(" left"), std::string::npos) << tty;
  EXPECT_NE(test::ReadText(out_path).find("images: " + total + "\n"), std::string::npos);
}

}  // namespace
}  // namespace vww
