// DEPTHWISE_CONV_2D rows with AVX2 (see DepthwiseRowArgs): one batch of the
// padded input copy is already in a.scratch. Each chunk is 8 output elements;
// the inputs are sign-extended to int32 lanes and vpmaddwd multiplies their
// low halves by the 16-bit weights (high halves zero). Four chunks are in flight at once so the
// dependent accumulations of one chunk do not serialize on the instruction latency.
#include "model/fast/args.h"
#include "model/fast/depthwise_row_loop.h"
#include "model/fast/simd_avx2.h"

namespace vww::fast {

namespace {

inline __m256i LoadBytes8(const uint8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

inline __m256i Load(const int32_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

inline __m256i MulAdd(__m256i acc, __m256i x, __m256i w) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(x, w));
}

// Channels in contiguous chunks: the input of lane l at tap t is the byte at
// row + chunk_input[k] + tap_offset[t] + l.
template <int kTaps, int kChunks, bool kLeftShift>
inline void ContiguousChunks(const DepthwiseRowArgs& a, const uint8_t* row, const long* tap_offset,
                             int taps, int k0, int pattern0, int8_t* out) {
  const int n = kTaps ? kTaps : taps;
  __m256i acc[kChunks];
  const uint8_t* in[kChunks];
  int pattern[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    // (k0 + i) % patterns without a division per chunk.
    pattern[i] = pattern0 + i;
    while (pattern[i] >= a.patterns) pattern[i] -= a.patterns;
    acc[i] = Load(a.bias + pattern[i] * 8);
    in[i] = row + a.chunk_input[k0 + i];
  }
  for (int t = 0; t < n; ++t) {
    const int32_t* w = a.weights + static_cast<long>(t) * a.patterns * 8;
    for (int i = 0; i < kChunks; ++i)
      acc[i] = MulAdd(acc[i], LoadBytes8(in[i] + tap_offset[t]), Load(w + pattern[i] * 8));
  }
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 8;
    Store8(out + e, Requantize8<kLeftShift>(acc[i], LoadRequant8(a.rq, pattern[i] * 8)),
           a.row_elements - e);
  }
}

// One input channel: lane l of a chunk reads byte gather[tx][l] of an 8-byte
// load from the chunk's first input pixel, one load per filter row.
template <int kChunks, bool kLeftShift>
inline void BroadcastChunks(const DepthwiseRowArgs& a, const uint8_t* row, long row_bytes, int k0,
                            int8_t* out) {
  __m256i acc[kChunks];
  const __m256i bias = Load(a.bias);
  for (int i = 0; i < kChunks; ++i) acc[i] = bias;
  for (int ty = 0; ty < a.kh; ++ty) {
    const uint8_t* r = row + ty * a.dilation_h * row_bytes;
    __m256i v[kChunks];
    for (int i = 0; i < kChunks; ++i) v[i] = LoadBytes8(r + a.chunk_input[k0 + i]);
    for (int tx = 0; tx < a.kw; ++tx) {
      const __m256i index = Load(a.gather + tx * 8);
      const __m256i w = Load(a.weights + (ty * a.kw + tx) * 8);
      for (int i = 0; i < kChunks; ++i)
        acc[i] = MulAdd(acc[i], _mm256_permutevar8x32_epi32(v[i], index), w);
    }
  }
  const Requant8 q = LoadRequant8(a.rq, 0);
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 8;
    Store8(out + e, Requantize8<kLeftShift>(acc[i], q), a.row_elements - e);
  }
}

template <int kTaps, bool kLeftShift>
void Run(const DepthwiseRowArgs& a) {
  DepthwiseRowLoop(
      a,
      [&](auto chunks, const uint8_t* row, long row_bytes, int k, int8_t* out) {
        BroadcastChunks<decltype(chunks)::value, kLeftShift>(a, row, row_bytes, k, out);
      },
      [&](auto chunks, const uint8_t* row, const long* tap_offset, int taps, int k, int pattern,
          int8_t* out) {
        ContiguousChunks<kTaps, decltype(chunks)::value, kLeftShift>(a, row, tap_offset, taps, k,
                                                                     pattern, out);
      });
}

}  // namespace

void DepthwiseRowsAvx2(const DepthwiseRowArgs& a) {
  const bool three = a.kh == 3 && a.kw == 3;
  if (a.rq.any_left_shift)
    three ? Run<9, true>(a) : Run<0, true>(a);
  else
    three ? Run<9, false>(a) : Run<0, false>(a);
}

}  // namespace vww::fast
