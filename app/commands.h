// app/: the `vww` command line, one subcommand per cmd_<name>.cc (bench in
// bench/); each returns the exit code: 0 success, 1 runtime failure, 2 usage error.
#pragma once

#include <cstdint>
#include <cstdio>
#include <vector>

namespace vww {

struct Board;

int CmdInfo(int argc, char** argv);
int CmdClassify(int argc, char** argv);
int CmdRun(int argc, char** argv);
int CmdDevices(int argc, char** argv);
int CmdBench(int argc, char** argv);
int CmdEval(int argc, char** argv);
int CmdBoards(int argc, char** argv);

// `vww info`'s estimates section (cmd_boards.cc): per board, the estimated
// latency for a model of `macs` MACs, marked as an estimate with its basis.
void PrintBoardEstimates(FILE* out, const std::vector<Board>& boards, int64_t macs);
int CmdModels(int argc, char** argv);

}  // namespace vww
