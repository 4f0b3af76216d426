#!/bin/sh
# run-bench.sh BUILD [--quick] [--only PART] — `make bench`: builds the
# harness, starts a private stack on free ports (Redis with AOF and
# appendfsync always, as in production; `make bench ONLY=fsync` measures
# that against everysec alone),
# runs build/bench/civgrid-bench against it (bench/main.c says what it
# measures), draws BUILD/bench/results.png with gnuplot, and stops the
# stack.  A figure never fails the run; only a harness that cannot run
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

make --no-print-directory all "$out/bench/civgrid-bench" || exit 1
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
      "$out/bench/results.png"
"$out/bench/civgrid-bench" --dir "$dir" --out "$out/bench" --bin "$out/bin" $quick $only
status=$?
if [ -s "$out/bench/loads.dat" ]; then
    gnuplot -e "data='$out/bench/loads.dat'; limits='$out/bench/limits.gp'" \
            -e "output='$out/bench/results.png'" \
        bench/results.gp && echo "drawn: $out/bench/results.png"
fi
echo "results: $out/bench/results.json"
exit $status
