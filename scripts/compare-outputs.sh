#!/usr/bin/env bash
# Before/after check for a restructuring (issue 13): runs one `vodf` binary over every input in the
# corpus in every output format, and records, per run, the exit code, the SHA-256 of the output
# file and of stdout/stderr. Two such manifests from two binaries must be identical.
#   scripts/compare-outputs.sh record VODF_BIN MANIFEST
#   scripts/compare-outputs.sh compare MANIFEST_A MANIFEST_B
# SOURCE_DATE_EPOCH is fixed, so DATE and the checksum comments do not differ between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=$1

if [ "$mode" = compare ]; then
  if diff -u "$2" "$3"; then echo "compare-outputs: $(wc -l < "$2") runs, identical"; else exit 1; fi
  exit 0
fi

bin=$(realpath "$2"); manifest=$3
shared=${VODF_CORPUS:-../shared/corpus}
km3=.testdata/km3net-testdata/km3net_testdata/data
km3irf=.testdata/km3irf/km3irf/data
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000
[ -n "${VODF_BUILTIN_SPECS:-}" ] || export VODF_SPECS=${VODF_SPECS:-$PWD/Specs}   # a copied binary of before issue 13 finds no Specs/ beside it

inputs() {
  ls TestData/antares/* TestData/km3net/* TestData/flawed/* TestData/bad/* TestData/root/* $shared/antares/* \
     $shared/km3net-arca230-irf/*.csv $km3irf/*.fits $km3irf/*.root \
     $km3/offline/*.root $km3/dst/*.root $km3/hdf5/*.h5
  find $shared/gadf -name '*.fits*' | sort | awk 'NR % 7 == 1'      # every 7th GADF file: all producers, all kinds
}

: > "$manifest"
record() {   # record LABEL ARGS...: one manifest line for `vodf ARGS` (output in $work/out.fits)
  local label=$1; shift
  rm -f "$work/out.fits"
  set +e; (cd "$work" && "$bin" "$@" > "$work/stdout" 2> "$work/stderr"); local rc=$?; set -e
  local out=none; [ -f "$work/out.fits" ] && out=$(sha256sum < "$work/out.fits" | cut -c1-16)
  # Messages name paths; the manifest is about content, so they stay as printed.
  echo "$label rc=$rc out=$out stdout=$(sha256sum < "$work/stdout" | cut -c1-16) stderr=$(sha256sum < "$work/stderr" | cut -c1-16)" >> "$manifest"
}

n=0
for f in $(inputs); do
  p=$(realpath "$f")
  for fmt in gadf-0.3 gadf-0.2 vodf; do record "convert $f $fmt" convert "$p" -o out.fits --format "$fmt"; n=$((n+1)); done
  record "inspect $f" inspect "$p"
  record "inspect-json $f" inspect --json "$p"
  record "validate $f" validate --allow-outside / "$p"
  printf '\r%d runs' $n >&2
done
arca=$(realpath $shared/km3net-arca230-irf)
for fmt in gadf-0.3 gadf-0.2 vodf; do
  record "convert-dir arca230 $fmt" convert "$arca" -o out.fits --kind irf --format "$fmt"
  record "irf build km3irf $fmt" irf build "$(realpath $km3irf/test_10events.dst.root)" --km3irf-compatible -o out.fits --format "$fmt"
done
record "irf build cuts bkg" irf build "$(realpath $km3irf/test_10events.dst.root)" --km3irf-compatible --cuts --irf aeff,psf,edisp,bkg -o out.fits
record "convert orca6 jshower icrs" convert "$(realpath $km3/dst/orca6_sample.root)" -o out.fits --reco jshower --astrometry icrs --obs-id 7
# Its name before issue 13. The help goes to a file first: grep -q closing the pipe early made the
# binary exit on SIGPIPE, which pipefail took for "no --report".
"$bin" validate --help > "$work/help" 2>&1 || true
report=--report; grep -q -- --report "$work/help" || report=--format
record "validate hess-full json" validate $report json "$(realpath $shared/gadf/hess-dl3-dr1-full)"
record "validate magic strict" validate --profile strict "$(realpath $shared/gadf/magic-rad-max)"
echo >&2
echo "compare-outputs: $(wc -l < "$manifest") runs recorded in $manifest"
