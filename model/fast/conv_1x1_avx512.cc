// Pointwise CONV_2D with AVX-512 VNNI: each vpdpbusd multiplies 4 input
// channels of one pixel (a broadcast dword of u8) by 4 input channels of 16
// output channels and accumulates into 16 int32 lanes. A tile of 4 pixels x
// up to 4 blocks of 16 output channels keeps 16 accumulators in registers.
#include "model/fast/args.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

namespace {

// Gathers the (strided) input pixels as u8 = x ^ 0x80, each padded to depth.
void PackInput(const PointwiseArgs& a) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  uint8_t* dst = a.scratch;
  if (a.stride_h == 1 && a.stride_w == 1 && a.depth == a.in_c) {
    const long n = static_cast<long>(a.batches) * a.in_h * a.in_w * a.in_c;
    long i = 0;
    for (; i + 64 <= n; i += 64)
      _mm512_storeu_si512(dst + i, _mm512_xor_si512(_mm512_loadu_si512(a.input + i), flip));
    if (i < n) {
      const __mmask64 m = (~0ull) >> (64 - (n - i));
      _mm512_mask_storeu_epi8(dst + i, m,
                              _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, a.input + i), flip));
    }
    return;
  }
  for (int b = 0; b < a.batches; ++b)
    for (int oy = 0; oy < a.out_h; ++oy)
      for (int ox = 0; ox < a.out_w; ++ox) {
        const int8_t* src =
            a.input +
            ((static_cast<long>(b) * a.in_h + oy * a.stride_h) * a.in_w + ox * a.stride_w) * a.in_c;
        // Bytes past in_c (up to depth) meet zero weights; they only need to
        // be initialised.
        for (int c = 0; c < a.depth; c += 64) {
          const int valid = a.in_c - c, total = a.depth - c;
          const __mmask64 load = valid >= 64 ? ~0ull : (valid <= 0 ? 0 : (~0ull) >> (64 - valid));
          const __mmask64 store = total >= 64 ? ~0ull : (~0ull) >> (64 - total);
          _mm512_mask_storeu_epi8(dst + c, store,
                                  _mm512_xor_si512(_mm512_maskz_loadu_epi8(load, src + c), flip));
        }
        dst += a.depth;
      }
}

// What a column of tiles (the same kBlocks output blocks for every pixel)
// reads besides the input: loaded once per column. The tiles store int8,
// which may alias anything, so the compiler would otherwise reload all of it
// (and redo the requantization set-up) for every tile of 4 pixels. With
// kGroups > 0 the depth is the constant kGroups * 4 and the group loop
// unrolls; the weights are kept too when they fit in a few registers.
template <int kBlocks, int kGroups>
struct Column {
  static constexpr bool kKeepWeights = kGroups > 0 && (kGroups * kBlocks <= 8);
  __m512i bias[kBlocks];
  Requant16 rq[kBlocks];
  __m512i w[kKeepWeights ? kGroups : 1][kBlocks];
  const int8_t* weights;  // [kBlocks][groups][64]
  int c0;                 // first output channel
  bool contiguous;        // the column is every output channel: a tile's output is one run
};

// out points at the tile's first pixel, channel col.c0.
template <int kPixels, int kBlocks, int kGroups, int kRq>
[[gnu::always_inline]] inline void Tile(const PointwiseArgs& a, const Column<kBlocks, kGroups>& col,
                                        const uint8_t* x, int8_t* out) {
  const int groups = kGroups > 0 ? kGroups : a.depth / 4;
  const int depth = kGroups > 0 ? kGroups * 4 : a.depth;
  __m512i acc[kPixels][kBlocks];
  for (int j = 0; j < kBlocks; ++j)
    for (int p = 0; p < kPixels; ++p) acc[p][j] = col.bias[j];
  for (int g = 0; g < groups; ++g) {
    __m512i wv[kBlocks];
    for (int j = 0; j < kBlocks; ++j)
      wv[j] = Column<kBlocks, kGroups>::kKeepWeights
                  ? col.w[kGroups > 0 ? g : 0][j]
                  : _mm512_loadu_si512(col.weights + (static_cast<long>(j) * groups + g) * 64);
    for (int p = 0; p < kPixels; ++p) {
      int32_t quad;
      __builtin_memcpy(&quad, x + p * depth + g * 4, 4);
      const __m512i xv = _mm512_set1_epi32(quad);
      for (int j = 0; j < kBlocks; ++j) acc[p][j] = DpBusd(acc[p][j], xv, wv[j]);
    }
  }
  __m512i r[kPixels * kBlocks];
  for (int p = 0; p < kPixels; ++p)
    for (int j = 0; j < kBlocks; ++j) r[p * kBlocks + j] = Requantize16<kRq>(acc[p][j], col.rq[j]);
  constexpr int kVectors = kPixels * kBlocks;
  if (col.contiguous) {
    // Vector i covers output bytes [16 i, 16 i + 16).
    constexpr int kWhole = kVectors / 4 * 4;
    for (int i = 0; i < kWhole; i += 4) Store64(out + i * 16, r[i], r[i + 1], r[i + 2], r[i + 3]);
    for (int i = kWhole; i < kVectors; ++i) Store16(out + i * 16, r[i], 16);
  } else if (kBlocks == 4 && col.c0 + 64 <= a.out_c) {
    for (int p = 0; p < kPixels; ++p)
      Store64(out + p * a.out_c, r[p * kBlocks], r[p * kBlocks + 1], r[p * kBlocks + 2],
              r[p * kBlocks + 3]);
  } else {
    for (int p = 0; p < kPixels; ++p)
      for (int j = 0; j < kBlocks; ++j) {
        const int c = col.c0 + j * 16;
        Store16(out + p * a.out_c + j * 16, r[p * kBlocks + j], a.out_c - c);
      }
  }
}

template <int kBlocks, int kGroups, int kRq>
void Columns(const PointwiseArgs& a, long pixels, int block0) {
  const int groups = kGroups > 0 ? kGroups : a.depth / 4;
  Column<kBlocks, kGroups> col;
  col.weights = static_cast<const int8_t*>(a.weights) + static_cast<long>(block0) * groups * 64;
  col.c0 = block0 * 16;
  col.contiguous = a.out_c == kBlocks * 16;
  for (int j = 0; j < kBlocks; ++j) {
    col.bias[j] = _mm512_loadu_si512(a.bias + (block0 + j) * 16);
    col.rq[j] = LoadRequant16(a.rq, (block0 + j) * 16);
    if constexpr (Column<kBlocks, kGroups>::kKeepWeights)
      for (int g = 0; g < groups; ++g)
        col.w[g][j] = _mm512_loadu_si512(col.weights + (static_cast<long>(j) * groups + g) * 64);
  }
  const uint8_t* x = a.scratch;
  int8_t* out = a.output + col.c0;
  const int out_c = a.out_c;
  const long depth = a.depth;
  long p = 0;
  for (; p + 4 <= pixels; p += 4)
    Tile<4, kBlocks, kGroups, kRq>(a, col, x + p * depth, out + p * out_c);
  switch (pixels - p) {
    case 3:
      Tile<3, kBlocks, kGroups, kRq>(a, col, x + p * depth, out + p * out_c);
      break;
    case 2:
      Tile<2, kBlocks, kGroups, kRq>(a, col, x + p * depth, out + p * out_c);
      break;
    case 1:
      Tile<1, kBlocks, kGroups, kRq>(a, col, x + p * depth, out + p * out_c);
      break;
    default:
      break;
  }
}

template <int kGroups, int kRq>
void RunGroups(const PointwiseArgs& a) {
  const long pixels = static_cast<long>(a.batches) * a.out_h * a.out_w;
  const int blocks = (a.out_c + 15) / 16;
  int block = 0;
  // Four blocks keep the depth a run-time value: with 16 accumulators and
  // the requantization constants the unrolled group loop runs out of
  // registers (measured: 12x12x32 -> 64 takes 3.0 instead of 2.1 us).
  for (; block + 4 <= blocks; block += 4) Columns<4, 0, kRq>(a, pixels, block);
  switch (blocks - block) {
    case 3:
      Columns<3, kGroups, kRq>(a, pixels, block);
      break;
    case 2:
      Columns<2, kGroups, kRq>(a, pixels, block);
      break;
    case 1:
      Columns<1, kGroups, kRq>(a, pixels, block);
      break;
    default:
      break;
  }
}

// The shallow layers (8 to 32 input channels) get a constant depth; they are
// the ones where per-tile overhead is a visible share of the work.
template <int kRq>
void Run(const PointwiseArgs& a) {
  switch (a.depth) {
    case 8:
      return RunGroups<2, kRq>(a);
    case 16:
      return RunGroups<4, kRq>(a);
    case 32:
      return RunGroups<8, kRq>(a);
    default:
      return RunGroups<0, kRq>(a);
  }
}

}  // namespace

void PointwiseAvx512(const PointwiseArgs& a) {
  PackInput(a);
  PointwiseGemmAvx512(a);
}

void PointwiseGemmAvx512(const PointwiseArgs& a) {
  if (a.rq.floor_path)
    a.rq.full_range ? Run<kRqFloorFull>(a) : Run<kRqFloor>(a);
  else if (a.rq.any_left_shift)
    Run<kRqLeftShift>(a);
  else
    Run<kRqExact>(a);
}

}  // namespace vww::fast
