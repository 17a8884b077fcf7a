#!/usr/bin/env python3
"""Writes the transcripts in other shapes than UTF-8 text, as tools save
them: Word documents (.docx) the way transcription services export them,
UTF-16 with a byte-order mark (Windows' "Unicode" text) and Windows-1252
(Word's "Windows (Default)" plain text). Run from this folder; the files
it writes are committed beside it, so the tests need no Python.

    python3 make-encoded.py
"""
import zipfile
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml"'
    ' ContentType="application/xml"/><Override PartName="/word/document.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="word/document.xml"/></Relationships>')


def paragraph(text, bold_name=False):
    """One w:p; a speaker line's name in a bold run of its own, and the
    text cut into two runs, as Word splits runs."""
    if not text:
        return "<w:p/>"
    runs = []
    if bold_name and ":" not in text:
        name, _, rest = text.partition("  ")
        runs.append('<w:r><w:rPr><w:b/></w:rPr><w:t>%s</w:t></w:r>'
                    % escape(name))
        if rest:
            runs.append('<w:r><w:t xml:space="preserve">  %s</w:t></w:r>'
                        % escape(rest))
    else:
        half = len(text) // 2
        for part in (text[:half], text[half:]):
            runs.append('<w:r><w:rPr><w:rFonts w:ascii="Calibri"/></w:rPr>'
                        '<w:t xml:space="preserve">%s</w:t></w:r>'
                        % escape(part))
    return ('<w:p><w:pPr><w:spacing w:after="160"/></w:pPr>%s</w:p>'
            % "".join(runs))


def docx(path, lines, bold_names=False):
    body = "".join(paragraph(l, bold_names) for l in lines)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="%s"><w:body>%s<w:sectPr/></w:body>'
           '</w:document>' % (W, body))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES),
                           ("_rels/.rels", RELS),
                           ("word/document.xml", doc)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


# Otter and Rev export one paragraph a line, with spacing, no blank ones.
docx("otter.docx", [l for l in lines_of("otter.txt") if l.strip()], True)
docx("rev.docx", [l for l in lines_of("rev.txt") if l.strip()])
# A document typed by hand: blank paragraphs between turns.
docx("header.docx", lines_of("header.txt"))

text = open("labels.txt", encoding="utf-8").read()
with open("labels-utf16.txt", "wb") as f:
    f.write(b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le"))
with open("cafe-cp1252.txt", "wb") as f:
    f.write(("Interviewer: Where did you meet the peer worker?\n"
             "Participant: At the caf\u00e9 \u2013 the \u201cdrop-in\u201d "
             "one, on a Monday.\n"
             "Interviewer: And what did she say?\n"
             "Participant: That she\u2019d been na\u00efve too, once.\n")
            .encode("cp1252"))

# Excel on Windows: "CSV (Comma delimited)" is saved in the ANSI code page
# (Windows-1252), "Unicode Text" as UTF-16 with a mark, tab-delimited.
rows = [("id", "text", "code"),
        ("e1", "The caf\u00e9 drop-in \u2013 my supervisor\u2019s idea \u2013 "
               "is where I debrief.", "sup.supervision"),
        ("e2", "Pay is \u00a3 9 an hour; no \u201ccareer ladder\u201d.",
         "just.pay")]
with open("../cli/excel-ansi.csv", "wb") as f:
    f.write("".join(";".join('"%s"' % c if ";" in c else c for c in r)
                    + "\r\n" for r in rows).encode("cp1252"))
with open("../cli/excel-unicode.txt", "wb") as f:
    f.write(b"\xff\xfe" + "".join("\t".join(r) + "\r\n" for r in rows)
            .encode("utf-16-le"))

# Typed in Word with its default spacing: no blank paragraph anywhere, the
# header a paragraph a line, then the turns.
docx("handtyped.docx", ["Study: S9", "Participant: P07",
                        "Date: 3 November 2026",
                        "Interviewer: How did the first week go?",
                        "P07: Long. I shadowed the other peer worker.",
                        "Interviewer: And the team?",
                        "P07: Kind, mostly. One nurse kept her distance."])
# Field notes: four paragraphs; the same with an empty paragraph at the end,
# as many documents have.
notes = ["Ward 7B, Monday. The peer worker sat in on handover.",
         "Staff asked her about the new group; she answered plainly.",
         "Afterwards she said she felt like a guest in the room.",
         "Note to self: ask about supervision next time."]
docx("notes.docx", notes)
docx("notes-trailing.docx", notes + [""])

# Microsoft Teams' transcript as a Word table: time | speaker | text, a
# row a turn.
rows = [("0:00:02", "Alex Kim", "Thanks for joining. How is the new role?"),
        ("0:00:09", "Sam Ortiz", "Busy. The ward asks for me by name now."),
        ("0:00:17", "Alex Kim", "What changed?"),
        ("0:00:20", "Sam Ortiz", "I stopped apologising for being there.")]
cells = "".join(
    "<w:tr>%s</w:tr>" % "".join(
        '<w:tc><w:tcPr><w:tcW w:w="2000"/></w:tcPr><w:p><w:r><w:t>%s</w:t>'
        "</w:r></w:p></w:tc>" % escape(c) for c in r) for r in rows)
table = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<w:document xmlns:w="%s"><w:body><w:p><w:r><w:t>Meeting transcript'
         "</w:t></w:r></w:p><w:tbl><w:tblPr/>%s</w:tbl><w:sectPr/></w:body>"
         "</w:document>" % (W, cells))
with zipfile.ZipFile("teams-table.docx", "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in (("[Content_Types].xml", CONTENT_TYPES),
                       ("_rels/.rels", RELS), ("word/document.xml", table)):
        info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, data)
# Typed with a tab after the speaker's label, the label in bold.
docx("tabbed.docx", ["INTERVIEWER\tHow did you come to peer work?",
                     "PARTICIPANT\tThrough my own recovery, honestly.",
                     "INTERVIEWER\tAnd the training?",
                     "PARTICIPANT\tForty hours, then supervision."])

# LibreOffice Writer's .odt: the hand-typed transcript again, with a run of
# spaces kept as text:s and a span, and a table row of time | name | text.
T = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TB = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
O = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
paras = "".join("<text:p>%s</text:p>" % escape(l) for l in [
    "Study: S9", "Participant: P07", "Date: 3 November 2026",
    "Interviewer: How did the first week go?"])
paras += ('<text:p>P07: Long.<text:s text:c="2"/><text:span>I shadowed'
          '</text:span> the other peer worker.<office:annotation><text:p>'
          'a comment</text:p></office:annotation></text:p>')
paras += ("<table:table><table:table-row><table:table-cell><text:p>"
          "Interviewer</text:p></table:table-cell><table:table-cell><text:p>"
          "And the team?</text:p></table:table-cell></table:table-row>"
          "</table:table>")
content = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<office:document-content xmlns:office="%s" xmlns:text="%s" '
           'xmlns:table="%s" office:version="1.3"><office:body><office:text>'
           '<text:sequence-decls/>%s</office:text></office:body>'
           '</office:document-content>' % (O, T, TB, paras))
with zipfile.ZipFile("handtyped.odt", "w") as z:
    info = zipfile.ZipInfo("mimetype", date_time=(2026, 1, 1, 0, 0, 0))
    z.writestr(info, "application/vnd.oasis.opendocument.text")
    info = zipfile.ZipInfo("content.xml", date_time=(2026, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, content)
