// ADD (same shapes) with AVX-512: 64 elements per step, TFLite's rescalings
// on 16 int32 lanes each (see add.cc).
#include "model/fast/elementwise_args.h"
#include "model/fast/simd_avx512.h"

namespace vww::fast {

namespace {

// One scalar multiplier and right shift for every lane.
struct Scale16 {
  __m512i multiplier, mask, threshold;
  __m128i shift;
};

Scale16 MakeScale16(int32_t multiplier, int right_shift) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << right_shift) - 1);
  return {_mm512_set1_epi32(multiplier), _mm512_set1_epi32(mask), _mm512_set1_epi32(mask >> 1),
          _mm_cvtsi32_si128(right_shift)};
}

// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, m), rs): the high
// multiply is floor((x*m + 2^30) / 2^31) (exact for every x: m is never
// INT32_MIN), the division rounds half away from zero with TFLite's mask and
// threshold.
inline __m512i Scale(__m512i x, const Scale16& s) {
  const __m512i round = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, s.multiplier), round);
  const __m512i odd =
      _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), s.multiplier), round);
  const __m512i high =
      _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  const __m512i remainder = _mm512_and_si512(high, s.mask);
  const __m512i threshold = _mm512_add_epi32(s.threshold, _mm512_srli_epi32(high, 31));
  const __m512i r = _mm512_sra_epi32(high, s.shift);
  return _mm512_mask_add_epi32(r, _mm512_cmpgt_epi32_mask(remainder, threshold), r,
                               _mm512_set1_epi32(1));
}

// An input scaling in the split form (AddArgs::split_inputs, add.cc).
struct Split16 {
  __m512i m_hi, m_lo, k, negative;
  __m128i shift;
};

Split16 MakeSplit16(const AddSplit& s) {
  return {_mm512_set1_epi32(s.m_hi), _mm512_set1_epi32(s.m_lo), _mm512_set1_epi32(s.k),
          _mm512_set1_epi32(s.negative), _mm_cvtsi32_si128(s.shift)};
}

inline __m512i ScaleSplit(__m512i u, const Split16& s) {
  const __m512i correction = _mm512_and_si512(_mm512_srai_epi32(u, 31), s.negative);
  const __m512i low = _mm512_srai_epi32(
      _mm512_add_epi32(_mm512_add_epi32(_mm512_mullo_epi32(u, s.m_lo), s.k), correction), 9);
  return _mm512_sra_epi32(_mm512_add_epi32(_mm512_mullo_epi32(u, s.m_hi), low), s.shift);
}

struct AddConstants {
  Scale16 s1, s2, so;
  Split16 split1, split2;
  __m512i offset1, offset2, output_offset, lo, hi;
  __m128i left_shift;
};

template <bool kSplit>
inline __m512i Add16(__m128i x1, __m128i x2, const AddConstants& k) {
  const __m512i u1 = _mm512_add_epi32(_mm512_cvtepi8_epi32(x1), k.offset1);
  const __m512i u2 = _mm512_add_epi32(_mm512_cvtepi8_epi32(x2), k.offset2);
  __m512i sum;
  if (kSplit) {
    sum = _mm512_add_epi32(ScaleSplit(u1, k.split1), ScaleSplit(u2, k.split2));
  } else {
    const __m512i a = _mm512_sll_epi32(u1, k.left_shift);
    const __m512i b = _mm512_sll_epi32(u2, k.left_shift);
    sum = _mm512_add_epi32(Scale(a, k.s1), Scale(b, k.s2));
  }
  const __m512i r = _mm512_add_epi32(Scale(sum, k.so), k.output_offset);
  return _mm512_min_epi32(_mm512_max_epi32(r, k.lo), k.hi);
}

template <bool kSplit>
void Run(const AddArgs& a, const AddConstants& k) {
  long i = 0;
  for (; i + 64 <= a.elements; i += 64) {
    const __m512i x1 = _mm512_loadu_si512(a.input1 + i);
    const __m512i x2 = _mm512_loadu_si512(a.input2 + i);
    const __m512i r0 =
        Add16<kSplit>(_mm512_extracti32x4_epi32(x1, 0), _mm512_extracti32x4_epi32(x2, 0), k);
    const __m512i r1 =
        Add16<kSplit>(_mm512_extracti32x4_epi32(x1, 1), _mm512_extracti32x4_epi32(x2, 1), k);
    const __m512i r2 =
        Add16<kSplit>(_mm512_extracti32x4_epi32(x1, 2), _mm512_extracti32x4_epi32(x2, 2), k);
    const __m512i r3 =
        Add16<kSplit>(_mm512_extracti32x4_epi32(x1, 3), _mm512_extracti32x4_epi32(x2, 3), k);
    Store64(a.output + i, r0, r1, r2, r3);
  }
  for (; i < a.elements; i += 16) {
    const int n = static_cast<int>(a.elements - i < 16 ? a.elements - i : 16);
    const __mmask16 m = TailMask16(n);
    Store16(a.output + i,
            Add16<kSplit>(_mm_maskz_loadu_epi8(m, a.input1 + i),
                          _mm_maskz_loadu_epi8(m, a.input2 + i), k),
            n);
  }
}

}  // namespace

void AddAvx512(const AddArgs& a) {
  AddConstants k;
  k.s1 = MakeScale16(a.input1_multiplier, a.input1_right_shift);
  k.s2 = MakeScale16(a.input2_multiplier, a.input2_right_shift);
  k.so = MakeScale16(a.output_multiplier, a.output_right_shift);
  k.offset1 = _mm512_set1_epi32(a.input1_offset);
  k.offset2 = _mm512_set1_epi32(a.input2_offset);
  k.output_offset = _mm512_set1_epi32(a.output_offset);
  k.lo = _mm512_set1_epi32(a.act_min);
  k.hi = _mm512_set1_epi32(a.act_max);
  k.left_shift = _mm_cvtsi32_si128(a.left_shift);
  if (a.split_inputs) {
    k.split1 = MakeSplit16(a.split1);
    k.split2 = MakeSplit16(a.split2);
    Run<true>(a, k);
  } else {
    Run<false>(a, k);
  }
}

}  // namespace vww::fast
