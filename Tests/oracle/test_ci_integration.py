"""Issue 17 (CI integration): the composite GitHub Action run locally through its own steps (the
`run:` of each step of action.yml, with its inputs and env substituted, as the runner does), its
annotations compared with `vodf validate --report github`; and the pre-commit hook run by
pre-commit itself on a repository with a staged FITS file."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TESTDATA, convert, run_vodf


def run_action(vodf, inputs, workdir):
    """Runs action.yml's steps in order with bash, as a composite action does."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update(inputs)
    missing = [k for k, v in action["inputs"].items() if v.get("required") and not values.get(k)]
    assert not missing, missing
    github_path, github_output = workdir / "GITHUB_PATH", workdir / "GITHUB_OUTPUT"
    github_path.write_text("")
    outputs, stdout, rc = {}, "", 0

    def expand(text):
        text = text.replace("${{ github.action_path }}", str(REPO))
        return re.sub(r"\$\{\{\s*inputs\.(\w+)\s*\}\}", lambda m: values[m.group(1)], text)

    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        env = dict(os.environ)
        env.update({k: expand(str(v)) for k, v in step.get("env", {}).items()})
        extra = [p for p in github_path.read_text().splitlines() if p]
        env["PATH"] = os.pathsep.join(extra + [env["PATH"]])
        github_output.write_text("")
        env.update(GITHUB_PATH=str(github_path), GITHUB_OUTPUT=str(github_output))
        r = subprocess.run(["bash", "-e", "-c", expand(step["run"])], cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
        outputs[step["id"]] = dict(line.split("=", 1) for line in github_output.read_text().splitlines() if "=" in line)
        stdout += r.stdout
        rc = r.returncode
        if rc != 0:
            break
    return rc, stdout, outputs, action


def annotations(text):
    return [l for l in text.splitlines() if l.startswith("::error ") or l.startswith("::warning ") or l.startswith("::notice ")]


def test_action_steps_give_the_annotations_of_report_github(vodf, corpus, tmp_path):
    good = convert(vodf, TESTDATA / "antares" / "sample_public.dat", tmp_path / "good.fits")
    hess = corpus / "gadf" / "hess-dl3-dr1-full" / "data" / "hess_dl3_dr1_obs_id_020136.fits.gz"
    paths = f"{good} {hess}"
    exe = str(Path(vodf).resolve())
    rc, out, outputs, action = run_action(vodf, {"paths": paths, "vodf": exe}, tmp_path)
    direct = run_vodf(vodf, "validate", good, hess, "--report", "github")
    assert rc == direct.returncode == 0, out
    assert annotations(out) == annotations(direct.stdout) and annotations(out), out
    assert outputs["install"]["vodf"] == exe and outputs["validate"]["errors"] == "0"
    # strict: the H.E.S.S. background's axis order is an error there; the job fails with it.
    rc, out, outputs, _ = run_action(vodf, {"paths": paths, "vodf": exe, "profile": "strict"}, tmp_path)
    direct = run_vodf(vodf, "validate", good, hess, "--report", "github", "--profile", "strict")
    assert rc == direct.returncode == 1 and annotations(out) == annotations(direct.stdout)
    assert outputs["validate"]["errors"] == "1"
    # A broken file: the action fails the job, and its error annotation is vodf's.
    broken = tmp_path / "broken.fits"
    from astropy.io import fits
    with fits.open(good) as h:
        h["EVENTS"].header["TIMESYS"] = "XYZ"
        h.writeto(broken, checksum=True)
    rc, out, outputs, _ = run_action(vodf, {"paths": str(broken), "vodf": exe}, tmp_path)
    direct = run_vodf(vodf, "validate", broken, "--report", "github")
    assert rc == direct.returncode == 1
    assert annotations(out) == annotations(direct.stdout)
    assert any(a.startswith(f"::error file={broken}") and "TIMESYS" in a for a in annotations(out)), out
    assert int(outputs["validate"]["errors"]) == sum(a.startswith("::error ") for a in annotations(direct.stdout)) > 0
    # The action declares what it takes and gives.
    assert set(action["inputs"]) == {"paths", "profile", "spec", "vodf"} and "errors" in action["outputs"]


def test_pre_commit_hook_validates_staged_fits(vodf, tmp_path):
    pre_commit = Path(os.environ.get("VODF_VENV", REPO / ".venv-oracle")) / "bin" / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("needs pre-commit in the oracle venv (scripts/oracle-venv.sh installs it)")
    repo = tmp_path / "data-repo"
    repo.mkdir()
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, capture_output=True, text=True, check=True)
    git("init", "-q")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "t")
    convert(vodf, TESTDATA / "antares" / "sample_public.dat", repo / "events.fits")
    (repo / "notes.txt").write_text("not FITS: the hook leaves it alone\n")
    git("add", "events.fits", "notes.txt")
    env = dict(os.environ, PATH=f"{Path(vodf).resolve().parent}{os.pathsep}{os.environ['PATH']}", PRE_COMMIT_HOME=str(tmp_path / "pc-home"))
    # The hooks come from this checkout, as a user's .pre-commit-config.yaml would take them.
    src = tmp_path / "vodfkit"
    subprocess.run(["git", "clone", "-q", "--no-local", str(REPO), str(src)], check=True, capture_output=True)
    # The working tree's hooks file, committed in the clone (it may not be committed here yet).
    shutil.copy(REPO / ".pre-commit-hooks.yaml", src / ".pre-commit-hooks.yaml")
    subprocess.run(["git", "-C", str(src), "add", ".pre-commit-hooks.yaml"], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(src), "-c", "user.email=t@e", "-c", "user.name=t", "commit", "-qm", "hooks", "--allow-empty"], check=True, capture_output=True)
    r = subprocess.run([str(pre_commit), "try-repo", str(src), "vodf-validate", "--verbose"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "vodf validate (GADF/VODF specs)" in r.stdout and "Passed" in r.stdout and "1 file(s): 0 error(s)" in r.stdout, r.stdout
    # A broken staged file fails the commit, with vodf's finding in the output.
    from astropy.io import fits
    with fits.open(repo / "events.fits") as h:
        h["EVENTS"].header["TIMESYS"] = "XYZ"
        h.writeto(repo / "broken.fits", checksum=True)
    git("add", "broken.fits")
    r = subprocess.run([str(pre_commit), "try-repo", str(src), "vodf-validate", "--verbose"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "Failed" in r.stdout and "TIMESYS" in r.stdout, r.stdout
