// MAX_POOL_2D, PAD, CONCATENATION and TRANSPOSE: the pure reference functions
// and the whole prepare + eval path on one-operator models, against values
// worked out by hand in the comments.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "model/kernels/reference.h"
#include "model/model.h"
#include "model_builder.h"

namespace vww {
namespace {

using test::ModelBuilder;

// TFLite type numbers, as stored in the file.
constexpr int kF32 = 0, kI32 = 2, kU8 = 3, kI64 = 4, kI8 = 9;

ModelBuilder::TensorSpec Act(std::vector<int> shape, int type, float scale, int zero_point) {
  ModelBuilder::TensorSpec t;
  t.shape = std::move(shape);
  t.type = type;
  if (scale > 0) {
    t.scales = {scale};
    t.zero_points = {zero_point};
  }
  return t;
}

// Loads the model and prepares it; the model must outlive the interpreter.
struct Harness {
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
  explicit Harness(std::vector<uint8_t> bytes) {
    model = Model::FromBytes(std::move(bytes));
    interp = std::make_unique<Interpreter>(*model);
  }
  template <typename T>
  void Set(int i, const std::vector<T>& v) {
    ASSERT_EQ(interp->input(i).bytes, v.size() * sizeof(T));
    std::memcpy(interp->input(i).data, v.data(), interp->input(i).bytes);
  }
  template <typename T>
  std::vector<T> Run() {
    interp->Invoke();
    const Tensor& out = interp->output();
    std::vector<T> v(out.bytes / sizeof(T));
    std::memcpy(v.data(), out.data, out.bytes);
    return v;
  }
};

// The message of the Error that loading + preparing throws ("" if none).
std::string PrepareError(std::vector<uint8_t> bytes) {
  try {
    Harness h(std::move(bytes));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_NODE_ERROR(bytes, node, text)             \
  do {                                                   \
    const std::string msg = PrepareError(bytes);         \
    EXPECT_NE(msg.find(node), std::string::npos) << msg; \
    EXPECT_NE(msg.find(text), std::string::npos) << msg; \
  } while (0)

std::vector<int8_t> I8(std::initializer_list<int> v) { return {v.begin(), v.end()}; }

// ---------------------------------------------------------------- MAX_POOL_2D

auto PoolOptions(int padding, int stride, int filter, int activation) {
  return [=](flatbuffers::FlatBufferBuilder& f) {
    return tflite::CreatePool2DOptions(f, padding, stride, stride, filter, filter, activation)
        .Union();
  };
}

std::vector<uint8_t> MaxPoolModel(std::vector<int> in_shape, std::vector<int> out_shape,
                                  int padding, int stride, int filter, int activation,
                                  float in_scale = 0.5f, int in_zp = 5, float out_scale = 0.5f,
                                  int out_zp = 5) {
  ModelBuilder b;
  const int in = b.AddTensor(Act(in_shape, kI8, in_scale, in_zp));
  const int out = b.AddTensor(Act(out_shape, kI8, out_scale, out_zp));
  b.AddOp({kOpMaxPool2D,
           {in},
           {out},
           tflite::BuiltinOptions_Pool2DOptions,
           PoolOptions(padding, stride, filter, activation)});
  return b.Build({in}, {out});
}

TEST(MaxPool, RefValid2x2Stride2) {
  ref::PoolParams p;
  p.stride_h = p.stride_w = 2;
  p.filter_h = p.filter_w = 2;
  const auto in = I8({1, 2, 3, 4,      //
                      5, 6, 7, 8,      //
                      -1, -2, -3, -4,  //
                      -5, -6, -7, -8});
  std::vector<int8_t> out(4);
  ref::MaxPool(p, Shape{1, 4, 4, 1}, in.data(), Shape{1, 2, 2, 1}, out.data());
  // Window maxima: {1,2,5,6}, {3,4,7,8}, {-1,-2,-5,-6}, {-3,-4,-7,-8}.
  EXPECT_EQ(out, I8({6, 8, -1, -3}));
}

TEST(MaxPool, SamePaddingIsNeverPartOfTheMax) {
  // 3x3 SAME stride 2 filter 2: 2x2 output, 0 padding before, the odd pixel
  // after, so the right column and bottom row windows are clipped. Every
  // value is below the zero point (5) and below 0: a padded pixel read as
  // either would win.
  Harness h(MaxPoolModel({1, 3, 3, 2}, {1, 2, 2, 2}, /*SAME*/ 0, 2, 2, 0));
  // Channel 0 rows: -60 -50 -40 / -30 -20 -90 / -70 -80 -100.
  // Channel 1 rows: -1 -128 -7 / -9 -3 -2 / -128 -5 -128.
  h.Set(0, I8({-60, -1, -50, -128, -40, -7,  //
               -30, -9, -20, -3, -90, -2,    //
               -70, -128, -80, -5, -100, -128}));
  // (0,0): max{-60,-50,-30,-20}=-20, max{-1,-128,-9,-3}=-1
  // (0,1): max{-40,-90}=-40, max{-7,-2}=-2
  // (1,0): max{-70,-80}=-70, max{-128,-5}=-5
  // (1,1): -100, -128
  EXPECT_EQ(h.Run<int8_t>(), I8({-20, -1, -40, -2, -70, -5, -100, -128}));
}

TEST(MaxPool, Relu6ClampsToTheQuantizedRange) {
  // scale 0.05, zero point -10: RELU6 keeps [-10 + 0/0.05, -10 + 6/0.05] = [-10, 110].
  Harness h(MaxPoolModel({1, 1, 7, 1}, {1, 1, 7, 1}, /*VALID*/ 1, 1, 1, /*RELU6*/ 3, 0.05f, -10,
                         0.05f, -10));
  h.Set(0, I8({-128, -11, -10, 50, 110, 111, 127}));
  EXPECT_EQ(h.Run<int8_t>(), I8({-10, -10, -10, 50, 110, 110, 110}));
}

TEST(MaxPool, ReluAndStrideOneOverlappingWindows) {
  // VALID 2x2 stride 1 on 1x2x3x1, RELU with zero point 5 clamps below 5.
  Harness h(MaxPoolModel({1, 2, 3, 1}, {1, 1, 2, 1}, 1, 1, 2, /*RELU*/ 1));
  h.Set(0, I8({-3, 4, 1,  //
               2, 0, 9}));
  // Windows {-3,4,2,0} -> 4 -> clamp 5; {4,1,0,9} -> 9.
  EXPECT_EQ(h.Run<int8_t>(), I8({5, 9}));
}

TEST(MaxPool, Errors) {
  EXPECT_NODE_ERROR(MaxPoolModel({1, 4, 4, 1}, {1, 2, 2, 1}, 1, 2, 2, 0, 0.5f, 5, 0.25f, 5),
                    "node 0 (MAX_POOL_2D)", "quantization");
  EXPECT_NODE_ERROR(MaxPoolModel({1, 4, 4, 1}, {1, 3, 3, 1}, 1, 2, 2, 0), "node 0 (MAX_POOL_2D)",
                    "does not match");
  EXPECT_NODE_ERROR(MaxPoolModel({1, 4, 4, 1}, {1, 2, 2, 1}, 1, 2, 2, /*TANH*/ 4),
                    "node 0 (MAX_POOL_2D)", "fused activation");
}

// ------------------------------------------------------------------------ PAD

TEST(Pad, Ref2D) {
  ref::PadParams p;
  p.before[0] = 1;
  p.after[0] = 0;
  p.before[1] = 2;
  p.after[1] = 1;
  const std::vector<uint8_t> in = {1, 2, 3, 4, 5, 6};
  std::vector<uint8_t> out(18, 0xEE);
  ref::Pad(p, Shape{2, 3}, in.data(), 7, Shape{3, 6}, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{7, 7, 7, 7, 7, 7,  //
                                       7, 7, 1, 2, 3, 7,  //
                                       7, 7, 4, 5, 6, 7}));
}

template <typename P>
std::vector<uint8_t> PadModel(ModelBuilder::TensorSpec in_spec, ModelBuilder::TensorSpec out_spec,
                              int paddings_type, std::vector<int> paddings_shape,
                              const std::vector<P>& paddings, bool paddings_constant = true) {
  ModelBuilder b;
  const int in = b.AddTensor(std::move(in_spec));
  int pad;
  if (paddings_constant) {
    pad = b.AddConstant<P>(paddings_shape, paddings_type, paddings);
  } else {
    pad = b.AddTensor(Act(paddings_shape, paddings_type, 0, 0));
  }
  const int out = b.AddTensor(std::move(out_spec));
  b.AddOp({kOpPad, {in, pad}, {out}});
  std::vector<int> inputs = {in};
  if (!paddings_constant) inputs.push_back(pad);
  return b.Build(inputs, {out});
}

TEST(Pad, ImageStyleInt8PadsWithTheZeroPoint) {
  // As the PyTorch MobileNetV2's PADs: [[0,0],[1,1],[1,1],[0,0]], zero point -14.
  Harness h(PadModel<int32_t>(Act({1, 2, 2, 1}, kI8, 0.0186f, -14),
                              Act({1, 4, 4, 1}, kI8, 0.0186f, -14), kI32, {4, 2},
                              {0, 0, 1, 1, 1, 1, 0, 0}));
  h.Set(0, I8({1, 2, 3, 4}));
  EXPECT_EQ(h.Run<int8_t>(), I8({-14, -14, -14, -14,  //
                                 -14, 1, 2, -14,      //
                                 -14, 3, 4, -14,      //
                                 -14, -14, -14, -14}));
}

TEST(Pad, Uint8Rank3Int64Paddings) {
  // Input 2x1x2 {10,20 | 30,40}, paddings [[1,0],[0,2],[0,1]] -> 3x3x3, pad 200.
  Harness h(PadModel<int64_t>(Act({2, 1, 2}, kU8, 0.1f, 200), Act({3, 3, 3}, kU8, 0.1f, 200), kI64,
                              {3, 2}, {1, 0, 0, 2, 0, 1}));
  h.Set(0, std::vector<uint8_t>{10, 20, 30, 40});
  const uint8_t z = 200;
  EXPECT_EQ(h.Run<uint8_t>(), (std::vector<uint8_t>{z,  z,  z, z, z, z, z, z, z,     // a = 0
                                                    10, 20, z, z, z, z, z, z, z,     // a = 1
                                                    30, 40, z, z, z, z, z, z, z}));  // a = 2
}

TEST(Pad, UnquantizedInt8PadsWithZero) {
  Harness h(PadModel<int32_t>(Act({2}, kI8, 0, 0), Act({5}, kI8, 0, 0), kI32, {1, 2}, {2, 1}));
  h.Set(0, I8({5, -5}));
  EXPECT_EQ(h.Run<int8_t>(), I8({0, 0, 5, -5, 0}));
}

TEST(Pad, Rank5) {
  // 1x1x1x1x2 {9, 8}, one row before on axis 2 and one element after on axis 4.
  Harness h(PadModel<int32_t>(Act({1, 1, 1, 1, 2}, kI8, 1.0f, 3),
                              Act({1, 1, 2, 1, 3}, kI8, 1.0f, 3), kI32, {5, 2},
                              {0, 0, 0, 0, 1, 0, 0, 0, 0, 1}));
  h.Set(0, I8({9, 8}));
  EXPECT_EQ(h.Run<int8_t>(), I8({3, 3, 3, 9, 8, 3}));
}

TEST(Pad, Errors) {
  const char* node = "node 0 (PAD)";
  EXPECT_NODE_ERROR(
      PadModel<int32_t>(Act({2}, kI8, 1.0f, 0), Act({2}, kI8, 1.0f, 0), kI32, {1, 2}, {-1, 1}),
      node, "out of range");
  EXPECT_NODE_ERROR(PadModel<int32_t>(Act({2}, kI8, 1.0f, 0), Act({5}, kI8, 1.0f, 0), kI32, {1, 2},
                                      {2, 1}, /*constant=*/false),
                    node, "constant");
  EXPECT_NODE_ERROR(
      PadModel<int32_t>(Act({2}, kI8, 1.0f, 0), Act({6}, kI8, 1.0f, 0), kI32, {1, 2}, {2, 1}), node,
      "does not match");
  EXPECT_NODE_ERROR(
      PadModel<int32_t>(Act({2}, kI8, 1.0f, 0), Act({5}, kI8, 0.5f, 0), kI32, {1, 2}, {2, 1}), node,
      "quantization differ");
  EXPECT_NODE_ERROR(
      PadModel<int32_t>(Act({2}, kI8, 1.0f, 0), Act({5}, kI8, 1.0f, 0), kI32, {2, 1}, {2, 1}), node,
      "paddings shape");
  EXPECT_NODE_ERROR(PadModel<int32_t>(Act({1, 1, 1, 1, 1, 1}, kI8, 1.0f, 0),
                                      Act({1, 1, 1, 1, 1, 1}, kI8, 1.0f, 0), kI32, {6, 2},
                                      std::vector<int32_t>(12, 0)),
                    node, "rank");
  EXPECT_NODE_ERROR(
      PadModel<int32_t>(Act({2}, kF32, 0, 0), Act({5}, kF32, 0, 0), kI32, {1, 2}, {2, 1}), node,
      "int8 or uint8");
  EXPECT_NODE_ERROR(PadModel<int64_t>(Act({2}, kI8, 1.0f, 0), Act({2}, kI8, 1.0f, 0), kI64, {1, 2},
                                      {int64_t{1} << 32, 0}),
                    node, "out of range");
}

// -------------------------------------------------------------- CONCATENATION

auto ConcatOptions(int axis, int activation) {
  return [=](flatbuffers::FlatBufferBuilder& f) {
    return tflite::CreateConcatenationOptions(f, axis, activation).Union();
  };
}

std::vector<uint8_t> ConcatModel(std::vector<ModelBuilder::TensorSpec> ins,
                                 ModelBuilder::TensorSpec out_spec, int axis, int activation = 0) {
  ModelBuilder b;
  std::vector<int> in_ids;
  for (auto& s : ins) in_ids.push_back(b.AddTensor(std::move(s)));
  const int out = b.AddTensor(std::move(out_spec));
  b.AddOp({kOpConcatenation,
           in_ids,
           {out},
           tflite::BuiltinOptions_ConcatenationOptions,
           ConcatOptions(axis, activation)});
  return b.Build(in_ids, {out});
}

TEST(Concatenation, RefAxis1) {
  const Shape s0{2, 1}, s1{2, 2};
  const Shape* shapes[] = {&s0, &s1};
  const auto a = I8({1, 2}), b = I8({3, 4, 5, 6});
  const int8_t* data[] = {a.data(), b.data()};
  const float scales[] = {1.0f, 1.0f};
  const int32_t zps[] = {0, 0};
  ref::ConcatenationParams p;
  p.axis = 1;
  p.inputs_count = 2;
  p.input_scales = scales;
  p.input_zero_points = zps;
  p.output_scale = 1.0f;
  std::vector<int8_t> out(6);
  ref::Concatenation(p, shapes, data, Shape{2, 3}, out.data());
  EXPECT_EQ(out, I8({1, 3, 4, 2, 5, 6}));
}

TEST(Concatenation, ChannelsWithNegativeAxis) {
  Harness h(ConcatModel({Act({1, 2, 2, 1}, kI8, 0.1f, 3), Act({1, 2, 2, 2}, kI8, 0.1f, 3)},
                        Act({1, 2, 2, 3}, kI8, 0.1f, 3), -1));
  h.Set(0, I8({1, 2, 3, 4}));
  h.Set(1, I8({10, 11, 20, 21, 30, 31, 40, 41}));
  EXPECT_EQ(h.Run<int8_t>(), I8({1, 10, 11, 2, 20, 21, 3, 30, 31, 4, 40, 41}));
}

TEST(Concatenation, ThreeInputsAxis0) {
  Harness h(
      ConcatModel({Act({1, 2}, kI8, 0.1f, 0), Act({2, 2}, kI8, 0.1f, 0), Act({1, 2}, kI8, 0.1f, 0)},
                  Act({4, 2}, kI8, 0.1f, 0), 0));
  h.Set(0, I8({1, 2}));
  h.Set(1, I8({3, 4, 5, 6}));
  h.Set(2, I8({7, 8}));
  EXPECT_EQ(h.Run<int8_t>(), I8({1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(Concatenation, RequantizesInputsWithOtherQuantizationAndSaturates) {
  // Input 0: scale 0.5, zp 0 into scale 0.25, zp 10: q -> 2q + 10, saturated.
  // Input 1 has the output's quantization: copied as is.
  Harness h(ConcatModel({Act({1, 4}, kI8, 0.5f, 0), Act({1, 2}, kI8, 0.25f, 10)},
                        Act({1, 6}, kI8, 0.25f, 10), 1));
  h.Set(0, I8({0, 3, 60, -70}));
  h.Set(1, I8({127, -128}));
  // 0 -> 10, 3 -> 16, 60 -> 130 -> 127, -70 -> -130 -> -128.
  EXPECT_EQ(h.Run<int8_t>(), I8({10, 16, 127, -128, 127, -128}));
}

TEST(Concatenation, RequantizeRoundsHalfAwayFromZero) {
  // scale 0.25, zp 1 into scale 0.5, zp 0: s = 0.5, b = -0.5, real = q/2 - 0.5.
  Harness h(ConcatModel({Act({7}, kI8, 0.25f, 1)}, Act({7}, kI8, 0.5f, 0), 0));
  h.Set(0, I8({2, 0, 1, -1, 4, -2, 3}));
  // 0.5 -> 1, -0.5 -> -1, 0 -> 0, -1 -> -1, 1.5 -> 2, -1.5 -> -2, 1 -> 1.
  EXPECT_EQ(h.Run<int8_t>(), I8({1, -1, 0, -1, 2, -2, 1}));
}

TEST(Concatenation, Errors) {
  const char* node = "node 0 (CONCATENATION)";
  EXPECT_NODE_ERROR(ConcatModel({Act({1, 2}, kI8, 1.0f, 0), Act({1, 2}, kI8, 1.0f, 0)},
                                Act({1, 4}, kI8, 1.0f, 0), 1, /*RELU*/ 1),
                    node, "fused activation");
  EXPECT_NODE_ERROR(ConcatModel({Act({1, 2}, kI8, 1.0f, 0), Act({1, 2}, kI8, 1.0f, 0)},
                                Act({1, 4}, kI8, 1.0f, 0), 2),
                    node, "axis 2");
  EXPECT_NODE_ERROR(ConcatModel({Act({1, 2}, kI8, 1.0f, 0), Act({1, 2}, kI8, 1.0f, 0)},
                                Act({1, 4}, kI8, 1.0f, 0), -3),
                    node, "axis -3");
  EXPECT_NODE_ERROR(ConcatModel({Act({1, 2}, kI8, 1.0f, 0), Act({2, 2}, kI8, 1.0f, 0)},
                                Act({1, 4}, kI8, 1.0f, 0), 1),
                    node, "input 1 shape");
  EXPECT_NODE_ERROR(ConcatModel({Act({1, 2}, kI8, 1.0f, 0), Act({1, 2}, kI8, 1.0f, 0)},
                                Act({1, 5}, kI8, 1.0f, 0), 1),
                    node, "sum 4");
  EXPECT_NODE_ERROR(ConcatModel({Act({1, 2}, kI8, 1.0f, 0), Act({1, 2}, kU8, 1.0f, 0)},
                                Act({1, 4}, kI8, 1.0f, 0), 1),
                    node, "input 1 has type uint8");
  EXPECT_NODE_ERROR(ConcatModel({Act({1, 2}, kI8, 1.0f, 0), Act({2}, kI8, 1.0f, 0)},
                                Act({1, 4}, kI8, 1.0f, 0), 1),
                    node, "rank");
}

// ------------------------------------------------------------------ TRANSPOSE

TEST(Transpose, Ref2D) {
  ref::TransposeParams p;
  p.perm[0] = 1;
  p.perm[1] = 0;
  const std::vector<uint8_t> in = {1, 2, 3, 4, 5, 6};
  std::vector<uint8_t> out(6);
  ref::Transpose(p, Shape{2, 3}, in.data(), 1, Shape{3, 2}, out.data());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 4, 2, 5, 3, 6}));
}

template <typename P>
std::vector<uint8_t> TransposeModel(ModelBuilder::TensorSpec in_spec,
                                    ModelBuilder::TensorSpec out_spec, int perm_type,
                                    const std::vector<P>& perm, bool perm_constant = true) {
  ModelBuilder b;
  const int in = b.AddTensor(std::move(in_spec));
  const int n = static_cast<int>(perm.size());
  const int pm = perm_constant ? b.AddConstant<P>({n}, perm_type, perm)
                               : b.AddTensor(Act({n}, perm_type, 0, 0));
  const int out = b.AddTensor(std::move(out_spec));
  b.AddOp({kOpTranspose, {in, pm}, {out}});
  std::vector<int> inputs = {in};
  if (!perm_constant) inputs.push_back(pm);
  return b.Build(inputs, {out});
}

TEST(Transpose, NchwToNhwc) {
  // The PyTorch MobileNetV2's first op: [1,3,2,2] with perm [0,2,3,1].
  Harness h(TransposeModel<int32_t>(Act({1, 3, 2, 2}, kI8, 0.0186f, -14),
                                    Act({1, 2, 2, 3}, kI8, 0.0186f, -14), kI32, {0, 2, 3, 1}));
  // value = 10 * channel + 2 * row + column.
  h.Set(0, I8({0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23}));
  EXPECT_EQ(h.Run<int8_t>(), I8({0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23}));
}

TEST(Transpose, Int32ElementsInt64Perm) {
  // in[a][0][c] = 1000000 + 100a + c, shape 2x1x3, perm [2,0,1] -> 3x2x1,
  // out[i][j][0] = in[j][0][i].
  Harness h(TransposeModel<int64_t>(Act({2, 1, 3}, kI32, 0, 0), Act({3, 2, 1}, kI32, 0, 0), kI64,
                                    {2, 0, 1}));
  h.Set(0, std::vector<int32_t>{1000000, 1000001, 1000002, 1000100, 1000101, 1000102});
  EXPECT_EQ(h.Run<int32_t>(),
            (std::vector<int32_t>{1000000, 1000100, 1000001, 1000101, 1000002, 1000102}));
}

TEST(Transpose, Rank6Reversal) {
  // Shape 2x1x3x1x2x1 reversed -> 1x2x1x3x1x2. With a, c, e the non-unit
  // indices, in flat = (a*3 + c)*2 + e holds that value; out flat = (e*3 + c)*2 + a.
  Harness h(TransposeModel<int32_t>(Act({2, 1, 3, 1, 2, 1}, kI8, 1.0f, 0),
                                    Act({1, 2, 1, 3, 1, 2}, kI8, 1.0f, 0), kI32,
                                    {5, 4, 3, 2, 1, 0}));
  h.Set(0, I8({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(h.Run<int8_t>(), I8({0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11}));
}

TEST(Transpose, Rank1Identity) {
  Harness h(TransposeModel<int32_t>(Act({3}, kU8, 0, 0), Act({3}, kU8, 0, 0), kI32, {0}));
  h.Set(0, std::vector<uint8_t>{7, 8, 9});
  EXPECT_EQ(h.Run<uint8_t>(), (std::vector<uint8_t>{7, 8, 9}));
}

TEST(Transpose, Errors) {
  const char* node = "node 0 (TRANSPOSE)";
  auto model = [](std::vector<int32_t> perm, std::vector<int> out_shape = {3, 2}) {
    return TransposeModel<int32_t>(Act({2, 3}, kI8, 1.0f, 0), Act(out_shape, kI8, 1.0f, 0), kI32,
                                   perm);
  };
  EXPECT_NODE_ERROR(model({0, 0}), node, "not a permutation");
  EXPECT_NODE_ERROR(model({-1, 0}), node, "not a permutation");
  EXPECT_NODE_ERROR(model({1, 2}), node, "not a permutation");
  EXPECT_NODE_ERROR(model({0, 1}), node, "permuted");
  EXPECT_NODE_ERROR(model({1, 0, 2}), node, "perm shape");
  EXPECT_NODE_ERROR(TransposeModel<int32_t>(Act({2, 3}, kI8, 1.0f, 0), Act({3, 2}, kI8, 1.0f, 0),
                                            kI32, {1, 0}, /*constant=*/false),
                    node, "constant");
  EXPECT_NODE_ERROR(
      TransposeModel<int32_t>(Act({2, 3}, kI8, 1.0f, 0), Act({3, 2}, kI8, 0.5f, 0), kI32, {1, 0}),
      node, "quantization differ");
  EXPECT_NODE_ERROR(
      TransposeModel<int32_t>(Act({2, 3}, kI8, 1.0f, 0), Act({3, 2}, kU8, 1.0f, 0), kI32, {1, 0}),
      node, "output has type uint8");
}

}  // namespace
}  // namespace vww
