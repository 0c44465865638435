"""Every input the fuzzers ever crashed on (Tests/fuzz/regressions/TARGET/), and the real seeds of
each target, replayed through the normal build of vodf-fuzz: none may crash again."""
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, TESTDATA

REGRESSIONS = REPO / "Tests" / "fuzz" / "regressions"
TARGETS = ["root", "fits", "gzip", "csv", "yaml", "hdf5", "alert"]
SEEDS = {
    "root": sorted((TESTDATA / "root").glob("*.root")),
    "csv": sorted((TESTDATA / "km3net").glob("*.csv")) + sorted((TESTDATA / "antares").glob("*")) + sorted((TESTDATA / "bad").glob("*")),
    "yaml": sorted((REPO / "Specs").rglob("*.yaml")),
    "alert": sorted((TESTDATA / "alerts").glob("*.xml")) + sorted((TESTDATA / "alerts").glob("*.json")),
}


@pytest.fixture(scope="session")
def replay():
    exe = REPO / ".build" / "debug" / "vodf-fuzz"
    if not exe.exists():
        pytest.fail(f"{exe} not built: run 'swift build' (make test does)")
    return exe


@pytest.mark.parametrize("target", TARGETS)
def test_kept_crashes_and_seeds_replay_without_a_crash(replay, target):
    files = sorted(p for p in (REGRESSIONS / target).glob("*") if p.is_file()) + SEEDS.get(target, [])
    if not files:
        pytest.skip(f"no kept crash inputs or fixtures for {target}")
    r = subprocess.run([str(replay), target, *map(str, files)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{target}: exit {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    assert f"{len(files)} input(s) of {target} replayed without a crash" in r.stdout


def test_replay_refuses_an_unknown_target(replay, tmp_path):
    """The replay driver does not pass what it cannot run: an unknown target exits 2."""
    r = subprocess.run([str(replay), "nosuchtarget", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2
