"""Writes the small ROOT fixtures in TestData/root/ with uproot (run in the oracle venv).

The values follow simple formulas so the Swift tests can check them without uproot:
  x[i] = i * 0.5 + 1/3 (float64), n[i] = i - 50 (int32), v[i] = [float32(i + k / 7) for k < i % 5]
Three extends give three baskets per branch.
"""
import sys
from pathlib import Path

import awkward as ak
import numpy as np
import uproot

out = Path(sys.argv[1] if len(sys.argv) > 1 else "TestData/root")
out.mkdir(parents=True, exist_ok=True)


def chunk(lo, hi):
    i = np.arange(lo, hi)
    v = ak.Array([[np.float32(j + k / 7) for k in range(j % 5)] for j in range(lo, hi)])
    return {"x": i * 0.5 + 1 / 3, "n": (i - 50).astype(np.int32), "v": ak.values_astype(v, np.float32)}


for name, comp in [("small_zlib.root", uproot.ZLIB(1)), ("small_uncompressed.root", None)]:
    with uproot.recreate(out / name, compression=comp) as f:
        f.mktree("t", {"x": np.float64, "n": np.int32, "v": "var * float32"})
        for lo, hi in [(0, 40), (40, 90), (90, 120)]:
            f["t"].extend(chunk(lo, hi))
    print("wrote", out / name)
