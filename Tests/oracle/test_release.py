"""Issue 14: `vodf release` on real inputs. gammapy opens each channel's data store with no
warning, release check passes in strict, builds are deterministic, shards and resumes give the
same release, and bad manifests get one-line errors naming the file, the line and the key."""
import json
import os
import signal
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from conftest import CORPUS, KM3NET_DATA, PYPI_DATA, REPO, TESTDATA

MANIFEST = REPO / "Tests" / "release" / "km3net-testdata.yaml"
ARCA = CORPUS / "km3net-arca230-irf"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}


def run(vodf, *args, env=None, check=True):
    r = subprocess.run([str(vodf), *map(str, args)], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def km3net_manifest(tmp: Path) -> Path:
    """The committed manifest with its relative data paths made absolute (VODF_CORPUS and
    VODF_TESTDATA may point elsewhere)."""
    if not (KM3NET_DATA / "offline").is_dir():
        pytest.skip(f"needs km3net-testdata in {PYPI_DATA} (make testdata)")
    if not ARCA.is_dir():
        pytest.skip(f"needs the ARCA230 tables in {ARCA}")
    text = MANIFEST.read_text()
    text = text.replace("../../../shared/corpus", str(CORPUS)).replace("../../.testdata", str(PYPI_DATA)).replace("../../TestData", str(TESTDATA))
    out = tmp / "km3net.yaml"
    out.write_text(text)
    return out


def tree(root: Path):
    """Every file of a release with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def km3net_release(vodf, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("km3rel")
    manifest = km3net_manifest(tmp)
    out = tmp / "release"
    r = run(vodf, "release", "build", manifest, "-o", out, "--jobs", "2", env=EPOCH)
    return manifest, out, r


def open_stores(release: Path):
    """gammapy's way in: DataStore.from_dir per channel, get_observations with the declared IRFs,
    every IRF of every observation touched. Returns what was read; fails on any warning."""
    from gammapy.data import DataStore
    desc = json.loads((release / "release.json").read_text())
    seen = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fmt in [f for f in desc["formats"] if f != "vodf"]:
            for c in desc["channels"]:
                store_dir = release / fmt / c["name"]
                if not store_dir.exists():
                    continue
                store = DataStore.from_dir(store_dir)
                irfs = c["irfs"][fmt]
                for o in store.get_observations(required_irf=irfs):
                    seen[(fmt, c["name"], int(o.obs_id))] = {
                        "events": o.events.table,
                        "irfs": {t: getattr(o, t) for t in irfs},
                        "livetime": o.observation_live_time_duration.to_value("s"),
                    }
    return desc, seen


def test_km3net_release_opens_in_gammapy(km3net_release):
    _, out, r = km3net_release
    desc, seen = open_stores(out)
    assert {c["name"] for c in desc["channels"]} == {"track", "shower"}
    # Every run with events in a channel is an observation of that channel's store.
    for (fmt, channel, obs_id), o in seen.items():
        path = out / fmt / channel / "events" / f"obs_{obs_id:08d}.fits"
        with fits.open(path) as h:
            ev = h["EVENTS"].data
            assert h["EVENTS"].header["CHANNEL"] == channel
            np.testing.assert_array_equal(np.asarray(o["events"]["RA"]), ev["RA"])
            np.testing.assert_array_equal(np.asarray(o["events"]["ENERGY"]), ev["ENERGY"])
        period = h["EVENTS"].header["PERIOD"]
        with fits.open(out / fmt / channel / "irfs" / f"{period}.fits") as irf:
            aeff = irf[f"EFFECTIVE AREA {channel.upper()}"].data["EFFAREA"][0]
            # TDIM (n_E, n_theta) reads in numpy as (theta, E); gammapy's axes are (E, theta).
            np.testing.assert_allclose(o["irfs"]["aeff"].data, aeff.T, rtol=1e-12)
            # GADF cannot hold the declination background: no BKG is declared or written.
            assert "bkg" not in o["irfs"]
            assert all(hdu.header.get("HDUCLAS2") != "BKG" for hdu in irf[1:])
    tracks = [k for k in seen if k[1] == "track"]
    showers = [k for k in seen if k[1] == "shower"]
    assert len(tracks) >= 10 and len(showers) >= 2, seen.keys()
    assert any("no events in channel shower" in line for line in r.stdout.splitlines())


def test_km3net_release_check_strict(vodf, km3net_release):
    _, out, _ = km3net_release
    r = run(vodf, "release", "check", out, "--profile", "strict", check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 error(s)" in r.stdout


def test_vodf_release_carries_channels_and_bkg(km3net_release):
    _, out, _ = km3net_release
    desc = json.loads((out / "release.json").read_text())
    assert all("bkg" in c["irfs"]["vodf"] for c in desc["channels"])
    grouping = fits.getdata(out / "vodf" / "obs-grouping.fits", "GROUPING")
    assert len(grouping) == len(desc["runs"]) - 1          # usr-sample has no track with LIKELIHOOD >= 100 and no jshower
    with fits.open(out / "vodf" / "events" / "obs_00000909.fits") as h:
        types = set(h["event-list"].data["EVT_TYPE"])
        assert types == {1, 2}
        assert h["event-list"].header["EVTTYP1"] == "track" and h["event-list"].header["EVTTYP2"] == "shower"
        g = h["GROUPING"].data
        linked = {(n.strip(), t) for n, t in zip(g["MEMBER_NAME"], g["EVT_TYPE"]) if t > 0}
        assert ("EFFECTIVE_AREA_TRACK", 1) in linked and ("BACKGROUND_SHOWER", 2) in linked
        # Conservation: every event of the file is in one channel or counted as in none.
        hdr = h["event-list"].header
        assert hdr["NEVT_IN"] == hdr["NEVT_OUT"] + hdr["NREJECT"]


def test_build_is_deterministic(vodf, tmp_path):
    manifest = TESTDATA / "release" / "sample.yaml"
    run(vodf, "release", "build", manifest, "-o", tmp_path / "a", "-q", env=EPOCH)
    time.sleep(2)
    run(vodf, "release", "build", manifest, "-o", tmp_path / "b", "-q", env=EPOCH)
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_shards_and_index_equal_one_build(vodf, tmp_path):
    manifest = km3net_manifest(tmp_path)
    run(vodf, "release", "build", manifest, "-o", tmp_path / "one", "-q", env=EPOCH)
    for shard in ("1/2", "2/2"):
        r = run(vodf, "release", "build", manifest, "-o", tmp_path / "sharded", "--shard", shard, env=EPOCH)
        assert "release index" in r.stdout
    assert not (tmp_path / "sharded" / "gadf-0.3" / "track" / "hdu-index.fits.gz").exists()
    run(vodf, "release", "index", tmp_path / "sharded", env=EPOCH)
    one, sharded = tree(tmp_path / "one"), tree(tmp_path / "sharded")
    assert one.keys() == sharded.keys()
    assert [k for k in one if one[k] != sharded[k]] == []


def test_resume_after_sigkill(vodf, tmp_path):
    manifest = km3net_manifest(tmp_path)
    out = tmp_path / "release"
    p = subprocess.Popen([str(vodf), "release", "build", str(manifest), "-o", str(out), "--jobs", "1", "-q"],
                         env={**os.environ, **EPOCH}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    state = out / ".vodf-state"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(state.glob("*.json"))) < 6:
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    finished = len(list(state.glob("*.json")))
    assert 0 < finished < 17, finished                     # killed midway: 4 IRF sets (2 channels x 2 periods) + 13 runs
    r = run(vodf, "release", "build", manifest, "-o", out, "--jobs", "1", env=EPOCH)
    first = r.stdout.splitlines()[0]
    built, kept = int(first.split(": ")[1].split(" ")[0]), int(first.split(", ")[1].split(" ")[0])
    assert kept == finished and built + kept == 17, first
    assert [p.name for p in out.rglob(".*.tmp")] == []
    # The resumed release is the one an uninterrupted build makes.
    run(vodf, "release", "build", manifest, "-o", tmp_path / "whole", "-q", env=EPOCH)
    a, b = tree(out), tree(tmp_path / "whole")
    assert [k for k in a if a[k] != b.get(k)] == []


def test_rebuild_keeps_current_items(vodf, tmp_path):
    manifest = TESTDATA / "release" / "sample.yaml"
    run(vodf, "release", "build", manifest, "-o", tmp_path / "r", "-q", env=EPOCH)
    r = run(vodf, "release", "build", manifest, "-o", tmp_path / "r", env=EPOCH)
    assert r.stdout.startswith(f"{tmp_path / 'r'}: 0 item(s) built, 4 current (kept)"), r.stdout
    # Another epoch changes every output (DATE), so every item is redone.
    r = run(vodf, "release", "build", manifest, "-o", tmp_path / "r", env={"SOURCE_DATE_EPOCH": "1700000100"})
    assert ": 4 item(s) built, 0 current" in r.stdout, r.stdout


BAD = {
    "unknown key": ("release:\n  name: x\n  version: '1'\n  creator: c\n  licence: l\n  colour: red\n", ":6: colour: unknown key in release"),
    "missing run file": None,
    "channel without irfs": None,
    "duplicate obs_id": None,
}


def manifest_text(runs, channels):
    return ("release: {name: x, version: '1', creator: c, licence: CC-BY-4.0}\nformats: [gadf-0.3]\n"
            f"runs:\n{runs}channels:\n{channels}")


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_manifest_errors(vodf, tmp_path, case):
    sample = TESTDATA / "antares" / "sample_public.dat"
    tables = TESTDATA / "km3net" / "*_sample.csv"
    good_channels = f"  - name: track\n    irfs:\n      - tables: {tables}\n"
    if case == "unknown key":
        text = BAD[case][0] + f"formats: [gadf-0.3]\nruns:\n  - file: {sample}\n    obs_id: 1\nchannels:\n{good_channels}"
        expect = BAD[case][1]
    elif case == "missing run file":
        text = manifest_text(f"  - file: {sample}\n    obs_id: 1\n  - file: /nonexistent/run.root\n", good_channels)
        expect = ":6: file: run file /nonexistent/run.root does not exist"
    elif case == "channel without irfs":
        text = manifest_text(f"  - file: {sample}\n    obs_id: 1\n", "  - name: track\n    irfs: []\n")
        expect = ":8: irfs: channel 'track' has no IRFs"
    else:
        text = manifest_text(f"  - file: {sample}\n    obs_id: 7\n  - file: {sample}\n    obs_id: 7\n", good_channels)
        expect = ":7: obs_id: OBS_ID 7 of"
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = run(vodf, "release", "build", path, "-o", tmp_path / "out", check=False)
    assert r.returncode == 2, r.stdout + r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"vodf: error: {path}:"), r.stderr
    assert expect in lines[0], lines[0]
    assert not (tmp_path / "out").exists()


def test_track_and_shower_tables_convert_apart(vodf, tmp_path):
    if not ARCA.is_dir():
        pytest.skip(f"needs {ARCA}")
    d = tmp_path / "tables"
    d.mkdir()
    # The corpus now holds the shower tables too; the TestData ones stand in where it does not.
    for f in list(ARCA.glob("*.csv")) + list((TESTDATA / "km3net-shower").glob("*.csv")):
        if not (d / f.name).exists():
            (d / f.name).symlink_to(f)
    out = tmp_path / "irfs.fits"
    run(vodf, "convert", d, "--kind", "irf", "-o", out)
    from gammapy.irf import EffectiveAreaTable2D, EnergyDispersion2D, PSF3D
    with fits.open(out) as h:
        names = [x.name for x in h[1:]]
        assert len(names) == len(set(names)) == 6, names
        for channel in ("TRACK", "SHOWER"):
            assert h[f"EFFECTIVE AREA {channel}"].header["CHANNEL"] == channel.lower()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a_t = EffectiveAreaTable2D.read(out, hdu="EFFECTIVE AREA TRACK")
        a_s = EffectiveAreaTable2D.read(out, hdu="EFFECTIVE AREA SHOWER")
        EnergyDispersion2D.read(out, hdu="EDISP SHOWER")
        PSF3D.read(out, hdu="PSF TRACK")
    assert a_t.data.shape != a_s.data.shape or not np.array_equal(a_t.data, a_s.data)
    r = run(vodf, "validate", out, "--profile", "strict", check=False)
    assert "ambiguous" not in r.stdout


def test_two_tables_of_one_channel_are_refused(vodf, tmp_path):
    d = tmp_path / "tables"
    d.mkdir()
    (d / "aeff_coszen_a.csv").symlink_to(TESTDATA / "km3net" / "aeff_coszen_sample.csv")
    (d / "aeff_coszen_b.csv").symlink_to(TESTDATA / "km3net" / "aeff_coszen_sample.csv")
    r = run(vodf, "convert", d, "--kind", "irf", "-o", tmp_path / "x.fits", check=False)
    assert r.returncode == 3 and "would both be EFFECTIVE AREA" in r.stderr, r.stderr
    assert not (tmp_path / "x.fits").exists()


def test_ambiguous_hdu_rule(vodf, tmp_path):
    src = tmp_path / "one.fits"
    run(vodf, "convert", TESTDATA / "km3net" / "aeff_coszen_sample.csv", "-o", src)
    with fits.open(src) as h:
        hdus = [h[0].copy(), h[1].copy(), h[1].copy()]
        for x in hdus:                  # the copies' sums are astropy's business, not this test's
            for k in ("CHECKSUM", "DATASUM"):
                x.header.remove(k, ignore_missing=True)
        fits.HDUList(hdus).writeto(tmp_path / "dup.fits")
    for profile, code in (("gammapy", 1), ("strict", 1), ("lenient", 0)):
        r = run(vodf, "validate", tmp_path / "dup.fits", "--profile", profile, check=False)
        assert "[file:ambiguous-hdu] HDU 2" in r.stdout, r.stdout
        assert r.returncode == code, (profile, r.stdout)


def test_mc_irf_source_builds_the_channel_irfs(vodf, tmp_path):
    """An IRF source `mc:` builds the channel's IRFs from Monte Carlo dst files (vodf irf build's
    engine); gammapy reads them from the data store like any other."""
    from gammapy.data import DataStore
    # The one dst sample whose Head has genvol (corrected mode normalises by the generated events).
    dst = KM3NET_DATA / "dst" / "mcv6.gsg_numu-CCHEDIS_1e2-1e8GeV.sirene.jte.jchain.aashower.dst.bdt_trk.bdt_casc.10events.root"
    if not dst.exists():
        pytest.skip(f"needs km3net-testdata's {dst.name} (make testdata)")
    manifest = tmp_path / "mc.yaml"
    manifest.write_text(f"""release: {{name: mc, version: '1', creator: test, licence: CC-BY-4.0}}
formats: [gadf-0.3]
runs:
  - file: {dst}
    obs_id: 7
channels:
  - name: track
    reco: jmuon
    irfs:
      - mc: {dst}
""")
    out = tmp_path / "rel"
    r = run(vodf, "release", "build", manifest, "-o", out, env=EPOCH)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store = DataStore.from_dir(out / "gadf-0.3" / "track")
        obs = store.get_observations(required_irf=["aeff", "edisp", "psf"])
    assert [int(o.obs_id) for o in obs] == [7]
    with fits.open(next((out / "gadf-0.3" / "track" / "irfs").glob("*.fits"))) as h:
        kinds = sorted(hdu.header.get("HDUCLAS4", "") for hdu in h[1:])
    assert kinds == ["AEFF_2D", "BKG_2D", "EDISP_2D", "PSF_TABLE"], kinds
    # The effective area is a real histogram of the file's events: positive somewhere, never negative.
    a = obs[0].aeff.quantity.value
    assert a.max() > 0 and a.min() >= 0
    assert "0 error(s)" in r.stdout


def test_progress_line_on_a_terminal_only(vodf, tmp_path):
    """The progress line ([done/total] items, events/s, time left) goes to a terminal, and nowhere
    else: under `script` (a pseudo-terminal) it is there; with stderr a pipe it is not."""
    import shutil as sh
    if not sh.which("script"):
        pytest.skip("needs script(1) from util-linux for a pseudo-terminal")
    sample = REPO / "TestData" / "release" / "sample.yaml"
    cmd = f"{vodf} release build {sample} -o {tmp_path / 'tty'}"
    r = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "items," in r.stdout and "events/s" in r.stdout and "left" in r.stdout, r.stdout
    piped = run(vodf, "release", "build", sample, "-o", tmp_path / "pipe")
    assert "events/s" not in piped.stderr and "\r" not in piped.stderr
