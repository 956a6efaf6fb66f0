// CONV_2D without im2col, AVX-512 VNNI (conv_direct.cc): the padded copy,
// then tiles of P pixels of one output row x B blocks of 16 output channels,
// P * B <= 16 accumulators. Per quad of the receptive field: B weight loads,
// P broadcast loads of the pixels' quads straight from the padded copy, and
// P * B vpdpbusd.
#include "model/fast/args.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

namespace {

inline __mmask64 Mask(long n) { return n >= 64 ? ~0ull : (n <= 0 ? 0 : (~0ull) >> (64 - n)); }

inline void Fill(uint8_t* dst, long n, __m512i pad) {
  for (long i = 0; i < n; i += 64) _mm512_mask_storeu_epi8(dst + i, Mask(n - i), pad);
}

inline void Copy(uint8_t* dst, const int8_t* src, long n, __m512i flip) {
  for (long i = 0; i < n; i += 64) {
    const __mmask64 m = Mask(n - i);
    _mm512_mask_storeu_epi8(dst + i, m,
                            _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), flip));
  }
}

// One batch's padded copy (u8 = x + 128, the zero point around it), then a
// vector of slack for the last quads.
void FillPadded(const DirectConvArgs& a, const int8_t* image) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m512i pad = _mm512_set1_epi8(static_cast<char>(static_cast<uint8_t>(a.pad_value) ^ 0x80));
  const long c = a.in_c;
  const long row_bytes = a.padded_w * c;
  const long left = a.pad_w * c, body = a.in_w * c;
  uint8_t* dst = a.scratch;
  for (int py = 0; py < a.padded_h; ++py, dst += row_bytes) {
    const int iy = py - a.pad_h;
    if (iy < 0 || iy >= a.in_h) {
      Fill(dst, row_bytes, pad);
      continue;
    }
    if (left > 0) Fill(dst, left, pad);
    Copy(dst + left, image + iy * body, body, flip);
    if (row_bytes > left + body) Fill(dst + left + body, row_bytes - left - body, pad);
  }
  _mm512_storeu_si512(dst, pad);
}

// P pixels (x: the first one's tap (0, 0); ps bytes apart) x B blocks of
// output channels from c0; out: the first pixel's channel c0.
template <int P, int B, int kRq>
[[gnu::always_inline]] inline void Tile(const DirectConvArgs& a, const uint8_t* x, long ps,
                                        const int8_t* w, long w_block, int c0, int8_t* out) {
  __m512i acc[P][B];
#pragma GCC unroll 16
  for (int j = 0; j < B; ++j) {
    const __m512i bias = _mm512_loadu_si512(a.bias + c0 + 16 * j);
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) acc[p][j] = bias;
  }
  const int32_t* offsets = a.quad_offset;
  for (int t = 0; t < a.taps; ++t) {
    const uint8_t* xt = x + offsets[t];
    __m512i wv[B];
#pragma GCC unroll 16
    for (int j = 0; j < B; ++j) wv[j] = _mm512_loadu_si512(w + j * w_block + t * 64);
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) {
      int32_t quad;
      __builtin_memcpy(&quad, xt + p * ps, 4);
      const __m512i xv = _mm512_set1_epi32(quad);
#pragma GCC unroll 16
      for (int j = 0; j < B; ++j) acc[p][j] = DpBusd(acc[p][j], xv, wv[j]);
    }
  }
  __m512i r[P * B];
#pragma GCC unroll 16
  for (int j = 0; j < B; ++j) {
    const Requant16 q = LoadRequant16(a.rq, c0 + 16 * j);
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) r[p * B + j] = Requantize16<kRq>(acc[p][j], q);
  }
  constexpr int kVectors = P * B;
  if (a.out_c == B * 16) {
    // The tile's output is one run: vector i is bytes [16 i, 16 i + 16).
    constexpr int kWhole = kVectors / 4 * 4;
#pragma GCC unroll 16
    for (int i = 0; i < kWhole; i += 4) Store64(out + i * 16, r[i], r[i + 1], r[i + 2], r[i + 3]);
#pragma GCC unroll 16
    for (int i = kWhole; i < kVectors; ++i) Store16(out + i * 16, r[i], 16);
  } else {
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p)
#pragma GCC unroll 16
      for (int j = 0; j < B; ++j)
        Store16(out + p * a.out_c + j * 16, r[p * B + j], a.out_c - c0 - j * 16);
  }
}

// The sliding-window tile (DirectConvArgs::window_runs): P pixels x one
// block, 4 quads per input pixel, 3 taps per filter row. Per filter row,
// (P + 2) * 4 broadcasts feed P * 12 vpdpbusd (the general tile: one each).
template <int P, int kRq>
[[gnu::always_inline]] inline void WindowTile(const DirectConvArgs& a, const uint8_t* x,
                                              const int8_t* w, int c0, int8_t* out) {
  constexpr int kQuads = 4, kTaps = 3;
  __m512i acc[P];
  const __m512i bias = _mm512_loadu_si512(a.bias + c0);
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p) acc[p] = bias;
  for (int r = 0; r < a.window_runs; ++r) {
    const int8_t* wr = w + r * kTaps * kQuads * 64;
    const uint8_t* xr = x + a.quad_offset[r * kTaps * kQuads];
    // Opaque to the optimizer: otherwise GCC hoists the 72 addresses xr - a.quad_offset[..] + k
    // out of the row loop and spills them, one reload per broadcast.
    __asm__("" : "+r"(xr));
    __m512i wv[kTaps][kQuads];
#pragma GCC unroll 16
    for (int t = 0; t < kTaps; ++t)
#pragma GCC unroll 16
      for (int q = 0; q < kQuads; ++q) wv[t][q] = _mm512_loadu_si512(wr + (t * kQuads + q) * 64);
        // Input pixel column c of the tile's row band feeds output pixel c - t
        // with filter tap t.
#pragma GCC unroll 32
    for (int c = 0; c < P + kTaps - 1; ++c)
#pragma GCC unroll 16
      for (int q = 0; q < kQuads; ++q) {
        int32_t quad;
        __builtin_memcpy(&quad, xr + (c * kQuads + q) * 4, 4);
        const __m512i xv = _mm512_set1_epi32(quad);
#pragma GCC unroll 16
        for (int t = 0; t < kTaps; ++t)
          if (c - t >= 0 && c - t < P) acc[c - t] = DpBusd(acc[c - t], xv, wv[t][q]);
      }
  }
  const Requant16 q = LoadRequant16(a.rq, c0);
  __m512i r[P];
#pragma GCC unroll 16
  for (int p = 0; p < P; ++p) r[p] = Requantize16<kRq>(acc[p], q);
  if (a.out_c == 16) {
    constexpr int kWhole = P / 4 * 4;
#pragma GCC unroll 16
    for (int i = 0; i < kWhole; i += 4) Store64(out + i * 16, r[i], r[i + 1], r[i + 2], r[i + 3]);
#pragma GCC unroll 16
    for (int i = kWhole; i < P; ++i) Store16(out + i * 16, r[i], 16);
  } else {
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) Store16(out + p * a.out_c, r[p], a.out_c - c0);
  }
}

// Blocks [block0, block0 + B) of every output pixel of one batch. The last
// tile of a row overlaps the one before instead of running short (it
// rewrites equal values), so every tile is a whole P.
template <int P, int B, int kRq>
void Blocks(const DirectConvArgs& a, int8_t* output, int block0) {
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  const long ps = static_cast<long>(a.stride_w) * a.in_c;
  const long w_block = static_cast<long>(a.taps) * 64;
  const int8_t* w = a.weights + block0 * w_block;
  const int c0 = block0 * 16;
  for (int oy = 0; oy < a.out_h; ++oy) {
    const uint8_t* row = a.scratch + oy * a.stride_h * row_bytes;
    int8_t* out = output + static_cast<long>(oy) * a.out_w * a.out_c + c0;
    for (int ox = 0; ox < a.out_w; ox += P) {
      const int x0 = ox + P <= a.out_w ? ox : a.out_w - P;
      if (B == 1 && a.window_runs > 0)
        WindowTile<P, kRq>(a, row + x0 * ps, w, c0, out + static_cast<long>(x0) * a.out_c);
      else
        Tile<P, B, kRq>(a, row + x0 * ps, ps, w, w_block, c0,
                        out + static_cast<long>(x0) * a.out_c);
    }
  }
}

// P: the widest of 16 / B, 8, 4, 2, 1 pixels that the row holds.
template <int B, int kRq>
void Pixels(const DirectConvArgs& a, int8_t* output, int block0) {
  constexpr int kMax = B == 1 ? 16 : (B == 2 ? 8 : 4);
  int p = kMax;
  while (p > a.out_w) p /= 2;
  switch (p) {
    case kMax:
      return Blocks<kMax, B, kRq>(a, output, block0);
    case kMax / 2:
      return Blocks<kMax / 2, B, kRq>(a, output, block0);
    case kMax / 4:
      return Blocks<kMax / 4, B, kRq>(a, output, block0);
    default:
      break;
  }
  // Rows narrower than kMax / 4: one pixel at a time.
  return Blocks<1, B, kRq>(a, output, block0);
}

template <int kRq>
void Run(const DirectConvArgs& a) {
  const int blocks = (a.out_c + 15) / 16;
  const long in_image = static_cast<long>(a.in_h) * a.in_w * a.in_c;
  const long out_image = static_cast<long>(a.out_h) * a.out_w * a.out_c;
  for (int b = 0; b < a.batches; ++b) {
    FillPadded(a, a.input + b * in_image);
    int8_t* output = a.output + b * out_image;
    int block = 0;
    for (; block + 4 <= blocks; block += 4) Pixels<4, kRq>(a, output, block);
    switch (blocks - block) {
      case 3:
        Pixels<3, kRq>(a, output, block);
        break;
      case 2:
        Pixels<2, kRq>(a, output, block);
        break;
      case 1:
        Pixels<1, kRq>(a, output, block);
        break;
      default:
        break;
    }
  }
}

}  // namespace

void DirectConvAvx512(const DirectConvArgs& a) {
  if (a.rq.floor_path)
    a.rq.full_range ? Run<kRqFloorFull>(a) : Run<kRqFloor>(a);
  else if (a.rq.any_left_shift)
    Run<kRqLeftShift>(a);
  else
    Run<kRqExact>(a);
}

}  // namespace vww::fast
