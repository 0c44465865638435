"""Issue 14: the Snakemake workflow of workflows/release. `snakemake --cores 2` builds a release
byte-identical to one `vodf release build`, and a dry run with each cluster profile (Slurm,
HTCondor) plans the shard, index and check jobs."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, TESTDATA

SNAKEFILE = REPO / "workflows" / "release" / "Snakefile"
SAMPLE = TESTDATA / "release" / "sample.yaml"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def tree(root: Path):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def snakemake(vodf, tmp, out, *extra, shards=2):
    if not SNAKEMAKE.exists():
        pytest.skip(f"needs snakemake in the oracle venv ({SNAKEMAKE}); scripts/oracle-venv.sh installs it")
    cmd = [str(SNAKEMAKE), "-s", str(SNAKEFILE), "--directory", str(tmp), *extra,
           "--config", f"manifest={SAMPLE}", f"out={out}", f"shards={shards}", f"vodf={Path(vodf).resolve()}"]
    return subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **EPOCH})


def test_snakemake_release_is_byte_identical_to_one_build(vodf, tmp_path):
    ref = tmp_path / "ref"
    r = subprocess.run([str(vodf), "release", "build", SAMPLE, "-o", ref, "--jobs", "2", "-q"],
                       capture_output=True, text=True, env={**os.environ, **EPOCH})
    assert r.returncode == 0, r.stderr
    out = tmp_path / "wf" / "release"
    r = snakemake(vodf, tmp_path / "wf", out, "--cores", "2", shards=3)
    assert r.returncode == 0, r.stdout + r.stderr
    a, b = tree(ref), tree(out)
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k] != b[k]] == []
    # The markers stay beside the release; the closing check found nothing.
    check = (tmp_path / "wf" / "release.snakemake" / "check.txt").read_text()
    assert "0 error(s)" in check.splitlines()[-1], check
    # Three shard jobs, one index job and one check job ran.
    assert "3 of 6 steps" in r.stderr or "6 of 6 steps (100%) done" in r.stderr, r.stderr[-2000:]


def test_snakemake_rerun_keeps_what_is_current(vodf, tmp_path):
    out = tmp_path / "wf" / "release"
    assert snakemake(vodf, tmp_path / "wf", out, "--cores", "2").returncode == 0
    before = tree(out)
    # Forcing every job again: vodf's own state keeps every item, so no file changes.
    r = snakemake(vodf, tmp_path / "wf", out, "--cores", "2", "--forceall")
    assert r.returncode == 0, r.stderr
    assert tree(out) == before


@pytest.mark.parametrize("profile", ["slurm", "htcondor"])
def test_cluster_profile_dry_run_plans_the_jobs(vodf, tmp_path, profile):
    r = snakemake(vodf, tmp_path, tmp_path / "release", "--profile", str(REPO / "workflows" / "release" / "profiles" / profile),
                  "--dry-run", shards=8)
    assert r.returncode == 0, r.stdout + r.stderr
    text = r.stdout + r.stderr
    counts = {line.split()[0]: int(line.split()[1]) for line in text.splitlines()
              if len(line.split()) == 2 and line.split()[1].isdigit()}
    assert counts.get("shard") == 8 and counts.get("index") == 1 and counts.get("check") == 1, text[-2000:]
    assert counts.get("total") == 11
    assert not (tmp_path / "release").exists()   # a dry run writes nothing
