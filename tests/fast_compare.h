// What the fast-kernel exactness tests share: forcing an ISA level, and
// comparing every operator's output of a fast interpreter with the reference.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model/fast/forms.h"
#include "model/fast/isa.h"
#include "model/kernel.h"
#include "model/model.h"

namespace vww {

// Forces the fast kernels down to one ISA level while alive.
class IsaScope {
 public:
  explicit IsaScope(fast::Isa isa) { fast::SetIsaOverride(isa); }
  ~IsaScope() { fast::ClearIsaOverride(); }
};

// The levels this CPU can run (the override clamps anything else).
inline std::vector<fast::Isa> IsaLevels() { return fast::RunnableIsas(); }

// Forces one kernel form (model/fast/forms.h) while alive: a node is run by
// that form or by the reference kernel.
class FormScope {
 public:
  explicit FormScope(const fast::KernelForm* form) { fast::SetFormOverride(form); }
  ~FormScope() { fast::ClearFormOverride(); }
};

// The forms of the table this CPU can run.
inline std::vector<const fast::KernelForm*> RunnableForms() {
  std::vector<const fast::KernelForm*> forms;
  for (size_t i = 0; i < fast::KernelFormCount(); ++i) {
    const fast::KernelForm* f = &fast::KernelForms()[i];
    if (fast::IsaIncludes(fast::DetectIsa(), f->isa)) forms.push_back(f);
  }
  return forms;
}

// Runs both interpreters op by op on `input` and expects every operator's
// outputs to be identical. Returns the number of operators compared.
inline void ExpectSameEveryLayer(Interpreter& ref, Interpreter& fast,
                                 const std::vector<uint8_t>& input, const std::string& what) {
  ASSERT_EQ(ref.op_count(), fast.op_count());
  ASSERT_EQ(ref.input().bytes, input.size());
  std::memcpy(ref.input().data, input.data(), input.size());
  std::memcpy(fast.input().data, input.data(), input.size());
  for (int i = 0; i < ref.op_count(); ++i) {
    ref.InvokeOp(i);
    fast.InvokeOp(i);
    const Node& rn = ref.node(i);
    const Node& fn = fast.node(i);
    for (size_t o = 0; o < rn.outputs.size(); ++o) {
      const Tensor& a = *rn.outputs[o];
      const Tensor& b = *fn.outputs[o];
      ASSERT_EQ(a.bytes, b.bytes);
      int mismatches = 0, first = -1;
      for (size_t k = 0; k < a.bytes; ++k)
        if (a.data[k] != b.data[k]) {
          if (first < 0) first = static_cast<int>(k);
          ++mismatches;
        }
      ASSERT_EQ(mismatches, 0) << what << ": " << rn.where() << " output " << a.shape.str()
                               << ": first mismatch at byte " << first << ": reference "
                               << int(int8_t(a.data[first])) << ", fast "
                               << int(int8_t(b.data[first]));
    }
  }
}

inline std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (uint8_t& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

}  // namespace vww
