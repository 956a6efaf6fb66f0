// AVERAGE_POOL_2D, int8. Input and output share quantization, so the kernel
// averages raw int8 values.
#include "model/kernels/pool_common.h"
#include "model/kernels/reference.h"

namespace vww {

namespace ref {

void AveragePool(const PoolParams& p, const Shape& input_shape, const int8_t* input,
                 const Shape& output_shape, int8_t* output) {
  PoolWindows(p, input_shape, input, output_shape, output,
              [](const int8_t* first, int rows, int cols, int row_step, int col_step) {
                const int count = rows * cols;
                int32_t acc = 0;
                for (int fy = 0; fy < rows; ++fy)
                  for (int fx = 0; fx < cols; ++fx) acc += first[fy * row_step + fx * col_step];
                // Prepare guarantees count > 0. Rounds half away from zero.
                return acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
              });
}

}  // namespace ref

namespace {
bool Prepare(Node& node) { return PrepareReferencePool(node, ref::AveragePool); }
}  // namespace

extern const KernelRegistration kAveragePool2DReference = {kOpAveragePool2D, Prepare};

}  // namespace vww
