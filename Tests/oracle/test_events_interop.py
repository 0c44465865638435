"""ANTARES event lists -> EVENTS files, checked with astropy, gammapy 2.1 and fitsverify."""
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time
import astropy.units as u

from conftest import TESTDATA, NoWarnings, convert, fitsverify_counts

FORMATS = ["gadf-0.3", "gadf-0.2", "vodf"]


def read_input(path):
    """Parse an ANTARES list independently: returns dict of float arrays ra, dec, mjd."""
    lines = [l for l in path.read_text().splitlines() if l.strip()]
    if "\t" in lines[1]:  # PublicData_0717.dat: title line, then a tab-separated header
        header = [h.split("[")[0].lower() for h in lines[1].split("\t")]
        rows = [l.split("\t") for l in lines[2:]]
        names = {"ra": "ra", "dec": "decl", "mjd": "mjd"}
    else:
        header = lines[0].split(",")
        rows = [l.split(",") for l in lines[1:]]
        names = {"ra": "ra", "dec": "dec", "mjd": "mjd"}
    col = lambda n: np.array([float(r[header.index(names[n])]) for r in rows])
    return {k: col(k) for k in names}


def inputs(corpus):
    return [corpus / "antares" / "PublicData_0717_excerpt.dat", corpus / "antares" / "ant20_01_cone_excerpt.csv"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", [0, 1], ids=["public-dat", "vo-csv"])
def test_antares_events(vodf, corpus, tmp_path, fmt, which):
    src = inputs(corpus)[which]
    out = convert(vodf, src, tmp_path / "events.fits", "--format", fmt)
    expected = read_input(src)
    assert len(expected["ra"]) == 11

    with fits.open(out) as hdul:
        for hdu in hdul:
            assert hdu.verify_checksum() == 1, f"CHECKSUM of {hdu.name}"
            assert hdu.verify_datasum() == 1, f"DATASUM of {hdu.name}"
        ev = hdul["event-list" if fmt == "vodf" else "EVENTS"]
        h = ev.header
        ra_col, dec_col = ("RA_RECO", "DEC_RECO") if fmt == "vodf" else ("RA", "DEC")
        assert len(ev.data) == 11
        # Identical, not merely close: both sides parse the same decimal text into float64.
        np.testing.assert_array_equal(ev.data[ra_col], expected["ra"])
        np.testing.assert_array_equal(ev.data[dec_col], expected["dec"])
        t_ref = Time(h["MJDREFI"] + h["MJDREFF"], format="mjd", scale=h["TIMESYS"].lower())
        mjd_back = (t_ref + ev.data["TIME"] * u.s).utc.mjd
        assert np.max(np.abs(mjd_back - expected["mjd"])) * 86400 < 1e-3
        gti = hdul["GTI"].data
        assert gti["START"][0] == h["TSTART"] and gti["STOP"][0] == h["TSTOP"]
        assert h["TSTART"] == ev.data["TIME"].min() and h["TSTOP"] == ev.data["TIME"].max()

    w, e, text = fitsverify_counts(out)
    assert (w, e) == (0, 0), text

    if fmt != "vodf":  # gammapy reads GADF; VODF need not be readable by it
        from gammapy.data import EventList, GTI
        with NoWarnings() as nw:
            events = EventList.read(out)
            gti = GTI.read(out)
        assert nw.messages() == []
        assert len(events.table) == 11
        np.testing.assert_array_equal(events.radec.ra.deg, expected["ra"])
        np.testing.assert_array_equal(events.radec.dec.deg, expected["dec"])
        assert np.max(np.abs(events.time.utc.mjd - expected["mjd"])) * 86400 < 1e-3
        assert gti.time_sum.to_value("s") == pytest.approx(h["ONTIME"], rel=1e-12)


def test_embedded_sample_converts(vodf, tmp_path):
    """Runs without ../shared: the TestData sample goes through the same checks."""
    src = TESTDATA / "antares" / "sample_public.dat"
    out = convert(vodf, src, tmp_path / "sample.fits")
    expected = read_input(src)
    from gammapy.data import EventList
    with NoWarnings() as nw:
        events = EventList.read(out)
    assert nw.messages() == []
    np.testing.assert_array_equal(events.table["RA"].data, expected["ra"])
    assert np.max(np.abs(events.time.utc.mjd - expected["mjd"])) * 86400 < 1e-3
    assert fitsverify_counts(out)[:2] == (0, 0)
