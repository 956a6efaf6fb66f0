// Pointwise CONV_2D with AVX2: vpmaddwd multiplies 2 input channels (int16
// x + off, broadcast) by 2 input channels of 8 output channels and sums pairs
// into 8 int32 lanes. (vpmaddubsw would be twice as dense but saturates at
// int16 for u8 x s8 pairs, which would break exactness.) A tile is 4 pixels x
// up to 2 blocks of 8 output channels.
#include "model/fast/args.h"
#include "model/fast/simd_avx2.h"

namespace vww::fast {

namespace {

// Gathers the (strided) input pixels as int16 x + input_offset, each padded
// to depth with zeros.
void PackInput(const PointwiseArgs& a) {
  const __m256i offset = _mm256_set1_epi16(static_cast<int16_t>(a.input_offset));
  int16_t* dst = reinterpret_cast<int16_t*>(a.scratch);
  for (int b = 0; b < a.batches; ++b)
    for (int oy = 0; oy < a.out_h; ++oy)
      for (int ox = 0; ox < a.out_w; ++ox) {
        const int8_t* src =
            a.input +
            ((static_cast<long>(b) * a.in_h + oy * a.stride_h) * a.in_w + ox * a.stride_w) * a.in_c;
        int c = 0;
        for (; c + 16 <= a.in_c; c += 16) {
          const __m256i v =
              _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + c)));
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + c), _mm256_add_epi16(v, offset));
        }
        for (; c < a.in_c; ++c) dst[c] = static_cast<int16_t>(src[c] + a.input_offset);
        for (; c < a.depth; ++c) dst[c] = 0;
        dst += a.depth;
      }
}

template <int kPixels, int kBlocks, bool kLeftShift>
inline void Tile(const PointwiseArgs& a, const int16_t* x, int8_t* out, int block0) {
  const int pairs = a.depth / 2;
  const int16_t* w =
      static_cast<const int16_t*>(a.weights) + static_cast<long>(block0) * pairs * 16;
  __m256i acc[kPixels][kBlocks];
  for (int j = 0; j < kBlocks; ++j) {
    const __m256i bias =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bias + (block0 + j) * 8));
    for (int p = 0; p < kPixels; ++p) acc[p][j] = bias;
  }
  for (int g = 0; g < pairs; ++g) {
    __m256i wv[kBlocks];
    for (int j = 0; j < kBlocks; ++j)
      wv[j] = _mm256_loadu_si256(
          reinterpret_cast<const __m256i*>(w + (static_cast<long>(j) * pairs + g) * 16));
    for (int p = 0; p < kPixels; ++p) {
      int32_t pair;
      __builtin_memcpy(&pair, x + p * a.depth + g * 2, 4);
      const __m256i xv = _mm256_set1_epi32(pair);
      for (int j = 0; j < kBlocks; ++j)
        acc[p][j] = _mm256_add_epi32(acc[p][j], _mm256_madd_epi16(xv, wv[j]));
    }
  }
  for (int j = 0; j < kBlocks; ++j) {
    const int c = (block0 + j) * 8;
    const Requant8 q = LoadRequant8(a.rq, c);
    const int count = a.out_c - c;
    for (int p = 0; p < kPixels; ++p)
      Store8(out + p * a.out_c + c, Requantize8<kLeftShift>(acc[p][j], q), count);
  }
}

template <int kBlocks, bool kLeftShift>
void Columns(const PointwiseArgs& a, long pixels, int block0) {
  const int16_t* x = reinterpret_cast<const int16_t*>(a.scratch);
  int8_t* out = a.output;
  long p = 0;
  for (; p + 4 <= pixels; p += 4)
    Tile<4, kBlocks, kLeftShift>(a, x + p * a.depth, out + p * a.out_c, block0);
  for (; p < pixels; ++p)
    Tile<1, kBlocks, kLeftShift>(a, x + p * a.depth, out + p * a.out_c, block0);
}

template <bool kLeftShift>
void Run(const PointwiseArgs& a) {
  const long pixels = static_cast<long>(a.batches) * a.out_h * a.out_w;
  const int blocks = (a.out_c + 7) / 8;
  int block = 0;
  for (; block + 2 <= blocks; block += 2) Columns<2, kLeftShift>(a, pixels, block);
  if (block < blocks) Columns<1, kLeftShift>(a, pixels, block);
}

}  // namespace

void PointwiseAvx2(const PointwiseArgs& a) {
  PackInput(a);
  if (a.rq.any_left_shift)
    Run<true>(a);
  else
    Run<false>(a);
}

}  // namespace vww::fast
