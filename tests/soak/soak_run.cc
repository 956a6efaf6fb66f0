// Soak test (CTest label `soak`, not in the default run): `vww run` headless
// on the looping sample video, paced like a camera, for VWW_SOAK_SECONDS
// (default 600). Samples the process's resident memory and open file
// descriptors every second and checks, after a warm-up:
//   - resident memory grows by at most VWW_SOAK_RSS_MB (default 5) MB,
//   - the number of open file descriptors never grows,
//   - no stall: consecutive logged frames are at most 1 s of stream time
//     apart (a paced source drops what a stuck consumer misses, so a stall
//     shows up as a gap),
//   - dropped-frame accounting adds up: processed + dropped == frames read
//     (the last frame's index + 1), and the summary agrees with the log.
// Prints the figures. Usage: vww_soak VWW_BINARY VIDEO
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

long RssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

int FdCount(pid_t pid) {
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (!dir) return -1;
  int n = 0;
  while (dirent* e = readdir(dir))
    if (e->d_name[0] != '.') ++n;
  closedir(dir);
  return n;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int failures = 0;
void Check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: vww_soak VWW_BINARY VIDEO\n");
    return 2;
  }
  const char* env_seconds = std::getenv("VWW_SOAK_SECONDS");
  const char* env_rss = std::getenv("VWW_SOAK_RSS_MB");
  const int seconds = env_seconds ? std::atoi(env_seconds) : 600;
  const double rss_bound_mb = env_rss ? std::atof(env_rss) : 5.0;
  if (seconds < 20) {
    std::fprintf(stderr, "VWW_SOAK_SECONDS must be at least 20\n");
    return 2;
  }
  // Warm-up: caches, the decoder's buffers and the first loop of the file.
  const int warmup = std::min(30, seconds / 4);

  char dir_template[] = "/tmp/vww_soak_XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string log = std::string(dir) + "/log.csv", err = std::string(dir) + "/stderr.txt";
  const std::string duration = std::to_string(seconds);

  const pid_t pid = fork();
  if (pid == 0) {
    if (!freopen("/dev/null", "w", stdout) || !freopen(err.c_str(), "w", stderr)) _exit(127);
    execl(argv[1], argv[1], "run", "--headless", "--quiet", "--loop", "--realtime", "--source",
          argv[2], "--duration", duration.c_str(), "--log", log.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }

  struct Sample {
    int t;
    long rss_kb;
    int fds;
  };
  std::vector<Sample> samples;
  int status = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 1;; ++t) {  // from 1 s: at 0 the child may not have exec'd yet
    std::this_thread::sleep_until(start + std::chrono::seconds(t));
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    const long rss = RssKb(pid);
    const int fds = FdCount(pid);
    if (rss > 0 && fds > 0) samples.push_back({t, rss, fds});
    if (t > seconds * 2 + 60) {  // bound: the run must end by itself
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      Check(false, "vww run ended on its own (killed after " + std::to_string(t) + " s)");
      break;
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string stderr_text = ReadText(err);
  Check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "vww run exited with 0 (status " + std::to_string(status) + ")");

  // Memory and descriptors after the warm-up.
  long rss_base = -1, rss_max = 0, rss_end = 0;
  int fd_base = -1, fd_max = 0, fd_min = 1 << 30, fd_end = 0;
  for (const Sample& s : samples) {
    if (s.t < warmup) continue;
    if (rss_base < 0) rss_base = s.rss_kb, fd_base = s.fds;
    rss_max = std::max(rss_max, s.rss_kb);
    fd_max = std::max(fd_max, s.fds);
    fd_min = std::min(fd_min, s.fds);
    rss_end = s.rss_kb;
    fd_end = s.fds;
  }
  const long rss_first = samples.empty() ? 0 : samples.front().rss_kb;
  std::printf(
      "soak: %d s requested, %.1f s wall, %zu samples, warm-up %d s\n"
      "soak: RSS first %.1f MB, after warm-up %.1f MB, max %.1f MB, end %.1f MB\n"
      "soak: fds after warm-up %d, min %d, max %d, end %d\n",
      seconds, wall, samples.size(), warmup, rss_first / 1024.0, rss_base / 1024.0,
      rss_max / 1024.0, rss_end / 1024.0, fd_base, fd_min, fd_max, fd_end);
  Check(rss_base > 0, "sampled /proc after the warm-up");
  Check((rss_max - rss_base) / 1024.0 <= rss_bound_mb,
        "RSS growth after warm-up " + std::to_string((rss_max - rss_base) / 1024.0) +
            " MB <= " + std::to_string(rss_bound_mb) + " MB");
  Check(fd_max <= fd_base, "no file descriptor growth (" + std::to_string(fd_base) + " -> max " +
                               std::to_string(fd_max) + ")");

  // The log: frame index (column 0), stream time (1), dropped (last column).
  std::ifstream in(log);
  std::string line;
  std::getline(in, line);  // header
  long rows = 0, last_index = -1, last_dropped = 0;
  double last_t = -1, max_gap = 0;
  bool ordered = true;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const long index = std::strtol(line.c_str(), nullptr, 10);
    const double t = std::strtod(line.c_str() + line.find(',') + 1, nullptr);
    const long dropped = std::strtol(line.c_str() + line.rfind(',') + 1, nullptr, 10);
    if (index <= last_index || dropped < last_dropped) ordered = false;
    if (last_t >= 0) max_gap = std::max(max_gap, t - last_t);
    ++rows, last_index = index, last_dropped = dropped, last_t = t;
  }
  std::printf("soak: %ld frames processed, %ld dropped, %ld read; largest gap %.0f ms\n", rows,
              last_dropped, last_index + 1, max_gap);
  Check(rows > seconds, "frames were processed (" + std::to_string(rows) + ")");
  Check(ordered, "frame indices increase and the dropped count never decreases");
  Check(rows + last_dropped == last_index + 1,
        "processed + dropped == frames read (" + std::to_string(rows) + " + " +
            std::to_string(last_dropped) + " == " + std::to_string(last_index + 1) + ")");
  Check(max_gap <= 1000.0,
        "no stall: largest gap between frames " + std::to_string(max_gap) + " ms <= 1000 ms");
  long summary_frames = -1, summary_dropped = -1;
  const size_t at = stderr_text.find("summary: ");
  if (at != std::string::npos)
    std::sscanf(stderr_text.c_str() + at, "summary: %ld frames in %*f s (%*f fps), %ld dropped",
                &summary_frames, &summary_dropped);
  Check(summary_frames == rows && summary_dropped == last_dropped,
        "summary agrees with the log (" + std::to_string(summary_frames) + " frames, " +
            std::to_string(summary_dropped) + " dropped)");
  if (failures) std::printf("vww stderr:\n%s", stderr_text.c_str());

  std::remove(log.c_str());
  std::remove(err.c_str());
  rmdir(dir);
  return failures ? 1 : 0;
}
