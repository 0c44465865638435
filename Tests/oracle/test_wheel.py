"""Issue 17: the Python wheel (make wheel) installs with pip into a fresh venv, offline and with no
repository beside it; its `vodf` command runs, and vodfkit.validate returns the same findings as
the CLI on the H.E.S.S. DR1 corpus; vodfkit.convert converts."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, TESTDATA, run_vodf

WHEEL = REPO / "out" / "wheel" / "vodfkit-0.1.0-py3-none-linux_x86_64.whl"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if not WHEEL.exists():
        pytest.skip(f"needs {WHEEL}: run 'make wheel' (make test does)")
    work = tmp_path_factory.mktemp("wheel")
    venv = work / "venv"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True, timeout=300)
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--no-deps", str(WHEEL)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    # Nothing of the repository reachable: a clean environment, run from elsewhere.
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(work)}
    return venv, work, env


def test_console_command_runs(installed):
    venv, work, env = installed
    r = subprocess.run([str(venv / "bin" / "vodf"), "--version"], cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "0.1.0", r.stderr
    r = subprocess.run([str(venv / "bin" / "vodf"), "spec", "list"], cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0 and "gadf-0.3" in r.stdout, r.stderr      # the specs are inside the binary


def test_validate_matches_the_cli_on_hess(installed, corpus, vodf):
    venv, work, env = installed
    files = sorted(str(p) for p in (corpus / "gadf" / "hess-dl3-dr1-full" / "data").glob("*.fits.gz"))
    assert len(files) == 105
    code = "import json, sys, vodfkit; print(json.dumps(vodfkit.validate(sys.argv[1:], profile='gammapy')))"
    r = subprocess.run([str(venv / "bin" / "python"), "-c", code, *files], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    ours = json.loads(r.stdout)
    cli = json.loads(run_vodf(vodf, "validate", *files, "--report", "json", "--profile", "gammapy").stdout)
    assert ours["findings"] == cli["findings"] and ours["summary"] == cli["summary"]
    assert ours["summary"]["errors"] == 0 and len(ours["findings"]) > 105


def test_convert_from_python(installed, vodf):
    venv, work, env = installed
    out = work / "antares.vodf.fits"
    code = ("import sys, vodfkit; print('\\n'.join(vodfkit.convert(sys.argv[1], sys.argv[2], format='vodf')));"
            "\ntry:\n    vodfkit.convert('missing.dat', 'x.fits')\nexcept vodfkit.VodfError as e:\n    print('error', e.code, e)")
    r = subprocess.run([str(venv / "bin" / "python"), "-c", code, str(TESTDATA / "antares" / "sample_public.dat"), str(out)],
                       cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "EVENTS" in r.stdout and "error 3" in r.stdout and "no such file" in r.stdout, r.stdout
    assert run_vodf(vodf, "validate", "--profile", "strict", out).returncode == 0
