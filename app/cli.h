// A small declarative argument parser: each subcommand declares its options,
// gets --help for free, and rejects unknown options with one clear line.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace vww::cli {

class ArgParser {
 public:
  ArgParser(std::string usage, std::string description);

  // --name VALUE (or --name=VALUE).
  void Option(const std::string& name, std::string* value, const std::string& help);
  void Option(const std::string& name, int* value, const std::string& help);
  void Option(const std::string& name, double* value, const std::string& help);
  // Repeatable: every occurrence appends.
  void Option(const std::string& name, std::vector<std::string>* values, const std::string& help);
  void Flag(const std::string& name, bool* value, const std::string& help);
  // Positional arguments (all of them).
  void Positionals(std::vector<std::string>* values, const std::string& name, const std::string& help);

  // Parses argv[first..]. Returns false when the command should exit at once
  // (after --help: *exit_code = 0; after an error, printed: *exit_code = 2).
  bool Parse(int argc, char** argv, int first, int* exit_code);
  std::string Help() const;

 private:
  struct Spec {
    std::string name;
    std::string help;
    bool takes_value;
    std::function<bool(const std::string&)> set;  // false: bad value
  };
  std::string usage_, description_;
  std::vector<Spec> specs_;
  std::vector<std::string>* positionals_ = nullptr;
  std::string positional_name_, positional_help_;
};

}  // namespace vww::cli
