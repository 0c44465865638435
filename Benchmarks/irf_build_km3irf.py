"""make bench anchor for the IRF build: synthetic dst-like events, km3irf 0.4.0 warm.

Writes the events to a raw float64 file (columns E, dir_x/y/z, E_mc, dir_x/y/z_mc, weight_w2) for
vodf-bench, then times km3irf's build_aeff/build_psf/build_edisp on the same events (after one
warm-up call, so numba's compilation is excluded; the median of three calls). Prints "aeff_s=.. psf_s=.. edisp_s=..".
"""
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")
n, out = int(sys.argv[1]), Path(sys.argv[2])
rng = np.random.default_rng(42)
emc = 10 ** rng.uniform(2, 8, n)
cz = rng.uniform(-1, 1, n)
phi = rng.uniform(0, 2 * np.pi, n)
s = np.sqrt(1 - cz ** 2)
mc = np.stack([s * np.cos(phi), s * np.sin(phi), cz], axis=1)
reco = mc + rng.normal(0, 0.02, (n, 3))
reco /= np.linalg.norm(reco, axis=1)[:, None]
e = emc * 10 ** rng.normal(0, 0.3, n)
w2 = 10 ** rng.uniform(5, 9, n)
cols = [e, reco[:, 0], reco[:, 1], reco[:, 2], emc, mc[:, 0], mc[:, 1], mc[:, 2], w2]
np.stack(cols, axis=1).astype(">f8").tofile(out)

from km3irf import build_irf  # noqa: E402 - after the data is written

df = pd.DataFrame({"E": e, "dir_x": reco[:, 0], "dir_y": reco[:, 1], "dir_z": reco[:, 2], "E_mc": emc,
                   "dir_x_mc": mc[:, 0], "dir_y_mc": mc[:, 1], "dir_z_mc": mc[:, 2], "weight_w2": w2})
d = build_irf.DataContainer.__new__(build_irf.DataContainer)
tmp = Path(tempfile.mkdtemp())
times = {}
for name in ["aeff", "psf", "edisp"]:
    build = getattr(d, f"build_{name}")
    d.df = df.head(1000).copy()
    build(output=str(tmp / f"warm_{name}.fits"))          # numba warm-up
    d.df = df.copy()
    runs = []
    for _ in range(3):                                     # the median of three, as vodf-bench's
        t0 = time.perf_counter()
        build(output=str(tmp / f"{name}.fits"))
        runs.append(time.perf_counter() - t0)
    times[name] = sorted(runs)[1]
print(" ".join(f"{k}_s={v:.4f}" for k, v in times.items()))
