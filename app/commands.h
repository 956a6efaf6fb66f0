// app/: the `vww` command line, one subcommand per cmd_<name>.cc (bench in
// bench/); each returns the exit code: 0 success, 1 runtime failure, 2 usage error.
#pragma once

namespace vww {

int CmdInfo(int argc, char** argv);
int CmdClassify(int argc, char** argv);
int CmdRun(int argc, char** argv);
int CmdDevices(int argc, char** argv);
int CmdBench(int argc, char** argv);
int CmdEval(int argc, char** argv);
int CmdModels(int argc, char** argv);

}  // namespace vww
