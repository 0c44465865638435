"""Shared fixtures for the oracle tests: the vodf binary, the corpus, and helpers."""
import logging
import os
import re
import subprocess
import warnings
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("VODF_CORPUS", REPO.parent / "shared" / "corpus"))
TESTDATA = REPO / "TestData"
PYPI_DATA = Path(os.environ.get("VODF_TESTDATA", REPO / ".testdata"))
KM3NET_DATA = PYPI_DATA / "km3net-testdata" / "km3net_testdata" / "data"
KM3IRF_DATA = PYPI_DATA / "km3irf" / "km3irf" / "data"


def km3net_root_files():
    """Every offline and dst ROOT file of km3net-testdata, plus km3irf's dst sample."""
    files = sorted((KM3NET_DATA / "offline").glob("*.root")) + sorted((KM3NET_DATA / "dst").glob("*.root"))
    extra = KM3IRF_DATA / "test_10events.dst.root"
    return files + ([extra] if extra.exists() else [])


@pytest.fixture(scope="session")
def km3net_data():
    if not (KM3NET_DATA / "offline").is_dir():
        pytest.skip(f"needs km3net-testdata==0.4.31 unpacked in {PYPI_DATA} (run scripts/testdata.sh; make test does)")
    return KM3NET_DATA


@pytest.fixture(scope="session")
def vodf():
    exe = Path(os.environ.get("VODF_BIN", REPO / ".build" / "debug" / "vodf"))
    if not exe.exists():
        pytest.fail(f"vodf binary not found at {exe}: run 'swift build' (make test does)")
    # Absolute, so that tests which change the working directory (as scripts run) still find it.
    return exe.resolve()


@pytest.fixture(scope="session")
def corpus():
    if not (CORPUS / "antares").is_dir():
        pytest.skip(f"needs the real inputs in {CORPUS} (../shared/corpus beside the repo)")
    return CORPUS


def run_vodf(vodf, *args):
    return subprocess.run([str(vodf), *map(str, args)], capture_output=True, text=True)


def convert(vodf, src, out, *extra):
    r = run_vodf(vodf, "convert", src, "-o", out, "-q", *extra)
    assert r.returncode == 0, f"convert failed ({r.returncode}): {r.stderr}"
    assert Path(out).exists()
    return Path(out)


def fitsverify_counts(path):
    """(warnings, errors) from fitsverify's closing line."""
    r = subprocess.run(["fitsverify", str(path)], capture_output=True, text=True)
    m = re.search(r"Verification found (\d+) warning\(s\) and (\d+) error\(s\)", r.stdout + r.stderr)
    assert m, f"unexpected fitsverify output:\n{r.stdout}\n{r.stderr}"
    return int(m.group(1)), int(m.group(2)), r.stdout


class NoWarnings:
    """Collects Python warnings and gammapy/astropy log records at WARNING or above."""

    def __enter__(self):
        self._cm = warnings.catch_warnings(record=True)
        self.warnings = self._cm.__enter__()
        warnings.simplefilter("always")
        self.records = []
        handler = logging.Handler(level=logging.WARNING)
        handler.emit = self.records.append
        self._handler = handler
        logging.getLogger().addHandler(handler)
        return self

    def __exit__(self, *exc):
        logging.getLogger().removeHandler(self._handler)
        self._cm.__exit__(*exc)
        return False

    def messages(self):
        return [str(w.message) for w in self.warnings] + [r.getMessage() for r in self.records]
