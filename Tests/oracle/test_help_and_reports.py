"""Issue 26, what a person reads: help texts are paragraphs the argument parser wraps (no sentence broken
mid-line by a hard newline), list items keep their indentation when wrapped, and a file that passes is
not shown failing another dialect unless asked."""
import os
import re
import subprocess

import pytest

from conftest import TESTDATA, run_vodf

COMMANDS = ["", "convert", "inspect", "validate", "spec diff", "spec test", "spec template", "root dump", "irf build",
            "release build", "release upgrade", "release obscore", "release report", "alert voevent", "peek"]


def help_text(vodf, command, columns):
    env = dict(os.environ, COLUMNS=str(columns))
    r = subprocess.run([str(vodf), *command.split(), "--help"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_paragraphs_are_wrapped_by_the_parser(vodf, command):
    """At 200 columns, a discussion line that ends without punctuation is never followed by a line of
    the same paragraph: only the terminal width may break a sentence."""
    text = help_text(vodf, command, 200)
    body = text.split("USAGE:")[0].split("\n")[1:]
    for a, b in zip(body, body[1:]):
        if a.strip() and b.strip() and not a.startswith(" ") and not b.startswith((" ", "-")):
            assert len(a) > 150 or re.search(r"[.:)]$", a), f"{command}: hard break after {a!r} (next: {b!r})"


def test_input_list_items_wrap_under_their_text(vodf):
    text = help_text(vodf, "convert", 80)
    items = text.split("detected from the file's content:\n")[1].split("\n\n")[0].split("\n")
    assert items[0].startswith("  - ")
    assert all(line.startswith(("  - ", "    ")) for line in items), items
    assert max(map(len, items)) <= 80


def test_a_clean_vodf_file_is_not_shown_failing_another_dialect(vodf, tmp_path):
    out = tmp_path / "events.fits"
    assert run_vodf(vodf, "convert", TESTDATA / "antares" / "sample_public.dat", "-o", out, "--format", "vodf", "-q").returncode == 0
    r = run_vodf(vodf, "validate", out)
    assert r.returncode == 0, r.stdout
    assert "follows vodf-0.0.0 (HDUVERS)" in r.stdout and "as vodf-mock-0.1" not in r.stdout, r.stdout
    r = run_vodf(vodf, "validate", out, "--dialects")
    assert "as vodf-mock-0.1:" in r.stdout, r.stdout
    r = run_vodf(vodf, "validate", out, "--report", "json")
    assert '"dialect" : "vodf-mock-0.1"' in r.stdout or '"dialect": "vodf-mock-0.1"' in r.stdout, r.stdout[:400]
