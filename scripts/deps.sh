#!/usr/bin/env bash
# Installs the Debian packages vodfkit builds and tests against; skips what is present.
# libbz2-dev and libaec-dev (libsz) are what the static cfitsio and HDF5 archives link against;
# libxml2-dev gives the static libxml2 that VOTableIO reads VOTables with. libplplot-dev and
# plplot-driver-cairo draw `vodf peek` and `release report` pictures (SVG, PNG); chromium opens the
# report in the browser test.
# Run as root (CI and the dev machines are root); otherwise it uses sudo when available.
set -euo pipefail
pkgs=(pkg-config libcfitsio-dev libhdf5-dev libbz2-dev libaec-dev liberfa-dev zlib1g-dev libdeflate-dev liblz4-dev libzstd-dev liblzma-dev libxxhash-dev libxml2-dev libyaml-dev fitsverify python3-venv strace libplplot-dev plplot-driver-cairo chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all system packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
