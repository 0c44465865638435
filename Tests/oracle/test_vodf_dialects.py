"""The VODF dialects: vodf-0.0.0 against vodf_schema itself, and the vodf-mock-data layout.

vodf_schema 0.0.0 (the wheels in ../shared/oracles, installed in the oracle venv) is VODF's reference
checker. The files vodf writes must pass it, and on every mutation below `vodf validate` must
report errors on exactly the keywords and columns vodf_schema reports errors on. vodf_schema checks
one HDU at a time; vodf's checks across HDUs (grouping members, events against the GTI, dates against
times: rule ids with `:check:`) have no counterpart there and are left out of the comparison.
"""
import json
import shutil

import numpy as np
import pytest
from astropy.io import fits

import vodf_schema_oracle as oracle
from conftest import REPO, TESTDATA, run_vodf

pytestmark = pytest.mark.skipif(not oracle.available(),
                                reason="needs the vodf_schema and fits_schema wheels of ../shared/oracles in the oracle venv (scripts/oracle-venv.sh installs them)")


@pytest.fixture(scope="module")
def release(vodf, tmp_path_factory):
    out = tmp_path_factory.mktemp("dialects") / "rel"
    r = run_vodf(vodf, "release", "build", TESTDATA / "release" / "sample.yaml", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    return out / "vodf"


def kind_of(hdu):
    name = hdu.name.lower()
    return "event-list" if name == "event-list" else "grouping" if name == "grouping" else None


def report(vodf, path, *extra):
    r = run_vodf(vodf, "validate", path, "--profile", "strict", "--report", "json", *extra)
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def vodf_errors(vodf, path, hdu_index, *extra):
    """Keywords and columns of the vodf-0.0.0 rules that fail on one HDU, and the other errors."""
    doc = report(vodf, path, *extra)
    mine = [f for f in doc["findings"] if f["severity"] == "error" and f.get("hdu") == hdu_index and ":check:" not in f["rule"]]
    # A missing HDUCLASS is one spec:class-missing finding (the HDU is then found by its columns).
    rules = {f["target"] for f in mine if f["rule"].startswith("vodf-0.0.0/") or f["rule"] == "spec:class-missing"}
    others = [f["rule"] for f in mine if not f["rule"].startswith("vodf-0.0.0/")]
    return rules, others


def test_own_vodf_files_pass_vodf_schema(vodf, release):
    files = sorted(release.rglob("*.fits"))
    checked = 0
    for path in files:
        with fits.open(path) as f:
            for hdu in f[1:]:
                kind = kind_of(hdu)
                if kind:
                    assert oracle.messages(hdu, kind) == [], f"{path.name} {hdu.name}"
                    checked += 1
    # two runs (event list + grouping each) and the release's obs-grouping table
    assert checked == 5
    assert report(vodf, release)["summary"]["errors"] == 0


def _header(key, value=None, delete=False):
    def mutate(hdu):
        if delete:
            del hdu.header[key]
        else:
            hdu.header[key] = value
        return hdu
    return mutate


def _column(name, fmt=None, unit=None, drop=False, vector=False):
    def mutate(hdu):
        cols = []
        for c in hdu.columns:
            if c.name != name:
                cols.append(fits.Column(name=c.name, format=c.format, unit=c.unit, array=hdu.data[c.name]))
            elif drop:
                continue
            elif vector:
                data = np.repeat(np.asarray(hdu.data[c.name], dtype=float)[:, None], 2, axis=1)
                cols.append(fits.Column(name=c.name, format="2D", unit=c.unit, array=data))
            else:
                data = np.asarray(hdu.data[c.name])
                data = data.astype({"E": np.float32, "D": np.float64, "J": np.int32, "K": np.int64}[fmt]) if fmt else data
                cols.append(fits.Column(name=c.name, format=fmt or c.format, unit=c.unit if unit is None else unit, array=data))
        new = fits.BinTableHDU.from_columns(cols)
        for card in hdu.header.cards:
            if card.keyword not in new.header and not card.keyword.startswith(("TTYPE", "TFORM", "TUNIT", "NAXIS", "TFIELDS")):
                new.header.append(card)
        return new
    return mutate


EVENT_MUTATIONS = {
    "HDUDOC io": _header("HDUDOC", "https://vodf.readthedocs.io/en/latest/"),
    "HDUDOC upper": _header("HDUDOC", "HTTPS://VODF.READTHEDOCS.ORG"),
    "HDUCLASS lower": _header("HDUCLASS", "vodf"),
    "HDUVERS 0.1": _header("HDUVERS", "0.0.1"),
    "no HDUCLASS": _header("HDUCLASS", delete=True),
    "no HDUDOC": _header("HDUDOC", delete=True),
    "no EXTLEVEL": _header("EXTLEVEL", delete=True),
    "no DATE-BEG": _header("DATE-BEG", delete=True),
    "no DATE-END": _header("DATE-END", delete=True),
    "no TSTOP": _header("TSTOP", delete=True),
    "no OBS_ID": _header("OBS_ID", delete=True),
    "no TELESCOP": _header("TELESCOP", delete=True),
    "no TREFPOS": _header("TREFPOS", delete=True),
    "no TIMESYS": _header("TIMESYS", delete=True),
    "no MJDREFF": _header("MJDREFF", delete=True),
    "no OBSGEO-L": _header("OBSGEO-L", delete=True),
    "OBS_ID int": _header("OBS_ID", 1),
    "MJDREFI float": _header("MJDREFI", 51544.0),
    "OBSGEO-H int": _header("OBSGEO-H", -2475),
    "TSTART string": _header("TSTART", "220924865.184"),
    "TREFPOS GEOCENTER": _header("TREFPOS", "GEOCENTER"),
    "TREFPOS relocatable": _header("TREFPOS", "relocatable"),
    "TIMESYS XYZ": _header("TIMESYS", "XYZ"),
    "TIMEUNIT d": _header("TIMEUNIT", "d"),
    "EXTLEVEL 0": _header("EXTLEVEL", 0),
    "EXTLEVEL 10": _header("EXTLEVEL", 10),
    "HDUCLAS2 EVT": _header("HDUCLAS2", "EVT"),
    "INSTRUME int": _header("INSTRUME", 5),
    "EXTNAME EVENTS (declared, not enforced)": _header("EXTNAME", "EVENTS"),
    "no RA_RECO": _column("RA_RECO", drop=True),
    "no EVENT_ID": _column("EVENT_ID", drop=True),
    "no ENERGY_RECO": _column("ENERGY_RECO", drop=True),
    "RA_RECO float32": _column("RA_RECO", fmt="E"),
    "EVENT_ID int32": _column("EVENT_ID", fmt="J"),
    "EVENT_ID double": _column("EVENT_ID", fmt="D"),
    "TIME in deg": _column("TIME", unit="deg"),
    "DEC_RECO in rad": _column("DEC_RECO", unit="rad"),
    "ENERGY_RECO vector": _column("ENERGY_RECO", vector=True),
}

GROUPING_MUTATIONS = {
    "no MEMBER_VERSION": _column("MEMBER_VERSION", drop=True),
    "MEMBER_VERSION double": _column("MEMBER_VERSION", fmt="D"),
    "MEMBER_VERSION int32": _column("MEMBER_VERSION", fmt="J"),
    "no MEMBER_LOCATION (optional)": _column("MEMBER_LOCATION", drop=True),
    # vodf_schema checks no keyword of a grouping table (hdu.py names its header `__headers__`):
    # vodf reports these as warnings, so the errors still agree.
    "grouping HDUDOC io": _header("HDUDOC", "https://vodf.readthedocs.io/en/latest/"),
    "grouping no HDUCLASS": _header("HDUCLASS", delete=True),
}


def mutated_copy(src, dest, extname, mutate):
    with fits.open(src) as f:
        hdus = [h.copy() for h in f]
    for h in hdus:
        h.header.remove("CHECKSUM", ignore_missing=True)
        h.header.remove("DATASUM", ignore_missing=True)
    index = next(i for i, h in enumerate(hdus) if h.name.upper() == extname.upper())
    hdus[index] = mutate(hdus[index])
    fits.HDUList(hdus).writeto(dest, overwrite=True)
    return index


@pytest.mark.parametrize("name", list(EVENT_MUTATIONS) + list(GROUPING_MUTATIONS))
def test_vodf_and_vodf_schema_agree_error_for_error(vodf, release, tmp_path, name):
    tree = tmp_path / "vodf"
    shutil.copytree(release, tree)          # the members the grouping table links to stay where they were
    src = tree / "events" / "obs_00000001.fits"
    extname, mutate = ("event-list", EVENT_MUTATIONS[name]) if name in EVENT_MUTATIONS else ("GROUPING", GROUPING_MUTATIONS[name])
    bad = src
    index = mutated_copy(src, bad, extname, mutate)
    kind = "event-list" if extname == "event-list" else "grouping"
    with fits.open(bad) as f:
        expected = oracle.errors(f[index], kind)
        said = oracle.messages(f[index], kind)
    got, others = vodf_errors(vodf, bad, index)
    assert got == expected, f"{name}: vodf {sorted(got)} (and {others}), vodf_schema {sorted(expected)}: {said}"
    # Only the class keywords may also give a spec: finding (the HDU is then matched by its columns).
    assert all(r in ("spec:class-mismatch", "spec:class-missing", "spec:version-unknown") for r in others), others


# ---------------------------------------------------------------------------------------------
# The mock-data layout (bkhelifi/vodf-mock-data @bfe4afd): a release written with its scripts' logic.

GC_RA, GC_DEC = 266.41681663, -29.00782497     # the scripts' Galactic Centre position, deg


def _common(header, obs_id):
    header["ORIGIN"] = "VODF team"
    header["TELESCOP"] = "CTAO"
    header["INSTRUME"] = "ALL_S"
    header["HDUCLASS"] = "VODF"
    header["HDUVERS"] = "0.1"
    header["HDUDOC"] = "https://vodf.readthedocs.io/en/latest/"
    header["AUTHOR"] = "VODF team"
    header["COMMENT"] = "This is a simple FITS file created for VODF tests."
    header["OBS_ID"] = str(obs_id)


def _mock_events(obs_id, n, evt_types, rng):
    cols = [fits.Column(name="ID", format="8A", array=[str(i + 1) for i in range(n)]),
            fits.Column(name="TIME", format="D", unit="s", array=60760 + rng.uniform(0, 100, n) * 1e-3),
            fits.Column(name="ENERGY", format="E", unit="TeV", array=rng.uniform(0.05, 300, n)),
            fits.Column(name="RA", format="E", unit="deg", array=rng.uniform(GC_RA - 1, GC_RA + 1, n)),
            fits.Column(name="DEC", format="E", unit="deg", array=rng.uniform(GC_DEC - 1, GC_DEC + 1, n)),
            fits.Column(name="OPT", format="8A", array=[str(v)[:8] for v in rng.uniform(0, 300, n)])]
    if evt_types:
        cols.append(fits.Column(name="EVT_TYPE", format="8A", array=[evt_types[i % len(evt_types)] for i in range(n)]))
    hdu = fits.BinTableHDU.from_columns(cols)
    hdu.header["EXTNAME"] = "EVENTS"
    hdu.header["HDUCLAS1"] = "EVENTS"
    _common(hdu.header, obs_id)
    return hdu


def _mock_gti(obs_id):
    from astropy.table import Table
    t = Table(names=("START", "STOP"))
    t.add_row([60760, 60760.5])
    t.add_row([60760.5, 60761])
    hdu = fits.BinTableHDU(data=t)
    hdu.header["EXTNAME"] = "GTI"
    hdu.header["HDUCLAS1"] = "GTI"
    _common(hdu.header, obs_id)
    return hdu


IRF_CLASSES = {"aeff": ("EFFECTIVE AREA", "EFF_AREA"), "edisp": ("ENERGY DISPERSION", "EDISP   "),
               "psf": ("POINT SPREAD FUNCTION", "RPSF    "), "bkg": ("BACKGROUND", "BKG     ")}


def _mock_irf(name, obs_id, evt_type=None):
    hdu = fits.BinTableHDU.from_columns([fits.Column(name="DATA", format="2D", array=[[1.0, 2], [3.0, 4.0]])])
    _common(hdu.header, obs_id)
    extname, class2 = IRF_CLASSES[name]
    hdu.header["EXTNAME"] = extname + ("" if evt_type is None else " " + evt_type)
    hdu.header["HDUCLAS1"] = "RESPONSE"
    hdu.header["HDUCLAS2"] = class2
    hdu.header["HDUCLAS3"] = "FULL-ENCLOSURE"
    hdu.header["HDUCLAS4"] = "2D"
    if evt_type is not None:
        hdu.header["EVTTYPE"] = evt_type
    return hdu


def _mock_grouping(obs_id, xtension, names, locations, evt_types=None):
    cols = [fits.Column(name="MEMBER_XTENSION", format="8A", array=xtension),
            fits.Column(name="MEMBER_NAME", format="30A", array=names),
            fits.Column(name="MEMBER_LOCATION", format="30A", array=locations),
            fits.Column(name="MEMBER_URI_TYPE", format="3A", array=["URL"] * len(names))]
    if evt_types is not None:
        cols.append(fits.Column(name="EVT_TYPE", format="3A", array=evt_types))
    hdu = fits.BinTableHDU.from_columns(cols)
    hdu.header["EXTNAME"] = "GROUPING"
    _common(hdu.header, obs_id)
    return hdu


def _primary(obs_id):
    p = fits.PrimaryHDU()
    _common(p.header, obs_id)
    return p


def write_mock_release(cwd, kind, obs_ids=("abc", "def", "ghi"), seed=1):
    """The scripts' releases, written from `cwd` as the scripts run: `simple` (do_mock_simple_dr.py:
    its MEMBER_XTENSION list is one shorter than the members, so the GTI row is blank, and the IRF
    location is the path from the working directory) or `evttype` (do_mock_evttype_dr.py: event
    types A, B, C; IRF location the file name)."""
    rng = np.random.default_rng(seed)
    drdir = cwd / ("simple-dr" if kind == "simple" else "w-evttype-dr")
    drdir.mkdir()
    for obs_id in obs_ids:
        main, irfs = drdir / f"obs_{obs_id}.fits", drdir / f"obs_{obs_id}_irfs.fits"
        if kind == "simple":
            location = str(irfs.relative_to(cwd))
            names = ["EVENTS", "EFFECTIVE AREA", "ENERGY DISPERSION", "POINT SPREAD FUNCTION", "BACKGROUND", "GTI"]
            # astropy pads the 5-element MEMBER_XTENSION array to the 6 rows with a blank
            group = _mock_grouping(obs_id, ["BINTABLE"] * 5, names, ["null"] + [location] * 4 + ["null"])
            irf_hdus = [_mock_irf(n, obs_id) for n in IRF_CLASSES]
            events = _mock_events(obs_id, 3, None, rng)
        else:
            types = ["A", "B", "C"]
            names, locs, sel = ["EVENTS", "GTI"], ["NULL", "NULL"], ["none", "none"]
            for t in types:
                for n in IRF_CLASSES:
                    names.append(IRF_CLASSES[n][0] + " " + t)
                    locs.append(irfs.name)
                    sel.append(t)
            group = _mock_grouping(obs_id, ["BINTABLE"] * len(names), names, locs, sel)
            irf_hdus = [_mock_irf(n, obs_id, t) for t in types for n in IRF_CLASSES]
            events = _mock_events(obs_id, 9, types, rng)
        fits.HDUList([_primary(obs_id), group, events, _mock_gti(obs_id)]).writeto(main)
        fits.HDUList([_primary(obs_id)] + irf_hdus).writeto(irfs)
    return drdir


@pytest.fixture()
def cwd_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_mock_release_with_event_types_validates_in_its_dialect(vodf, cwd_tmp):
    drdir = write_mock_release(cwd_tmp, "evttype")
    doc = report(vodf, drdir)
    assert len(doc["files"]) == 6
    assert doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] == 0, doc["findings"]
    # every file says it follows the mock dialect, by its HDUVERS, and what vodf-0.0.0 would need
    assert {d["file"] for d in doc["dialects"]} == set(doc["files"])
    for d in doc["dialects"]:
        assert d["follows"] == ["vodf-mock-0.1"] and d["by"] == "HDUVERS"
        [other] = d["others"]
        assert other["dialect"] == "vodf-0.0.0" and other["errors"] > 0
        assert "keyword:HDUDOC:value" in other["rules"] and "keyword:HDUVERS:value" in other["rules"]
    main = next(d for d in doc["dialects"] if not d["file"].endswith("_irfs.fits"))
    assert {"column:EVENT_ID:missing", "column:RA_RECO:missing", "keyword:DATE-BEG:missing", "column:MEMBER_VERSION:missing"} <= set(main["others"][0]["rules"])


def test_mock_simple_release_blank_gti_xtension_is_an_error_naming_the_row(vodf, cwd_tmp):
    drdir = write_mock_release(cwd_tmp, "simple")
    doc = report(vodf, drdir)
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    blank = [f for f in errors if f["target"] == "MEMBER_XTENSION"]
    # one per observation file: the GTI, row 6 of each grouping table
    assert len(blank) == 3
    for f in blank:
        assert f["rule"] == "vodf-mock-0.1/grouping:check:members-exist" and f["hduName"] == "GROUPING"
        assert f["message"].startswith("row 6 (member 'GTI'): MEMBER_XTENSION is blank")
    # The simple script writes the IRF file's path from its working directory ('simple-dr/obs_abc_irfs.fits'),
    # which does not resolve from the grouping table's own directory: one error per observation, naming
    # rows 2-5. Nothing else is an error.
    located = [f for f in errors if f["target"] == "MEMBER_LOCATION"]
    assert len(located) == 3 and all(f["message"].startswith("rows 2, 3, 4, 5: 'simple-dr/obs_") for f in located)
    assert len(errors) == 6
    assert all(d["follows"] == ["vodf-mock-0.1"] for d in doc["dialects"])


def test_hduvers_naming_no_dialect_is_checked_as_the_best_fitting_one(vodf, cwd_tmp):
    drdir = write_mock_release(cwd_tmp, "evttype", obs_ids=("abc",))
    path = drdir / "obs_abc.fits"
    with fits.open(path, mode="update") as f:
        for h in f:
            h.header["HDUVERS"] = "0.2"
    doc = report(vodf, path)
    [d] = doc["dialects"]
    assert d["follows"] == ["vodf-mock-0.1"] and d["by"] == "best fit"
    rules = {f["rule"] for f in doc["findings"]}
    assert "spec:version-unknown" in rules and "vodf-mock-0.1/event_list:keyword:HDUVERS:value" in rules
    assert not any(r.startswith("vodf-0.0.0/") for r in rules)


def test_forced_dialect_by_either_spelling(vodf, cwd_tmp):
    drdir = write_mock_release(cwd_tmp, "evttype", obs_ids=("abc",))
    for spelling in ("vodf-0.0.0", "vodf/0.0.0"):
        doc = report(vodf, drdir / "obs_abc.fits", "--spec", spelling)
        assert doc["summary"]["errors"] > 0
        assert all(f["rule"].startswith(("vodf-0.0.0/", "spec:")) for f in doc["findings"])
    for spelling in ("vodf-mock-0.1", "vodf/mock-0.1"):
        assert report(vodf, drdir / "obs_abc.fits", "--spec", spelling)["summary"]["errors"] == 0


def test_writer_targets_the_mock_dialect(vodf, corpus, km3net_data, tmp_path):
    from conftest import CORPUS, KM3NET_DATA, convert
    from astropy import units as u
    from astropy.time import Time
    inputs = [CORPUS / "antares" / "PublicData_0717_excerpt.dat", KM3NET_DATA / "dst" / "orca6_sample.root",
              KM3NET_DATA / "offline" / "km3net_offline.root"]
    for i, src in enumerate(inputs):
        mock = convert(vodf, src, tmp_path / f"{i}-mock.fits", "--format", "vodf-mock-0.1")
        draft = convert(vodf, src, tmp_path / f"{i}-draft.fits", "--format", "vodf")
        doc = report(vodf, mock)
        assert [f for f in doc["findings"] if f["severity"] != "info"] == [], (src.name, doc["findings"])
        assert doc["dialects"][0]["follows"] == ["vodf-mock-0.1"]
        with fits.open(mock) as m, fits.open(draft) as d:
            assert [h.name for h in m] == ["PRIMARY", "GROUPING", "EVENTS", "GTI"]
            ev, dv = m["EVENTS"].data, d["event-list"].data
            assert list(ev["ID"]) == [str(v) for v in dv["EVENT_ID"]]
            for a, b in (("RA", "RA_RECO"), ("DEC", "DEC_RECO"), ("TIME", "TIME")):
                assert np.array_equal(ev[a], dv[b], equal_nan=True)
            # The GTI in MJD (TIMESYS), without a unit; the draft's in seconds since MJDREF.
            g, dg, h = m["GTI"], d["GTI"], d["GTI"].header
            assert "TUNIT1" not in g.header and g.header["TIMESYS"] == h["TIMESYS"]
            ref = Time(h["MJDREFI"], h["MJDREFF"], format="mjd", scale=h["TIMESYS"].lower())
            assert np.allclose(g.data["START"], (ref + dg.data["START"] * u.s).mjd, rtol=0, atol=1e-9)
            assert list(m["GROUPING"].data["MEMBER_XTENSION"]) == ["BINTABLE", "BINTABLE"]
    r = run_vodf(vodf, "convert", REPO.parent / "shared" / "corpus" / "km3net-arca230-irf" / "aeff_coszen_allnumuCC_track.csv",
                 "-o", tmp_path / "aeff.fits", "--format", "vodf-mock-0.1")
    assert r.returncode != 0 and "vodf-mock-0.1 defines no IRF contents" in r.stderr and not (tmp_path / "aeff.fits").exists()


# ---------------------------------------------------------------------------------------------
# Templates rendered from the specs.

def spec_ids(vodf):
    out = run_vodf(vodf, "spec", "list").stdout.splitlines()
    return [line.split()[0] for line in out if line.strip()]


def test_every_template_validates_strictly_with_no_finding(vodf, tmp_path):
    ids = spec_ids(vodf)
    versions = sorted({i.split("/")[0] for i in ids})
    assert {"gadf-0.2", "gadf-0.3", "vodf-0.0.0", "vodf-mock-0.1"} <= set(versions)
    for version in versions:
        r = run_vodf(vodf, "spec", "template", version, "-o", tmp_path / version)
        assert r.returncode == 0, r.stderr
    files = sorted(tmp_path.rglob("*.fits"))
    assert len(files) == len(ids)
    doc = report(vodf, *files)
    assert doc["findings"] == [], doc["findings"][:5]
    # each template is checked as the spec it was made from (the file name is the kind)
    for f in files:
        one = json.loads(run_vodf(vodf, "validate", f, "--profile", "strict", "--report", "json", "--spec", f.parent.name).stdout)
        assert one["findings"] == [], (f, one["findings"][:3])
        assert one["dialects"] == [] or one["dialects"][0]["follows"] == [f.parent.name]
    # a single kind, by id, in either spelling
    for i, name in enumerate(["vodf/mock-0.1/grouping", "vodf-mock-0.1/grouping"]):
        one = tmp_path / f"one{i}.fits"
        assert run_vodf(vodf, "spec", "template", name, "-o", one).returncode == 0
        with fits.open(one) as h:
            assert h[1].name == "GROUPING" and set(h[1].columns.names) == {"MEMBER_XTENSION", "MEMBER_NAME", "MEMBER_LOCATION", "MEMBER_URI_TYPE"}
    r = run_vodf(vodf, "spec", "template", "gadf-0.3/nope", "-o", tmp_path / "x.fits")
    assert r.returncode == 2 and "unknown spec or version 'gadf-0.3/nope'" in r.stderr and not (tmp_path / "x.fits").exists()


def test_templates_carry_every_required_keyword_and_column_typed_with_units(vodf, tmp_path):
    assert run_vodf(vodf, "spec", "template", "gadf-0.3", "-o", tmp_path).returncode == 0
    spec = json.loads(run_vodf(vodf, "spec", "show", "gadf-0.3/aeff_2d", "--json").stdout)
    with fits.open(tmp_path / "aeff_2d.fits") as h:
        hdu = h[1]
        for k, rule in spec["keywords"].items():
            if rule["level"] == "required":
                assert k in hdu.header, k
        for c, rule in spec["columns"].items():
            if rule["level"] == "required":
                col = hdu.columns[c]
                assert (col.unit or "") == (rule.get("unit") or ""), c
                assert col.format[-1] in {"float": "ED", "float64": "D", "int": "IJK", "string": "A"}[rule["type"]], (c, col.format)


def test_gammapy_reads_the_gadf_03_templates_with_no_warning(vodf, tmp_path):
    from conftest import NoWarnings
    from gammapy.data import GTI, EventList
    from gammapy.irf import load_irf_dict_from_file
    assert run_vodf(vodf, "spec", "template", "gadf-0.3", "-o", tmp_path).returncode == 0
    with NoWarnings() as w:
        events = EventList.read(tmp_path / "events.fits")
        gti = GTI.read(tmp_path / "gti.fits")
        irfs = {k: load_irf_dict_from_file(tmp_path / f"{k}.fits")
                for k in ["aeff_2d", "edisp_2d", "psf_table", "psf_3gauss", "psf_king", "bkg_2d", "bkg_3d", "rad_max_2d"]}
    assert w.messages() == []
    with fits.open(tmp_path / "events.fits") as h:
        assert np.array_equal(events.table["ENERGY"].quantity.to_value("TeV"), h[1].data["ENERGY"])
    assert len(gti.table) == 1
    expected = {"aeff_2d": ("aeff", "EFFAREA"), "edisp_2d": ("edisp", "MATRIX"), "psf_table": ("psf", "RPSF"),
                "bkg_2d": ("bkg", "BKG"), "bkg_3d": ("bkg", "BKG"), "rad_max_2d": ("rad_max", "RAD_MAX")}
    for kind, (key, column) in expected.items():
        irf = irfs[kind][key]
        with fits.open(tmp_path / f"{kind}.fits") as h:
            stored = np.asarray(h[1].data[column][0], dtype=float)
        # gammapy's axis order is TDIM's, the reverse of numpy's cell shape
        assert irf.data.shape == stored.T.shape and np.allclose(irf.data, stored.T), kind
    # the EDISP density integrates to 1 over migration, as the template promises
    edisp = irfs["edisp_2d"]["edisp"]
    widths = edisp.axes["migra"].bin_width.value
    assert np.allclose((edisp.data * widths[None, :, None]).sum(axis=1), 1)


# ---------------------------------------------------------------------------------------------
# `vodf spec test`: every rule against its passing and failing fixtures.

def test_spec_test_passes_on_the_projects_specs_with_a_failing_fixture_for_every_rule(vodf, tmp_path):
    r = run_vodf(vodf, "spec", "test", REPO / "Specs", "--json", "--keep", tmp_path / "fixtures")
    assert r.returncode == 0, r.stdout[-3000:]
    doc = json.loads(r.stdout)
    assert doc["uncovered"] == []
    specs = {o["spec"] for o in doc["outcomes"]}
    assert len(specs) == len(spec_ids(vodf))
    # every spec's template passes, and every rule of every spec has a failing fixture that fired
    templates = [o for o in doc["outcomes"] if o.get("rule") is None]
    assert len(templates) == len(specs) and all(o["passed"] for o in templates)
    rules = [o for o in doc["outcomes"] if o.get("rule") is not None]
    assert all(o["passed"] and o["detail"].startswith("fires: ") for o in rules)
    assert len(rules) > 1500
    # a few fixtures, looked at: the kinds of breakage the rules forbid
    by = {(o["spec"], o["rule"]): o["detail"] for o in rules}
    assert "gadf-0.3/events:check:events-within-gti" in by[("gadf-0.3/events", "check:events-within-gti")]
    assert "[gadf-0.3/edisp_2d:normalisation:MATRIX]" in by[("gadf-0.3/edisp_2d", "normalisation:MATRIX")]
    assert "[vodf-mock-0.1/grouping:check:members-exist]" in by[("vodf-mock-0.1/grouping", "check:members-exist")]
    # the fixtures are kept as FITS files, one directory per spec
    assert len(list((tmp_path / "fixtures").rglob("fixture.fits"))) == len(doc["outcomes"])


def test_spec_test_fails_on_a_rule_without_a_fixture_and_on_a_template_that_does_not_pass(vodf, tmp_path):
    tree = tmp_path / "specs"
    shutil.copytree(REPO / "Specs", tree)
    events = tree / "gadf" / "0.3" / "events.yaml"
    text = events.read_text()
    made_up = "  - id: made-up\n    check: made-up-check\n"
    text = text.replace("file_checks:\n", "file_checks:\n" + made_up, 1) if "\nfile_checks:\n" in text else text + "file_checks:\n" + made_up
    text = text.replace("keywords:\n", "keywords:\n  ODDKEY: {level: required, type: float, values: [A]}\n", 1)
    events.write_text(text)
    r = run_vodf(vodf, "spec", "test", tree, "--only", "gadf-0.3/events")
    assert r.returncode == 1
    assert "NO FAILING FIXTURE gadf-0.3/events:check:made-up: check 'made-up-check' has no fixture maker" in r.stdout
    assert "FAIL gadf-0.3/events (template): template: " in r.stdout and "ODDKEY" in r.stdout
    assert r.stdout.strip().splitlines()[-1].startswith("1 spec(s), ")


def test_releases_refuse_the_mock_layout(vodf, release, tmp_path):
    out = tmp_path / "up"
    r = run_vodf(vodf, "release", "upgrade", release, "-o", out, "--to", "vodf-mock-0.1")
    assert r.returncode == 2 and "--to vodf-mock-0.1 cannot hold a release" in r.stderr and not out.exists()
    manifest = (TESTDATA / "release" / "sample.yaml").read_text()
    manifest = manifest.replace("../", str(TESTDATA) + "/").replace("formats: [gadf-0.3, vodf]", "formats: [vodf-mock-0.1]")
    (tmp_path / "m.yaml").write_text(manifest)
    r = run_vodf(vodf, "release", "build", tmp_path / "m.yaml", "-o", tmp_path / "rel")
    assert r.returncode != 0 and "unknown release format 'vodf-mock-0.1' (known: gadf-0.3, gadf-0.2, vodf)" in r.stderr
    assert not (tmp_path / "rel").exists()


@pytest.mark.parametrize("kind", ["event_list", "grouping"])
def test_every_spec_test_fixture_of_vodf_000_gets_the_errors_vodf_schema_gives(vodf, tmp_path, kind):
    """The fixtures `vodf spec test` derives for vodf-0.0.0 (the template, and one per rule) are a second,
    larger set of mutations: on each, vodf and vodf_schema report errors on the same keywords and columns."""
    spec = f"vodf-0.0.0/{kind}"
    doc = json.loads(run_vodf(vodf, "spec", "test", "--only", spec, "--keep", tmp_path, "--json").stdout)
    assert len(doc["outcomes"]) > 15
    schema_kind = "event-list" if kind == "event_list" else "grouping"
    compared = with_errors = 0
    for i, outcome in enumerate(doc["outcomes"]):
        path = tmp_path / spec.replace("/", "_") / f"{i:03d}" / "fixture.fits"
        with fits.open(path) as f:
            expected = oracle.errors(f[1], schema_kind)
        # checked as vodf-0.0.0, as vodf_schema's class is applied to it (a broken HDUCLASS names no family)
        got, _ = vodf_errors(vodf, path, 1, "--spec", "vodf-0.0.0")
        assert got == expected, (outcome.get("rule"), sorted(got), sorted(expected))
        compared += 1
        with_errors += bool(expected)
    # vodf_schema checks little of a grouping table (4 of its 18 fixtures have errors there; 70 of the 80 event-list ones)
    assert compared == len(doc["outcomes"]) and with_errors >= 4
