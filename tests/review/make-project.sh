#!/bin/sh
# Make a small review project: the starter codebook, 40 coded demo
# excerpts (coder "gold"), 6 uncoded ones, and one `quarry suggest` run
# with TOP suggestions each. NEW (default tests/data/review/new.jsonl)
# gives the uncoded excerpts instead.
# usage: make-project.sh QUARRY SOURCE_ROOT OUT.qry TOP [NEW]
set -eu
QUARRY=$1
ROOT=$2
OUT=$3
TOP=$4
NEW=${5:-$ROOT/tests/data/review/new.jsonl}
rm -f "$OUT"
"$QUARRY" init "$OUT" --codebook "$ROOT/dictionaries/codebooks/pss-starter.json" >/dev/null
"$QUARRY" import "$OUT" "$ROOT/tests/data/review/coded.jsonl" --coder gold >/dev/null
"$QUARRY" import "$OUT" "$NEW" >/dev/null
if ! "$QUARRY" suggest "$OUT" --top "$TOP" >/dev/null 2>"$OUT.log"; then
    cat "$OUT.log" >&2
    exit 1
fi
rm -f "$OUT.log"
