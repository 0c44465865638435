#!/usr/bin/env bash
# Creates (or refreshes) the oracle venv that the interop tests run in.
# Re-installs only when requirements.txt changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VODF_VENV:-$root/.venv-oracle}"
req="$root/Tests/oracle/requirements.txt"
stamp="$venv/.requirements.sha"
# VODF's reference checker, vodf_schema, and its fits_schema fork are not on PyPI: their wheels come
# from ../shared/oracles when it is there (the dialect tests skip, saying so, when it is not).
oracles="${VODF_ORACLES:-$root/../shared/oracles}"
wheels=()
if [ -d "$oracles" ]; then mapfile -t wheels < <(ls "$oracles"/*.whl 2>/dev/null | sort); fi
want="$( (cat "$req"; [ ${#wheels[@]} -gt 0 ] && sha256sum "${wheels[@]}") | sha256sum | cut -d' ' -f1)"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "oracle venv: up to date ($venv)"
  exit 0
fi
echo "oracle venv: creating $venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -r "$req"
if [ ${#wheels[@]} -gt 0 ]; then
  # --no-deps: their only needs (numpy, astropy) are pinned above.
  "$venv/bin/python" -m pip install -q --no-deps "${wheels[@]}"
  echo "oracle venv: installed ${wheels[*]##*/}"
else
  echo "oracle venv: no wheels in $oracles; the VODF dialect tests will skip"
fi
echo "$want" > "$stamp"
"$venv/bin/python" -c "import gammapy, astropy, numpy; print('oracle venv: gammapy', gammapy.__version__, 'astropy', astropy.__version__, 'numpy', numpy.__version__)"
