"""Files made by others: OGIP files are named as not GADF/VODF, a file where nothing matched a spec
says so, index tables without class keywords are recognised by their columns and their rows
followed (an absent file is an error, since gammapy fails there), and VODF_SPECS must hold specs."""
import json
import os
import subprocess

import numpy as np
import pytest
from astropy.io import fits

from conftest import CORPUS, run_vodf

FULL = CORPUS / "gadf" / "hess-dl3-dr1-full"
EXCERPT = CORPUS / "gadf" / "hess-dl3-dr1"
CLASS_KEYS = ["HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUVERS", "HDUDOC"]


def report(vodf, *args):
    # The releases built here link their data from the corpus: rows may point there.
    r = run_vodf(vodf, "validate", "--report", "json", "--allow-outside", CORPUS.resolve(), *args)
    return r.returncode, json.loads(r.stdout)


def fermi_like(path):
    """An OGIP event file in the Fermi-LAT layout (HDUCLASS OGIP, HDUVERS 1.2.1)."""
    ev = fits.BinTableHDU.from_columns([fits.Column("ENERGY", "E", unit="MeV", array=np.array([1e3, 2e3])),
                                        fits.Column("TIME", "D", unit="s", array=np.array([1.0, 2.0]))], name="EVENTS")
    gti = fits.BinTableHDU.from_columns([fits.Column("START", "D", array=[0.0]), fits.Column("STOP", "D", array=[3.0])], name="GTI")
    for hdu, c1, c2 in [(ev, "EVENTS", "ALL"), (gti, "GTI", "STANDARD")]:
        hdu.header.update(HDUCLASS="OGIP", HDUCLAS1=c1, HDUCLAS2=c2, HDUVERS="1.2.1", TELESCOP="GLAST")
    fits.HDUList([fits.PrimaryHDU(), ev, gti]).writeto(path)
    return path


def test_ogip_file_is_named_and_nothing_checked(vodf, tmp_path):
    path = fermi_like(tmp_path / "lat_events.fits")
    code, rep = report(vodf, path)
    rules = [(f["rule"], f["severity"], f.get("hdu")) for f in rep["findings"]]
    assert rules == [("spec:not-gadf", "info", 1), ("spec:not-gadf", "info", 2), ("spec:nothing-checked", "warning", None)], rules
    assert code == 0 and rep["summary"]["nothing_checked"] == 1 and rep["summary"]["errors"] == 0
    text = run_vodf(vodf, "validate", path).stdout.splitlines()[-1]
    assert text == "1 file(s): 0 error(s), 1 warning(s); nothing checked in 1 file(s) (profile gammapy)", text
    code, rep = report(vodf, "--profile", "strict", path)
    assert code == 1 and [f["severity"] for f in rep["findings"] if f["rule"] == "spec:nothing-checked"] == ["error"]


def test_primary_only_file_says_nothing_was_checked(vodf, tmp_path):
    fits.PrimaryHDU(np.zeros((2, 2))).writeto(tmp_path / "image.fits")
    code, rep = report(vodf, tmp_path / "image.fits")
    assert code == 0 and [f["rule"] for f in rep["findings"]] == ["spec:nothing-checked"]
    assert "only a primary HDU" in rep["findings"][0]["message"]


def test_empty_specs_directory_is_a_usage_error(vodf, tmp_path):
    (tmp_path / "specs" / "gadf").mkdir(parents=True)
    path = fermi_like(tmp_path / "lat.fits")
    r = subprocess.run([str(vodf), "validate", str(path)], capture_output=True, text=True,
                       env={**os.environ, "VODF_SPECS": str(tmp_path / "specs")})
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.splitlines()) == 1, r
    assert "VODF_SPECS names no specs" in r.stderr


def classless_index(src, dst):
    with fits.open(src) as h:
        h[1].header.remove("HDUCLASS")
        for k in CLASS_KEYS[1:]:
            h[1].header.remove(k, ignore_missing=True)
        h.writeto(dst)


@pytest.fixture
def classless_release(tmp_path):
    """The full H.E.S.S. release's indexes without any class keyword, beside its data."""
    if not (FULL / "hdu-index.fits.gz").exists():
        pytest.skip(f"needs {FULL}")
    (tmp_path / "data").symlink_to(FULL / "data")
    classless_index(FULL / "hdu-index.fits.gz", tmp_path / "hdu-index.fits.gz")
    classless_index(FULL / "obs-index.fits.gz", tmp_path / "obs-index.fits.gz")
    return tmp_path


def test_index_tables_without_class_keywords_are_checked(vodf, classless_release):
    d = classless_release
    for name, kind in [("hdu-index.fits.gz", "hdu_index"), ("obs-index.fits.gz", "obs_index")]:
        code, rep = report(vodf, d / name)
        assert code == 0 and rep["summary"]["errors"] == 0, rep["findings"][:5]
        missing = [f for f in rep["findings"] if f["rule"] == "spec:class-missing"]
        assert len(missing) == 1 and missing[0]["severity"] == "warning" and f"checked as gadf-0.2/{kind}" in missing[0]["message"], missing
        # the class keywords are that one finding, not one error each
        assert not any(":keyword:HDUCLAS" in f["rule"] or ":keyword:HDUVERS" in f["rule"] for f in rep["findings"])
    from gammapy.data import DataStore
    obs = DataStore.from_dir(d).get_observations([20136, 47829], required_irf="all-optional")
    assert len(obs) == 2 and obs[0].aeff is not None
    code, rep = report(vodf, "--profile", "strict", d / "hdu-index.fits.gz")
    assert code == 1 and [f["severity"] for f in rep["findings"] if f["rule"] == "spec:class-missing"] == ["error"]


def test_classless_index_with_absent_files_fails_as_gammapy_does(vodf, classless_release):
    """The excerpt's index lists 101 absent runs: without class keywords it passed with 0 findings."""
    d = classless_release
    (d / "data").unlink()
    (d / "data").mkdir()
    for run in (EXCERPT / "data").glob("*.fits.gz"):
        (d / "data" / run.name).symlink_to(run)
    code, rep = report(vodf, d / "hdu-index.fits.gz")
    links = [f for f in rep["findings"] if f["rule"].endswith(":check:index-links")]
    assert code == 1 and len(links) == 101 and all(f["severity"] == "error" for f in links), len(links)
    from gammapy.data import DataStore
    absent = int(links[0]["message"].split("OBS_ID ")[1].split(")")[0].split(",")[0])
    with pytest.raises(Exception):
        DataStore.from_dir(d).get_observations([absent], required_irf="all-optional", skip_missing=False)[0].events
