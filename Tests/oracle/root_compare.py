"""Compare vodfkit's native ROOT reader with uproot, branch by branch, value by value.

Floats are compared bit for bit (struct-packed), so -0.0 != 0.0 and NaN == NaN.
Usage as a script: python root_compare.py VODF_BIN FILE TREE [TREE...]
"""
import json
import math
import struct
import subprocess
import sys

import awkward as ak
import numpy as np
import uproot


def vodf_dump(vodf, path, tree):
    r = subprocess.run([str(vodf), "root", "dump", str(path), tree, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"vodf root dump failed: {r.stderr}")
    return json.loads(r.stdout)


def normalise(x):
    """uproot values -> plain Python, with floats kept as floats and NaN/inf as vodf writes them."""
    if isinstance(x, dict):
        return {k: normalise(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [normalise(v) for v in x]
    if isinstance(x, (np.floating, float)):
        f = float(x)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.ndarray):
        return normalise(x.tolist())
    if isinstance(x, bytes):
        return x.decode()
    return x


def same(a, b, path="", diffs=None, limit=5):
    """Exact structural equality; floats by bit pattern."""
    if diffs is None:
        diffs = []
    if len(diffs) >= limit:
        return diffs
    if isinstance(a, float) or isinstance(b, float):
        if not (isinstance(a, (int, float)) and isinstance(b, (int, float))) or \
                struct.pack(">d", float(a)) != struct.pack(">d", float(b)):
            diffs.append(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            diffs.append(f"{path}: length {len(a)} != {len(b)}")
        else:
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{path}[{i}]", diffs, limit)
    elif a != b:
        diffs.append(f"{path}: {a!r} != {b!r}")
    return diffs


def uproot_branches(path, tree):
    """{path: values} for every branch uproot can read (groups and failures left out), plus the skipped."""
    t = uproot.open(path)[tree]
    readable, skipped = {}, {}
    for name, b in t.iteritems():
        try:
            interp = b.interpretation
        except Exception as e:  # noqa: BLE001 - uproot raises many kinds
            skipped[name] = f"no interpretation: {type(e).__name__}"
            continue
        if isinstance(interp, uproot.interpretation.grouped.AsGrouped):
            continue
        try:
            arr = b.array(library="ak")
            readable[name] = normalise(ak.to_list(arr))
        except Exception as e:  # noqa: BLE001
            skipped[name] = f"{type(e).__name__}: {str(e)[:80]}"
    return readable, skipped


def uproot_branches_fresh(path, tree):
    """uproot_branches in a fresh interpreter: uproot caches class models across files, and a model
    from one file's streamers can make another file's undescribed class "readable" as garbage."""
    code = ("import json, sys; sys.path.insert(0, %r); from root_compare import uproot_branches; "
            "print(json.dumps(uproot_branches(sys.argv[1], sys.argv[2])))") % str(__import__("pathlib").Path(__file__).parent)
    r = subprocess.run([sys.executable, "-c", code, str(path), tree], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"uproot failed on {path}:{tree}: {r.stderr[-2000:]}")
    return json.loads(r.stdout)


def compare(vodf, path, tree):
    """Returns (compared branch count, list of problems, skipped-by-uproot dict)."""
    ours = vodf_dump(vodf, path, tree)["branches"]
    theirs, skipped = uproot_branches_fresh(path, tree)
    problems = []
    for name, values in theirs.items():
        mine = ours.get(name)
        if mine is None:
            problems.append(f"{name}: not dumped by vodf")
            continue
        if "error" in mine:
            problems.append(f"{name}: vodf error: {mine['error']}")
            continue
        d = same(mine["values"], values, name)
        if d:
            problems.append(f"{name} ({mine['type']}): " + "; ".join(d))
    return len(theirs), problems, skipped


if __name__ == "__main__":
    vodf, path, trees = sys.argv[1], sys.argv[2], sys.argv[3:]
    for tree in trees:
        n, problems, skipped = compare(vodf, path, tree)
        print(f"{path} {tree}: {n} branches compared, {len(problems)} problems, {len(skipped)} unreadable by uproot")
        for p in problems[:40]:
            print("  ", p)
        for k, v in list(skipped.items())[:10]:
            print("   uproot skipped", k, v)
