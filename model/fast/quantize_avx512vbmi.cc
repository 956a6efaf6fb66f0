// A 256-entry byte table with AVX-512 VBMI: vpermi2b looks 64 bytes up in a
// 128-byte half of the table (index bits 0-6); bit 7 picks the half.
#include <immintrin.h>

#include "model/fast/elementwise_args.h"

namespace vww::fast {

void ByteTableVbmi(const ByteTableArgs& a) {
  const __m512i t0 = _mm512_loadu_si512(a.table);
  const __m512i t1 = _mm512_loadu_si512(a.table + 64);
  const __m512i t2 = _mm512_loadu_si512(a.table + 128);
  const __m512i t3 = _mm512_loadu_si512(a.table + 192);
  for (long i = 0; i < a.elements; i += 64) {
    const long left = a.elements - i;
    const __mmask64 m = left >= 64 ? ~__mmask64{0} : (__mmask64{1} << left) - 1;
    const __m512i x = _mm512_maskz_loadu_epi8(m, a.input + i);
    const __m512i low = _mm512_permutex2var_epi8(t0, x, t1);
    const __m512i high = _mm512_permutex2var_epi8(t2, x, t3);
    _mm512_mask_storeu_epi8(a.output + i, m,
                            _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high));
  }
}

}  // namespace vww::fast
