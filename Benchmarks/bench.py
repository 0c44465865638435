"""`make bench`: vodfkit against its Python anchors, as whole processes run side by side.

Each task alternates the two commands, repeats them, and reports medians and the ratio.
Run with the oracle venv's Python; needs the release build and .testdata/ (make bench does both).
"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REL = REPO / ".build" / "release"
DATA = REPO / ".testdata" / "km3net-testdata" / "km3net_testdata" / "data"
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def timed(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{r.stderr}")
    return dt, r.stdout


def side_by_side(a, b):
    ta, tb = [], []
    for _ in range(REPEATS):
        ta.append(timed(a)[0])
        tb.append(timed(b)[0])
    return statistics.median(ta), statistics.median(tb)


def root_read():
    f = DATA / "offline" / "mcv5.11r2.gsg_muonCChigherE-CC_50-5000GeV.km3_AAv1.jterbr00004695.jchain.aanet.498.root"
    fields = ["dir.x", "dir.y", "dir.z", "pos.x", "pos.y", "pos.z", "E", "t", "lik", "rec_type", "rec_stages", "fitinf"]
    branches = [f"trks.{x}" for x in fields]
    ours = [REL / "vodf", "root", "dump", f, "E", *branches, "--summary"]
    uproot_code = ("import sys, uproot; t = uproot.open(sys.argv[1])['E']; "
                   "t.arrays(['Evt/trks/' + b for b in sys.argv[2:]], library='ak')")
    theirs = [sys.executable, "-c", uproot_code, f, *branches]
    t_ours, t_theirs = side_by_side(ours, theirs)
    _, inproc = timed([REL / "vodf-bench", f, "E", *branches, "--repeat", "11"])
    kv = dict(x.split("=") for x in inproc.split())
    read, floor = float(kv["read_s"]), float(kv["inflate_floor_s"])
    print("root-read: 12 best-reconstruction trks fields of mcv5.11r2 ...498.root "
          f"({kv['decompressed_MB']} MB decompressed)")
    print(f"  whole process: vodf {t_ours:.3f} s, uproot 5.7.7 {t_theirs:.3f} s  ->  {t_theirs / t_ours:.1f}x faster (target >= 3x)")
    print(f"  in process:    read {read * 1e3:.1f} ms, single-thread inflate floor {floor * 1e3:.1f} ms  ->  "
          f"{read / floor:.2f}x the floor (target <= 1.2x; baskets are inflated on all cores)")


def km3net_convert():
    import tempfile
    f = DATA / "offline" / "mcv5.11r2.gsg_muonCChigherE-CC_50-5000GeV.km3_AAv1.jterbr00004695.jchain.aanet.498.root"
    tmp = Path(tempfile.mkdtemp())
    ours = [REL / "vodf", "convert", f, "-o", tmp / "vodf.fits", "-q"]
    theirs = [sys.executable, REPO / "Benchmarks" / "python_convert.py", f, tmp / "py.fits", "orca"]
    t_ours, t_theirs = side_by_side(ours, theirs)
    print("km3net-convert: largest reconstructed offline file (mcv5.11r2 ...498.root, 307 events, 126k tracks)")
    print(f"  whole process: vodf convert {t_ours:.3f} s, km3io best_jmuon + km3astro/astropy + astropy FITS {t_theirs:.3f} s"
          f"  ->  {t_theirs / t_ours:.1f}x faster (target >= 10x)")


def irf_build():
    import tempfile
    n = int(os.environ.get("BENCH_IRF_EVENTS", "1000000"))
    events = Path(tempfile.mkdtemp()) / "events.f8"
    _, out = timed([sys.executable, REPO / "Benchmarks" / "irf_build_km3irf.py", str(n), events])
    theirs = dict(x.split("=") for x in out.strip().splitlines()[-1].split())   # km3irf prints its own lines
    _, out = timed([REL / "vodf-bench", "irf", events, str(n), "--repeat", "5"])
    ours = dict(x.split("=") for x in out.split())
    print(f"irf-build: {n:.0e} synthetic dst-like events, km3irf-compatible AEFF/PSF/EDISP, km3irf 0.4.0 warm (numba compiled)")
    for k in ["aeff", "psf", "edisp"]:
        a, b = float(ours[f"{k}_s"]), float(theirs[f"{k}_s"])
        print(f"  {k:5s}: vodfkit {a * 1e3:8.1f} ms, km3irf {b * 1e3:8.1f} ms  ->  {b / a:6.1f}x faster (target >= 20x)")
    t1, t10 = float(ours["aeff_s"]), float(ours["aeff_tenth_s"])
    print(f"  aeff cost: {t10 * 1e3:.1f} ms for {n // 10:.0e} events, {t1 * 1e3:.1f} ms for {n:.0e} -> x{t1 / t10:.1f} for x10 events (linear)")


if __name__ == "__main__":
    print(f"vodfkit benchmarks ({REPEATS} alternating runs each, medians; {os.cpu_count()} cores)")
    root_read()
    km3net_convert()
    irf_build()
