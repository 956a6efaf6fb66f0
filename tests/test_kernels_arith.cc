// FULLY_CONNECTED, ADD, MUL, MEAN, LOGISTIC, QUANTIZE and DEQUANTIZE: the pure
// reference functions and the whole prepare + eval path on one-operator
// models. Expected values are worked out by hand in the comments, or come
// from an oracle written here independently of the runtime: the real-valued
// formula in double, rounded the way TFLite documents its fixed-point
// requantization (see Scale below).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model/kernels/reference.h"
#include "model/model.h"
#include "model_builder.h"

namespace vww {
namespace {

using test::ModelBuilder;

// TFLite type numbers, as stored in the file.
constexpr int kF32 = 0, kI32 = 2, kU8 = 3, kI8 = 9;

// ------------------------------------------------------------------ oracle

// floor(n / d) for d > 0.
__int128 FloorDiv(__int128 n, __int128 d) {
  __int128 q = n / d;
  if (n % d != 0 && n < 0) --q;
  return q;
}

// n / d rounded to nearest, ties away from zero, for d > 0.
__int128 RoundHalfAway(__int128 n, __int128 d) {
  return n >= 0 ? (n + d / 2) / d : -((-n + d / 2) / d);
}

// x times a real multiplier m the way TFLite does it in integers: m = q * 2^(e - 31)
// with q = round(frac(m) * 2^31) in [2^30, 2^31]; x * 2^max(e, 0) * q / 2^31
// rounded half up (gemmlowp's SaturatingRoundingDoublingHighMul), then divided
// by 2^max(-e, 0) rounded half away from zero (RoundingDivideByPOT).
int64_t Scale(int64_t x, double m) {
  if (m == 0.0) return 0;
  int e = 0;
  const double f = std::frexp(m, &e);
  int64_t q = std::llround(f * 2147483648.0);
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++e;
  }
  const __int128 v = static_cast<__int128>(x) * (__int128{1} << std::max(e, 0)) * q;
  __int128 r = FloorDiv(v + (__int128{1} << 30), __int128{1} << 31);
  if (e < 0) r = RoundHalfAway(r, __int128{1} << -e);
  return static_cast<int64_t>(r);
}

int Clamp(int64_t v, int lo = -128, int hi = 127) {
  return static_cast<int>(std::min<int64_t>(std::max<int64_t>(v, lo), hi));
}

// Rounds half away from zero, as std::round.
int64_t RoundReal(double v) { return static_cast<int64_t>(std::round(v)); }

// ------------------------------------------------------------------ harness

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

struct Harness {
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interp;
  explicit Harness(std::vector<uint8_t> bytes) {
    model = Model::FromBytes(std::move(bytes), "tiny");
    interp = std::make_unique<Interpreter>(*model, Backend::kReference);
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
std::vector<uint8_t> U8(std::initializer_list<int> v) { return {v.begin(), v.end()}; }

std::vector<int8_t> RandomI8(std::mt19937& rng, size_t n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// ---------------------------------------------------------- FULLY_CONNECTED

auto FcOptions(int activation, bool keep_num_dims) {
  return [=](flatbuffers::FlatBufferBuilder& f) {
    return tflite::CreateFullyConnectedOptions(f, activation, 0, keep_num_dims).Union();
  };
}

struct FcSpec {
  std::vector<int> in_shape, out_shape;
  int units = 0, depth = 0;
  float in_scale = 0.5f;
  int in_zp = 0;
  std::vector<float> w_scales = {0.25f};
  std::vector<int64_t> w_zps = {0};
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;  // empty: no bias input
  float out_scale = 0.25f;
  int out_zp = 0;
  int activation = 0;
  bool keep_num_dims = false;
  int weight_type = kI8;
};

std::vector<uint8_t> FcModel(const FcSpec& s) {
  ModelBuilder b;
  const int in = b.AddTensor(Act(s.in_shape, kI8, s.in_scale, s.in_zp));
  const int w = b.AddConstant({s.units, s.depth}, s.weight_type, s.weights, s.w_scales, s.w_zps);
  std::vector<int> inputs = {in, w};
  if (!s.bias.empty()) {
    std::vector<float> bias_scales;
    for (float ws : s.w_scales) bias_scales.push_back(ws * s.in_scale);
    inputs.push_back(b.AddConstant({s.units}, kI32, s.bias, bias_scales,
                                   std::vector<int64_t>(bias_scales.size(), 0)));
  }
  const int out = b.AddTensor(Act(s.out_shape, kI8, s.out_scale, s.out_zp));
  b.AddOp({kOpFullyConnected,
           inputs,
           {out},
           tflite::BuiltinOptions_FullyConnectedOptions,
           FcOptions(s.activation, s.keep_num_dims)});
  return b.Build({in}, {out});
}

TEST(FullyConnected, HandComputedPerTensor) {
  // Multiplier 0.5 * 0.25 / 0.25 = 0.5 exactly, so output = round(acc / 2).
  FcSpec s;
  s.in_shape = {1, 4};
  s.out_shape = {1, 3};
  s.units = 3;
  s.depth = 4;
  s.in_zp = 1;
  s.weights = I8({1, 2, 3, 4,   //
                  -1, 0, 1, 0,  //
                  10, 10, 10, 10});
  s.bias = {3, 0, -200};
  Harness h(FcModel(s));
  h.Set(0, I8({2, 3, 4, 5}));  // minus zero point: 1 2 3 4
  // unit 0: 1+4+9+16 = 30, +3 = 33 -> 16.5 -> 17 (half away from zero)
  // unit 1: -1+3 = 2 -> 1
  // unit 2: 100 - 200 = -100 -> -50
  EXPECT_EQ(h.Run<int8_t>(), I8({17, 1, -50}));
}

TEST(FullyConnected, SaturatesAndAppliesRelu) {
  FcSpec s;
  s.in_shape = {2, 2};
  s.out_shape = {2, 2};
  s.units = 2;
  s.depth = 2;
  s.weights = I8({127, 127, -127, -127});
  s.out_zp = -20;
  s.activation = 1;  // RELU: clamp below at the zero point, -20
  Harness h(FcModel(s));
  h.Set(0, I8({100, 100, -3, 1}));
  // batch 0: unit0 25400/2 = 12700 -> 127 (saturated); unit1 -12700 -> -20 (relu)
  // batch 1: unit0 127 * -2 = -254 -> -127 - 20 = -147 -> -20; unit1 254 -> 127 - 20 = 107
  EXPECT_EQ(h.Run<int8_t>(), I8({127, -20, -20, 107}));
}

TEST(FullyConnected, RandomPerChannelMatchesOracle) {
  std::mt19937 rng(7);
  FcSpec s;
  s.in_shape = {3, 37};
  s.out_shape = {3, 5};
  s.units = 5;
  s.depth = 37;
  s.in_scale = 0.0173f;
  s.in_zp = -11;
  s.w_scales = {0.0031f, 0.0123f, 0.0007f, 0.02f, 0.0049f};
  s.w_zps = {0, 0, 0, 0, 0};
  s.weights = RandomI8(rng, 5 * 37, -127, 127);
  s.bias = {1500, -800, 0, 12345, -4};
  s.out_scale = 0.0451f;
  s.out_zp = 9;
  Harness h(FcModel(s));
  const auto x = RandomI8(rng, 3 * 37);
  h.Set(0, x);
  const auto got = h.Run<int8_t>();
  for (int b = 0; b < 3; ++b)
    for (int u = 0; u < 5; ++u) {
      int64_t acc = s.bias[u];
      double real = 0;
      for (int d = 0; d < 37; ++d) {
        acc += int64_t{s.weights[u * 37 + d]} * (x[b * 37 + d] - s.in_zp);
      }
      const double m = double(s.in_scale) * double(s.w_scales[u]) / double(s.out_scale);
      real = double(acc) * m;
      const int want = Clamp(Scale(acc, m) + s.out_zp);
      EXPECT_EQ(got[b * 5 + u], want) << "batch " << b << " unit " << u;
      // And within one step of the exact real-valued result.
      EXPECT_LE(std::abs(got[b * 5 + u] - Clamp(RoundReal(real) + s.out_zp)), 1);
    }
}

TEST(FullyConnected, KeepNumDimsFlattensLeadingAxes) {
  // Input [2,2,3], filter [2,3]: 4 rows of depth 3, output [2,2,2].
  FcSpec s;
  s.in_shape = {2, 2, 3};
  s.out_shape = {2, 2, 2};
  s.units = 2;
  s.depth = 3;
  s.weights = I8({2, 0, 0, 0, 0, 2});  // unit 0 = 2 * x0, unit 1 = 2 * x2; acc / 2 = x
  s.keep_num_dims = true;
  Harness h(FcModel(s));
  h.Set(0, I8({1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3}));
  EXPECT_EQ(h.Run<int8_t>(), I8({1, 3, 4, 6, 7, 9, -1, -3}));
}

TEST(FullyConnected, RefFunctionWithoutBias) {
  ref::FullyConnectedParams p;
  p.input_offset = 0;
  p.output_offset = 0;
  const int32_t mult[2] = {1 << 30, 1 << 30};  // 0.5
  const int32_t shift[2] = {1, 0};             // 1.0 and 0.5
  const auto in = I8({3, -5});
  const auto w = I8({1, 1, 2, -2});
  std::vector<int8_t> out(2);
  ref::FullyConnected(p, mult, shift, 1, 2, 2, in.data(), w.data(), nullptr, out.data());
  // unit 0: -2 * 1.0 = -2; unit 1: 16 * 0.5 = 8.
  EXPECT_EQ(out, I8({-2, 8}));
}

TEST(FullyConnected, ErrorsNameTheNode) {
  FcSpec s;
  s.in_shape = {1, 4};
  s.out_shape = {1, 3};
  s.units = 3;
  s.depth = 4;
  s.weights = std::vector<int8_t>(12, 1);
  FcSpec bad_shape = s;
  bad_shape.out_shape = {1, 4};
  EXPECT_NODE_ERROR(FcModel(bad_shape), "node 0 (FULLY_CONNECTED)", "unit count");
  FcSpec bad_depth = s;
  bad_depth.in_shape = {1, 5};
  EXPECT_NODE_ERROR(FcModel(bad_depth), "node 0 (FULLY_CONNECTED)", "multiple of the filter depth");
  FcSpec bad_type = s;
  bad_type.weight_type = kU8;
  EXPECT_NODE_ERROR(FcModel(bad_type), "node 0 (FULLY_CONNECTED)", "filter has type uint8");
  FcSpec bad_act = s;
  bad_act.activation = 4;  // TANH is not a clamp
  EXPECT_NODE_ERROR(FcModel(bad_act), "node 0 (FULLY_CONNECTED)", "fused activation");
}

// --------------------------------------------------------------- broadcast

TEST(Broadcast, StridesAndRejections) {
  ref::Broadcast b;
  ASSERT_TRUE(ref::MakeBroadcast(Shape{2, 1, 3}, Shape{4, 1}, Shape{2, 4, 3}, &b));
  ASSERT_EQ(b.rank, 3);
  EXPECT_EQ(b.stride1[0], 3);
  EXPECT_EQ(b.stride1[1], 0);
  EXPECT_EQ(b.stride1[2], 1);
  EXPECT_EQ(b.stride2[0], 0);
  EXPECT_EQ(b.stride2[1], 1);
  EXPECT_EQ(b.stride2[2], 0);
  EXPECT_FALSE(ref::MakeBroadcast(Shape{2, 3}, Shape{4}, Shape{2, 3}, &b));     // 3 vs 4
  EXPECT_FALSE(ref::MakeBroadcast(Shape{2, 3}, Shape{3}, Shape{2, 1}, &b));     // wrong output
  EXPECT_FALSE(ref::MakeBroadcast(Shape{2, 3}, Shape{3}, Shape{1, 2, 3}, &b));  // wrong rank
  ASSERT_TRUE(ref::MakeBroadcast(Shape{}, Shape{}, Shape{}, &b));               // scalars
  EXPECT_EQ(b.rank, 1);
  EXPECT_EQ(b.dims[0], 1);
}

// --------------------------------------------------------------------- ADD

auto AddOpts(int activation) {
  return [=](flatbuffers::FlatBufferBuilder& f) {
    return tflite::CreateAddOptions(f, activation).Union();
  };
}
auto MulOpts(int activation) {
  return [=](flatbuffers::FlatBufferBuilder& f) {
    return tflite::CreateMulOptions(f, activation).Union();
  };
}

struct Quant {
  float scale;
  int zp;
};

std::vector<uint8_t> BinaryModel(int opcode, std::vector<int> s1, Quant q1, std::vector<int> s2,
                                 Quant q2, std::vector<int> so, Quant qo, int activation,
                                 int type1 = kI8) {
  ModelBuilder b;
  const int a = b.AddTensor(Act(s1, type1, q1.scale, q1.zp));
  const int c = b.AddTensor(Act(s2, kI8, q2.scale, q2.zp));
  const int out = b.AddTensor(Act(so, kI8, qo.scale, qo.zp));
  if (opcode == kOpAdd)
    b.AddOp({kOpAdd, {a, c}, {out}, tflite::BuiltinOptions_AddOptions, AddOpts(activation)});
  else
    b.AddOp({kOpMul, {a, c}, {out}, tflite::BuiltinOptions_MulOptions, MulOpts(activation)});
  return b.Build({a, c}, {out});
}

// TFLite's int8 ADD, written from its description: inputs shifted left by 20,
// each scaled by s_i / (2 max s), summed, scaled by 2 max s / (2^20 s_out).
int AddOracle(int x1, Quant q1, int x2, Quant q2, Quant qo) {
  const double twice_max = 2.0 * std::max<double>(q1.scale, q2.scale);
  const int64_t a = Scale(int64_t{x1 - q1.zp} * (1 << 20), double(q1.scale) / twice_max);
  const int64_t c = Scale(int64_t{x2 - q2.zp} * (1 << 20), double(q2.scale) / twice_max);
  return Clamp(Scale(a + c, twice_max / (double(1 << 20) * double(qo.scale))) + qo.zp);
}

TEST(Add, HandComputedEqualScales) {
  const Quant q{0.5f, 0};
  Harness h(BinaryModel(kOpAdd, {4}, q, {4}, q, {4}, q, 0));
  h.Set(0, I8({10, -100, 100, 0}));
  h.Set(1, I8({20, -100, 100, -7}));
  // Same scale: the sum itself, saturated to [-128, 127].
  EXPECT_EQ(h.Run<int8_t>(), I8({30, -128, 127, -7}));
}

TEST(Add, DifferentScalesAndZeroPointsMatchOracle) {
  // Shapes as in MobileNetV2's residual adds: different scales and zero points.
  const Quant q1{0.0235f, -3}, q2{0.0471f, 12}, qo{0.0588f, -7};
  Harness h(BinaryModel(kOpAdd, {1, 2, 2, 64}, q1, {1, 2, 2, 64}, q2, {1, 2, 2, 64}, qo, 0));
  std::mt19937 rng(11);
  const auto x1 = RandomI8(rng, 256), x2 = RandomI8(rng, 256);
  h.Set(0, x1);
  h.Set(1, x2);
  const auto got = h.Run<int8_t>();
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(got[i], AddOracle(x1[i], q1, x2[i], q2, qo)) << i;
    const double real = (q1.scale * (x1[i] - q1.zp) + q2.scale * (x2[i] - q2.zp)) / qo.scale;
    EXPECT_LE(std::abs(got[i] - Clamp(RoundReal(real) + qo.zp)), 1) << i;
  }
}

TEST(Add, BroadcastsBothWaysWithRelu) {
  // [2,1,3] + [4,1] -> [2,4,3]; output zero point 5 with RELU clamps below 5.
  const Quant q{1.0f, 0}, qo{1.0f, 5};
  Harness h(BinaryModel(kOpAdd, {2, 1, 3}, q, {4, 1}, q, {2, 4, 3}, qo, /*RELU*/ 1));
  h.Set(0, I8({1, 2, 3, 10, 20, 30}));
  h.Set(1, I8({0, -10, 100, -50}));
  std::vector<int8_t> want;
  const int a[2][3] = {{1, 2, 3}, {10, 20, 30}};
  const int c[4] = {0, -10, 100, -50};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) want.push_back(static_cast<int8_t>(Clamp(a[i][k] + c[j] + 5, 5)));
  EXPECT_EQ(h.Run<int8_t>(), want);
}

TEST(Add, SixDimensionalBroadcast) {
  const Quant q{0.25f, 0};
  Harness h(
      BinaryModel(kOpAdd, {2, 1, 1, 1, 1, 2}, q, {1, 1, 1, 1, 3, 1}, q, {2, 1, 1, 1, 3, 2}, q, 0));
  h.Set(0, I8({1, 2, 3, 4}));
  h.Set(1, I8({10, 20, 30}));
  EXPECT_EQ(h.Run<int8_t>(), I8({11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34}));
}

TEST(Add, RefFunctionScalarPlusVector) {
  ref::Broadcast b;
  ASSERT_TRUE(ref::MakeBroadcast(Shape{1}, Shape{3}, Shape{3}, &b));
  ref::AddParams p;  // equal scales s: input multipliers 0.5, output 2s / (2^20 s) = 2^-19
  p.input1_multiplier = p.input2_multiplier = 1 << 30;
  p.input1_shift = p.input2_shift = 0;
  p.output_multiplier = 1 << 30;  // 0.5 * 2^-18
  p.output_shift = -18;
  const auto a = I8({-5}), c = I8({1, 2, -3});
  std::vector<int8_t> out(3);
  ref::Add(p, b, a.data(), c.data(), out.data());
  EXPECT_EQ(out, I8({-4, -3, -8}));
}

TEST(Add, ErrorsNameTheNode) {
  const Quant q{0.5f, 0};
  EXPECT_NODE_ERROR(BinaryModel(kOpAdd, {2, 3}, q, {4}, q, {2, 3}, q, 0), "node 0 (ADD)",
                    "do not broadcast");
  EXPECT_NODE_ERROR(BinaryModel(kOpAdd, {3}, q, {3}, q, {3}, q, 0, kU8), "node 0 (ADD)",
                    "input 1 has type uint8");
  // The output scale is so small that 2 max s / (2^20 s_out) >= 1.
  EXPECT_NODE_ERROR(BinaryModel(kOpAdd, {3}, q, {3}, q, {3}, {1e-7f, 0}, 0), "node 0 (ADD)",
                    "output multiplier");
}

// --------------------------------------------------------------------- MUL

TEST(Mul, HandComputed) {
  // 0.5 * 0.5 / 0.25 = 1: output = (x1 - 1) * (x2 + 2) - 3.
  Harness h(BinaryModel(kOpMul, {4}, {0.5f, 1}, {4}, {0.5f, -2}, {4}, {0.25f, -3}, 0));
  h.Set(0, I8({4, -1, 100, 1}));
  h.Set(1, I8({2, 3, 100, -128}));
  // 3*4-3 = 9; -2*5-3 = -13; 99*102 saturates to 127; 0 - 3 = -3
  EXPECT_EQ(h.Run<int8_t>(), I8({9, -13, 127, -3}));
}

TEST(Mul, RandomBroadcastMatchesOracle) {
  const Quant q1{0.031f, 4}, q2{0.0077f, -20}, qo{0.0102f, 3};
  Harness h(BinaryModel(kOpMul, {1, 3, 4, 8}, q1, {8}, q2, {1, 3, 4, 8}, qo, /*RELU6*/ 3));
  std::mt19937 rng(3);
  const auto x1 = RandomI8(rng, 96), x2 = RandomI8(rng, 8);
  h.Set(0, x1);
  h.Set(1, x2);
  const auto got = h.Run<int8_t>();
  const double m = double(q1.scale) * double(q2.scale) / double(qo.scale);
  const int relu6_max = qo.zp + static_cast<int>(std::round(6.0f / qo.scale));
  for (int i = 0; i < 96; ++i) {
    const int64_t prod = int64_t{x1[i] - q1.zp} * (x2[i % 8] - q2.zp);
    EXPECT_EQ(got[i], Clamp(Scale(prod, m) + qo.zp, qo.zp, std::min(127, relu6_max))) << i;
  }
}

TEST(Mul, ErrorsNameTheNode) {
  const Quant q{0.5f, 0};
  EXPECT_NODE_ERROR(BinaryModel(kOpMul, {2, 3}, q, {2, 2}, q, {2, 3}, q, 0), "node 0 (MUL)",
                    "do not broadcast");
}

// -------------------------------------------------------------------- MEAN

std::vector<uint8_t> MeanModel(std::vector<int> in_shape, std::vector<int32_t> axes,
                               std::vector<int> out_shape, bool keep_dims, Quant qi, Quant qo,
                               int type = kI8, bool axis_constant = true) {
  ModelBuilder b;
  const int in = b.AddTensor(Act(in_shape, type, qi.scale, qi.zp));
  const int axis = axis_constant ? b.AddConstant({static_cast<int>(axes.size())}, kI32, axes)
                                 : b.AddTensor(Act({static_cast<int>(axes.size())}, kI32, 0, 0));
  const int out = b.AddTensor(Act(out_shape, type, qo.scale, qo.zp));
  b.AddOp({kOpMean,
           {in, axis},
           {out},
           tflite::BuiltinOptions_ReducerOptions,
           [=](flatbuffers::FlatBufferBuilder& f) {
             return tflite::CreateReducerOptions(f, keep_dims).Union();
           }});
  std::vector<int> inputs = {in};
  if (!axis_constant) inputs.push_back(axis);
  return b.Build(inputs, {out});
}

TEST(Mean, EqualQuantizationRoundsToNearest) {
  // [1,2,2,2] over axes 1,2 keep_dims -> [1,1,1,2]; channel sums 1+2+3+4 = 10
  // and -1-2-2-2 = -7. TFLite Micro (like TFLite since 2.x) takes the integer
  // path for equal quantization too: multiplier 1.0 = 2^30 * 2^1, folded with
  // 1/4 into 2^30 * 2^-1 (k = 2); (10 - 3*4) = -2 -> high mul -1 -> /2 rounds
  // to -1, + 3 = 2; (-7 - 12) = -19 -> high mul -9 (-9.5 rounds up) -> /2
  // rounds to -5 (-4.5 away from zero), + 3 = -2. The old truncation gave -1.
  const Quant q{0.1f, 3};
  Harness h(MeanModel({1, 2, 2, 2}, {1, 2}, {1, 1, 1, 2}, true, q, q));
  h.Set(0, I8({1, -1, 2, -2, 3, -2, 4, -2}));
  EXPECT_EQ(h.Run<int8_t>(), I8({2, -2}));
}

TEST(Mean, KeepDimsFalseNegativeAndRepeatedAxes) {
  // [2,3,2] over axes {-1, 0, 2} = {0, 2} -> [3]; element (i,j,k) = 10 j + i * 2 + k.
  const Quant q{1.0f, 0};
  Harness h(MeanModel({2, 3, 2}, {-1, 0, 2}, {3}, false, q, q));
  std::vector<int8_t> x;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 2; ++k) x.push_back(static_cast<int8_t>(10 * j + 2 * i + k));
  h.Set(0, x);
  // Each mean averages {0,1,2,3} + 10 j: 1.5 + 10 j, the tie rounded up.
  EXPECT_EQ(h.Run<int8_t>(), I8({2, 12, 22}));
}

TEST(Mean, RequantizesLikeCoral) {
  // Coral MobileNetV2's MEAN: 0.023529 / -128 -> 0.019078 / -128, over a 7x7 window.
  const Quant qi{0.0235294f, -128}, qo{0.0190784f, -128};
  const int c = 16;
  Harness h(MeanModel({1, 7, 7, c}, {1, 2}, {1, 1, 1, c}, true, qi, qo));
  std::mt19937 rng(5);
  const auto x = RandomI8(rng, 49 * c);
  h.Set(0, x);
  const auto got = h.Run<int8_t>();
  for (int ch = 0; ch < c; ++ch) {
    int32_t sum = 0;
    for (int i = 0; i < 49; ++i) sum += x[i * c + ch];
    // Within one step of the exact mean, requantized in double (the exact
    // bytes are TFLite Micro's golden files: test_golden.cc GoldenMoreTest).
    const double real = (double(sum) / 49 - qi.zp) * qi.scale / qo.scale + qo.zp;
    EXPECT_LE(std::abs(got[ch] - Clamp(RoundReal(real))), 1) << ch;
  }
}

TEST(Mean, RequantizedOutputSaturates) {
  // Output scale a quarter of the input's: means beyond 127 / 4 saturate.
  Harness h(MeanModel({1, 2}, {1}, {1}, false, {1.0f, 0}, {0.25f, 0}));
  h.Set(0, I8({100, 60}));  // mean 80 -> 320 -> 127
  EXPECT_EQ(h.Run<int8_t>(), I8({127}));
  h.Set(0, I8({-3, -4}));  // mean -3.5 -> -14
  EXPECT_EQ(h.Run<int8_t>(), I8({-14}));
}

TEST(Mean, Uint8) {
  const Quant q{0.5f, 128};
  Harness h(MeanModel({2, 2}, {0}, {1, 2}, true, q, q, kU8));
  h.Set(0, U8({255, 0, 254, 3}));
  // (255 + 254) / 2 = 254.5 -> 255 (clamped); (0 + 3) / 2 = 1.5 -> 2.
  EXPECT_EQ(h.Run<uint8_t>(), U8({255, 2}));
}

TEST(Mean, ErrorsNameTheNode) {
  const Quant q{1.0f, 0};
  EXPECT_NODE_ERROR(MeanModel({2, 3}, {2}, {2}, false, q, q), "node 0 (MEAN)", "out of range");
  EXPECT_NODE_ERROR(MeanModel({2, 3}, {1}, {2}, true, q, q), "node 0 (MEAN)", "expected 2x1");
  EXPECT_NODE_ERROR(MeanModel({2, 3}, {1}, {2}, false, q, q, kI8, false), "node 0 (MEAN)",
                    "axis must be constant");
}

// ---------------------------------------------------------------- LOGISTIC

std::vector<uint8_t> UnaryModel(int opcode, std::vector<int> shape, int in_type, Quant qi,
                                int out_type, Quant qo) {
  ModelBuilder b;
  const int in = b.AddTensor(Act(shape, in_type, qi.scale, qi.zp));
  const int out = b.AddTensor(Act(shape, out_type, qo.scale, qo.zp));
  b.AddOp({opcode, {in}, {out}});
  return b.Build({in}, {out});
}

TEST(Logistic, EveryInputWithinOneStepOfTheSigmoid) {
  const Quant qi{0.0625f, 10}, qo{1.0f / 256, -128};
  Harness h(UnaryModel(kOpLogistic, {256}, kI8, qi, kI8, qo));
  std::vector<int8_t> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<int8_t>(i - 128);
  h.Set(0, x);
  const auto got = h.Run<int8_t>();
  int exact = 0;
  for (int i = 0; i < 256; ++i) {
    const double s = 1.0 / (1.0 + std::exp(-qi.scale * (x[i] - qi.zp)));
    const int want = Clamp(RoundReal(s * 256) - 128);
    EXPECT_LE(std::abs(got[i] - want), 1) << int(x[i]);
    exact += got[i] == want;
  }
  // The fixed-point logistic is accurate far below 1/256; only near-ties may differ.
  EXPECT_GE(exact, 250);
  // By hand: x = zero point is sigmoid(0) = 0.5 -> 128 - 128 = 0; x = -128 is
  // (-128 - 10) / 16 = -8.6, beyond the Q4 radius of 8: -128; x = 127 gives
  // sigmoid(7.31) * 256 = 255.8 -> 256 - 128, clamped to 127.
  EXPECT_EQ(got[10 + 128], 0);
  EXPECT_EQ(got[0], -128);
  EXPECT_EQ(got[255], 127);
}

TEST(Logistic, RefFunctionSaturatesOutsideTheRadius) {
  ref::LogisticParams p;
  p.input_zero_point = 0;
  p.input_multiplier = 1 << 30;  // scale 1/16 in Q4.27: 2^-4 * 2^27 = 2^23 = 0.5 * 2^24
  p.input_left_shift = 24;
  p.input_range_radius = 120;  // 15 * 2^27 / 2^24
  const auto in = I8({-128, -120, -119, 0, 119, 120, 127});
  std::vector<int8_t> out(in.size());
  ref::Logistic(p, static_cast<int64_t>(in.size()), in.data(), out.data());
  // sigmoid(-119/16) * 256 = 0.15 -> -128; sigmoid(119/16) * 256 = 255.85 -> 256 -> 127.
  EXPECT_EQ(out, I8({-128, -128, -128, 0, 127, 127, 127}));
}

TEST(Logistic, ErrorsNameTheNode) {
  EXPECT_NODE_ERROR(UnaryModel(kOpLogistic, {4}, kI8, {0.1f, 0}, kI8, {1.0f / 256, 0}),
                    "node 0 (LOGISTIC)", "scale 1/256 and zero point -128");
  EXPECT_NODE_ERROR(UnaryModel(kOpLogistic, {4}, kU8, {0.1f, 0}, kI8, {1.0f / 256, -128}),
                    "node 0 (LOGISTIC)", "input has type uint8");
}

// ---------------------------------------------------------------- QUANTIZE

TEST(Quantize, FloatToInt8RoundsHalfAwayAndSaturates) {
  Harness h(UnaryModel(kOpQuantize, {9}, kF32, {0, 0}, kI8, {0.5f, -1}));
  const float inf = std::numeric_limits<float>::infinity();
  h.Set(0, std::vector<float>{1.25f, -1.25f, 0.0f, 0.74f, 1000.0f, -1000.0f, inf, -inf,
                              std::nanf("")});
  // 2.5 -> 3 -> 2; -2.5 -> -3 -> -4; 0 -> -1; 1.48 -> 1 -> 0; saturations; NaN -> zero point.
  EXPECT_EQ(h.Run<int8_t>(), I8({2, -4, -1, 0, 127, -128, 127, -128, -1}));
}

TEST(Quantize, FloatToUint8) {
  Harness h(UnaryModel(kOpQuantize, {5}, kF32, {0, 0}, kU8, {0.5f, 10}));
  h.Set(0, std::vector<float>{0.0f, 1.0f, 0.25f, -10.0f, 200.0f});
  // 0 -> 10; 2 -> 12; 0.5 -> 1 (half away from zero) -> 11; -20 -> -10 -> 0; 400 -> 255.
  EXPECT_EQ(h.Run<uint8_t>(), U8({10, 12, 11, 0, 255}));
}

TEST(Quantize, Uint8ToInt8AndBackIsAShiftBy128) {
  // Coral's first and last ops: same scale, zero points 127 -> -1 and -128 -> 0.
  Harness in(UnaryModel(kOpQuantize, {4}, kU8, {0.00784313772f, 127}, kI8, {0.00784313772f, -1}));
  in.Set(0, U8({0, 127, 128, 255}));
  EXPECT_EQ(in.Run<int8_t>(), I8({-128, -1, 0, 127}));
  Harness out(UnaryModel(kOpQuantize, {4}, kI8, {1.0f / 256, -128}, kU8, {1.0f / 256, 0}));
  out.Set(0, I8({-128, -1, 0, 127}));
  EXPECT_EQ(out.Run<uint8_t>(), U8({0, 127, 128, 255}));
}

TEST(Quantize, Int8RequantizeMatchesOracle) {
  const Quant qi{0.05f, 7}, qo{0.0371f, -9};
  Harness h(UnaryModel(kOpQuantize, {256}, kI8, qi, kI8, qo));
  std::vector<int8_t> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<int8_t>(i - 128);
  h.Set(0, x);
  const auto got = h.Run<int8_t>();
  const double m = double(qi.scale) / double(qo.scale);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(got[i], Clamp(Scale(x[i] - qi.zp, m) + qo.zp)) << i;
  // By hand, scale ratio 0.05 / 0.0371 = 1.3477: x = 7 -> -9; x = 17 -> 13.48 -> 13 - 9 = 4.
  EXPECT_EQ(got[7 + 128], -9);
  EXPECT_EQ(got[17 + 128], 4);
}

TEST(Quantize, ErrorsNameTheNode) {
  EXPECT_NODE_ERROR(UnaryModel(kOpQuantize, {4}, kF32, {0, 0}, kF32, {0, 0}), "node 0 (QUANTIZE)",
                    "output must be int8 or uint8");
  EXPECT_NODE_ERROR(UnaryModel(kOpQuantize, {4}, kI32, {0, 0}, kI8, {0.5f, 0}), "node 0 (QUANTIZE)",
                    "input must be float32, int8 or uint8");
}

// -------------------------------------------------------------- DEQUANTIZE

TEST(Dequantize, Int8AndUint8) {
  Harness h(UnaryModel(kOpDequantize, {4}, kI8, {0.1f, 3}, kF32, {0, 0}));
  h.Set(0, I8({3, 4, -128, 127}));
  const auto got = h.Run<float>();
  const double s = 0.1f;  // the float scale, widened
  EXPECT_EQ(got[0], 0.0f);
  EXPECT_EQ(got[1], static_cast<float>(s));
  EXPECT_EQ(got[2], static_cast<float>(s * -131));
  EXPECT_EQ(got[3], static_cast<float>(s * 124));
  EXPECT_NEAR(got[3], 12.4f, 1e-5f);

  Harness u(UnaryModel(kOpDequantize, {2}, kU8, {1.0f / 256, 0}, kF32, {0, 0}));
  u.Set(0, U8({0, 255}));
  EXPECT_EQ(u.Run<float>(), (std::vector<float>{0.0f, 255.0f / 256}));
}

TEST(Dequantize, ErrorsNameTheNode) {
  EXPECT_NODE_ERROR(UnaryModel(kOpDequantize, {4}, kI8, {0.1f, 3}, kI8, {0.1f, 3}),
                    "node 0 (DEQUANTIZE)", "output has type int8");
}

}  // namespace
}  // namespace vww
