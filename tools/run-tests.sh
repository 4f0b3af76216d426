#!/bin/sh
# run-tests.sh BUILD — the whole suite against the binaries in BUILD (the
# sanitizer build under `make test`): unit tests, then integration tests
# with real redis-servers and daemons, then the console in a real browser.
# Fails if any daemon's log holds a sanitizer report, and leaves no
# process behind.
set -u
out=$1
root=$(pwd)
export CG_ROOT="$root" CG_BIN="$root/$out/bin"
export CG_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/cgtest.XXXXXX")
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tools/lsan.supp"

cleanup () {
    for pidfile in "$CG_TEST_TMP"/*/run/*.pid "$CG_TEST_TMP"/*/redis.pid; do
        [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
    done
    rm -rf "$CG_TEST_TMP"
}
trap cleanup EXIT INT TERM

# Each stage's output is kept under build/test-output/ as well, so that the
# summary at the end can name what failed: CI shows only the last lines.
logs="$root/build/test-output"
mkdir -p "$logs"
failed=""
status=0
run_stage () {
    name=$1; shift
    started=$(date +%s)
    { "$@"; echo $? > "$logs/$name.rc"; } 2>&1 | tee "$logs/$name.log"
    echo "== $name took $(( $(date +%s) - started )) s"
    if [ "$(cat "$logs/$name.rc")" -ne 0 ]; then
        status=1
        failed="$failed $name"
    fi
}
echo "== unit tests"
run_stage unit "$out/test/unit" --jobs 2 --timeout 60
echo "== integration tests (real redis-server, real daemons)"
run_stage integration "$out/test/integration" --jobs ${CG_TEST_JOBS:-2} --timeout 300
echo "== browser test (chromium, playwright-core)"
if [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --loglevel=error; then
    run_stage browser node tests/browser/console.test.js
else
    echo "npm ci failed: the console's packages are missing"; status=1; failed="$failed npm"
fi

echo "== fuzz targets, a short run each (tools/run-fuzz.sh)"
run_stage fuzz tools/run-fuzz.sh 3 2

echo "== the Debian package, make install and the systemd units (tools/test-package.sh)"
run_stage package tools/test-package.sh

reports=$(grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
          "$CG_TEST_TMP"/*/log/*.log 2>/dev/null || true)
if [ -n "$reports" ]; then
    echo "== sanitizer reports in daemon logs:"
    for f in $reports; do echo "--- $f"; grep -A30 -E 'ERROR:|runtime error:' "$f" | head -60; done
    status=1
    failed="$failed sanitizer"
fi
if [ $status -ne 0 ]; then
    echo "== what failed:$failed"
    for name in $failed; do
        [ -f "$logs/$name.log" ] || continue
        case $name in
        unit|integration)
            grep -E -A4 'Assertion Failed|Timed out|Crash|Warning! The test' "$logs/$name.log" \
                | head -60
            grep -E '\[FAIL\]|\[Synthesis\]|Synthesis' "$logs/$name.log" ;;
        *)  tail -15 "$logs/$name.log" ;;
        esac | sed "s/^/   $name| /"
    done
fi
[ $status -eq 0 ] && echo "== all tests passed" || echo "== FAILED"
exit $status
