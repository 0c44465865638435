"""ANTARES events as the VO serves them: the DaCHS cone-search CSV (_r, MJD, Beta, Nhit, RA, Decl, ID)
and the VOTable, in each serialisation astropy writes (TABLEDATA, BINARY, BINARY2). The corpus's
11-row excerpt is turned into these forms by astropy; vodfkit's EVENTS carry astropy's values."""
import numpy as np
import pytest
from astropy.io import fits
from astropy.io.votable import from_table, parse_single_table
from astropy.table import Table
from astropy.time import Time

from conftest import NoWarnings, TESTDATA, convert, fitsverify_counts, run_vodf


def excerpt_as_served(corpus):
    """The cone-search excerpt as the DaCHS service names its columns."""
    t = Table.read(corpus / "antares" / "ant20_01_cone_excerpt.csv", format="ascii.csv")
    out = Table()
    out["_r"] = t["dist_arcsec"] / 3600.0
    out["MJD"] = t["mjd"]
    out["Beta"] = t["beta"]
    out["Nhit"] = t["nhit"].astype("i2")
    out["RA"] = t["ra"]
    out["Decl"] = t["dec"]
    out["ID"] = t["id"]
    for c, u in [("_r", "deg"), ("MJD", "d"), ("Beta", "deg"), ("RA", "deg"), ("Decl", "deg")]:
        out[c].unit = u
    return out


def check_events(out, want):
    with fits.open(out) as h:
        ev = h["EVENTS"]
        np.testing.assert_array_equal(ev.data["RA"], np.asarray(want["RA"], float))
        np.testing.assert_array_equal(ev.data["DEC"], np.asarray(want["Decl"], float))
        np.testing.assert_array_equal(ev.data["NHIT"], np.asarray(want["Nhit"]))
        np.testing.assert_array_equal(ev.data["DIR_ERR"], np.asarray(want["Beta"], float))
        assert list(ev.data["EVENT_ID"]) == [int(str(i).lstrip("ANT")) for i in want["ID"]]
        ref = Time(ev.header["MJDREFI"] + ev.header["MJDREFF"], format="mjd", scale="tt")
        got = ref + ev.data["TIME"] * __import__("astropy.units").units.s
        np.testing.assert_allclose((got - Time(np.asarray(want["MJD"], float), format="mjd", scale="utc")).sec, 0, atol=1e-4)
    from gammapy.data import EventList
    with NoWarnings() as nw:
        assert len(EventList.read(out).table) == len(want)
    assert nw.messages() == []
    assert fitsverify_counts(out)[:2] == (0, 0)


def test_cone_search_csv(vodf, corpus, tmp_path):
    t = excerpt_as_served(corpus)
    src = tmp_path / "ant20_01_cone.csv"
    t.write(src, format="ascii.csv")
    r = run_vodf(vodf, "convert", src, "-o", tmp_path / "out.fits")
    assert r.returncode == 0 and "cone-search CSV" in r.stdout, r.stderr
    check_events(tmp_path / "out.fits", t)


@pytest.mark.parametrize("serialisation", ["tabledata", "binary", "binary2"])
def test_votable(vodf, corpus, tmp_path, serialisation):
    t = excerpt_as_served(corpus)
    src = tmp_path / f"ant20_01.{serialisation}.vot"
    from_table(t).to_xml(str(src), tabledata_format=serialisation)
    assert f"<{serialisation.upper()}>" in src.read_text()
    back = parse_single_table(str(src)).to_table()       # what astropy reads from the VOTable
    out = convert(vodf, src, tmp_path / "out.fits", "-q")
    check_events(out, back)


def test_broken_votable_is_one_line(vodf, tmp_path):
    src = TESTDATA / "antares" / "sample_vo.vot"
    cut = tmp_path / "cut.vot"
    cut.write_text(src.read_text().replace("<TD>45</TD>", "<TD>4x5</TD>"))
    r = run_vodf(vodf, "convert", cut, "-o", tmp_path / "o.fits")
    assert r.returncode == 3 and r.stderr.count("\n") == 1, r.stderr
    assert f"{cut}: row 2: column 'nhit': '4x5' is not an integer" in r.stderr, r.stderr
    truncated = tmp_path / "trunc.vot"
    truncated.write_text(src.read_text()[:-200])
    r = run_vodf(vodf, "convert", truncated, "-o", tmp_path / "o.fits")
    assert r.returncode == 3 and r.stderr.count("\n") == 1 and "not well-formed XML (line" in r.stderr, r.stderr
    assert not (tmp_path / "o.fits").exists()
