"""Hostile and damaged input (issue 12): index rows confined to their release (checked with
strace: the file outside is never opened), bounded memory on adversarial files, durable and
reproducible outputs, and a small corruption sweep of every real input kind."""
import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from conftest import CORPUS, KM3NET_DATA, REPO, TESTDATA, run_vodf

HESS = CORPUS / "gadf" / "hess-dl3-dr1-full"
RUN = HESS / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"


def peak_mb(argv, **kw):
    """(CompletedProcess, peak RSS of the child in MB), the child measured alone (wait4)."""
    import tempfile
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        p = subprocess.Popen([str(a) for a in argv], stdout=so, stderr=se, **kw)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        return (subprocess.CompletedProcess(argv, p.returncode, so.read().decode(), se.read().decode()),
                usage.ru_maxrss / 1024)


@pytest.fixture
def release(tmp_path):
    """A one-run release: the H.E.S.S. run file and an HDU index whose rows we then point elsewhere."""
    if not RUN.exists():
        pytest.skip(f"needs {RUN} (../shared/corpus)")
    rel = tmp_path / "release"
    (rel / "data").mkdir(parents=True)
    shutil.copy(RUN, rel / "data" / RUN.name)
    with fits.open(HESS / "hdu-index.fits.gz") as h:
        index = h[1].copy()
    rows = index.data[index.data["OBS_ID"] == 20136]
    return rel, index, rows


def write_index(rel, index, rows, targets, base_dir=None):
    table = fits.BinTableHDU.from_columns(index.columns, nrows=len(targets), header=index.header)
    for i, (d, n) in enumerate(targets):
        for c in index.columns.names:
            table.data[c][i] = rows[0][c]
        table.data["FILE_DIR"][i] = d
        table.data["FILE_NAME"][i] = n
    if base_dir is not None:
        table.header["BASE_DIR"] = base_dir
    fits.HDUList([fits.PrimaryHDU(), table]).writeto(rel / "hdu-index.fits", overwrite=True)


def traced(argv, log):
    """Runs argv under strace, recording every path-taking system call."""
    if not shutil.which("strace"):
        pytest.skip("needs strace (scripts/deps.sh installs it)")
    cmd = ["strace", "-f", "-qq", "-o", str(log), "-e", "trace=%file", *map(str, argv)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return r, Path(log).read_text()


def test_index_rows_outside_the_release_are_reported_and_never_opened(vodf, release, tmp_path):
    rel, index, rows = release
    os.mkfifo(rel / "data" / "pipe.fits")
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "secret.fits").write_bytes(RUN.read_bytes())
    os.symlink(outside / "secret.fits", rel / "data" / "link.fits")
    write_index(rel, index, rows, [
        ("data", RUN.name),                    # fine
        ("../../../../../../etc", "passwd"),   # climbs out
        ("/etc", "shadow"),                    # absolute
        ("data", "pipe.fits"),                 # a FIFO: would hang
        ("data", "link.fits"),                 # a symlink that leads out
        ("/proc/self", "environ"),
    ])
    start = time.monotonic()
    r, log = traced([vodf, "validate", "--report", "json", rel], tmp_path / "strace.log")
    assert time.monotonic() - start < 30, "validate hung"
    report = json.loads(r.stdout)
    msgs = [f["message"] for f in report["findings"] if f["rule"].endswith("index-links")]
    assert any("passwd" in m and "outside the validated directories" in m for m in msgs), msgs
    assert any("shadow" in m and "outside" in m for m in msgs), msgs
    assert any("environ" in m and "outside" in m for m in msgs), msgs
    assert any("pipe.fits" in m and "FIFO" in m for m in msgs), msgs
    assert any("link.fits" in m and "symlink" in m for m in msgs), msgs
    # the directory walk itself refuses the FIFO and the symlink out of the tree
    walked = {f["file"] for f in report["findings"] if f["rule"] == "release:outside"}
    assert walked == {str(rel / "data" / "link.fits"), str(rel / "data" / "pipe.fits")}, walked
    assert r.returncode == 1
    # never touched: no system call names these paths (the FIFO is stat'ed, never opened)
    for line in log.splitlines():
        assert "/etc/passwd" not in line and "/etc/shadow" not in line and "environ" not in line, line
        assert "secret.fits" not in line or "readlink" in line or "lstat" in line or "newfstatat" in line or "statx" in line, line
        if "pipe.fits" in line:
            assert "open" not in line.split("(")[0], line


def test_allow_outside_permits_a_named_directory(vodf, release, tmp_path):
    rel, index, rows = release
    other = tmp_path / "e"
    other.mkdir()
    shutil.copy(RUN, other / RUN.name)
    write_index(rel, index, rows, [("../e", RUN.name)])   # FILE_DIR is a short column
    r = run_vodf(vodf, "validate", "--report", "json", rel / "hdu-index.fits")
    assert any("outside" in f["message"] for f in json.loads(r.stdout)["findings"]), r.stdout[:800]
    r = run_vodf(vodf, "validate", "--report", "json", "--allow-outside", other, rel / "hdu-index.fits")
    assert not any("outside" in f["message"] for f in json.loads(r.stdout)["findings"]), r.stdout[:800]


def test_base_dir_root_is_confined(vodf, release, tmp_path):
    rel, index, rows = release
    write_index(rel, index, rows, [("etc", "passwd")], base_dir="/")
    r, log = traced([vodf, "validate", "--report", "json", rel / "hdu-index.fits"], tmp_path / "s.log")
    assert any("outside" in f["message"] for f in json.loads(r.stdout)["findings"])
    assert "/etc/passwd" not in log


def test_fifo_given_to_convert_and_inspect_is_refused(vodf, tmp_path):
    fifo = tmp_path / "x.fits"
    os.mkfifo(fifo)
    for argv in (["inspect", fifo], ["convert", fifo, "-o", tmp_path / "o.fits"], ["validate", fifo]):
        r = subprocess.run([str(vodf), *map(str, argv)], capture_output=True, text=True, timeout=20)
        assert r.returncode == 3 and "not a regular file" in (r.stderr + r.stdout), (argv, r.stdout, r.stderr)


# --- Adversarial files: a clear error, and peak memory under 500 MB --------------------------

def small_table(path):
    t = fits.BinTableHDU.from_columns([fits.Column("ENERGY", "E", array=np.arange(10, dtype="f4")),
                                       fits.Column("TIME", "D", array=np.arange(10.0))], name="EVENTS")
    fits.HDUList([fits.PrimaryHDU(), t]).writeto(path)
    return bytearray(path.read_bytes())


def patch(raw, key, value):
    i = raw.find(key.ljust(8).encode() + b"= ")
    assert i >= 0
    raw[i:i + 80] = (key.ljust(8) + "= " + value.rjust(20)).ljust(80).encode()
    return raw


def adversarial(tmp_path):
    raw = small_table(tmp_path / "small.fits")
    cases = {
        "naxis2.fits": patch(bytearray(raw), "NAXIS2", "1000000000000"),
        "tform.fits": patch(bytearray(raw), "TFORM1", "'1000000000E'"),
        "tform-naxis1.fits": patch(patch(patch(bytearray(raw), "TFORM1", "'1000000000E'"), "NAXIS1", "4000000008"), "NAXIS2", "1"),
    }
    # A 1 MB .fits.gz that inflates to 1 GB (a valid primary header, then zeros).
    header = b"".join(c.ljust(80).encode() for c in [
        "SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    1",
        "NAXIS1  =           1073741824", "END"])
    header += b" " * (2880 - len(header))
    # Written in pieces: a child's peak RSS (wait4) counts this process's own at the fork.
    with gzip.open(tmp_path / "bomb.fits.gz", "wb", compresslevel=9) as g:
        g.write(header)
        zeros = bytes(1 << 24)
        for _ in range(64):
            g.write(zeros)
    out = [tmp_path / "bomb.fits.gz"]
    for name, data in cases.items():
        (tmp_path / name).write_bytes(bytes(data))
        out.append(tmp_path / name)
    return out


def test_adversarial_fits_end_in_a_clear_error_under_500_mb(vodf, tmp_path):
    for path in adversarial(tmp_path):
        for cmd in (["inspect", path], ["validate", path], ["convert", path, "-o", tmp_path / "o.fits"]):
            r, mb = peak_mb([vodf, *cmd])
            assert r.returncode == 3, (cmd, r.returncode, r.stdout[-500:], r.stderr)
            text = (r.stderr + r.stdout).strip()
            assert path.name in text and ("truncated" in text or "cannot be read" in text or "memory limit" in text
                                          or "no file can hold" in text), (cmd, text)
            assert mb < 500, (cmd, mb)
            assert not (tmp_path / "o.fits").exists()


def test_max_memory_lets_a_large_file_through(vodf, tmp_path):
    bomb = [p for p in adversarial(tmp_path) if p.name == "bomb.fits.gz"][0]
    assert bomb.stat().st_size < 1.5e6
    r = run_vodf(vodf, "inspect", "--max-memory", "2G", bomb)
    assert r.returncode == 0 and "HDU 0" in r.stdout, r.stderr
    r = run_vodf(vodf, "inspect", "--max-memory", "lots", bomb)
    assert r.returncode == 2 and "--max-memory" in r.stderr


def test_root_key_claiming_2gb_is_an_error(vodf, km3net_data, tmp_path):
    """A ROOT key whose object length (fObjlen) claims 2^31-1 bytes: an error, not a 2 GB allocation."""
    src = km3net_data / "offline" / "km3net_offline.root"
    raw = bytearray(src.read_bytes())
    # The streamer-info key (fSeekInfo at byte 37 of a small file's header): fNbytes(4) fVersion(2) fObjlen(4).
    seek_info = int.from_bytes(raw[37:41], "big")
    raw[seek_info + 6:seek_info + 10] = (2**31 - 1).to_bytes(4, "big")
    bad = tmp_path / "key.root"
    bad.write_bytes(bytes(raw))
    r, mb = peak_mb([vodf, "convert", bad, "-o", tmp_path / "o.fits"])
    assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert mb < 500, mb


def test_large_csv_is_streamed(vodf, tmp_path):
    """A 120 MB ANTARES list converts in far less memory than its text (it was read whole and split)."""
    src = CORPUS / "antares" / "PublicData_0717_excerpt.dat"
    if not src.exists():
        pytest.skip("needs ../shared/corpus/antares")
    lines = src.read_text().splitlines(keepends=True)
    head = [l for l in lines[:2]]
    body = lines[2:]
    big = tmp_path / "big.dat"
    with open(big, "w") as f:
        f.writelines(head)
        target = 120 << 20
        written = 0
        while written < target:
            for l in body:
                f.write(l)
                written += len(l)
    r, mb = peak_mb([vodf, "convert", big, "-o", tmp_path / "big.fits", "-q"])
    assert r.returncode == 0, r.stderr[-500:]
    assert mb < 500, mb


def test_truncated_text_input_names_the_line(vodf, corpus, tmp_path):
    for src in [corpus / "antares" / "PublicData_0717_excerpt.dat", corpus / "km3net-arca230-irf" / "aeff_coszen_allnumuCC_track.csv"]:
        raw = src.read_bytes()
        cut = tmp_path / src.name
        cut.write_bytes(raw[:-4])          # in the middle of the last number
        r = run_vodf(vodf, "convert", cut, "-o", tmp_path / "o.fits")
        n = raw.count(b"\n")
        assert r.returncode == 3 and f"{cut}:{n}: the last line has no newline" in r.stderr, r.stderr
        assert not (tmp_path / "o.fits").exists()


def test_truncated_gadf_file_is_not_converted_in_part(vodf, tmp_path):
    if not RUN.exists():
        pytest.skip("needs ../shared/corpus")
    inner = gzip.decompress(RUN.read_bytes())
    for k in range(1, 8):
        cut = tmp_path / f"cut{k}.fits"
        cut.write_bytes(inner[:len(inner) * k // 8])
        gz = tmp_path / f"cut{k}.fits.gz"
        gz.write_bytes(gzip.compress(inner[:len(inner) * k // 8]))
        for p in (cut, gz):
            r = run_vodf(vodf, "convert", p, "-o", tmp_path / "o.fits")
            assert r.returncode == 3 and "truncated" in r.stderr, (p, r.stderr)
            r = run_vodf(vodf, "inspect", p)
            assert r.returncode == 3 and "truncated" in r.stderr, (p, r.stdout[-300:], r.stderr)
            r = run_vodf(vodf, "validate", p)
            assert r.returncode == 3 and "truncated" in r.stdout, (p, r.stdout[-300:])
        assert not (tmp_path / "o.fits").exists()


# --- The corruption sweep, small budget (make sweep runs the acceptance budget) -----------------

def test_corruption_sweep_small(vodf, tmp_path):
    if not (CORPUS / "antares").is_dir() or not (KM3NET_DATA / "hdf5").is_dir():
        pytest.skip("needs ../shared/corpus and .testdata (make testdata)")
    report = tmp_path / "sweep.json"
    r = subprocess.run([sys.executable, str(REPO / "Tests" / "sweep" / "sweep.py"), "--vodf", str(vodf),
                        "--flips", os.environ.get("VODF_SWEEP_FLIPS", "40"), "--truncations", "8",
                        "--report", str(report)], capture_output=True, text=True, timeout=1500)
    summary = json.loads(report.read_text())
    assert len(summary["summary"]) >= 20, r.stdout
    assert r.returncode == 0 and summary["problems"] == [], r.stdout[-4000:]


# --- Outputs: reproducible, durable, never replacing what is not a regular file ---------------

def inputs_of_each_kind(corpus, km3net_data):
    return [
        (corpus / "antares" / "PublicData_0717_excerpt.dat", []),
        (corpus / "antares" / "ant20_01_cone_excerpt.csv", []),
        (TESTDATA / "antares" / "sample_vo.vot", []),
        (corpus / "km3net-arca230-irf" / "aeff_coszen_allnumuCC_track.csv", []),
        (corpus / "km3net-arca230-irf" / "bkg_track.csv", ["--format", "vodf"]),
        (RUN, []),
        (km3net_data / "dst" / "orca6_sample.root", []),
        (km3net_data / "offline" / "km3net_offline.root", []),
        (km3net_data / "hdf5" / "geamon.h5", []),
    ]


def test_source_date_epoch_makes_outputs_byte_identical(vodf, corpus, km3net_data, tmp_path):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    for src, extra in inputs_of_each_kind(corpus, km3net_data):
        outs = []
        for k in range(2):
            out = tmp_path / f"{src.name}.{k}.fits"
            r = subprocess.run([str(vodf), "convert", str(src), "-o", str(out), "-q", *extra], capture_output=True, text=True, env=env)
            assert r.returncode == 0, (src, r.stderr)
            outs.append(out.read_bytes())
            if k == 0:
                time.sleep(2)
        assert outs[0] == outs[1], src
        with fits.open(tmp_path / f"{src.name}.0.fits", checksum=True) as h:
            assert h[0].header["DATE"] == "2023-11-14T22:13:20"
            for hdu in h:
                assert "2023-11-14T22:13:20" in hdu.header.comments["CHECKSUM"]
                assert hdu.verify_checksum() == 1 and hdu.verify_datasum() == 1, (src, hdu.name)


def test_kill_9_leaves_nothing_that_stops_the_next_run(vodf, km3net_data, tmp_path):
    """kill -9 at the moment the temporary file appears; the next run completes and removes it."""
    src = km3net_data / "offline" / "mcv5.11r2.gsg_muonCChigherE-CC_50-5000GeV.km3_AAv1.jterbr00004695.jchain.aanet.498.root"
    out = tmp_path / "ev.fits"
    p = subprocess.Popen([str(vodf), "convert", str(src), "-o", str(out), "-q"], stderr=subprocess.DEVNULL)
    tmp = tmp_path / f".ev.fits.{p.pid}.tmp"
    deadline = time.monotonic() + 60
    while not tmp.exists() and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    if p.poll() is not None:
        pytest.skip("the conversion finished before its temporary file was seen")
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert tmp.exists() and not out.exists()
    r = run_vodf(vodf, "convert", src, "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["ev.fits"]


def test_outputs_refuse_devices_fifos_and_symlinks(vodf, tmp_path):
    src = TESTDATA / "antares" / "sample_public.dat"
    r = run_vodf(vodf, "convert", src, "-o", "/dev/full")
    assert r.returncode == 4 and "not a regular file" in r.stderr, r.stderr
    assert Path("/dev/full").is_char_device()
    fifo = tmp_path / "pipe.fits"
    os.mkfifo(fifo)
    r = run_vodf(vodf, "convert", src, "-o", fifo)
    assert r.returncode == 4 and "not a regular file" in r.stderr and fifo.is_fifo()
    real = tmp_path / "real.fits"
    real.write_bytes(b"keep")
    link = tmp_path / "link.fits"
    link.symlink_to(real)
    r = run_vodf(vodf, "convert", src, "-o", link)
    assert r.returncode == 4 and "symlink" in r.stderr and link.is_symlink() and real.read_bytes() == b"keep"
    assert not [x for x in tmp_path.iterdir() if x.name.endswith(".tmp")]


def test_skip_damaged_converts_the_complete_irfs_and_names_the_rest(vodf, tmp_path):
    """--skip-damaged: the IRFs before a cut are converted (and equal the originals), the cut is named."""
    if not RUN.exists():
        pytest.skip("needs ../shared/corpus")
    inner = gzip.decompress(RUN.read_bytes())
    with fits.open(RUN) as full:
        offsets = [h.fileinfo()["datLoc"] for h in full]
        bkg_start = full.index_of("BKG")
    cut = offsets[bkg_start] + 10_000               # inside the background model's data
    for p, data in [(tmp_path / "cut.fits", inner[:cut]), (tmp_path / "cut.fits.gz", gzip.compress(inner[:cut]))]:
        p.write_bytes(data)
        out = tmp_path / (p.name + ".out.fits")
        r = run_vodf(vodf, "convert", p, "-o", out)
        assert r.returncode == 3 and not out.exists(), r.stderr
        r = run_vodf(vodf, "convert", p, "-o", out, "--skip-damaged")
        assert r.returncode == 0, r.stderr
        warnings = [l for l in r.stderr.splitlines() if "skipped" in l]
        assert len(warnings) == 1 and f"everything after HDU {bkg_start - 1}" in warnings[0] and "truncated" in warnings[0], r.stderr
        with fits.open(out) as o, fits.open(RUN) as full:
            assert [h.header.get("HDUCLAS4") or h.header.get("HDUCLAS1") for h in o[1:]] == ["EVENTS", "GTI", "AEFF_2D", "EDISP_2D", "PSF_TABLE"]
            np.testing.assert_array_equal(o["AEFF"].data["EFFAREA"][0], full["AEFF"].data["EFFAREA"][0])
        assert run_vodf(vodf, "validate", out).returncode == 0


def test_grouping_members_outside_the_tree_are_reported_once_and_never_opened(vodf, tmp_path):
    from conftest import convert
    convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "obs.fits", "--format", "vodf")
    cols = [fits.Column(name="MEMBER_NAME", format="10A", array=["event-list", "GTI", "event-list"]),
            fits.Column(name="MEMBER_VERSION", format="K", array=[1, 1, 1]),
            fits.Column(name="MEMBER_LOCATION", format="40A", array=["obs.fits", "/etc/passwd", "/etc/passwd"])]
    t = fits.BinTableHDU.from_columns(cols, name="GROUPING")
    t.header.update({"HDUCLASS": "VODF", "HDUDOC": "https://example.org", "HDUVERS": "0.0.0"})
    fits.HDUList([fits.PrimaryHDU(), t]).writeto(tmp_path / "group.fits")
    r, log = traced([vodf, "validate", "--report", "json", tmp_path / "group.fits"], tmp_path / "g.log")
    members = [f["message"] for f in json.loads(r.stdout)["findings"] if f["rule"].endswith("members-exist")]
    assert len(members) == 1 and "row 2" in members[0] and "outside the validated directories" in members[0], members
    assert "/etc/passwd" not in log
