"""The gammapy profile's per-HDU verdict against what gammapy 2.1 really does with each HDU."""
import json
import warnings

import pytest
from astropy.io import fits

from conftest import CORPUS, KM3IRF_DATA, run_vodf


def gammapy_reads(path, hdu_index):
    """True when gammapy 2.1's reader for this HDU's class reads it without raising."""
    from gammapy.data import GTI, EventList
    from gammapy.irf import (PSF3D, Background2D, Background3D, EffectiveAreaTable2D, EnergyDependentMultiGaussPSF,
                             EnergyDispersion2D, PSFKing, RadMax2D)
    from gammapy.data import HDUIndexTable, ObservationTable
    with fits.open(path) as h:
        header = h[hdu_index].header
    c1, c2, c4 = (str(header.get(k, "")).upper() for k in ("HDUCLAS1", "HDUCLAS2", "HDUCLAS4"))
    readers = {"AEFF_2D": EffectiveAreaTable2D, "EDISP_2D": EnergyDispersion2D, "PSF_TABLE": PSF3D,
               "PSF_3GAUSS": EnergyDependentMultiGaussPSF, "PSF_KING": PSFKing, "BKG_2D": Background2D,
               "BKG_3D": Background3D, "RAD_MAX_2D": RadMax2D}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if c4 in readers:
                irf = readers[c4].read(path, hdu=hdu_index)
                assert irf.data.size > 0
            elif c1 == "EVENTS":
                assert len(EventList.read(path, hdu=hdu_index).table) > 0
            elif c1 == "GTI":
                assert len(GTI.read(path, hdu=hdu_index).table) > 0
            elif c1 == "INDEX" and "HDU_TYPE" in fits.getdata(path, hdu_index).columns.names:
                assert len(HDUIndexTable.read(path, hdu=hdu_index)) > 0
            elif c1 == "INDEX":
                assert len(ObservationTable.read(path, hdu=hdu_index)) > 0
            else:
                return None
        return True
    except Exception:
        return False


def verdicts(vodf, path):
    r = run_vodf(vodf, "validate", path, "--profile", "gammapy", "--report", "json")
    report = json.loads(r.stdout)
    return {f["hdu"]: f["message"].startswith("readable") for f in report["findings"] if f["rule"] == "gammapy:verdict"}


def corpus_files():
    return sorted((CORPUS / "gadf").rglob("*.fits*")) + sorted(KM3IRF_DATA.glob("*.fits"))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name[:45])
def test_verdict_agrees_with_gammapy_on_real_files(vodf, corpus, path):
    got = verdicts(vodf, path)
    assert got, "no HDU got a verdict"
    for hdu, readable in got.items():
        actual = gammapy_reads(path, hdu)
        if actual is not None:
            assert actual == readable, (hdu, readable, actual)


def test_verdict_agrees_when_gammapy_fails(vodf, corpus, tmp_path):
    src = CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"
    bad = tmp_path / "no_energy_axis.fits"
    with fits.open(src) as h:
        names = h["AEFF"].columns.names
        h["AEFF"].header.set(f"TTYPE{names.index('ENERG_LO') + 1}", "E_LOW")
        h.writeto(bad, checksum=False)
    got = verdicts(vodf, bad)
    assert got[3] is False and gammapy_reads(bad, 3) is False
    # the other HDUs of the file are unaffected, in both views
    assert got[4] is True and gammapy_reads(bad, 4) is True


def test_verdict_agrees_on_axis_order(vodf, corpus, tmp_path):
    """EFFAREA stored (THETA, ENERG): gammapy 2.1 refuses it, and so does the verdict. A BKG_3D whose
    axes are reversed (HESS DL3 DR1 as published) is read by gammapy: a warning, still readable."""
    from test_validate import HESS, swap_aeff_axes
    bad = tmp_path / "swapped.fits"
    with fits.open(HESS) as h:
        swap_aeff_axes(h)
        h.writeto(bad, checksum=False)
    got = verdicts(vodf, bad)
    aeff = [i for i, hdu in enumerate(fits.open(bad)) if hdu.header.get("HDUCLAS4") == "AEFF_2D"][0]
    assert got[aeff] is False and gammapy_reads(bad, aeff) is False
    bkg = [i for i, hdu in enumerate(fits.open(HESS)) if hdu.header.get("HDUCLAS4") == "BKG_3D"][0]
    assert verdicts(vodf, HESS)[bkg] is True and gammapy_reads(HESS, bkg) is True
    r = run_vodf(vodf, "validate", HESS, "--profile", "gammapy", "--report", "json")
    rules = {f["rule"]: f["severity"] for f in json.loads(r.stdout)["findings"] if f.get("hdu") == bkg}
    assert rules.get("gadf-0.2/bkg_3d:column:BKG:shape") == "warning"


def test_verdict_agrees_on_legacy_column_names(vodf, corpus, tmp_path):
    """CTA-1DC names (ETRUE_LO/HI for the true energy, BGD for the background): gammapy 2.1 reads
    them, so the verdict says readable, with a legacy-name warning; strict makes them errors."""
    from test_validate import HESS
    legacy = tmp_path / "legacy.fits"
    with fits.open(HESS) as h:
        for name in ["AEFF", "EDISP"]:
            cols = h[name].columns.names
            for c in ["ENERG_LO", "ENERG_HI"]:
                h[name].header.set(f"TTYPE{cols.index(c) + 1}", c.replace("ENERG", "ETRUE"))
        cols = h["BKG"].columns.names
        h["BKG"].header.set(f"TTYPE{cols.index('BKG') + 1}", "BGD")
        h.writeto(legacy, checksum=False)
    got = verdicts(vodf, legacy)
    names = {hdu.name: i for i, hdu in enumerate(fits.open(legacy))}
    for name in ["AEFF", "EDISP", "BKG"]:
        assert got[names[name]] is True and gammapy_reads(legacy, names[name]) is True, name
    report = json.loads(run_vodf(vodf, "validate", legacy, "--report", "json").stdout)
    warned = {f["rule"] for f in report["findings"] if f["severity"] == "warning" and f["rule"].endswith("legacy-name")}
    assert warned == {"gadf-0.2/aeff_2d:column:ENERG_LO:legacy-name", "gadf-0.2/aeff_2d:column:ENERG_HI:legacy-name",
                      "gadf-0.2/edisp_2d:column:ENERG_LO:legacy-name", "gadf-0.2/edisp_2d:column:ENERG_HI:legacy-name",
                      "gadf-0.2/bkg_3d:column:BKG:legacy-name"}, warned
    strict = json.loads(run_vodf(vodf, "validate", legacy, "--report", "json", "--profile", "strict").stdout)
    assert {f["rule"] for f in strict["findings"] if f["severity"] == "error" and f["rule"].endswith("legacy-name")} == warned
