"""Issue 15: alerts out and in. VOEvents validated by lxml against the shared XSDs, GCN notices by
python-jsonschema against the shared schema (both independent of vodfkit's libxml2 and its own
schema checker), round trips through EVENTS files that gammapy reads, and vodf validate's
schema and semantic findings on broken alerts."""
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

from conftest import KM3NET_DATA, REPO, convert, run_vodf

STANDARDS = REPO.parent / "shared" / "standards"
GCN = STANDARDS / "gcn" / "notices"
ORCA6 = KM3NET_DATA / "dst" / "orca6_sample.root"
ISSUED = "2026-01-01T00:00:00Z"


@pytest.fixture(scope="module")
def standards():
    if not (STANDARDS / "voevent" / "VOEvent-v2.0.xsd").exists():
        pytest.skip(f"needs the VOEvent XSDs and GCN schemas in {STANDARDS} (../shared/standards beside the repo)")
    return STANDARDS


@pytest.fixture(scope="module")
def orca_events(vodf, km3net_data, tmp_path_factory):
    """Real KM3NeT events: orca6_sample.root (km3net-testdata) converted to GADF."""
    return convert(vodf, ORCA6, tmp_path_factory.mktemp("orca") / "orca6.fits")


def xsd(version):
    from lxml import etree
    return etree.XMLSchema(etree.parse(str(STANDARDS / "voevent" / f"VOEvent-v{version}.xsd")))


def notice_validator():
    import jsonschema
    from referencing import Registry, Resource
    schemas = {}
    for p in GCN.rglob("*.schema.json"):
        doc = json.loads(p.read_text())
        schemas[doc["$id"]] = Resource.from_contents(doc)
    root = json.loads((GCN / "km3net" / "alert.schema.json").read_text())
    return jsonschema.Draft202012Validator(root, registry=Registry().with_resources(schemas.items()))


def event_row(path, event_id):
    with fits.open(path) as h:
        ev = h["EVENTS"]
        row = ev.data[ev.data["EVENT_ID"] == event_id][0]
        ref = Time(ev.header["MJDREFI"] + ev.header["MJDREFF"], format="mjd", scale=ev.header["TIMESYS"].lower())
        t = (ref + row["TIME"] * 1.0 * __import__("astropy.units", fromlist=["s"]).s).utc
        return row, t


def voevent_values(path):
    """Position, error, time and event energy of a VOEvent, read with lxml (not vodfkit)."""
    from lxml import etree
    root = etree.parse(str(path)).getroot()
    pos = root.find("WhereWhen/ObsDataLocation/ObservationLocation/AstroCoords/Position2D")
    time = root.find("WhereWhen/ObsDataLocation/ObservationLocation/AstroCoords/Time/TimeInstant/ISOTime").text
    energy = root.find("What/Group[@type='event']/Param[@name='energy']")
    return dict(ra=float(pos.find("Value2/C1").text), dec=float(pos.find("Value2/C2").text),
                err=float(pos.find("Error2Radius").text), time=Time(time, scale="utc"),
                energy_gev=float(energy.get("value")) if energy is not None else None)


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_voevent_of_a_km3net_event_validates(vodf, standards, orca_events, tmp_path, version):
    out = tmp_path / f"alert-{version}.xml"
    r = run_vodf(vodf, "alert", "voevent", orca_events, "--event-id", 7, "-o", out, "--schema", version, "--issued", ISSUED)
    assert r.returncode == 0, r.stderr
    from lxml import etree
    schema = xsd(version)
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    # Not valid against the other version: the namespace and version attribute are the version's own.
    other = xsd("2.1" if version == "2.0" else "2.0")
    assert not other.validate(doc)
    row, t = event_row(orca_events, 7)
    v = voevent_values(out)
    assert v["ra"] == pytest.approx(row["RA"], abs=1e-12) and v["dec"] == pytest.approx(row["DEC"], abs=1e-12)
    assert v["err"] == pytest.approx(row["DIR_ERR"], rel=1e-15)
    assert abs((v["time"] - t).to_value("s")) < 1e-5
    assert v["energy_gev"] == pytest.approx(row["ENERGY"] * 1000, rel=1e-12)


def test_voevent_round_trip_keeps_position_error_time_energy(vodf, standards, orca_events, tmp_path):
    first = tmp_path / "first.xml"
    assert run_vodf(vodf, "alert", "voevent", orca_events, "--event-id", 11, "-o", first, "--issued", ISSUED).returncode == 0
    events = convert(vodf, first, tmp_path / "from-alert.fits")
    with fits.open(events) as h:
        assert len(h["EVENTS"].data) == 1 and len(h["GTI"].data) == 1
        eid = int(h["EVENTS"].data["EVENT_ID"][0])
    second = tmp_path / "second.xml"
    r = run_vodf(vodf, "alert", "voevent", events, "--event-id", eid, "-o", second, "--issued", ISSUED)
    assert r.returncode == 0, r.stderr
    a, b = voevent_values(first), voevent_values(second)
    assert (a["ra"], a["dec"], a["err"]) == (b["ra"], b["dec"], b["err"])
    assert abs((a["time"] - b["time"]).to_value("s")) < 1e-6
    assert a["energy_gev"] == pytest.approx(b["energy_gev"], rel=1e-12)


def test_gcn_notice_validates_and_flips_cos_zenith(vodf, standards, orca_events, tmp_path):
    with fits.open(orca_events) as h:
        d = h["EVENTS"].data
        down = int(d["EVENT_ID"][np.argmax(d["ALT"])])       # the most down-going event: ALT near +90
    out = tmp_path / "notice.json"
    r = run_vodf(vodf, "alert", "gcn", orca_events, "--event-id", down, "-o", out, "--issued", ISSUED, "--name", "KM3-200221A")
    assert r.returncode == 0, r.stderr
    notice = json.loads(out.read_text())
    errors = list(notice_validator().iter_errors(notice))
    assert errors == [], [e.message for e in errors]
    row, t = event_row(orca_events, down)
    e = notice["event_details"][0]
    # Notices: 1 = up-going. This event comes from above (ALT > 80 deg), so its cos_zenith is near -1.
    assert row["ALT"] > 80 and e["cos_zenith"] == pytest.approx(-np.sin(np.radians(row["ALT"])), rel=1e-12)
    assert e["energy_measured"] == pytest.approx(row["ENERGY"] * 1000, rel=1e-12)
    assert abs((Time(notice["trigger_time"].rstrip("Z"), scale="utc") - t).to_value("s")) < 1e-5
    assert notice["event_name"] == "KM3-200221A" and notice["mission"] == "KM3NeT"


@pytest.mark.parametrize("example", ["alert.example.json", "alert.multiplet.example.json"])
def test_gcn_examples_convert_to_events_gammapy_reads(vodf, standards, tmp_path, example):
    src = GCN / "km3net" / example
    notice = json.loads(src.read_text())
    out = convert(vodf, src, tmp_path / "events.fits")
    from gammapy.data import GTI, EventList
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events = EventList.read(out)
        gti = GTI.read(out)
    details = notice["event_details"]
    assert len(events.table) == len(details)
    np.testing.assert_allclose(events.table["RA"], [e["ra"] for e in details], rtol=0, atol=1e-12)
    np.testing.assert_allclose(events.table["DEC"], [e["dec"] for e in details], rtol=0, atol=1e-12)
    np.testing.assert_allclose(events.energy.to_value("GeV"), [e["energy_measured"] for e in details], rtol=1e-12)
    times = sorted(Time([e["trigger_time"].rstrip("Z") for e in details], scale="utc"))
    assert abs((gti.time_start[0] - times[0]).to_value("s")) < 1e-5
    assert abs((gti.time_stop[-1] - times[-1]).to_value("s")) < 1e-5
    with fits.open(out) as h:
        alt = h["EVENTS"].data["ALT"]
    # cos_zenith (1 = up-going) becomes the altitude of the arrival direction: sin(ALT) = -cos_zenith.
    np.testing.assert_allclose(np.sin(np.radians(alt)), [-e["cos_zenith"] for e in details], atol=1e-12)
    assert run_vodf(vodf, "validate", "--profile", "strict", out).returncode == 0


def test_gcn_example_to_voevent_and_back(vodf, standards, tmp_path):
    src = GCN / "km3net" / "alert.example.json"
    xml = tmp_path / "example.xml"
    assert run_vodf(vodf, "alert", "voevent", src, "-o", xml, "--schema", "2.1").returncode == 0
    assert xsd("2.1").validate(__import__("lxml.etree", fromlist=["parse"]).parse(str(xml)))
    back = tmp_path / "back.json"
    assert run_vodf(vodf, "alert", "gcn", xml, "-o", back).returncode == 0
    a, b = json.loads(src.read_text()), json.loads(back.read_text())
    for k in ["ra", "dec", "ra_dec_error", "event_name"]:
        assert a[k] == b[k], k
    assert Time(a["trigger_time"].rstrip("Z")) == Time(b["trigger_time"].rstrip("Z"))
    assert a["event_details"][0]["cos_zenith"] == pytest.approx(b["event_details"][0]["cos_zenith"], abs=1e-15)
    assert list(notice_validator().iter_errors(b)) == []


def line_of(path, text):
    return next(i for i, line in enumerate(Path(path).read_text().splitlines(), 1) if text in line)


def test_validate_names_missing_error2radius_and_its_line(vodf, standards, orca_events, tmp_path):
    good = tmp_path / "good.xml"
    assert run_vodf(vodf, "alert", "voevent", orca_events, "--event-id", 7, "-o", good, "--issued", ISSUED).returncode == 0
    bad = tmp_path / "no-error.xml"
    bad.write_text("".join(l for l in good.read_text().splitlines(keepends=True) if "Error2Radius" not in l))
    assert xsd("2.0").validate(__import__("lxml.etree", fromlist=["parse"]).parse(str(bad))) is False
    r = run_vodf(vodf, "validate", bad, "--report", "json")
    assert r.returncode == 1, r.stderr
    findings = json.loads(r.stdout)["findings"]
    line = line_of(bad, "<Position2D")
    schema = [f for f in findings if f["rule"] == "voevent:schema"]
    assert schema and schema[0]["target"] == f"line {line}: Position2D" and "Error2Radius" in schema[0]["message"]
    assert any(f["rule"] == "alert:error-radius" and f["target"] == f"line {line}: Position2D" for f in findings)
    # The text report names both on one line each.
    text = run_vodf(vodf, "validate", bad).stdout
    assert f"line {line}: Position2D" in text and "Error2Radius" in text


def mutate(src, dst, *pairs):
    text = Path(src).read_text()
    for a, b in pairs:
        assert a in text, a
        text = text.replace(a, b, 1)
    Path(dst).write_text(text)
    return dst


def test_semantic_checks_fire_on_mutations(vodf, standards, orca_events, tmp_path):
    good = tmp_path / "good21.xml"
    assert run_vodf(vodf, "alert", "voevent", orca_events, "--event-id", 7, "-o", good, "--schema", "2.1", "--issued", ISSUED).returncode == 0
    assert run_vodf(vodf, "validate", good).returncode == 0
    text = good.read_text()
    c1 = re.search(r"<C1>([^<]+)</C1>", text).group(0)
    iso = re.search(r"<ISOTime>([^<]+)</ISOTime>", text).group(0)
    radius = re.search(r"<Error2Radius>([^<]+)</Error2Radius>", text).group(0)
    cases = {
        "alert:coordinates": [(c1, "<C1>400.5</C1>")],
        "alert:time": [(iso, "<ISOTime>2999-01-01T00:00:00</ISOTime>")],
        "alert:coordinate-system": [('<AstroCoordSystem id="UTC-ICRS-TOPO"/>', '<AstroCoordSystem id="UTC-MARS-TOPO"/>')],
        "alert:error-radius": [(radius, "<Error2Radius>-1</Error2Radius>")],
    }
    for rule, pairs in cases.items():
        f = mutate(good, tmp_path / f"{rule.split(':')[1]}.xml", *pairs)
        r = run_vodf(vodf, "validate", f, "--report", "json")
        rules = {x["rule"] for x in json.loads(r.stdout)["findings"]}
        assert r.returncode == 1 and rules == {rule}, (rule, rules)
        # lenient: the semantic finding becomes a warning
        assert run_vodf(vodf, "validate", f, "--profile", "lenient").returncode == 0


def test_notice_schema_agrees_with_jsonschema(vodf, standards, tmp_path):
    """vodf's JSON Schema checker against python-jsonschema, on mutations of the real examples."""
    base = json.loads((GCN / "km3net" / "alert.multiplet.example.json").read_text())
    mutations = {
        "ok": lambda n: n,
        "topology": lambda n: n.update(alert_topology="Cascade"),
        "ra-text": lambda n: n.update(ra="13.8"),
        "tense": lambda n: n.update(alert_tense="soon"),
        "event-topology": lambda n: n["event_details"][1].update(prob_evt_topology="cascade"),
        "error-array-long": lambda n: n.update(ra_dec_error=[1, 2, 3, 4]),
        "error-array": lambda n: n.update(ra_dec_error=[0.4, 0.3, 10.0]),
        "counterpart-text": lambda n: n.update(counterpart_info="No search"),
        "counterpart-number": lambda n: n.update(counterpart_info=3),
        "names": lambda n: n.update(event_name=["KM3-240901B", "IceCube-240901A"]),
        "record": lambda n: n.update(record_number="1"),
    }
    validator = notice_validator()
    for name, change in mutations.items():
        notice = json.loads(json.dumps(base))
        change(notice)
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(notice, indent=2))
        theirs = sorted(e.json_path for e in validator.iter_errors(notice))
        r = run_vodf(vodf, "validate", path, "--report", "json")
        ours = [f for f in json.loads(r.stdout)["findings"] if f["rule"] == "gcn:schema"]
        assert bool(theirs) == bool(ours), (name, theirs, ours)
        if theirs:
            # The JSON pointer vodf names is the path jsonschema names.
            want = {p.replace("$", "").replace(".", "/").replace("[", "/").replace("]", "") or "/" for p in theirs}
            got = {f["target"].split(": ", 1)[1] for f in ours}
            assert want <= got, (name, want, got)


def test_notice_semantics_and_unreadable(vodf, standards, tmp_path):
    base = json.loads((GCN / "km3net" / "alert.example.json").read_text())
    del base["ra_dec_error"]
    base["event_details"][0]["cos_zenith"] = 1.5
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(base, indent=2))
    r = run_vodf(vodf, "validate", p, "--report", "json")
    f = json.loads(r.stdout)["findings"]
    assert {x["rule"] for x in f} == {"alert:error-radius", "alert:coordinates"}, f
    assert any(x["target"] == f"line {line_of(p, 'cos_zenith')}: /event_details/0/cos_zenith" for x in f)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "mission": "KM3NeT",\n  "ra": 1.0,,\n}\n')
    r = run_vodf(vodf, "validate", broken)
    assert r.returncode == 1 and "broken.json: error: [gcn:schema] line 3: not valid JSON" in r.stdout


def test_alert_errors_are_one_line(vodf, standards, orca_events, tmp_path):
    cases = [
        (["alert", "voevent", orca_events, "-o", tmp_path / "x.xml"], 2, "needs --event-id"),
        (["alert", "voevent", orca_events, "--event-id", 999999, "-o", tmp_path / "x.xml"], 3, "no event with EVENT_ID 999999"),
        (["alert", "gcn", REPO / "TestData" / "km3net" / "aeff_coszen_sample.csv", "-o", tmp_path / "x.json"], 3, "not an event list or an alert"),
        (["alert", "voevent", orca_events, "--event-id", 7, "-o", tmp_path / "x.xml", "--standards", tmp_path], 2, "standards directory"),
    ]
    for args, code, text in cases:
        r = run_vodf(vodf, *args)
        assert r.returncode == code and text in r.stderr and r.stderr.count("\n") == 1, (args, r.returncode, r.stderr)
        assert not (tmp_path / "x.xml").exists() and not (tmp_path / "x.json").exists()


def test_an_alert_from_a_row_of_any_event_input(vodf, standards, tmp_path):
    """Issue 26: the alert command reads its input through the format registry, so a row of the ANTARES
    public list makes an alert as a row of its GADF conversion does, with the same position and time."""
    src = REPO / "TestData" / "antares" / "sample_public.dat"
    direct, via = tmp_path / "direct.xml", tmp_path / "via.xml"
    r = run_vodf(vodf, "alert", "voevent", src, "--event-id", 2, "-o", direct, "--issued", "2026-01-01T00:00:00")
    assert r.returncode == 0, r.stderr
    gadf = convert(vodf, src, tmp_path / "events.fits")
    r = run_vodf(vodf, "alert", "voevent", gadf, "--event-id", 2, "-o", via, "--issued", "2026-01-01T00:00:00")
    assert r.returncode == 0, r.stderr

    def position(path):
        text = path.read_text()
        return [re.search(f"<{t}>([^<]*)</{t}>", text).group(1) for t in ("C1", "C2", "Error2Radius", "ISOTime")]
    assert position(direct) == position(via)


def test_icecube_notice_reads_and_is_checked_against_its_own_schema(vodf, standards, tmp_path):
    """Another producer's notice: IceCube's example names its schema in $schema, and gives nu_energy in TeV."""
    src = GCN / "icecube" / "single_neutrino_alerts.gold_bronze_track_alerts.example.json"
    notice = json.loads(src.read_text())
    assert run_vodf(vodf, "validate", src).returncode == 0
    out = convert(vodf, src, tmp_path / "ic.fits")
    from gammapy.data import EventList
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = EventList.read(out)
    assert ev.energy.to_value("TeV")[0] == pytest.approx(notice["nu_energy"], rel=1e-12)
    assert ev.table["RA"][0] == notice["ra"] and ev.table["DEC"][0] == notice["dec"]
    # nu_energy as text breaks IceCube's schema only: vodf must have picked that schema.
    notice["nu_energy"] = "127"
    bad = tmp_path / "ic-bad.json"
    bad.write_text(json.dumps(notice, indent=2))
    r = run_vodf(vodf, "validate", bad, "--report", "json")
    f = json.loads(r.stdout)["findings"]
    assert r.returncode == 1 and [x["target"].split(": ")[1] for x in f] == ["/nu_energy"], f
    theirs = notice_validator_for(GCN / "icecube" / "single_neutrino_alerts.schema.json")
    assert [e.json_path for e in theirs.iter_errors(notice)] == ["$.nu_energy"]


def notice_validator_for(schema_path):
    import jsonschema
    from referencing import Registry, Resource
    schemas = {json.loads(p.read_text())["$id"]: Resource.from_contents(json.loads(p.read_text())) for p in GCN.rglob("*.schema.json")}
    return jsonschema.Draft202012Validator(json.loads(Path(schema_path).read_text()), registry=Registry().with_resources(schemas.items()))


def test_testdata_alerts_are_what_vodf_writes(vodf, standards, tmp_path):
    """TestData/alerts/ (fixtures for clones without ../shared, and fuzz seeds) are vodf's output today."""
    events = convert(vodf, REPO / "TestData" / "antares" / "sample_public.dat", tmp_path / "s.fits")
    fixed = ["--issued", ISSUED, "--pipeline", "vodfkit-sample", "-q"]
    made = {
        "antares_sample_event2.voevent20.xml": ["voevent"],
        "antares_sample_event2.voevent21.xml": ["voevent", "--schema", "2.1"],
        "antares_sample_event2.notice.json": ["gcn"],
    }
    for name, args in made.items():
        out = tmp_path / name
        r = run_vodf(vodf, "alert", args[0], events, "--event-id", 2, "-o", out, *args[1:], *fixed)
        assert r.returncode == 0, r.stderr
        # The provenance names the converted file; the fixtures were made from s.fits too.
        assert out.read_text() == (REPO / "TestData" / "alerts" / name).read_text(), name
