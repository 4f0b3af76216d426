#!/bin/sh
# install-deps.sh — the Debian packages civgrid builds, runs and tests with.
# Idempotent: installs only what is missing.  As root it runs apt-get; as
# anyone else it prints the line to run and fails.
set -eu
PACKAGES="build-essential pkg-config redis-server redis-tools
libzmq3-dev libczmq-dev libmsgpack-dev libhiredis-dev libcriterion-dev
libmicrohttpd-dev libgnutls28-dev libjansson-dev libcurl4-openssl-dev libsodium-dev libsqlite3-dev clang
gnuplot-nox curl openssl util-linux"
# the console's browser test drives Debian's chromium; npm installs the
# console's charts (a nodejs that brings its own npm is kept as it is)
PACKAGES="$PACKAGES chromium"
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs npm"
# make bench drives the gateway's Open311 with wrk (bench/gateway.c)
PACKAGES="$PACKAGES wrk"
# make test builds the Debian package (dpkg-buildpackage, no debhelper) and
# checks the units with systemd-analyze (tools/test-package.sh)
PACKAGES="$PACKAGES dpkg-dev systemd git"
# civgrid backup: sqlite3 for the archive's files (redis-cli --rdb is redis-tools, above)
PACKAGES="$PACKAGES sqlite3"
# the power-cut test keeps Redis's files on a FUSE file system that loses
# what was not fsync'd (tests/support/lossyfs.py)
PACKAGES="$PACKAGES python3-fusepy"
# stack up --replicas N --sentinels M runs Redis Sentinels (the failover suite)
PACKAGES="$PACKAGES redis-sentinel"
# docs/API.md's signed hotline push, which the suite runs as written
# (gateway/the_documented_hotline_push_works_as_written), uses both
PACKAGES="$PACKAGES curl openssl"
# the Open311 tests parse XML with libxml2, and drive the gateway the way
# FixMyStreet's Open311 client does, in Perl (tests/fixmystreet/)
PACKAGES="$PACKAGES libxml2-dev libwww-perl liburi-perl libxml-simple-perl
libdatetime-format-w3cdtf-perl libmoo-perl libmoox-types-mooselike-perl
libtry-tiny-perl libpath-tiny-perl"
# the QR codes of the villages' lists of powers (common/cg_qr.c): libqrencode
# makes the modules, zlib deflates the PNG; the suite decodes them with zbarimg
PACKAGES="$PACKAGES libqrencode-dev zlib1g-dev zbar-tools"
missing=""
for p in $PACKAGES; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        "install ok installed") ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "civgrid needs these Debian packages; install them with:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq$missing
