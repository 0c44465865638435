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
    check_failure(vodf, tmp_path, lambda o: [f, "-o", o, "--format", "gadf-9"], 2, ["unknown format 'gadf-9'"])


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
