"""The whole H.E.S.S. DL3 DR1 release (105 runs): every run converts to GADF 0.3 and VODF, both pass
fitsverify, and values real files carry (negative AEFF/EDISP/PSF bins) are written as read, counted
in the header, warned about once per HDU, or set to 0 with --clip-negative.
The GADF 0.3 arrays of every run are compared with gammapy in test_irf_roundtrip."""
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from astropy.io import fits

from conftest import CORPUS, NoWarnings, fitsverify_counts, run_vodf

FULL = CORPUS / "gadf" / "hess-dl3-dr1-full"
RUNS = sorted((FULL / "data").glob("*.fits.gz"))
DATA_COLUMNS = {"AEFF_2D": "EFFAREA", "EDISP_2D": "MATRIX", "PSF_TABLE": "RPSF", "BKG_3D": "BKG"}


@pytest.fixture(scope="module")
def full_release():
    if len(RUNS) != 105:
        pytest.skip(f"needs the full H.E.S.S. DR1 release in {FULL} (105 runs; found {len(RUNS)})")
    return RUNS


def test_every_run_converts_to_vodf(vodf, full_release, tmp_path):
    """All 105 runs as VODF: exit 0, fitsverify 0/0 and strict validation without findings."""
    def one(src):
        out = tmp_path / (src.name.replace(".fits.gz", ".vodf.fits"))
        r = run_vodf(vodf, "convert", src, "--kind", "irf", "--format", "vodf", "-o", out, "-q")
        assert r.returncode == 0, f"{src.name}: {r.stderr}"
        w, e, text = fitsverify_counts(out)
        assert (w, e) == (0, 0), f"{src.name}: {text}"
        return out
    with ThreadPoolExecutor(2) as pool:
        outs = list(pool.map(one, full_release))
    r = run_vodf(vodf, "validate", "--profile", "strict", *outs)
    assert r.returncode == 0 and r.stdout.strip().endswith("105 file(s): 0 error(s), 0 warning(s) (profile strict)"), r.stdout[-2000:]


def negative_counts(path):
    with fits.open(path) as h:
        return {hdu.name: int((np.asarray(hdu.data[DATA_COLUMNS[hdu.header["HDUCLAS4"]]]) < 0).sum())
                for hdu in h[1:] if hdu.header.get("HDUCLAS4") in DATA_COLUMNS}


def test_negative_bins_are_carried_counted_and_warned(vodf, full_release, tmp_path):
    src = FULL / "data" / "hess_dl3_dr1_obs_id_020282.fits.gz"
    want = {k: v for k, v in negative_counts(src).items() if v}
    assert want.get("AEFF", 0) > 0, want          # this run is one of the 22 with negative areas
    out = tmp_path / "carried.fits"
    r = run_vodf(vodf, "convert", src, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    # One warning per HDU with negative values, naming the HDU, the count and the worst bin.
    # (The whole run is converted now: the GTI keywords the model restates are named in one more line.)
    lines = [l for l in r.stderr.splitlines() if l.startswith("vodf: warning:") and "negative value" in l]
    assert len(lines) == len(want), r.stderr
    # ... and one for the background, written in GADF's FoV alignment (H.E.S.S. stores its longitude reversed).
    assert len(r.stderr.splitlines()) == len(want) + 2 and "not converted: GTI keyword TSTART" in r.stderr, r.stderr
    assert "written mirrored (DETX -> -DETX)" in r.stderr, r.stderr
    for name, n in want.items():
        assert any(re.search(rf"HDU \d \({name}\): {n} negative value\(s\) \(worst -[0-9.e-]+ at ENERG bin \d+", l) for l in lines), (name, lines)
    with fits.open(out) as h:
        got = {hdu.header["HDUCLAS4"]: hdu.header.get("NEGBINS") for hdu in h[1:] if "HDUCLAS4" in hdu.header}
    names = {"AEFF": "AEFF_2D", "EDISP": "EDISP_2D", "PSF": "PSF_TABLE", "BKG": "BKG_3D"}
    assert got == {names[k]: want.get(k) for k in names}, got
    # gammapy reads the rewritten negatives as the original ones, with no warning.
    from gammapy.irf import EffectiveAreaTable2D
    with NoWarnings() as nw:
        a, b = EffectiveAreaTable2D.read(src, hdu="AEFF"), EffectiveAreaTable2D.read(out, hdu="AEFF")   # the source's EXTNAME is kept
    assert nw.messages() == []
    np.testing.assert_allclose(b.quantity.to_value("m2"), a.quantity.to_value("m2"), rtol=1e-7)
    assert (b.data < 0).sum() == want["AEFF"]


def test_clip_negative_sets_zero_and_records_it(vodf, full_release, tmp_path):
    src = FULL / "data" / "hess_dl3_dr1_obs_id_020282.fits.gz"
    want = negative_counts(src)
    out = tmp_path / "clipped.fits"
    r = run_vodf(vodf, "convert", src, "-o", out, "-q", "--clip-negative")
    assert r.returncode == 0 and "negative" not in r.stderr, r.stderr
    with fits.open(src) as o, fits.open(out) as h:
        for hdu in [x for x in h[1:] if "HDUCLAS4" in x.header]:     # the IRFs (EVENTS and GTI come first)
            kind = hdu.header["HDUCLAS4"]
            name = {"AEFF_2D": "AEFF", "EDISP_2D": "EDISP", "PSF_TABLE": "PSF", "BKG_3D": "BKG"}[kind]
            data = np.asarray(hdu.data[DATA_COLUMNS[kind]])
            assert (data < 0).sum() == 0 and "NEGBINS" not in hdu.header
            assert hdu.header.get("NEGCLIP") == (want[name] or None), (kind, hdu.header.get("NEGCLIP"))
            if kind == "AEFF_2D":   # the other values are untouched (same axis order for AEFF)
                orig = np.asarray(o[name].data[DATA_COLUMNS[kind]], dtype=float)
                np.testing.assert_allclose(data, np.maximum(orig, 0), rtol=1e-7)
