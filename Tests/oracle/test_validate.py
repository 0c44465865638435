"""`vodf validate` (GADF 0.2/0.3: EVENTS, GTI and every IRF kind) on real files, own outputs and mutations."""
import json
import shutil

import pytest
from astropy.io import fits

from conftest import CORPUS, KM3IRF_DATA, KM3NET_DATA, TESTDATA, convert, run_vodf


def validate(vodf, *args):
    r = run_vodf(vodf, "validate", *args, "--report", "json")
    return r.returncode, json.loads(r.stdout) if r.stdout.strip() else None, r.stderr


def third_party():
    files = [f for f in sorted((CORPUS / "gadf").rglob("*.fits*")) if "index" not in f.name]
    return files + sorted(KM3IRF_DATA.glob("*.fits"))


@pytest.mark.parametrize("path", third_party(), ids=lambda p: p.name[:45])
def test_real_files_have_no_errors_in_gammapy_profile(vodf, corpus, path):
    code, report, err = validate(vodf, path)
    assert report is not None, err
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == [] and code == 0, errors


@pytest.mark.parametrize("fmt", ["gadf-0.3", "gadf-0.2", "vodf"])
def test_own_outputs_are_strictly_clean(vodf, corpus, km3net_data, tmp_path, fmt):
    inputs = [CORPUS / "antares" / "PublicData_0717_excerpt.dat", CORPUS / "km3net-arca230-irf" / "aeff_coszen_allnumuCC_track.csv",
              KM3NET_DATA / "dst" / "orca6_sample.root", KM3NET_DATA / "offline" / "km3net_offline.root",
              CORPUS / "km3net-arca230-irf" / "psf_numuCC_track.csv", CORPUS / "km3net-arca230-irf" / "energyresponse_numuCC_track.csv",
              CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz",
              CORPUS / "gadf" / "magic-rad-max" / "data" / "20131004_05029747_DL3_CrabNebula-W0.40+035.fits"]
    for i, src in enumerate(inputs):
        out = convert(vodf, src, tmp_path / f"{i}.fits", "--format", fmt)
        code, report, err = validate(vodf, out, "--profile", "strict")
        bad = [f for f in report["findings"] if f["severity"] != "info"]
        if src.suffix == ".gz":
            # A whole H.E.S.S. run is converted (issue 26), events included: 3 of its events lie up to
            # 0.5 s after its GTI in the published file, and the output says so as the input does.
            _, source, _ = validate(vodf, src, "--profile", "strict")
            flaw = "events-within-gti"
            assert [f["message"] for f in source["findings"] if f["rule"].endswith(flaw)] == \
                [f["message"] for f in bad if f["rule"].endswith(flaw)] == ["3 of 11243 event(s) lie outside the GTI, up to 0.515192 s"]
            bad = [f for f in bad if not f["rule"].endswith(flaw)]
        assert code == 0 and bad == [], (src.name, bad)


MUTATIONS = {
    "drop a keyword": (lambda h: h["EVENTS"].header.remove("OBS_ID"), "gadf-0.3/events:keyword:OBS_ID:missing"),
    "wrong unit": (lambda h: h["EVENTS"].header.set("TUNIT3", "m"), "gadf-0.3/events:column:RA:unit"),
    "drift without ALT_PNT": (lambda h: h["EVENTS"].header.remove("ALT_PNT"), "gadf-0.3/events:condition:drift-needs-altaz"),
    "DEADC out of range": (lambda h: h["EVENTS"].header.set("DEADC", 1.5), "gadf-0.3/events:keyword:DEADC:range"),
    "unknown TIMESYS": (lambda h: h["GTI"].header.set("TIMESYS", "MARS"), "gadf-0.3/gti:keyword:TIMESYS:value"),
    "TIME not float64": (lambda h: h["EVENTS"].header.set("TFORM2", "2E"), None),
    "missing column": (lambda h: h["GTI"].header.set("TTYPE2", "END"), "gadf-0.3/gti:column:STOP:missing"),
    "bad checksum": (lambda h: h["EVENTS"].header.set("DATASUM", "1"), "fits:checksum"),
}


@pytest.mark.parametrize("name", [k for k, v in MUTATIONS.items() if v[1]])
def test_each_mutation_fires_exactly_its_rule(vodf, tmp_path, name):
    mutate, rule = MUTATIONS[name]
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits")
    code, report, _ = validate(vodf, good)
    assert code == 0 and not [f for f in report["findings"] if f["severity"] == "error"]
    assert_only_rule_fires(vodf, good, tmp_path / "bad.fits", mutate, rule)


def assert_only_rule_fires(vodf, good, bad, mutate, rule):
    """Copies `good` to `bad`, applies `mutate` (checksums dropped, unless they are the point), and
    checks that validation fails with exactly `rule`."""
    shutil.copy(good, bad)
    with fits.open(bad, mode="update", checksum=False) as h:
        mutate(h)
        if rule != "fits:checksum":
            for hdu in h:
                hdu.header.remove("CHECKSUM", ignore_missing=True)
                hdu.header.remove("DATASUM", ignore_missing=True)
    assert new_strict_errors(vodf, good, bad) == [rule]


def new_strict_errors(vodf, good, bad):
    """The rules that fail on `bad` and not on `good`, in the strict profile (the spec as written;
    which of them gammapy fails on is the differential harness's business, test_differential.py)."""
    def errors(path):
        code, report, err = validate(vodf, path, "--profile", "strict")
        assert report is not None, err
        return {f["rule"] for f in report["findings"] if f["severity"] == "error"}, code
    before, _ = errors(good)
    after, code = errors(bad)
    assert code == 1, after
    return sorted(after - before)


HESS = CORPUS / "gadf" / "hess-dl3-dr1" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"
MAGIC = CORPUS / "gadf" / "magic-rad-max" / "data" / "20131004_05029747_DL3_CrabNebula-W0.40+035.fits"


def set_tunit(h, extname, column, unit):
    cols = h[extname].columns.names
    h[extname].header.set(f"TUNIT{cols.index(column) + 1}", unit)


def swap_aeff_axes(h):
    """EFFAREA stored (THETA, ENERG) instead of (ENERG, THETA): consistent data, the wrong axis order."""
    t = h["AEFF"]
    cols = []
    for c in t.columns:
        a = t.data[c.name]
        if c.name == "EFFAREA":
            ne, nt = t.data["ENERG_LO"].shape[1], t.data["THETA_LO"].shape[1]
            cols.append(fits.Column(name=c.name, format=c.format, unit=c.unit, dim=f"({nt},{ne})", array=a.transpose(0, 2, 1)))
        else:
            cols.append(fits.Column(name=c.name, format=c.format, unit=c.unit, array=a))
    h[h.index_of("AEFF")] = fits.BinTableHDU.from_columns(cols, header=t.header)


IRF_MUTATIONS = {
    "swapped axis order": (HESS, swap_aeff_axes, "gadf-0.2/aeff_2d:column:EFFAREA:shape"),
    "PSF in m2": (HESS, lambda h: set_tunit(h, "PSF", "RPSF", "m2"), "gadf-0.2/psf_table:column:RPSF:unit"),
    "EDISP without MATRIX": (HESS, lambda h: h["EDISP"].header.set("TTYPE7", "MATRIX_X"), "gadf-0.2/edisp_2d:column:MATRIX:missing"),
    "BKG rate per m": (HESS, lambda h: set_tunit(h, "BKG", "BKG", "m-1"), "gadf-0.2/bkg_3d:column:BKG:unit"),
    "unknown HDUCLAS3": (HESS, lambda h: h["AEFF"].header.set("HDUCLAS3", "PARTIAL"), "gadf-0.2/aeff_2d:keyword:HDUCLAS3:value"),
    "broken LO<HI": (HESS, lambda h: h["AEFF"].data["ENERG_HI"][0].__setitem__(3, h["AEFF"].data["ENERG_LO"][0][3] / 2),
                     "gadf-0.2/aeff_2d:axis:ENERG_LO"),
    "gap between bins": (HESS, lambda h: h["PSF"].data["RAD_LO"][0].__setitem__(5, (h["PSF"].data["RAD_LO"][0][5] + h["PSF"].data["RAD_HI"][0][5]) / 2),
                         "gadf-0.2/psf_table:axis:RAD_LO"),
    "negative energy": (HESS, lambda h: h["EDISP"].data["ENERG_LO"][0].__setitem__(0, -1.0), "gadf-0.2/edisp_2d:axis:ENERG_LO"),
    "RAD_MAX_2D not point-like": (MAGIC, lambda h: h["RAD_MAX"].header.set("HDUCLAS3", "FULL-ENCLOSURE"), "gadf-0.3/rad_max_2d:keyword:HDUCLAS3:value"),
}


@pytest.mark.parametrize("name", list(IRF_MUTATIONS))
def test_each_irf_mutation_fires_exactly_its_rule(vodf, corpus, tmp_path, name):
    src, mutate, rule = IRF_MUTATIONS[name]
    bad = tmp_path / "bad.fits"
    with fits.open(src) as h:
        mutate(h)
        h.writeto(bad, checksum=False)
    assert new_strict_errors(vodf, src, bad) == [rule]


def test_hess_directory_reports_each_missing_run_and_nothing_else(vodf, corpus):
    root = CORPUS / "gadf" / "hess-dl3-dr1"
    with fits.open(root / "hdu-index.fits.gz") as h:
        listed = {(d.strip() + "/" + n.strip()) for d, n in zip(h[1].data["FILE_DIR"], h[1].data["FILE_NAME"])}
    missing = sorted(f for f in listed if not (root / f).exists())
    assert len(listed) == 105 and len(missing) == 101
    code, report, err = validate(vodf, root)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert code == 1 and {f["rule"] for f in errors} == {"gadf-0.2/hdu_index:check:index-links"}, err
    assert sorted(f["message"].split(" is listed")[0] for f in errors) == missing
    # the obs-index and the four runs present are checked too
    assert len(report["files"]) == 6


def test_magic_mislabelled_hdu_index(vodf, corpus):
    # MAGIC's hdu-index.fits.gz calls itself HDUCLAS2=OBS / OBS_INDEX. Its columns make it an HDU index
    # (gammapy reads it by file name), so the label is a warning and the rows are still followed.
    code, report, _ = validate(vodf, CORPUS / "gadf" / "magic-rad-max" / "data" / "hdu-index.fits.gz")
    by_sev = {s: sorted({f["rule"] for f in report["findings"] if f["severity"] == s}) for s in ("error", "warning")}
    assert by_sev["warning"] == ["spec:class-mismatch"]
    # only one of the index's runs is in the corpus excerpt
    assert by_sev["error"] == ["gadf-0.2/hdu_index:check:index-links"]


def test_dangling_index_row(vodf, corpus, tmp_path):
    import shutil as sh
    root = CORPUS / "gadf" / "hess-dl3-dr1"
    sh.copytree(root, tmp_path / "hess")
    with fits.open(root / "hdu-index.fits.gz") as h:
        rows = h[1].data
        present = [i for i, n in enumerate(rows["FILE_NAME"]) if (root / "data" / n.strip()).exists()]
        keep = h[1].data[present]
        keep["HDU_NAME"][0] = "nope"
        h[1].data = keep
        h.writeto(tmp_path / "hess" / "hdu-index.fits.gz", overwrite=True)
    code, report, _ = validate(vodf, tmp_path / "hess" / "hdu-index.fits.gz")
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    links = [f for f in errors if f["rule"] == "gadf-0.2/hdu_index:check:index-links"]
    assert code == 1 and len(links) == 1 and "has no HDU named 'nope'" in links[0]["message"]
    # the trimmed index now lists 4 runs while obs-index.fits.gz still lists 105
    ids = [f for f in errors if f["rule"] == "gadf-0.2/hdu_index:check:obs-ids-match-obs-index"]
    assert len(errors) == 2 and len(ids) == 1 and "(101 in all) in obs-index.fits.gz but not in the HDU index" in ids[0]["message"]


def test_obs_index_row_missing(vodf, corpus, tmp_path):
    import shutil as sh
    root = CORPUS / "gadf" / "hess-dl3-dr1"
    sh.copytree(root, tmp_path / "hess")
    with fits.open(root / "obs-index.fits.gz") as h:
        dropped = int(h[1].data["OBS_ID"][7])
        h[1].data = h[1].data[h[1].data["OBS_ID"] != dropped]
        h.writeto(tmp_path / "hess" / "obs-index.fits.gz", overwrite=True)
    code, report, _ = validate(vodf, tmp_path / "hess" / "hdu-index.fits.gz")
    ids = [f for f in report["findings"] if f["rule"] == "gadf-0.2/hdu_index:check:obs-ids-match-obs-index"]
    assert len(ids) == 1 and ids[0]["message"] == f"OBS_ID {dropped} in the HDU index but not in obs-index.fits.gz"


def test_unreadable_inputs_exit_3(vodf, tmp_path):
    not_fits = TESTDATA / "README.md"
    r = run_vodf(vodf, "validate", not_fits)
    assert r.returncode == 3 and "fits:unreadable" in r.stdout
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits")
    truncated = tmp_path / "truncated.fits"
    truncated.write_bytes(good.read_bytes()[:4000])
    r = run_vodf(vodf, "validate", truncated)
    assert r.returncode == 3


def test_spec_lint(vodf):
    r = run_vodf(vodf, "spec", "lint")
    assert r.returncode == 0 and "0 problem(s)" in r.stdout
    r = run_vodf(vodf, "spec", "lint", TESTDATA / "specs" / "broken")
    assert r.returncode == 1 and "unknown type 'integer'" in r.stdout
    assert "events.yaml: top level: unknown field 'titel' in spec" in r.stdout


def test_ci_report_formats(vodf, corpus, tmp_path):
    import xml.etree.ElementTree as ET
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits")
    bad = tmp_path / "bad.fits"
    with fits.open(HESS) as h:
        set_tunit(h, "PSF", "RPSF", "m2")
        h.writeto(bad, checksum=False)
    r = run_vodf(vodf, "validate", good, bad, "--report", "junit")
    assert r.returncode == 1
    root = ET.fromstring(r.stdout)
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == [str(good), str(bad)]
    assert cases[0].find("failure") is None
    failure = cases[1].find("failure")
    assert failure.get("type") == "gadf-0.2/psf_table:column:RPSF:unit" and "m2" in failure.text
    r = run_vodf(vodf, "validate", good, bad, "--report", "github")
    annotations = [l for l in r.stdout.splitlines() if l.startswith("::error")]
    assert annotations == [f"::error file={bad},title=gadf-0.2/psf_table%3Acolumn%3ARPSF%3Aunit::HDU 5 (PSF) RPSF: "
                           f"column RPSF unit 'm2' does not convert to sr-1 "
                           f"(https://gamma-astro-data-formats.readthedocs.io/en/v0.2/irfs/full_enclosure/psf/psf_table/index.html)"]


@pytest.mark.parametrize("plain", [False, True], ids=["gz", "plain"])
@pytest.mark.parametrize("path", sorted((CORPUS / "gadf" / "hess-dl3-dr1" / "data").glob("*.fits.gz")), ids=lambda p: p.name[:30])
def test_events_outside_gti_counted_as_astropy_does(vodf, corpus, tmp_path, path, plain):
    """Counted through cfitsio (gzip) and in place in the mapped file (plain FITS)."""
    import gzip
    import numpy as np
    if plain:
        copy = tmp_path / path.name.removesuffix(".gz")
        copy.write_bytes(gzip.decompress(path.read_bytes()))
        path = copy
    with fits.open(path) as h:
        t = h["EVENTS"].data["TIME"]
        g = h["GTI"].data
        inside = np.zeros(len(t), bool)
        for a, b in zip(g["START"], g["STOP"]):
            inside |= (t >= a - 1e-3) & (t <= b + 1e-3)
        expected = int((~inside).sum())
    code, report, _ = validate(vodf, path)
    found = [f for f in report["findings"] if f["rule"] == "gadf-0.2/events:check:events-within-gti"]
    if expected == 0:
        assert found == []
    else:
        assert len(found) == 1 and found[0]["severity"] == "warning" and found[0]["message"].startswith(f"{expected} of {len(t)} event(s)")


FILE_CHECK_MUTATIONS = {
    "ONTIME off": (lambda h: h["EVENTS"].header.set("ONTIME", h["EVENTS"].header["ONTIME"] + 10), "gadf-0.3/events:check:ontime-matches-gti"),
    "LIVETIME above ONTIME": (lambda h: h["EVENTS"].header.set("LIVETIME", h["EVENTS"].header["ONTIME"] * 2), "gadf-0.3/events:check:livetime-within-ontime"),
    "GTI too short": (lambda h: h["GTI"].data.__setitem__("STOP", h["GTI"].data["STOP"] - 1e6), None),
}


@pytest.mark.parametrize("name", list(FILE_CHECK_MUTATIONS))
def test_each_file_check_fires(vodf, tmp_path, name):
    mutate, rule = FILE_CHECK_MUTATIONS[name]
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits")
    bad = tmp_path / "bad.fits"
    with fits.open(good) as h:
        mutate(h)
        h.writeto(bad, checksum=False)
    code, report, _ = validate(vodf, bad, "--profile", "strict")
    warned = sorted({f["rule"] for f in report["findings"] if f["severity"] == "warning"})
    if rule is None:  # shrinking the GTI strands events and leaves ONTIME disagreeing with it
        assert warned == ["gadf-0.3/events:check:events-within-gti", "gadf-0.3/events:check:ontime-matches-gti"], warned
    else:
        assert warned == [rule], warned


@pytest.mark.parametrize("name", ["psf", "edisp"])
def test_km3irf_unnormalised_tables_are_flagged(vodf, name):
    import numpy as np
    rule = {"psf": "gadf-0.2/psf_table:normalisation:RPSF", "edisp": "gadf-0.2/edisp_2d:normalisation:MATRIX"}[name]
    for f in sorted(KM3IRF_DATA.glob(f"{name}*.fits")):
        # the oracle: integrate with numpy in float64, in the GADF axis order (RAD|MIGRA, THETA, ENERG)
        with fits.open(f) as h:
            d = h[1].data
            if name == "psf":
                lo, hi = np.radians(d["RAD_LO"][0].astype(float)), np.radians(d["RAD_HI"][0].astype(float))
                integral = np.tensordot(d["RPSF"][0].astype(float), 2 * np.pi * (np.cos(lo) - np.cos(hi)), axes=([0], [0]))
            else:
                width = d["MIGRA_HI"][0].astype(float) - d["MIGRA_LO"][0].astype(float)
                integral = np.tensordot(d["MATRIX"][0].astype(float), width, axes=([1], [0]))
        expected = "no_norm" in f.name
        assert (integral.max() > 1.05) == expected, (f.name, integral.max())
        for profile, severity in [("strict", "error"), ("gammapy", "warning")]:
            _, report, _ = validate(vodf, f, "--profile", profile)
            hits = [x for x in report["findings"] if x["rule"] == rule]
            assert bool(hits) == expected, (f.name, profile)
            if hits:
                assert hits[0]["severity"] == severity
                assert f"up to {integral.max():.6g}"[:12] in hits[0]["message"]


def test_json_report_matches_its_schema(vodf, corpus, tmp_path):
    import jsonschema
    from conftest import REPO
    schema = json.loads((REPO / "docs" / "schemas" / "validate-report.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = tmp_path / "bad.fits"
    with fits.open(HESS) as h:
        set_tunit(h, "PSF", "RPSF", "m2")
        h.writeto(bad, checksum=False)
    # errors, warnings, infos and an unreadable file in one report
    _, report, _ = validate(vodf, bad, MAGIC, CORPUS / "gadf" / "hess-dl3-dr1", TESTDATA / "README.md", "--profile", "strict")
    assert {f["severity"] for f in report["findings"]} == {"error", "warning", "info"}
    jsonschema.validate(report, schema)
    report["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(report, schema)


def test_committed_spec_docs_are_current(vodf, tmp_path):
    """The CI check on the format specs: docs/specs/ is exactly what `vodf spec docs` generates."""
    from conftest import REPO
    r = run_vodf(vodf, "spec", "docs", "-o", tmp_path / "specs")
    assert r.returncode == 0, r.stderr
    fresh = {p.name: p.read_text() for p in (tmp_path / "specs").glob("*.md")}
    committed = {p.name: p.read_text() for p in (REPO / "docs" / "specs").glob("*.md")}
    assert sorted(fresh) == sorted(committed), "run `vodf spec docs` and commit docs/specs/"
    stale = [n for n in fresh if fresh[n] != committed[n]]
    assert stale == [], f"stale pages {stale}: run `vodf spec docs` and commit docs/specs/"
    assert "| `OBS_MODE` | required |" in fresh["gadf-0.3_events.md"] and "| `OBS_MODE` | required |" not in fresh["gadf-0.2_events.md"]


def test_spec_show(vodf):
    r = run_vodf(vodf, "spec", "show", "gadf-0.2/psf_table")
    assert r.returncode == 0 and "`RPSF`" in r.stdout and "solid-angle" in r.stdout
    r = run_vodf(vodf, "spec", "show", "psf_table")
    assert r.returncode == 2 and "did you mean gadf-0.2/psf_table, gadf-0.3/psf_table" in r.stderr


def test_pointing_hdu_is_checked(vodf, tmp_path):
    import numpy as np
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits")
    for unit, expected in [("deg", []), ("m", ["gadf-0.3/pointing:column:DEC_PNT:unit"])]:
        with fits.open(good) as h:
            cols = fits.ColDefs([fits.Column("TIME", "D", unit="s", array=np.array([1.0, 2.0])),
                                 fits.Column("RA_PNT", "D", unit="deg", array=[1.0, 2.0]),
                                 fits.Column("DEC_PNT", "D", unit=unit, array=[1.0, 2.0])])
            p = fits.BinTableHDU.from_columns(cols, name="POINTING")
            for k in ["HDUCLASS", "HDUDOC", "HDUVERS", "MJDREFI", "MJDREFF", "TIMESYS", "TIMEUNIT", "TIMEREF", "GEOLON", "GEOLAT", "ALTITUDE"]:
                p.header[k] = h["EVENTS"].header[k]
            p.header["HDUCLAS1"] = "POINTING"
            h.append(p)
            h.writeto(tmp_path / "pnt.fits", overwrite=True, checksum=True)
        _, report, _ = validate(vodf, tmp_path / "pnt.fits", "--profile", "strict")
        assert sorted({f["rule"] for f in report["findings"] if f["severity"] != "info"}) == expected


def test_corrupt_header_exit_3(vodf, tmp_path):
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits")
    data = bytearray(good.read_bytes())
    # the EVENTS header starts at 2880: break its NAXIS2 card into non-FITS text
    i = data.index(b"NAXIS2  =", 2880)
    data[i:i + 30] = b"NAXIS2  = 'not a number'      "
    bad = tmp_path / "corrupt.fits"
    bad.write_bytes(bytes(data))
    r = run_vodf(vodf, "validate", bad, "--report", "json")
    report = json.loads(r.stdout)
    assert r.returncode == 3 and [f["rule"] for f in report["findings"]] == ["fits:unreadable"], r.stdout


def test_legacy_class_values_are_checked_with_a_warning(vodf, corpus, tmp_path):
    # CTA-1DC style: HDUCLASS OGIP and the short HDUCLAS4 values 2D / 3D
    legacy = tmp_path / "legacy.fits"
    with fits.open(HESS) as h:
        for name, clas4 in [("AEFF", "2D"), ("EDISP", "2D"), ("BKG", "3D")]:
            h[name].header["HDUCLASS"] = "OGIP"
            h[name].header["HDUCLAS4"] = clas4
        h.writeto(legacy, checksum=False)
    code, report, _ = validate(vodf, legacy)
    legacy_hits = sorted(f["message"] for f in report["findings"] if f["rule"] == "spec:legacy-class")
    assert legacy_hits == ["legacy class values (HDUCLAS4=2D); checked as gadf-0.2/aeff_2d",
                           "legacy class values (HDUCLAS4=2D); checked as gadf-0.2/edisp_2d",
                           "legacy class values (HDUCLAS4=3D); checked as gadf-0.2/bkg_3d"]
    assert code == 0 and not [f for f in report["findings"] if f["rule"] == "spec:no-match"]
    # and the legacy-selected spec really checks: a wrong unit under the legacy label still fails
    with fits.open(legacy) as h:
        set_tunit(h, "AEFF", "EFFAREA", "s")
        h.writeto(tmp_path / "legacy_bad.fits", checksum=False)
    code, report, _ = validate(vodf, tmp_path / "legacy_bad.fits")
    assert code == 1 and sorted({f["rule"] for f in report["findings"] if f["severity"] == "error"}) == ["gadf-0.2/aeff_2d:column:EFFAREA:unit"]


VODF_MUTATIONS = {
    "no EXTLEVEL": (lambda h: h["event-list"].header.remove("EXTLEVEL"), "vodf-0.0.0/event_list:keyword:EXTLEVEL:missing"),
    "no DATE-BEG": (lambda h: h["event-list"].header.remove("DATE-BEG"), "vodf-0.0.0/event_list:keyword:DATE-BEG:missing"),
    "RA_RECO in metres": (lambda h: set_tunit(h, "event-list", "RA_RECO", "m"), "vodf-0.0.0/event_list:column:RA_RECO:unit"),
    "GADF column name": (lambda h: h["event-list"].header.set("TTYPE5", "ENERGY"), "vodf-0.0.0/event_list:column:ENERGY_RECO:missing"),
    "TREFPOS not topocentre": (lambda h: h["event-list"].header.set("TREFPOS", "GEOCENTER"), "vodf-0.0.0/event_list:keyword:TREFPOS:value"),
    "no OBSGEO-H": (lambda h: h["event-list"].header.remove("OBSGEO-H"), "vodf-0.0.0/event_list:keyword:OBSGEO-H:missing"),
    "dangling group member": (lambda h: h["GROUPING"].data["MEMBER_NAME"].__setitem__(1, "SOI"), "vodf-0.0.0/grouping:check:members-exist"),
    "group member version": (lambda h: h["GROUPING"].data["MEMBER_VERSION"].__setitem__(0, 2), "vodf-0.0.0/grouping:check:members-exist"),
    "GTI stop as float32": (lambda h: h["GTI"].header.set("TFORM2", "2E"), None),
}


@pytest.mark.parametrize("name", [k for k, v in VODF_MUTATIONS.items() if v[1]])
def test_each_vodf_mutation_fires_exactly_its_rule(vodf, tmp_path, name):
    """VODF draft (vodf_schema @7dfc796) rules on vodfkit's own VODF output, one mutation each."""
    mutate, rule = VODF_MUTATIONS[name]
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits", "--format", "vodf")
    code, report, _ = validate(vodf, good, "--profile", "strict")
    assert code == 0 and [f for f in report["findings"] if f["severity"] != "info"] == []
    assert_only_rule_fires(vodf, good, tmp_path / "bad.fits", mutate, rule)


def test_vodf_grouping_table_found_by_columns_not_by_class(vodf, tmp_path):
    """A grouping table has no HDUCLASn in vodf_schema: it is checked by its columns, with no
    class-mismatch warning, and a member in another file resolves through MEMBER_LOCATION."""
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "obs.fits", "--format", "vodf")
    index = tmp_path / "group.fits"
    # The fourth member is remote: it cannot be checked from here and is not reported.
    cols = [fits.Column(name="MEMBER_NAME", format="10A", array=["event-list", "GTI", "NOPE", "event-list"]),
            fits.Column(name="MEMBER_VERSION", format="K", array=[1, 1, 1, 1]),
            fits.Column(name="MEMBER_LOCATION", format="40A", array=["obs.fits", "obs.fits", "obs.fits", "https://example.org/obs.fits"])]
    t = fits.BinTableHDU.from_columns(cols, name="GROUPING")
    t.header.update({"HDUCLASS": "VODF", "HDUDOC": "https://vodf.readthedocs.org", "HDUVERS": "0.0.0"})
    fits.HDUList([fits.PrimaryHDU(), t]).writeto(index)
    code, report, _ = validate(vodf, index, "--profile", "strict")
    found = [(f["severity"], f["rule"], f["message"]) for f in report["findings"] if f["severity"] != "info"]
    assert code == 1 and found == [("error", "vodf-0.0.0/grouping:check:members-exist", "row 3: obs.fits has no HDU 'NOPE' version 1")], found


def probabilities_per_bin(h):
    """EDISP MATRIX multiplied by the migration bin widths: it sums to 1 instead of integrating to 1."""
    d = h["EDISP"].data
    width = (d["MIGRA_HI"][0] - d["MIGRA_LO"][0]).astype(float)
    m = d["MATRIX"][0].astype(float)                      # numpy shape (theta, migra, energy)
    d["MATRIX"][0] = (m * width[None, :, None]).astype(d["MATRIX"].dtype)


@pytest.mark.parametrize("profile", ["gammapy", "strict"])
def test_table_integrating_far_below_one_is_a_warning(vodf, corpus, tmp_path, profile):
    """The lower bound of the normalisation rule: per-bin probabilities are named, with the measured
    integral, as a warning in both profiles (gammapy reads such files and renormalises the kernel)."""
    bad = tmp_path / "per_bin.fits"
    with fits.open(HESS) as h:
        probabilities_per_bin(h)
        h.writeto(bad, checksum=False)
    code, report, err = validate(vodf, bad, "--profile", profile)
    low = [f for f in report["findings"] if f["rule"] == "gadf-0.2/edisp_2d:normalisation:MATRIX:low"]
    assert len(low) == 1 and low[0]["severity"] == "warning", report["findings"]
    assert "integrates to at most 0.0" in low[0]["message"] and "probabilities per bin" in low[0]["message"], low
    assert not [f for f in report["findings"] if f["severity"] == "error" and "normalisation" in f["rule"]]
    # the published HESS table reaches 1 and gets no such finding
    _, clean, _ = validate(vodf, HESS, "--profile", profile)
    assert not [f for f in clean["findings"] if "normalisation" in f["rule"]]


def test_cta_prod5_per_bin_edisp_is_reported(vodf, corpus):
    prod5 = next((CORPUS / "gadf" / "cta-prod5").glob("*.fits.gz"))
    code, report, _ = validate(vodf, prod5)
    low = [f for f in report["findings"] if f["rule"].endswith("normalisation:MATRIX:low")]
    assert code == 0 and len(low) == 1 and "at most 0.01 " in low[0]["message"], low


def move_edge(h, extname, lo, hi, k, new):
    """Sets bin k's LO (and bin k-1's HI stays): the two edges then differ by new - old."""
    h[extname].data[lo][0][k] = new


@pytest.mark.parametrize("shift, fires", [("ulp", False), ("1e-12", False), ("1e-17 at zero", False), ("1e-3 of a bin", True)])
def test_edge_tolerance_is_relative_to_the_bin_width(vodf, corpus, tmp_path, shift, fires):
    """Contiguity holds within a fraction of the bin width (axes.tolerance, default 1e-6): round-off is
    not a gap, a thousandth of a bin is. BKG_3D's DETX edge at 0 shows why value-relative was wrong."""
    import numpy as np
    bad = tmp_path / "shifted.fits"
    with fits.open(HESS) as h:
        d = h["BKG"].data
        lo = d["DETX_LO"][0].astype(float)
        k = int(np.argmin(np.abs(lo))) if shift == "1e-17 at zero" else 7
        hi_prev = float(d["DETX_HI"][0][k - 1])
        width = float(d["DETX_HI"][0][k] - d["DETX_LO"][0][k])
        new = {"ulp": np.nextafter(np.float32(hi_prev), np.float32(np.inf)) if d["DETX_LO"].dtype.kind == "f" and d["DETX_LO"].dtype.itemsize == 4 else np.nextafter(hi_prev, np.inf),
               "1e-12": hi_prev * (1 + 1e-12), "1e-17 at zero": hi_prev + 1e-17, "1e-3 of a bin": hi_prev + 1e-3 * width}[shift]
        if shift == "1e-17 at zero":
            assert hi_prev == 0.0
        move_edge(h, "BKG", "DETX_LO", "DETX_HI", k, new)
        h.writeto(bad, checksum=False)
    code, report, _ = validate(vodf, bad, "--profile", "strict")
    axis = [f for f in report["findings"] if f["rule"] == "gadf-0.2/bkg_3d:axis:DETX_LO"]
    assert bool(axis) == fires, axis
    if fires:
        assert "gap of 0.001 bin widths" in axis[0]["message"], axis


def test_spec_diff_gadf_02_03(vodf):
    """Issue 17: the changes docs/formats.md records between GADF 0.2 and 0.3, from the specs."""
    r = run_vodf(vodf, "spec", "diff", "gadf-0.2", "gadf-0.3", "--json")
    assert r.returncode == 0, r.stderr
    changes = {(c["kind"], c["item"], c["name"], c["change"]): c["details"] for c in json.loads(r.stdout)["changes"]}
    assert ("rad_max_2d", "kind", next(n for k, i, n, ch in changes if k == "rad_max_2d"), "added") in changes
    # OBS_MODE required with DRIFT; ALT_PNT/AZ_PNT; TIMEREF's FITS values; DATE-BEG.
    mode = changes[("events", "keyword", "OBS_MODE", "changed")]
    assert "level: optional -> required" in mode and any("DRIFT" in d for d in mode)
    for k in ["ALT_PNT", "AZ_PNT", "DATE-BEG"]:
        assert ("events", "keyword", k, "added") in changes, k
    assert any("TOPOCENTER" in d for d in changes[("events", "keyword", "TIMEREF", "changed")])
    assert ("events", "condition", "drift-needs-altaz", "added") in changes
    assert ("obs_index", "column", "OBS_MODE", "added") in changes
    text = run_vodf(vodf, "spec", "diff", "gadf-0.2", "gadf-0.3").stdout
    assert "rad_max_2d: kind" in text and text.strip().splitlines()[-1].startswith("gadf-0.2 -> gadf-0.3:")
    # Reversed, additions become removals; an unknown version is a usage error naming the known ones.
    back = json.loads(run_vodf(vodf, "spec", "diff", "gadf-0.3", "gadf-0.2", "--json").stdout)["changes"]
    assert any(c["kind"] == "rad_max_2d" and c["change"] == "removed" for c in back)
    bad = run_vodf(vodf, "spec", "diff", "gadf-0.2", "gadf-9.9")
    assert bad.returncode == 2 and "known: gadf-0.2, gadf-0.3, vodf-0.0.0" in bad.stderr
