#!/usr/bin/env bash
# Installs and starts a real DaCHS (Debian's gavodachs2-server) for the VO integration test, and
# stops it again. DaCHS's post-install creates its database, so PostgreSQL must be running first.
#   scripts/dachs.sh install   # postgresql, then DaCHS (idempotent)
#   scripts/dachs.sh start     # PostgreSQL and `dachs serve start` on localhost:8080
#   scripts/dachs.sh stop      # stops what start started
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
PGVER="${PGVER:-15}"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

start_postgres() {
  if ! pg_lsclusters -h 2>/dev/null | awk -v v="$PGVER" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
    $SUDO pg_ctlcluster "$PGVER" main start
  fi
}

case "${1:-}" in
  install)
    if ! installed postgresql; then
      $SUDO apt-get update -qq
      $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
    start_postgres
    if ! installed gavodachs2-server; then
      $SUDO apt-get update -qq
      # The post-install may fail when it runs before PostgreSQL answers; configure again then.
      $SUDO apt-get install -y -qq --no-install-recommends gavodachs2-server >/dev/null || $SUDO dpkg --configure -a
    fi
    echo "dachs: installed ($(dpkg-query -W -f='${Version}' gavodachs2-server))"
    ;;
  start)
    start_postgres
    dachs serve start
    for _ in $(seq 1 60); do
      python3 -c 'import urllib.request; urllib.request.urlopen("http://localhost:8080/tap/capabilities", timeout=3)' 2>/dev/null \
        && { echo "dachs: serving on localhost:8080"; exit 0; }
      sleep 1
    done
    echo "dachs: the server did not answer on localhost:8080 within 60 s" >&2
    exit 1
    ;;
  stop)
    dachs serve stop || true
    $SUDO pg_ctlcluster "$PGVER" main stop || true
    ;;
  *)
    echo "usage: scripts/dachs.sh install|start|stop" >&2
    exit 2
    ;;
esac
