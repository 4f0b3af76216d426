#!/bin/sh
# run-bench.sh BUILD [--quick] [--only PART] — `make bench`: builds the
# harness, starts a private stack on free ports (Redis with AOF and
# appendfsync always, as in production; `make bench ONLY=fsync` measures
# that against everysec alone),
# runs build/bench/civgrid-bench against it (bench/main.c says what it
# measures), draws BUILD/bench/results.png with gnuplot, and stops the
# stack; then the console's part (bench/console.js: the queue, the map and
# the dashboard timed in Debian's chromium with 50,000 open cases in the
# city, 5,000 with --quick) on a fresh stack of its own.  `--only console`
# runs that part alone.  A figure never fails the run; only a harness that cannot run
# does.  Leaves no process behind.
set -u
out=$1
shift
quick=""
only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=--quick ;;
        --only) only="--only $2"; shift ;;
    esac
    shift
done
[ "${QUICK:-0}" = 1 ] && quick=--quick

make --no-print-directory all "$out/bench/civgrid-bench" "$out/test/volume" || exit 1
dir=$(mktemp -d /tmp/cgbench.XXXXXX)
cleanup () {
    "$out/bin/civgrid" stack down --dir "$dir" >/dev/null 2>&1
    for pidfile in "$dir"/run/*.pid; do
        [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null
    done
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the gateway's rate limits would cap its figures (bench/gateway.c);
# ONLY=failover runs on a replica and three Sentinels (bench/failover.c)
redis_set=""
[ "$only" = "--only failover" ] && redis_set="--replicas 1 --sentinels 3"
"$out/bin/civgrid" stack up --dir "$dir" --port-base auto $redis_set \
    --set gateway/rate_address=100000000 --set gateway/rate_token=100000000 || exit 1
mkdir -p "$out/bench"
rm -f "$out/bench/results.json" "$out/bench/loads.dat" "$out/bench/limits.gp" \
      "$out/bench/results.png" "$out/bench/console.json"
status=0
if [ "$only" != "--only console" ]; then
    "$out/bench/civgrid-bench" --dir "$dir" --out "$out/bench" --bin "$out/bin" $quick $only
    status=$?
fi
# the console's part, on a stack of its own (growth leaves up to a million
# cases behind); a browser that cannot run fails the run like a harness
if [ -z "$only" ] || [ "$only" = "--only console" ]; then
    "$out/bin/civgrid" stack down --dir "$dir" >/dev/null 2>&1
    rm -rf "$dir"
    dir=$(mktemp -d /tmp/cgbench.XXXXXX)
    "$out/bin/civgrid" stack up --dir "$dir" --port-base auto \
        --set gateway/rate_address=100000000 --set gateway/rate_token=100000000 >/dev/null || exit 1
    node bench/console.js "$dir" "$out/bin" "$out/bench" $quick || status=1
fi
if [ -s "$out/bench/loads.dat" ]; then
    gnuplot -e "data='$out/bench/loads.dat'; limits='$out/bench/limits.gp'" \
            -e "output='$out/bench/results.png'" \
        bench/results.gp && echo "drawn: $out/bench/results.png"
fi
echo "results: $out/bench/results.json"
exit $status
