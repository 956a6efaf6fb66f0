// A 256-entry byte table with NEON (quantize8-table256-tbl-neon): vqtbl4q_u8
// looks 16 bytes up in a 64-byte quarter of the table (indices past 63 give
// 0), and vqtbx4q_u8 looks up the other quarters with the index lowered by
// 64, 128 and 192, keeping the bytes already found where the index is out of
// its quarter's range.
#include <arm_neon.h>

#include <cstring>

#include "model/fast/elementwise_args.h"
#include "model/fast/mca_region.h"

namespace vww::fast {

namespace {

inline uint8x16_t Lookup(const uint8x16x4_t t[4], uint8x16_t x) {
  const uint8x16_t quarter = vdupq_n_u8(64);
  uint8x16_t r = vqtbl4q_u8(t[0], x);
  x = vsubq_u8(x, quarter);
  r = vqtbx4q_u8(r, t[1], x);
  x = vsubq_u8(x, quarter);
  r = vqtbx4q_u8(r, t[2], x);
  x = vsubq_u8(x, quarter);
  return vqtbx4q_u8(r, t[3], x);
}

}  // namespace

void ByteTableNeon(const ByteTableArgs& a) {
  uint8x16x4_t t[4];
  for (int i = 0; i < 4; ++i) t[i] = vld1q_u8_x4(a.table + 64 * i);
  long i = 0;
  for (; i + 16 <= a.elements; i += 16) {
    VWW_MCA_BEGIN("quantize8-table256-tbl-neon");
    vst1q_u8(a.output + i, Lookup(t, vld1q_u8(a.input + i)));
    VWW_MCA_END();
  }
  if (i < a.elements) {
    const long n = a.elements - i;
    uint8_t tmp[16] = {};
    std::memcpy(tmp, a.input + i, n);
    vst1q_u8(tmp, Lookup(t, vld1q_u8(tmp)));
    std::memcpy(a.output + i, tmp, n);
  }
}

}  // namespace vww::fast
