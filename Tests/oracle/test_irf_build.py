"""`vodf irf build --km3irf-compatible` against km3irf 0.4.0 itself, on km3irf's test_10events.dst.root."""
import subprocess
import sys

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

import uproot

from conftest import KM3IRF_DATA, KM3NET_DATA, NoWarnings, fitsverify_counts, run_vodf

DST = KM3IRF_DATA / "test_10events.dst.root"


def km3irf_build(tmp_path, cuts):
    code = f"""
import warnings; warnings.simplefilter("ignore")
from km3irf import build_irf
d = build_irf.DataContainer({str(DST)!r})
if {cuts}: d.apply_cuts()
d.build_aeff(output={str(tmp_path / 'aeff.fits')!r})
d.build_psf(output={str(tmp_path / 'psf.fits')!r})
d.build_edisp(output={str(tmp_path / 'edisp.fits')!r})
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]


def quantity(hdu, col):
    return u.Quantity(hdu.data[col][0], hdu.columns[col].unit or "")


@pytest.mark.parametrize("cuts", [False, True], ids=["no-cuts", "cuts"])
def test_matches_km3irf(vodf, tmp_path, cuts):
    if not DST.exists():
        pytest.skip(f"needs km3irf 0.4.0's data in {KM3IRF_DATA} (scripts/testdata.sh)")
    km3irf_build(tmp_path, cuts)
    ours = tmp_path / "ours.fits"
    r = run_vodf(vodf, "irf", "build", DST, "--km3irf-compatible", "-o", ours, *(["--cuts"] if cuts else []))
    assert r.returncode == 0, r.stderr
    assert fitsverify_counts(ours)[:2] == (0, 0)
    with fits.open(ours) as h:
        for k, (name, col) in enumerate([("aeff", "EFFAREA"), ("psf", "RPSF"), ("edisp", "MATRIX")], start=1):
            theirs = fits.open(tmp_path / f"{name}.fits")[1]
            qa, qb = quantity(theirs, col), quantity(h[k], col).to(quantity(theirs, col).unit)
            assert qa.shape == qb.shape, name
            assert np.count_nonzero(qa.value) > 0
            np.testing.assert_allclose(qb.value, qa.value, rtol=1e-6, atol=0, err_msg=name)
            for c in theirs.columns.names:
                if c.endswith(("_LO", "_HI")):   # km3irf stores edges as float32
                    ea, eb = quantity(theirs, c), quantity(h[k], c).to(quantity(theirs, c).unit)
                    np.testing.assert_allclose(eb.value, ea.value, rtol=1e-6, atol=1e-7, err_msg=f"{name} {c}")
    from gammapy.irf import EffectiveAreaTable2D, EnergyDispersion2D, PSF3D
    with NoWarnings() as nw:
        EffectiveAreaTable2D.read(ours, hdu=1)
        PSF3D.read(ours, hdu=2)
        EnergyDispersion2D.read(ours, hdu=3)
    assert nw.messages() == []


def test_corrected_mode_differs_only_as_documented(vodf, km3net_data, tmp_path):
    """Corrected vs compatible on a dst file with Head genvol: the effective area scales by
    N_file / N_generated, EDISP becomes the density (MATRIX / dmu), the PSF is unchanged."""
    dst = next((KM3NET_DATA / "dst").glob("mcv6.gsg_numu-CCHEDIS*.root"))
    compat, corr = tmp_path / "compat.fits", tmp_path / "corr.fits"
    assert run_vodf(vodf, "irf", "build", dst, "--km3irf-compatible", "-o", compat).returncode == 0
    r = run_vodf(vodf, "irf", "build", dst, "-o", corr)
    assert r.returncode == 0, r.stderr
    assert fitsverify_counts(corr)[:2] == (0, 0)
    n_file = len(uproot.open(dst)["E/Evt/id"].array())
    genvol = uproot.open(dst)["Head"].tojson()["map<string,string>"]["genvol"]
    n_gen = float(genvol.split()[4])
    with fits.open(compat) as a, fits.open(corr) as b:
        np.testing.assert_allclose(b[1].data["EFFAREA"][0], a[1].data["EFFAREA"][0] * n_file / n_gen, rtol=1e-12)
        np.testing.assert_array_equal(b[2].data["RPSF"][0], a[2].data["RPSF"][0])
        dmu = b[3].data["MIGRA_HI"][0] - b[3].data["MIGRA_LO"][0]
        np.testing.assert_allclose(b[3].data["MATRIX"][0] * dmu[None, :, None], a[3].data["MATRIX"][0], rtol=1e-12, atol=1e-300)
    assert np.count_nonzero(fits.getdata(compat, 1)["EFFAREA"][0]) > 0   # the comparison is not of zeros


def test_build_errors(vodf, tmp_path):
    r = run_vodf(vodf, "irf", "build", DST, "-o", tmp_path / "x.fits")
    assert r.returncode == 3 and "no Head genvol" in r.stderr and "--km3irf-compatible" in r.stderr
    from conftest import TESTDATA
    r = run_vodf(vodf, "irf", "build", TESTDATA / "root" / "small_zlib.root", "--km3irf-compatible", "-o", tmp_path / "x.fits")
    assert r.returncode == 3 and "tree E" in r.stderr and not (tmp_path / "x.fits").exists()


def test_background_from_atmospheric_mc(vodf, km3net_data, tmp_path):
    """BKG_2D from w3 rates: gammapy reads it, and integrating it back over the bins gives the
    summed w3 of the events inside the binning (computed independently with uproot)."""
    dst = next((KM3NET_DATA / "dst").glob("mcv6.gsg_numu-CCHEDIS*.root"))
    out = tmp_path / "bkg.fits"
    r = run_vodf(vodf, "irf", "build", dst, "--irf", "bkg", "-o", out)
    assert r.returncode == 0, r.stderr
    assert fitsverify_counts(out)[:2] == (0, 0)
    from gammapy.irf import Background2D
    with NoWarnings() as nw:
        bkg = Background2D.read(out, hdu=1)
    assert nw.messages() == []
    e = uproot.open(dst)["E/Evt"]
    E = np.array([x[0] for x in e["trks/trks.E"].array(library="np")])
    dz = np.array([x[0] for x in e["trks/trks.dir.z"].array(library="np")])
    w3 = np.array([x[2] for x in e["w"].array(library="np")])
    zen = np.arccos(-dz)                           # zenith: angle to (0, 0, -1)
    inside = (E > 1) & (E <= 1e8) & (zen > 0)
    with fits.open(out) as h:
        row = h[1].data[0]
        de = (row["ENERG_HI"] - row["ENERG_LO"]) * 1e6          # TeV -> MeV
        th = np.radians(np.stack([row["THETA_LO"], row["THETA_HI"]]))
        domega = 2 * np.pi * (np.cos(th[0]) - np.cos(th[1]))
        total = (row["BKG"] * de[None, :] * domega[:, None]).sum()
    assert total == pytest.approx(w3[inside].sum(), rel=1e-9)
    assert total > 0
