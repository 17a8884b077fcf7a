#!/usr/bin/env python3
"""Convert the 20 Newsgroups "by date" archive into quarry's JSONL.

Reads 20news-bydate.tar.gz exactly as downloaded (no unpacking) and writes
one JSON object a line, {"id", "text", "code"}, where code is the newsgroup
and id is "<subset>/<group>/<message number>". Text is cleaned as
scikit-learn's fetch_20newsgroups(remove=("headers", "footers", "quotes"))
cleans it, in the same order:

  * messages are decoded as latin-1;
  * headers: everything up to the first blank line is dropped;
  * footers: the text is cut at the last line that is empty or made only of
    hyphens, unless that line is the first one;
  * quotes: lines matching (writes in|writes:|wrote:|says:|said:|
    ^In article|^Quoted from|^\\||^>) are dropped.

A message can be left blank by this; it is still written (text ""), so the
document counts are scikit-learn's (4 categories of its clustering example,
subset all: 3,387). `quarry bench` reads a blank gold document as a document
with no terms; `quarry themes` refuses blank excerpts, so give it a file
written with --drop-empty.

    python3 corpora/20newsgroups/convert.py ARCHIVE [--subset train|test|all]
        [--categories a,b,...] [--drop-empty] [--out FILE]

With no --categories every group is written. The count of documents per
group goes to standard error. Python's standard library only.
"""
import argparse
import json
import re
import sys
import tarfile

QUOTE = re.compile(r"(writes in|writes:|wrote:|says:|said:"
                   r"|^In article|^Quoted from|^\||^>)")
SUBSETS = {"train": ("20news-bydate-train",),
           "test": ("20news-bydate-test",),
           "all": ("20news-bydate-train", "20news-bydate-test")}


def strip_header(text):
    return text.partition("\n\n")[2]


def strip_footer(text):
    lines = text.strip().split("\n")
    at = 0
    for at in range(len(lines) - 1, -1, -1):
        if lines[at].strip().strip("-") == "":
            break
    if at > 0:
        return "\n".join(lines[:at])
    return text


def strip_quotes(text):
    return "\n".join(l for l in text.split("\n") if not QUOTE.search(l))


def clean(raw):
    return strip_quotes(strip_footer(strip_header(raw)))


def messages(archive, subset, categories):
    """(subset folder, group, number, raw text), in the order of the
    subsets, then group name, then message number."""
    wanted = SUBSETS[subset]
    found = []
    with tarfile.open(archive) as tf:
        for m in tf:
            parts = m.name.split("/")
            if not m.isfile() or len(parts) != 3 or parts[0] not in wanted:
                continue
            if categories is not None and parts[1] not in categories:
                continue
            raw = tf.extractfile(m).read().decode("latin-1")
            found.append((wanted.index(parts[0]), parts[1], parts[2], raw))
    found.sort(key=lambda t: (t[0], t[1], int(t[2]) if t[2].isdigit() else 0,
                              t[2]))
    return [(wanted[s], g, num, raw) for s, g, num, raw in found]


def main():
    ap = argparse.ArgumentParser(
        description="20 Newsgroups (by date) to quarry JSONL")
    ap.add_argument("archive", help="20news-bydate.tar.gz")
    ap.add_argument("--subset", choices=sorted(SUBSETS), default="all")
    ap.add_argument("--categories",
                    help="comma-separated newsgroups (default: all 20)")
    ap.add_argument("--drop-empty", action="store_true",
                    help="leave out messages the cleaning leaves blank")
    ap.add_argument("--out", help="output file (default: standard output)")
    a = ap.parse_args()
    cats = None
    if a.categories:
        cats = set(c.strip() for c in a.categories.split(",") if c.strip())
    try:
        docs = messages(a.archive, a.subset, cats)
    except (OSError, tarfile.TarError) as e:
        sys.exit("convert.py: %s: %s" % (a.archive, e))
    groups = {}
    out = open(a.out, "w", encoding="utf-8") if a.out else sys.stdout
    written = 0
    for sub, group, num, raw in docs:
        text = clean(raw)
        if a.drop_empty and not text.strip():
            continue
        groups[group] = groups.get(group, 0) + 1
        rec = {"id": "%s/%s/%s" % (sub.rsplit("-", 1)[1], group, num),
               "text": text, "code": group}
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        written += 1
    if out is not sys.stdout:
        out.close()
    if cats is not None and set(groups) != cats:
        sys.exit("convert.py: no such newsgroup in %s: %s" % (
            a.archive, ", ".join(sorted(cats - set(groups)))))
    for g in sorted(groups):
        print("%6d %s" % (groups[g], g), file=sys.stderr)
    print("%6d documents (%s)" % (written, a.subset), file=sys.stderr)


if __name__ == "__main__":
    main()
