#!/usr/bin/env python3
"""Corruption sweep: truncations and seeded bit flips of every real input kind, run through the
`vodf` commands that read them.

Each mutant is run under a timeout, and the sweep counts what must never happen:
  crash     the process ended by a signal (SIGSEGV, SIGFPE, a Swift trap, ...)
  hang      still running after the timeout
  leftover  a temporary file beside the output, or an output after a failed run
  multiline an error that is not one line of 'vodf: ...' (raw input bytes echoed, a stack trace)
  invalid   exit 0 from convert, but the output does not validate
  memory    peak resident memory over the limit

Usage:
  sweep.py [--flips N] [--truncations N] [--only LABEL] [--jobs N] [--report FILE]
The acceptance run of issue 12 is `--flips 1000 --truncations 32` (make sweep); `make test` runs a
small budget through Tests/oracle/test_sweep.py.
"""
import argparse
import gzip
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("VODF_CORPUS", REPO.parent / "shared" / "corpus"))
PYPI = Path(os.environ.get("VODF_TESTDATA", REPO / ".testdata"))
KM3 = PYPI / "km3net-testdata" / "km3net_testdata" / "data"
KM3IRF = PYPI / "km3irf" / "km3irf" / "data"
HESS = CORPUS / "gadf" / "hess-dl3-dr1-full"
MAGIC = CORPUS / "gadf" / "magic-rad-max" / "data"


@dataclass
class Input:
    label: str
    path: Path
    commands: list            # "convert", "validate", "inspect"
    extra: list = field(default_factory=list)   # convert options
    inflate: bool = False     # mutate the inflated bytes of a .gz (written as plain .fits)


def inputs():
    fits = ["validate", "inspect", "convert"]
    out = [
        Input("h5-geamon", KM3 / "hdf5" / "geamon.h5", ["convert"]),
        Input("h5-mupage", KM3 / "hdf5" / "mupage_ARCA.h5", ["convert"], ["--site", "arca"]),
        Input("root-offline-km3net", KM3 / "offline" / "km3net_offline.root", ["convert"]),
        Input("root-offline-usr", KM3 / "offline" / "usr-sample.root", ["convert"]),
        Input("root-offline-elec", KM3 / "offline" / "mcv5.0.gsg_elec-CC_10-100GeV.km3sim.JDK.jte.jmergefit.orca.909.evtsample.root", ["convert"]),
        Input("root-dst-km3irf", KM3IRF / "test_10events.dst.root", ["convert"]),
        Input("root-dst-mcv6", KM3 / "dst" / "mcv6.gsg_numu-CCHEDIS_1e2-1e8GeV.sirene.jte.jchain.aashower.dst.bdt_trk.bdt_casc.10events.root", ["convert"]),
        Input("root-dst-orca4", KM3 / "dst" / "orca4_sample.root", ["convert"]),
        Input("hess-run-gz", HESS / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz", fits),
        Input("hess-run-fits", HESS / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz", fits, inflate=True),
        Input("hess-hdu-index-gz", HESS / "hdu-index.fits.gz", ["validate", "inspect"]),
        Input("hess-obs-index-fits", HESS / "obs-index.fits.gz", ["validate", "inspect"], inflate=True),
        Input("cta-prod5-gz", CORPUS / "gadf" / "cta-prod5" / "Prod5-South-20deg-AverageAz-14MSTs37SSTs.180000s-v0.1.fits.gz", fits),
        Input("magic-fits", MAGIC / "20131004_05029747_DL3_CrabNebula-W0.40+035.fits", fits),
        Input("magic-hdu-index-gz", MAGIC / "hdu-index.fits.gz", ["validate", "inspect"]),
    ]
    for csv in sorted((CORPUS / "km3net-arca230-irf").glob("*.csv")):
        out.append(Input("arca230-" + csv.stem.split("_")[0], csv, ["convert"], ["--format", "vodf"] if csv.stem.startswith("bkg") else []))
    out.append(Input("antares-public", CORPUS / "antares" / "PublicData_0717_excerpt.dat", ["convert"]))
    out.append(Input("antares-cone", CORPUS / "antares" / "ant20_01_cone_excerpt.csv", ["convert"]))
    return [i for i in out if i.path.exists()]


@dataclass
class Outcome:
    label: str
    mutant: str
    command: str
    code: int
    problem: str = ""          # one of the counted kinds, or "" when fine
    detail: str = ""
    seconds: float = 0.0
    max_rss_mb: float = 0.0


def run(argv, timeout, env):
    """(exit code or -signal, stdout, stderr, seconds, peak RSS in MB, hung)."""
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=so, stderr=se, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        hung = False
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                hung = True
                os.killpg(p.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.003)
        p.returncode = 0          # reaped here; keep Popen from waiting again
        seconds = time.monotonic() - t0
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        so.seek(0)
        se.seek(0)
        return code, so.read().decode("utf-8", "replace"), se.read().decode("utf-8", "replace"), seconds, usage.ru_maxrss / 1024, hung


def one_line_errors(stderr):
    """'' when every stderr line is a 'vodf: ...' line of printable text and at most one is an error."""
    lines = stderr.splitlines()
    for line in lines:
        if not line.startswith("vodf: "):
            return f"stderr line not from vodf: {line[:120]!r}"
        if any(ord(c) < 32 and c != "\t" for c in line) or "\ufffd" in line:
            return f"unescaped bytes in: {line[:120]!r}"
        if len(line) > 1000:
            return f"a {len(line)}-character line"
    errors = [l for l in lines if l.startswith("vodf: error:")]
    return f"{len(errors)} error lines" if len(errors) > 1 else ""


def check(inp, mutant_path, mutant, vodf, timeout, mem_limit, workdir):
    outcomes = []
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    env.setdefault("VODF_SPECS", str(REPO / "Specs"))
    for command in inp.commands:
        outdir = workdir / f"out-{command}"
        outdir.mkdir()
        target = outdir / "x.fits"
        if command == "convert":
            argv = [vodf, "convert", str(mutant_path), "-o", str(target), "-q", *inp.extra]
        elif command == "validate":
            argv = [vodf, "validate", str(mutant_path)]
        else:
            argv = [vodf, "inspect", str(mutant_path)]
        code, out, err, secs, rss, hung = run(argv, timeout, env)
        o = Outcome(inp.label, mutant, command, code, seconds=round(secs, 3), max_rss_mb=round(rss, 1))
        left = sorted(p.name for p in outdir.iterdir() if p.name != "x.fits" or code != 0)
        if hung:
            o.problem, o.detail = "hang", f"killed after {timeout} s"
        elif code < 0:
            o.problem, o.detail = "crash", f"signal {-code} ({signal.Signals(-code).name}); {err.strip()[-300:]}"
        elif left:
            o.problem, o.detail = "leftover", ", ".join(left)
        elif rss > mem_limit:
            o.problem, o.detail = "memory", f"{rss:.0f} MB"
        elif code != 0 and (why := one_line_errors(err)):
            o.problem, o.detail = "multiline", why
        elif code != 0 and command in ("convert", "inspect") and "vodf: error:" not in err:
            o.problem, o.detail = "multiline", f"exit {code} without an error line"
        elif command == "convert" and code == 0:
            vcode, vout, verr, *_ = run([vodf, "validate", str(target)], timeout, env)
            if vcode != 0:
                o.problem, o.detail = "invalid", (vout + verr).strip()[-400:]
        if not o.problem and code != 0:
            o.detail = err.strip()[:200]
        outcomes.append(o)
        shutil.rmtree(outdir)
    return outcomes


def mutants(inp, data, flips, truncations, seed):
    """(name, bytes) pairs: `truncations` cuts spread over the file, then `flips` single-bit flips."""
    n = len(data)
    for k in range(truncations):
        cut = (n * k) // truncations
        yield f"cut@{cut}", data[:cut]
    rng = random.Random(f"{seed}:{inp.label}")
    for _ in range(flips):
        at, bit = rng.randrange(n), rng.randrange(8)
        b = bytearray(data)
        b[at] ^= 1 << bit
        yield f"flip@{at}.{bit}", bytes(b)


def bounded_map(pool, fn, items, ahead):
    """pool.map that holds at most `ahead` items in flight (Executor.map consumes its input at once)."""
    pending = []
    for item in items:
        pending.append(pool.submit(fn, item))
        if len(pending) >= ahead:
            yield pending.pop(0).result()
    for f in pending:
        yield f.result()


def sweep(args):
    vodf = str(Path(args.vodf).resolve())
    chosen = [i for i in inputs() if not args.only or any(s in i.label for s in args.only)]
    if not chosen:
        sys.exit("sweep: no inputs found (needs ../shared/corpus and .testdata; run make testdata)")
    root = Path(tempfile.mkdtemp(prefix="vodf-sweep-"))
    results = []
    try:
        # Mutants are made one at a time as workers ask for them: the peak RSS that wait4 reports
        # for a child includes this process's own, as it was when the child was forked.
        def jobs():
            for inp in chosen:
                raw = inp.path.read_bytes()
                data = gzip.decompress(raw) if inp.inflate else raw
                name = inp.path.name[:-3] if inp.inflate else inp.path.name
                for i, (mname, mbytes) in enumerate(mutants(inp, data, args.flips, args.truncations, args.seed)):
                    yield inp, name, i, mname, mbytes
        total = len(chosen) * (args.flips + args.truncations)

        def work(job):
            inp, name, i, mname, mbytes = job
            wd = root / f"{inp.label}-{i}"
            wd.mkdir()
            mpath = wd / name          # the input keeps its own name and extension
            mpath.write_bytes(mbytes)
            try:
                return check(inp, mpath, mname, vodf, args.timeout, args.memory_mb, wd)
            finally:
                shutil.rmtree(wd, ignore_errors=True)

        done = 0
        t0 = time.monotonic()
        with ThreadPoolExecutor(args.jobs) as pool:
            for outs in bounded_map(pool, work, jobs(), args.jobs * 2):
                results.extend(outs)
                done += 1
                if args.progress and done % 200 == 0:
                    print(f"sweep: {done}/{total} mutants, {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return chosen, results


def summarise(chosen, results):
    kinds = ["crash", "hang", "leftover", "multiline", "invalid", "memory"]
    table = {}
    for inp in chosen:
        rs = [r for r in results if r.label == inp.label]
        row = {k: sum(r.problem == k for r in rs) for k in kinds}
        row["runs"] = len(rs)
        row["exit0"] = sum(r.code == 0 for r in rs)
        row["max_rss_mb"] = max((r.max_rss_mb for r in rs), default=0)
        row["max_seconds"] = max((r.seconds for r in rs), default=0)
        table[inp.label] = row
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vodf", default=os.environ.get("VODF_BIN", str(REPO / ".build" / "release" / "vodf")))
    ap.add_argument("--flips", type=int, default=1000)
    ap.add_argument("--truncations", type=int, default=32)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--memory-mb", type=float, default=500.0)
    ap.add_argument("--seed", default="12")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", action="append", help="inputs whose label contains this (repeatable)")
    ap.add_argument("--report", help="write every problem and the summary as JSON here")
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args()
    chosen, results = sweep(args)
    table = summarise(chosen, results)
    print(f"{'input':24} {'runs':>6} {'exit0':>6} {'crash':>6} {'hang':>5} {'left':>5} {'multi':>6} {'inval':>6} {'mem':>4} {'maxMB':>7} {'max s':>6}")
    for label, r in table.items():
        print(f"{label:24} {r['runs']:6} {r['exit0']:6} {r['crash']:6} {r['hang']:5} {r['leftover']:5} {r['multiline']:6} {r['invalid']:6} {r['memory']:4} {r['max_rss_mb']:7.0f} {r['max_seconds']:6.2f}")
    problems = [r for r in results if r.problem]
    for r in problems[:60]:
        print(f"  {r.problem:9} {r.label} {r.mutant} {r.command}: {r.detail[:240]}")
    if args.report:
        Path(args.report).write_text(json.dumps({"summary": table, "problems": [r.__dict__ for r in problems]}, indent=1))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
