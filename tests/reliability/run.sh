#!/bin/sh
# run.sh QUARRY SOURCE_ROOT -- see tests.cmake. Prints what failed; exits
# non-zero on any failure.
set -u
QUARRY=$1
ROOT=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() {
    echo "FAIL: $*"
    fail=1
}

# 1. Concurrent init: exactly one "created", the others "already exists",
# and the file is a project.
round=0
while [ $round -lt 20 ]; do
    rm -f "$tmp/race.quarry"
    i=0
    while [ $i -lt 8 ]; do
        "$QUARRY" init "$tmp/race.quarry" >"$tmp/out.$i" 2>"$tmp/err.$i" &
        i=$((i + 1))
    done
    wait
    made=$(cat "$tmp"/out.* | grep -c '^created ')
    exists=$(cat "$tmp"/err.* | grep -c 'already exists; not overwritten')
    if [ "$made" != 1 ] || [ "$exists" != 7 ]; then
        bad "round $round: $made created, $exists told it exists"
        cat "$tmp"/err.*
    fi
    if ! "$QUARRY" export "$tmp/race.quarry" --format csv >/dev/null 2>"$tmp/err"; then
        bad "round $round: not a project: $(cat "$tmp/err")"
    fi
    round=$((round + 1))
done

# 2. An export whose writes fail leaves the earlier file whole and no
# temporary file beside it.
"$QUARRY" init "$tmp/p.quarry" >/dev/null &&
    "$QUARRY" import "$tmp/p.quarry" "$ROOT/tests/data/project/coded.jsonl" >/dev/null ||
    bad "cannot make a project"
echo "the earlier export" >"$tmp/out.csv"
# (Messages go through a pipe: the size limit applies to files.)
err=$(
    trap '' XFSZ
    ulimit -f 0
    "$QUARRY" export "$tmp/p.quarry" --format csv --output "$tmp/out.csv" 2>&1 >/dev/null
    echo "exit $?"
)
case $err in
*"exit 2") ;;
*) bad "export past the size limit: $err (expected exit 2)" ;;
esac
case $err in
*"out.csv: cannot write: "*"(the file was not changed)"*) ;;
*) bad "export past the size limit said: $err" ;;
esac
[ "$(cat "$tmp/out.csv")" = "the earlier export" ] ||
    bad "the earlier out.csv was changed"
ls "$tmp" | grep -q partial && bad "a partial file was left: $(ls "$tmp")"
# And when it succeeds, the file is replaced whole.
"$QUARRY" export "$tmp/p.quarry" --format csv --output "$tmp/out.csv" ||
    bad "export failed"
head -1 "$tmp/out.csv" | grep -q '^id,code,coder' || bad "out.csv not replaced"
ls "$tmp" | grep -q partial && bad "a partial file was left: $(ls "$tmp")"

[ $fail = 0 ] && echo "all passed"
exit $fail
