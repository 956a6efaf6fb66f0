#include "model/fast/forms.h"

#include <cstring>

#include "model/model.h"

namespace vww::fast {

// Each operator family's prepare, one per form (defined beside its kernels).
// conv_1x1.cc
bool PreparePointwise(Node& node, Isa isa);
// conv_direct.cc, conv_im2col.cc
bool PrepareConvDirect(Node& node, Isa isa);
bool PrepareConvIm2col(Node& node, Isa isa);
// depthwise.cc
bool PrepareDepthwiseColumns(Node& node, Isa isa);
bool PrepareDepthwiseRowQuads(Node& node, Isa isa);
bool PrepareDepthwiseStemQuads(Node& node, Isa isa);
bool PrepareDepthwiseRows(Node& node, Isa isa);
bool PrepareDepthwiseGeneric(Node& node, Isa isa);
// average_pool.cc
bool PrepareGlobalAveragePool(Node& node, Isa isa);
// add.cc, quantize.cc, fully_connected.cc, pad.cc, transpose.cc
bool PrepareAddSameShape(Node& node, Isa isa);
bool PrepareQuantizeTable(Node& node, Isa isa);
bool PrepareFullyConnected(Node& node, Isa isa);
bool PreparePadFolded(Node& node, Isa isa);
bool PrepareTransposePlanesToPixels(Node& node, Isa isa);
// mean.cc, softmax.cc, reshape.cc
bool PrepareMeanFolded(Node& node, Isa isa);
bool PrepareSoftmaxTable(Node& node, Isa isa);
bool PrepareReshapeAlias(Node& node, Isa isa);

namespace {

// THE TABLE. To add a form: write `bool PrepareX(Node&, Isa)` beside its
// kernels (decline with `return false` for any shape it does not handle,
// before or after packing: the caller discards what a declining prepare set),
// declare it above, and add one row here, ahead of the slower forms of the
// same operator (the first form that accepts a node takes it). Name it
// `<what>-<tile>-<isa>` with the ISA level of the row. The exactness tests
// (tests/test_forms.cc) force every row the CPU can run on the five models
// and the synthetic edge layers, so a new row is tested without new code
// (add synthetic cases there for shapes the models lack); --profile prints it.
constexpr KernelForm kForms[] = {
    // CONV_2D 1x1 (stride any, no padding): a GEMM over packed pixels.
    {"conv1x1-p4xc64-avx512vnni", kOpConv2D, Isa::kAvx512Vnni, "4 px x 64 ch, vpdpbusd",
     PreparePointwise},
    {"conv1x1-p4xc16-avx2", kOpConv2D, Isa::kAvx2, "4 px x 16 ch, vpmaddwd", PreparePointwise},
    {"conv1x1-p4xc16-neondot", kOpConv2D, Isa::kNeonDot, "4 px x 16 ch x 16 deep, sdot by lane",
     PreparePointwise},
    {"conv1x1-p4xc4-neon", kOpConv2D, Isa::kNeon, "4 px x 4 ch x 16 deep, smull+smlal2+sadalp",
     PreparePointwise},
    {"conv1x1-portable", kOpConv2D, Isa::kPortable, "1 px x 1 ch", PreparePointwise},
    // CONV_2D of any other filter, stride, dilation, padding: the GEMM reading
    // the receptive fields from a padded copy of the input, or im2col + the GEMM.
    {"conv-direct-p16xc16-avx512vnni", kOpConv2D, Isa::kAvx512Vnni,
     "16 px x 16 ch (8 x 32, 4 x 64) of one output row over kh x kw*in_c quads, vpdpbusd",
     PrepareConvDirect},
    {"conv-im2col-p4xc64-avx512vnni", kOpConv2D, Isa::kAvx512Vnni,
     "4 px x 64 ch over kh*kw*in_c, vpdpbusd", PrepareConvIm2col},
    {"conv-im2col-p4xc16-avx2", kOpConv2D, Isa::kAvx2, "4 px x 16 ch over kh*kw*in_c, vpmaddwd",
     PrepareConvIm2col},
    {"conv-im2col-p4xc16-neondot", kOpConv2D, Isa::kNeonDot,
     "4 px x 16 ch x 16 deep over kh*kw*in_c, sdot by lane", PrepareConvIm2col},
    {"conv-im2col-p4xc4-neon", kOpConv2D, Isa::kNeon,
     "4 px x 4 ch x 16 deep over kh*kw*in_c, smull+smlal2+sadalp", PrepareConvIm2col},
    {"conv-im2col-portable", kOpConv2D, Isa::kPortable, "1 px x 1 ch", PrepareConvIm2col},

    // DEPTHWISE_CONV_2D, depth multiplier 1 or a one-channel input.
    {"dw3x3-c16-columns-avx512vbmi", kOpDepthwiseConv2D, Isa::kAvx512Vbmi,
     "16 ch x 1 row, 3 taps per vpdpbusd (vpermb)", PrepareDepthwiseColumns},
    {"dw-rows-quads-vpermb-avx512vbmi", kOpDepthwiseConv2D, Isa::kAvx512Vbmi,
     "16 row elements, one filter row per vpdpbusd (vpermb)", PrepareDepthwiseRowQuads},
    {"dw-stem-quads-vpshufb-avx512vnni", kOpDepthwiseConv2D, Isa::kAvx512Vnni,
     "16 row elements of a 1-channel input, one filter row per vpdpbusd (vpshufb)",
     PrepareDepthwiseStemQuads},
    {"dw-rows-e16-avx512vnni", kOpDepthwiseConv2D, Isa::kAvx512Vnni,
     "16 row elements, vpdpwssd per tap", PrepareDepthwiseRows},
    {"dw-generic-c16-avx512vnni", kOpDepthwiseConv2D, Isa::kAvx512Vnni, "1 px x 16 ch",
     PrepareDepthwiseGeneric},
    {"dw-rows-e8-avx2", kOpDepthwiseConv2D, Isa::kAvx2, "8 row elements, vpmaddwd per tap",
     PrepareDepthwiseRows},
    {"dw-generic-c8-avx2", kOpDepthwiseConv2D, Isa::kAvx2, "1 px x 8 ch", PrepareDepthwiseGeneric},
    {"dw3x3-c16-columns-neondot", kOpDepthwiseConv2D, Isa::kNeonDot,
     "1 px x 16 ch, 3 taps per sdot (zipped column quads)", PrepareDepthwiseColumns},
    {"dw-rows-quads-tbl-neondot", kOpDepthwiseConv2D, Isa::kNeonDot,
     "16 row elements, one filter row per sdot (vqtbl2q/vqtbl4q)", PrepareDepthwiseRowQuads},
    {"dw-stem-quads-tbl-neondot", kOpDepthwiseConv2D, Isa::kNeonDot,
     "16 row elements of a 1-channel input, one filter row per sdot (vqtbl1q)",
     PrepareDepthwiseStemQuads},
    {"dw-rows-e16-neon", kOpDepthwiseConv2D, Isa::kNeon, "16 row elements, vmlal_s16 per tap",
     PrepareDepthwiseRows},
    {"dw-generic-c16-neon", kOpDepthwiseConv2D, Isa::kNeon, "1 px x 16 ch, vmlal_s16 per tap",
     PrepareDepthwiseGeneric},
    {"dw-generic-portable", kOpDepthwiseConv2D, Isa::kPortable, "1 px x 1 ch",
     PrepareDepthwiseGeneric},

    // AVERAGE_POOL_2D over the whole input.
    {"avgpool-global-c16-avx512vnni", kOpAveragePool2D, Isa::kAvx512Vnni,
     "16 ch, 32-bit reciprocal", PrepareGlobalAveragePool},
    {"avgpool-global-c16-neon", kOpAveragePool2D, Isa::kNeon, "16 ch, 32-bit reciprocal",
     PrepareGlobalAveragePool},
    {"avgpool-global-portable", kOpAveragePool2D, Isa::kPortable, "64 ch, 64-bit reciprocal",
     PrepareGlobalAveragePool},

    // ADD of equal shapes (residuals): TFLite's three rescalings per lane.
    {"add-e64-avx512vnni", kOpAdd, Isa::kAvx512Vnni, "64 elements, 4 x 16 int32 lanes",
     PrepareAddSameShape},
    {"add-e8-avx2", kOpAdd, Isa::kAvx2, "8 elements, int32 lanes", PrepareAddSameShape},
    {"add-e16-neon", kOpAdd, Isa::kNeon, "16 elements, 4 x 4 int32 lanes (vqrdmulh)",
     PrepareAddSameShape},
    {"add-portable", kOpAdd, Isa::kPortable, "1 element", PrepareAddSameShape},

    // FULLY_CONNECTED: the pointwise GEMM with one pixel per batch.
    {"fc-pointwise-c64-avx512vnni", kOpFullyConnected, Isa::kAvx512Vnni,
     "1 px x 64 units, vpdpbusd", PrepareFullyConnected},
    {"fc-pointwise-c16-avx2", kOpFullyConnected, Isa::kAvx2, "1 px x 16 units, vpmaddwd",
     PrepareFullyConnected},
    {"fc-pointwise-c16-neondot", kOpFullyConnected, Isa::kNeonDot,
     "1 px x 16 units x 16 deep, sdot by lane", PrepareFullyConnected},
    {"fc-pointwise-c4-neon", kOpFullyConnected, Isa::kNeon,
     "1 px x 4 units x 16 deep, smull+smlal2+sadalp", PrepareFullyConnected},
    {"fc-portable", kOpFullyConnected, Isa::kPortable, "1 unit", PrepareFullyConnected},

    // QUANTIZE 8-bit -> 8-bit: a 256-byte table of the reference's outputs.
    {"quantize8-table256-vpermi2b-avx512vbmi", kOpQuantize, Isa::kAvx512Vbmi,
     "64 bytes, 2 vpermi2b + blend", PrepareQuantizeTable},
    {"quantize8-table256-tbl-neon", kOpQuantize, Isa::kNeon, "16 bytes, vqtbl4q + 3 vqtbx4q",
     PrepareQuantizeTable},
    {"quantize8-table256-portable", kOpQuantize, Isa::kPortable, "1 byte", PrepareQuantizeTable},

    // PAD: unpadded trailing axes folded, whole rows copied.
    {"pad-folded-rows-portable", kOpPad, Isa::kPortable, "1 row of the folded axes",
     PreparePadFolded},

    // TRANSPOSE NCHW -> NHWC of bytes (PyTorch exports' input).
    {"transpose-planes-to-pixels-portable", kOpTranspose, Isa::kPortable, "1 pixel, C planes",
     PrepareTransposePlanesToPixels},

    // MEAN over contiguous axes (global spatial mean): [outer][reduced][inner]
    // folded, sums over whole rows of channels, the reference's requantization.
    {"mean-folded-c256-portable", kOpMean, Isa::kPortable,
     "256 channels x 1 row of the reduced axes", PrepareMeanFolded},

    // SOFTMAX int8: the reference's exp and summand for each of the 256 differences, tabulated.
    {"softmax-table256-portable", kOpSoftmax, Isa::kPortable,
     "1 element: a lookup, then the reference's reciprocal multiply", PrepareSoftmaxTable},

    // RESHAPE: the output shares the input's memory (a copy only for a constant input).
    {"reshape-alias-portable", kOpReshape, Isa::kPortable, "0 bytes moved", PrepareReshapeAlias},
};

const KernelForm* g_form_override = nullptr;

}  // namespace

const KernelForm* KernelForms() { return kForms; }
size_t KernelFormCount() { return sizeof(kForms) / sizeof(kForms[0]); }

const KernelForm* FindKernelForm(const char* name) {
  for (const KernelForm& f : kForms)
    if (std::strcmp(f.name, name) == 0) return &f;
  return nullptr;
}

void SetFormOverride(const KernelForm* form) { g_form_override = form; }
void ClearFormOverride() { g_form_override = nullptr; }

bool PrepareFromTable(Node& node) {
  const Isa active = ActiveIsa();
  for (const KernelForm& f : kForms) {
    if (f.opcode != node.opcode || !IsaIncludes(active, f.isa)) continue;
    if (g_form_override && g_form_override != &f) continue;
    // A declining prepare may have set any of these.
    node.data = nullptr;
    node.scratch_bytes = 0;
    node.eval = nullptr;
    node.output_aliases_input = false;
    node.eval_parts = nullptr;
    node.parts = 0;
    if (f.prepare(node, f.isa)) {
      node.form = f.name;
      return true;
    }
  }
  node.data = nullptr;
  node.output_aliases_input = false;
  node.eval_parts = nullptr;
  node.parts = 0;
  return false;
}

}  // namespace vww::fast
