#!/usr/bin/env bash
# Fetches the real KM3NeT inputs from PyPI into .testdata/ (git-ignored; never committed):
#   km3net-testdata==0.4.31  offline/dst ROOT, km3pipe HDF5, coordinate benchmarks
#   km3irf==0.4.0            its data/*.fits IRFs and test_10events.dst.root
# Wheels are only downloaded (no dependencies installed) and unpacked.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="${VODF_TESTDATA:-$root/.testdata}"
py="${PYTHON:-python3}"
fetch() {  # name==version  folder
  local spec="$1" folder="$2"
  if [ -f "$dest/$folder/.complete" ]; then return 0; fi
  rm -rf "$dest/$folder" "$dest/.wheels-$folder"
  mkdir -p "$dest/.wheels-$folder"
  "$py" -m pip download -q --no-deps --only-binary=:all: -d "$dest/.wheels-$folder" "$spec"
  mkdir -p "$dest/$folder"
  "$py" - "$dest/.wheels-$folder" "$dest/$folder" <<'PY'
import sys, zipfile, pathlib
src, out = map(pathlib.Path, sys.argv[1:3])
for whl in src.glob("*.whl"):
    zipfile.ZipFile(whl).extractall(out)
PY
  rm -rf "$dest/.wheels-$folder"
  touch "$dest/$folder/.complete"
  echo "testdata: $spec -> $dest/$folder"
}
fetch "km3net-testdata==0.4.31" km3net-testdata
fetch "km3irf==0.4.0" km3irf
