#!/usr/bin/env bash
# scripts/arm64-estimates.sh, on this (x86) machine with the cross compiler
# and llvm-mca:
#   1. a loop of known cost (tests/data/mca/mul_chain_neon.cc: 4 dependent
#      MULs, 3 cycles each on a Cortex-A72 by Arm's optimization guide) is
#      found and costs 12 cycles per iteration, region and whole loop alike;
#   2. every arm64 form of the kernel table (model/fast/forms.cc) has a
#      marked loop, cycles for each CPU it runs on, and a work rule;
#   3. `vww bench --profile --json` gives each node's input shape (what the
#      element-wise forms are sized by): the detector's 96x96x1 input
#      (assets/README.md) at node 0, a 48x48x8 one at node 2 (node 0's output);
#   4. the estimate covers every node of person_detect but RESHAPE and
#      SOFTMAX (which no fast form takes), and all of its 7,157,888 MACs
#      (assets/README.md) once the table has arm64 forms.
# Usage: arm64_estimates_test.sh SOURCE_DIR VWW_BINARY
# Exit 77 (CTest: skipped) when a tool is missing, unless CI=true.
set -uo pipefail
src=$1 vww=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in aarch64-linux-gnu-g++ llvm-mca flatc python3; do
  if ! command -v "$tool" >/dev/null; then
    [ "${CI:-}" = true ] && fail "$tool missing (scripts/install-deps.sh installs it)"
    echo "SKIP: $tool missing (scripts/install-deps.sh installs it)"
    exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The loop of known cost.
bash "$src/scripts/arm64-estimates.sh" --regions --sources "$src/tests/data/mca/mul_chain_neon.cc" \
  --keep "$work/chain" >"$work/chain.out" 2>&1 || { cat "$work/chain.out"; fail "--regions on the sample"; }
for cpu in cortex-a72 cortex-a76; do
  awk -F'\t' -v cpu=$cpu '
    $1 == "test-mul-chain" && $4 == cpu {
      n++
      if ($5 != 4) { print "region of " $5 " instructions, not 4"; bad = 1 }
      if ($6 < 11.9 || $6 > 12.1) { print cpu " region: " $6 " cycles/iteration, not 12"; bad = 1 }
      if ($8 == "-" || $8 < 11.9 || $8 > 12.1) { print cpu " loop: " $8 " cycles/iteration, not 12"; bad = 1 }
    }
    END { if (n != 1) { print n + 0 " test-mul-chain regions for " cpu ", not 1"; bad = 1 } exit bad }
  ' "$work/chain/regions.tsv" || fail "the MUL chain's cycles (regions.tsv above)"
done

# 3. Input shapes in the profile.
"$vww" bench --model person_detect --profile --json --runs 1 --warmup 0 >"$work/profile.json" ||
  fail "vww bench --profile --json"
python3 - "$work/profile.json" <<'PY' || fail "input_shape in vww bench --profile --json"
import json, sys
p = json.loads(open(sys.argv[1]).readline())["profile"]
assert p[0]["input_shape"] == "1x96x96x1", p[0]
assert p[2]["input_shape"] == "1x48x48x8" == p[0]["output_shape"], p[2]
PY

# 2 and 4. The real kernel files and the person detector.
bash "$src/scripts/arm64-estimates.sh" --models person_detect --host-vww "$vww" \
  --keep "$work/real" >"$work/real.out" 2>&1 || { cat "$work/real.out"; fail "the estimates script"; }
cat "$work/real.out"
grep -q ' 0 problem(s)$' "$work/real.out" || fail "an arm64 form without a region or work rule"
forms=$(grep -oE '"[a-z0-9-]+-neon(dot)?"' "$src/model/fast/forms.cc" | tr -d '"' | sort -u)
for f in $forms; do
  grep -qE "^$f +cortex-a76 +[0-9]+ " "$work/real.out" || fail "no cortex-a76 cycles for $f"
  case "$f" in
    *-neon) grep -qE "^$f +cortex-a72 +[0-9]+ " "$work/real.out" || fail "no cortex-a72 cycles for $f" ;;
  esac
done
for cpu in cortex-a72 cortex-a76; do
  table=$(sed -n "/^person_detect: $cpu/,/ESTIMATE total/p" "$work/real.out")
  [ "$(grep -cE '^ +[0-9]+ [A-Z_0-9]+ ' <<<"$table")" = 31 ] || fail "$cpu: not 31 nodes"
  if [ -n "$forms" ]; then
    missing=$(grep -E '^ +[0-9]+ ' <<<"$table" | grep -E ' - +- +- ' | awk '{print $2}' | sort | tr '\n' ' ')
    [ "$missing" = "RESHAPE SOFTMAX " ] || fail "$cpu: nodes not estimated: $missing"
    grep -q "over the estimated nodes' 7157888 of the model's 7157888 MACs" <<<"$(sed -n \
      "/^person_detect: $cpu/,/cycles per MAC/p" "$work/real.out")" || fail "$cpu: not all MACs estimated"
  fi
done
echo "PASS"
