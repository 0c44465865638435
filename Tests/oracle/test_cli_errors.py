"""Bad input: one-line error naming file, line and column; non-zero exit; nothing left at the output path."""
import os

import pytest

from conftest import TESTDATA, run_vodf

BAD = TESTDATA / "bad"


def check_failure(vodf, tmp_path, args, expected_code, must_contain):
    out = tmp_path / "out.fits"
    r = run_vodf(vodf, "convert", *args(out))
    assert r.returncode == expected_code, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line error, got:\n{r.stderr}"
    for s in must_contain:
        assert s in lines[0], f"{s!r} not in {lines[0]!r}"
    assert not out.exists()
    assert os.listdir(tmp_path) == [], "temporary files left behind"
    return lines[0]


def test_empty_file(vodf, tmp_path):
    check_failure(vodf, tmp_path, lambda o: [BAD / "empty.csv", "-o", o], 3, [str(BAD / "empty.csv"), "empty"])


def test_missing_column(vodf, tmp_path):
    f = BAD / "aeff_missing_column.csv"
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o], 3, [f"{f}:1:", "column 'aeff [m^2]'", "missing column"])


def test_non_numeric_cell(vodf, tmp_path):
    f = BAD / "aeff_non_numeric.csv"
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o], 3, [f"{f}:6:", "column 'aeff [m^2]'", "'n/a'"])


def test_non_numeric_cell_events(vodf, tmp_path):
    f = BAD / "antares_non_numeric.dat"
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o], 3, [f"{f}:4:", "column 'RA[deg]'", "'abc'"])


def test_grid_hole(vodf, tmp_path):
    f = BAD / "aeff_grid_hole.csv"
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o], 3, [str(f), "hole"])


def test_unknown_input_layout(vodf, tmp_path):
    f = BAD / "unknown.txt"
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o], 3, [str(f), "unrecognised input"])


def test_unknown_format(vodf, tmp_path):
    f = TESTDATA / "antares" / "sample_public.dat"
    # ArgumentParser's own message: it names the value and lists the formats (from the library's enum).
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o, "--format", "gadf-9"], 2, ["'gadf-9'", "'gadf-0.3', 'gadf-0.2', 'vodf' or 'vodf-mock-0.1'"])


@pytest.mark.parametrize("option,value,choices", [("--kind", "evnts", "'events'"), ("--reco", "jmu", "'jmuon'"),
                                                  ("--site", "moon", "'arca'"), ("--astrometry", "j2000", "'icrs'")])
def test_unknown_choice(vodf, tmp_path, option, value, choices):
    f = TESTDATA / "antares" / "sample_public.dat"
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o, option, value], 2, [f"'{value}'", choices])


@pytest.mark.parametrize("target", ["/proc/vodf-out.fits", "{tmp}/no-such-dir/out.fits", "{readme}/out.fits"])
def test_unwritable_output(vodf, tmp_path, target):
    f = TESTDATA / "antares" / "sample_public.dat"
    target = target.format(tmp=tmp_path, readme=TESTDATA / "README.md")
    r = run_vodf(vodf, "convert", f, "-o", target)
    assert r.returncode == 4, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and target in lines[0], r.stderr
    assert not os.path.exists(target)


def test_missing_input(vodf, tmp_path):
    check_failure(vodf, tmp_path, lambda o: [tmp_path.parent / "nope.csv", "-o", o], 3, ["nope.csv", "no such file"])


# Files that are not FITS, each with a marker string that must never be echoed back.
MARK = "SECRET-BYTES-7f3a"
NOT_FITS = {
    "voevent.xml": (f'<?xml version="1.0"?>\n<voe:VOEvent xmlns:voe="http://www.ivoa.net/xml/VOEvent/v2.0" ivorn="ivo://{MARK}"/>\n'.encode(), "XML (a VOEvent)"),
    "table.vot": (f'<?xml version="1.0"?>\n<VOTABLE version="1.4"><!-- {MARK} --></VOTABLE>\n'.encode(), "XML (a VOTable)"),
    "notice.json": (f'{{"$schema": "{MARK}", "ra": 1.0}}\n'.encode(), "JSON"),
    "events.h5": (b"\x89HDF\r\n\x1a\n" + MARK.encode() + b"\0" * 64, "an HDF5 file"),
    "events.root": (b"root\x00\x00\xf4\x4a" + MARK.encode() + b"\0" * 64, "a ROOT file"),
    "plot.png": (b"\x89PNG\r\n\x1a\n" + MARK.encode() + b"\0" * 64, "a PNG image"),
    "notes.txt": (f"just some notes {MARK}\nline two\n".encode(), "text"),
    "blob.bin": (bytes([0, 1, 2, 3, 250, 251]) + MARK.encode() + bytes(range(32)), "binary data"),
}


def gzip_of(data):
    import gzip
    return gzip.compress(data)


@pytest.mark.parametrize("name", sorted(NOT_FITS) + ["notes.fits.gz"])
def test_non_fits_input_is_named_not_echoed(vodf, tmp_path, name):
    """validate, inspect and convert (as IRF) say what the file looks like, in one line, without its bytes."""
    data, looks = NOT_FITS.get(name, (None, "text"))
    path = tmp_path / name
    path.write_bytes(data if data is not None else gzip_of(NOT_FITS["notes.txt"][0]))
    # Alerts (issue 15) are validated as alerts: findings, exit 1, still without the file's bytes.
    alert = name in ("voevent.xml", "notice.json")
    for args, code in [(["validate", path], 1 if alert else 3), (["inspect", path], 3)]:
        r = run_vodf(vodf, *args)
        assert r.returncode == code, (args, r.returncode, r.stdout, r.stderr)
        out = r.stdout + r.stderr
        if alert and args[0] == "validate":
            assert ("[voevent:schema]" if name.endswith(".xml") else "[alert:time]") in out, out
        else:
            assert f"it looks like {looks}" in out, (args, out)
        assert MARK not in out, (args, out)
        assert len(r.stderr.strip().splitlines()) <= 1, r.stderr
    if name.endswith(".gz") or name.endswith(".txt") or name.endswith(".bin") or name.endswith(".png") or name.endswith(".xml") or name.endswith(".vot") or name.endswith(".json"):
        r = run_vodf(vodf, "convert", path, "-o", tmp_path / "out.fits")
        assert r.returncode == 3 and len(r.stderr.strip().splitlines()) == 1, r.stderr
        # A VOEvent is read as one, and this one has no position to convert; JSON that names no
        # GCN schema and no KM3NeT mission is not taken for a notice.
        why = "no WhereWhen" if name.endswith(".xml") else f"looks like {looks}"
        assert why in r.stderr and MARK not in r.stderr, r.stderr
        assert not (tmp_path / "out.fits").exists()


def test_validate_format_is_a_deprecated_alias_of_report(vodf, tmp_path):
    out = tmp_path / "a.fits"
    assert run_vodf(vodf, "convert", TESTDATA / "antares" / "sample_public.dat", "-o", out, "-q").returncode == 0
    new = run_vodf(vodf, "validate", "--report", "json", out)
    old = run_vodf(vodf, "validate", "--format", "json", out)
    assert new.returncode == old.returncode == 0 and new.stdout == old.stdout and new.stderr == ""
    assert old.stderr.strip().splitlines() == ["vodf: warning: validate --format is deprecated; use --report (it will be removed in the next release)"]


def test_inspect_hdu_and_keyword(vodf, tmp_path):
    out = tmp_path / "a.fits"
    assert run_vodf(vodf, "convert", TESTDATA / "antares" / "sample_public.dat", "-o", out, "-q", "--obs-id", "42").returncode == 0
    r = run_vodf(vodf, "inspect", out, "--hdu", "events", "--keyword", "OBS_ID", "--keyword", "NOPE")
    assert r.returncode == 0 and r.stdout.splitlines() == [f"{out}[1] OBS_ID = 42", f"{out}[1] NOPE = (not set)"], r.stdout
    r = run_vodf(vodf, "inspect", out, "--hdu", "2")
    assert r.returncode == 0 and "HDU 2: BINTABLE GTI" in r.stdout and "EVENTS" not in r.stdout
    import json
    doc = json.loads(run_vodf(vodf, "inspect", out, "--hdu", "GTI", "--keyword", "extname", "--json").stdout)
    assert [h["index"] for h in doc["hdus"]] == [2] and [k["name"] for k in doc["hdus"][0]["keywords"]] == ["EXTNAME"]
    r = run_vodf(vodf, "inspect", out, "--hdu", "AEFF")
    assert r.returncode == 2 and "no HDU 'AEFF'" in r.stderr and len(r.stderr.splitlines()) == 1
