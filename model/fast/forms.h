// The one table of fast kernel forms: what prepare picks from, what the
// exactness tests force one by one, and the names `vww bench --profile` prints.
//
// A form is one concrete kernel: an operator, the lowest ISA level it needs,
// its name (`<what>-<tile>-<isa>`, e.g. `dw3x3-c16-columns-avx512vbmi`), the
// unit of work of its inner loop, and its prepare. For each node, the fast
// backend tries the forms of the node's operator in table order (best first)
// whose ISA the CPU (or the ISA override) allows; the first whose prepare
// accepts the node runs it; when none does, the reference kernel runs it.
#pragma once

#include <cstddef>

#include "model/fast/isa.h"
#include "model/kernel.h"

namespace vww::fast {

// Takes the node for `isa` (the form's own level): packs weights, sets
// node.data, node.eval and node.scratch_bytes, and returns true; or returns
// false (its shape or arithmetic is unsupported), in which case the caller
// discards whatever it set.
using FormPrepareFn = bool (*)(Node& node, Isa isa);

struct KernelForm {
  const char* name;  // unique; what --profile prints
  int opcode;        // kOp* (model/model.h)
  Isa isa;           // the lowest ISA level it runs on
  const char* tile;  // the unit of work of one inner-loop step (documentation)
  FormPrepareFn prepare;
};

// The table (model/fast/forms.cc).
const KernelForm* KernelForms();
size_t KernelFormCount();
// nullptr when no form has that name.
const KernelForm* FindKernelForm(const char* name);

// For tests: while set, a node may be taken only by this form (or run by the
// reference kernel). Like SetIsaOverride, it affects interpreters created
// afterwards and is not thread-safe.
void SetFormOverride(const KernelForm* form);
void ClearFormOverride();

// Offers the node to the table; sets node.form on success.
bool PrepareFromTable(Node& node);

}  // namespace vww::fast
