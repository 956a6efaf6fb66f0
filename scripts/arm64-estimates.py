#!/usr/bin/env python3
"""The arithmetic half of scripts/arm64-estimates.sh (run that, not this).

  regions ASM_DIR OUT.tsv       the llvm-mca regions of the arm64 kernel files'
                                assembly: llvm-mca per region and CPU, cycles
                                per iteration
  check FORMS_CC REGIONS.tsv    every arm64 form of the table has a region and
                                a work-per-iteration rule here
  report FORMS_CC REGIONS.tsv BOARDS_CSV MODEL=PROFILE_A72,PROFILE_A76[,computed] ...
                                the ESTIMATE tables per model and CPU

Standard library only (Debian's python3).
"""

import csv
import math
import os
import re
import subprocess
import sys

# The CPUs: llvm-mca's -mcpu, the ISA level the fast backend runs there, and
# the clocks of the Raspberry Pi boards with that core.
CPUS = [
    ("cortex-a72", "neon", [("Pi 4 @1.5 GHz", 1500), ("Pi 4 @1.8 GHz", 1800)]),
    ("cortex-a76", "neondot", [("Pi 5 @2.4 GHz", 2400)]),
]

# The work of one node in units of one iteration of its form's marked loop
# (VWW_MCA_BEGIN(name) in the form's *_neon.cc / *_neondot.cc; what one
# iteration does is its author's statement, checked against the code), as a
# formula over the node's shapes. Partial tiles (fewer pixels, channels or
# depth than a full iteration) count pro rata, as fractions of an iteration.
#   P  output pixels (N*H*W)        C  output channels (last axis)
#   K  MACs per output element (in_c for 1x1 and FC; kh*kw*in_c for im2col;
#      the taps kh*kw for depthwise)          KH  sqrt(K), a square filter's rows
#   E  output elements    OH, OW  output rows / columns    IH, IW  input ones
#   IE input elements     IP  input pixels    IC  input channels
#   cdiv(a, b) = ceil(a / b)      up(a, b) = a rounded up to a multiple of b
# `per_iter` (optional): when one form's loop is compiled in several tile
# sizes (templates), the units one compiled copy does, from its instruction
# counts; the estimate uses the largest tile (the main loop) and, among its
# copies, the slowest.
# A form of the table without a row here fails `--check`.
WORK = {
    # GEMM forms (arm-gemm): rows padded to `depth` (NEON: up(K, 8), one
    # iteration 16 deep; dot product: up(K, 4), one iteration 16 deep).
    "conv1x1-p4xc4-neon": {
        "units": "cdiv(C, 4) * P / 4 * up(K, 8) / 16",
        "what": "4 px x 4 ch x 16 deep = 256 MACs: smull + smlal2 + sadalp per (px, ch)",
    },
    "conv-im2col-p4xc4-neon": {
        "units": "cdiv(C, 4) * P / 4 * up(K, 8) / 16",
        "what": "4 px x 4 ch x 16 deep = 256 MACs of the GEMM (the im2col copy is not counted)",
    },
    "fc-pointwise-c4-neon": {
        "units": "cdiv(C, 4) * P * up(K, 8) / 16",
        "what": "1 px x 4 units x 16 deep = 64 MACs",
    },
    "conv1x1-p4xc16-neondot": {
        "units": "cdiv(C, 4) / 4 * P / 4 * up(K, 4) / 16",
        "what": "4 px x 16 ch x 16 deep = 1024 MACs: 64 sdot by lane",
    },
    "conv-im2col-p4xc16-neondot": {
        "units": "cdiv(C, 4) / 4 * P / 4 * up(K, 4) / 16",
        "what": "4 px x 16 ch x 16 deep = 1024 MACs of the GEMM (the im2col copy is not counted)",
    },
    "fc-pointwise-c16-neondot": {
        "units": "cdiv(C, 4) / 4 * P * up(K, 4) / 16",
        "what": "1 px x 16 units x 16 deep = 256 MACs: 16 sdot by lane",
    },
    # Depthwise, pooling, element-wise forms (arm-dw).
    "dw3x3-c16-columns-neondot": {
        "units": "P * C / 16",
        "what": "1 px x 16 ch x 9 taps = 144 MACs: a new column's quads, 12 sdot, requantize, store",
    },
    "dw-rows-quads-tbl-neondot": {
        "units": "OH * cdiv(OW * C, 16) * KH",
        "per_iter": lambda n: n.get("sdot", 0) / 4,
        "what": "one filter row of a chunk of 16 row elements (kw <= 4 taps) per 4 sdot; "
        "4 chunks per iteration in the main loop",
    },
    "dw-stem-quads-tbl-neondot": {
        "units": "OH * cdiv(OW * C, 16) * KH",
        "per_iter": lambda n: n.get("sdot", 0) / 4,
        "what": "one filter row of a chunk of 16 row elements of a 1-channel input per 4 sdot; "
        "4 chunks per iteration in the main loop",
    },
    "dw-rows-e16-neon": {
        "units": "OH * cdiv(OW * C, 16) * K",
        "per_iter": lambda n: (n.get("smlal", 0) + n.get("smlal2", 0)) / 4,
        "what": "one tap of a chunk of 16 row elements per 4 smlal(2); 4 chunks per iteration "
        "in the main loop (a 1-channel input's chunks run unmarked code of the same shape)",
    },
    "dw-generic-c16-neon": {
        "units": "P * cdiv(C, 16) * K",
        "what": "1 px x 16 ch x 1 tap = 16 MACs: load, widen, 4 smlal(2)",
    },
    "avgpool-global-c16-neon": {
        "units": "IP * cdiv(IC, 16)",
        "what": "1 input pixel x 16 channels: load, widen, 4 saddw(2)",
    },
    "add-e16-neon": {
        "units": "E / 16",
        "what": "16 elements: TFLite's three rescalings on 4 x 4 int32 lanes",
    },
    "quantize8-table256-tbl-neon": {
        "units": "E / 16",
        "what": "16 bytes: tbl + 3 tbx over the 256-byte table",
    },
}

ASM_INSTR_SKIP = re.compile(r"^(\.|//|#|@|$)")
LABEL = re.compile(r"^([.\w$]+):")
# b, b.cond and GCC's bcond spelling (bgt), cbz/cbnz, tbz/tbnz; not bl (a call).
BRANCH = re.compile(
    r"^(b(\.?(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al|nv))?|cbn?z|tbn?z)\s+(.*)$"
)


def die(msg):
    sys.stderr.write("error: " + msg + "\n")
    sys.exit(1)


def instruction(line):
    """The instruction on an assembly line, or None (label, directive, comment)."""
    s = line.strip()
    if "//" in s:
        s = s[: s.index("//")].strip()
    if ASM_INSTR_SKIP.match(s) or LABEL.match(s):
        return None
    return s


def branch_target(instr):
    m = BRANCH.match(instr)
    if not m:
        return None
    return m.group(4).split(",")[-1].strip()


def find_regions(path):
    """[(name, line, region instructions, loop instructions or None, problem)]
    of one .s file.

    The region: the instructions from BEGIN to END along the fall-through
    path (GCC lays the likely path out as fall-through; unconditional
    branches are followed, conditional ones assumed not taken), so a region
    whose body has branches (rare cases placed out of line) counts its main
    path. The loop: the same walk on from END back to BEGIN, taking a
    conditional branch only when it is the back edge (it goes to a label
    above BEGIN with straight-line code from there to BEGIN): the whole loop
    body, so the loop's own counter and branch are counted too. None when
    no way back is found within 64 instructions."""
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    labels = {}
    for i, line in enumerate(lines):
        m = LABEL.match(line.strip())
        if m:
            labels[m.group(1)] = i

    def mnemonic(x):
        return x.split()[0]

    def straight(a, b):  # no branch between lines a and b
        return all(
            not (instruction(l) and branch_target(instruction(l)) is not None) for l in lines[a + 1 : b]
        )

    def walk_region(begin):
        i, out, steps = begin + 1, [], 0
        while i < len(lines) and steps < 5000:
            steps += 1
            if "LLVM-MCA-END" in lines[i]:
                return out, i, None
            if "LLVM-MCA-BEGIN" in lines[i]:
                return out, i, "reaches another region's BEGIN before its END"
            x = instruction(lines[i])
            if x:
                out.append(x)
                if mnemonic(x) in ("ret", "br"):
                    return out, i, "leaves the function before its END"
                t = branch_target(x)
                if mnemonic(x) == "b" and t in labels:
                    i = labels[t] + 1
                    continue
            i += 1
        return out, None, "has no END on its fall-through path"

    def walk_loop(begin, end):
        i, out, steps = end + 1, [], 0
        while i < len(lines) and len(out) < 64 and steps < 5000:
            steps += 1
            if "LLVM-MCA-BEGIN" in lines[i]:
                return out if i == begin else None
            x = instruction(lines[i])
            if x:
                out.append(x)
                if mnemonic(x) in ("ret", "br"):
                    return None
                t = branch_target(x)
                if t in labels:
                    if mnemonic(x) == "b":
                        i = labels[t] + 1
                        continue
                    if labels[t] < begin and straight(labels[t], begin):
                        return out + [y for y in map(instruction, lines[labels[t] + 1 : begin]) if y]
            i += 1
        return None

    out = []
    for begin, line in enumerate(lines):
        m = re.search(r"LLVM-MCA-BEGIN\s+(\S+)", line)
        if not m:
            continue
        region, end, problem = walk_region(begin)
        back = walk_loop(begin, end) if end is not None else None
        loop = region + back if back is not None else None
        out.append((m.group(1), begin + 1, region, loop, problem))
    return out


def mca(instrs, cpu, work_dir, tag):
    """llvm-mca cycles per iteration (Total Cycles / Iterations) of instrs."""
    path = os.path.join(work_dir, tag + "." + cpu + ".s")
    with open(path, "w") as f:
        f.write("\n".join("\t" + x for x in instrs) + "\n")
    iterations = 1000
    r = subprocess.run(
        ["llvm-mca", "-mtriple=aarch64-linux-gnu", "-mcpu=" + cpu, f"-iterations={iterations}", path],
        capture_output=True,
        text=True,
    )
    with open(path + ".mca.txt", "w") as f:
        f.write(r.stdout + r.stderr)
    if r.returncode != 0:
        die(f"llvm-mca -mcpu={cpu} failed on {path}: {r.stderr.strip().splitlines()[0:1]}")
    total = re.search(r"Total Cycles:\s+(\d+)", r.stdout)
    its = re.search(r"Iterations:\s+(\d+)", r.stdout)
    if not total or not its:
        die(f"no cycle count in llvm-mca's output for {path}")
    return int(total.group(1)) / int(its.group(1))


def cmd_regions(asm_dir, out_tsv):
    rows = []
    for fn in sorted(os.listdir(asm_dir)):
        if not fn.endswith(".s"):
            continue
        dot = fn.endswith("_neondot.s")
        src = fn[:-2] + ".cc"
        for k, (name, line, region, loop, problem) in enumerate(find_regions(os.path.join(asm_dir, fn))):
            if problem or not region:
                sys.stderr.write(f"warning: {fn}:{line}: region {name} {problem or 'holds no instruction'}; "
                                 "left out\n")
                continue
            tag = f"{fn[:-2]}.{k}"
            for cpu, _, _ in CPUS:
                if dot and cpu == "cortex-a72":
                    continue  # no dot product on the A72: the form never runs there
                rc = mca(region, cpu, asm_dir, tag + ".region")
                lc = mca(loop, cpu, asm_dir, tag + ".loop") if loop else None
                counts = {}
                for x in region:
                    m = x.split()[0]
                    counts[m] = counts.get(m, 0) + 1
                rows.append(
                    [name, src, str(line), cpu, str(len(region)), f"{rc:.3f}",
                     str(len(loop)) if loop else "-", f"{lc:.3f}" if lc else "-",
                     ",".join(f"{m}:{c}" for m, c in sorted(counts.items()))]
                )
    with open(out_tsv, "w") as f:
        f.write("form\tsource\tasm_line\tcpu\tregion_instrs\tregion_cyc\tloop_instrs\tloop_cyc\tmnemonics\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


def read_regions(tsv):
    """{(form, cpu): (low, high) cycles per unit of work}: per compiled copy
    of the region, the loop's cycles when its loop was found, else the
    region's, divided by the units that copy does (WORK per_iter, default 1);
    over the copies with the largest tile (the main loop), the fastest and
    the slowest. The compiler makes copies for template flags, unrolled
    loops and tails (a partial load through memcpy): the fastest is the main
    path, the slowest an upper bound. And {(form, cpu): [rows]}."""
    copies = {}
    detail = {}
    with open(tsv) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            cyc = float(r["loop_cyc"] if r["loop_cyc"] != "-" else r["region_cyc"])
            counts = {}
            for item in r["mnemonics"].split(","):
                if item:
                    m, c = item.rsplit(":", 1)
                    counts[m] = int(c)
            rule = WORK.get(r["form"], {})
            units = rule["per_iter"](counts) if "per_iter" in rule else 1
            key = (r["form"], r["cpu"])
            r["units"] = units
            r["cyc_per_unit"] = cyc / units if units else float("inf")
            copies.setdefault(key, []).append((units, r["cyc_per_unit"]))
            detail.setdefault(key, []).append(r)
    best = {}
    for key, cs in copies.items():
        top = max(u for u, _ in cs)
        best[key] = (min(c for u, c in cs if u == top), max(c for u, c in cs if u == top))
    return best, detail


def table_forms(forms_cc):
    """[(name, op name, isa)] of the table, in order."""
    text = open(forms_cc).read()
    rows = re.findall(r'\{\s*"([^"]+)",\s*kOp(\w+),\s*Isa::k(\w+),', text)
    if not rows:
        die(f"no kernel form rows found in {forms_cc}")

    def op_name(camel):  # Conv2D -> CONV_2D, AveragePool2D -> AVERAGE_POOL_2D
        return re.sub(r"(?<=[a-z])(?=[A-Z0-9])", "_", camel).upper()

    return [(n, op_name(op), isa.lower()) for n, op, isa in rows]


def arm64_forms(forms_cc):
    return [f for f in table_forms(forms_cc) if f[2] in ("neon", "neondot")]


def cmd_check(forms_cc, regions_tsv):
    """Per arm64 form of the table and CPU: its region's compiled copies, the
    largest tile's units per iteration, cycles per unit (the slowest copy of
    that tile is what the estimate uses); fails on a form without a region
    or a WORK rule, and on a region that names no form."""
    best, detail = read_regions(regions_tsv)
    forms = arm64_forms(forms_cc)
    bad = 0
    print(f"{'form':34s} {'cpu':11s} {'copies':>6s} {'units':>5s} {'cyc/unit':>15s} {'instrs':>6s}  "
          "(cycles per unit: fastest - slowest copy of the largest tile; instrs: the fastest's)")
    for name, _, isa in forms:
        cpus = ["cortex-a76"] if isa == "neondot" else ["cortex-a72", "cortex-a76"]
        for cpu in cpus:
            rows = detail.get((name, cpu))
            if not rows:
                print(f"{name:34s} {cpu:11s} NO REGION")
                bad += 1
                continue
            top = max(r["units"] for r in rows)
            used = min((r for r in rows if r["units"] == top), key=lambda r: r["cyc_per_unit"])
            instrs = used["loop_instrs"] if used["loop_instrs"] != "-" else used["region_instrs"]
            lo, hi = best[(name, cpu)]
            print(f"{name:34s} {cpu:11s} {len(rows):6d} {top:5g} {lo:7.2f}-{hi:7.2f} {instrs:>6s}  "
                  f"{used['source']} (assembly line {used['asm_line']})")
        if name not in WORK:
            print(f"{name:34s} no WORK rule in scripts/arm64-estimates.py")
            bad += 1
    table = {f[0] for f in forms}
    for name in sorted({k[0] for k in best}):
        if name not in table and not name.startswith("test-"):
            print(f"{name:34s} region names no arm64 form of the table")
            bad += 1
    print(f"{len(forms)} arm64 forms in the table, {len({k[0] for k in best})} named regions, "
          f"{bad} problem(s)")
    return 1 if bad else 0


def dims(shape):
    return [int(x) for x in shape.split("x")] if shape and shape != "-" else []


def node_vars(p):
    out, inp = dims(p["output_shape"]), dims(p.get("input_shape", "-"))
    e = math.prod(out) if out else 0
    c = out[-1] if out else 0
    pix = e // c if c else 0
    macs = int(p["macs"])
    v = {
        "P": pix, "C": c, "E": e, "MACS": macs,
        "K": macs // e if e and macs else 0,
        "KH": round(math.sqrt(macs // e)) if e and macs else 0,
        "IE": math.prod(inp) if inp else 0, "IC": inp[-1] if inp else 0,
        "IP": math.prod(inp[:-1]) if inp else 0,
        "OH": out[1] if len(out) == 4 else 1, "OW": out[2] if len(out) == 4 else 1,
        "IH": inp[1] if len(inp) == 4 else 1, "IW": inp[2] if len(inp) == 4 else 1,
        "cdiv": lambda a, b: -(-a // b),
        "up": lambda a, b: -(-a // b) * b,
    }
    return v


def computed_form(p, forms, isa):
    """The arm64 form that most likely takes the node, without an arm64 run:
    among the rows of the node's operator the level allows, the one sharing
    the most leading name words with the x86 form that took it here (table
    order breaks ties)."""
    if p["kernel"] == "reference":
        return "reference"
    allowed = ("neon", "neondot") if isa == "neondot" else ("neon",)
    cands = [f for f in forms if f[1] == p["op"] and f[2] in allowed]
    if not cands:  # no arm64 form of this operator: its portable form
        cands = [f for f in forms if f[1] == p["op"] and f[2] == "portable"]
    if not cands:
        return "reference"
    words = p["kernel"].split("-")

    def shared(name):
        n = 0
        for a, b in zip(words, name.split("-")):
            if a != b:
                break
            n += 1
        return n

    return max(cands, key=lambda f: (shared(f[0]), -cands.index(f)))[0]


def same_scheduling_model():
    """The name of the processor resources' model when llvm-mca uses the
    same one for both CPUs (LLVM 14: Cortex-A57's), else None."""
    res = []
    for cpu, _, _ in CPUS:
        r = subprocess.run(["llvm-mca", "-mtriple=aarch64-linux-gnu", "-mcpu=" + cpu],
                           input="\tadd x0, x0, x1\n", capture_output=True, text=True)
        res.append(re.findall(r"^\[[\d.]+\]\s+-\s+(\S+)", r.stdout, re.M))
    if res[0] and res[0] == res[1]:
        return re.sub(r"Unit\w*$", "", res[0][0])
    return None


def load_profile(path):
    import json

    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                j = json.loads(line)
                if j.get("backend") == "fast" and "profile" in j:
                    return j
    die(f"no fast-backend profile in {path}")


def read_boards(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def cmd_report(forms_cc, regions_tsv, boards_csv, specs):
    best, _ = read_regions(regions_tsv)
    forms = table_forms(forms_cc)
    summary = []
    print("ESTIMATE, not a measurement: llvm-mca cycles per iteration of each form's marked inner")
    print("loop (steady state: no cache misses, no branch mispredictions, nothing outside the loop")
    print("counted) x the node's inner-loop iterations, at the board's clock. Reference-kernel and")
    print("unmarked nodes are left out (marked '-'). Real numbers: `vww bench` on the board.")
    model = same_scheduling_model()
    if model:
        print(f"This llvm-mca models cortex-a72 and cortex-a76 with one scheduling model ({model}):")
        print("the Pi 5 figures gain only from the dot product, not from the A76's wider core")
        print("(4-wide decode, two load pipes), so they lean high.")
    for spec in specs:
        model, rest = spec.split("=", 1)
        parts = rest.split(",")
        computed = len(parts) > 2 and parts[2] == "computed"
        for (cpu, isa, clocks), prof_path in zip(CPUS, parts[:2]):
            prof = load_profile(prof_path)
            print()
            src = ("forms computed from the table (no arm64 run)" if computed
                   else f"forms from `vww bench --profile` under qemu, QEMU_CPU={cpu}")
            print(f"{model}: {cpu} ({isa}), {src}")
            hdr = f"  {'#':>3s} {'op':17s} {'MACs':>8s} {'form':34s} {'iters':>7s} {'cyc/it':>7s} {'cycles':>9s}"
            for label, _ in clocks:
                hdr += f" {'us ' + label.split('@')[0].strip() + '@' + label.split('@')[1].split()[0]:>11s}"
            print(hdr)
            total_cycles = 0.0
            total_high = 0.0
            total_macs = 0
            est_macs = 0
            missing = []
            by_form = {}
            for p in prof["profile"]:
                form = computed_form(p, forms, isa) if computed else p["kernel"]
                macs = int(p["macs"])
                total_macs += macs
                cyc_it, cyc_hi = best.get((form, cpu), (None, None))
                rule = WORK.get(form)
                if cyc_it is None or rule is None:
                    missing.append((p["index"], p["op"], form))
                    print(f"  {p['index']:3d} {p['op'][:17]:17s} {macs:8d} {form[:34]:34s} {'-':>7s} {'-':>7s} {'-':>9s}"
                          + "".join(f" {'-':>11s}" for _ in clocks))
                    continue
                iters = eval(rule["units"], {"__builtins__": {}}, node_vars(p))
                cycles = iters * cyc_it
                total_cycles += cycles
                total_high += iters * cyc_hi
                f = by_form.setdefault(form, [0, 0, 0.0])
                f[0] += 1
                f[1] += macs
                f[2] += cycles
                est_macs += macs
                line = f"  {p['index']:3d} {p['op'][:17]:17s} {macs:8d} {form[:34]:34s} {iters:7.1f} {cyc_it:7.2f} {cycles:9.0f}"
                for _, mhz in clocks:
                    line += f" {cycles / mhz:11.2f}"
                print(line)
            tl = f"  ESTIMATE total, {len(prof['profile']) - len(missing)} of {len(prof['profile'])} nodes: {total_cycles:.0f} cycles"
            for label, mhz in clocks:
                tl += f", {total_cycles / mhz:.1f} us ({label})"
            print(tl)
            tl = f"  with each form's slowest compiled copy: {total_high:.0f} cycles"
            for label, mhz in clocks:
                tl += f", {total_high / mhz:.1f} us"
            print(tl)
            if est_macs:
                print(f"  {total_cycles / est_macs:.3f} cycles per MAC over the estimated nodes' "
                      f"{est_macs} of the model's {total_macs} MACs")
            if missing:
                print("  not estimated: " + ", ".join(f"#{i} {op} ({f})" for i, op, f in missing))
            print(f"  per form: {'form':34s} {'nodes':>5s} {'MACs':>8s} {'cycles':>9s} {'share':>6s} {'cyc/MAC':>7s}")
            for form, (n, macs, cycles) in sorted(by_form.items(), key=lambda kv: -kv[1][2]):
                share = 100 * cycles / total_cycles if total_cycles else 0
                cpm = f"{cycles / macs:7.3f}" if macs else f"{'-':>7s}"
                print(f"            {form:34s} {n:5d} {macs:8d} {cycles:9.0f} {share:5.1f}% {cpm}")
            summary.append((model, cpu, clocks, total_cycles, est_macs, len(missing)))

    if boards_csv and summary:
        print()
        print("Sanity check: assets/boards.csv (published measurements of the same MobileNetV1 0.25")
        print("96x96 person detector on microcontroller boards), cycles per MAC, and ms per inference")
        print("of the gray model's 7,158 k MACs, beside these ESTIMATES:")
        rows = [(float(r["cycles_per_mac"]), float(r["ms_7158k_macs"]),
                 f"{r['board']}, {r['core']} @{r['clock_mhz']} MHz, {r['stack']} ({r['basis'].split(' ')[0]})")
                for r in read_boards(boards_csv)]
        for model, cpu, clocks, cycles, macs, nmiss in summary:
            if macs:
                for label, mhz in clocks:
                    note = f", {nmiss} nodes not estimated" if nmiss else ""
                    rows.append((cycles / macs, cycles / macs * 7158e3 / mhz / 1e3,
                                 f"ESTIMATE {model} on {label} ({cpu}, llvm-mca{note})"))
        rows.sort(key=lambda r: (r[0], r[1]))
        print(f"  {'cyc/MAC':>8s} {'ms':>9s}")
        for cpm, ms, what in rows:
            print(f"  {cpm:8.3f} {ms:9.3f}  {what}")
    return 0


def main(argv):
    if len(argv) < 2:
        die("usage: see the docstring of scripts/arm64-estimates.py")
    cmd = argv[1]
    if cmd == "regions" and len(argv) == 4:
        cmd_regions(argv[2], argv[3])
        return 0
    if cmd == "check" and len(argv) == 4:
        return cmd_check(argv[2], argv[3])
    if cmd == "report" and len(argv) >= 6:
        return cmd_report(argv[2], argv[3], argv[4], argv[5:])
    die("bad arguments: " + " ".join(argv[1:]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
