// MAX_POOL_2D, int8. Input and output share quantization, so the max of the
// raw int8 values is the quantized max.
#include <algorithm>
#include <limits>

#include "model/kernels/pool_common.h"
#include "model/kernels/reference.h"

namespace vww {

namespace ref {

void MaxPool(const PoolParams& p, const Shape& input_shape, const int8_t* input,
             const Shape& output_shape, int8_t* output) {
  PoolWindows(p, input_shape, input, output_shape, output,
              [](const int8_t* first, int rows, int cols, int row_step, int col_step) {
                // Padded pixels are skipped, not read as the zero point: TFLite's
                // max starts from the lowest int8 and sees only in-bounds pixels.
                int32_t max = std::numeric_limits<int8_t>::lowest();
                for (int fy = 0; fy < rows; ++fy)
                  for (int fx = 0; fx < cols; ++fx)
                    max = std::max<int32_t>(max, first[fy * row_step + fx * col_step]);
                return max;
              });
}

}  // namespace ref

namespace {
bool Prepare(Node& node) { return PrepareReferencePool(node, ref::MaxPool); }
}  // namespace

extern const KernelRegistration kMaxPool2DReference = {kOpMaxPool2D, Prepare};

}  // namespace vww
