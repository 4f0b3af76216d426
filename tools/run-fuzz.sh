#!/bin/sh
# run-fuzz.sh [SECONDS [JOBS [PATTERN]]] — a run of every libFuzzer target in
# build/fuzz (made by `make fuzz`) whose name matches PATTERN (fuzz_* by
# default), SECONDS each (3 by default), JOBS at a time (1 by default),
# starting from the seeds in fuzz/corpus/<target>/.  New inputs go to a
# scratch folder, so the run leaves the tree as it was.  A crash fails the
# run and leaves the input beside the log in that folder's crashes/.  Each
# target's line says its runs, runs a second and the corpus it ended with.
# An hour each, two at a time: tools/run-fuzz.sh 3600 2 (docs/ARCHITECTURE.md,
# "Fuzzing").
set -u
seconds=${1:-3}
jobs=${2:-1}
pattern=${3:-fuzz_*}
# leaks inside third-party libraries are not ours (the suite sets the same)
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$(pwd)/tools/lsan.supp}"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/cgfuzz.XXXXXX")
mkdir -p "$scratch/crashes"

# one target: its line on stdout, "FAILED" and the log's end on a crash
run_one () {
    target=$1
    name=$(basename "$target")
    mkdir -p "$scratch/$name"
    seeds="fuzz/corpus/$name"
    [ -d "$seeds" ] || seeds=""
    if "$target" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=1024 \
           -print_final_stats=1 -artifact_prefix="$scratch/crashes/$name-" "$scratch/$name" $seeds \
           >"$scratch/$name.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$scratch/$name.log" | grep -o '[0-9]*$')
        rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$scratch/$name.log" | grep -o '[0-9]*$')
        corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$scratch/$name.log" | tail -n 1)
        echo "   $name: ${runs:-?} runs, ${rate:-?}/s, ${corpus:-corp: ?}, no crash"
    else
        echo "   $name: FAILED"; tail -n 30 "$scratch/$name.log"; touch "$scratch/failed"
    fi
}

# JOBS targets at a time, in batches; each line is printed when its batch ends
running=0
for target in build/fuzz/$pattern; do
    [ -x "$target" ] || continue
    run_one "$target" >"$scratch/$(basename "$target").line" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        cat "$scratch"/*.line; rm -f "$scratch"/*.line
        running=0
    fi
done
wait
cat "$scratch"/*.line 2>/dev/null; rm -f "$scratch"/*.line
if [ -e "$scratch/failed" ]; then
    echo "   inputs kept in $scratch"
    exit 1
fi
rm -rf "$scratch"
exit 0
