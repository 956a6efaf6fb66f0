// DEPTHWISE_CONV_2D rows with AVX-512 VBMI + VNNI (DepthwiseRowArgs with
// quads set): for each 16-lane chunk and filter row, one 64-byte load, one
// vpermb that puts each lane's kw taps (u8 = x + 128) side by side, and one
// vpdpbusd: three taps per instruction where the other forms need three
// conversions and three multiply-adds. Used for few channels (the stem and
// 8 or 16 channels), where every tap of a chunk lies within 64 bytes. The
// column form (DepthwiseRowArgs::columns, below) covers 3x3 layers with whole
// 16-channel blocks: the same vpermb + vpdpbusd, on vertical tap quads.
#include <algorithm>

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

// One pattern (8 or 16 channels), a 3-row filter and 32-byte windows: the
// common case (the 48x48x8 layer). The index, the weights, the bias and the
// requantization constants all stay in registers for the whole layer, and the
// filter rows are unrolled: the general loop above reloads them per chunk and
// keeps its accumulators on the stack.
template <int kRq>
void RunOnePattern3(const DepthwiseRowArgs& a) {
  const long row_bytes = static_cast<long>(a.padded_w) * a.in_c;
  const long dy = a.dilation_h * row_bytes;
  const QuadRows3 c = LoadQuadRows3(a);
  auto window = [](const uint8_t* p) {
    return _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  };
  auto chunk = [&](const uint8_t* src) {
    __m512i acc = DpBusd(c.bias, _mm512_permutexvar_epi8(c.index, window(src)), c.w0);
    acc = DpBusd(acc, _mm512_permutexvar_epi8(c.index, window(src + dy)), c.w1);
    acc = DpBusd(acc, _mm512_permutexvar_epi8(c.index, window(src + 2 * dy)), c.w2);
    return Requantize16<kRq>(acc, c.q);
  };
  ChunkRows(a, row_bytes, chunk);
}

// The column form's copy (DepthwiseRowArgs::columns): 16 bytes per pixel and
// block, flipped to u8, the border filled with the flipped zero point.
void FillColumns(const DepthwiseRowArgs& a) {
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
  const __m512i flip64 = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m128i pad = _mm_set1_epi8(static_cast<char>(a.pad_value ^ 0x80));
  // Padded rows [top, bottom) hold input rows; the rest is border.
  const int top = std::min(a.pad_h, a.padded_h);
  const int bottom = std::max(top, std::min(a.padded_h, a.pad_h + a.in_h));
  const long in_row = static_cast<long>(a.in_w) * a.in_c;
  auto fill = [&](uint8_t* dst, int n) {
    for (int i = 0; i < n; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i * 16), pad);
  };
  for (int b = a.block_begin; b < a.block_end; ++b) {
    uint8_t* dst = a.scratch + b * a.padded_w * a.padded_h * 16L;
    for (int px = 0; px < a.padded_w; ++px, dst += a.padded_h * 16L) {
      const int ix = px - a.pad_w;
      if (ix < 0 || ix >= a.in_w) {
        fill(dst, a.padded_h);
        continue;
      }
      fill(dst, top);
      const int8_t* src = a.input + static_cast<long>(ix) * a.in_c + b * 16;
      int py = top;
      // Four rows at a time: the column's rows are contiguous in the copy,
      // so one 64-byte store takes the place of four 16-byte ones.
      for (; py + 4 <= bottom; py += 4, src += 4 * in_row) {
        __m512i v = _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
        v = _mm512_inserti32x4(v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + in_row)),
                               1);
        v = _mm512_inserti32x4(
            v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * in_row)), 2);
        v = _mm512_inserti32x4(
            v, _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 3 * in_row)), 3);
        _mm512_storeu_si512(dst + py * 16, _mm512_xor_si512(v, flip64));
      }
      for (; py < bottom; ++py, src += in_row)
        _mm_storeu_si128(
            reinterpret_cast<__m128i*>(dst + py * 16),
            _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)), flip));
      fill(dst + bottom * 16, a.padded_h - bottom);
    }
  }
}

// The column form's output pixels ox .. ox + kPixels - 1 of one row and
// block: column j of the group is input column ox * kStride + j, and pixel i
// reads columns i * kStride + tx.
template <int kPixels, int kStride, int kRq>
inline void ColumnGroup(const uint8_t* col, long column_bytes, __m512i index, const __m512i* w,
                        __m512i bias, const Requant16& q, int8_t* out, long pixel_bytes) {
  constexpr int kColumns = (kPixels - 1) * kStride + 3;
  __m512i quads[kColumns];
  for (int j = 0; j < kColumns; ++j)
    quads[j] = _mm512_permutexvar_epi8(index, _mm512_loadu_si512(col + j * column_bytes));
  __m512i r[kPixels];
  for (int i = 0; i < kPixels; ++i) {
    __m512i acc = DpBusd(bias, quads[i * kStride], w[0]);
    acc = DpBusd(acc, quads[i * kStride + 1], w[1]);
    acc = DpBusd(acc, quads[i * kStride + 2], w[2]);
    r[i] = Requantize16<kRq>(acc, q);
  }
  // With one block (16 channels) the 4 pixels' outputs are 64 consecutive bytes.
  if (kPixels == 4 && pixel_bytes == 16) return Store64(out, r[0], r[1], r[2], r[3]);
  for (int i = 0; i < kPixels; ++i) Store16(out + i * pixel_bytes, r[i], 16);
}

template <int kStride, int kRq>
void RunColumns(const DepthwiseRowArgs& a) {
  FillColumns(a);
  const long column_bytes = static_cast<long>(a.padded_h) * 16;
  const long group_step = 4L * kStride * column_bytes;
  const __m512i index = _mm512_loadu_si512(a.quad_index);
  for (int b = a.block_begin; b < a.block_end; ++b) {
    // Everything a block needs stays in registers over the whole layer.
    const __m512i w[3] = {_mm512_loadu_si512(a.quad_weights + (b * 3 + 0) * 64),
                          _mm512_loadu_si512(a.quad_weights + (b * 3 + 1) * 64),
                          _mm512_loadu_si512(a.quad_weights + (b * 3 + 2) * 64)};
    const __m512i bias = _mm512_loadu_si512(a.quad_bias + b * 16);
    const Requant16 q = LoadRequant16(a.rq, b * 16);
    const uint8_t* block = a.scratch + b * a.padded_w * column_bytes;
    for (int oy = 0; oy < a.out_h; ++oy) {
      const uint8_t* col = block + static_cast<long>(oy) * a.stride_h * 16;
      int8_t* out = a.output + static_cast<long>(oy) * a.row_elements + b * 16;
      int ox = 0;
      for (; ox + 4 <= a.out_w; ox += 4, col += group_step, out += 4L * a.in_c)
        ColumnGroup<4, kStride, kRq>(col, column_bytes, index, w, bias, q, out, a.in_c);
      // The rest in one group, so its pixels share columns too.
      switch (a.out_w - ox) {
        case 3:
          ColumnGroup<3, kStride, kRq>(col, column_bytes, index, w, bias, q, out, a.in_c);
          break;
        case 2:
          ColumnGroup<2, kStride, kRq>(col, column_bytes, index, w, bias, q, out, a.in_c);
          break;
        case 1:
          ColumnGroup<1, kStride, kRq>(col, column_bytes, index, w, bias, q, out, a.in_c);
          break;
        default:
          break;
      }
    }
  }
}

template <int kStride>
void DispatchColumns(const DepthwiseRowArgs& a) {
  if (a.rq.floor_path)
    a.rq.full_range ? RunColumns<kStride, kRqFloorFull>(a) : RunColumns<kStride, kRqFloor>(a);
  else if (a.rq.any_left_shift)
    RunColumns<kStride, kRqLeftShift>(a);
  else
    RunColumns<kStride, kRqExact>(a);
}

template <bool kWindow32>
void Dispatch(const DepthwiseRowArgs& a) {
  if (kWindow32 && a.patterns == 1 && a.kh == 3) {
    if (a.rq.floor_path)
      a.rq.full_range ? RunOnePattern3<kRqFloorFull>(a) : RunOnePattern3<kRqFloor>(a);
    else if (a.rq.any_left_shift)
      RunOnePattern3<kRqLeftShift>(a);
    else
      RunOnePattern3<kRqExact>(a);
    return;
  }
  if (a.rq.floor_path)
    a.rq.full_range ? Run<kWindow32, kRqFloorFull>(a) : Run<kWindow32, kRqFloor>(a);
  else if (a.rq.any_left_shift)
    Run<kWindow32, kRqLeftShift>(a);
  else
    Run<kWindow32, kRqExact>(a);
}

}  // namespace

void DepthwiseRowsVbmi(const DepthwiseRowArgs& a) {
  if (a.columns) return a.stride_w == 1 ? DispatchColumns<1>(a) : DispatchColumns<2>(a);
  bool window32 = true;
  for (int i = 0; i < 64; ++i) window32 = window32 && a.quad_index[i] < 32;
  if (window32)
    Dispatch<true>(a);
  else
    Dispatch<false>(a);
}

}  // namespace vww::fast
