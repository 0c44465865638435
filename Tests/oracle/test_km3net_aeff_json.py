"""Issue 27: KM3NeT's published effective areas in JSON (the KM3-230213A data release ships one: a 1-D,
sky-averaged area at bin centres, in cm²) convert to AEFF_2D, with the inferred energy edges stated in
the header and a warning; gammapy reads the area at the published centres."""
import json

import numpy as np
import pytest
from astropy.io import fits

from conftest import TESTDATA, NoWarnings, run_vodf

SAMPLE = TESTDATA / "km3net-json" / "effective_area_sample_skyavg.json"


def convert(vodf, src, out, *args):
    r = run_vodf(vodf, "convert", src, "-o", out, *args)
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.parametrize("fmt", ["gadf-0.3", "vodf"])
def test_json_effective_area_converts_and_gammapy_reads_it(vodf, tmp_path, fmt):
    doc = json.loads(SAMPLE.read_text())
    energy = np.array([v for _, v in sorted(doc["Energy [GeV]"].items(), key=lambda kv: int(kv[0]))])
    area = np.array([v for _, v in sorted(doc["Aeff [cm^2]"].items(), key=lambda kv: int(kv[0]))])
    out = tmp_path / "aeff.fits"
    r = convert(vodf, SAMPLE, out, "--format", fmt)
    assert "KM3NeT effective area (JSON, sky-averaged)" in r.stdout
    assert "energy edges inferred halfway between them in log10 E (10 bins per decade)" in r.stderr, r.stderr
    comments = " ".join(str(c) for c in fits.getheader(out, 1)["COMMENT"])
    assert "bin centres only: energy edges inferred" in comments
    strict = run_vodf(vodf, "validate", "--profile", "strict", out)
    assert strict.returncode == 0, strict.stdout
    if fmt == "vodf":
        return
    from gammapy.irf import EffectiveAreaTable2D
    with NoWarnings() as nw:
        aeff = EffectiveAreaTable2D.read(out, hdu="EFFECTIVE AREA")
    assert nw.messages() == []
    np.testing.assert_allclose(aeff.axes["energy_true"].center.to_value("GeV"), energy, rtol=1e-9)
    assert aeff.axes["offset"].nbin == 1
    np.testing.assert_allclose(aeff.quantity[:, 0].to_value("cm2"), area, rtol=1e-12)


def test_lists_and_other_units_are_read(vodf, tmp_path):
    """A list per column (not pandas' rows by label) and the units the column titles name."""
    src = tmp_path / "aeff_lists.json"
    src.write_text(json.dumps({"Energy [TeV]": [1.0, 10.0, 100.0], "Aeff [m^2]": [0.5, 2.0, 8.0]}))
    out = tmp_path / "aeff.fits"
    convert(vodf, src, out)
    with fits.open(out) as h:
        d = h[1].data
        np.testing.assert_allclose(d["EFFAREA"][0].ravel(), [0.5, 2.0, 8.0])
        lo, hi = d["ENERG_LO"][0], d["ENERG_HI"][0]
        np.testing.assert_allclose(np.sqrt(lo * hi), [1.0, 10.0, 100.0], rtol=1e-12)   # TeV, centres kept


def test_a_bad_value_is_named_with_its_line(vodf, tmp_path):
    src = tmp_path / "bad.json"
    src.write_text('{"Energy [GeV]": {"0": 1e5, "1": 2e5},\n "Aeff [cm^2]": {"0": 1.0, "1": "n/a"}}\n')
    r = run_vodf(vodf, "convert", src, "-o", tmp_path / "x.fits")
    assert r.returncode == 3 and "bad.json:2" in r.stderr and "Aeff [cm^2]" in r.stderr, r.stderr
    assert not (tmp_path / "x.fits").exists()
