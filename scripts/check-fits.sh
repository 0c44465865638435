#!/usr/bin/env bash
# Fails unless fitsverify reports 0 warnings and 0 errors for every file given.
set -uo pipefail
status=0
for f in "$@"; do
  line=$(fitsverify "$f" 2>&1 | grep -E "Verification found" || true)
  if [[ "$line" == *"found 0 warning(s) and 0 error(s)"* ]]; then
    echo "fitsverify OK (0 warnings, 0 errors): $f"
  else
    echo "fitsverify FAILED: $f: ${line:-no verdict}"
    fitsverify "$f" | grep -E "\*\*\* (Error|Warning)" | head -20
    status=1
  fi
done
exit $status
