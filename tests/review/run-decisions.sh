#!/bin/sh
# `quarry review PROJECT --decisions FILE`: the golden cases of
# tests/review/cases (each starts from a fresh copy of one project), then
# what was stored: the decisions and codings with their coders, the times
# a file gives, all or nothing, QUARRY_CODER as the default coder, and
# standard input.
# usage: run-decisions.sh QUARRY REVIEW_CHECK SOURCE_ROOT WORK_DIR
# (WORK_DIR inside the build folder, so that goldens name it @BUILD@/...)
set -u
QUARRY=$1
CHECK=$2
ROOT=$3
WORK=$4
HERE=$ROOT/tests/review
DATA=$ROOT/tests/data/review
unset QUARRY_CODER
rm -rf "$WORK"
mkdir -p "$WORK" || exit 2
sh "$HERE/make-project.sh" "$QUARRY" "$ROOT" "$WORK/pristine.qry" 16 || exit 2
REVIEW_PRISTINE=$WORK/pristine.qry
REVIEW_PROJECT=$WORK/p.qry
export REVIEW_PRISTINE REVIEW_PROJECT

fails=0
sh "$ROOT/tests/cli/run-golden.sh" "$QUARRY" "$HERE/cases" "$ROOT" || fails=$((fails + 1))

P=$WORK/check.qry
fresh() { cp "$REVIEW_PRISTINE" "$P"; }
# expect NAME WANT-FILE GOT-FILE
expect() {
    if cmp -s "$2" "$3"; then
        echo "ok   $1"
    else
        echo "FAIL $1:"
        diff "$2" "$3" | head -20
        fails=$((fails + 1))
    fi
}

# The good file: every decision with its coder (per line, else --coder),
# the codings they made, and the times the file gave.
fresh
"$QUARRY" review "$P" --decisions "$DATA/decisions-good.jsonl" --coder dana >/dev/null
"$CHECK" decisions "$P" >"$WORK/got"
cat >"$WORK/want" <<'EOF'
S5-P01-001 accept emo.exhaustion - bob
S5-P01-002 reject just.proving - dana
S5-P01-002 replace sup.selfcare sup.organisation dana
S5-P01-003 add sup.supervision - dana
S5-P01-004 accept role.boundaries - carol
EOF
expect "good file: decisions" "$WORK/want" "$WORK/got"
"$CHECK" codings "$P" | grep -v ' gold imported$' >"$WORK/got"
cat >"$WORK/want" <<'EOF'
S5-P01-001 emo.exhaustion bob accepted-suggestion
S5-P01-002 sup.organisation dana manual
S5-P01-003 sup.supervision dana manual
S5-P01-004 role.boundaries carol accepted-suggestion
EOF
expect "good file: codings" "$WORK/want" "$WORK/got"
"$QUARRY" export "$P" --format jsonl | grep -v '"coder":"gold"' |
    sed 's/^{"id":"\([^"]*\)","code":"\([^"]*\)","coder":"\([^"]*\)","origin":"\([^"]*\)","time":"\([^"]*\)".*/\1 \2 \3 \4 \5/' >"$WORK/got"
cat >"$WORK/want" <<'EOF'
S5-P01-001 emo.exhaustion bob accepted-suggestion 2026-01-31T12:00:00Z
S5-P01-002 sup.organisation dana manual 2026-01-31T12:02:00Z
S5-P01-003 sup.supervision dana manual 2026-01-31T12:03:00Z
S5-P01-004 role.boundaries carol accepted-suggestion 2026-01-31T12:04:00Z
EOF
expect "good file: export with coder, origin and time" "$WORK/want" "$WORK/got"

# All or nothing: the good first line of a refused file is not kept.
for f in unknown-excerpt unknown-code malformed no-coder bad-verdict twice; do
    fresh
    "$QUARRY" review "$P" --decisions "$DATA/decisions-$f.jsonl" >/dev/null 2>&1
    "$CHECK" decisions "$P" >"$WORK/got"
    : >"$WORK/want"
    expect "refused file keeps nothing: $f" "$WORK/want" "$WORK/got"
done

# QUARRY_CODER names the coder of lines without one; --coder wins over it.
fresh
QUARRY_CODER=erin "$QUARRY" review "$P" --decisions "$DATA/decisions-default-coder.jsonl" >/dev/null
"$CHECK" decisions "$P" >"$WORK/got"
printf '%s\n' "S5-P01-002 reject emo.meaning - erin" "S5-P01-003 add role.drift - erin" >"$WORK/want"
expect "QUARRY_CODER as the default coder" "$WORK/want" "$WORK/got"
fresh
QUARRY_CODER=erin "$QUARRY" review "$P" --coder frank --decisions "$DATA/decisions-default-coder.jsonl" >/dev/null
"$CHECK" decisions "$P" >"$WORK/got"
printf '%s\n' "S5-P01-002 reject emo.meaning - frank" "S5-P01-003 add role.drift - frank" >"$WORK/want"
expect "--coder wins over QUARRY_CODER" "$WORK/want" "$WORK/got"

# Decisions on standard input.
fresh
"$QUARRY" review "$P" --decisions - --coder gus <"$DATA/decisions-default-coder.jsonl" >"$WORK/got"
echo "review: applied 2 decisions from standard input to $P" >"$WORK/want"
expect "decisions from standard input" "$WORK/want" "$WORK/got"

# The interactive review takes its coder from QUARRY_CODER too (and then
# refuses for want of a terminal, not of a coder).
QUARRY_CODER=erin "$QUARRY" review "$P" </dev/null >/dev/null 2>"$WORK/got"
if grep -q "no terminal to review on" "$WORK/got"; then
    echo "ok   QUARRY_CODER for the interactive review"
else
    echo "FAIL QUARRY_CODER for the interactive review: $(cat "$WORK/got")"
    fails=$((fails + 1))
fi

# The project still opens and is whole after all this.
if [ "$("$CHECK" ok "$P")" = ok ]; then
    echo "ok   project intact"
else
    echo "FAIL project intact"
    fails=$((fails + 1))
fi

echo "$fails failed"
[ "$fails" = 0 ]
