"""vodfkit for Python: the `vodf` command (a static binary inside this wheel) and a small API.

    import vodfkit
    report = vodfkit.validate(["events.fits"], profile="gammapy")   # vodf validate --report json
    report["summary"]["errors"]
    vodfkit.convert("PublicData_0717.dat", "antares.fits", format="vodf")

The functions run the bundled binary; its errors are raised as VodfError with the one-line message
and the exit code (2 usage, 3 unreadable input, 4 output not written).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["validate", "convert", "run", "binary", "VodfError", "__version__"]
__version__ = "0.1.0"

_HERE = Path(__file__).resolve().parent


class VodfError(RuntimeError):
    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def binary():
    """The path of the bundled vodf."""
    return _HERE / "bin" / "vodf"


def _env():
    # The shared libraries vodf needs beyond glibc travel in the wheel, beside it.
    env = dict(os.environ)
    lib = str(_HERE / "lib")
    env["LD_LIBRARY_PATH"] = lib + (os.pathsep + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    return env


def run(*args, check=True):
    """Runs `vodf ARGS...`; returns the CompletedProcess (text)."""
    r = subprocess.run([str(binary()), *map(str, args)], capture_output=True, text=True, env=_env())
    if check and r.returncode not in (0,):
        raise VodfError(r.stderr.strip() or r.stdout.strip(), r.returncode)
    return r


def validate(paths, profile="gammapy", spec=None):
    """`vodf validate PATHS --report json` as a dict: profile, files, findings, summary.

    Findings with errors are a result, not an exception (exit 1); unreadable input and usage
    errors raise VodfError.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    args = ["validate", *paths, "--report", "json", "--profile", profile]
    if spec:
        args += ["--spec", spec]
    r = run(*args, check=False)
    if r.returncode not in (0, 1, 3) or not r.stdout.strip():
        raise VodfError(r.stderr.strip(), r.returncode)
    return json.loads(r.stdout)


def convert(input, output, format="gadf-0.3", kind=None, obs_id=None, **options):
    """`vodf convert INPUT -o OUTPUT --format FORMAT [...]`; options become --option-name VALUE
    (True: a flag). Returns the summary lines vodf printed."""
    args = ["convert", input, "-o", output, "--format", format]
    if kind:
        args += ["--kind", kind]
    if obs_id is not None:
        args += ["--obs-id", obs_id]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value not in (None, False):
            args += [flag, value]
    return run(*args).stdout.splitlines()
