"""Time sanity on mutations of a real H.E.S.S. run (gammapy#5256, cta-lstchain#986): each mistake is
diagnosed, as an error in strict and a warning in the gammapy profile (gammapy reads the file, but
the times are wrong); the published run and vodfkit's own outputs raise none of them."""
import json

import pytest
from astropy.io import fits

from conftest import CORPUS, TESTDATA, run_vodf

RUN = CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"


def mjdref_zero(h):
    h["EVENTS"].header["MJDREFI"] = 0


def date_a_year_off(h):
    h["EVENTS"].header["DATE-OBS"] = "2005-03-26"


def shifted_37_s(h):
    """TIME, TSTART/TSTOP and the GTI shifted by 37 s: the file is consistent, DATE-OBS is not."""
    e, g = h["EVENTS"], h["GTI"]
    e.data["TIME"] += 37
    e.header["TSTART"] += 37
    e.header["TSTOP"] += 37
    g.data["START"] += 37
    g.data["STOP"] += 37


MUTATIONS = {
    "MJDREFI = 0": (mjdref_zero, "check:mjdref-plausible", "MJDREFI is 0"),
    "DATE-OBS a year off": (date_a_year_off, "check:dates-match-times", "disagrees with MJDREF + TSTART (2004-03-26 02:57:46 TT) by -3.1536e+07 s"),
    "times shifted 37 s": (shifted_37_s, "check:dates-match-times", "differ by 37 s, a whole number of leap seconds: the times look like Unix time"),
}


def findings(vodf, path, profile):
    r = run_vodf(vodf, "validate", "--report", "json", "--profile", profile, path)
    return r.returncode, json.loads(r.stdout)["findings"]


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_time_mistakes_are_diagnosed(vodf, corpus, tmp_path, name):
    mutate, rule, diagnosis = MUTATIONS[name]
    bad = tmp_path / "bad.fits"
    with fits.open(RUN) as h:
        mutate(h)
        h.writeto(bad, checksum=False)
    for profile, severity in [("strict", "error"), ("gammapy", "warning")]:
        code, fs = findings(vodf, bad, profile)
        hits = [f for f in fs if f["rule"] == f"gadf-0.2/events:{rule}"]
        assert hits and all(f["severity"] == severity for f in hits), (profile, [f for f in fs if "check" in f["rule"]])
        assert any(diagnosis in f["message"] for f in hits), [f["message"] for f in hits]
        if profile == "gammapy":
            assert code == 0, fs
    from gammapy.data import EventList
    assert len(EventList.read(bad).table) > 0        # gammapy reads it: the times are wrong, not the file


def test_clean_files_raise_no_time_finding(vodf, corpus, tmp_path):
    out = tmp_path / "antares.fits"
    assert run_vodf(vodf, "convert", TESTDATA / "antares" / "sample_public.dat", "-o", out, "-q").returncode == 0
    vodf_out = tmp_path / "antares.vodf.fits"
    assert run_vodf(vodf, "convert", TESTDATA / "antares" / "sample_public.dat", "-o", vodf_out, "--format", "vodf", "-q").returncode == 0
    runs = sorted((CORPUS / "gadf").rglob("*obs_id*.fits.gz"))
    r = run_vodf(vodf, "validate", "--report", "json", "--profile", "strict", out, vodf_out, *runs)
    time_rules = [f for f in json.loads(r.stdout)["findings"] if "mjdref" in f["rule"] or "dates-match" in f["rule"]]
    assert len(runs) > 100 and time_rules == [], time_rules[:3]
