// DEPTHWISE_CONV_2D rows with AVX-512 (see DepthwiseRowArgs): one batch of
// the padded input copy is already in a.scratch. Each chunk is 16 output
// elements; the inputs are sign-extended to int32 lanes and vpdpwssd
// multiplies their low halves by the 16-bit weights (high halves zero), one
// instruction per tap. Four chunks are in flight at once so the dependent
// accumulations of one chunk do not serialize on the instruction latency.
#include <algorithm>

#include "model/fast/args.h"
#include "model/fast/depthwise_row_loop.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

namespace {

inline __m512i LoadBytes16(const uint8_t* p) {
  return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Channels in contiguous chunks: the input of lane l at tap t is the byte at
// row + chunk_input[k] + tap_offset[t] + l.
template <int kTaps, int kChunks, int kRq>
inline void ContiguousChunks(const DepthwiseRowArgs& a, const uint8_t* row, const long* tap_offset,
                             int taps, int k0, int pattern0, int8_t* out) {
  const int n = kTaps ? kTaps : taps;
  __m512i acc[kChunks];
  const uint8_t* in[kChunks];
  int pattern[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    // (k0 + i) % patterns without a division per chunk.
    pattern[i] = pattern0 + i;
    while (pattern[i] >= a.patterns) pattern[i] -= a.patterns;
    acc[i] = _mm512_loadu_si512(a.bias + pattern[i] * 16);
    in[i] = row + a.chunk_input[k0 + i];
  }
  for (int t = 0; t < n; ++t) {
    const int32_t* w = a.weights + static_cast<long>(t) * a.patterns * 16;
    for (int i = 0; i < kChunks; ++i)
      acc[i] = DpWssd(acc[i], LoadBytes16(in[i] + tap_offset[t]),
                      _mm512_loadu_si512(w + pattern[i] * 16));
  }
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e, Requantize16<kRq>(acc[i], LoadRequant16(a.rq, pattern[i] * 16)),
            a.row_elements - e);
  }
}

// One input channel: lane l of a chunk reads byte gather[tx][l] of a 16-byte
// load from the chunk's first input pixel, one load per filter row.
template <int kChunks, int kRq>
inline void BroadcastChunks(const DepthwiseRowArgs& a, const uint8_t* row, long row_bytes, int k0,
                            int8_t* out) {
  __m512i acc[kChunks];
  const __m512i bias = _mm512_loadu_si512(a.bias);
  for (int i = 0; i < kChunks; ++i) acc[i] = bias;
  for (int ty = 0; ty < a.kh; ++ty) {
    const uint8_t* r = row + ty * a.dilation_h * row_bytes;
    __m512i v[kChunks];
    for (int i = 0; i < kChunks; ++i) v[i] = LoadBytes16(r + a.chunk_input[k0 + i]);
    for (int tx = 0; tx < a.kw; ++tx) {
      const __m512i index = _mm512_loadu_si512(a.gather + tx * 16);
      const __m512i w = _mm512_loadu_si512(a.weights + (ty * a.kw + tx) * 16);
      for (int i = 0; i < kChunks; ++i)
        acc[i] = DpWssd(acc[i], _mm512_permutexvar_epi32(index, v[i]), w);
    }
  }
  const Requant16 q = LoadRequant16(a.rq, 0);
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e, Requantize16<kRq>(acc[i], q), a.row_elements - e);
  }
}

// Stride 1 or 2, in_c a multiple of 16, a 3-wide filter without horizontal
// dilation: kPixels neighbouring pixels of one 16-channel block at once. Pixel
// ox + i at tap tx reads input pixel (ox + i) * stride + tx, so a filter row
// needs only (kPixels - 1) * stride + 3 converted input vectors, shared by
// the taps that read them (instead of one per pixel and tap).
template <int kPixels, int kStride, int kRq>
inline void PixelGroup(const DepthwiseRowArgs& a, const uint8_t* row, long row_bytes, int ox,
                       int block, int8_t* out) {
  const int c = a.in_c;
  __m512i acc[kPixels];
  const __m512i bias = _mm512_loadu_si512(a.bias + block * 16);
  for (int i = 0; i < kPixels; ++i) acc[i] = bias;
  for (int ty = 0; ty < a.kh; ++ty) {
    const uint8_t* r =
        row + ty * a.dilation_h * row_bytes + static_cast<long>(ox) * kStride * c + block * 16;
    constexpr int kInputs = (kPixels - 1) * kStride + 3;
    __m512i v[kInputs];
    for (int j = 0; j < kInputs; ++j) v[j] = LoadBytes16(r + static_cast<long>(j) * c);
    for (int tx = 0; tx < 3; ++tx) {
      const __m512i w = _mm512_loadu_si512(
          a.weights + ((ty * 3 + tx) * static_cast<long>(a.patterns) + block) * 16);
      for (int i = 0; i < kPixels; ++i) acc[i] = DpWssd(acc[i], v[i * kStride + tx], w);
    }
  }
  // Chunk (ox, block) has pattern block: in_c / 16 patterns, one per block.
  const Requant16 q = LoadRequant16(a.rq, block * 16);
  for (int i = 0; i < kPixels; ++i)
    Store16(out + static_cast<long>(ox + i) * c + block * 16, Requantize16<kRq>(acc[i], q), 16);
}

template <int kStride, int kRq>
void RunPixelGroups(const DepthwiseRowArgs& a) {
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  const int blocks = a.in_c / 16;
  for (int oy = 0; oy < a.out_h; ++oy) {
    const uint8_t* row = a.scratch + oy * a.stride_h * row_bytes;
    int8_t* out = a.output + static_cast<long>(oy) * a.row_elements;
    int ox = 0;
    for (; ox + 4 <= a.out_w; ox += 4)
      for (int b = 0; b < blocks; ++b) PixelGroup<4, kStride, kRq>(a, row, row_bytes, ox, b, out);
    switch (a.out_w - ox) {
      case 3:
        for (int b = 0; b < blocks; ++b) PixelGroup<3, kStride, kRq>(a, row, row_bytes, ox, b, out);
        break;
      case 2:
        for (int b = 0; b < blocks; ++b) PixelGroup<2, kStride, kRq>(a, row, row_bytes, ox, b, out);
        break;
      case 1:
        for (int b = 0; b < blocks; ++b) PixelGroup<1, kStride, kRq>(a, row, row_bytes, ox, b, out);
        break;
      default:
        break;
    }
  }
}

// The stem's quad form (DepthwiseRowArgs::quads with one input channel):
// per filter row, the 16 input bytes at the chunk go to every 128-bit lane,
// vpshufb gathers each lane's taps (u8 = x + 128) into a quad and vpdpbusd
// multiplies the quad by the row's weights.
template <int kChunks, int kRq>
inline void StemQuadChunks(const DepthwiseRowArgs& a, const uint8_t* row, long row_bytes,
                           __m512i index, int k0, int8_t* out) {
  __m512i acc[kChunks];
  const __m512i bias = _mm512_loadu_si512(a.quad_bias);
  for (int i = 0; i < kChunks; ++i) acc[i] = bias;
  for (int ty = 0; ty < a.kh; ++ty) {
    const uint8_t* r = row + ty * a.dilation_h * row_bytes;
    const __m512i w = _mm512_loadu_si512(a.quad_weights + ty * 64);
    for (int i = 0; i < kChunks; ++i) {
      const __m512i bytes = _mm512_broadcast_i32x4(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + a.chunk_input[k0 + i])));
      acc[i] = DpBusd(acc[i], _mm512_shuffle_epi8(bytes, index), w);
    }
  }
  const Requant16 q = LoadRequant16(a.rq, 0);
  for (int i = 0; i < kChunks; ++i) {
    const int e = (k0 + i) * 16;
    Store16(out + e, Requantize16<kRq>(acc[i], q), a.row_elements - e);
  }
}

// RunStemQuads for a 3-row filter: the weights, the bias and the
// requantization constants stay in registers and the filter rows are
// unrolled (the general loop reloads them per chunk).
template <int kRq>
void RunStemQuads3(const DepthwiseRowArgs& a) {
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  const long dy = a.dilation_h * row_bytes;
  const QuadRows3 c = LoadQuadRows3(a);
  auto gather = [&](const uint8_t* p) {
    return _mm512_shuffle_epi8(
        _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))), c.index);
  };
  auto chunk = [&](const uint8_t* src) {
    __m512i acc = DpBusd(c.bias, gather(src), c.w0);
    acc = DpBusd(acc, gather(src + dy), c.w1);
    acc = DpBusd(acc, gather(src + 2 * dy), c.w2);
    return Requantize16<kRq>(acc, c.q);
  };
  ChunkRows(a, row_bytes, chunk);
}

template <int kRq>
void RunStemQuads(const DepthwiseRowArgs& a) {
  if (a.kh == 3) return RunStemQuads3<kRq>(a);
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  const __m512i index = _mm512_loadu_si512(a.quad_index);
  for (int oy = 0; oy < a.out_h; ++oy) {
    const uint8_t* row = a.scratch + oy * a.stride_h * row_bytes;
    int8_t* out = a.output + static_cast<long>(oy) * a.row_elements;
    int k = 0;
    for (; k + 4 <= a.chunks; k += 4) StemQuadChunks<4, kRq>(a, row, row_bytes, index, k, out);
    for (; k < a.chunks; ++k) StemQuadChunks<1, kRq>(a, row, row_bytes, index, k, out);
  }
}

template <int kTaps, int kRq>
void Run(const DepthwiseRowArgs& a) {
  if (a.quads && a.broadcast_input) return RunStemQuads<kRq>(a);
  if (!a.broadcast_input && a.in_c % 16 == 0 && a.kw == 3 && a.dilation_w == 1) {
    if (a.stride_w == 1) return RunPixelGroups<1, kRq>(a);
    if (a.stride_w == 2) return RunPixelGroups<2, kRq>(a);
  }
  DepthwiseRowLoop(
      a,
      [&](auto chunks, const uint8_t* row, long row_bytes, int k, int8_t* out) {
        BroadcastChunks<decltype(chunks)::value, kRq>(a, row, row_bytes, k, out);
      },
      [&](auto chunks, const uint8_t* row, const long* tap_offset, int taps, int k, int pattern,
          int8_t* out) {
        ContiguousChunks<kTaps, decltype(chunks)::value, kRq>(a, row, tap_offset, taps, k, pattern,
                                                              out);
      });
}

}  // namespace

void FillPaddedAvx512(const DepthwiseRowArgs& a, const int8_t* input) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(a.fill_xor));
  const __m512i pad = _mm512_xor_si512(_mm512_set1_epi8(a.pad_value), flip);
  const long c = a.in_c;
  const long row_bytes = a.padded_w * c;
  const long left = std::min(a.pad_w, a.padded_w) * c;
  const long copy = std::max(0, std::min(a.in_w, a.padded_w - a.pad_w)) * c;
  auto mask = [](long n) { return n >= 64 ? ~0ull : (1ull << n) - 1; };
  // Stores pad over [begin, end) of a row, 64 bytes at a time.
  auto fill = [&](uint8_t* row, long begin, long end) {
    for (long i = begin; i < end; i += 64) _mm512_mask_storeu_epi8(row + i, mask(end - i), pad);
  };
  for (int py = 0; py < a.padded_h; ++py) {
    uint8_t* row = a.scratch + py * row_bytes;
    const int iy = py - a.pad_h;
    if (iy < 0 || iy >= a.in_h) {
      fill(row, 0, row_bytes);
      continue;
    }
    fill(row, 0, left);
    const int8_t* src = input + iy * a.in_w * c;
    for (long i = 0; i < copy; i += 64) {
      const __mmask64 m = mask(copy - i);
      _mm512_mask_storeu_epi8(row + left + i, m,
                              _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), flip));
    }
    fill(row, left + copy, row_bytes);
  }
}

void DepthwiseRowsAvx512(const DepthwiseRowArgs& a) {
  const bool three = a.kh == 3 && a.kw == 3;
  if (a.rq.floor_path)
    a.rq.full_range ? (three ? Run<9, kRqFloorFull>(a) : Run<0, kRqFloorFull>(a))
                    : (three ? Run<9, kRqFloor>(a) : Run<0, kRqFloor>(a));
  else if (a.rq.any_left_shift)
    three ? Run<9, kRqLeftShift>(a) : Run<0, kRqLeftShift>(a);
  else
    three ? Run<9, kRqExact>(a) : Run<0, kRqExact>(a);
}

}  // namespace vww::fast
