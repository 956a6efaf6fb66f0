// pipeline/assets: where the files vww ships live (the default model and its
// labels, the sample video, boards.csv). Every lookup of a shipped file goes
// through DataFile(), so an installed vww, a build tree and a moved build all
// find the same things the same way.
#pragma once

#include <string>

namespace vww {

// The folder of shipped files, the first that holds the default model of:
//   1. <dir of /proc/self/exe>/../share/vww   (installed: P/bin/vww, P/share/vww)
//   2. $VWW_DATA_DIR
//   3. the source tree's assets/ (compiled in: vww runs from its build tree)
//   4. ../assets, ../../assets, ../../../assets beside the executable (a moved tree)
// If none does: the first candidate that exists, else the compiled-in folder
// (whoever opens a file there then reports it missing).
std::string DataDir();

// DataDir() + "/" + name.
std::string DataFile(const std::string& name);

}  // namespace vww
