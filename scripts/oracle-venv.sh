#!/usr/bin/env bash
# Creates (or refreshes) the oracle venv that the interop tests run in.
# Re-installs only when requirements.txt changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VODF_VENV:-$root/.venv-oracle}"
req="$root/Tests/oracle/requirements.txt"
stamp="$venv/.requirements.sha"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "oracle venv: up to date ($venv)"
  exit 0
fi
echo "oracle venv: creating $venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -r "$req"
echo "$want" > "$stamp"
"$venv/bin/python" -c "import gammapy, astropy, numpy; print('oracle venv: gammapy', gammapy.__version__, 'astropy', astropy.__version__, 'numpy', numpy.__version__)"
