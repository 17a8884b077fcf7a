#!/usr/bin/python3
"""Convert the BBC News archive (bbc.tar.gz, as downloaded from the
dataset's page: bbc/<class>/NNN.txt) to quarry's JSONL, one excerpt a line:

    {"id": "business-001", "text": "...", "code": "business"}

The text is the whole article (headline, blank line, body), with line ends
as in the file. Files are UTF-8; the one or two that are not (a pound sign
written as a latin-1 byte) are read as latin-1. Lines come out sorted by
class, then file name, so the output is the same on every machine.

usage: /usr/bin/python3 corpora/bbc/convert.py ARCHIVE [OUTPUT]
OUTPUT defaults to standard output. Only the Python standard library is used.
"""
import json
import re
import sys
import tarfile

NAME = re.compile(r"^(?:.*/)?bbc/([a-z]+)/(\d+)\.txt$")


def decode(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_archive(path):
    """(class, number, text) for every article of the archive."""
    out = []
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            if not member.isfile():
                continue
            m = NAME.match(member.name)
            if m is None:
                continue
            raw = tar.extractfile(member).read()
            out.append((m.group(1), m.group(2), decode(raw).strip()))
    out.sort(key=lambda r: (r[0], r[1]))
    return out


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 1
    try:
        rows = read_archive(argv[1])
    except (OSError, tarfile.TarError) as exc:
        sys.stderr.write("convert.py: %s: %s\n" % (argv[1], exc))
        return 1
    if not rows:
        sys.stderr.write("convert.py: %s: no bbc/<class>/NNN.txt files\n"
                         % argv[1])
        return 1
    out = open(argv[2], "w", encoding="utf-8") if len(argv) == 3 else sys.stdout
    for cls, num, text in rows:
        out.write(json.dumps({"id": "%s-%s" % (cls, num), "text": text,
                              "code": cls}, ensure_ascii=False) + "\n")
    if out is not sys.stdout:
        out.close()
    counts = {}
    for cls, _, _ in rows:
        counts[cls] = counts.get(cls, 0) + 1
    sys.stderr.write("%d articles: %s\n" % (len(rows), ", ".join(
        "%s %d" % kv for kv in sorted(counts.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
