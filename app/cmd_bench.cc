// vww bench: placeholder until the command lands.
#include "app/cli.h"
#include "app/commands.h"
#include "model/model.h"

namespace vww {

int CmdBench(int argc, char** argv) {
  cli::ArgParser p("vww bench [options]", "(not implemented yet)");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;
  throw Error("vww bench is not implemented yet");
}

}  // namespace vww
