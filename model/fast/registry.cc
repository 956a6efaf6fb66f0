// The optimized kernels. The interpreter offers each node to the fast backend
// after the reference prepare has validated it; the backend picks a form from
// the table in model/fast/forms.cc or declines (the reference kernel then runs
// the node).
#include <vector>

#include "model/fast/forms.h"
#include "model/kernel.h"

namespace vww {

const KernelRegistration* FindFastKernel(int opcode) {
  // One registration per operator that has at least one form.
  static const std::vector<KernelRegistration> registrations = [] {
    std::vector<KernelRegistration> r;
    for (size_t i = 0; i < fast::KernelFormCount(); ++i) {
      const int op = fast::KernelForms()[i].opcode;
      bool seen = false;
      for (const KernelRegistration& k : r) seen = seen || k.opcode == op;
      if (!seen) r.push_back({op, fast::PrepareFromTable});
    }
    return r;
  }();
  for (const KernelRegistration& k : registrations)
    if (k.opcode == opcode) return &k;
  return nullptr;
}

}  // namespace vww
