#!/bin/sh
# CLI golden tests. For every cases/NAME.args (one line of arguments, shell
# words, run from the source root with $FIXTURES naming the folder of the
# loader-test plugins):
#   NAME.exit      expected exit code (default 0)
#   NAME.stdout    expected standard output, byte for byte (optional)
#   NAME.stderr    lines that must each appear in standard error (optional)
#   NAME.stdin     fed to standard input (optional; else /dev/null)
#   NAME.gen       a sh script whose output is fed to standard input
#   NAME.setup     a sh script run first in a fresh folder $WORK (with
#                  $QUARRY the command under test), e.g. to make a project;
#                  NAME.args may name files in $WORK
# The build folder is written @BUILD@ and $WORK @WORK@ in outputs.
# QUARRY_UPDATE_GOLDEN=1 rewrites the .stdout files from the current output.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -u
QUARRY=$1
CASES=$2
ROOT=$3
FIXTURES=${4:-}
export FIXTURES
# Projects write times; pin them so outputs are reproducible.
QUARRY_FIXED_TIME=2026-01-31T12:00:00.000Z
export QUARRY_FIXED_TIME
# Times are shown in the computer's time zone: pin it too.
TZ=UTC
export TZ
BUILD_DIR=$(cd "$(dirname "$QUARRY")" && pwd)
cd "$ROOT" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for args in "$CASES"/*.args; do
    name=$(basename "$args" .args)
    base="$CASES/$name"
    want_exit=0
    [ -f "$base.exit" ] && want_exit=$(cat "$base.exit")
    stdin=/dev/null
    [ -f "$base.stdin" ] && stdin="$base.stdin"
    WORK="$tmp/work-$name"
    export WORK QUARRY
    mkdir -p "$WORK"
    if [ -f "$base.setup" ]; then
        if ! sh -e "$base.setup" >"$tmp/setup.log" 2>&1; then
            fail=$((fail + 1))
            echo "FAIL $name: setup failed: $(tail -3 "$tmp/setup.log")"
            continue
        fi
    fi
    line=$(cat "$args")
    eval "set -- $line"
    if [ -f "$base.gen" ]; then
        sh "$base.gen" >"$tmp/in"
        stdin="$tmp/in"
    fi
    "$QUARRY" "$@" <"$stdin" >"$tmp/out" 2>"$tmp/err"
    got_exit=$?
    # Paths of the build tree differ between machines: name them @BUILD@.
    sed -e "s|$BUILD_DIR|@BUILD@|g" -e "s|$WORK|@WORK@|g" "$tmp/out" >"$tmp/out.n" && mv "$tmp/out.n" "$tmp/out"
    sed -e "s|$WORK|@WORK@|g" "$tmp/err" >"$tmp/err.n" && mv "$tmp/err.n" "$tmp/err"
    ok=1
    why=""
    if [ "$got_exit" != "$want_exit" ]; then
        ok=0
        why="exit $got_exit, expected $want_exit"
    fi
    if [ -f "$base.stdout" ]; then
        if [ "${QUARRY_UPDATE_GOLDEN:-0}" = 1 ]; then
            cp "$tmp/out" "$base.stdout"
        elif ! cmp -s "$tmp/out" "$base.stdout"; then
            ok=0
            why="$why; stdout differs: $(diff "$base.stdout" "$tmp/out" | head -5)"
        fi
    fi
    if [ -f "$base.stderr" ]; then
        while IFS= read -r want || [ -n "$want" ]; do
            [ -z "$want" ] && continue
            if ! grep -qF -- "$want" "$tmp/err"; then
                ok=0
                why="$why; stderr lacks: $want"
            fi
        done <"$base.stderr"
    fi
    # Sanitizer builds: any report fails the case, whatever the exit code.
    if grep -qE "runtime error:|AddressSanitizer|LeakSanitizer" "$tmp/err"; then
        ok=0
        why="$why; sanitizer report"
    fi
    # Whatever happens, quarry must not crash: a signal shows as exit > 128.
    if [ "$got_exit" -gt 128 ]; then
        ok=0
        why="$why; killed by signal $((got_exit - 128))"
    fi
    if [ $ok = 1 ]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name: $why"
        echo "  stderr: $(head -3 "$tmp/err")"
    fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
