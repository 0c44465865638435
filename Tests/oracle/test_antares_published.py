"""Issue 27: the ANTARES 2007-2017 public sample as it is published, and as people re-save it.
The full list (8,754 events; RA rounded to 0.1 deg and reaching 360.0; MJD with up to 4 decimals)
converts whole; gammapy 2.1 reads it with no warning, and its times agree with the MJDs to 1 ms.
The same list without its title line, space-separated, without units in its header or with CRLF line
ends converts to the same events."""
import numpy as np
import pytest
from astropy.io import fits

from conftest import CORPUS, NoWarnings, run_vodf

FULL = CORPUS / "antares" / "PublicData_0717_full.dat"


def needs_full():
    if not FULL.exists():
        pytest.skip(f"needs {FULL}")


def parse(path):
    """The list read independently: every line after the header, as (dec, ra, nhit, beta, mjd)."""
    lines = [l for l in path.read_text().splitlines() if l.strip()]
    start = next(i for i, l in enumerate(lines) if l.split()[0].lower().startswith("dec")) + 1
    return np.array([[float(x) for x in l.split()] for l in lines[start:]])


def convert(vodf, src, out, *args):
    r = run_vodf(vodf, "convert", src, "-o", out, *args)
    assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def full(vodf, tmp_path_factory):
    needs_full()
    out = tmp_path_factory.mktemp("antares") / "antares.fits"
    r = convert(vodf, FULL, out)
    return out, r


def test_the_whole_sample_converts(full):
    out, r = full
    rows = parse(FULL)
    assert len(rows) == 8754
    assert "in 8754 = written 8754 + rejected 0" in r.stdout, r.stdout
    wrapped = int((rows[:, 1] == 360.0).sum())
    assert wrapped == 3
    assert f"RA 360.0 read as 0.0 in {wrapped} row(s)" in r.stderr, r.stderr
    with fits.open(out) as h:
        ev = h["EVENTS"].data
        assert len(ev) == 8754
        ra = np.where(rows[:, 1] == 360.0, 0.0, rows[:, 1])
        np.testing.assert_array_equal(ev["RA"], ra)
        np.testing.assert_array_equal(ev["DEC"], rows[:, 0])
        np.testing.assert_array_equal(ev["NHIT"], rows[:, 2].astype(int))
        np.testing.assert_array_equal(ev["DIR_ERR"], rows[:, 3])
        # No energy in the data: the GADF column gammapy expects is there, all NaN, and NHIT is the
        # declared proxy.
        assert np.isnan(ev["ENERGY"]).all() and h["EVENTS"].header["EPROXY"] == "NHIT"


def test_gammapy_reads_the_sample_and_its_times(full):
    out, _ = full
    rows = parse(FULL)
    from gammapy.data import GTI, EventList
    with NoWarnings() as nw:
        events = EventList.read(out)
        gti = GTI.read(out)
    assert nw.messages() == []
    assert len(events.table) == 8754
    dt = np.abs(events.time.utc.mjd - rows[:, 4]) * 86400
    assert dt.max() < 1e-3, dt.max()
    assert gti.time_start[0] <= events.time.min() and events.time.max() <= gti.time_stop[-1]


@pytest.mark.parametrize("variant", ["no-title", "spaces", "no-units", "crlf"])
def test_resaved_variants_give_the_same_events(vodf, full, tmp_path, variant):
    out, _ = full
    lines = FULL.read_text().splitlines()
    if variant == "no-title":
        lines = lines[1:]
    elif variant == "spaces":
        lines = [lines[0]] + ["  ".join(l.split("\t")) for l in lines[1:]]
    elif variant == "no-units":
        lines = [lines[0], "\t".join(h.split("[")[0] for h in lines[1].split("\t"))] + lines[2:]
    text = "\r\n".join(lines) + "\r\n" if variant == "crlf" else "\n".join(lines) + "\n"
    src = tmp_path / f"antares-{variant}.dat"
    src.write_bytes(text.encode())
    mine = convert(vodf, src, tmp_path / "out.fits")
    assert "written 8754" in mine.stdout, mine.stdout
    with fits.open(out) as a, fits.open(tmp_path / "out.fits") as b:
        for col in ("EVENT_ID", "TIME", "RA", "DEC", "NHIT", "DIR_ERR"):
            np.testing.assert_array_equal(a["EVENTS"].data[col], b["EVENTS"].data[col])


def test_a_list_that_is_not_antares_is_not_taken_for_one(vodf, tmp_path):
    """The header decides: a table whose first column is not the declination is not the list."""
    src = tmp_path / "other.dat"
    src.write_text("RA Decl Nhit Beta MJD\n1 2 3 4 55000\n")
    r = run_vodf(vodf, "convert", src, "-o", tmp_path / "x.fits")
    assert r.returncode == 3 and "x.fits" not in r.stdout
