#!/bin/sh
# How long `quarry report` takes on a big project: 20,000 excerpts made
# from the PSS demo excerpts (copied with new ids, studies kept), 16,000
# of them coded by one coder, 2,000 of those by a second, 4,000 uncoded;
# one suggest run, 1,000 decisions on its suggestions. Prints the time of
# the whole report (default options: 1000 bootstrap resamples) and of
# each chart drawn alone (`quarry report --chart NAME`). Asserts nothing.
# Needs jq.
# usage: tests/bench/report_bench.sh QUARRY [WORK_DIR]
set -eu
QUARRY=$1
WORK=${2:-$(mktemp -d)}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEMO=$ROOT/corpora/pss-demo/excerpts.jsonl
mkdir -p "$WORK"
P=$WORK/big.quarry
rm -f "$P"

now() { date +%s.%N; }
took() { echo "$1 $2" | awk '{ printf "%.2f s", $2 - $1 }'; }
# timed LABEL COMMAND...: wall time and, with /usr/bin/time, CPU time
# (user + system): on a loaded machine the CPU time is the fairer figure.
timed() {
    label=$1
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$@"
        awk -v l="$label" '{ printf "%s: %.2f s wall, %.2f s CPU\n", l, $1,
            $2 + $3 }' "$WORK/time"
    else
        a=$(now)
        "$@"
        echo "$label: $(took "$a" "$(now)") wall"
    fi
}

# 56 copies of the 362 demo excerpts, ids made unique, cut at 20,000.
r=0
: >"$WORK/all.jsonl"
while [ $r -lt 56 ]; do
    r=$((r + 1))
    jq -c --arg r "$r" '.id += "-r" + $r' "$DEMO" >>"$WORK/all.jsonl"
done
head -16000 "$WORK/all.jsonl" >"$WORK/coded.jsonl"
head -20000 "$WORK/all.jsonl" | tail -4000 | jq -c 'del(.code)' \
    >"$WORK/uncoded.jsonl"
# The second coder: the same 2,000 excerpts, every fifth code changed.
head -2000 "$WORK/coded.jsonl" | jq -c --slurp \
    'to_entries[] | .value + {coder: "ben"} |
     if (.id | test("-00[05]-")) then .code = "sup.peers" else . end' \
    >"$WORK/ben.jsonl"

t0=$(now)
"$QUARRY" init "$P" \
    --codebook "$ROOT/dictionaries/codebooks/pss-starter.json" >/dev/null
"$QUARRY" import "$P" "$WORK/coded.jsonl" --coder ana >/dev/null
"$QUARRY" import "$P" "$WORK/ben.jsonl" >/dev/null
"$QUARRY" import "$P" "$WORK/uncoded.jsonl" >/dev/null
t1=$(now)
echo "build the project (20000 excerpts): $(took "$t0" "$t1")"
"$QUARRY" suggest "$P" --top 3 --format jsonl >"$WORK/sug.jsonl" 2>/dev/null
t2=$(now)
echo "suggest (4000 excerpts): $(took "$t1" "$t2")"
# Decisions: the top suggestion accepted, the second rejected, on the
# first 500 excerpts suggested for.
jq -c 'select(.suggestions | length >= 2) |
    {excerpt: .id, verdict: "accept", code: .suggestions[0].code},
    {excerpt: .id, verdict: "reject", code: .suggestions[1].code}' \
    "$WORK/sug.jsonl" | head -1000 >"$WORK/decisions.jsonl"
"$QUARRY" review "$P" --decisions "$WORK/decisions.jsonl" --coder ana \
    --quiet

timed "quarry report (whole page)" \
    "$QUARRY" report "$P" -o "$WORK/report.html" --quiet
echo "  ($(wc -c <"$WORK/report.html") bytes)"
for name in $("$QUARRY" report --charts | cut -f1); do
    timed "  --chart $name" \
        "$QUARRY" report "$P" --chart "$name" -o "$WORK/$name.svg" --quiet
done
timed "quarry report --bootstrap 0" \
    "$QUARRY" report "$P" -o "$WORK/report0.html" --bootstrap 0 --quiet
