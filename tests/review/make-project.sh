#!/bin/sh
# Make a small review project: the starter codebook, 40 coded demo
# excerpts (coder "gold"), 6 uncoded ones, and one `quarry suggest` run
# with TOP suggestions each.
# usage: make-project.sh QUARRY SOURCE_ROOT OUT.qry TOP
set -eu
QUARRY=$1
ROOT=$2
OUT=$3
TOP=$4
rm -f "$OUT"
"$QUARRY" init "$OUT" >/dev/null
"$QUARRY" codebook import "$OUT" "$ROOT/dictionaries/codebooks/pss-starter.json" >/dev/null
"$QUARRY" import "$OUT" "$ROOT/tests/data/review/coded.jsonl" --coder gold >/dev/null
"$QUARRY" import "$OUT" "$ROOT/tests/data/review/new.jsonl" >/dev/null
if ! "$QUARRY" suggest "$OUT" --top "$TOP" >/dev/null 2>"$OUT.log"; then
    cat "$OUT.log" >&2
    exit 1
fi
rm -f "$OUT.log"
