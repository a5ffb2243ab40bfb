#!/usr/bin/env bash
# Installs the Debian packages SIP needs, only those that are missing.
set -euo pipefail
packages=(
  postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting postgresql-contrib
  gdal-bin libgdal-dev python3-gdal python3-venv python3-mapscript mapserver-bin cgi-mapserver
  poppler-utils fonts-dejavu chromium curl gettext
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
  python3-qgis qgis-providers
  pgbackrest restic openssh-server
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "SIP: instaluję brakujące pakiety Debiana: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
