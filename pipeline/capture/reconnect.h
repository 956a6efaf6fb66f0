// pipeline/capture/reconnect: `vww run --reconnect`. A camera that is unplugged,
// fails or stalls mid-stream is closed and opened again with exponential
// backoff, instead of ending the run.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "pipeline/capture/frame_source.h"

namespace vww {

struct ReconnectOptions {
  double first_delay_s = 0.5;  // wait before the first attempt; doubles per failed attempt
  double max_delay_s = 8.0;    // the doubling stops here
  int max_attempts = 0;        // failed attempts in a row before giving up; 0: never
};

// Opens the source again (e.g. [options] { return OpenSource(options); }).
using SourceOpener = std::function<std::unique_ptr<FrameSource>()>;
// Receives one line per failure and per attempt (e.g. prints "warning: ...").
using ReconnectReport = std::function<void(const std::string& line)>;

// Wraps `first`. When its Read() throws vww::Error, the wrapper reports the
// error, drops the source (closing the device) and calls `open` after
// first_delay_s, 2x, 4x ... up to max_delay_s, until a source opens and
// delivers a frame. Frame indices and the dropped count continue across
// reconnections (frames missed while away are not counted: nobody knows how
// many there were). Read() returns false once *stop becomes true (checked
// every 50 ms while waiting; stop may be null), and rethrows the last error
// after max_attempts failed attempts. The end of a stream (Read() returning
// false) is passed on as is.
std::unique_ptr<FrameSource> MakeReconnectingSource(std::unique_ptr<FrameSource> first,
                                                    SourceOpener open,
                                                    const ReconnectOptions& options,
                                                    const std::atomic<bool>* stop,
                                                    ReconnectReport report);

}  // namespace vww
