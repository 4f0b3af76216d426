#!/bin/sh
# run-fuzz.sh [SECONDS] — a short run of every libFuzzer target in
# build/fuzz (made by `make fuzz`), SECONDS each (3 by default), starting
# from the seeds in fuzz/corpus/<target>/.  New inputs go to a scratch
# folder, so the run leaves the tree as it was.  A crash fails the run and
# leaves the input beside the log in that folder's crashes/.
# A longer run, e.g. an hour each: tools/run-fuzz.sh 3600 (docs/INTAKE.md).
set -u
seconds=${1:-3}
scratch=$(mktemp -d /tmp/cgfuzz.XXXXXX)
status=0
for target in build/fuzz/fuzz_*; do
    [ -x "$target" ] || continue
    name=$(basename "$target")
    mkdir -p "$scratch/$name" "$scratch/crashes"
    seeds="fuzz/corpus/$name"
    [ -d "$seeds" ] || seeds=""
    if "$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
           -artifact_prefix="$scratch/crashes/$name-" "$scratch/$name" $seeds \
           >"$scratch/$name.log" 2>&1; then
        echo "   $name: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$name.log" \
                        | grep -o '[0-9]*$' || echo '?') runs, no crash"
    else
        echo "   $name: FAILED"; tail -n 30 "$scratch/$name.log"; status=1
    fi
done
[ $status -eq 0 ] && rm -rf "$scratch" || echo "   inputs kept in $scratch"
exit $status
