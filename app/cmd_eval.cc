// vww eval: placeholder until the command lands.
#include "app/cli.h"
#include "app/commands.h"
#include "model/model.h"

namespace vww {

int CmdEval(int argc, char** argv) {
  cli::ArgParser p("vww eval [options]", "(not implemented yet)");
  int code = 0;
  if (!p.Parse(argc, argv, 2, &code)) return code;
  throw Error("vww eval is not implemented yet");
}

}  // namespace vww
