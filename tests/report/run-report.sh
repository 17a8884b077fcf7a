#!/bin/sh
# quarry report on the demo project: builds a project from the PSS demo
# corpus (two coders on part of it, a code and a quote full of markup, a
# suggest run, decisions by hand and a batch), writes the report and
# checks the page: parses as HTML, every <svg> parses as XML and has a
# title and a description, nothing external is referenced, every code of
# the codebook is there, markup from the project comes out escaped, the
# sections come in order. Each chart by name (quarry report --chart) is
# an SVG file of its own; the reliability diagram's bins hold every
# decision taken by hand. Then a one-coder project without a run, and a
# failing report that must leave an existing file as it was.
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
"$QUARRY" import "$P" --study S6 corpora/pss-demo/transcripts/S6-P01.txt \
    corpora/pss-demo/transcripts/S6-P04.txt &&
"$QUARRY" suggest "$P" --top 2 --format jsonl >"$WORK/sug.jsonl" 2>/dev/null ||
    { echo "FAIL setup"; exit 1; }
# Decisions by hand on the first 12 excerpts suggested for: the top
# suggestion accepted, the second rejected (24 decisions), and a batch
# by another coder, which the reliability diagram leaves out.
jq -c '.id as $id | select(.suggestions | length == 2) |
    {excerpt: $id, verdict: "accept", code: .suggestions[0].code},
    {excerpt: $id, verdict: "reject", code: .suggestions[1].code}' \
    "$WORK/sug.jsonl" | head -24 >"$WORK/decisions.jsonl"
decided=$(wc -l <"$WORK/decisions.jsonl")
"$QUARRY" review "$P" --decisions "$WORK/decisions.jsonl" --coder ana \
    --quiet &&
"$QUARRY" review "$P" --accept-above 0.5 --coder cy --quiet >/dev/null ||
    { echo "FAIL setup decisions"; exit 1; }
"$QUARRY" report "$P" -o "$R" --bootstrap 200 2>"$WORK/err"
check "report exits 0" test $? -eq 0
check "report written" test -s "$R"
check "success message" has "quarry report: wrote $R" "$WORK/err"

# HTML: libxml2's HTML 4 parser knows no SVG element (nor HTML5's details,
# summary and time); anything else is
# an error that matters.
xmllint --html --noout "$R" 2>"$WORK/html.err"
grep "parser error" "$WORK/html.err" |
    grep -v "Tag \(svg\|g\|rect\|text\|line\|title\|desc\|circle\|polygon\|details\|summary\|time\) invalid" \
    >"$WORK/html.bad"
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
check "7 charts (by study, by coder, co-occurrence, themes by study, agreement, reliability, candidate themes)" test "$n" -eq 7
for svg in "$WORK"/chart*.svg; do
    [ -f "$svg" ] || continue
    check "$(basename "$svg") has a title and a description" \
        sh -c "grep -q '<title>' '$svg' && grep -q '<desc>' '$svg'"
done

# Each chart by name, alone: the names listed, each an SVG file that
# parses, with the namespace a file of its own needs and nothing else.
"$QUARRY" report --charts >"$WORK/charts.txt"
check "--charts exits 0" test $? -eq 0
check "--charts lists 7" test "$(wc -l <"$WORK/charts.txt")" -eq 7
for name in frequencies-by-study frequencies-by-coder cooccurrence \
    themes-by-study agreement reliability themes; do
    check "listed: $name" grep -q "^$name	" "$WORK/charts.txt"
    "$QUARRY" report "$P" --chart "$name" -o "$WORK/$name.svg" --quiet
    check "chart $name exits 0" test $? -eq 0
    check "chart $name is well-formed XML" xmllint --noout "$WORK/$name.svg"
    check "chart $name is one svg" test "$(head -c 45 "$WORK/$name.svg")" = \
        '<svg xmlns="http://www.w3.org/2000/svg" class'
    check "chart $name: no other URL" test \
        "$(grep -c 'http' "$WORK/$name.svg")" -eq 1
    check "chart $name: title" has "<title>" "$WORK/$name.svg"
done
"$QUARRY" report "$P" --chart reliability >"$WORK/stdout.svg" 2>"$WORK/err"
check "chart to standard output" cmp -s "$WORK/stdout.svg" \
    "$WORK/reliability.svg"
check "chart to standard output: no message" test ! -s "$WORK/err"
"$QUARRY" report "$P" --chart nope -o "$WORK/nope.svg" 2>"$WORK/err"
check "unknown chart: exit 1" test $? -eq 1
check "unknown chart: says so" has 'no chart called "nope"' "$WORK/err"
check "unknown chart: no file" test ! -e "$WORK/nope.svg"

# The reliability diagram: its bins hold every decision taken by hand
# (the batch left out), and the ECE is printed.
bins=$(sed -n 's/.*<text class="count"[^>]*>\([0-9]*\)<\/text>.*/\1/p' \
    "$WORK/reliability.svg" | awk '{ s += $1 } END { print s + 0 }')
check "reliability: 10 bins" test \
    "$(grep -c '<text class="count"' "$WORK/reliability.svg")" -eq 10
check "reliability: bins sum to the $decided decisions ($bins)" \
    test "$bins" -eq "$decided"
check "reliability: ECE printed" has "Expected calibration error (ECE): 0." \
    "$WORK/reliability.svg"
check "reliability: batch left out" has "taken in a batch (accept-above)" "$R"
check "reliability: in the report" has \
    "<title>Reliability of the engine&#39;s confidence</title>" "$R"
# Agreement: the human pair and each coder against the engine.
check "agreement: human pair" has ">ana &amp; ben</text>" \
    "$WORK/agreement.svg"
check "agreement: coder and engine" has ">ana &amp; engine</text>" \
    "$WORK/agreement.svg"
check "agreement: three panels" has ">Gwet&#39;s AC1</text>" \
    "$WORK/agreement.svg"
check "themes: bars labelled with terms" grep -q \
    '<text x="[0-9.]*" y="[0-9.]*" text-anchor="end">1\. [a-z]*, ' \
    "$WORK/themes.svg"
check "themes: in the report" has "candidate themes of the" "$R"
# The theme roll-up: every theme of the codebook with its codes.
check "roll-up section" has '<h3 id="rollup">Theme roll-up</h3>' "$R"
check "roll-up: the theme at the root" has \
    '<tr class="theme"><td style="padding-left:0.5rem">The PSS&#39;s journey' \
    "$R"
check "roll-up: a code under it" has \
    '<tr><td style="padding-left:2.5rem">Reliving one&#39;s own past</td>' \
    "$R"

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
for id in codebook frequencies cooccurrence synthesis rollup agreement \
    method themes; do
    line=$(grep -n "id=\"$id\"" "$R" | head -1 | cut -d: -f1)
    check "section $id after the one before" test "${line:-0}" -gt "$last"
    last=${line:-0}
done
check "print stylesheet" has "@media print{" "$R"
check "page breaks" has "break-before:page" "$R"
check "title" has "<h1>p</h1>" "$R"
check "date" has "Coding report, 2026-01-31." "$R"
check "counts: three coders" has "<td class=\"n\">3</td>" "$R"
check "agreement by pair" has "ana &amp; ben" "$R"
# ben and cy (cy only batch-accepted suggestions) coded nothing in common:
# named once under the table, no row of theirs in it.
check "agreement: a pair with nothing in common named once" has \
    "Left out: 1 pair of coders who coded no excerpt in common (nothing to compare): ben &amp; cy." "$R"
check "agreement: no row for that pair" hasnt "<td>ben &amp; cy</td>" "$R"
check "agreement intervals" has "95% bootstrap interval (200 resamples" "$R"
check "agreement on a handful of excerpts flagged" has \
    "On fewer than 10 excerpts in common, read with care (a few more could change them a lot): ana &amp; cy (7)." "$R"
check "run plugins" has "<h3>Plugins</h3>" "$R"
check "run plugins in words" has "<tr><th>Plugins</th><td>tokenizer regex" "$R"
check "run scores in words" has "<tr><th>Scores</th><td>each code&#39;s prototype (the average of the excerpts coded with it) and the 10 nearest coded excerpts (the most alike)" "$R"
# The run was made on "$P", a path: a report is shared, so its folder goes.
check "run command names the project, not its folder" has \
    "<tr><th>Command</th><td class=\"id\">quarry suggest --top 2 --format jsonl p.quarry" "$R"
check "no folder of this machine in the report" hasnt "$WORK" "$R"
check "run options as stored, folded" has "<details><summary>Plugins and options as stored (JSON)</summary>" "$R"
check "run hashes" has "SHA-256 of the training excerpts" "$R"
check "run time as people read it" has \
    '<th>Started</th><td><time datetime="2026-01-31T12:00:00.000Z">31 January 2026, 12:00 UTC</time>' "$R"
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
"$QUARRY" report "$P1" --chart agreement -o "$WORK/one-agree.svg" --quiet
check "one coder: agreement chart says why" has \
    "No agreement chart: the project has one coder only and no suggestions" \
    "$WORK/one-agree.svg"
check "one coder: that chart parses" xmllint --noout "$WORK/one-agree.svg"
"$QUARRY" report "$P1" --chart reliability -o "$WORK/one-rel.svg" --quiet
check "no run: reliability chart says why" has \
    "No reliability diagram: quarry made no suggestions" "$WORK/one-rel.svg"
check "no run: that chart parses" xmllint --noout "$WORK/one-rel.svg"
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
xmllint --html --noout "$WORK/ns.html" 2>&1 | grep "parser error" |
    grep -v "Tag \(svg\|g\|rect\|text\|line\|title\|desc\|circle\|polygon\|details\|summary\|time\) invalid" \
    >"$WORK/ns.bad"
check "no study: parses as HTML" test ! -s "$WORK/ns.bad"
# Some coded excerpts with a study, some without: the table of those with
# one, as the roll-up counts them, and the others counted in its caption.
"$QUARRY" import "$WORK/ns.quarry" corpora/pss-demo/excerpts.jsonl \
    --coder ana >/dev/null
"$QUARRY" report "$WORK/ns.quarry" -o "$WORK/ns2.html" --quiet
check "some without a study: the synthesis table drawn" hasnt \
    "No themes-by-study table:" "$WORK/ns2.html"
nostudy=$(jq -s '[.[] | select(.code != null)] | length' \
    tests/report/data/no-study.jsonl)
check "some without a study: those left out, counted" has \
    "$nostudy coded excerpts without a study are left out" "$WORK/ns2.html"

# A failing report leaves the file that was there untouched.
echo "keep me" >"$WORK/keep.html"
"$QUARRY" report "$WORK/keep.html" -o "$WORK/keep.html" 2>/dev/null
check "not a project: exit 1" test $? -eq 1
check "existing output kept" has "keep me" "$WORK/keep.html"

exit $fail
