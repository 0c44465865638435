"""KM3NeT/ARCA230 PSF, energy-response and background tables -> FITS IRFs (gammapy 2.1, fitsverify)."""
import numpy as np
import pandas as pd
import pytest
from astropy.io import fits

from conftest import NoWarnings, convert, fitsverify_counts, run_vodf


def table(corpus, name):
    return corpus / "km3net-arca230-irf" / name


def psf_expected(path, clip=False):
    """The documented conversion, done independently: RAD bins halfway (log10) between samples,
    negatives kept (or -> 0 with clip), each energy bin divided by its integral.
    Returns {energy_lo: normalised values}."""
    d = pd.read_csv(path)
    d.columns = ["elo", "ec", "ehi", "lpsi", "f"]
    out = {}
    for e, g in d.groupby("elo"):
        l, f = g.lpsi.values, (np.maximum(g.f.values, 0) if clip else g.f.values)
        edges = np.radians(np.concatenate([[0], 10 ** (0.5 * (l[1:] + l[:-1])), [180]]))
        omega = 2 * np.pi * (np.cos(edges[:-1]) - np.cos(edges[1:]))
        out[e] = f / (f * omega).sum()
    return out


@pytest.mark.parametrize("clip", [False, True], ids=["as-read", "clip-negative"])
def test_psf(vodf, corpus, tmp_path, clip):
    src = table(corpus, "psf_numuCC_track.csv")
    out = convert(vodf, src, tmp_path / "psf.fits", *(["--clip-negative"] if clip else []))
    negatives = int((pd.read_csv(src).iloc[:, 4] < 0).sum())
    assert negatives > 0
    with fits.open(out) as h:
        assert h["PSF"].header.get("NEGCLIP" if clip else "NEGBINS") == negatives
        assert ("NEGBINS" if clip else "NEGCLIP") not in h["PSF"].header
    assert fitsverify_counts(out)[:2] == (0, 0)
    from gammapy.irf import PSF3D
    with NoWarnings() as nw:
        psf = PSF3D.read(out, hdu="PSF")
    assert nw.messages() == []
    assert psf.axes.names == ["energy_true", "offset", "rad"] and psf.data.shape == (18, 1, 2000)
    expected = psf_expected(src, clip)
    elo = np.log10(psf.axes["energy_true"].edges.to_value("GeV")[:-1])
    rad = psf.axes["rad"]
    # The stored table (gammapy's evaluate interpolates in log and so hides negative tails).
    got = psf.quantity.to_value("sr-1")[:, 0, :]
    for i, e in enumerate(elo):
        want = expected[min(expected, key=lambda k: abs(k - e))]
        np.testing.assert_allclose(got[i], want, rtol=1e-9, atol=1e-12 * want.max())
    # Normalisation: sum of dP/dOmega x dOmega over RAD bins, per energy.
    r = rad.edges.to_value("rad")
    omega = 2 * np.pi * (np.cos(r[:-1]) - np.cos(r[1:]))
    integrals = (psf.quantity.to_value("sr-1")[:, 0, :] * omega).sum(axis=1)
    np.testing.assert_allclose(integrals, 1, atol=1e-6)


def test_energy_response(vodf, corpus, tmp_path):
    src = table(corpus, "energyresponse_numuCC_track.csv")
    out = convert(vodf, src, tmp_path / "edisp.fits")
    assert fitsverify_counts(out)[:2] == (0, 0)
    from gammapy.irf import EnergyDispersion2D
    with NoWarnings() as nw:
        ed = EnergyDispersion2D.read(out, hdu="EDISP")
    assert nw.messages() == []
    d = pd.read_csv(src, skipinitialspace=True)
    d.columns = ["tlo", "tc", "thi", "rlo", "rc", "rhi", "v"]
    mu = ed.axes["migra"].edges.value
    data = ed.data[:, :, 0]
    true_lo = np.log10(ed.axes["energy_true"].edges.to_value("GeV")[:-1])
    checked = 0
    for t, g in d.groupby("tlo"):
        i = int(np.argmin(np.abs(true_lo - t)))
        p = g.v.values * (g.rhi - g.rlo).values
        if p.sum() == 0:
            assert np.all(data[i] == 0)       # no events in this true bin: stays empty
            continue
        p = p / p.sum()
        centre = 0.5 * (g.tlo.values[0] + g.thi.values[0])
        for (rlo, rhi, pj) in zip(g.rlo.values, g.rhi.values, p):
            if pj == 0:
                continue
            k = int(np.argmin(np.abs(np.log10(mu) - (rlo - centre))))
            assert abs(np.log10(mu[k + 1]) - (rhi - centre)) < 1e-6
            assert data[i, k] == pytest.approx(pj / (mu[k + 1] - mu[k]), rel=1e-9)
            checked += 1
        assert (data[i] * np.diff(mu)).sum() == pytest.approx(1, abs=1e-6)
    assert checked > 100
    # gammapy's value at a bin centre is the bin's density.
    e_c, m_c = ed.axes["energy_true"].center, ed.axes["migra"].center
    got = ed.evaluate(energy_true=e_c[:, None], migra=m_c[None, :], offset=90 * ed.axes["offset"].unit).value
    np.testing.assert_allclose(got, data, rtol=1e-9, atol=1e-12)


def test_background_needs_vodf(vodf, corpus, tmp_path):
    src = table(corpus, "bkg_track.csv")
    r = run_vodf(vodf, "convert", src, "-o", tmp_path / "bkg.fits")
    assert r.returncode == 2 and "no axis for SIN_DEC" in r.stderr and "--format vodf" in r.stderr
    assert not (tmp_path / "bkg.fits").exists()
    out = convert(vodf, src, tmp_path / "bkg.vodf.fits", "--format", "vodf")
    assert fitsverify_counts(out)[:2] == (0, 0)
    with fits.open(out) as h:
        hdu = h[1]
        assert hdu.header["HDUCLAS4"] == "BKG_2D" and hdu.header["AXIS2"] == "SIN_DEC"
        assert hdu.columns["BKG"].unit == "s-1 MeV-1 sr-1"
        row = hdu.data[0]
        e = np.concatenate([row["ENERGY_RECO_LO"], row["ENERGY_RECO_HI"][-1:]]) * 1e6   # TeV -> MeV
        s = np.concatenate([row["SINDEC_LO"], row["SINDEC_HI"][-1:]])
        bkg = row["BKG"]                                                                # (sindec, energy)
    d = pd.read_csv(src)
    d.columns = ["elo", "ec", "ehi", "slo", "sc", "shi", "rate"]
    for _, x in d.iterrows():
        i = int(np.argmin(np.abs(np.log10(e[:-1] / 1e3) - x.elo)))
        j = int(np.argmin(np.abs(s[:-1] - x.slo)))
        rate = bkg[j, i] * (e[i + 1] - e[i]) * 2 * np.pi * (s[j + 1] - s[j])
        assert rate == pytest.approx(x.rate, rel=1e-12, abs=1e-30)


@pytest.mark.parametrize("name", ["psf_numuCC_track.csv", "energyresponse_numuCC_track.csv", "aeff_coszen_allnumuCC_track.csv"])
def test_vodf_and_gadf02_flavours_pass_fitsverify(vodf, corpus, tmp_path, name):
    for fmt in ["vodf", "gadf-0.2"]:
        out = convert(vodf, table(corpus, name), tmp_path / f"{fmt}.fits", "--format", fmt)
        assert fitsverify_counts(out)[:2] == (0, 0)


@pytest.mark.parametrize("where", ["corpus", "testdata"])
def test_directory_of_tables_into_one_file(vodf, tmp_path, where, request):
    """--kind irf on a directory: every table in one file; gammapy reads each GADF HDU without warnings."""
    from conftest import CORPUS, TESTDATA
    if where == "corpus":
        request.getfixturevalue("corpus")
    src = CORPUS / "km3net-arca230-irf" if where == "corpus" else TESTDATA / "km3net"
    out = tmp_path / "irf.fits"
    r = run_vodf(vodf, "convert", src, "-o", out, "--kind", "irf")
    assert r.returncode == 0, r.stderr
    assert "not written: bkg" in r.stdout and "no axis for SIN_DEC" in r.stdout
    assert fitsverify_counts(out)[:2] == (0, 0)
    with fits.open(out) as h:
        kinds = [x.header.get("HDUCLAS4") for x in h[1:]]
    # The corpus holds the tables of both channels (track and shower): each kind once per channel.
    channels = 2 if where == "corpus" else 1
    assert sorted(kinds) == sorted(["AEFF_2D", "EDISP_2D", "PSF_TABLE"] * channels)
    from gammapy.irf import EffectiveAreaTable2D, EnergyDispersion2D, PSF3D
    with NoWarnings() as nw:
        for i, k in enumerate(kinds, start=1):
            {"AEFF_2D": EffectiveAreaTable2D, "EDISP_2D": EnergyDispersion2D, "PSF_TABLE": PSF3D}[k].read(out, hdu=i)
    assert nw.messages() == []
    vodf_out = convert(vodf, src, tmp_path / "irf.vodf.fits", "--kind", "irf", "--format", "vodf")
    with fits.open(vodf_out) as h:
        assert sorted(x.header.get("HDUCLAS4") for x in h[1:]) == sorted(["AEFF_2D", "BKG_2D", "EDISP_2D", "PSF_TABLE"] * channels)
    assert fitsverify_counts(vodf_out)[:2] == (0, 0)


def test_psf_empty_band_converts(vodf, tmp_path):
    """An energy band whose probabilities are all zero (TestData fixture in the ARCA230 layout) is
    written as zeros, with a warning naming the band; gammapy reads the file without a warning."""
    from conftest import TESTDATA
    out = tmp_path / "empty.fits"
    r = run_vodf(vodf, "convert", TESTDATA / "flawed" / "psf_empty_band.csv", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    assert "slice(s) hold no probability (first at ENERG bin 2, THETA bin 0); written as zeros" in r.stderr, r.stderr
    assert fitsverify_counts(out)[:2] == (0, 0)
    from gammapy.irf import PSF3D
    with NoWarnings() as nw:
        psf = PSF3D.read(out, hdu="PSF")
    assert nw.messages() == []
    data = psf.quantity.to_value("sr-1")
    assert data.shape == (3, 1, 6) and np.all(data[2] == 0) and np.all(data[:2].sum(axis=-1) > 0)
