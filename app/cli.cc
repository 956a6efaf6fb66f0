#include "app/cli.h"

#include <cstdio>
#include <cstdlib>

namespace vww::cli {

ArgParser::ArgParser(std::string usage, std::string description)
    : usage_(std::move(usage)), description_(std::move(description)) {}

void ArgParser::Option(const std::string& name, std::string* value, const std::string& help) {
  specs_.push_back({name, help, true, [value](const std::string& v) {
                      *value = v;
                      return true;
                    }});
}

void ArgParser::Option(const std::string& name, int* value, const std::string& help) {
  specs_.push_back({name, help, true, [value](const std::string& v) {
                      char* end = nullptr;
                      const long x = std::strtol(v.c_str(), &end, 10);
                      if (v.empty() || *end || x < -2147483647L || x > 2147483647L) return false;
                      *value = static_cast<int>(x);
                      return true;
                    }});
}

void ArgParser::Option(const std::string& name, double* value, const std::string& help) {
  specs_.push_back({name, help, true, [value](const std::string& v) {
                      char* end = nullptr;
                      const double x = std::strtod(v.c_str(), &end);
                      if (v.empty() || *end) return false;
                      *value = x;
                      return true;
                    }});
}

void ArgParser::Option(const std::string& name, std::vector<std::string>* values,
                       const std::string& help) {
  specs_.push_back({name, help, true, [values](const std::string& v) {
                      values->push_back(v);
                      return true;
                    }});
}

void ArgParser::Flag(const std::string& name, bool* value, const std::string& help) {
  specs_.push_back({name, help, false, [value](const std::string&) {
                      *value = true;
                      return true;
                    }});
}

void ArgParser::Positionals(std::vector<std::string>* values, const std::string& name,
                            const std::string& help) {
  positionals_ = values;
  positional_name_ = name;
  positional_help_ = help;
}

std::string ArgParser::Help() const {
  std::string s = "usage: " + usage_ + "\n\n" + description_ + "\n";
  if (positionals_) s += "\n  " + positional_name_ + "\n      " + positional_help_ + "\n";
  if (!specs_.empty()) s += "\noptions:\n";
  for (const Spec& spec : specs_) {
    s += "  " + spec.name + (spec.takes_value ? " VALUE" : "") + "\n      " + spec.help + "\n";
  }
  s += "  --help\n      show this help\n";
  return s;
}

bool ArgParser::Parse(int argc, char** argv, int first, int* exit_code) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(Help().c_str(), stdout);
      *exit_code = 0;
      return false;
    }
    if (arg.size() > 2 && arg[0] == '-' && arg[1] == '-') {
      std::string value;
      bool has_inline = false;
      if (const size_t eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline = true;
      }
      const Spec* spec = nullptr;
      for (const Spec& s : specs_)
        if (s.name == arg) spec = &s;
      if (!spec) {
        std::fprintf(stderr, "error: unknown option %s (see %s --help)\n", arg.c_str(), usage_.substr(0, usage_.find(' ', 4)).c_str());
        *exit_code = 2;
        return false;
      }
      if (spec->takes_value && !has_inline) {
        if (i + 1 >= argc) {
          std::fprintf(stderr, "error: option %s needs a value\n", arg.c_str());
          *exit_code = 2;
          return false;
        }
        value = argv[++i];
      }
      if (!spec->set(value)) {
        std::fprintf(stderr, "error: invalid value '%s' for %s\n", value.c_str(), arg.c_str());
        *exit_code = 2;
        return false;
      }
      continue;
    }
    if (!positionals_) {
      std::fprintf(stderr, "error: unexpected argument '%s'\n", arg.c_str());
      *exit_code = 2;
      return false;
    }
    positionals_->push_back(arg);
  }
  return true;
}

}  // namespace vww::cli
