#!/usr/bin/python3
"""The workbench page in a real browser: builds a demo project from the PSS
demo corpus, runs `quarry suggest`, starts `quarry serve --coder tester` on
a free port and opens the printed address in headless Chromium. Then, by
keyboard only: accept the top suggestion (1), add a second code through the
type-ahead picker (a), move on (s), accept on the next excerpt and undo it
(u). A second server, started without --coder, makes the page ask for a
name ("sam", typed in its dialog), under which one suggestion is accepted.
A passage is coded by selecting it in an excerpt's text, checked on the
page and through the API, and undone (screens passage-select.png, passage.png).
The project is then checked with `quarry export --format csv`: the two
codings by tester are there, with their origins, the undone one is not, and
sam's is.
The page must have asked nothing of any host but the server. A screenshot
of each page (review, browse, codebook, charts, runs) goes to
WORK_DIR/screens/ for people to look at.

Exit 0 when every check passes, 1 when one fails, 77 (skipped) only when
Chromium or its driver cannot start.

usage: browser_test.py QUARRY SOURCE_ROOT WORK_DIR
"""
import csv
import io
import os
import shutil
import signal
import re
import subprocess
import sys
import tempfile
import time
import json
import urllib.parse
import urllib.request

SKIP = 77
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else ": " + detail))
    if not ok:
        failures.append(what)
    return ok


class SetupError(Exception):
    pass


def run(args):
    """Runs a quarry command; its stderr goes with the error when it fails."""
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SetupError("%s exited %d: %s" % (" ".join(args[:3]), r.returncode, r.stderr.strip()))
    return r


def build_project(quarry, root, work):
    project = os.path.join(work, "demo.quarry")
    demo = os.path.join(root, "corpora", "pss-demo")
    run([quarry, "init", project, "--codebook",
         os.path.join(root, "dictionaries", "codebooks", "pss-starter.json")])
    run([quarry, "import", project, os.path.join(demo, "excerpts.jsonl"), "--coder", "ana"])
    # ben's copy of 24 of them, some coded otherwise: disagreements to settle
    run([quarry, "import", project, os.path.join(root, "tests", "report", "data", "second-coder.jsonl")])
    run([quarry, "import", project, os.path.join(demo, "transcripts", "S6-P01.txt"),
         os.path.join(demo, "transcripts", "S6-P04.txt")])
    # One turn with non-ASCII characters, one of them outside the BMP (two
    # UTF-16 units, one code point), before the passage coded in
    # passage_case().
    extra = os.path.join(work, "passage.jsonl")
    with open(extra, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": PASSAGE_EXCERPT, "study": "S9", "participant": "S9-P01", "speaker": "P01",
                            "text": PASSAGE_TEXT, "code": "sup.peers"}, ensure_ascii=False) + "\n")
    run([quarry, "import", project, extra, "--coder", "ana"])
    run([quarry, "suggest", project, "--top", "3"])
    return project


PASSAGE_EXCERPT = "S9-P01-001"
PASSAGE_TEXT = ("At the Zoom caf\u00e9 \U0001F600 we laugh a lot, honestly. "
                "The peer group saved me that winter. Nobody else at work got it.")
PASSAGE = "The peer group saved me that winter."


def start_server(quarry, project, log, coder="tester"):
    args = [quarry, "serve", project, "--port", "0"] + (["--coder", coder] if coder else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("http://"):
        proc.kill()
        proc.wait()
        raise RuntimeError("quarry serve printed no address (first line: %r)" % line)
    return proc, line


def start_browser(profile):
    """The driver, or None with a message when Chromium cannot start."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        print("SKIP: python3-selenium is not installed (%s)" % e)
        return None
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not chromium or not os.path.exists(driver_bin):
        print("SKIP: chromium or chromedriver is not installed")
        return None
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--user-data-dir=" + profile,
              "--no-first-run", "--no-default-browser-check", "--disable-extensions",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--disable-features=Translate,MediaRouter,OptimizationHints"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service(driver_bin), options=opts)
    except Exception as e:  # any failure to start the browser is a skip
        print("SKIP: Chromium cannot start here: %s" % str(e).splitlines()[0] if str(e) else e)
        return None


def wait(driver, what, cond, timeout=30):
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: cond(d))
    except Exception:
        check(what, False, "timed out")
        return None


def keys(driver, *ks):
    from selenium.webdriver.common.action_chains import ActionChains
    ac = ActionChains(driver)
    for k in ks:
        ac.send_keys(k)
    ac.perform()


def current(driver):
    return driver.execute_script(
        "var e = document.querySelector('#review-body .meta b.mono'); return e ? e.textContent : null;")


def my_codes(driver):
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('ol.codings li .mono'),"
        " function (e) { return e.textContent; });")


def suggestions(driver):
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('ol.cand .cand-name .mono'),"
        " function (e) { return e.textContent; });")


def coder_dialog(driver, quarry, project):
    """(excerpt, code) accepted as "sam" through a server started without
    --coder, or None."""
    log = open(os.devnull, "w")
    server, url = start_server(quarry, project, log, coder=None)
    try:
        driver.get(url)
        if not wait(driver, "no --coder: the page asks for a name", lambda d: d.execute_script(
                "return document.getElementById('coder-dialog').open;")):
            return None
        keys(driver, "sam", "\ue007")
        first = wait(driver, "after the name, an excerpt", lambda d: current(d))
        sugg = first and wait(driver, "its suggestions", lambda d: suggestions(d))
        if not sugg:
            return None
        keys(driver, "1")
        ok = wait(driver, "1 accepts as sam", lambda d: sugg[0] in my_codes(d))
        check("coder named in the page shown", driver.find_element("id", "coder-name").text == "sam")
        check("the page remembers the name", driver.execute_script(
            "return localStorage.getItem('quarry.coder');") == "sam")
        return (first, sugg[0]) if ok else None
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    quarry, root, work = sys.argv[1:]
    quarry = os.path.abspath(quarry)
    shutil.rmtree(work, ignore_errors=True)
    screens = os.path.join(work, "screens")
    os.makedirs(screens)
    os.environ.pop("QUARRY_FIXED_TIME", None)

    try:
        project = build_project(quarry, root, work)
    except SetupError as e:
        print("FAIL setup: %s" % e)
        return 1
    profile = tempfile.mkdtemp(prefix="quarry-chromium-")
    log = open(os.path.join(work, "serve.log"), "w")
    try:
        server, url = start_server(quarry, project, log)
    except RuntimeError as e:
        log.close()
        print("FAIL %s" % e)
        with open(os.path.join(work, "serve.log")) as f:
            sys.stdout.write(f.read()[-2000:])
        return 1
    driver = None
    try:
        driver = start_browser(profile)
        if driver is None:
            return SKIP
        return drive(driver, quarry, project, url, screens)
    finally:
        if driver is not None:
            driver.quit()
        server.send_signal(signal.SIGTERM)
        try:
            rc = server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            rc = server.wait()
        log.close()
        check("quarry serve exits 0 on SIGTERM", rc == 0, "exit %s" % rc)
        shutil.rmtree(profile, ignore_errors=True)
        if failures:
            print("serve log:")
            with open(os.path.join(work, "serve.log")) as f:
                sys.stdout.write(f.read()[-3000:])


def api_get(url, path):
    """GET path from the server with the printed address's token."""
    parsed = urllib.parse.urlsplit(url)
    token = urllib.parse.parse_qs(parsed.query).get("token", [""])[0]
    req = urllib.request.Request("%s://%s%s" % (parsed.scheme, parsed.netloc, path),
                                 headers={"X-Quarry-Token": token})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode("utf-8"))


# Selects the words given (with what is around them) in the excerpt's text,
# as a mouse would: a Range over its text nodes (through any <mark> or
# passage span), put in the window's selection.
SELECT_JS = """
var body = document.getElementById('excerpt-body');
if (!body) return false;
var t = body.textContent, a = t.indexOf(arguments[0]);
if (a < 0) return false;
var b = a + arguments[0].length, w = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
var r = document.createRange(), n, at = 0, started = false;
while ((n = w.nextNode())) {
  var len = n.data.length;
  if (!started && a < at + len) { r.setStart(n, a - at); started = true; }
  if (started && b <= at + len) { r.setEnd(n, b - at); break; }
  at += len;
}
var s = window.getSelection(); s.removeAllRanges(); s.addRange(r);
return true;
"""


def passage_case(driver, url, screens):
    """Codes a passage of an excerpt by selecting it, as a researcher
    highlights a sentence in NVivo; checks the page and the API; undoes it."""
    driver.execute_script("window.location.hash = '#/review/" + PASSAGE_EXCERPT + "';")
    if not wait(driver, "the passage excerpt opens in Review", lambda d: current(d) == PASSAGE_EXCERPT):
        return
    check("the excerpt's text element holds exactly its text", driver.execute_script(
        "return document.getElementById('excerpt-body').textContent;") == PASSAGE_TEXT)
    btn_hidden = "var b = document.getElementById('passage-btn'); return !b || b.hidden;"
    check("no passage button without a selection", driver.execute_script(btn_hidden))
    # Punctuation and spaces alone are no passage.
    driver.execute_script(SELECT_JS, ", ")
    time.sleep(0.3)
    check("a selection without a letter offers no passage", driver.execute_script(btn_hidden))
    # The sentence with the spaces around it: they are left out.
    driver.execute_script(SELECT_JS, " " + PASSAGE + " ")
    if not wait(driver, "the selection shows Code this passage", lambda d: not d.execute_script(btn_hidden)):
        return
    under = driver.execute_script(
        "var r = window.getSelection().getRangeAt(0).getClientRects(), b = document.getElementById('passage-btn');"
        " var p = b.parentNode.getBoundingClientRect(), x = b.getBoundingClientRect(), e = r[r.length - 1];"
        " return x.top >= e.bottom - 1 && x.top - e.bottom < 40 && x.left >= p.left && x.right <= p.right;")
    check("the button sits under the selection, in the excerpt's panel", under)
    driver.save_screenshot(os.path.join(screens, "passage-select.png"))
    btn = driver.find_element("id", "passage-btn")
    check("the button says Code this passage", btn.text == "Code this passage\u2026", btn.text)
    btn.click()
    if not wait(driver, "the button opens the code picker", lambda d: d.execute_script(
            "return document.getElementById('picker-dialog').open;")):
        return
    title = driver.find_element("id", "picker-title").text
    check("the picker names the passage", title == "Code the passage \u201c" + PASSAGE + "\u201d", title)
    offered = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#picker-list li .mono'),"
        " function (e) { return e.textContent; });") or []
    code = driver.execute_script(
        "var s = document.querySelector('#picker-list li[aria-selected=true] .mono'); return s ? s.textContent : null;")
    if not check("the picker offers a code", bool(code)):
        return
    keys(driver, "\ue007")  # Enter
    if not wait(driver, "the passage's code listed", lambda d: code in my_codes(d)):
        return
    start = PASSAGE_TEXT.index(PASSAGE)  # Python counts code points
    want = [start, start + len(PASSAGE)]
    quote = driver.execute_script(
        "var q = document.querySelector('ol.codings li[data-code=\"' + arguments[0] + '\"] .passage-quote');"
        " return q ? [q.textContent, q.title] : null;", code)
    check("Your codes quotes the passage under the code",
          quote == ["\u201c" + PASSAGE + "\u201d", PASSAGE], repr(quote))
    marked = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#excerpt-body .passage'),"
        " function (e) { return [e.textContent, e.title]; });")
    check("the passage is underlined in the excerpt, its code named on hover",
          len(marked) == 1 and marked[0][0] == PASSAGE and code_name_in(marked[0][1]), repr(marked))
    check("the text is still the excerpt's text", driver.execute_script(
        "return document.getElementById('excerpt-body').textContent;") == PASSAGE_TEXT)
    driver.save_screenshot(os.path.join(screens, "passage.png"))
    try:
        item = api_get(url, "/api/excerpts/" + PASSAGE_EXCERPT + "?coder=tester")
        got = [c for c in item.get("codes", []) if c.get("code") == code]
        check("the API has the coding's span in code points",
              len(got) == 1 and got[0].get("span") == want, repr(got) + " want " + repr(want))
        check("the API has the passage's text", len(got) == 1 and got[0].get("passage") == PASSAGE, repr(got))
        rows = api_get(url, "/api/excerpts?" + urllib.parse.urlencode({"q": "saved me that winter", "coder": "tester"}))
        browse = [c for x in rows.get("items", []) for c in x.get("codings", []) if c.get("coder") == "tester"]
        check("Browse rows carry the passage", any(c.get("span") == want and c.get("passage") == PASSAGE
                                                   for c in browse), repr(browse))
    except Exception as e:
        check("the API answers on the passage", False, str(e))
    # Browse shows the passage beside its chip.
    driver.execute_script("window.location.hash = '#/browse';")
    if wait(driver, "browse for the passage", lambda d: d.execute_script(
            "return !!document.getElementById('f-q');")):
        box = driver.find_element("id", "f-q")
        box.send_keys("saved me that winter")
        shown = wait(driver, "the passage beside its chip in Browse", lambda d: d.execute_script(
            "var q = document.querySelector('#browse-results .chip-passage');"
            " return q ? q.textContent : null;"))
        check("Browse quotes the passage beside its chip", shown == "\u201c" + PASSAGE + "\u201d", repr(shown))
        driver.execute_script("var i = document.getElementById('f-q'); i.value = '';"
                              " i.dispatchEvent(new Event('input'));")
        wait(driver, "browse unfiltered again", lambda d: d.execute_script(
            "return document.querySelectorAll('#browse-results ul.results li').length > 1;"))
    driver.execute_script("window.location.hash = '#/review/" + PASSAGE_EXCERPT + "';")
    if not wait(driver, "back on the passage excerpt", lambda d: current(d) == PASSAGE_EXCERPT and code in my_codes(d)):
        return
    # The p key, on a selection that starts before the passage's
    # underline and ends inside it; Esc leaves it.
    driver.execute_script(SELECT_JS, "honestly. The peer")
    time.sleep(0.3)
    keys(driver, "p")
    if wait(driver, "p opens the picker for the selection", lambda d: d.execute_script(
            "return document.getElementById('picker-dialog').open;")):
        title = driver.find_element("id", "picker-title").text
        check("p: the passage measured across the underline", title == "Code the passage \u201chonestly. The peer\u201d", title)
        check("p: codes already on the excerpt not offered", code not in driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('#picker-list li .mono'),"
            " function (e) { return e.textContent; });"))
        # Typed, a code already on the excerpt shows greyed, saying so;
        # a name no code has is offered as a new code.
        box = driver.find_element("id", "picker-input")
        box.send_keys(code)
        have = wait(driver, "the code on the excerpt shown as such", lambda d: d.execute_script(
            "var li = document.querySelector('#picker-list li.pick-have');"
            " return li ? li.textContent : null;"))
        check("p: a code already on it is shown, 'already on this excerpt'",
              bool(have) and "already on this excerpt" in have, repr(have))
        box.clear()
        box.send_keys("Waiting lists")
        new = wait(driver, "a new code offered", lambda d: d.execute_script(
            "var li = document.querySelector('#picker-list li.pick-new');"
            " return li ? li.textContent : null;"))
        check("p: a name no code has is offered as a new code",
              bool(new) and "New code \u201cWaiting lists\u201d" in new, repr(new))
        from selenium.webdriver.common.keys import Keys
        box.send_keys(Keys.ENTER)
        made = wait(driver, "the new code on the passage", lambda d: any(
            c.startswith("waiting") for c in my_codes(d)))
        check("p: Enter makes the code and codes the passage with it", made is not None,
              repr(my_codes(driver)))
        try:
            cb = api_get(url, "/api/codebook")
            item = api_get(url, "/api/excerpts/" + PASSAGE_EXCERPT + "?coder=tester")
            mine = [c for c in item.get("codes", []) if c.get("name") == "Waiting lists"]
            check("the new code is in the codebook and codes that passage",
                  any(c.get("name") == "Waiting lists" for c in cb.get("codes", [])) and
                  len(mine) == 1 and mine[0].get("passage") == "honestly. The peer",
                  repr(mine))
        except Exception as e:
            check("the API answers on the new code", False, str(e))
        keys(driver, "u")
        wait(driver, "the new code's coding undone", lambda d: not any(
            c.startswith("waiting") for c in my_codes(d)))
    check("the first picker offered the codes of the codebook", len(offered) > 3, repr(offered[:5]))
    # u undoes the coding of the passage.
    keys(driver, "u")
    check("u undoes the coding of the passage",
          wait(driver, "the passage's coding gone", lambda d: code not in my_codes(d)
               and not d.execute_script("return !!document.querySelector('#excerpt-body .passage');")) is not None)
    try:
        item = api_get(url, "/api/excerpts/" + PASSAGE_EXCERPT + "?coder=tester")
        check("the API no longer has it", all(c.get("code") != code for c in item.get("codes", [])), repr(item.get("codes")))
    except Exception as e:
        check("the API answers after the undo", False, str(e))


def code_name_in(title):
    return title.startswith("Your code: ") and len(title) > len("Your code: ")


def viewport(driver, width, height):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def drive(driver, quarry, project, url, screens):
    parsed = urllib.parse.urlsplit(url)
    origin = "%s://%s" % (parsed.scheme, parsed.netloc)
    # the viewport itself 1280 x 900, whatever the window's frame takes
    viewport(driver, 1280, 900)
    driver.get(url)

    check("token removed from the address bar",
          wait(driver, "page replaces its address", lambda d: "token=" not in d.current_url) is not None)
    first = wait(driver, "review shows an excerpt", lambda d: current(d))
    check("project name in the top bar",
          driver.find_element("id", "project-name").text not in ("", "quarry"))
    check("coder from --coder shown", driver.find_element("id", "coder-name").text == "tester")
    if not first:
        driver.save_screenshot(os.path.join(screens, "review.png"))
        return 1
    sugg = wait(driver, "suggestions listed", lambda d: suggestions(d))
    if not sugg:
        driver.save_screenshot(os.path.join(screens, "review.png"))
        return 1
    top = sugg[0]
    print("     first excerpt %s, top suggestion %s" % (first, top))
    # Evidence is marked in the excerpt, and a word pair's "and" or "the"
    # is marked only where the pair stands, never alone.
    marks = [m.text.lower() for m in driver.find_elements("css selector", "mark")]
    check("evidence marked in the excerpt", len(marks) > 0, repr(marks[:10]))
    check("no lone function word marked",
          not set(marks) & {"and", "the", "a", "to", "of", "i", "go"}, repr(marks))
    titles = [m.get_attribute("title") or "" for m in
              driver.find_elements("css selector", "#excerpt-body mark")]
    check("each marked word says which code it is a reason for",
          titles and all(t.startswith("A reason for ") for t in titles), repr(titles[:5]))

    # 1: accept the top suggestion; the page stays on the excerpt, and
    # the top bar's "to review" counts it as decided at once.
    def to_review(d):
        m = re.search(r"(\d+) to review", d.find_element("id", "progress-text").text)
        return int(m.group(1)) if m else None
    before = to_review(driver)
    keys(driver, "1")
    check("1 accepts the top suggestion",
          wait(driver, "accepted code listed", lambda d: top in my_codes(d)) is not None)
    check("still on the same excerpt after accepting", current(driver) == first)
    check("the count to review drops as the decision is made",
          before is not None and wait(driver, "to review one fewer",
                                      lambda d: to_review(d) == before - 1) is not None,
          "%r -> %r" % (before, to_review(driver)))

    # a: the type-ahead picker; type part of a code's name, Enter.
    keys(driver, "a")
    dialog_open = wait(driver, "a opens the code picker",
                       lambda d: d.execute_script("return document.getElementById('picker-dialog').open;"))
    added = None
    if dialog_open:
        choices = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('#picker-list li .mono'),"
            " function (e) { return [e.textContent, e.previousSibling.textContent.trim()]; });")
        rest = [c for c in sugg if c != top]
        check("picker offers the excerpt's other suggested codes first",
              not rest or [c[0] for c in choices[:len(rest)]] == rest,
              "%r %r" % (rest, [c[0] for c in choices[:4]]))
        pick = next((c for c in choices if c[0] != top and c[0] not in sugg), None) or \
            next((c for c in choices if c[0] != top), None)
        if check("picker lists codes of the codebook", pick is not None):
            added = pick[0]
            word = pick[1].split()[0]
            keys(driver, word)
            wait(driver, "picker narrows to the typed word", lambda d: d.execute_script(
                "var want = arguments[0];"
                " return Array.prototype.some.call(document.querySelectorAll('#picker-list li .mono'),"
                " function (e) { return e.textContent === want; });", added))
            # move the selection onto the code we want, by arrow keys
            for _ in range(60):
                sel = driver.execute_script(
                    "var s = document.querySelector('#picker-list li[aria-selected=true] .mono');"
                    " return s ? s.textContent : null;")
                if sel == added:
                    break
                keys(driver, "\ue015")  # ArrowDown
            keys(driver, "\ue007")  # Enter
            check("a adds the chosen code",
                  wait(driver, "added code listed", lambda d: added in my_codes(d)) is not None)
    check("two codes on the first excerpt", len(my_codes(driver)) == 2, repr(my_codes(driver)))
    driver.save_screenshot(os.path.join(screens, "review.png"))

    # s: on to the next excerpt; accept there, then undo it.
    keys(driver, "s")
    second = wait(driver, "s moves to another excerpt", lambda d: current(d) not in (None, first) and current(d))
    undone_code = None
    if second:
        sugg2 = wait(driver, "suggestions on the second excerpt", lambda d: suggestions(d))
        if sugg2:
            undone_code = sugg2[0]
            undone_name = driver.execute_script(
                "var e = document.querySelector('ol.cand .cand-name');"
                " return e ? e.firstChild.textContent : null;")
            keys(driver, "1")
            wait(driver, "accepted on the second excerpt", lambda d: undone_code in my_codes(d))
            keys(driver, "u")
            check("u undoes the last decision",
                  wait(driver, "undone code gone", lambda d: undone_code not in my_codes(d)) is not None)
            said = driver.find_element("id", "status").get_attribute("textContent")
            check("undo says which decision it undid",
                  said.startswith("Undid your acceptance of %s on " % undone_name), said)
    keys(driver, "\ue012")  # ArrowLeft
    check("ArrowLeft goes back to the first excerpt",
          wait(driver, "back on the first excerpt", lambda d: current(d) == first) is not None)
    # Before the session's first excerpt: the turn before it in its source.
    try:
        before = (api_get(url, "/api/excerpts/" + urllib.parse.quote(first, safe=""))
                  .get("before") or {}).get("excerpt")
    except Exception as e:
        before = None
        check("the API gives the excerpt before", False, str(e))
    keys(driver, "\ue012")
    if before:
        check("ArrowLeft before the session's first goes to the turn before it",
              wait(driver, "on the turn before", lambda d: current(d) == before) is not None,
              "%r %r" % (before, current(driver)))
        keys(driver, "\ue014")  # ArrowRight: back to the first
        wait(driver, "back on the first", lambda d: current(d) == first)
    else:
        check("ArrowLeft on a source's first turn says so",
              "first excerpt of its source" in driver.find_element("id", "status").get_attribute("textContent"))

    # b: the batch dialog's preview gives the expected error the command
    # line gives (held-out coded excerpts), and what people rejected so far
    # on its own line; cancelling accepts nothing.
    keys(driver, "b")
    preview = wait(driver, "batch preview counted", lambda d: (
        lambda t: t if t and "Counting" not in t else None)(
            d.find_element("id", "batch-preview").text))
    if preview:
        driver.save_screenshot(os.path.join(screens, "batch.png"))
        check("batch preview: the expected error from held-out coded excerpts",
              re.search(r"Expected error: \d+\.\d% \(\d+ of \d+ coded excerpts held out", preview)
              or "Expected error unknown" in preview, preview)
        check("batch preview: people's rejections not called the expected error",
              "people coded" not in preview, preview)
    driver.find_element("id", "batch-cancel").click()
    check("batch dialog closed by Cancel", wait(driver, "batch dialog closed", lambda d: not d.execute_script(
        "return document.getElementById('batch-dialog').open;")) is not None)

    # A passage of an excerpt, coded by selecting it.
    passage_case(driver, url, screens)

    # Every page at a narrow width too (a phone, a split screen), for
    # people to look at; no page may scroll sideways.
    viewport(driver, 420, 900)
    for name in ("review", "browse", "codebook", "charts", "runs", "import"):
        driver.execute_script("window.location.hash = '#/" + name + "';")
        time.sleep(0.8)
        driver.save_screenshot(os.path.join(screens, name + "-narrow.png"))
        check(name + " fits a narrow window (no sideways scroll)", driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1;"))
    viewport(driver, 1280, 900)
    driver.execute_script("window.location.hash = '#/review';")
    time.sleep(0.5)

    # Disagreements: the queue switched to them, the first one settled by
    # mouse with the codes the two coders share.
    driver.execute_script(
        "var s = document.getElementById('order'); s.value = 'disagreements';"
        " s.dispatchEvent(new Event('change'));")
    panel = wait(driver, "the settle panel shows on a disagreement", lambda d: d.execute_script(
        "return !!document.getElementById('settle-h');"))
    settled = current(driver) if panel else None
    if settled:
        driver.find_element("xpath", "//button[normalize-space()='Settle with these codes']").click()
        wait(driver, "settled", lambda d: d.execute_script(
            "return document.body.textContent.indexOf('Settled " + settled + "') >= 0;"))
    driver.execute_script(
        "var s = document.getElementById('order'); s.value = 'source';"
        " s.dispatchEvent(new Event('change'));")

    # the other pages, for people to look at
    for name, ready in (("browse", "#browse-results ul.results, #browse-results .error-box, #browse-results .muted"),
                        ("codebook", ".cb-table, .cb-layout .error-box"),
                        ("charts", ".chart svg, .charts .error-box, .charts .empty"),
                        ("runs", ".runs-table, main .error-box, main .empty")):
        driver.execute_script("window.location.hash = '#/" + name + "';")
        ok = wait(driver, name + " page renders",
                  lambda d: d.execute_script("return !!document.querySelector(arguments[0]);", ready))
        time.sleep(0.4)
        driver.save_screenshot(os.path.join(screens, name + ".png"))
        # An endpoint the server does not have yet (501) must be said in
        # place; any other error is a failure.
        errors = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('main .error-box'),"
            " function (e) { return [e.getAttribute('data-status'), e.textContent]; });") or []
        for status, text in errors:
            if status == "501":
                print("     note: %s page: %s" % (name, text))
        bad = [text for status, text in errors if status != "501"]
        if name == "charts" and not errors:
            figs = wait(driver, "every chart drawn", lambda d: d.execute_script(
                "var f = document.querySelectorAll('figure.chart').length;"
                " return f > 0 && document.querySelectorAll('figure.chart svg').length === f ? f : 0;"))
            check("charts inlined as SVG (%s)" % figs, bool(figs))
        check(name + " page renders without an API error", ok is not None and not bad, "; ".join(bad))
        if name == "runs" and ok is not None and not bad:
            # The newest run, open: how it made its suggestions in words,
            # and a command that names no folder of the machine.
            said = driver.execute_script(
                "var d = document.querySelector('.run-method dl');"
                " return d ? d.textContent : '';") or ""
            check("runs page says how the suggestions were made, in words",
                  "prototype" in said and "nearest coded excerpts" in said, said[:200])
            cmd = driver.execute_script(
                "var c = document.querySelector('.runs-table td.cmd');"
                " return c ? c.textContent : '';") or ""
            check("runs page: the command names the project without its folder",
                  "demo.quarry" in cmd and "/" not in cmd, cmd)
        if name == "codebook" and ok is not None and not bad:
            # Add a code through the page's form, by mouse and keyboard.
            driver.find_element("id", "cb-add-name").send_keys("Added in the browser")
            driver.find_element("css selector", "form[aria-label='Add a code'] button[type=submit]").click()
            check("a code added on the Codebook page shows in the tree",
                  wait(driver, "the new code listed", lambda d: d.execute_script(
                      "return Array.prototype.some.call(document.querySelectorAll('.cb-table .cb-name'),"
                      " function (e) { return e.textContent === 'Added in the browser'; });")) is not None)
            # Its definition written by the row's button, then the code
            # deleted; a code with codings is refused with the way out.
            driver.execute_script(
                "Array.prototype.filter.call(document.querySelectorAll('.cb-table tr'), function (r) {"
                " var n = r.querySelector('.cb-name'); return n && n.textContent === 'Added in the browser';"
                " })[0].querySelector('.cb-edit').click();")
            check("the row's button chose the code in the definition form",
                  driver.execute_script("return document.getElementById('cb-def-code').value;") == "added-in-the-browser")
            driver.find_element("id", "cb-def-def").send_keys("Written on the page")
            driver.find_element("id", "cb-def-exc").send_keys("Not for venting")
            driver.find_element("css selector", "form[aria-label='Save definition'] button[type=submit]").click()
            check("a definition saved on the page shows in the tree",
                  wait(driver, "the definition listed", lambda d: d.execute_script(
                      "return Array.prototype.some.call(document.querySelectorAll('.cb-table .cb-def'),"
                      " function (e) { return e.textContent.indexOf('Written on the page') === 0"
                      " && e.textContent.indexOf('Not for venting') > 0; });")) is not None)
            driver.execute_script("window.confirm = function () { return true; };")
            from selenium.webdriver.support.ui import Select
            Select(driver.find_element("id", "cb-del-code")).select_by_value("emo.exhaustion")
            driver.find_element("css selector", "form[aria-label='Delete a code'] button[type=submit]").click()
            said = wait(driver, "the refusal shown", lambda d: d.execute_script(
                "var e = document.querySelector(\"form[aria-label='Delete a code'] .form-error\");"
                " return e && e.textContent ? e.textContent : null;")) or ""
            check("a code with codings is not deleted, and the page says to merge it",
                  "stays" in said and "merge it into" in said, said)
            Select(driver.find_element("id", "cb-del-code")).select_by_value("added-in-the-browser")
            driver.find_element("css selector", "form[aria-label='Delete a code'] button[type=submit]").click()
            check("a code nobody used is deleted on the page",
                  wait(driver, "the code gone", lambda d: d.execute_script(
                      "return !!document.querySelector('.cb-table') && !Array.prototype.some.call("
                      "document.querySelectorAll('.cb-table .cb-name'),"
                      " function (e) { return e.textContent === 'Added in the browser'; });")) is not None)
            # Browse kept a filter on that code (a reload keeps filters):
            # it is dropped, not applied unseen. The page still writes
            # after the reload (the imports below come after it): the
            # token is kept for the tab, not only read from the address.
            driver.execute_script(
                "sessionStorage.setItem('quarry.browse', JSON.stringify({code: 'added-in-the-browser', offset: 0}));"
                " window.location.hash = '#/browse';")
            driver.refresh()
            shown = wait(driver, "browse after a reload", lambda d: d.execute_script(
                "var s = document.getElementById('f-code'); var r = document.querySelectorAll('#browse-results ul.results li');"
                " return s && r.length ? [s.value, r.length] : null;"))
            check("browse drops a kept filter on a deleted code", shown is not None and shown[0] == "" and shown[1] > 0,
                  repr(shown))
            driver.execute_script("window.location.hash = '#/codebook';")

    # Import, by mouse, without a terminal: a Word transcript goes in; a
    # Windows-1252 file is refused with the way out, then goes in with its
    # encoding chosen; then a run of suggestions from the page.
    driver.execute_script("window.location.hash = '#/import';")
    if wait(driver, "import page renders", lambda d: d.execute_script(
            "return !!document.getElementById('import-files');")) is not None:
        from selenium.webdriver.support.ui import Select
        tdir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "transcripts")
        files = driver.find_element("id", "import-files")
        files.send_keys(os.path.join(tdir, "otter.docx") + "\n" + os.path.join(tdir, "cafe-cp1252.txt"))
        driver.find_element("id", "import-study").send_keys("S9")
        driver.find_element("id", "import-add").click()
        done = wait(driver, "both files answered", lambda d: d.execute_script(
            "var l = document.querySelectorAll('#import-results li.ok, #import-results li.bad');"
            " return l.length === 2 ? Array.prototype.map.call(l, function (e) {"
            " return e.className + '|' + e.textContent; }) : null;"))
        done = done or []
        check("import: the Word transcript went in",
              any(x.startswith("ok|otter.docx: 6 excerpts added") for x in done), repr(done))
        check("import: the Windows-1252 file refused, naming line and what to choose",
              any(x.startswith("bad|cafe-cp1252.txt: not imported.") and "cafe-cp1252.txt:2" in x
                  and "choose the encoding windows-1252 under Encoding above" in x
                  and "--encoding" not in x for x in done), repr(done))
        Select(driver.find_element("id", "import-encoding")).select_by_value("windows-1252")
        driver.find_element("id", "import-participant-by-name").click()
        driver.find_element("id", "import-files").send_keys(os.path.join(tdir, "cafe-cp1252.txt"))
        driver.find_element("id", "import-add").click()
        again = wait(driver, "the file answered again", lambda d: d.execute_script(
            "var l = document.querySelectorAll('#import-results li.ok');"
            " return l.length === 2 ? l[1].textContent : null;"))
        check("import: with its encoding chosen it goes in", (again or "").startswith("cafe-cp1252.txt: 4 excerpts added"),
              repr(again))
        # No interviewer among the Word file's speakers: the question stays
        # when the researcher looks elsewhere first; one click names
        # Speaker 1, and the file goes again with it.
        driver.execute_script("window.location.hash = '#/browse';")
        wait(driver, "on Browse", lambda d: d.execute_script("return !!document.getElementById('f-q');"))
        driver.execute_script("window.location.hash = '#/import';")
        wait(driver, "back on Files", lambda d: d.execute_script("return !!document.getElementById('import-results');"))
        asked = driver.execute_script(
            "var b = Array.prototype.filter.call(document.querySelectorAll('#import-results button'),"
            " function (x) { return x.textContent === 'Speaker 1'; }); if (b.length) b[0].click(); return b.length;")
        check("import: the page asks who the interviewer is, naming the speakers", asked == 1, repr(asked))
        named = wait(driver, "the file sent again with its interviewer", lambda d: d.execute_script(
            "var l = document.querySelectorAll('#import-results li.ok');"
            " return l.length === 3 ? l[2].textContent : null;"))
        check("import: Speaker 1 is then the interviewer of its turns",
              "interviewer Speaker 1 set on" in (named or ""), repr(named))
        driver.find_element("id", "suggest-run").click()
        ran = wait(driver, "a run made from the page", lambda d: d.execute_script(
            "var p = document.querySelector('#suggest-result .ok, #suggest-result .error-box');"
            " return p ? p.textContent : null;"), timeout=120)
        check("import: Suggest codes made a run, for the new excerpts too",
              bool(re.match(r"Run 2: \d+ suggestions for \d+ excerpts", ran or "")), repr(ran))
        time.sleep(0.3)
        driver.save_screenshot(os.path.join(screens, "import.png"))
        # Sources: the Word file, with nobody's work on it, taken out again.
        gone = driver.execute_script(
            "var b = document.querySelector('#sources button[data-source=\"otter.docx\"]');"
            " if (b) { window.confirm = function () { return true; }; b.click(); } return !!b;")
        check("import: a source nobody worked on has a Remove button", gone)
        left = wait(driver, "the source removed", lambda d: d.execute_script(
            "var t = document.querySelector('#sources table');"
            " return t && t.textContent.indexOf('otter.docx') < 0 ? t.textContent : null;"))
        check("import: the removed source leaves the list; the coded ones say they have work on them",
              left is not None and "has work on it" in left, repr(left)[:200])
        srcs = run([quarry, "export", project, "--format", "matrix"]).stdout
        check("import: the excerpts carry their study and source, as quarry import gives them",
              "cafe-cp1252#1" in srcs and "otter#1" not in srcs and "S9" in srcs, srcs[:200])
        row = [l for l in srcs.splitlines() if l.startswith("cafe-cp1252#1,")]
        check("import: a file as one participant, named by its file name",
              bool(row) and ",cafe-cp1252," in row[0] + ",", repr(row[:1]))
        # A REFI-QDA project from another tool, by the same button.
        driver.find_element("id", "import-participant-by-name").click()
        qdpx = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            "fuzz", "corpus", "qdpx", "basic.qdpx")
        driver.find_element("id", "import-files").send_keys(qdpx)
        driver.find_element("id", "import-add").click()
        said = wait(driver, "the .qdpx answered", lambda d: d.execute_script(
            "var l = document.querySelectorAll('#import-results li.ok, #import-results li.bad');"
            " var x = l[l.length - 1]; return x && x.textContent.indexOf('basic.qdpx') === 0 ? x.className + '|' + x.textContent : null;"))
        check("import: a .qdpx from another tool, its documents, codings and coders said",
              (said or "").startswith("ok|basic.qdpx: 2 documents, ") and "10 codings by 2 coders" in (said or ""),
              repr(said))
        # The work out, by the Export panel's buttons: the file is fetched
        # with the token and handed to the browser as a download.
        for fmt, name in (("quotes", "demo-quotes.csv"), ("qdpx", "demo.qdpx")):
            driver.execute_script("document.querySelector('#export button[data-format=\"%s\"]').click();" % fmt)
            said = wait(driver, "the %s export said" % fmt, lambda d: d.execute_script(
                "var p = document.getElementById('export-result'); var t = p ? p.textContent : '';"
                " return t.indexOf('Saved " + name + "') === 0 || t.indexOf('Not exported') >= 0 ? t : null;"))
            check("export: %s downloaded from the page" % name, (said or "").startswith("Saved " + name), repr(said))

    # A tab opened without the printed address (the cookie lets it read):
    # a change is refused with what to do, not with a header's name.
    driver.execute_script("sessionStorage.removeItem('quarry.token');")
    driver.get("about:blank")
    driver.get(origin + "/#/codebook")
    if wait(driver, "the codebook without the token", lambda d: d.execute_script(
            "return !!document.getElementById('cb-add-name');")) is not None:
        driver.find_element("id", "cb-add-name").send_keys("From a bare tab")
        driver.find_element("css selector", "form[aria-label='Add a code'] button[type=submit]").click()
        said = wait(driver, "the refusal in a bare tab", lambda d: d.execute_script(
            "var e = document.querySelector(\"form[aria-label='Add a code'] .form-error\");"
            " return e && e.textContent ? e.textContent : null;")) or ""
        check("a tab without the token says to open the printed address",
              "open the address quarry serve printed" in said,
              said + " | " + (driver.execute_script("return document.body.innerText.slice(0, 400);") or ""))

    # nothing asked of any other host
    urls = driver.execute_script(
        "return performance.getEntries().map(function (e) { return e.name; });") or []
    try:
        import json
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                urls.append(msg["params"]["request"]["url"])
    except Exception as e:
        print("     (no performance log: %s)" % e)
    foreign = sorted({u for u in urls
                      if u.startswith(("http:", "https:", "ws:", "wss:")) and not u.startswith(origin + "/")
                      and u != origin})
    check("%d requests, all to the server" % len(urls), urls and not foreign, ", ".join(foreign[:5]))
    console = [e["message"] for e in driver.get_log("browser")
               if e.get("level") == "SEVERE" and "status of 501" not in e["message"]
               # the Windows-1252 file sent without its encoding, on purpose
               and not ("name=cafe-cp1252.txt" in e["message"] and "status of 400" in e["message"])
               # the delete of a code with codings, refused on purpose
               and not ("/api/codebook " in e["message"] and "status of 400" in e["message"])
               # a change from a tab without the token, refused on purpose
               and not ("/api/codebook " in e["message"] and "status of 403" in e["message"])]
    check("no errors in the browser console", not console, "; ".join(console[:3]))

    # A server without --coder: the page asks for a name (kept in the
    # browser), then codes under it.
    second = coder_dialog(driver, quarry, project)

    # the project, as the CLI sees it
    try:
        out = run([quarry, "export", project, "--format", "csv"]).stdout
    except SetupError as e:
        check("quarry export reads the project", False, str(e))
        return 1
    rows = [r for r in csv.DictReader(io.StringIO(out))]
    got = {(r["id"], r["code"]): r["origin"] for r in rows if r["coder"] == "tester"}
    check("export: the accepted suggestion by tester",
          got.get((first, top)) == "accepted-suggestion", repr(got))
    if added:
        check("export: the added code by tester", got.get((first, added)) == "manual", repr(got))
    if second and undone_code:
        check("export: the undone coding is gone", (second, undone_code) not in got, repr(got))
    check("export: exactly two codings by tester", len(got) == 2, repr(got))
    if settled:
        trail = run([quarry, "export", project, "--format", "decisions"]).stdout
        check("the settlement is tester's decision on the record",
              any('"verdict":"settle"' in l.replace(" ", "") and '"coder":"tester"' in l.replace(" ", "")
                  and settled in l for l in trail.splitlines()), trail[-400:])
    hist = run([quarry, "export", project, "--format", "code-history"]).stdout
    check("the code added on the page is on the record, by tester",
          "Added in the browser" in hist and "tester" in hist, hist[:300])
    if second:
        mine = [(r["id"], r["code"], r["origin"]) for r in rows if r["coder"] == "sam"]
        check("export: the coding by the coder named in the page",
              mine == [(second[0], second[1], "accepted-suggestion")], repr(mine))
    return 1 if failures else 0


if __name__ == "__main__":
    code = main()
    if code == 0 and failures:
        code = 1
    sys.exit(code)
