// Plain-data arguments of the element-wise fast kernels (ADD, 8-bit QUANTIZE),
// for the ISA-specific files as args.h is for the convolutions: no templates,
// no std:: containers, so nothing inline can leak into portable callers.
#pragma once

#include <cstdint>

namespace vww::fast {

// One input's scaling of ADD with u = x + offset: (u * m_hi + ((u * m_lo + k +
// [u < 0] * negative) >> 9)) >> shift.
struct AddSplit {
  int32_t m_hi, m_lo, k, negative, shift;
};

// int8 ADD of two tensors of the same shape, TFLite's arithmetic: each input
// (x + offset) << left_shift is scaled by its multiplier (a rounding doubling
// high multiply, then a rounding right shift), the two are summed, and the sum
// is scaled again, offset and clamped.
struct AddArgs {
  const int8_t* input1;
  const int8_t* input2;
  int8_t* output;
  long elements;
  int32_t input1_offset, input2_offset;
  int left_shift;
  int32_t input1_multiplier, input2_multiplier, output_multiplier;
  int input1_right_shift, input2_right_shift, output_right_shift;  // >= 0
  int32_t output_offset, act_min, act_max;

  // The input scalings in one rounding and 32-bit multiplies (add.cc,
  // SplitScale). Set only when it equals TFLite's two roundings for all 256
  // values of each input (checked in prepare).
  bool split_inputs;
  AddSplit split1, split2;
};

void AddAvx512(const AddArgs& a);
void AddAvx2(const AddArgs& a);
void AddNeon(const AddArgs& a);

// A byte -> byte function as a 256-entry table (8-bit QUANTIZE: output[i] =
// table[input[i] as uint8]). The table is computed with the reference
// arithmetic in prepare, so every form is exact by construction.
struct ByteTableArgs {
  const uint8_t* input;
  uint8_t* output;
  long elements;
  const uint8_t* table;  // [256], indexed by the input byte
};

void ByteTableVbmi(const ByteTableArgs& a);
void ByteTableNeon(const ByteTableArgs& a);

}  // namespace vww::fast
