#include "pipeline/boards.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>

#include "model/error.h"
#include "pipeline/assets.h"

namespace vww {

namespace {

// One CSV record starting at text[*pos]; advances *pos past its line end and
// counts the lines it spans (quoted fields may hold newlines).
std::vector<std::string> ReadRecord(const std::string& text, size_t* pos, int* line,
                                    const std::string& origin) {
  std::vector<std::string> fields(1);
  const int first_line = *line;
  bool quoted = false;
  size_t i = *pos;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++*line;
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      break;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  if (quoted)
    throw Error(origin + ":" + std::to_string(first_line) + ": unterminated quoted field");
  *pos = i + 1;
  ++*line;
  return fields;
}

std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  const size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

double PositiveNumber(const std::string& value, const std::string& column,
                      const std::string& where) {
  const std::string v = Trim(value);
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != 0 || errno != 0 || !std::isfinite(x) || x <= 0)
    throw Error(where + ": " + column + " \"" + v + "\" is not a positive number");
  return x;
}

}  // namespace

std::string Board::basis_kind() const {
  const std::string b = Trim(basis);
  return b.substr(0, b.find_first_of(" ("));
}

double Board::EstimateMs(int64_t macs) const {
  // cycles = cycles_per_mac * macs; clock_mhz * 1000 cycles per millisecond.
  return cycles_per_mac * static_cast<double>(macs) / (clock_mhz * 1000.0);
}

std::vector<Board> ParseBoards(const std::string& text, const std::string& origin) {
  static const char* const kColumns[] = {"id",        "board",         "core",
                                         "clock_mhz", "stack",         "cycles_per_mac",
                                         "basis",     "ms_7158k_macs", "source"};
  size_t pos = 0;
  int line = 1;
  // Skip blank lines before the header.
  while (pos < text.size() && (text[pos] == '\n' || text[pos] == '\r')) {
    if (text[pos] == '\n') ++line;
    ++pos;
  }
  if (pos >= text.size()) throw Error(origin + ": empty file, expected a header row");
  const int header_line = line;
  const std::vector<std::string> header = ReadRecord(text, &pos, &line, origin);
  std::map<std::string, int> column;
  for (size_t i = 0; i < header.size(); ++i) column[Trim(header[i])] = static_cast<int>(i);
  int index[9];
  for (int c = 0; c < 9; ++c) {
    const auto it = column.find(kColumns[c]);
    if (it == column.end())
      throw Error(origin + ":" + std::to_string(header_line) + ": header has no \"" + kColumns[c] +
                  "\" column");
    index[c] = it->second;
  }

  std::vector<Board> boards;
  while (pos < text.size()) {
    const int record_line = line;
    const std::vector<std::string> f = ReadRecord(text, &pos, &line, origin);
    if (f.size() == 1 && Trim(f[0]).empty()) continue;  // blank line
    const std::string where = origin + ":" + std::to_string(record_line);
    if (f.size() != header.size())
      throw Error(where + ": " + std::to_string(f.size()) + " fields, the header has " +
                  std::to_string(header.size()));
    Board b;
    b.id = Trim(f[index[0]]);
    b.board = Trim(f[index[1]]);
    b.core = Trim(f[index[2]]);
    b.clock_mhz = PositiveNumber(f[index[3]], "clock_mhz", where);
    b.stack = Trim(f[index[4]]);
    b.cycles_per_mac = PositiveNumber(f[index[5]], "cycles_per_mac", where);
    b.basis = Trim(f[index[6]]);
    b.reference_ms = PositiveNumber(f[index[7]], "ms_7158k_macs", where);
    b.source = Trim(f[index[8]]);
    if (b.id.empty()) throw Error(where + ": empty id");
    if (b.id.find_first_of(" \t") != std::string::npos)
      throw Error(where + ": id \"" + b.id + "\" contains a space");
    const std::string kind = b.basis_kind();
    if (kind != "measured" && kind != "scaled" && kind != "derived")
      throw Error(where + ": basis \"" + b.basis +
                  "\" does not start with measured, scaled or derived");
    if (b.source.empty()) throw Error(where + ": empty source (every number needs one)");
    for (const Board& other : boards)
      if (other.id == b.id) throw Error(where + ": duplicate id \"" + b.id + "\"");
    boards.push_back(std::move(b));
  }
  if (boards.empty()) throw Error(origin + ": no boards after the header");
  return boards;
}

std::vector<Board> LoadBoards(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot read boards file");
  const std::string text(std::istreambuf_iterator<char>(in), {});
  return ParseBoards(text, path);
}

std::string DefaultBoardsPath() { return DataFile("boards.csv"); }

const Board& FindBoard(const std::vector<Board>& boards, const std::string& id) {
  for (const Board& b : boards)
    if (b.id == id) return b;
  throw Error("unknown board \"" + id + "\" (`vww boards` lists the ids)");
}

bool BoardPace::Admit(double t_ms) {
  ++frames_;
  if (has_last_ && t_ms >= last_ms_ && t_ms - last_ms_ < latency_ms_) return false;
  has_last_ = true;
  last_ms_ = t_ms;
  ++classified_;
  return true;
}

}  // namespace vww
