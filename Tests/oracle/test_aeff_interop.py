"""KM3NeT/ARCA230 effective-area table -> AEFF_2D, checked with astropy, gammapy 2.1 and fitsverify."""
import csv

import numpy as np
import pytest
from astropy.io import fits

from conftest import TESTDATA, NoWarnings, convert, fitsverify_counts


def csv_rows(path):
    with open(path) as f:
        r = csv.reader(f)
        next(r)
        return [[float(x) for x in row] for row in r]


def aeff_csv(corpus):
    return corpus / "km3net-arca230-irf" / "aeff_coszen_allnumuCC_track.csv"


def zenith_bin_deg(cos_lo, cos_hi):
    """The zenith-angle bin of a cos(zenith) bin, in degrees (an independent derivation)."""
    return np.degrees(np.arccos(cos_hi)), np.degrees(np.arccos(cos_lo))


@pytest.mark.parametrize("fmt", ["gadf-0.3", "gadf-0.2"])
def test_arca230_aeff_gadf(vodf, corpus, tmp_path, fmt):
    src = aeff_csv(corpus)
    rows = csv_rows(src)
    assert len(rows) == 720
    out = convert(vodf, src, tmp_path / "aeff.fits", "--format", fmt)

    with fits.open(out) as hdul:
        for hdu in hdul:
            assert hdu.verify_checksum() == 1 and hdu.verify_datasum() == 1
        hdu = hdul["EFFECTIVE AREA"]
        assert hdu.header["HDUCLAS4"] == "AEFF_2D"
        assert hdu.header["AXIS2"] == "ZENITH"
        d = hdu.data[0]
        area = d["EFFAREA"]  # numpy shape (theta, energy): TDIM is (nE, ntheta)
        assert area.shape == (40, 18)
        elo, tlo, thi = d["ENERG_LO"], d["THETA_LO"], d["THETA_HI"]
        assert hdu.columns["ENERG_LO"].unit == "TeV" and hdu.columns["THETA_LO"].unit == "deg"
        for e_lo, _, _, c_lo, _, c_hi, value in rows:
            i = np.flatnonzero(np.isclose(elo, 10 ** e_lo / 1000, rtol=1e-12, atol=0))
            z_lo, z_hi = zenith_bin_deg(c_lo, c_hi)
            k = np.flatnonzero(np.isclose(tlo, z_lo, rtol=0, atol=1e-9) & np.isclose(thi, z_hi, rtol=0, atol=1e-9))
            assert len(i) == 1 and len(k) == 1
            assert area[k[0], i[0]] == value  # exact: written as float64

    assert fitsverify_counts(out)[:2] == (0, 0)

    from gammapy.irf import EffectiveAreaTable2D
    with NoWarnings() as nw:
        aeff = EffectiveAreaTable2D.read(out, hdu="EFFECTIVE AREA")
    assert nw.messages() == []
    # gammapy's value at each bin centre equals the CSV value of that bin.
    e_center = np.array([10 ** r[1] / 1000 for r in rows])  # log-centre in GeV -> TeV
    z = np.array([zenith_bin_deg(r[3], r[5]) for r in rows])
    z_center = z.mean(axis=1)
    got = aeff.evaluate(energy_true=e_center * aeff.axes["energy_true"].unit, offset=z_center * aeff.axes["offset"].unit)
    want = np.array([r[6] for r in rows])
    # Equal to float precision: gammapy's interpolation weights at a node are 1 - O(1e-16), so a bin
    # whose CSV value is 0 can come back as ~1e-20 m2; the floor is 1e-15 of the table's largest value.
    np.testing.assert_allclose(got.to_value("m2"), want, rtol=1e-12, atol=1e-15 * want.max())


def test_arca230_aeff_vodf(vodf, corpus, tmp_path):
    src = aeff_csv(corpus)
    rows = csv_rows(src)
    out = convert(vodf, src, tmp_path / "aeff-vodf.fits", "--format", "vodf")
    with fits.open(out) as hdul:
        for hdu in hdul:
            assert hdu.verify_checksum() == 1 and hdu.verify_datasum() == 1
        hdu = hdul[1]
        assert hdu.header["HDUCLASS"] == "VODF" and hdu.header["AXIS2"] == "COS_ZENITH"
        d = hdu.data[0]
        area = d["EFFAREA"]
        for e_lo, _, _, c_lo, _, _, value in rows:
            i = np.flatnonzero(np.isclose(d["ENERGY_TRUE_LO"], 10 ** e_lo / 1000, rtol=1e-12, atol=0))
            k = np.flatnonzero(d["COSZEN_LO"] == c_lo)
            assert len(i) == 1 and len(k) == 1
            assert area[k[0], i[0]] == value
    assert fitsverify_counts(out)[:2] == (0, 0)


def test_embedded_aeff_sample(vodf, tmp_path):
    src = TESTDATA / "km3net" / "aeff_coszen_sample.csv"
    out = convert(vodf, src, tmp_path / "sample-aeff.fits")
    from gammapy.irf import EffectiveAreaTable2D
    with NoWarnings() as nw:
        aeff = EffectiveAreaTable2D.read(out, hdu="EFFECTIVE AREA")
    assert nw.messages() == []
    rows = csv_rows(src)
    z = np.array([zenith_bin_deg(r[3], r[5]) for r in rows]).mean(axis=1)
    got = aeff.evaluate(energy_true=np.array([10 ** r[1] / 1000 for r in rows]) * aeff.axes["energy_true"].unit,
                        offset=z * aeff.axes["offset"].unit)
    want = np.array([r[6] for r in rows])
    np.testing.assert_allclose(got.to_value("m2"), want, rtol=1e-12, atol=1e-15 * want.max())
    assert fitsverify_counts(out)[:2] == (0, 0)
