"""Issue 26: exit codes come from the error's category, in one place. Each command that writes is run
with a usage error (2), a bad input (3) and an unwritable output (4); and every command that writes a
file refuses /dev/full, a FIFO and a symlink as its target (exit 4), leaving the target untouched."""
import os
import stat

import pytest

from conftest import REPO, TESTDATA, run_vodf
from test_alerts import STANDARDS

SAMPLE = TESTDATA / "release" / "sample.yaml"


@pytest.fixture(scope="module")
def inputs(vodf, tmp_path_factory):
    """A release, an event file, an IRF file, a VOEvent and a bad input, all made from TestData."""
    tmp = tmp_path_factory.mktemp("exit-codes")
    r = run_vodf(vodf, "release", "build", SAMPLE, "-o", tmp / "release", "-q")
    assert r.returncode == 0, r.stderr
    for src, out in [(TESTDATA / "antares" / "sample_public.dat", "events.fits"),
                     (TESTDATA / "km3net" / "aeff_coszen_sample.csv", "aeff.fits")]:
        assert run_vodf(vodf, "convert", src, "-o", tmp / out, "-q").returncode == 0
    bad = tmp / "bad.fits"
    bad.write_bytes(b"SIMPLE  = nonsense" + b" " * 100)
    # A manifest is the request (its errors are usage errors); a run it names that cannot be read is
    # bad input: the ANTARES list's header, then a row that is not numbers.
    (tmp / "bad.dat").write_text("ANTARES\nDecl[deg]\tRA[deg]\tNhit\tBeta[deg]\tMJD[days]\nx\ty\tz\tw\tv\n")
    manifest = SAMPLE.read_text().replace("file: ../antares/sample_public.dat", f"file: {tmp / 'bad.dat'}")
    manifest = manifest.replace("../km3net", str(SAMPLE.parent.parent / "km3net"))
    manifest = manifest.replace("file: ../antares/sample_vo.csv", f"file: {SAMPLE.parent.parent / 'antares' / 'sample_vo.csv'}")
    (tmp / "bad-run.yaml").write_text(manifest)
    d = {"release": tmp / "release", "events": tmp / "events.fits", "aeff": tmp / "aeff.fits", "bad": bad,
         "bad_dir": tmp / "bad-release", "bad_run": tmp / "bad-run.yaml", "voevent": None}
    (tmp / "bad-release").mkdir()
    (tmp / "bad-release" / "release.json").write_text("{ not json")
    if (STANDARDS / "voevent" / "VOEvent-v2.0.xsd").exists():
        r = run_vodf(vodf, "alert", "voevent", d["events"], "--event-id", "1", "-o", tmp / "alert.xml", "-q")
        assert r.returncode == 0, r.stderr
        d["voevent"] = tmp / "alert.xml"
    return d


def needs_alerts(inputs):
    if inputs["voevent"] is None:
        pytest.skip(f"alerts are checked against the schemas in {STANDARDS}")


# command: (arguments with {input} and {out}, a good input, a bad input, the output's kind)
COMMANDS = {
    "convert": (["convert", "{input}", "-o", "{out}"], "events", "bad", "file"),
    "peek": (["peek", "{input}", "-o", "{out}"], "aeff", "bad", "file"),  # no extension: SVG
    "irf build": (["irf", "build", "{input}", "-o", "{out}"], None, "bad", "file"),
    "alert voevent": (["alert", "voevent", "{input}", "--event-id", "1", "-o", "{out}"], "events", "bad", "file"),
    "alert gcn": (["alert", "gcn", "{input}", "-o", "{out}"], "voevent", "bad", "file"),
    "release obscore": (["release", "obscore", "{input}", "-o", "{out}"], "release", "bad_dir", "file"),
    "release report": (["release", "report", "{input}", "-o", "{out}"], "release", "bad_dir", "file"),
    "release upgrade": (["release", "upgrade", "{input}", "-o", "{out}", "--to", "vodf"], "release", "bad_dir", "dir"),
    "release build": (["release", "build", "{input}", "-o", "{out}"], None, "bad_run", "dir"),
    "spec template": (["spec", "template", "{input}", "-o", "{out}"], None, None, "file"),
}
GOOD = {"irf build": None, "release build": SAMPLE, "spec template": "gadf-0.3/aeff_2d"}
BAD = {"spec template": "gadf-0.3/no-such-kind"}


def args(name, inputs, which, out):
    template, good, bad, _ = COMMANDS[name]
    value = {"good": GOOD.get(name, inputs.get(good) if good else None), "bad": BAD.get(name, inputs.get(bad) if bad else None)}[which]
    return [str(a).replace("{input}", str(value)).replace("{out}", str(out)) for a in template]


def output_name(name):
    return {"dir": "out", "file": "out.fits"}[COMMANDS[name][3]] if name != "peek" else "out.svg"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_usage_error_is_2(vodf, inputs, tmp_path, name):
    template = COMMANDS[name][0]
    r = run_vodf(vodf, *template[:2 if template[0] in ("release", "alert", "irf", "spec") else 1], "--no-such-option")
    assert r.returncode == 2, (name, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_bad_input_is_3(vodf, inputs, tmp_path, name):
    if name == "alert gcn":
        needs_alerts(inputs)
    out = tmp_path / output_name(name)
    r = run_vodf(vodf, *args(name, inputs, "bad", out))
    expected = 2 if name == "spec template" else 3      # an unknown spec id is a usage error
    assert r.returncode == expected, (name, r.returncode, r.stderr)
    # release build keeps what it built so far, resumable (its all-or-nothing staging is issue 28).
    assert name == "release build" or not out.exists(), name


@pytest.mark.parametrize("name", sorted(n for n in COMMANDS if GOOD.get(n, COMMANDS[n][1]) is not None))
def test_unwritable_output_is_4(vodf, inputs, tmp_path, name):
    if name == "alert gcn":
        needs_alerts(inputs)
    blocker = tmp_path / "a-file"
    blocker.write_text("keep")
    out = blocker / output_name(name)   # its parent is a regular file
    r = run_vodf(vodf, *args(name, inputs, "good", out))
    assert r.returncode == 4, (name, r.returncode, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert blocker.read_text() == "keep"


SAFE = ["peek", "release report", "alert voevent", "alert gcn", "release obscore", "convert", "spec template"]


@pytest.mark.parametrize("name", SAFE)
@pytest.mark.parametrize("target", ["dev-full", "fifo", "symlink"])
def test_special_targets_are_refused_and_left_untouched(vodf, inputs, tmp_path, name, target):
    if name == "alert gcn":
        needs_alerts(inputs)
    if target == "dev-full":
        out = "/dev/full"
        before = os.stat(out)
        assert stat.S_ISCHR(before.st_mode)
    elif target == "fifo":
        out = tmp_path / "fifo"
        os.mkfifo(out)
    else:
        real = tmp_path / "real"
        real.write_text("keep")
        out = tmp_path / "link"
        out.symlink_to(real)
    r = run_vodf(vodf, *args(name, inputs, "good", out))
    if target == "dev-full" and not stat.S_ISCHR(os.lstat(out).st_mode):
        # A binary with the bug replaced the machine's device node: put it back before failing.
        os.remove(out)
        os.mknod(out, 0o666 | stat.S_IFCHR, before.st_rdev)
        os.chmod(out, 0o666)
        pytest.fail(f"{name} replaced /dev/full with a regular file (restored)")
    assert r.returncode == 4, (name, target, r.returncode, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    if target == "dev-full":
        after = os.stat(out)
        assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
        assert not [p for p in os.listdir("/dev") if p.startswith(".full.")]
    elif target == "fifo":
        assert stat.S_ISFIFO(os.lstat(out).st_mode)
    else:
        assert os.path.islink(out) and (tmp_path / "real").read_text() == "keep"
    if target != "dev-full":
        assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
