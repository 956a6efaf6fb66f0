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

template <int kPixels, int kBlocks, int kRq>
inline void Tile(const PointwiseArgs& a, const uint8_t* x, int8_t* out, int block0) {
  const int groups = a.depth / 4;
  const int8_t* w = static_cast<const int8_t*>(a.weights) + static_cast<long>(block0) * groups * 64;
  __m512i acc[kPixels][kBlocks];
  for (int j = 0; j < kBlocks; ++j) {
    const __m512i bias = _mm512_loadu_si512(a.bias + (block0 + j) * 16);
    for (int p = 0; p < kPixels; ++p) acc[p][j] = bias;
  }
  for (int g = 0; g < groups; ++g) {
    __m512i wv[kBlocks];
    for (int j = 0; j < kBlocks; ++j)
      wv[j] = _mm512_loadu_si512(w + (static_cast<long>(j) * groups + g) * 64);
    for (int p = 0; p < kPixels; ++p) {
      int32_t quad;
      __builtin_memcpy(&quad, x + p * a.depth + g * 4, 4);
      const __m512i xv = _mm512_set1_epi32(quad);
      for (int j = 0; j < kBlocks; ++j) acc[p][j] = DpBusd(acc[p][j], xv, wv[j]);
    }
  }
  for (int j = 0; j < kBlocks; ++j) {
    const int c = (block0 + j) * 16;
    const Requant16 q = LoadRequant16(a.rq, c);
    const int count = a.out_c - c;
    for (int p = 0; p < kPixels; ++p)
      Store16(out + p * a.out_c + c, Requantize16<kRq>(acc[p][j], q), count);
  }
}

template <int kBlocks, int kRq>
void Columns(const PointwiseArgs& a, long pixels, int block0) {
  const uint8_t* x = a.scratch;
  int8_t* out = a.output;
  long p = 0;
  for (; p + 4 <= pixels; p += 4)
    Tile<4, kBlocks, kRq>(a, x + p * a.depth, out + p * a.out_c, block0);
  switch (pixels - p) {
    case 3:
      Tile<3, kBlocks, kRq>(a, x + p * a.depth, out + p * a.out_c, block0);
      break;
    case 2:
      Tile<2, kBlocks, kRq>(a, x + p * a.depth, out + p * a.out_c, block0);
      break;
    case 1:
      Tile<1, kBlocks, kRq>(a, x + p * a.depth, out + p * a.out_c, block0);
      break;
    default:
      break;
  }
}

template <int kRq>
void Run(const PointwiseArgs& a) {
  const long pixels = static_cast<long>(a.batches) * a.out_h * a.out_w;
  const int blocks = (a.out_c + 15) / 16;
  int block = 0;
  for (; block + 4 <= blocks; block += 4) Columns<4, kRq>(a, pixels, block);
  switch (blocks - block) {
    case 3:
      Columns<3, kRq>(a, pixels, block);
      break;
    case 2:
      Columns<2, kRq>(a, pixels, block);
      break;
    case 1:
      Columns<1, kRq>(a, pixels, block);
      break;
    default:
      break;
  }
}

}  // namespace

void PointwiseAvx512(const PointwiseArgs& a) {
  PackInput(a);
  if (a.rq.floor_path)
    a.rq.full_range ? Run<kRqFloorFull>(a) : Run<kRqFloor>(a);
  else if (a.rq.any_left_shift)
    Run<kRqLeftShift>(a);
  else
    Run<kRqExact>(a);
}

}  // namespace vww::fast
