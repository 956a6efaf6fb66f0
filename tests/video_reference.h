// Where the frame-for-frame video references hold (tests/data/reference/).
#pragma once

namespace vww::test {

// The frame-for-frame video references (tests/data/reference/<video>.*.csv)
// come from the frames Debian 12's FFmpeg decodes on x86-64. Debian's arm64
// FFmpeg decodes the sample videos to other bytes (62-78% of bytes differ, by
// up to 5-6), so there they do not hold: a test that decodes a video and
// compares with them says what it checks instead (test_run.cc ReadReference).
// Images decode to the same bytes everywhere: their references hold on both.
inline constexpr bool VideoDecodesLikeReference() {
#if defined(__x86_64__)
  return true;
#else
  return false;
#endif
}

}  // namespace vww::test
