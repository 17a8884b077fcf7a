#!/bin/sh
# quarry report on the demo project: builds a project from the PSS demo
# corpus (two coders on part of it, a code and a quote full of markup, a
# suggest run), writes the report and checks the page: parses as HTML,
# every <svg> parses as XML, nothing external is referenced, every code
# of the codebook is there, markup from the project comes out escaped,
# the sections come in order. Then a one-coder project without a run, and
# a failing report that must leave an existing file as it was.
# usage: run-report.sh QUARRY SOURCE_ROOT WORK_DIR
set -u
QUARRY=$1
ROOT=$2
WORK=$3
QUARRY_FIXED_TIME=2026-01-31T12:00:00.000Z
export QUARRY_FIXED_TIME
fail=0
check() { # check WHAT COMMAND...: one named check
    what=$1
    shift
    if "$@"; then
        echo "ok   $what"
    else
        echo "FAIL $what"
        fail=1
    fi
}
has() { grep -qF -- "$1" "$2"; }
hasnt() { ! grep -qiF -- "$1" "$2"; }

rm -rf "$WORK" && mkdir -p "$WORK" || exit 2
cd "$ROOT" || exit 2
P=$WORK/p.quarry
R=$WORK/report.html
# The starter codebook and, under a theme, one code full of markup.
"$QUARRY" init "$P" --codebook tests/report/data/escape-codebook.json &&
"$QUARRY" import "$P" corpora/pss-demo/excerpts.jsonl --coder ana &&
"$QUARRY" import "$P" tests/report/data/second-coder.jsonl &&
"$QUARRY" import "$P" tests/report/data/escape.jsonl &&
"$QUARRY" import "$P" corpora/pss-demo/transcripts/S6-P01.txt \
    corpora/pss-demo/transcripts/S6-P04.txt &&
"$QUARRY" suggest "$P" --top 2 >/dev/null 2>&1 || { echo "FAIL setup"; exit 1; }
"$QUARRY" report "$P" -o "$R" --bootstrap 200 2>"$WORK/err"
check "report exits 0" test $? -eq 0
check "report written" test -s "$R"
check "success message" has "quarry report: wrote $R" "$WORK/err"

# HTML: libxml2's HTML 4 parser knows no SVG element; anything else is
# an error that matters.
xmllint --html --noout "$R" 2>"$WORK/html.err"
grep "error" "$WORK/html.err" |
    grep -v "Tag \(svg\|g\|rect\|text\|line\|title\) invalid" >"$WORK/html.bad"
check "parses as HTML" test ! -s "$WORK/html.bad"
for bad in "http://" "https://" "src=" "<script" "@import" "url(" \
    "<link" "<img" "<iframe" "<object"; do
    check "no $bad" hasnt "$bad" "$R"
done

# Each <svg>...</svg> on its own is well-formed XML.
awk -v dir="$WORK" '/<svg/ { n++; f = dir "/chart" n ".svg" }
    f != "" { print > f }
    /<\/svg>/ { close(f); f = "" }' "$R"
n=0
for svg in "$WORK"/chart*.svg; do
    [ -f "$svg" ] || continue
    n=$((n + 1))
    check "$(basename "$svg") is well-formed XML" xmllint --noout "$svg"
done
check "4 charts (by study, by coder, co-occurrence, themes)" test "$n" -eq 4

# Every code of the codebook, by id.
for id in $(sed -n 's/^ *"id": "\([^"]*\)".*/\1/p' \
    dictionaries/codebooks/pss-starter.json) x.markup; do
    check "code $id listed" has "<span class=\"id\">$id</span>" "$R"
done
check "definition and notes" has "<b>Include:</b> Being triggered;" "$R"
check "exemplar quote" has "<blockquote>&ldquo;" "$R"

# Escaping: the markup in names, definitions, quotes and studies.
check "code name escaped" has \
    "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot; &#39;code&#39;" "$R"
check "no raw markup from the project" hasnt "<b>Bold</b>" "$R"
check "definition escaped" has "&lt;script&gt;alert(1)&lt;/script&gt;" "$R"
check "quote escaped" has "Tom &amp; Jerry said &lt;b&gt;hi&lt;/b&gt;" "$R"
check "study escaped" has "S&lt;1&gt;" "$R"

# Sections in order, a page break before each when printed.
last=0
for id in codebook frequencies cooccurrence synthesis agreement method; do
    line=$(grep -n "id=\"$id\"" "$R" | head -1 | cut -d: -f1)
    check "section $id after the one before" test "${line:-0}" -gt "$last"
    last=${line:-0}
done
check "print stylesheet" has "@media print{" "$R"
check "page breaks" has "break-before:page" "$R"
check "title" has "<h1>p</h1>" "$R"
check "date" has "Coding report, 2026-01-31." "$R"
check "counts" has "<td class=\"n\">2</td>" "$R"
check "agreement by pair" has "ana &amp; ben" "$R"
check "agreement intervals" has "95% bootstrap interval (200 resamples" "$R"
check "run plugins" has "<h3>Plugins</h3>" "$R"
check "run hashes" has "SHA-256 of the training excerpts" "$R"
check "themes by study" has "Themes by study" "$R"
check "themes by study: the four themes, 7 studies" \
    test "$(grep -c '/7</text>' "$R")" -eq 4
check "no temporary file left" test -z "$(ls "$WORK" | grep partial)"

# One coder, no run: sentences instead of the agreement and the run.
P1=$WORK/one.quarry
R1=$WORK/one.html
"$QUARRY" init "$P1" --codebook dictionaries/codebooks/pss-starter.json \
    >/dev/null &&
"$QUARRY" import "$P1" corpora/pss-demo/excerpts.jsonl --coder ana \
    >/dev/null || { echo "FAIL setup one"; exit 1; }
"$QUARRY" report "$P1" -o "$R1" --title "PSS <demo> & co" --quiet \
    2>"$WORK/err1"
check "one coder: exits 0" test $? -eq 0
check "one coder: quiet" test ! -s "$WORK/err1"
check "one coder: no agreement" has "one coder only, so there is no" "$R1"
check "one coder: no run" has "quarry made no suggestions" "$R1"
check "title option escaped" has "<h1>PSS &lt;demo&gt; &amp; co</h1>" "$R1"

# An empty project, and excerpts that name no study: sentences, no chart.
"$QUARRY" init "$WORK/empty.quarry" >/dev/null
"$QUARRY" report "$WORK/empty.quarry" -o "$WORK/empty.html" --quiet
check "empty project: exits 0" test $? -eq 0
check "empty project: says so" has "The project has no codes yet." \
    "$WORK/empty.html"
check "empty project: no coding" has "No excerpt is coded yet." \
    "$WORK/empty.html"
"$QUARRY" init "$WORK/ns.quarry" \
    --codebook dictionaries/codebooks/pss-starter.json >/dev/null &&
"$QUARRY" import "$WORK/ns.quarry" tests/report/data/no-study.jsonl \
    --coder ana >/dev/null
"$QUARRY" report "$WORK/ns.quarry" -o "$WORK/ns.html" --quiet
check "no study: exits 0" test $? -eq 0
check "no study: no chart by study" has "No coded excerpt names its study" \
    "$WORK/ns.html"
check "no study: no synthesis table" has "No themes-by-study table:" \
    "$WORK/ns.html"
check "no study: co-occurrence still drawn" has "Code co-occurrence</title>" \
    "$WORK/ns.html"
xmllint --html --noout "$WORK/ns.html" 2>&1 | grep "error" |
    grep -v "Tag \(svg\|g\|rect\|text\|line\|title\) invalid" \
    >"$WORK/ns.bad"
check "no study: parses as HTML" test ! -s "$WORK/ns.bad"

# A failing report leaves the file that was there untouched.
echo "keep me" >"$WORK/keep.html"
"$QUARRY" report "$WORK/keep.html" -o "$WORK/keep.html" 2>/dev/null
check "not a project: exit 1" test $? -eq 1
check "existing output kept" has "keep me" "$WORK/keep.html"

exit $fail
