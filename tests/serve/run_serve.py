#!/usr/bin/env python3
"""quarry serve, end to end with curl: builds a project from the PSS demo
corpus (two coders, a suggest run), starts the server on port 0 and checks
  - the security rules of core/serve/API.md: 403 without a token, with a
    wrong one, with a foreign Host, a foreign Origin on a write, a write
    with the cookie alone; 413 over 1 MiB; the headers; the cookie;
  - every endpoint's answer, and one bad input each (the message names
    the field);
  - two servers (two coders) on one project file writing at the same time:
    every decision is there afterwards;
  - a server killed (SIGKILL) in a burst of writes: `quarry export` opens
    the project and every acknowledged write is there;
  - no answer names an http(s) URL of another host.
usage: run_serve.py QUARRY SOURCE_ROOT WORK_DIR"""
import http.client
import io
import json
import zipfile
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

QUARRY, ROOT, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
FAILS = []
SEEN = []  # every answer (headers and body), for the URL check


T0 = time.time()


def check(what, ok, detail=""):
    print("%5.1fs " % (time.time() - T0), end="")
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    if not ok:
        FAILS.append(what)


def run(*args, **kw):
    return subprocess.run([QUARRY] + list(args), cwd=ROOT,
                          capture_output=True, text=True, **kw)


class Server:
    def __init__(self, project, *args):
        self.err = open(os.path.join(WORK, "serve-%d.err" % id(self)), "w+")
        self.proc = subprocess.Popen([QUARRY, "serve", project] + list(args),
                                     stdout=subprocess.PIPE, stderr=self.err,
                                     cwd=ROOT)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline().decode() if ready else ""
        m = re.match(r"^http://127\.0\.0\.1:(\d+)/\?token=([0-9a-f]{64})$",
                     line.strip())
        if m is None:
            self.err.seek(0)
            raise SystemExit("FAIL the first stdout line is the URL: %r %s"
                             % (line, self.err.read()))
        self.port, self.token = int(m.group(1)), m.group(2)
        self.base = "http://127.0.0.1:%d" % self.port

    def req(self, method, path, body=None, token="header", headers=(),
            host=None, raw=None):
        """(status, body bytes, headers text) by curl."""
        cmd = ["curl", "-s", "-g", "-X", method, "-D", "-", "-o",
               os.path.join(WORK, "body.%d" % threading.get_ident())]
        if token == "header":
            cmd += ["-H", "X-Quarry-Token: " + self.token]
        elif token is not None:
            cmd += ["-H", "X-Quarry-Token: " + token]
        for h in headers:
            cmd += ["-H", h]
        data = None
        if body is not None or raw is not None:
            data = raw if raw is not None else json.dumps(body).encode()
            cmd += ["-H", "Content-Type: application/json",
                    "--data-binary", "@-"]
        url = (("http://%s" % host) if host else self.base) + path
        p = subprocess.run(cmd + [url], input=data, capture_output=True)
        head = p.stdout.decode(errors="replace")
        codes = re.findall(r"^HTTP/1\.[01] (\d+)", head, re.M)
        out = os.path.join(WORK, "body.%d" % threading.get_ident())
        with open(out, "rb") as f:
            got = f.read()
        SEEN.append((path, head, got))
        # The last status line: curl shows a "100 Continue" first.
        return (int(codes[-1]) if codes else 0), got, head

    def json(self, method, path, body=None, **kw):
        code, got, _ = self.req(method, path, body, **kw)
        try:
            return code, json.loads(got)
        except ValueError:
            return code, {"_raw": got.decode(errors="replace")}

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.err.seek(0)
        return rc, self.err.read()


def bad(srv, what, method, path, body, field, status=400):
    code, j = srv.json(method, path, body)
    msg = j.get("error", "") if isinstance(j, dict) else ""
    check("%s: %d naming %s" % (what, status, field),
          code == status and field in msg, "%d %r" % (code, j))


def build_project(path):
    steps = [
        ["init", path, "--codebook", "tests/report/data/escape-codebook.json"],
        ["import", path, "corpora/pss-demo/excerpts.jsonl", "--coder", "ana"],
        ["import", path, "tests/report/data/second-coder.jsonl"],
        ["import", path, "corpora/pss-demo/transcripts/S6-P01.txt",
         "corpora/pss-demo/transcripts/S6-P04.txt"],
        ["suggest", path, "--top", "2"],
    ]
    for s in steps:
        r = run(*s)
        if r.returncode != 0:
            raise SystemExit("FAIL setup %s: %s" % (s, r.stderr))


def security(srv):
    code, got, head = srv.req("GET", "/api/status", token=None)
    check("no token: 403 JSON", code == 403 and b'"error"' in got, head)
    code, got, head = srv.req("GET", "/", token=None)
    check("no token on the page: 403 HTML",
          code == 403 and b"<html" in got and "text/html" in head, head)
    code, _, _ = srv.req("GET", "/api/status", token="0" * 64)
    check("wrong token: 403", code == 403)
    code, _, _ = srv.req("GET", "/api/status?token=" + "1" * 64, token=None)
    check("wrong token in the query: 403", code == 403)
    code, _, _ = srv.req("GET", "/api/status",
                         headers=["Host: evil.example:%d" % srv.port])
    check("foreign Host: 403", code == 403)
    code, _, _ = srv.req("GET", "/api/status",
                         headers=["Host: 127.0.0.1:%d" % (srv.port + 1)])
    check("Host with another port: 403", code == 403)
    code, _, _ = srv.req("POST", "/api/undo", {"coder": "zed"},
                         headers=["Origin: http://evil.example"])
    check("foreign Origin on POST: 403", code == 403)
    code, _, _ = srv.req("POST", "/api/undo", {"coder": "zed"}, token=None,
                         headers=["Cookie: quarry_token=" + srv.token])
    check("POST with the cookie but no header: 403", code == 403)
    code, _, _ = srv.req("POST", "/api/undo", {"coder": "zed"},
                         headers=["Origin: http://localhost:%d" % srv.port])
    check("own Origin on POST: 200", code == 200)
    code, _, _ = srv.req("GET", "/api/status", token=None,
                         headers=["Cookie: quarry_token=" + srv.token])
    check("GET with the cookie: 200", code == 200)
    code, _, _ = srv.req("GET", "/api/status", headers=[
        "Host: localhost:%d" % srv.port])
    check("Host localhost:PORT: 200", code == 200)
    code, got, head = srv.req("GET", "/?token=" + srv.token, token=None)
    check("the page with the token: 200 HTML",
          code == 200 and "text/html" in head and b"<html" in got, head)
    check("the page sets the cookie",
          re.search(r"Set-Cookie: quarry_token=%s; HttpOnly; "
                    r"SameSite=Strict; Path=/" % srv.token, head) is not None,
          head)
    check("the page's Content-Security-Policy",
          "Content-Security-Policy: default-src 'self'; img-src 'self' "
          "data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
          "connect-src 'self'; frame-ancestors 'none'" in head, head)
    for h in ("Cache-Control: no-store", "X-Content-Type-Options: nosniff",
              "Referrer-Policy: no-referrer"):
        check("header " + h, h in head, head)
    for name, ctype in (("app.js", "text/javascript"), ("app.css", "text/css"),
                        ("index.html", "text/html")):
        code, got, head = srv.req("GET", "/assets/" + name, token=None,
                                  headers=["Cookie: quarry_token=" +
                                           srv.token])
        with open(os.path.join(ROOT, "core/serve/assets", name), "rb") as f:
            same = f.read() == got
        check("/assets/%s by cookie: 200 %s, the file's bytes" % (name, ctype),
              code == 200 and ("Content-Type: " + ctype) in head and same,
              head)
    code, _, _ = srv.req("GET", "/assets/nothing.js")
    check("an unknown asset: 404", code == 404)
    code, j = srv.json("GET", "/api/nothing")
    check("an unknown route: 404 JSON", code == 404 and "error" in j)
    code, j = srv.json("POST", "/api/memos", raw=b"x" * (1024 * 1024 + 10))
    check("a body over 1 MiB: 413", code == 413 and "error" in j, str(j))
    code, j = srv.json("POST", "/api/memos", raw=b"{not json")
    check("a body that is not JSON: 400", code == 400 and "error" in j)
    code, _, _ = srv.req("DELETE", "/api/status")
    check("DELETE: 405", code == 405)


def endpoints(srv):
    code, s = srv.json("GET", "/api/status")
    check("status", code == 200 and s.get("path") == "p.quarry" and
          s.get("project") == "p" and s.get("coder") == "cleo" and
          s["counts"]["excerpts"] > 300 and s["latest_run"]["run"] == 1 and
          "ana" in s["coders"] and "orders" in s, str(s)[:300])
    code, n = srv.json("GET", "/api/review/next")
    item = n.get("item") or {}
    check("review/next", code == 200 and n["progress"]["total"] > 0 and
          item.get("suggestions") and item.get("excerpt"), str(n)[:300])
    first = item.get("excerpt", "")
    sugg = (item.get("suggestions") or [{}])[0]
    check("ITEM fields", all(k in item for k in (
        "excerpt", "text", "source", "speaker", "line", "attributes", "before",
        "after", "abstain", "run", "suggestions", "codes", "others",
        "memos")) and all(k in sugg for k in (
            "code", "name", "score", "confidence", "verdict", "definition",
            "include", "exclude", "evidence")), str(item)[:300])
    nb = sugg.get("evidence", {}).get("neighbours", [])
    check("evidence neighbours: excerpt, code, similarity, text",
          nb and all(k in nb[0] for k in ("excerpt", "code", "similarity",
                                          "text")), str(nb)[:200])
    code, n2 = srv.json("GET", "/api/review/next?order=uncertain&skip=" +
                        urllib.parse.quote(first, safe=""))
    check("review/next order=uncertain with skip",
          code == 200 and n2["item"]["excerpt"] != first, str(n2)[:200])
    bad(srv, "review/next order", "GET", "/api/review/next?order=x", None,
        "order")
    bad(srv, "review/next speakers", "GET", "/api/review/next?speakers=x",
        None, "speakers")
    # Interviewer turns are out of the queue unless asked for.
    code, all_ = srv.json("GET", "/api/review/next?speakers=all")
    code2, iv = srv.json("GET", "/api/review/next?speakers=interviewers")
    code3, pa = srv.json("GET", "/api/review/next")
    role = lambda j: ((j.get("item") or {}).get("attributes") or {}).get(
        "role", "")
    check("review/next speakers: the queue is filtered",
          code == code2 == code3 == 200 and
          iv["progress"]["total"] + pa["progress"]["total"] ==
          all_["progress"]["total"] and role(pa) != "interviewer" and
          (iv["item"] is None or role(iv) == "interviewer"),
          "%s %s %s" % (all_["progress"], iv["progress"], pa["progress"]))
    code, e = srv.json("GET", "/api/excerpts/S1-P01-001")
    check("excerpts/ID", code == 200 and e["excerpt"] == "S1-P01-001" and
          any(o["coder"] == "ana" for o in e["others"]), str(e)[:300])
    bad(srv, "excerpts/ID unknown", "GET", "/api/excerpts/NOPE", None,
        "excerpt", 404)
    code, d = srv.json("POST", "/api/decisions", {
        "excerpt": first, "verdict": "accept", "code": sugg["code"],
        "note": "fits"})
    check("decisions accept", code == 200 and d["id"] > 0 and any(
        c["code"] == sugg["code"] and c["coder"] == "cleo"
        for c in d["item"]["codes"]), str(d)[:300])
    code, d2 = srv.json("POST", "/api/decisions", {
        "excerpt": first, "verdict": "accept", "code": sugg["code"]})
    check("the same decision again: 409", code == 409, str(d2))
    bad(srv, "decisions verdict", "POST", "/api/decisions",
        {"excerpt": first, "verdict": "maybe", "code": sugg["code"]},
        "verdict")
    bad(srv, "decisions excerpt", "POST", "/api/decisions",
        {"verdict": "add", "code": sugg["code"]}, "excerpt")
    bad(srv, "decisions code type", "POST", "/api/decisions",
        {"excerpt": first, "verdict": "add", "code": 3}, "code")
    code, u = srv.json("POST", "/api/undo", {})
    check("undo", code == 200 and u["undone"] == first and
          u["item"]["excerpt"] == first, str(u)[:200])
    check("undo says what it undid", u.get("what") is not None and
          u["what"]["verdict"] in ("accept", "reject", "replace", "add",
                                   "remove") and u["what"]["code"],
          str(u.get("what")))
    bad(srv, "undo coder", "POST", "/api/undo", {"coder": 7}, "coder")
    # A passage of the excerpt coded: code points of its text.
    code, e = srv.json("GET", "/api/excerpts/S1-P01-001")
    text = e["text"]
    words = "the restraints, the seclusion room"
    at = text.index(words)
    code, d = srv.json("POST", "/api/decisions", {
        "excerpt": "S1-P01-001", "verdict": "add", "code": sugg["code"],
        "span": [at, at + len(words)]})
    mine = [c for c in d.get("item", {}).get("codes", [])
            if c["code"] == sugg["code"]] if code == 200 else []
    check("decisions add with a span: the passage on the item",
          code == 200 and len(mine) == 1 and
          mine[0]["span"] == [at, at + len(words)] and
          mine[0]["passage"] == words, "%d %s" % (code, str(d)[:300]))
    # The change is in the project file itself, not only in its
    # write-ahead log: a copy of the file alone (as a cloud folder or a
    # colleague would take it while the page is open) holds it.
    copy = os.path.join(WORK, "copy.quarry")
    shutil.copyfile(os.path.join(WORK, "p.quarry"), copy)
    import sqlite3
    db = sqlite3.connect("file:%s?mode=ro" % copy, uri=True)
    n = db.execute("SELECT count(*) FROM codings WHERE span_end IS NOT NULL"
                   ).fetchone()[0]
    db.close()
    check("a copy of the project file alone, page open, has the change",
          n == 1, str(n))
    code, b = srv.json("GET", "/api/excerpts?q=seclusion%20room&coder=cleo")
    rows = [c for x in b.get("items", []) for c in x["codings"]
            if c["coder"] == "cleo"]
    check("browse: the coding's passage", code == 200 and
          any(c["passage"] == words for c in rows), str(b)[:300])
    code, e = srv.json("GET", "/api/excerpts/S1-P01-001?coder=ana")
    cleo = [o for o in e.get("others", []) if o["coder"] == "cleo"]
    check("another coder sees the passage among the others' codes",
          code == 200 and len(cleo) == 1 and
          {"code": sugg["code"], "span": [at, at + len(words)],
           "passage": words} in cleo[0]["passages"], str(cleo)[:300])
    code, u = srv.json("POST", "/api/undo", {})
    check("undo of a passage says which", code == 200 and
          u["what"]["verdict"] == "add" and
          u["what"]["span"] == [at, at + len(words)], str(u.get("what")))
    for what, span in (("empty", [4, 4]), ("outside", [0, 10 ** 6]),
                       ("not two numbers", [1]), ("a string", "1-4"),
                       ("no word", [text.index(","), text.index(",") + 1])):
        bad(srv, "decisions span " + what, "POST", "/api/decisions",
            {"excerpt": "S1-P01-001", "verdict": "add",
             "code": sugg["code"], "span": span}, "span")
    code, a = srv.json("POST", "/api/accept-above",
                       {"min_confidence": 0.5, "dry_run": True})
    check("accept-above dry run", code == 200 and a["run"] == 1 and
          "excerpts" in a and "error" in a and a["batch"] and
          "heldout_error" in a and a["heldout"] >= a["heldout_wrong"] >= 0,
          str(a))
    bad(srv, "accept-above min_confidence", "POST", "/api/accept-above",
        {"min_confidence": 2}, "min_confidence")
    code, m = srv.json("POST", "/api/memos", {"excerpt": first,
                                              "text": "a memo"})
    check("memos POST", code == 200 and m["id"] > 0, str(m))
    code, ms = srv.json("GET", "/api/memos?excerpt=" +
                        urllib.parse.quote(first, safe=""))
    check("memos GET", code == 200 and ms["memos"][0]["text"] == "a memo",
          str(ms))
    code, ms = srv.json("GET", "/api/memos?scope=project")
    check("memos GET scope=project", code == 200 and ms["memos"] == [],
          str(ms))
    bad(srv, "memos POST text", "POST", "/api/memos", {"text": ""}, "text")
    bad(srv, "memos GET scope", "GET", "/api/memos?scope=x", None, "scope")
    code, cb = srv.json("GET", "/api/codebook")
    codes = cb.get("codes", [])
    check("codebook", code == 200 and len(codes) > 10 and all(
        k in codes[0] for k in ("id", "name", "parent", "definition",
                                "include", "exclude", "keywords", "depth",
                                "is_theme", "n_codings", "n_excerpts")),
        str(cb)[:300])
    # The codebook edited through the page: add, rename, move, merge, each
    # recorded; a bad edit names its field and changes nothing.
    parent = codes[0]["id"]
    code, j = srv.json("POST", "/api/codebook", {
        "op": "add", "name": "Served code", "parent": parent,
        "definition": "added from the page", "coder": "ana"})
    added = j.get("id") if isinstance(j, dict) else None
    check("codebook add", code == 200 and added, str(j))
    code, j = srv.json("POST", "/api/codebook", {
        "op": "rename", "code": added, "name": "Served and renamed",
        "coder": "ana"})
    check("codebook rename", code == 200, str(j))
    code, j = srv.json("POST", "/api/codebook", {
        "op": "move", "code": added, "parent": "", "coder": "ana"})
    check("codebook move to the top", code == 200, str(j))
    code, cb2 = srv.json("GET", "/api/codebook")
    mine = [c for c in cb2.get("codes", []) if c["id"] == added]
    check("codebook shows the edits", len(mine) == 1 and mine[0]["name"] ==
          "Served and renamed" and not mine[0]["parent"], str(mine))
    code, j = srv.json("POST", "/api/codebook", {
        "op": "merge", "code": added, "into": parent, "coder": "ana"})
    check("codebook merge", code == 200, str(j))
    code, cb3 = srv.json("GET", "/api/codebook")
    check("codebook merged code gone", code == 200 and not any(
        c["id"] == added for c in cb3["codes"]), str(cb3)[:200])
    # What a code means, written on the page; a code made by mistake
    # deleted; one with codings refused, saying what rests on it.
    code, j = srv.json("POST", "/api/codebook", {
        "op": "define", "code": parent, "definition": "Written on the page",
        "include": "", "exclude": "Not here", "coder": "ana"})
    code2, cb4 = srv.json("GET", "/api/codebook")
    mine = [c for c in cb4.get("codes", []) if c["id"] == parent]
    check("codebook define", code == 200 and mine and mine[0]["definition"] ==
          "Written on the page" and mine[0]["exclude"] == "Not here" and
          not mine[0]["include"], str(j) + str(mine)[:300])
    code, j = srv.json("POST", "/api/codebook", {
        "op": "add", "name": "By mistake", "coder": "ana"})
    mistake = j.get("id") if isinstance(j, dict) else None
    code, j = srv.json("POST", "/api/codebook", {
        "op": "delete", "code": mistake, "coder": "ana"})
    code2, cb5 = srv.json("GET", "/api/codebook")
    check("codebook delete", code == 200 and j.get("id") is None and not any(
        c["id"] == mistake for c in cb5.get("codes", [])), str(j))
    worked = [c["id"] for c in cb5.get("codes", []) if c.get("n_codings")]
    if worked:
        bad(srv, "codebook delete of a coded code", "POST", "/api/codebook",
            {"op": "delete", "code": worked[0], "coder": "ana"}, "stays")
    bad(srv, "codebook op", "POST", "/api/codebook", {"op": "split"}, "op")
    bad(srv, "codebook add name", "POST", "/api/codebook",
        {"op": "add", "name": "", "coder": "ana"}, "name")
    bad(srv, "codebook rename unknown", "POST", "/api/codebook",
        {"op": "rename", "code": "no-such-code", "name": "x",
         "coder": "ana"}, "no-such-code", 404)
    code, x = srv.json("GET", "/api/excerpts?limit=5&study=S1&code=emo."
                       "reliving")
    check("excerpts filtered", code == 200 and x["total"] > 0 and
          all(i["study"] == "S1" for i in x["items"]) and all(
              any(c["code"] == "emo.reliving" for c in i["codings"])
              for i in x["items"]), str(x)[:300])
    code, x = srv.json("GET", "/api/excerpts?limit=3&offset=10&q=HOSPITAL")
    check("excerpts q (any case) with offset", code == 200 and x["offset"]
          == 10 and all("hospital" in i["text"].lower() for i in x["items"]),
          str(x)[:300])
    code, x = srv.json("GET", "/api/excerpts?source=S6-P01.txt&limit=500")
    check("excerpts by source", code == 200 and x["total"] > 0 and all(
        i["source"] == "S6-P01.txt" for i in x["items"]), str(x)[:200])
    bad(srv, "excerpts limit", "GET", "/api/excerpts?limit=501", None,
        "limit")
    bad(srv, "excerpts offset", "GET", "/api/excerpts?offset=-1", None,
        "offset")
    code, f = srv.json("GET", "/api/facets")
    check("facets", code == 200 and all(
        f.get(k) for k in ("sources", "participants", "studies", "coders",
                           "codes", "speakers")) and "n" in f["codes"][0] and
        any(s["name"] == "Interviewer" for s in f["speakers"]), str(f)[:300])
    # A theme's count is what filtering on it finds (its codes' excerpts).
    code, cb = srv.json("GET", "/api/codebook")
    theme = next((c["id"] for c in cb.get("codes", []) if c.get("is_theme")),
                 None)
    n = next((c["n"] for c in f.get("codes", []) if c["name"] == theme), None)
    code, x = srv.json("GET", "/api/excerpts?limit=1&code=" +
                       urllib.parse.quote(theme or "", safe=""))
    check("facets: a theme counts the excerpts its filter finds",
          theme is not None and n == x.get("total") and n > 0,
          "%s %s %s" % (theme, n, x.get("total")))
    code, x = srv.json("GET", "/api/excerpts?limit=5&speaker=Interviewer")
    check("excerpts by a speaker of the facets", code == 200 and x["total"] >
          0 and all(i["speaker"] == "Interviewer" for i in x["items"]),
          str(x)[:300])
    code, r = srv.json("GET", "/api/runs")
    check("runs", code == 200 and r["runs"][0]["run"] == 1 and
          r["runs"][0]["suggestions"] > 0, str(r)[:300])
    run0 = r["runs"][0] if code == 200 and r.get("runs") else {}
    check("runs: the command names no folder", "/" not in run0.get("command", "/"),
          run0.get("command"))
    # Material in from the page: a file's bytes, named; a folder the
    # browser sent with the name is not kept.
    tdir = os.path.join(ROOT, "tests", "data", "transcripts")
    with open(os.path.join(tdir, "otter.docx"), "rb") as f:
        docx = f.read()
    code, x = srv.json("POST", "/api/import?name=C:%5Cfakepath%5CP09.docx&study=S9",
                       raw=docx)
    check("import: a Word transcript from the page", code == 200 and
          x.get("file") == "P09.docx" and x.get("excerpts") == 6 and
          any("Word document" in n for n in x.get("notices", [])), str(x)[:300])
    code, x = srv.json("GET", "/api/excerpts?source=P09.docx&limit=50")
    check("import: its excerpts carry the study and the file's name",
          code == 200 and x["total"] == 6 and all(i["study"] == "S9" for i in x["items"]),
          str(x)[:300])
    with open(os.path.join(tdir, "cafe-cp1252.txt"), "rb") as f:
        ansi = f.read()
    code, x = srv.json("POST", "/api/import?name=cafe.txt", raw=ansi)
    check("import: bytes in another encoding refused, naming file and line",
          code == 400 and "cafe.txt:2" in x.get("error", ""), str(x)[:300])
    code, x = srv.json("POST", "/api/import?name=cafe.txt&encoding=windows-1252", raw=ansi)
    check("import: with its encoding named", code == 200 and x.get("excerpts") == 4,
          str(x)[:300])
    # A colleague's coded file: its codes are not the page's coder's.
    coded = (b'{"id": "BEN-1", "text": "Supervision every week helps me.",'
             b' "code": "sup.supervision"}\n')
    code, x = srv.json("POST", "/api/import?name=ben.jsonl", raw=coded)
    code2, b = srv.json("GET", "/api/excerpts?q=Supervision%20every%20week")
    who = [c["coder"] for i in b.get("items", []) for c in i["codings"]]
    check("import: a file's codes without a coder named are \"imported\","
          " not the page's coder's", code == 200 and who == ["imported"] and
          any("imported" in n for n in x.get("notices", [])),
          "%s %s" % (str(x)[:200], who))
    code, x = srv.json("POST", "/api/import?name=ben2.jsonl&coder=ben",
                       raw=coded.replace(b"BEN-1", b"BEN-2"))
    code2, b = srv.json("GET", "/api/excerpts?source=ben2.jsonl")
    who = [c["coder"] for i in b.get("items", []) for c in i["codings"]]
    check("import: a file's codes under the coder named", code == 200 and
          who == ["ben"], str(who))
    code, x = srv.json("POST", "/api/import?name=study.qdpx", raw=b"PK\x03\x04")
    check("import: a broken .qdpx refused, naming it", code == 400 and
          "study.qdpx: not a readable .qdpx" in x.get("error", ""), str(x)[:300])
    code, x = srv.json("POST", "/api/import?name=study.qde", raw=b"<Project/>")
    check("import: a bare project.qde: export a .qdpx", code == 400 and
          "export the project as a .qdpx" in x.get("error", ""), str(x)[:300])
    code, x = srv.json("POST", "/api/import", raw=ansi)
    check("import: a file needs its name", code == 400 and "name" in x.get("error", ""),
          str(x)[:300])
    code, x = srv.json("POST", "/api/import?name=P09.docx&interviewer=Speaker%201", raw=docx)
    check("import again with the interviewer named: roles set", code == 200 and
          x.get("excerpts") == 0 and x.get("retagged") == 3, str(x)[:300])
    code, x = srv.json("GET", "/api/sources")
    names = [s_["name"] for s_ in x.get("sources", [])] if code == 200 else []
    check("sources listed by file name, with their work",
          "P09.docx" in names and "cafe.txt" in names and all(
              "codings" in s_ and "decisions" in s_ for s_ in x.get("sources", [])), str(x)[:300])
    code, x = srv.json("POST", "/api/sources/remove", {"name": "cafe.txt"})
    check("a source nobody worked on removed", code == 200 and x.get("excerpts") == 4, str(x)[:300])
    coded = [s_ for s_ in srv.json("GET", "/api/sources")[1].get("sources", []) if s_["codings"] > 0]
    if coded:
        code, x = srv.json("POST", "/api/sources/remove", {"name": coded[0]["name"]})
        check("a source with work on it stays", code == 400 and "stays" in x.get("error", ""),
              str(x)[:300])
    code, x = srv.json("POST", "/api/suggest", {})
    check("suggest from the page: run 2, for the new excerpts too", code == 200 and
          x.get("run") == 2 and x.get("input", 0) >= 10 and x.get("stored", 0) > 0,
          str(x)[:300])
    check("runs: how the suggestions were made, in words",
          [m.get("label") for m in run0.get("method") or []][:1] == ["Plugins"] and
          any(m.get("label") == "Scores" for m in run0.get("method") or []),
          str(run0.get("method"))[:300])
    code, dis = srv.json("GET", "/api/disagreements?limit=5")
    check("disagreements", code == 200 and dis["total"] > 0 and
          len(dis["items"][0]["coders"]) >= 2, str(dis)[:300])
    bad(srv, "disagreements limit", "GET", "/api/disagreements?limit=0",
        None, "limit")
    code, ch = srv.json("GET", "/api/charts")
    names = [c["name"] for c in ch.get("charts", [])]
    check("charts", code == 200 and "cooccurrence" in names and
          all(c.get("title") for c in ch["charts"]), str(ch))
    for name in names:
        code, got, head = srv.req("GET", "/api/charts/" + name)
        check("charts/%s: an SVG" % name,
              code == 200 and "Content-Type: image/svg+xml" in head and
              got.lstrip().startswith(b"<svg") and
              got.rstrip().endswith(b"</svg>"), head + got[:200].decode())
    bad(srv, "charts/NAME unknown", "GET", "/api/charts/nothing", None,
        "nothing", 404)
    code, n3 = srv.json("GET", "/api/review/next?order=disagreements")
    dx = (n3.get("item") or {}).get("excerpt")
    check("review/next order=disagreements", code == 200 and dx and
          len(n3["item"]["others"]) >= 2 and n3["progress"]["total"] ==
          dis.get("total"), str(n3)[:300])
    codes = sorted({c for o in n3["item"]["others"] for c in o["codes"]})
    code, st = srv.json("POST", "/api/settle", {
        "excerpt": dx, "codes": codes[:1], "note": "agreed in the meeting"})
    check("settle", code == 200 and [c["code"] for c in st["item"]["codes"]]
          == codes[:1], str(st)[:300])
    code, n4 = srv.json("GET", "/api/review/next?order=disagreements")
    check("a settled excerpt leaves the disagreements queue",
          code == 200 and (n4.get("item") or {}).get("excerpt") != dx and
          n4["progress"]["remaining"] == n3["progress"]["remaining"] - 1,
          str(n4)[:200])
    bad(srv, "settle codes", "POST", "/api/settle",
        {"excerpt": dx, "codes": "emo.reliving"}, "codes")
    bad(srv, "settle unknown code", "POST", "/api/settle",
        {"excerpt": dx, "codes": ["no.such.code"]}, "no.such.code", 404)
    qdpx_in(srv)
    exports(srv)


def exports(srv):
    """The work out from the page: each file made in memory, named after
    the project; a .qdpx that quarry itself reads back whole."""
    code, got, head = srv.req("GET", "/api/export?format=qdpx")
    check("export qdpx: a zip named after the project", code == 200 and
          got[:2] == b"PK" and 'filename="p.qdpx"' in head and
          "application/zip" in head, head[:300])
    path = os.path.join(WORK, "back.qdpx")
    with open(path, "wb") as f:
        f.write(got)
    back = os.path.join(WORK, "back.quarry")
    run("init", back)
    r = run("import", back, path)
    check("export qdpx: quarry imports it back", r.returncode == 0 and
          "codings" in r.stdout, r.stdout + r.stderr)
    code, got, head = srv.req("GET", "/api/export?format=quotes")
    text = got.decode("utf-8", errors="replace")
    check("export quotes: CSV with the byte-order mark Excel needs",
          code == 200 and got[:3] == b"\xef\xbb\xbf" and
          text[1:].startswith("code,") and 'filename="p-quotes.csv"' in head,
          head[:200] + text[:200])
    code, got, head = srv.req("GET", "/api/export?format=report")
    check("export report: one HTML page", code == 200 and
          b"<html" in got[:400].lower() and 'filename="p-report.html"' in head,
          head[:200])
    for fmt in ("csv", "matrix", "cooccurrence", "memos", "decisions", "code-history", "qdc"):
        code, got, head = srv.req("GET", "/api/export?format=" + fmt)
        check("export %s" % fmt, code == 200 and len(got) > 10 and
              "attachment;" in head, head[:200])
    code, got, head = srv.req("GET", "/api/export?format=final")
    text = got.decode("utf-8", errors="replace")
    check("export final: the final coding, agreed or settled",
          code == 200 and text[1:].startswith("id,code,coder,origin,") and
          'filename="p-final-coding.csv"' in head and
          all(line.split(",")[3] in ("agreed", "settled", "single coder")
              for line in text.splitlines()[1:3] if line.count(",") > 4),
          head[:200] + text[:300])
    bad(srv, "export format", "GET", "/api/export?format=pdf", None, "format")
    code, got, head = srv.req("GET", "/api/export?format=qdpx", token=None)
    check("export needs the token", code in (401, 403), head[:100])


def codebook_in():
    """A codebook from the page's Files, on a project of its own: quarry's
    JSON and a .qdc add their codes under the page's coder; one already
    there is kept; a broken one is refused naming the file; a .json of
    excerpts still goes in as excerpts."""
    project = os.path.join(WORK, "cb.quarry")
    for s in (["init", project],
              ["import", project, "tests/data/project/new.jsonl"]):
        r = run(*s)
        if r.returncode != 0:
            raise SystemExit("FAIL setup %s: %s" % (s, r.stderr))
    srv = Server(project, "--coder", "dora")
    book = json.dumps({"codes": [
        {"id": "sup", "name": "Support"},
        {"id": "sup.peers", "name": "Peers", "parent": "sup",
         "definition": "Support from other peer workers"}]}, indent=2)
    code, x = srv.json("POST", "/api/import?name=C:%5Cbooks%5Cstarter.json",
                       raw=book.encode())
    check("a codebook .json from Files: its codes added", code == 200 and
          x.get("format") == "codebook" and x.get("added") == 2 and
          x.get("file") == "starter.json", str(x)[:300])
    code, x = srv.json("POST", "/api/import?name=starter.json",
                       raw=book.encode())
    check("the same codebook again: nothing added, both known",
          code == 200 and x.get("added") == 0 and x.get("unchanged") == 2,
          str(x)[:300])
    changed = book.replace("Support from other peer workers",
                           "Help from peers")
    code, x = srv.json("POST", "/api/import?name=starter.json",
                       raw=changed.encode())
    check("a codebook that differs: which code, which field, both values",
          code == 200 and x.get("differ") == 1 and
          x.get("differences") == ['Peers: its definition is "Help from '
                                   'peers" in the file, "Support from other '
                                   'peer workers" here'], str(x)[:400])
    with open(os.path.join(ROOT, "tests", "data", "refi", "codebook.qdc"),
              "rb") as f:
        qdc = f.read()
    code, x = srv.json("POST", "/api/import?name=nvivo.qdc&by=erin", raw=qdc)
    check("a REFI-QDA .qdc from Files: its codes added", code == 200 and
          x.get("format") == "codebook" and x.get("added", 0) >= 4,
          str(x)[:300])
    code, cb = srv.json("GET", "/api/codebook")
    names = [c["name"] for c in cb.get("codes", [])]
    check("the codebook has them", code == 200 and "Peers" in names and
          "Fatigue" in names, str(names))
    table = ("Name,Description,Files,References\r\n"
             "Workload,,0,0\r\n"
             "Workload\\Caseload,Too many people to see,2,5\r\n")
    code, x = srv.json("POST", "/api/import?name=nvivo-codes.csv",
                       raw=table.encode())
    check("NVivo's codebook saved as CSV from Files: read as a codebook",
          code == 200 and x.get("format") == "codebook" and
          x.get("added") == 2, str(x)[:300])
    dup = json.dumps({"codes": [{"id": "a", "name": "A"},
                                {"id": "a", "name": "B"}]})
    code, x = srv.json("POST", "/api/import?name=dup.json", raw=dup.encode())
    check("a broken codebook refused, naming the file", code == 400 and
          "dup.json" in x.get("error", ""), str(x)[:300])
    line = b'{"id": "J-1", "text": "A note on the ward.", "codes": ["a"]}\n'
    code, x = srv.json("POST", "/api/import?name=notes.json", raw=line)
    check("a .json of excerpts still goes in as excerpts",
          code == 400 or x.get("format") != "codebook", str(x)[:300])
    rc, err = srv.stop(signal.SIGINT)
    r = run("export", project, "--format", "code-history")
    edits = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    by = set(e.get("coder") for e in edits)
    check("the codebook's codes on the record, under who added them",
          r.returncode == 0 and len(edits) >= 6 and
          all(e.get("op") == "add" for e in edits) and by == {"dora", "erin"},
          r.stdout[:400] + r.stderr)


def qdpx_in(srv):
    """A REFI-QDA project from another tool, sent as bytes: its documents,
    codes, coders and codings go in; one whose source points outside the
    archive is refused, and nothing outside is read."""
    with open(os.path.join(ROOT, "tests", "fuzz", "corpus", "qdpx", "basic.qdpx"), "rb") as f:
        qdpx = f.read()
    code, x = srv.json("POST", "/api/import?name=C:%5Cfakepath%5Cnvivo.qdpx", raw=qdpx)
    check("import: a .qdpx from the page", code == 200 and x.get("file") == "nvivo.qdpx"
          and x.get("format") == "qdpx" and x.get("sources") == 2 and x.get("codings") == 10
          and x.get("coders") == 2 and x.get("codes", 0) > 0
          and any("PictureSource" in n for n in x.get("notices", [])), str(x)[:400])
    code, s = srv.json("GET", "/api/sources")
    names = [s_["name"] for s_ in s.get("sources", [])] if code == 200 else []
    check("import: the .qdpx's documents are sources", "interview-02.txt" in names, str(names))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("project.qde",
                   '<?xml version="1.0" encoding="utf-8"?>\n'
                   '<Project xmlns="urn:QDA-XML:project:1.0" name="outside">\n'
                   '<Sources><TextSource guid="00000000-0000-4000-8000-000000000009"'
                   ' name="hosts" plainTextPath="absolute:///etc/hosts"/></Sources>\n'
                   '</Project>\n')
    code, x = srv.json("POST", "/api/import?name=outside.qdpx", raw=buf.getvalue())
    check("import: a .qdpx naming a file outside it refused", code == 400 and
          "outside.qdpx" in x.get("error", "") and "/etc/hosts" in x.get("error", ""),
          str(x)[:400])
    code, s2 = srv.json("GET", "/api/sources")
    check("import: the refused .qdpx added nothing", code == 200 and
          len(s2.get("sources", [])) == len(s.get("sources", [])), str(s2)[:300])


def decide_many(srv, coder, excerpts, code, acked, errors, stop=None):
    """Decisions in a burst, over one kept-alive connection (http.client:
    a curl process a request would measure process start-up instead)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    for x in excerpts:
        if stop is not None and stop.is_set():
            break
        body = json.dumps({"excerpt": x, "verdict": "add", "code": code,
                           "coder": coder})
        try:
            conn.request("POST", "/api/decisions", body, {
                "X-Quarry-Token": srv.token,
                "Content-Type": "application/json"})
            resp = conn.getresponse()
            got = resp.read()
        except (OSError, http.client.HTTPException):
            break
        SEEN.append(("/api/decisions", str(resp.headers), got))
        if resp.status == 200:
            acked.append(x)
        else:
            errors.append((resp.status, got[:200]))
    conn.close()


def codings_of(project, coder):
    r = run("export", project, "--format", "jsonl", "--coder", coder)
    if r.returncode != 0:
        return None, r.stderr
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()], ""


def concurrent(project, ids):
    a = Server(project, "--coder", "dana")
    b = Server(project, "--coder", "eli")
    acked = {"dana": [], "eli": []}
    errors = []
    ts = [threading.Thread(target=decide_many, args=(
        s, s_coder, ids[:50], "sup.peers", acked[s_coder], errors))
        for s, s_coder in ((a, "dana"), (b, "eli"))]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    check("two servers, 2 x 50 decisions: all acknowledged",
          len(acked["dana"]) == 50 and len(acked["eli"]) == 50 and
          not errors, str(errors[:3]))
    for s, who in ((a, "dana"), (b, "eli")):
        rc, err = s.stop()
        check("server of %s exits 0 on SIGTERM" % who, rc == 0, err)
    for who in ("dana", "eli"):
        rows, err = codings_of(project, who)
        got = {r["id"] for r in rows or [] if r["code"] == "sup.peers"}
        check("every decision of %s is in the project" % who,
              rows is not None and set(acked[who]) <= got, err)
    check("no write-ahead log left after both stopped",
          not os.path.exists(project + "-wal"))


def killed(project, ids):
    srv = Server(project, "--coder", "finn")
    acked, errors = [], []
    stop = threading.Event()
    t = threading.Thread(target=decide_many, args=(
        srv, "finn", ids[:200], "sup.selfcare", acked, errors, stop))
    t.start()
    while len(acked) < 20 and t.is_alive():
        t.join(0.002)
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    stop.set()
    t.join()
    check("killed server: some writes acknowledged first", len(acked) >= 20,
          str(len(acked)))
    check("killed server: its write-ahead log is left to replay",
          os.path.exists(project + "-wal"))
    rows, err = codings_of(project, "finn")
    got = {r["id"] for r in rows or [] if r["code"] == "sup.selfcare"}
    check("after SIGKILL, export opens the project", rows is not None, err)
    check("after SIGKILL, every acknowledged write is there",
          set(acked) <= got, "%d acked, %d there" % (len(acked), len(got)))
    r = run("export", project, "--format", "csv")
    check("after SIGKILL, the project opens read-write too",
          run("memo", project, "--coder", "finn", "after").returncode == 0 and
          r.returncode == 0, r.stderr)


def no_foreign_urls(ports):
    # The SVG namespace is a name in the charts' xmlns, never fetched.
    own = re.compile(r"https?://((127\.0\.0\.1|localhost|\[::1\]):(%s)\b"
                     r"|www\.w3\.org/2000/svg$)"
                     % "|".join(str(p) for p in ports))
    bad_hits = []
    for path, head, body in SEEN:
        for text in (head, body.decode(errors="replace")):
            for m in re.finditer(r"https?://[^\s\"'<>]*", text):
                if not own.match(m.group(0)):
                    bad_hits.append((path, m.group(0)))
    check("no answer names a URL of another host", not bad_hits,
          str(bad_hits[:5]))


def blind(project):
    """quarry serve --blind: one coder's page shows no one else's codes."""
    r = run("serve", project, "--blind")
    check("--blind without --coder: exit 1, message",
          r.returncode == 1 and "--coder" in r.stderr, r.stderr)
    srv = Server(project, "--coder", "gwen", "--blind")
    code, st = srv.json("GET", "/api/status")
    check("blind: status says so, and offers no disagreements queue",
          code == 200 and st.get("blind") is True and
          "disagreements" not in st.get("orders", []), str(st)[:300])
    # S1-P01-001 carries ana's codings
    for q in ("", "?coder=ana"):
        code, e = srv.json("GET", "/api/excerpts/S1-P01-001" + q)
        check("blind: an excerpt others coded shows no other coder%s" % q,
              code == 200 and e.get("others") == [] and e.get("blind") is True,
              str(e.get("others"))[:200])
    code, b = srv.json("GET", "/api/excerpts?limit=20")
    check("blind: browse shows only this coder's codings",
          code == 200 and b.get("items") and
          all(c["coder"] == "gwen" for x in b["items"] for c in x["codings"]),
          str(b)[:200])
    bad(srv, "blind: another coder's codings", "GET",
        "/api/excerpts?coder=ana", None, "blind coding", status=403)
    bad(srv, "blind: disagreements", "GET", "/api/disagreements", None,
        "blind coding", status=403)
    bad(srv, "blind: disagreements queue", "GET",
        "/api/review/next?order=disagreements", None, "blind coding",
        status=403)
    bad(srv, "blind: an export with others' codes", "GET",
        "/api/export?format=csv", None, "blind coding", status=403)
    code, got, head = srv.req("GET", "/api/export?format=qdc")
    check("blind: the codebook exports", code == 200, head[:200])
    rc, err = srv.stop()
    check("blind server exits 0", rc == 0, err)


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    project = os.path.join(WORK, "p.quarry")
    build_project(project)
    r = run("serve", project, "--listen", "not-an-address")
    check("--listen with a bad address: exit 1, message",
          r.returncode == 1 and "--listen" in r.stderr, r.stderr)
    r = run("serve", os.path.join(WORK, "none.quarry"))
    check("a missing project: exit 1", r.returncode == 1, r.stderr)
    srv = Server(project, "--coder", "cleo")
    ports = [srv.port]
    security(srv)
    endpoints(srv)
    rc, err = srv.stop(signal.SIGINT)
    check("SIGINT: exit 0", rc == 0, err)
    check("stderr says how to use it", "open the address" in err, err)
    r = run("export", project, "--format", "code-history")
    edits = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    check("codebook edits from the page on the record",
          r.returncode == 0 and [e.get("op") for e in edits] ==
          ["add", "rename", "move", "merge", "edit", "edit", "edit", "add",
           "delete"],
          r.stdout[:400] + r.stderr)
    ids = [json.loads(l)["id"] for l in open(os.path.join(
        ROOT, "corpora/pss-demo/excerpts.jsonl"))][100:300]
    blind(project)
    concurrent(project, ids)
    killed(project, ids)
    codebook_in()
    no_foreign_urls(ports)
    print("%d failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
