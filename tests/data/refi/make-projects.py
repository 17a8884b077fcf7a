# Writes the REFI-QDA test projects of tests/data/refi (run: python3 make-projects.py OUTDIR).
# GUIDs are fixed; positions are computed from the texts, inclusive in basic/,
# exclusive (as QualCoder writes them) in exclusive/.
import os, sys, html
out = sys.argv[1]
os.makedirs(out + "/basic/sources", exist_ok=True)
G = lambda n: "{:08x}-0000-4000-8000-{:012x}".format(0x5e1ec7ed, n)  # readable fixed guids
U1, U2 = "0f1e2d3c-0000-4000-8000-000000000001", "0f1e2d3c-0000-4000-8000-000000000002"
t1 = ("Interviewer: Wie geht's dir in der neuen Rolle?\r\n"
      "Peer: Ich fühle mich müde – aber auch stolz. Meine Geschichte hilft anderen.\r\n"
      "Interviewer: Und die Kollegen im Team?\r\n"
      "Peer: Sie verstehen meine Rolle nicht. 😞 Supervision hilft mir.\r\n")
t2 = ("Q: 支援者として何を感じますか？\r\n"
      "A: 経験を共有すると、つながりを感じます。\r\n"
      "A: Sometimes I feel like a token hire.\r\n")
def pos(t, s, inclusive=True):
    i = t.index(s)
    return i, (i + len(s) - 1) if inclusive else i + len(s)
def q(s):  # attribute escape: keep CR/LF exact
    return html.escape(s, quote=True).replace("\r", "&#13;").replace("\n", "&#10;")
def tq(s):
    return html.escape(s, quote=False).replace("\r", "&#13;")
src1, src2 = G(100), G(101)
with open(out + "/basic/sources/" + src1 + ".txt", "wb") as f:
    f.write(t1.encode())
codes = f'''  <CodeBook>
    <Codes>
      <Code guid="{G(1)}" name="Emotional impacts" isCodable="false" color="#c03">
        <Description>Theme: how the work feels &amp; what it costs.</Description>
        <Code guid="{G(2)}" name="Fatigue" isCodable="true" color="#FF9900">
          <Description>Tiredness, “burn-out”, exhaustion.</Description>
        </Code>
        <Code guid="{G(3)}" name="Pride" isCodable="true" color="#33aa33"/>
      </Code>
      <Code guid="{G(4)}" name="Sources of support" isCodable="false" color="#3366CC">
        <Code guid="{G(5)}" name="Supervision" isCodable="true">
          <Description>Support from a supervisor.</Description>
          <Code guid="{G(6)}" name="Peer supervision" isCodable="true" color="#6699FF"/>
        </Code>
      </Code>
      <Code guid="{G(7)}" name="Role ambiguity &lt;unclear&gt;" isCodable="true" color="#996633"/>
      <Code guid="{G(8)}" name="Connection (つながり)" isCodable="true"/>
    </Codes>
  </CodeBook>
'''
def sel(g, t, s, code_guids, user, inclusive=True, desc=None):
    a, b = pos(t, s, inclusive)
    out = f'        <PlainTextSelection guid="{g}" name="{q(s)}" startPosition="{a}" endPosition="{b}" creatingUser="{user}" creationDateTime="2025-03-0{len(code_guids)+1}T10:00:00Z">\n'
    if desc:
        out += f'          <Description>{tq(desc)}</Description>\n'
    for i, (cg, u) in enumerate(code_guids):
        out += f'          <Coding guid="{G(900 + int(g[-3:], 16) * 3 + i)}" creatingUser="{u}" creationDateTime="2025-03-01T10:00:00Z"><CodeRef targetGUID="{cg}"/></Coding>\n'
    out += '        </PlainTextSelection>\n'
    return out
def sources(inclusive):
    s = f'''  <Sources>
    <TextSource guid="{src1}" name="interview-01 (Deutsch).txt" plainTextPath="internal://{src1}.txt" creatingUser="{U1}" creationDateTime="2025-03-01T09:00:00Z">
      <Description>First interview; CRLF line endings.</Description>
'''
    s += sel(G(201), t1, "Ich fühle mich müde", [(G(2), U1), (G(2), U2)], U1, inclusive)
    s += sel(G(202), t1, "aber auch stolz. Meine Geschichte hilft anderen.", [(G(3), U1)], U1, inclusive)
    s += sel(G(203), t1, "Sie verstehen meine Rolle nicht. 😞", [(G(7), U2)], U2, inclusive)
    s += sel(G(204), t1, "😞 Supervision hilft mir.\r\n", [(G(5), U1), (G(6), U2)], U1, inclusive)
    s += sel(G(205), t1, "Und die Kollegen im Team?", [], U2, inclusive, desc="Annotation only (MAXQDA style): no coding.")
    s += f'''      <Coding guid="{G(300)}" creatingUser="{U2}" creationDateTime="2025-03-02T11:00:00Z"><CodeRef targetGUID="{G(4)}"/></Coding>
      <NoteRef targetGUID="{G(600)}"/>
      <VariableValue><VariableRef targetGUID="{G(400)}"/><TextValue>Berlin</TextValue></VariableValue>
    </TextSource>
    <TextSource guid="{src2}" name="interview-02.txt" creatingUser="{U2}">
      <PlainTextContent>{tq(t2)}</PlainTextContent>
'''
    s += sel(G(206), t2, "経験を共有すると、つながりを感じます。", [(G(8), U2)], U2, inclusive)
    s += sel(G(207), t2, "Sometimes I feel like a token hire.", [(G(7), U1), (G(3), U2)], U1, inclusive)
    s += f'''    </TextSource>
    <PictureSource guid="{G(150)}" name="photo.jpg" path="internal://{G(150)}.jpg">
      <PictureSelection guid="{G(151)}" firstX="1" firstY="1" secondX="5" secondY="5"><Coding guid="{G(152)}"><CodeRef targetGUID="{G(3)}"/></Coding></PictureSelection>
    </PictureSource>
  </Sources>
'''
    return s
def project(inclusive, origin):
    return f'''<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="PSS pilot – Übung" origin="{origin}" creatingUserGUID="{U1}" creationDateTime="2025-03-01T09:00:00Z">
  <Users>
    <User guid="{U1}" name="Ana Müller" id="AM"/>
    <User guid="{{{U2.upper()}}}" name="Ben O'Neill &amp; co"/>
  </Users>
{codes}  <Variables>
    <Variable guid="{G(400)}" name="site" typeOfVariable="Text"/>
    <Variable guid="{G(401)}" name="years as PSS" typeOfVariable="Integer"><Description>Years of work.</Description></Variable>
  </Variables>
  <Cases>
    <Case guid="{G(500)}" name="Participant P01">
      <Description>Speaker "Peer" in interview 01.</Description>
      <VariableValue><VariableRef targetGUID="{G(401)}"/><IntegerValue>4</IntegerValue></VariableValue>
      <SourceRef targetGUID="{src1}"/>
      <SelectionRef targetGUID="{G(201)}"/>
      <SelectionRef targetGUID="{G(151)}"/>
    </Case>
  </Cases>
{sources(inclusive)}  <Notes>
    <Note guid="{G(600)}" name="Memo: fatigue" creatingUser="{U1}" creationDateTime="2025-03-03T08:00:00Z">
      <PlainTextContent>Fatigue and pride appear together.&#13;
Check interview 02.</PlainTextContent>
    </Note>
  </Notes>
  <Links>
    <Link guid="{G(700)}" originGUID="{G(2)}" targetGUID="{G(3)}" direction="Associative"/>
  </Links>
  <Sets>
    <Set guid="{G(800)}" name="Emotions set">
      <MemberCode targetGUID="{G(2)}"/>
      <MemberCode targetGUID="{G(3)}"/>
      <MemberSource targetGUID="{src1}"/>
      <MemberNote targetGUID="{G(600)}"/>
    </Set>
  </Sets>
  <Description>Written for quarry's tests: multi-byte text, CRLF, two coders, nested codes.</Description>
</Project>
'''
with open(out + "/basic/project.qde", "w", encoding="utf-8", newline="") as f:
    f.write(project(True, "quarry tests (inclusive ends)"))
os.makedirs(out + "/exclusive/sources", exist_ok=True)
with open(out + "/exclusive/sources/" + src1 + ".txt", "wb") as f:
    f.write(t1.encode())
with open(out + "/exclusive/project.qde", "w", encoding="utf-8", newline="") as f:
    f.write(project(False, "QualCoder-like (exclusive ends)"))
# codebook
with open(out + "/codebook.qdc", "w", encoding="utf-8", newline="") as f:
    f.write(f'''<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:codebook:0:4 Codebook.xsd" origin="ATLAS.ti-like">
{codes.replace("  <CodeBook>","").replace("  </CodeBook>","").strip()}
  <Sets>
    <Set guid="{G(801)}" name="Support codes"><MemberCode guid="{G(5)}"/><MemberCode guid="{G(6)}"/></Set>
  </Sets>
</CodeBook>
''')
