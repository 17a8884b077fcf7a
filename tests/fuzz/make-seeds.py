#!/usr/bin/env python3
"""Write the seed corpora of the fuzz harnesses (tests/fuzz/corpus/<name>/)
from the project's own test data, plus a few small inputs written here.
Run from anywhere; rewrites the folders it owns. The .qdpx seeds are zip
archives built with fixed timestamps, so a rerun gives the same bytes.

usage: python3 tests/fuzz/make-seeds.py
"""
import os
import shutil
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
OUT = os.path.join(HERE, "corpus")

COPIES = {
    "jsonl": ["readers/good.jsonl", "readers/crlf_bom.jsonl",
              "readers/malformed.jsonl", "readers/dup_id.jsonl",
              "readers/bad_utf8_text.jsonl", "readers/empty_text.jsonl",
              "project/new.jsonl"],
    "csv": ["readers/good.csv", "readers/field_count.csv",
            "readers/unterminated.csv", "readers/bad_utf8.csv",
            "cli/small.csv", "cli/excel-unicode.txt", "cli/excel-ansi.csv"],
    "transcript": ["readers/interview.txt", "readers/dialogue.txt",
                   "readers/crlf.txt", "transcripts/otter.docx",
                   "transcripts/header.docx", "transcripts/handtyped.docx",
                   "transcripts/teams-table.docx",
                   "transcripts/handtyped.odt",
                   "transcripts/labels-utf16.txt"],
    "codebook": ["project/cycle-codebook.json"],
    "qde": ["refi/basic/project.qde", "refi/hostile/dangling.qde",
            "refi/hostile/escape.qde", "refi/hostile/namespace.qde",
            "refi/hostile/past-end.qde"],
    "qdc": ["refi/codebook.qdc"],
    "decisions": [],
}

WRITTEN = {
    "codebook": {
        "small.json":
            '{"codes": [\n'
            ' {"id": "sup", "name": "Support"},\n'
            ' {"id": "sup.peers", "name": "Peers", "parent": "sup",'
            ' "definition": "Support from peers", "include": "peer talk",'
            ' "exclude": "family", "keywords": ["peer", "group"],'
            ' "color": "#3366cc"},\n'
            ' {"id": "emo.exhaustion", "name": "Exhaustion",'
            ' "keywords": ["drained"]}\n]}\n',
    },
    # Against the harness's template project: excerpts A1-A3 (coded) and
    # B1, B2 (suggested every code); codes sup.peers, sup.supervision,
    # emo.exhaustion.
    "decisions": {
        "good.jsonl":
            '{"excerpt": "B1", "verdict": "accept", "code": "sup.peers"}\n'
            '{"excerpt": "B2", "verdict": "replace", "code": "sup.peers",'
            ' "replacement": "emo.exhaustion", "coder": "ana",'
            ' "note": "tired", "time": "2026-02-01T10:00:00Z"}\n'
            '\n'
            '{"excerpt": "B2", "verdict": "reject", "code":'
            ' "sup.supervision", "coder": "ben"}\n'
            '{"excerpt": "A1", "verdict": "add", "code": "emo.exhaustion"}\n',
        "one.jsonl":
            '{"excerpt": "B2", "verdict": "accept", "code": "emo.exhaustion",'
            ' "note": "drained"}\n',
        "bad.jsonl":
            '{"excerpt": "B1", "verdict": "accept", "code": "sup.peers"}\n'
            '{"excerpt": "B1", "verdict": "maybe", "code": "sup.peers"}\n',
        "span.jsonl":
            '{"excerpt": "A1", "verdict": "add", "code": "emo.exhaustion",'
            ' "span": [4, 16]}\n'
            '{"excerpt": "A1", "verdict": "remove", "code":'
            ' "emo.exhaustion"}\n'
            '{"excerpt": "B1", "verdict": "accept", "code": "sup.peers",'
            ' "span": [0, 3], "coder": "ana"}\n',
        "twice.jsonl":
            '{"excerpt": "B1", "verdict": "accept", "code": "sup.peers"}\r\n'
            '{"excerpt": "B1", "verdict": "accept", "code": "sup.peers"}\r\n',
    },
}

ZIP_TIME = (2026, 1, 31, 12, 0, 0)

SMALL_QDE = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<Project xmlns="urn:QDA-XML:project:1.0" name="small">\n'
    b' <Users><User guid="00000000-0000-4000-8000-000000000001"'
    b' name="Ana"/></Users>\n'
    b' <CodeBook><Codes>\n'
    b'  <Code guid="00000000-0000-4000-8000-000000000002" name="Support"'
    b' isCodable="false">\n'
    b'   <Code guid="00000000-0000-4000-8000-000000000003" name="Peers"'
    b' isCodable="true"/>\n'
    b'  </Code>\n'
    b' </Codes></CodeBook>\n'
    b' <Sources>\n'
    b'  <TextSource guid="00000000-0000-4000-8000-000000000004"'
    b' name="one.txt">\n'
    b'   <PlainTextContent>I: How was it?\nP: The peers helped.'
    b'</PlainTextContent>\n'
    b'   <PlainTextSelection guid="00000000-0000-4000-8000-000000000005"'
    b' name="The peers helped." startPosition="17" endPosition="34"'
    b' creatingUser="00000000-0000-4000-8000-000000000001">\n'
    b'    <Coding guid="00000000-0000-4000-8000-000000000006"'
    b' creatingUser="00000000-0000-4000-8000-000000000001">'
    b'<CodeRef targetGUID="00000000-0000-4000-8000-000000000003"/>'
    b'</Coding>\n'
    b'   </PlainTextSelection>\n'
    b'  </TextSource>\n'
    b' </Sources>\n'
    b'</Project>\n')

SMALL_QDC = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
    b' <Code guid="00000000-0000-4000-8000-000000000002" name="Support"'
    b' isCodable="false" color="#3366CC">\n'
    b'  <Description>Who helps.</Description>\n'
    b'  <Code guid="00000000-0000-4000-8000-000000000003" name="Peers"'
    b' isCodable="true"/>\n'
    b' </Code>\n'
    b'</Codes></CodeBook>\n')


def qdpx(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def folder_entries(folder):
    out = []
    for root, _, files in sorted(os.walk(folder)):
        for f in sorted(files):
            full = os.path.join(root, f)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            with open(full, "rb") as fh:
                out.append((rel, fh.read()))
    return out


def main():
    for name in sorted(set(COPIES) | set(WRITTEN) | {"qdpx"}):
        d = os.path.join(OUT, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for rel in COPIES.get(name, []):
            shutil.copyfile(os.path.join(DATA, rel),
                            os.path.join(d, rel.replace("/", "-")))
        for fname, text in WRITTEN.get(name, {}).items():
            with open(os.path.join(d, fname), "wb") as fh:
                fh.write(text.encode("utf-8"))
    shutil.copyfile(os.path.join(HERE, "..", "..", "dictionaries",
                                 "codebooks", "pss-starter.json"),
                    os.path.join(OUT, "codebook", "pss-starter.json"))
    d = os.path.join(OUT, "qdpx")
    # passage: quarry's export of a coding of a passage (its own entry
    # names the excerpt), also an input of the allocation-failure test.
    for sub in ("basic", "exclusive", "passage"):
        qdpx(os.path.join(d, sub + ".qdpx"),
             folder_entries(os.path.join(DATA, "refi", sub)))
    with open(os.path.join(DATA, "refi", "hostile", "escape.qde"),
              "rb") as fh:
        qdpx(os.path.join(d, "escape.qdpx"), [("project.qde", fh.read())])
    qdpx(os.path.join(d, "no-project.qdpx"), [("readme.txt", b"hello\n")])
    # Small ones, also the inputs of the allocation-failure test.
    qdpx(os.path.join(d, "small.qdpx"), [("project.qde", SMALL_QDE)])
    with open(os.path.join(OUT, "qdc", "small.qdc"), "wb") as fh:
        fh.write(SMALL_QDC)
    # A bare project.qde that reads: basic's with its one external source
    # inlined as PlainTextContent.
    base = os.path.join(DATA, "refi", "basic")
    with open(os.path.join(base, "project.qde"), "rb") as fh:
        qde = fh.read().decode("utf-8")
    guid = "5e1ec7ed-0000-4000-8000-000000000064"
    with open(os.path.join(base, "sources", guid + ".txt"), "rb") as fh:
        text = fh.read().decode("utf-8")
    text = (text.replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\r", "&#13;"))
    attr = ' plainTextPath="internal://%s.txt"' % guid
    head = qde.index(attr)
    qde = qde.replace(attr, "", 1)
    end = qde.index(">", head) + 1
    qde = qde[:end] + "\n      <PlainTextContent>" + text + \
        "</PlainTextContent>" + qde[end:]
    with open(os.path.join(OUT, "qde", "inline.qde"), "wb") as fh:
        fh.write(qde.encode("utf-8"))


if __name__ == "__main__":
    main()
