#include "pipeline/assets.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace vww {

namespace {

// The file whose presence marks a data folder as complete.
constexpr const char* kMarker = "person_detect.tflite";

bool Readable(const std::string& path) { return access(path.c_str(), R_OK) == 0; }

std::string ExecutableDir() {
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n <= 0) return "";
  const std::string path(exe, static_cast<size_t>(n));
  return path.substr(0, path.find_last_of('/'));
}

std::vector<std::string> Candidates() {
  std::vector<std::string> dirs;
  const std::string exe_dir = ExecutableDir();
  if (!exe_dir.empty()) dirs.push_back(exe_dir + "/../share/vww");
  const char* env = std::getenv("VWW_DATA_DIR");
  if (env && *env) dirs.push_back(env);
  dirs.push_back(VWW_ASSETS_DIR);
  std::string up = exe_dir;
  for (int i = 0; i < 3 && !up.empty(); ++i) {
    up = up.substr(0, up.find_last_of('/'));
    dirs.push_back(up + "/assets");
  }
  return dirs;
}

std::string Normalise(const std::string& dir) {
  char* real = realpath(dir.c_str(), nullptr);
  if (!real) return dir;
  std::string out(real);
  std::free(real);
  return out;
}

std::string FindDataDir() {
  const std::vector<std::string> dirs = Candidates();
  for (const std::string& d : dirs)
    if (Readable(d + "/" + kMarker)) return Normalise(d);
  for (const std::string& d : dirs)
    if (Readable(d)) return Normalise(d);
  return VWW_ASSETS_DIR;
}

}  // namespace

std::string DataDir() {
  static const std::string dir = FindDataDir();
  return dir;
}

std::string DataFile(const std::string& name) { return DataDir() + "/" + name; }

}  // namespace vww
