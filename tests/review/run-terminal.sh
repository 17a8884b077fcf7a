#!/bin/sh
# `quarry review` in a real terminal: tmux runs it, send-keys decides
# (two codes accepted in one visit, Enter to move on, reject, replace,
# skip, accept by number, remove of a coding, undo, reject by number,
# add, a code's definition, a memo, quit), capture-pane checks the screen,
# a lead settles the excerpt the coders disagree on (--order
# disagreements: each coder's codes, a number marks a final code, Enter
# settles),
# review_check and `quarry export` check exactly what was stored under the
# coder's name. A long excerpt in an 80x24 window scrolls with its
# suggestions and evidence on screen.
# Then quarry is killed mid-review (SIGKILL): every decision made before
# is still there and the project opens whole; and SIGTERM, SIGINT and
# SIGHUP leave the terminal as it was.
# usage: run-terminal.sh QUARRY REVIEW_CHECK SOURCE_ROOT WORK_DIR
# Exits 77 (skipped) when tmux is missing.
set -u
QUARRY=$1
CHECK=$2
ROOT=$3
WORK=$4
command -v tmux >/dev/null 2>&1 || {
    echo "tmux not found: skipped"
    exit 77
}
unset QUARRY_CODER TMUX
rm -rf "$WORK"
mkdir -p "$WORK" || exit 2
P=$WORK/p.qry
sh "$ROOT/tests/review/make-project.sh" "$QUARRY" "$ROOT" "$P" 3 || exit 2

SOCK=quarry-review-test-$$
T="tmux -L $SOCK -f /dev/null"
cleanup() { $T kill-server >/dev/null 2>&1; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# An idle session keeps the server up between the sessions under test (a
# server whose last session ends exits, racing the next new-session).
$T new-session -d -s keep "sleep 600" || {
    echo "FAIL tmux cannot start a session"
    exit 1
}
fails=0
ok() { echo "ok   $1"; }
bad() {
    echo "FAIL $1"
    fails=$((fails + 1))
}

# wait_for SESSION TEXT: until the screen shows TEXT (10 s at most).
wait_for() {
    i=0
    while [ $i -lt 100 ]; do
        if $T capture-pane -p -t "$1" 2>/dev/null | grep -qF -- "$2"; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo "  the screen never showed \"$2\"; it shows:"
    $T capture-pane -p -t "$1" 2>/dev/null | sed 's/^/  | /'
    return 1
}
screen() { $T capture-pane -p -t "$1"; }
# check NAME SESSION TEXT
check() {
    if wait_for "$2" "$3"; then ok "$1"; else bad "$1"; fi
}
# start SESSION CODER [PROJECT [COLS ROWS]]: quarry review in a 100x40
# terminal, its pid in $WORK/SESSION.pid, its stdout in $WORK/SESSION.out;
# stty -g before and after in $WORK/SESSION.before, .after. $REVIEW_ARGS
# (words) go after --coder.
start() {
    cat >"$WORK/$1.sh" <<EOF
stty -g >"$WORK/$1.before"
sh -c 'echo \$\$ >"$WORK/$1.pid"; exec "$QUARRY" review "${3:-$P}" --coder "$2" ${REVIEW_ARGS:-}' >"$WORK/$1.out"
echo \$? >"$WORK/$1.rc"
stty -g >"$WORK/$1.after"
sleep 30
EOF
    $T new-session -d -s "$1" -x "${4:-100}" -y "${5:-40}" "sh '$WORK/$1.sh'" ||
        bad "tmux new-session $1"
}
# absent NAME SESSION TEXT: the screen does not show TEXT.
absent() {
    if screen "$2" | grep -qF -- "$3"; then
        bad "$1"
        screen "$2" | sed 's/^/  | /'
    else
        ok "$1"
    fi
}
keys() {
    $T send-keys -t "$@"
}

# The excerpts in queue order and their suggestions, best first.
set -- $("$CHECK" queue "$P" alice)
[ $# = 6 ] || { echo "FAIL expected 6 excerpts to review, got $#"; exit 1; }
X1=$1 X2=$2 X3=$3 X4=$4 X5=$5
sugg() { "$CHECK" suggestions "$P" "$1" | sed -n "${2}p"; }
A1=$(sugg "$X1" 1)
A2=$(sugg "$X1" 2)
B1=$(sugg "$X2" 1)
B2=$(sugg "$X2" 2)
D1=$(sugg "$X4" 1)
D2=$(sugg "$X4" 2)
# A replacement and an added code that were not suggested.
notin() {
    for c in emo.reliving emo.meaning emo.disclosure just.pay role.drift \
        sup.peers; do
        if ! "$CHECK" suggestions "$P" "$1" | grep -qx "$c"; then
            echo "$c"
            return
        fi
    done
}
REPL=$(notin "$X2")
ADD=$(notin "$X4")

start rv alice
check "screen shows the first excerpt" rv "excerpt $X1"
check "screen shows its context" rv "study: S5"
check "screen shows the top suggestion with its confidence" rv "1. $A1 "
screen rv | grep -q "confidence 0\." && ok "confidence shown" || bad "confidence shown"
screen rv | grep -q "terms: " && ok "evidence terms shown" || bad "evidence terms shown"
check "progress shown" rv "excerpt 1 of 6"

keys rv a # accept A1 on X1: it stays on screen with the coding listed
check "accept keeps the excerpt on screen" rv "Your codes: 1) $A1"
check "its place in the queue stays while it stays" rv "excerpt 1 of 6 · 5 remaining"
check "accept says how to go on" rv "Enter for the next excerpt"
keys rv 2 # a second code in the same visit
check "second code in one visit" rv "2) $A2"
screen rv | grep -q "excerpt $X1" && ok "still on the first excerpt" ||
    bad "still on the first excerpt"
keys rv Enter
check "Enter moves to the next excerpt" rv "excerpt $X2"
check "the next one is the second of the queue" rv "excerpt 2 of 6"
keys rv r # reject B1 on X2: X2 stays, B1 marked
check "reject marks the suggestion" rv "$B1 · "
check "reject keeps the excerpt on screen" rv "[rejected]"
keys rv c # replace B2 with REPL
check "replace prompt" rv "Replace $B2"
keys rv -l "$REPL"
keys rv Enter
check "replace keeps the excerpt, the new code listed" rv "Your codes: 1) $REPL"
keys rv Right
check "the right arrow moves on" rv "excerpt $X3"
keys rv s # skip X3
check "skip moves on" rv "excerpt $X4"
keys rv 1 # accept D1 on X4 ...
check "accept by number" rv "Your codes: 1) $D1"
keys rv x # ... removed again ...
check "x asks which coding" rv "remove which of your codes"
keys rv 1
check "remove of a coding" rv "saved: your coding $D1 removed"
check "removed coding gone from the screen" rv "Your codes: none yet"
keys rv u # ... the remove undone: D1 is back ...
check "undo of a remove brings the coding back" rv "Your codes: 1) $D1"
check "undo says which decision it undid" rv "undone: your removing $D1 on $X4"
keys rv u # ... and the accept undone
check "undo says so" rv "undone: your acceptance of $D1 on $X4"
check "undo of the accept" rv "Your codes: none yet"
screen rv | grep -q "excerpt $X4" && ok "undo stays on that excerpt" ||
    bad "undo stays on that excerpt"
keys rv R
check "R asks which" rv "reject which suggestion"
keys rv 2 # reject D2 on X4
check "reject by number" rv "saved: $D2 rejected"
keys rv n # add ADD to X4
check "add prompt" rv "Add a code to $X4"
keys rv -l "$ADD"
keys rv Enter
check "add lists the code" rv "Your codes: 1) $ADD"
keys rv s
check "s moves on (the skipped excerpt stays skipped)" rv "excerpt $X5"
# A code's definition and notes, and the nearest coded excerpts by their
# opening words and codes.
keys rv d
check "d asks which" rv "which code's definition"
keys rv 1
check "definition shown" rv "Definition: "
check "inclusion note shown" rv "Include: "
check "exclusion note shown" rv "Exclude: "
check "nearest coded excerpts shown" rv "Nearest coded excerpts:"
if screen rv | grep -A1 '^  "' | grep -q "by gold"; then
    ok "neighbours by their words and codes"
else
    bad "neighbours by their words and codes"
    screen rv | sed 's/^/  | /'
fi
keys rv Escape
check "back from the definition" rv "excerpt $X5"
# 80x24: everything still on screen; smaller, the evidence lines go first
# and the codes line stays.
$T resize-window -t rv -x 80 -y 24
check "80x24: codes line" rv "Your codes: "
check "80x24: evidence" rv "terms: "
check "80x24: keys" rv "q quit"
$T resize-window -t rv -x 80 -y 14
i=0
while [ $i -lt 100 ] && ! { screen rv | grep -q "^Your codes" && ! screen rv | grep -q "terms: "; }; do
    sleep 0.1
    i=$((i + 1))
done
if screen rv | grep -q "^Your codes" && ! screen rv | grep -q "terms: "; then
    ok "redrawn to fit a resized window"
else
    bad "redrawn to fit a resized window"
    screen rv | sed 's/^/  | /'
fi
$T resize-window -t rv -x 100 -y 40
check "redrawn at the larger size" rv "terms: "
keys rv '?'
check "help" rv "undo your last decision"
check "help names remove" rv "remove your coding"
keys rv Escape
check "back from help" rv "excerpt $X5"
# A memo on the excerpt: m, the text, Enter; the screen counts it and
# shows the latest's first line.
keys rv m
check "memo prompt" rv "Memo on excerpt $X5, as alice"
keys rv -l "Fridays matter to her"
keys rv Enter
check "memo saved" rv "saved: your memo on $X5"
check "memo shown with its count" rv "Memos (1, m adds one) · latest by alice: Fridays matter to her"
"$QUARRY" memo "$P" --list --excerpt "$X5" --format jsonl | grep -q '"coder":"alice".*"text":"Fridays matter to her"' &&
    ok "memo stored under the coder" || bad "memo stored under the coder"
keys rv q
i=0
while [ ! -s "$WORK/rv.after" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done

cat >"$WORK/want" <<EOF
$X1 accept $A1 - alice
$X1 accept $A2 - alice
$X2 reject $B1 - alice
$X2 replace $B2 $REPL alice
$X4 accept $D1 - alice
$X4 remove $D1 - alice
$X4 undo $D1 - alice
$X4 undo $D1 - alice
$X4 reject $D2 - alice
$X4 add $ADD - alice
EOF
"$CHECK" decisions "$P" >"$WORK/got"
if cmp -s "$WORK/want" "$WORK/got"; then ok "stored decisions"; else
    bad "stored decisions"
    diff "$WORK/want" "$WORK/got"
fi
{
    printf '%s\n' "$X1 $A1 alice accepted-suggestion" \
        "$X1 $A2 alice accepted-suggestion" | sort
    echo "$X2 $REPL alice manual"
    echo "$X4 $ADD alice manual"
} >"$WORK/want"
"$QUARRY" export "$P" --format jsonl | grep '"coder":"alice"' |
    sed 's/^{"id":"\([^"]*\)","code":"\([^"]*\)","coder":"\([^"]*\)","origin":"\([^"]*\)".*/\1 \2 \3 \4/' >"$WORK/got"
if cmp -s "$WORK/want" "$WORK/got"; then ok "exported codings"; else
    bad "exported codings"
    diff "$WORK/want" "$WORK/got"
fi
# Both codes of the one visit in the CSV export.
"$QUARRY" export "$P" --format csv --coder alice | cut -d, -f1-3 |
    grep "^$X1," >"$WORK/got"
printf '%s\n' "$X1,$A1,alice" "$X1,$A2,alice" | sort >"$WORK/want"
if cmp -s "$WORK/want" "$WORK/got"; then ok "two codes of one visit in the CSV export"; else
    bad "two codes of one visit in the CSV export"
    diff "$WORK/want" "$WORK/got"
fi
echo "review: alice made 8 decisions (3 accepted, 2 rejected, 1 replaced, 1 added, 1 removed; 2 undone); 3 of 6 excerpts left" >"$WORK/want"
if cmp -s "$WORK/want" "$WORK/rv.out"; then ok "summary line on stdout"; else
    bad "summary line on stdout"
    diff "$WORK/want" "$WORK/rv.out"
fi
[ "$(cat "$WORK/rv.rc" 2>/dev/null)" = 0 ] && ok "exit 0" || bad "exit 0"
cmp -s "$WORK/rv.before" "$WORK/rv.after" && ok "terminal restored after q" ||
    bad "terminal restored after q"
$T kill-session -t rv

# Killed mid-review: what was decided stays, the project opens whole.
start kill bob
check "second coder starts at the first excerpt" kill "excerpt $X1"
keys kill a
check "bob: accept" kill "Your codes: 1) $A1"
check "bob sees alice's codings" kill "Others: "
screen kill | grep "^Others: " | grep -q "$A2 (alice)" &&
    ok "others' codings marked with their coder" ||
    bad "others' codings marked with their coder"
keys kill Enter
check "bob: next" kill "excerpt $X2"
keys kill r
check "bob: reject" kill "[rejected]"
kill -9 "$(cat "$WORK/kill.pid")"
i=0
while [ ! -s "$WORK/kill.after" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$CHECK" decisions "$P" | grep ' bob$' >"$WORK/got"
printf '%s\n' "$X1 accept $A1 - bob" "$X2 reject $B1 - bob" >"$WORK/want"
if cmp -s "$WORK/want" "$WORK/got"; then ok "decisions survive kill -9"; else
    bad "decisions survive kill -9"
    diff "$WORK/want" "$WORK/got"
fi
# No handler runs on SIGKILL: the terminal stays raw, which shows that the
# before/after comparison below can tell.
if [ -f "$WORK/kill.after" ] && ! cmp -s "$WORK/kill.before" "$WORK/kill.after"; then
    ok "kill -9 leaves the terminal raw (the restore check can fail)"
else
    bad "kill -9 leaves the terminal raw (the restore check can fail)"
fi
[ "$("$CHECK" ok "$P")" = ok ] && ok "project opens whole after kill -9" ||
    bad "project opens whole after kill -9"
[ "$("$CHECK" decisions "$P" | grep -c ' alice$')" = 10 ] &&
    ok "alice's decisions untouched" || bad "alice's decisions untouched"
$T kill-session -t kill

# Signals: the terminal comes back as it was; the decision stays.
for sig in TERM INT HUP; do
    s=sig$sig
    start "$s" "coder$sig"
    check "SIG$sig: screen up" "$s" "excerpt $X1"
    keys "$s" a
    check "SIG$sig: decided" "$s" "saved: "
    kill -s "$sig" "$(cat "$WORK/$s.pid")"
    i=0
    while [ ! -s "$WORK/$s.after" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if [ -f "$WORK/$s.after" ] && cmp -s "$WORK/$s.before" "$WORK/$s.after"; then
        ok "SIG$sig: terminal restored"
    else
        bad "SIG$sig: terminal restored"
    fi
    [ "$("$CHECK" decisions "$P" | grep -c " coder$sig\$")" = 1 ] &&
        ok "SIG$sig: decision kept" || bad "SIG$sig: decision kept"
    $T kill-session -t "$s"
done

# Settling: alice gave X1 two codes, bob and the signal coders one; the
# lead sees each coder's codes in 80x24, marks the second code (the one
# all gave starts marked) and settles.
REVIEW_ARGS="--order disagreements" start settle lead "$P" 80 24
check "settle: the disagreement shown" settle "excerpt $X1"
check "settle: each coder's codes" settle "alice: "
check "settle: bob's codes" settle "bob: $A1"
check "settle: the agreed code marked" settle "[x] $A1 "
check "settle: keys in 80x24" settle "Enter settle"
N2=$(screen settle | sed -n "s/^ *\([0-9]\)\. \[ \] $A2 .*/\1/p")
keys settle "$N2"
check "settle: a number marks a code" settle "[x] $A2 "
keys settle Enter
check "settle: saved" settle "saved: $X1 settled on"
check "settle: nothing left" settle "Nothing left to settle"
keys settle q
i=0
while [ ! -s "$WORK/settle.after" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$CHECK" decisions "$P" | grep ' lead$' | sort >"$WORK/got"
printf '%s\n' "$X1 add $A1 - lead" "$X1 add $A2 - lead" \
    "$X1 settle - - lead" | sort >"$WORK/want"
if cmp -s "$WORK/want" "$WORK/got"; then ok "settle: stored as the lead's decisions"; else
    bad "settle: stored as the lead's decisions"
    diff "$WORK/want" "$WORK/got"
fi
[ "$("$CHECK" decisions "$P" | grep -c ' alice$')" = 10 ] &&
    ok "settle: alice's decisions untouched" ||
    bad "settle: alice's decisions untouched"
echo "review: lead settled 1 excerpt (0 undone); 0 of 1 disagreements left" >"$WORK/want"
if cmp -s "$WORK/want" "$WORK/settle.out"; then ok "settle: summary line"; else
    bad "settle: summary line"
    diff "$WORK/want" "$WORK/settle.out"
fi
$T kill-session -t settle

# A long excerpt (over 300 words) in an 80x24 window: it scrolls, and the
# suggestions with their evidence and the keys stay on screen.
L=$WORK/long.qry
sh "$ROOT/tests/review/make-project.sh" "$QUARRY" "$ROOT" "$L" 3 \
    "$ROOT/tests/data/review/long.jsonl" || exit 2
start long carol "$L" 80 24
check "long: the excerpt's start" long "When I started as a peer worker"
check "long: more below" long "more below"
check "long: evidence in 80x24" long "terms: "
check "long: suggestions in 80x24" long " 3. "
check "long: keys in 80x24" long "q quit"
absent "long: its end not shown yet" long "anyone starting out"
# first_line SESSION: the first excerpt line in view ("lines A-B of N").
first_line() {
    screen "$1" | sed -n 's/.*-- lines \([0-9]*\)-[0-9]* of .*/\1/p'
}
# at_line NAME SESSION A: the view starts at line A (10 s at most).
at_line() {
    i=0
    while [ $i -lt 100 ] && [ "$(first_line "$2")" != "$3" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if [ "$(first_line "$2")" = "$3" ]; then ok "$1"; else
        bad "$1 (the view starts at line $(first_line "$2"), not $3)"
    fi
}
keys long PageDown
i=0
while [ $i -lt 100 ] && [ "$(first_line long)" = 1 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(first_line long)" -gt 2 ] 2>/dev/null && ok "long: PgDn scrolls a page" ||
    bad "long: PgDn scrolls a page"
keys long PageDown
keys long PageDown
keys long PageDown
keys long PageDown
check "long: its end shown" long "anyone starting out"
check "long: evidence still shown" long "terms: "
check "long: codes line still shown" long "Your codes: "
absent "long: nothing more below at the end" long "more below"
absent "long: its start scrolled away" long "When I started as a peer worker"
end=$(first_line long)
keys long k
at_line "long: k scrolls back a line" long $((end - 1))
keys long PageUp
keys long PageUp
keys long PageUp
keys long PageUp
keys long PageUp
check "long: PgUp back to the start" long "When I started as a peer worker"
keys long j
at_line "long: j scrolls a line" long 2
keys long a
check "long: accept on the long excerpt" long "Your codes: 1) "
keys long q
i=0
while [ ! -s "$WORK/long.after" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$WORK/long.rc" 2>/dev/null)" = 0 ] && ok "long: exit 0" ||
    bad "long: exit 0"
[ "$("$CHECK" decisions "$L" | grep -c ' carol$')" = 1 ] &&
    ok "long: decision stored" || bad "long: decision stored"
$T kill-session -t long

echo "$fails failed"
[ "$fails" = 0 ]
