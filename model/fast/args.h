// Plain-data arguments of the ISA-specific kernel entry points. The
// *_avx2.cc / *_avx512.cc files are compiled with wider ISA flags, so they see
// only this header (no std::vector, no templates shared with portable code):
// an inline function instantiated there could otherwise be picked by the
// linker for portable callers and crash a CPU without those instructions.
#pragma once

#include <cstdint>

namespace vww::fast {

// Per-output-channel requantization, TFLite's MultiplyByQuantizedMultiplier
// split into vector-friendly pieces. Arrays are padded to a multiple of 16
// channels with neutral values so full-width vector loads stay in bounds.
struct RequantArgs {
  const int32_t* multiplier;
  const int32_t* left_shift;       // max(shift, 0)
  const int32_t* right_shift;      // max(-shift, 0)
  const int32_t* round_mask;       // (1 << right_shift) - 1
  const int32_t* round_threshold;  // round_mask >> 1
  int32_t output_offset;
  int32_t act_min, act_max;
  bool any_left_shift;  // lets the kernels skip the left shift (rare in practice)

  // The one-rounding form (AVX-512 only; see RequantData::EnableFloor). Per
  // block of 16 channels c..c+15: 8 int64 for channels c, c+2, .., c+14 (the
  // even lanes), then 8 for c+1, .., c+15.
  bool floor_path;
  bool full_range;             // act_min <= -128 and act_max >= 127
  const int64_t* floor_add;    // 2^30 + 2^(30 + rs) + output_offset * 2^(31 + rs)
  const int32_t* floor_shift;  // rs - 1, one per channel in channel order (not even/odd)
};

// Requantization variants the AVX-512 kernels are instantiated for.
// kRqFloorFull: kRqFloor with act_min <= -128 and act_max >= 127, where the
// int8 saturation of the final narrowing is the whole clamp.
enum RequantMode : int { kRqExact = 0, kRqLeftShift = 1, kRqFloor = 2, kRqFloorFull = 3 };

// 1x1 CONV_2D as a GEMM: [pixels x in_c] x [in_c x out_c].
struct PointwiseArgs {
  const int8_t* input;
  int8_t* output;
  uint8_t* scratch;  // the input pixels, repacked per ISA (see conv_1x1.cc)
  int batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int stride_h, stride_w;
  int depth;             // elements per pixel in scratch (in_c rounded up)
  const void* weights;   // packed per ISA
  const int32_t* bias;   // padded; zero-point corrections folded in
  int32_t input_offset;  // -input zero point
  RequantArgs rq;
  // NEON (no dot product): no weight is -128, so two int8 products always
  // fit in one int16 lane (|x * w| <= 128 * 127) and smull + smlal2 can pair
  // them before the widening add; otherwise every product gets its own lane.
  bool pair_products;
};

void PointwiseAvx2(const PointwiseArgs& a);
void PointwiseAvx512(const PointwiseArgs& a);
// The GEMM alone, on pixels already packed in a.scratch (depth u8 each).
void PointwiseGemmAvx512(const PointwiseArgs& a);

// arm64, int8 x int8 on the raw input (the zero point is folded into the
// bias), weights packed by PackGemmWeightsNeon (common.h). Pointwise* pack
// the (strided) input pixels into a.scratch, each padded to a.depth with
// zeros, unless they are already contiguous rows of a.depth; Gemm* run on
// rows already packed in a.scratch (im2col). Each entry is one form of the
// table (its llvm-mca region carries the form's name).
// The rows the arm64 GEMMs read (common.cc, portable): a.input itself when
// its pixels are already contiguous rows of a.depth bytes (every input pixel
// is read, and in_c == depth), else the pixels copied into a.scratch, each zero-padded to a.depth.
const int8_t* PointwiseRows(const PointwiseArgs& a);
inline bool PointwiseRowsInPlace(const PointwiseArgs& a) {
  return a.in_h == a.out_h && a.in_w == a.out_w && a.depth == a.in_c;
}

void PointwiseNeon(const PointwiseArgs& a);          // conv1x1-p4xc4-neon
void PointwiseGemmNeon(const PointwiseArgs& a);      // conv-im2col-p4xc4-neon
void FullyConnectedNeon(const PointwiseArgs& a);     // fc-pointwise-c4-neon
void PointwiseNeonDot(const PointwiseArgs& a);       // conv1x1-p4xc16-neondot
void PointwiseGemmNeonDot(const PointwiseArgs& a);   // conv-im2col-p4xc16-neondot
void FullyConnectedNeonDot(const PointwiseArgs& a);  // fc-pointwise-c16-neondot

// CONV_2D of any filter as im2col + the pointwise GEMM: each output pixel's
// receptive field (kh x kw x in_c, in the filter's own [ky][kx][c] order)
// becomes one row of `depth` bytes. Padded taps hold the input zero point
// (so they add nothing once the zero point is folded into the bias), bytes
// past kh*kw*in_c hold 0 (they meet zero weights).
struct Im2colArgs {
  const int8_t* input;
  uint8_t* rows;  // [batches * out_h * out_w][depth]
  int batches, in_h, in_w, in_c, out_h, out_w;
  int kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int depth;     // >= kh * kw * in_c
  uint8_t flip;  // XORed into every byte: 0x80 makes the u8 = x + 128 of vpdpbusd
  int8_t pad_value;
};

void Im2colAvx512(const Im2colArgs& a);

// CONV_2D without im2col: the GEMM reads each output pixel's receptive field
// straight from a zero-point-padded copy of the input (u8 = x + 128, one
// batch at a time, `padded_w` pixels per row). The receptive field is
// `runs` contiguous runs of `run_bytes` bytes (a filter row, or one tap when
// the filter is dilated along x), each read as `quads` 4-byte quads; quad t
// of the field starts `quad_offset[t]` bytes after the pixel's (0, 0) tap.
// Bytes of a quad past its run meet zero weights. A tile is up to 16 pixels
// of one output row x 1-4 blocks of 16 output channels (16 x 16, 8 x 32,
// 4 x 64: 16 accumulators), so narrow layers fill the register tile too.
struct DirectConvArgs {
  const int8_t* input;
  int8_t* output;
  uint8_t* scratch;  // the padded copy, then slack
  int batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int stride_h, stride_w, pad_h, pad_w;
  int padded_h, padded_w;
  int8_t pad_value;            // the input zero point
  int taps;                    // runs * quads
  const int32_t* quad_offset;  // [taps]
  // The sliding window (16-channel inputs, 3-wide filter rows, stride_w 1,
  // no dilation along x): pixel p's tap (kx, q) is pixel p + 1's tap (kx -
  // 1, q), so one broadcast quad feeds 3 vpdpbusd of one filter row, whose 12
  // weight vectors stay in registers. `window_runs` filter rows, else 0.
  int window_runs;
  const int8_t* weights;  // [out_c_padded / 16][taps][16][4]
  const int32_t* bias;    // padded; zero-point corrections folded in
  RequantArgs rq;
};

void DirectConvAvx512(const DirectConvArgs& a);

// Global AVERAGE_POOL_2D: per-channel sums over `pixels` pixels, then
// sign(acc) * floor((|acc| + pixels / 2) / pixels), clamped. The division is
// (n * reciprocal) >> shift, exact for every reachable n and within 32 bits
// (see average_pool.cc).
struct GlobalPoolArgs {
  const int8_t* input;
  int8_t* output;
  int batches, pixels, depth;
  int32_t count_half;
  uint32_t reciprocal;
  int shift;
  int32_t act_min, act_max;
};

void GlobalPoolAvx512(const GlobalPoolArgs& a);
void GlobalPoolNeon(const GlobalPoolArgs& a);

constexpr int kMaxDepthwiseTaps = 64;

// DEPTHWISE_CONV_2D with depth multiplier 1, or with a one-channel input
// (any multiplier: every output channel reads channel 0, as in a stem layer).
struct DepthwiseArgs {
  const int8_t* input;
  int8_t* output;
  int batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  bool broadcast_input;      // in_c == 1 and out_c > 1
  int32_t input_zero_point;  // what a padded pixel holds
  int out_c_padded;          // out_c rounded up to 16
  const int32_t* weights;    // [kh*kw][out_c_padded]: low 16 bits w, high 16 bits 0
  const int16_t* weights16;  // NEON: [kh*kw][out_c_padded], the weights as int16
  const int32_t* bias;       // [out_c_padded]: bias + input_offset * sum of taps
  RequantArgs rq;
};

void DepthwiseAvx2(const DepthwiseArgs& a);
void DepthwiseAvx512(const DepthwiseArgs& a);
void DepthwiseNeon(const DepthwiseArgs& a);

// DEPTHWISE_CONV_2D row by row over a zero-point-padded copy of the input, in
// chunks of one vector of output elements (`lanes`: 16 for AVX-512, 8 for
// AVX2) taken along the flattened output row (out_w * out_c), so few channels
// still fill whole vectors (8 channels: 2 pixels per AVX-512 chunk). Chunk k
// covers output elements [k*lanes, (k+1)*lanes) of a row; its lane l is
// channel (k*lanes + l) % out_c. Taken when every chunk's inputs are
// contiguous (stride_w 1, or in_c a multiple of lanes), or for a one-channel
// input with out_c dividing lanes (the stem: inputs gathered per lane).
struct DepthwiseRowArgs {
  const int8_t* input;
  int8_t* output;
  uint8_t* scratch;  // the padded copy: padded_h x padded_w x in_c, then slack
  int batches, in_h, in_w, in_c, out_h, out_w, out_c;
  int kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w;
  int padded_h, padded_w;  // pixels
  int8_t pad_value;        // the input zero point
  bool broadcast_input;    // in_c == 1 < out_c
  int lanes;
  int chunks;                  // per output row: ceil(out_w * out_c / lanes)
  int row_elements;            // out_w * out_c
  int patterns;                // distinct lane -> channel maps: lcm(lanes, out_c) / lanes
  const int32_t* chunk_input;  // [chunks]: byte offset of the chunk's tap (0, 0) in a padded row
  const int32_t* weights;      // [taps][patterns][lanes]: low 16 bits w, high 16 bits 0
  const int16_t* weights16;    // NEON: [taps][patterns][lanes], the weights as int16
  const int32_t* bias;         // [patterns][lanes]
  RequantArgs rq;              // indexed by pattern * lanes + lane
  const int32_t* gather;       // broadcast only, [kw][lanes]: lane's byte within a row load

  // The AVX-512 VBMI form (quads): the padded copy holds u8 = x + 128; per
  // filter row, one vpermb gathers each lane's kw (<= 4) taps from a 64-byte
  // load at the chunk's input into a u8 quad, and one vpdpbusd multiplies it
  // by the row's int8 weights (zero past kw). The bias absorbs -128 * sum(w).
  // On arm64 (the dot-product forms) the same quads go to sdot, int8 x int8:
  // the copy holds x itself and quad_bias is the plain bias. fill_xor is what
  // the padded copy XORs into every byte: 0x80 for vpdpbusd's u8, else 0.
  bool quads;
  uint8_t fill_xor;
  const uint8_t* quad_index;   // [64]: byte 4l + tx = lane l's tap tx offset from the chunk's input
  const int8_t* quad_weights;  // [kh][patterns][16][4]
  const int32_t* quad_bias;    // [patterns][16]

  // The AVX-512 VBMI column form (3x3, in_c a multiple of 16, stride_w 1 or
  // 2, no dilation): the kernel copies the input itself, block-major and
  // column-major (scratch byte ((block * padded_w + px) * padded_h + py) * 16
  // + c holds u8 = v + 128 for the value v of channel block * 16 + c at padded
  // pixel (py, px)), so the 3 rows of a column are 48 contiguous bytes. One 64-byte load and one
  // vpermb make each lane's quad of vertical taps, shared by every output pixel that reads the
  // column; one vpdpbusd per filter column then does 3 taps. quad_index is the vpermb index,
  // quad_weights [blocks][3 columns][16][4] (row taps, zero last), quad_bias [blocks][16] absorbs
  // -128 * sum(w).
  // On arm64 (dw3x3-c16-columns-neondot) the kernel reads the ordinary padded
  // copy: the 3 rows of a column are 3 loads of 16 channels, zipped into the
  // same vertical quads, with the same quad_weights.
  bool columns;
  // The column form's channel blocks [block_begin, block_end): each block
  // has its own part of the copy and of the output, so disjoint ranges may
  // run on different threads (Node::eval_parts). Others: 0 and in_c / 16.
  int block_begin, block_end;
};

// The padded copy of one batch (see FillPadded in depthwise.cc) with 64-byte
// vectors; the byte loop of the portable copy is a visible share of the quad
// forms' time.
void FillPaddedAvx512(const DepthwiseRowArgs& a, const int8_t* input);
void DepthwiseRowsAvx512(const DepthwiseRowArgs& a);
void DepthwiseRowsVbmi(const DepthwiseRowArgs& a);  // a.quads or a.columns set
void DepthwiseRowsAvx2(const DepthwiseRowArgs& a);
// arm64: the rows of 16 elements (vmlal_s16 per tap), and the sdot forms
// (a.quads or a.columns set).
void DepthwiseRowsNeon(const DepthwiseRowArgs& a);
void DepthwiseRowsNeonDot(const DepthwiseRowArgs& a);

}  // namespace vww::fast
