#!/bin/sh
# The JSONL writer, whole command: `quarry suggest` (and `quarry themes`)
# of two builds of quarry on the same corpus, the old one writing through
# jansson and the new one through core/cli/json_out.c. Checks that every
# output is byte for byte the same (suggest jsonl with the default threads
# and --threads 1, csv, table; themes jsonl with --coded and --groups),
# then runs suggest jsonl RUNS times each, alternating, under
# `perf stat -e task-clock,instructions` and prints each run's CPU time,
# instructions (where the machine counts them) and the "write the output"
# phase of --verbose. Where perf cannot count instructions (a virtual
# machine without counters), CALLGRIND=1 counts them under valgrind's
# callgrind instead, once per build with --threads 1 (about a minute
# each). Prints; asserts no time.
#
#   [CALLGRIND=1] sh tests/jsonout/compare.sh OLD_QUARRY NEW_QUARRY TRAIN TEST OUT [RUNS]
#
# TRAIN, TEST: the speed corpus (tests/bench/README.md), e.g.
# CORPUS/paragraphs-train.jsonl and CORPUS/paragraphs-test.jsonl; OUT: a
# folder for the outputs.
set -u
if [ $# -lt 5 ]; then
    echo "usage: $0 OLD_QUARRY NEW_QUARRY TRAIN TEST OUT [RUNS]" >&2
    exit 2
fi
old=$1 new=$2 train=$3 test=$4 out=$5 runs=${6:-3}
mkdir -p "$out" || exit 2
status=0

same() { # name, then the arguments of one quarry command
    name=$1
    shift
    "$old" "$@" >"$out/$name.old" 2>/dev/null
    "$new" "$@" >"$out/$name.new" 2>/dev/null
    if cmp -s "$out/$name.old" "$out/$name.new"; then
        echo "identical: $name ($(wc -c <"$out/$name.new") bytes)"
    else
        echo "DIFFERENT: $name"
        status=1
    fi
}
same suggest.jsonl suggest --train "$train" --top 3 "$test"
same suggest-threads1.jsonl suggest --threads 1 --train "$train" --top 3 "$test"
same suggest.csv suggest --format csv --train "$train" --top 3 "$test"
same suggest.table suggest --format table --train "$train" --top 3 "$test"
same themes.jsonl themes --k 20 --groups 4 --coded "$test" "$train"

i=1
while [ "$i" -le "$runs" ]; do
    for which in old new; do
        if [ "$which" = old ]; then q=$old; else q=$new; fi
        perf stat -x, -e task-clock,instructions -o "$out/perf.txt" \
            "$q" suggest --verbose --train "$train" --top 3 "$test" \
            >"$out/run.jsonl" 2>"$out/run.err"
        awk -F, -v w="$which" -v r="$i" '
            /task-clock/ { t = sprintf("%.0f ms", $1) }
            /instructions/ { n = ($1 ~ /^[0-9]/) ? sprintf("%.4g", $1) : "not counted" }
            END { printf "run %d %s: task-clock %s, instructions %s", r, w, t, n }' \
            "$out/perf.txt"
        sed -n 's/.*write the output: /, write the output /p' "$out/run.err"
    done
    i=$((i + 1))
done
if [ "${CALLGRIND:-0}" = 1 ]; then
    for which in old new; do
        if [ "$which" = old ]; then q=$old; else q=$new; fi
        valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$which" \
            "$q" suggest --threads 1 --train "$train" --top 3 "$test" \
            >"$out/callgrind-$which.jsonl" 2>"$out/callgrind-$which.err"
        printf 'callgrind %s (--threads 1): %s instructions\n' "$which" \
            "$(sed -n 's/.*Collected : //p' "$out/callgrind-$which.err")"
    done
fi
exit $status
