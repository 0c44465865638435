"""Issue 15, the real server: the DaCHS resource that `vodf release obscore --dachs` writes for the
TestData release is imported into a running DaCHS (Debian's gavodachs2-server, PostgreSQL behind
it), then queried with pyvo: TAP (ADQL) on the obscore tables and a cone search on the events.
scripts/dachs.sh installs and starts it (make test does); this test stops what it started."""
import os
import shutil
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pytest
from astropy.coordinates import SkyCoord
from astropy.io import votable

from conftest import REPO, run_vodf

INPUTS = Path("/var/gavo/inputs")
SERVER = "http://localhost:8080"


def serving():
    try:
        urllib.request.urlopen(SERVER + "/tap/capabilities", timeout=3).read(100)
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def dachs():
    if shutil.which("dachs") is None or not INPUTS.is_dir():
        pytest.skip("DaCHS is not installed: scripts/dachs.sh install (make test runs it)")
    was_serving = serving()
    if not was_serving:
        r = subprocess.run(["bash", str(REPO / "scripts" / "dachs.sh"), "start"], capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stdout + r.stderr
    yield SERVER
    if not was_serving:
        subprocess.run(["bash", str(REPO / "scripts" / "dachs.sh"), "stop"], capture_output=True, text=True, timeout=120)
        assert not serving()


@pytest.fixture(scope="module")
def published(vodf, dachs, tmp_path_factory):
    work = tmp_path_factory.mktemp("dachs")
    release = work / "release"
    r = run_vodf(vodf, "release", "build", REPO / "TestData" / "release" / "sample.yaml", "-o", release, "-q")
    assert r.returncode == 0, r.stderr
    resource = work / "resource"
    r = run_vodf(vodf, "release", "obscore", release, "-o", work / "obscore.vot", "--dachs", resource,
                 "--collection", "vodfkit-dachs-test", "--base-url", "http://localhost:8080/static")
    assert r.returncode == 0, r.stderr
    # DaCHS runs its server as the gavo user, who must read the resource.
    for p in [work, resource, resource / "data", *resource.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    for parent in work.parents:
        if parent == Path("/"):
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o005)
    name = f"vodfkit_t{uuid.uuid4().hex[:8]}"
    link = INPUTS / name
    link.symlink_to(resource)
    try:
        r = subprocess.run(["dachs", "imp", f"{name}/q"], cwd=INPUTS, capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "Rows affected" in r.stdout + r.stderr
        yield dict(name=name, schema="vodfkit_dachs_test", release=release, votable=work / "obscore.vot", resource=resource)
    finally:
        subprocess.run(["dachs", "drop", f"{name}/q"], cwd=INPUTS, capture_output=True, text=True, timeout=120)
        link.unlink()


def test_tap_query_on_obscore(published):
    import pyvo
    tap = pyvo.dal.TAPService(SERVER + "/tap")
    s = published["schema"]
    result = tap.search(
        f"SELECT o.obs_id, o.obs_publisher_did, o.access_format, o.t_min, o.t_exptime, o.s_fov, h.ev_xel, h.event_type, h.messenger_pdgid "
        f"FROM {s}.obscore AS o JOIN {s}.obscore_hea AS h ON o.obs_publisher_did = h.obs_publisher_did "
        f"WHERE o.dataproduct_type = 'hea-event-list' ORDER BY o.obs_publisher_did").to_table()
    written = votable.parse(str(published["votable"]))
    core = written.get_table_by_index(0).to_table()
    hea = written.get_table_by_index(1).to_table()
    want = core[core["dataproduct_type"] == "hea-event-list"]
    want.sort("obs_publisher_did")
    assert len(result) == len(want) == 6
    assert list(result["obs_publisher_did"]) == list(want["obs_publisher_did"])
    np.testing.assert_allclose(result["t_min"], want["t_min"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(result["t_exptime"], want["t_exptime"], rtol=1e-12)
    assert set(result["s_fov"]) == {360.0}
    by_did = {d: n for d, n in zip(hea["obs_publisher_did"], hea["ev_xel"])}
    assert [int(x) for x in result["ev_xel"]] == [int(by_did[d]) for d in result["obs_publisher_did"]]
    # The count of every event list's events is what the FITS files hold.
    from astropy.io import fits
    for row in result:
        rel = row["obs_publisher_did"].split("?", 1)[1]
        with fits.open(published["release"] / rel) as f:
            assert len(f[1].data) == row["ev_xel"]
    n_irf = tap.search(f"SELECT COUNT(*) AS n FROM {s}.obscore WHERE dataproduct_type = 'response-function'").to_table()["n"][0]
    assert n_irf == int(np.sum(core["dataproduct_type"] == "response-function"))


def test_cone_search_on_events(published):
    import pyvo
    s = published["schema"]
    tap = pyvo.dal.TAPService(SERVER + "/tap")
    events = tap.search(f"SELECT event_key, raj2000, dej2000 FROM {s}.events").to_table()
    assert len(events) > 0
    centre = events[0]
    radius = 30.0
    scs = pyvo.dal.SCSService(f"{SERVER}/{published['name']}/q/cone/scs.xml")
    found = scs.search(pos=(float(centre["raj2000"]), float(centre["dej2000"])), radius=radius).to_table()
    sky = SkyCoord(events["raj2000"], events["dej2000"], unit="deg")
    inside = sky.separation(SkyCoord(centre["raj2000"], centre["dej2000"], unit="deg")).deg <= radius
    assert sorted(found["event_key"]) == sorted(events["event_key"][inside])
    assert 0 < len(found) < len(events)
