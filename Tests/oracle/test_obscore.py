"""Issue 15: ObsCore 1.1 + high-energy extension rows of a release, as a VOTable 1.4 that astropy
reads with no warning and that votable.validate passes; every mandatory ObsCore column with its
type, unit and UCD (the table below is ObsCore 1.1's, written here independently of vodfkit's list);
the values recomputed from the files with astropy."""
import io
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits, votable
from astropy.time import Time

from conftest import REPO, run_vodf

HC = 1.239841984332e-6   # eV m

# ObsCore 1.1 (REC), table 6: name -> (VOTable datatype, unit, UCD)
MANDATORY = {
    "dataproduct_type": ("char", None, "meta.code.class"),
    "calib_level": ("int", None, "meta.code;obs.calib"),
    "obs_collection": ("char", None, "meta.id"),
    "obs_id": ("char", None, "meta.id"),
    "obs_publisher_did": ("char", None, "meta.ref.ivoid"),
    "access_url": ("char", None, "meta.ref.url"),
    "access_format": ("char", None, "meta.code.mime"),
    "access_estsize": ("long", "kbyte", "phys.size;meta.file"),
    "target_name": ("char", None, "meta.id;src"),
    "s_ra": ("double", "deg", "pos.eq.ra"),
    "s_dec": ("double", "deg", "pos.eq.dec"),
    "s_fov": ("double", "deg", "phys.angSize;instr.fov"),
    "s_region": ("char", None, "pos.outline;obs.field"),
    "s_resolution": ("double", "arcsec", "pos.angResolution"),
    "s_xel1": ("long", None, "meta.number"),
    "s_xel2": ("long", None, "meta.number"),
    "t_min": ("double", "d", "time.start;obs.exposure"),
    "t_max": ("double", "d", "time.end;obs.exposure"),
    "t_exptime": ("double", "s", "time.duration;obs.exposure"),
    "t_resolution": ("double", "s", "time.resolution"),
    "t_xel": ("long", None, "meta.number"),
    "em_min": ("double", "m", "em.wl;stat.min"),
    "em_max": ("double", "m", "em.wl;stat.max"),
    "em_res_power": ("double", None, "spect.resolution"),
    "em_xel": ("long", None, "meta.number"),
    "o_ucd": ("char", None, "meta.ucd"),
    "pol_states": ("char", None, "meta.code;phys.polarization"),
    "pol_xel": ("long", None, "meta.number"),
    "facility_name": ("char", None, "meta.id;instr.tel"),
    "instrument_name": ("char", None, "meta.id;instr"),
}


@pytest.fixture(scope="module")
def sample_release(vodf, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "rel"
    r = run_vodf(vodf, "release", "build", REPO / "TestData" / "release" / "sample.yaml", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    return out


def obscore(vodf, directory, out, *extra):
    r = run_vodf(vodf, "release", "obscore", directory, "-o", out, "-q", *extra)
    assert r.returncode == 0, r.stderr
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        doc = votable.parse(str(out), verify="warn")
    assert [str(x.message) for x in w] == []
    report = io.StringIO()
    assert votable.validate(str(out), output=report), report.getvalue()
    tables = {t.name: t for t in doc.iter_tables()}
    return tables["obscore"], tables["obscore_hea"]


def test_sample_release_obscore(vodf, sample_release, tmp_path):
    core, hea = obscore(vodf, sample_release, tmp_path / "obscore.vot")
    fields = {f.name: f for f in core.fields}
    for name, (datatype, unit, ucd) in MANDATORY.items():
        assert name in fields, name
        f = fields[name]
        assert f.datatype == datatype, (name, f.datatype)
        assert (f.unit is None and unit is None) or u.Unit(f.unit) == u.Unit(unit), (name, f.unit)
        assert f.ucd == ucd, (name, f.ucd)
    t, h = core.to_table(), hea.to_table()
    assert list(t["obs_publisher_did"]) == list(h["obs_publisher_did"])
    events = t[t["dataproduct_type"] == "hea-event-list"]
    # 2 runs in each of 3 stores (gadf-0.3/track, gadf-0.3/shower, vodf)
    assert len(events) == 6 and set(events["obs_id"]) == {"1", "2"}
    irfs = t[t["dataproduct_type"] == "response-function"]
    assert set(irfs["dataproduct_subtype"]) == {"aeff", "psf", "edisp", "bkgrate"}
    assert set(t["access_format"]) == {"application/x-fits-gadf", "application/x-fits-vodf"}
    for row, extra in zip(t, h):
        path = Path(row["access_url"].removeprefix("file://"))
        assert path.exists(), path
        assert row["access_estsize"] == -(-path.stat().st_size // 1024)
        if row["dataproduct_type"] != "hea-event-list":
            with fits.open(path) as f:
                hdu = f[row["obs_publisher_did"].split("#")[1].replace("%20", " ")]
                axis = next(a for a in ["ENERG", "ENERGY_TRUE", "ENERGY_RECO"] if a + "_LO" in hdu.columns.names)
                lo, hi = np.min(hdu.data[axis + "_LO"]), np.max(hdu.data[axis + "_HI"])
                scale = u.Unit(hdu.columns[axis + "_LO"].unit).to("eV")
            assert extra["energy_min"] == pytest.approx(lo * scale, rel=1e-12)
            assert row["em_min"] == pytest.approx(HC / (hi * scale), rel=1e-12)
            assert row["em_max"] == pytest.approx(HC / (lo * scale), rel=1e-12)
            continue
        with fits.open(path) as f:
            ev = f[1]
            n = len(ev.data)
            ref = Time(ev.header["MJDREFI"] + ev.header["MJDREFF"], format="mjd", scale=ev.header["TIMESYS"].lower())
            tmin = (ref + ev.header["TSTART"] * u.s).utc.mjd
            live = ev.header["LIVETIME"]
        assert extra["ev_xel"] == n
        assert row["t_min"] == pytest.approx(tmin, abs=1e-9)
        assert row["t_exptime"] == pytest.approx(live)
        # a drift (neutrino) observation sees the whole sky
        assert np.ma.is_masked(row["s_ra"]) and row["s_fov"] == 360
        assert extra["messenger_name"] == "neutrino" and extra["messenger_pdgid"] in ("+14", "+12")
        assert extra["obs_mode"] == "DRIFT" and extra["analysis_mode"] == "pointsource"
        assert row["s_xel1"] == -1 and row["em_xel"] == -1
    assert set(h["event_type"][~h["event_type"].mask]) >= {"track", "shower"}


def test_hess_dr1_obscore(vodf, corpus, tmp_path):
    """A third party's release: the whole H.E.S.S. DR1 data store, pointed observations."""
    store = corpus / "gadf" / "hess-dl3-dr1-full"
    if not store.is_dir():
        pytest.skip(f"needs {store}")
    core, hea = obscore(vodf, store, tmp_path / "hess.vot", "--authority", "ivo://example.org/hess", "--base-url", "https://example.org/dr1")
    t, h = core.to_table(), hea.to_table()
    events = t[t["dataproduct_type"] == "hea-event-list"]
    assert len(events) == 105
    obs_index = fits.open(store / "obs-index.fits.gz")[1].data
    pnt = {str(o): (ra, dec) for o, ra, dec in zip(obs_index["OBS_ID"], obs_index["RA_PNT"], obs_index["DEC_PNT"])}
    for row in events:
        ra, dec = pnt[row["obs_id"]]       # float32 in the obs-index; the events header has the double
        assert row["s_ra"] == pytest.approx(ra, abs=1e-4) and row["s_dec"] == pytest.approx(dec, abs=1e-4)
        # the field the effective area covers: its largest offset (THETA_HI), as a diameter
        with fits.open(store / "data" / Path(row["access_url"]).name) as f:
            theta = float(np.max(f["AEFF"].data["THETA_HI"]))
        assert row["s_fov"] == pytest.approx(2 * theta) and row["s_region"] == f"CIRCLE FK5 {row['s_ra']} {row['s_dec']} {theta}"
        assert row["access_url"].startswith("https://example.org/dr1/data/")
    heaev = h[t["dataproduct_type"] == "hea-event-list"]
    assert set(heaev["messenger_name"]) == {"photon"} and set(heaev["messenger_pdgid"]) == {"+22"}
    assert int(np.sum(heaev["ev_xel"])) == 1_046_156   # the events of the 105 runs
    assert set(t[t["dataproduct_type"] == "response-function"]["dataproduct_subtype"]) == {"aeff", "edisp", "psf", "bkgrate"}


def test_excerpt_with_absent_runs_warns(vodf, corpus, tmp_path):
    store = corpus / "gadf" / "hess-dl3-dr1"
    r = run_vodf(vodf, "release", "obscore", store, "-o", tmp_path / "x.vot")
    assert r.returncode == 0, r.stderr
    assert "absent" in r.stderr and "4 event list(s)" in r.stdout


def test_obscore_errors(vodf, tmp_path):
    r = run_vodf(vodf, "release", "obscore", tmp_path, "-o", tmp_path / "x.vot")
    assert r.returncode == 3 and "no hdu-index" in r.stderr and r.stderr.count("\n") == 1
    assert not (tmp_path / "x.vot").exists()
