"""Issue 14: `vodf release upgrade` on the whole H.E.S.S. DR1 release. Upgraded to VODF and back
to GADF 0.3, every event and IRF array is identical to the published one; gammapy's DataStore
opens the result and loads every observation, with no warning and the same numbers; what the
formats cannot hold is listed, not lost silently."""
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from harness import aligned, as_observation_gives
from conftest import CORPUS, run_vodf

HESS = CORPUS / "gadf" / "hess-dl3-dr1-full"
EXCERPT = CORPUS / "gadf" / "hess-dl3-dr1"
IRFS = ["aeff", "edisp", "psf", "bkg"]
# vodf_schema types these event columns float64; float32 values are widened, never changed.
WIDENED = {"TIME", "RA", "DEC", "ENERGY"}


@pytest.fixture(scope="module")
def upgraded(vodf, tmp_path_factory):
    if not (HESS / "hdu-index.fits.gz").exists():
        pytest.skip(f"needs the H.E.S.S. DR1 release in {HESS}")
    tmp = tmp_path_factory.mktemp("upgrade")
    out = {}
    for name, src, fmt in [("vodf", HESS, "vodf"), ("gadf", tmp / "vodf", "gadf-0.3")]:
        r = run_vodf(vodf, "release", "upgrade", src, "-o", tmp / name, "--to", fmt, "--jobs", "2")
        assert r.returncode == 0, r.stdout + r.stderr
        out[name] = (tmp / name, r.stdout)
    return out


def runs():
    return sorted((HESS / "data").glob("*.fits.gz"))


def test_events_and_gti_identical_after_vodf_and_back(upgraded):
    gadf = upgraded["gadf"][0]
    assert len(runs()) == 105
    for path in runs():
        with fits.open(path) as a, fits.open(gadf / "data" / path.name) as b:
            ea, eb = a["EVENTS"], b["EVENTS"]
            assert ea.data.columns.names == eb.data.columns.names, path.name
            for name in ea.data.columns.names:
                x, y = ea.data[name], eb.data[name]
                if x.dtype != y.dtype:
                    assert name in WIDENED and x.dtype.kind == "f", (path.name, name, x.dtype, y.dtype)
                    assert np.array_equal(y.astype(x.dtype), x), (path.name, name)
                assert np.array_equal(np.asarray(x, dtype=y.dtype), y), (path.name, name)
            for k in ["OBS_ID", "TSTART", "TSTOP", "ONTIME", "LIVETIME", "DEADC", "RA_PNT", "DEC_PNT", "MJDREFI", "MJDREFF",
                      "N_TELS", "TELLIST", "MUONEFF", "OBJECT", "RA_OBJ", "GEOLAT", "ALTITUDE", "RADECSYS", "OBS_MODE"]:
                assert eb.header[k] == ea.header[k], (path.name, k)
            for col in ["START", "STOP"]:
                assert np.array_equal(a["GTI"].data[col], b["GTI"].data[col])


def test_irfs_identical_through_gammapy(upgraded):
    import gammapy.irf as girf
    classes = {"AEFF_2D": girf.EffectiveAreaTable2D, "EDISP_2D": girf.EnergyDispersion2D,
               "PSF_TABLE": girf.PSF3D, "BKG_3D": girf.Background3D}
    gadf = upgraded["gadf"][0]
    compared = 0
    for path in runs():
        with fits.open(path) as h:
            kinds = [(hdu.name, hdu.header["HDUCLAS4"].strip()) for hdu in h[1:] if "HDUCLAS4" in hdu.header]
        assert len(kinds) == 4
        for name, kind in kinds:
            # The background as gammapy's Observation reads the published run (FoV longitude reversed), in
            # GADF's alignment, which the upgraded run holds (harness.aligned).
            a = as_observation_gives(path, classes[kind].read(path, hdu=name))
            b = classes[kind].read(gadf / "data" / path.name, hdu=name)
            assert a.axes.names == b.axes.names
            (qa, ea), (qb, eb) = aligned(a), aligned(b)
            for ax in ea:
                assert np.array_equal(ea[ax].to_value(eb[ax].unit), eb[ax].value), (path.name, kind, ax)
            assert np.array_equal(qa.to_value(qb.unit), qb.value), (path.name, kind)
            compared += 1
    assert compared == 420


def test_gammapy_loads_every_observation(upgraded):
    from gammapy.data import DataStore
    gadf = upgraded["gadf"][0]
    published = DataStore.from_dir(HESS).get_observations(required_irf=IRFS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = DataStore.from_dir(gadf)
        observations = store.get_observations(required_irf=IRFS)
        assert len(observations) == len(published) == 105
        for a, b in zip(observations, published):
            assert a.obs_id == b.obs_id
            assert len(a.events.table) == len(b.events.table)
            assert a.observation_live_time_duration == b.observation_live_time_duration
            assert a.observation_dead_time_fraction == b.observation_dead_time_fraction
            assert abs((a.tstart - b.tstart).to_value("s")) < 1e-6
            for t in IRFS:
                (qa, _), (qb, _) = aligned(getattr(a, t)), aligned(getattr(b, t))
                assert np.array_equal(qa.value, qb.to_value(qa.unit)), (a.obs_id, t)
            assert b.bkg.fov_alignment.value == "REVERSE_LON_RADEC" and a.bkg.fov_alignment.value == "RADEC"
    # The obs-index is carried column for column; GADF 0.3's OBS_MODE is added from the events.
    with fits.open(HESS / "obs-index.fits.gz") as a, fits.open(gadf / "obs-index.fits.gz") as b:
        for name in a[1].columns.names:
            x, y = a[1].data[name], b[1].data[name]
            if x.dtype.kind in "SU":
                # Trailing blanks do not count in FITS text (and chararrays compare oddly).
                assert [v.rstrip() for v in x.tolist()] == [v.rstrip() for v in y.tolist()], name
            else:
                assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
        assert set(b[1].data["OBS_MODE"]) == {"WOBBLE"}
        assert b[1].header["GEOLON"] == a[1].header["GEOLON"]


def test_outputs_validate(vodf, upgraded):
    for name in ["vodf", "gadf"]:
        r = run_vodf(vodf, "validate", upgraded[name][0], "--profile", "strict")
        # 89 runs have events up to 0.9 s outside their GTI, as published: warnings, not errors.
        assert r.returncode == 0, r.stdout[-3000:]
        assert "0 error(s), 89 warning(s)" in r.stdout.splitlines()[-1], r.stdout.splitlines()[-1]


def test_what_is_not_carried_is_listed(upgraded):
    out, stdout = upgraded["vodf"]
    report = (out / "upgrade-report.txt").read_text()
    assert "105 observations, 1046156 events, 420 IRF HDUs in 105 files" in report
    # The index's SIZE column and the GTI's own keywords have no place in the upgraded release.
    assert "HDU_INDEX column SIZE" in stdout
    for k in ["TSTART", "TSTOP", "TIMEZERO"]:
        assert f"GTI keyword {k} — a GTI table keeps its intervals" in stdout and "(105 files" in stdout
    assert report.count("data/hess_dl3_dr1_obs_id_") == 3 * 105
    # The README files of the release are copied; the producer's comments and keywords are kept.
    assert (out / "README.md").read_bytes() == (HESS / "README.md").read_bytes()
    with fits.open(out / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz") as h:
        assert any("first H.E.S.S. FITS test data release" in c for c in h[0].header["COMMENT"])
        assert h["event-list"].header["TELLIST"] == "1,2,3,4"
        assert h["AEFF"].header["TELPAT"] == 30 and h["AEFF"].header["CONFIG"] == "std_fullEnclosure_fits_release"
        members = list(h["GROUPING"].data["MEMBER_NAME"])
        assert members == ["event-list", "GTI", "AEFF", "EDISP", "PSF", "BKG"], members
    assert "Not carried over (0)" in upgraded["gadf"][1]


def test_excerpt_with_absent_runs_is_refused(vodf, tmp_path):
    if not (EXCERPT / "hdu-index.fits.gz").exists():
        pytest.skip(f"needs {EXCERPT}")
    r = run_vodf(vodf, "release", "upgrade", EXCERPT, "-o", tmp_path / "x", "--to", "vodf")
    assert r.returncode == 3
    assert len(r.stderr.strip().splitlines()) == 1
    assert "101 file(s) named by the index are missing" in r.stderr
    assert not (tmp_path / "x").exists()
    # --skip-missing carries the complete observations and lists the rest; gammapy loads them.
    from gammapy.data import DataStore
    r = run_vodf(vodf, "release", "upgrade", EXCERPT, "-o", tmp_path / "y", "--to", "gadf-0.3", "--skip-missing")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "101 observation(s) — a file they need is missing" in r.stdout
    present = sorted(int(p.name.split("_")[-1].split(".")[0]) for p in (EXCERPT / "data").glob("*.fits.gz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        obs = DataStore.from_dir(tmp_path / "y").get_observations(required_irf=IRFS)
    assert sorted(int(o.obs_id) for o in obs) == present and len(obs) == 4


def test_sample_release_store_with_shared_irfs_round_trips(vodf, tmp_path):
    """Without ../shared: the GADF store of the committed sample release, whose runs share one IRF
    file, to VODF (IRFs as grouping members in another file) and back, with gammapy reading both."""
    from gammapy.data import DataStore
    sample = Path(__file__).resolve().parents[2] / "TestData" / "release" / "sample.yaml"
    rel = tmp_path / "rel"
    r = run_vodf(vodf, "release", "build", sample, "-o", rel, "-q")
    assert r.returncode == 0, r.stderr
    store = rel / "gadf-0.3" / "track"
    for name, src, fmt in [("vodf", store, "vodf"), ("back", tmp_path / "vodf", "gadf-0.3")]:
        r = run_vodf(vodf, "release", "upgrade", src, "-o", tmp_path / name, "--to", fmt)
        assert r.returncode == 0, r.stdout + r.stderr
    with fits.open(next((tmp_path / "vodf" / "events").glob("*.fits"))) as h:
        rows = dict(zip(h["GROUPING"].data["MEMBER_NAME"], h["GROUPING"].data["MEMBER_LOCATION"]))
        assert rows["event-list"] == "" and all(v.startswith("../irfs/") for k, v in rows.items() if k not in ("event-list", "GTI")), rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = DataStore.from_dir(store).get_observations(required_irf=["aeff", "edisp", "psf"])
        b = DataStore.from_dir(tmp_path / "back").get_observations(required_irf=["aeff", "edisp", "psf"])
    assert len(a) == len(b) >= 1
    for x, y in zip(a, b):
        assert x.obs_id == y.obs_id
        for col in x.events.table.colnames:
            u, v = np.asarray(x.events.table[col]), np.asarray(y.events.table[col])
            assert np.array_equal(u, v, equal_nan=u.dtype.kind == "f"), col
        for t in ["aeff", "edisp", "psf"]:
            assert np.array_equal(getattr(x, t).quantity.value, getattr(y, t).quantity.value), t
    r = run_vodf(vodf, "validate", tmp_path / "vodf", "--profile", "strict")
    assert r.returncode == 0 and " 0 error(s), 0 warning(s)" in r.stdout.splitlines()[-1], r.stdout[-2000:]
    # The release's own VODF tree has two channels: GADF, without event types, cannot take it whole.
    r = run_vodf(vodf, "release", "upgrade", rel, "-o", tmp_path / "two", "--to", "gadf-0.3")
    assert r.returncode == 3 and "uses two aeff HDUs" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    assert not (tmp_path / "two").exists()
