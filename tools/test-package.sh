#!/bin/sh
# test-package.sh — the installation as a package manager and systemd see
# it (`make package-test`, a stage of `make test`):
#   1. the Debian package builds from a copy of the tree with Debian's own
#      tooling (dpkg-buildpackage -b -us -uc);
#   2. `dpkg-deb --contents` lists exactly what `make install DESTDIR=...`
#      installs (with PREFIX=/usr), plus the package's changelog and
#      copyright;
#   3. `systemd-analyze verify` finds nothing to say about any unit, with
#      the units installed under a scratch PREFIX whose binaries exist.
# Prints what differs and fails; leaves nothing behind.
set -eu
root=$(pwd)
tmp=$(mktemp -d /tmp/cgpkg.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# dpkg-buildpackage writes the .deb beside the source folder: a copy
mkdir -p "$tmp/src/civgrid"
git ls-files -co --exclude-standard | grep -v '^node_modules/' \
    | tar -cf - -T - | tar -xf - -C "$tmp/src/civgrid"
cd "$tmp/src/civgrid"
if ! dpkg-buildpackage -b -us -uc >"$tmp/build.log" 2>&1; then
    echo "dpkg-buildpackage failed:"; tail -30 "$tmp/build.log"; exit 1
fi
deb=$(ls "$tmp"/src/civgrid_*.deb)
echo "built $(basename "$deb"), $(stat -c %s "$deb") bytes"

make --no-print-directory OUT=build/deb PREFIX=/usr install DESTDIR="$tmp/inst" >/dev/null
(cd "$tmp/inst" && find . -mindepth 1 | sed 's|^\./||' | sort) >"$tmp/install.list"
dpkg-deb --contents "$deb" | awk '{print $6}' | sed -e 's|^\./||' -e 's|/$||' \
    | grep -v -x -e '' -e 'usr/share/doc/civgrid/changelog.gz' -e 'usr/share/doc/civgrid/copyright' \
    | sort >"$tmp/deb.list"
if ! diff -u "$tmp/install.list" "$tmp/deb.list"; then
    echo "the package and make install differ (- make install, + package)"; exit 1
fi
echo "package and make install: the same $(wc -l <"$tmp/deb.list") paths"
for f in DEBIAN/postinst DEBIAN/prerm DEBIAN/postrm DEBIAN/conffiles; do
    dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q "^\./${f#DEBIAN/}\$" \
        || { echo "the package has no $f"; exit 1; }
done

p="$tmp/prefix"
make --no-print-directory OUT=build/deb PREFIX="$p/usr" SYSCONFDIR="$p/etc" \
    STATEDIR="$p/var/lib/civgrid" LOGDIR="$p/var/log/civgrid" SETUP=no install >/dev/null
units=$(ls "$p"/usr/lib/systemd/system/*)
said=$(systemd-analyze verify $units 2>&1 || echo "systemd-analyze failed")
if [ -n "$said" ]; then
    echo "systemd-analyze verify:"; echo "$said"; exit 1
fi
echo "systemd-analyze verify: $(echo $units | wc -w) units, nothing to say"
