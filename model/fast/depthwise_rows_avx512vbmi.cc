// DEPTHWISE_CONV_2D rows with AVX-512 VBMI + VNNI (DepthwiseRowArgs with
// quads set): for each 16-lane chunk and filter row, one 64-byte load, one
// vpermb that puts each lane's kw taps (u8 = x + 128) side by side, and one
// vpdpbusd: three taps per instruction where the other forms need three
// conversions and three multiply-adds. Used for few channels (the stem and
// 8 or 16 channels), where every tap of a chunk lies within 64 bytes.
#include "model/fast/args.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

namespace {

template <int kChunks, bool kWindow32, int kRq>
inline void QuadChunks(const DepthwiseRowArgs& a, const uint8_t* row, long row_bytes, __m512i index,
                       int k0, int pattern0, int8_t* out) {
  __m512i acc[kChunks];
  int pattern[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    pattern[i] = pattern0 + i;
    while (pattern[i] >= a.patterns) pattern[i] -= a.patterns;
    acc[i] = _mm512_loadu_si512(a.quad_bias + pattern[i] * 16);
  }
  for (int ty = 0; ty < a.kh; ++ty) {
    const uint8_t* r = row + ty * a.dilation_h * row_bytes;
    const int8_t* w = a.quad_weights + static_cast<long>(ty) * a.patterns * 64;
    for (int i = 0; i < kChunks; ++i) {
      // A 32-byte window broadcast to both halves is enough when every tap
      // lies within 32 bytes (8 channels), and avoids most cache-line splits.
      const uint8_t* src = r + a.chunk_input[k0 + i];
      const __m512i bytes =
          kWindow32
              ? _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)))
              : _mm512_loadu_si512(src);
      const __m512i quads = _mm512_permutexvar_epi8(index, bytes);
      acc[i] = DpBusd(acc[i], quads, _mm512_loadu_si512(w + pattern[i] * 64));
    }
  }
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e, Requantize16<kRq>(acc[i], LoadRequant16(a.rq, pattern[i] * 16)),
            a.row_elements - e);
  }
}

template <bool kWindow32, int kRq>
void Run(const DepthwiseRowArgs& a) {
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  const __m512i index = _mm512_loadu_si512(a.quad_index);
  for (int oy = 0; oy < a.out_h; ++oy) {
    const uint8_t* row = a.scratch + oy * a.stride_h * row_bytes;
    int8_t* out = a.output + static_cast<long>(oy) * a.row_elements;
    int k = 0, pattern = 0;  // pattern: k % a.patterns
    for (; k + 4 <= a.chunks; k += 4) {
      QuadChunks<4, kWindow32, kRq>(a, row, row_bytes, index, k, pattern, out);
      pattern += 4;
      while (pattern >= a.patterns) pattern -= a.patterns;
    }
    for (; k < a.chunks; ++k) {
      QuadChunks<1, kWindow32, kRq>(a, row, row_bytes, index, k, pattern, out);
      if (++pattern == a.patterns) pattern = 0;
    }
  }
}

template <bool kWindow32>
void Dispatch(const DepthwiseRowArgs& a) {
  if (a.rq.floor_path)
    a.rq.full_range ? Run<kWindow32, kRqFloorFull>(a) : Run<kWindow32, kRqFloor>(a);
  else if (a.rq.any_left_shift)
    Run<kWindow32, kRqLeftShift>(a);
  else
    Run<kWindow32, kRqExact>(a);
}

}  // namespace

void DepthwiseRowsVbmi(const DepthwiseRowArgs& a) {
  bool window32 = true;
  for (int i = 0; i < 64; ++i) window32 = window32 && a.quad_index[i] < 32;
  if (window32)
    Dispatch<true>(a);
  else
    Dispatch<false>(a);
}

}  // namespace vww::fast
