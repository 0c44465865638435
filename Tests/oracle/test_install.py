"""Issue 13: an installed vodf works with no repository and no VODF_SPECS: validate, spec list,
convert and irf build from /, its man page shows, and its completion scripts parse."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import KM3IRF_DATA, REPO, TESTDATA


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("prefix")
    # The debug build the suite already made (a release install is the same steps, slower to build).
    r = subprocess.run(["make", "-s", "install", f"PREFIX={prefix}", "INSTALL_CONFIG=debug"], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return prefix


def run_installed(installed, *args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "VODF_SPECS"}
    env.update(env_extra or {})
    return subprocess.run([str(installed / "bin" / "vodf"), *map(str, args)], cwd="/", env=env, capture_output=True, text=True)


def test_layout(installed):
    for rel in ["bin/vodf", "share/man/man1/vodf.1", "share/bash-completion/completions/vodf",
                "share/zsh/site-functions/_vodf", "share/fish/vendor_completions.d/vodf.fish"]:
        assert (installed / rel).is_file(), rel
    # Nothing of the repository came along.
    assert not (installed / "bin" / "Specs").exists() and not (installed / "Specs").exists()


def test_spec_list_from_root(installed):
    r = run_installed(installed, "spec", "list")
    assert r.returncode == 0, r.stderr
    ids = [line.split()[0] for line in r.stdout.splitlines()]
    expected = sorted(f"{p.parent.parent.name}-{p.parent.name}/" for p in (REPO / "Specs").glob("*/*/*.yaml") if p.name not in ("groups.yaml", "dialect.yaml"))
    # Every spec file of Specs/ is in the binary (one id per file; the id prefix is family-version).
    assert len(ids) == len(expected), (ids, expected)
    assert sorted(i.split("/")[0] + "/" for i in ids) == expected


def test_convert_and_validate_from_root(installed, tmp_path):
    out = tmp_path / "antares.fits"
    r = run_installed(installed, "convert", TESTDATA / "antares" / "sample_public.dat", "-o", out, "-q")
    assert r.returncode == 0 and out.exists(), r.stderr
    r = run_installed(installed, "validate", "--profile", "strict", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 error(s)" in r.stdout


def test_irf_build_from_root(installed, tmp_path):
    dst = KM3IRF_DATA / "test_10events.dst.root"
    if not dst.exists():
        pytest.skip(f"needs km3irf==0.4.0 unpacked ({dst}; make testdata fetches it)")
    out = tmp_path / "irf.fits"
    r = run_installed(installed, "irf", "build", dst, "--km3irf-compatible", "-o", out)
    assert r.returncode == 0 and out.exists(), r.stderr
    r = run_installed(installed, "validate", out)
    assert r.returncode == 0, r.stdout


def test_specs_option_selects_other_specs(installed, tmp_path):
    edited = tmp_path / "Specs"
    shutil.copytree(REPO / "Specs", edited)
    (edited / "vodf" / "0.0.0" / "psf_king.yaml").unlink()      # no other spec extends it
    full = run_installed(installed, "spec", "list").stdout.splitlines()
    fewer = run_installed(installed, "spec", "list", "--specs", edited).stdout.splitlines()
    assert len(fewer) == len(full) - 1 and not any(l.startswith("vodf-0.0.0/psf_king") for l in fewer)
    via_env = run_installed(installed, "spec", "list", env_extra={"VODF_SPECS": str(edited)}).stdout.splitlines()
    assert via_env == fewer
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_installed(installed, "validate", "--specs", empty, TESTDATA / "README.md")
    assert r.returncode == 2 and "names no specs" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr


def test_man_page(installed):
    if shutil.which("man") is None:
        pytest.skip("needs man (Debian man-db)")
    r = subprocess.run(["man", "-l", str(installed / "share/man/man1/vodf.1")], capture_output=True, text=True, env={**os.environ, "MANPAGER": "cat", "MANWIDTH": "100"})
    assert r.returncode == 0, r.stderr
    assert "vodf" in r.stdout and "convert" in r.stdout and "validate" in r.stdout
    assert "warning" not in r.stderr, r.stderr


def test_completions_parse(installed):
    r = subprocess.run(["bash", "-n", str(installed / "share/bash-completion/completions/vodf")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # The completions know the subcommands and the enum values of the options.
    text = (installed / "share/bash-completion/completions/vodf").read_text()
    for word in ["convert", "validate", "inspect", "gadf-0.3", "jmuon", "strict", "junit"]:
        assert word in text, word
    for shell, rel in [("zsh", "share/zsh/site-functions/_vodf"), ("fish", "share/fish/vendor_completions.d/vodf.fish")]:
        if shutil.which(shell):
            r = subprocess.run([shell, "-n", str(installed / rel)], capture_output=True, text=True)
            assert r.returncode == 0, (shell, r.stderr)
