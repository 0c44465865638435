#!/usr/bin/env bash
# libFuzzer over vodfkit's readers (Fuzz/vodf-fuzz): builds the instrumented binary, seeds each
# target's corpus from the real inputs, runs each target for SECONDS, and keeps every crash as a
# regression input in Tests/fuzz/regressions/TARGET/ (replayed by make test).
#   scripts/fuzz.sh SECONDS [TARGET...]     targets: root fits gzip csv yaml hdf5 alert (default: all)
#   FUZZ_RUNS=N stops each target after N executions instead (SECONDS is then its time limit).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(root fits gzip csv yaml hdf5 alert)
shared=${VODF_CORPUS:-../shared/corpus}
km3=.testdata/km3net-testdata/km3net_testdata/data
km3irf=.testdata/km3irf/km3irf/data

# Optimised: the targets run 5-20x faster than in a debug build, which is what makes 10 M
# executions per target fit in hours.
swift build -c release --build-path .build/fuzz --product vodf-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING \
  2>&1 | grep -E "error|Compiling|complete" | tail -1
bin=.build/fuzz/release/vodf-fuzz

# Seeds: small real files of each kind (what exists here; a clone without ../shared still has TestData).
seeds() {
  case $1 in
    root) ls TestData/root/*.root $km3/offline/km3net_offline.root $km3/offline/usr-sample.root \
            $km3/dst/mcv5.1.km3_numuCC.ALL.dst.bdt.10events.root $km3irf/test_10events.dst.root ;;
    fits) ls $km3irf/aeff.fits $km3irf/bkg_mu.fits $km3irf/edisp.fits ;;
    gzip) ls $shared/gadf/hess-dl3-dr1-full/hdu-index.fits.gz $shared/gadf/hess-dl3-dr1-full/obs-index.fits.gz \
            $shared/gadf/magic-rad-max/data/hdu-index.fits.gz $shared/gadf/magic-rad-max/data/obs-index.fits.gz ;;
    csv)  ls TestData/km3net/*.csv TestData/antares/* TestData/flawed/*.csv $shared/antares/* \
            $shared/km3net-arca230-irf/aeff_coszen_allnumuCC_track.csv $shared/km3net-arca230-irf/energyresponse_numuCC_track.csv ;;
    yaml) ls Specs/*.yaml Specs/*/*.yaml Specs/*/*/*.yaml ;;
    alert) ls TestData/alerts/*.xml TestData/alerts/*.json ../shared/standards/gcn/notices/km3net/*.example.json ;;
    hdf5) ls $km3/hdf5/raw_header.h5 $km3/hdf5/test_event_info.h5 $km3/hdf5/mcv5.40.mupage_10G.sirene.jterbr00006060.962.root.h5 $km3/hdf5/geamon.h5 ;;
  esac 2>/dev/null || true
}

status=0
for t in "${targets[@]}"; do
  corpus=.build/fuzz-corpus/$t
  crashes=Tests/fuzz/regressions/$t
  mkdir -p "$corpus" "$crashes"
  for s in $(seeds "$t"); do cp -n "$s" "$corpus/" 2>/dev/null || true; done
  max_len=262144; [ "$t" = hdf5 ] && max_len=1048576
  log=.build/fuzz-corpus/$t.log
  set +e
  # The Swift runtime's backtracer would take a trap's signal before libFuzzer, which then keeps no input.
  SWIFT_BACKTRACE=enable=no VODF_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -rss_limit_mb=700 -timeout=10 -max_len=$max_len \
    ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" > "$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz $t: FOUND A CRASH after $runs executions (input kept in $crashes/; log $log):"
    grep -E "ERROR|Fatal error|SUMMARY|crash-|oom-|timeout-" "$log" | head -5
  else
    echo "fuzz $t: $runs executions at $rate/s (limit ${seconds} s), no crash"
  fi
done
exit $status
