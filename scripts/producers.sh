#!/usr/bin/env bash
# The producers matrix (issue 27): DL3 files written by today's producers, each in a venv of its own
# where pins conflict, into .producers/<producer>/ (git-ignored) with a files.json per producer.
#   gammapy 2.1        the oracle venv (scripts/oracle-venv.sh)
#   cta-lstchain 0.12.3 .venv-producers/lstchain, which also holds the gammapy 1.3 and pyirf 0.12 it pins
#   pyirf 0.13.0       .venv-producers/pyirf
# A producer's files are remade only when its script or its venv's pins changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
oracle="${VODF_VENV:-$root/.venv-oracle}"
venvs="$root/.venv-producers"
out="$root/.producers"
prod5="$root/../shared/corpus/gadf/cta-prod5/Prod5-South-20deg-AverageAz-14MSTs37SSTs.180000s-v0.1.fits.gz"
mkdir -p "$venvs" "$out"

venv() { # name, pip requirements...
  local name=$1; shift
  local dir="$venvs/$name" want
  want="$(echo "$*" | sha256sum | cut -d' ' -f1)"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements.sha" 2>/dev/null)" = "$want" ]; then return; fi
  echo "producers: creating $dir ($*)"
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/python" -m pip install -q --upgrade pip
  "$dir/bin/python" -m pip install -q "$@"
  echo "$want" > "$dir/.requirements.sha"
}

make_files() { # producer dir, python, script, args...
  local name=$1 python=$2 script=$3; shift 3
  local dir="$out/$name" want
  want="$( (cat "$root/Tests/producers/$script"; "$python" -m pip freeze 2>/dev/null; echo "$*") | sha256sum | cut -d' ' -f1)"
  if [ -f "$dir/files.json" ] && [ "$(cat "$dir/.made.sha" 2>/dev/null)" = "$want" ]; then
    echo "producers: $name up to date"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  (cd "$dir" && "$python" "$root/Tests/producers/$script" "$@" "$dir") > "$dir.log" 2>&1 || {
    echo "producers: $name failed (log: $dir.log)" >&2
    tail -5 "$dir.log" >&2
    exit 1
  }
  tail -1 "$dir.log"
  echo "$want" > "$dir/.made.sha"
}

venv lstchain "lstchain==0.12.3"
venv pyirf "pyirf==0.13.0"
make_files pyirf-0.13 "$venvs/pyirf/bin/python" pyirf_files.py
make_files pyirf-0.12 "$venvs/lstchain/bin/python" pyirf_files.py
make_files lstchain-0.12.3 "$venvs/lstchain/bin/python" lstchain_files.py
if [ -f "$prod5" ]; then
  make_files gammapy-2.1 "$oracle/bin/python" gammapy_files.py "$prod5"
  make_files gammapy-1.3 "$venvs/lstchain/bin/python" gammapy_files.py "$prod5"
else
  echo "producers: no CTA prod5 IRFs at $prod5: the gammapy producers are skipped"
fi
if [ -d "$root/../shared/corpus/gadf/hess-dl3-dr1" ]; then
  make_files variants "$oracle/bin/python" variants.py "$root/../shared/corpus"
fi
