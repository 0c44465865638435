#!/usr/bin/env bash
# The steps of action.yml, as a script (the composite action runs them; Tests/oracle/test_ci_integration.py
# runs them locally the same way).
#   action.sh install    finds or builds vodf; writes its directory to $GITHUB_PATH and vodf=PATH to $GITHUB_OUTPUT
#   action.sh validate   vodf validate $INPUT_PATHS --report github; errors=N to $GITHUB_OUTPUT; exit 1 on errors
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${GITHUB_OUTPUT:-/dev/null}"
case "${1:-}" in
  install)
    if [ -n "${INPUT_VODF:-}" ]; then
      exe="$INPUT_VODF"
    elif command -v vodf >/dev/null 2>&1; then
      exe="$(command -v vodf)"
    else
      # The static binary, built from the action's own checkout (specs compiled in).
      bash "$here/scripts/deps.sh"
      (cd "$here" && swift build -c release --static-swift-stdlib --product vodf >&2)
      exe="$here/.build/release/vodf"
    fi
    [ -x "$exe" ] || { echo "::error title=vodf::no vodf at $exe"; exit 2; }
    echo "$(cd "$(dirname "$exe")" && pwd)" >> "${GITHUB_PATH:-/dev/null}"
    echo "vodf=$exe" >> "$out"
    echo "vodf: $("$exe" --version) at $exe"
    ;;
  validate)
    exe="${VODF_EXE:-vodf}"
    read -r -a paths <<< "${INPUT_PATHS:?paths is required}"
    args=(validate "${paths[@]}" --report github --profile "${INPUT_PROFILE:-gammapy}")
    [ -n "${INPUT_SPEC:-}" ] && args+=(--spec "$INPUT_SPEC")
    set +e
    report="$("$exe" "${args[@]}")"
    rc=$?
    set -e
    printf '%s\n' "$report"
    echo "errors=$(printf '%s\n' "$report" | grep -c '^::error ' || true)" >> "$out"
    exit "$rc"
    ;;
  *)
    echo "usage: scripts/action.sh install|validate" >&2
    exit 2
    ;;
esac
