#!/usr/bin/python3
"""How fast the workbench's page-load API calls answer on a large project
(`quarry serve`, core/serve/API.md). Prints what it measured and how;
asserts no time.

usage: /usr/bin/python3 tests/bench/serve_bench.py --quarry BUILD/quarry \
           [--excerpts 100000] [--coded 10000] [--requests 50] [--work DIR]

What it does:
  1. builds a project of --excerpts excerpts, synthetic from the demo study
     (corpora/pss-demo/excerpts.jsonl): each demo excerpt again and again
     under a new id, in 40 studies of 25 participants, with two words of
     the demo's vocabulary added so that no two texts are the same; the
     first --coded of them keep the demo excerpt's code (coder "ana");
  2. runs `quarry suggest` on it (suggestions for every uncoded excerpt);
  3. starts `quarry serve --coder bench` on it and times each call below
     --requests times over one kept-alive HTTP connection (Python's
     http.client from this machine, the token in the X-Quarry-Token
     header), after one untimed call: median and 95th percentile of the
     wall time from sending the request to the last byte of the answer.
The server and this script share the machine; the figures include the
HTTP round trip on loopback and the JSON encoding.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def build(quarry, work, n, coded):
    demo = [json.loads(l) for l in open(os.path.join(
        ROOT, "corpora/pss-demo/excerpts.jsonl"))]
    words = sorted({w for d in demo for w in re.findall(r"[a-z]{4,}",
                                                        d["text"].lower())})
    rnd = random.Random(42)
    path = os.path.join(work, "big.jsonl")
    with open(path, "w") as f:
        for i in range(n):
            d = demo[i % len(demo)]
            study = "S%02d" % (i * 40 // n + 1)
            rec = {"id": "X%06d" % i, "study": study,
                   "participant": "%s-P%02d" % (study, i % 25 + 1),
                   "speaker": "P%02d" % (i % 25 + 1),
                   "text": d["text"] + " " + rnd.choice(words) + " " +
                   rnd.choice(words)}
            if i < coded:
                rec["code"] = d["code"]
            f.write(json.dumps(rec) + "\n")
    project = os.path.join(work, "big.quarry")
    for args in (["init", project, "--codebook",
                  "dictionaries/codebooks/pss-starter.json"],
                 ["import", project, path, "--coder", "ana"]):
        r = subprocess.run([quarry] + args, cwd=ROOT, capture_output=True,
                           text=True)
        if r.returncode != 0:
            # A codebook that is not there: the codes come from the file.
            if args[0] == "init":
                r = subprocess.run([quarry, "init", project], cwd=ROOT,
                                   capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("setup failed: %s" % r.stderr)
    t = time.time()
    r = subprocess.run([quarry, "suggest", project], cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("suggest failed: %s" % r.stderr)
    return project, time.time() - t


def timed(conn, token, path, n):
    times = []
    for i in range(n + 1):
        t = time.perf_counter()
        conn.request("GET", path, headers={"X-Quarry-Token": token})
        resp = conn.getresponse()
        body = resp.read()
        dt = time.perf_counter() - t
        if resp.status != 200:
            sys.exit("%s: %d %s" % (path, resp.status, body[:200]))
        if i > 0:  # the first warms the caches
            times.append(dt * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, len(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarry", required=True)
    ap.add_argument("--excerpts", type=int, default=100000)
    ap.add_argument("--coded", type=int, default=10000)
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--work")
    ap.add_argument("--project", help="time this project (made by an "
                    "earlier run, kept with --work) instead of building one")
    a = ap.parse_args()
    quarry = os.path.abspath(a.quarry)
    work = a.work or tempfile.mkdtemp(prefix="serve-bench-")
    os.makedirs(work, exist_ok=True)
    t = time.time()
    if a.project:
        project = a.project
        print("project: %s, as built before" % project)
    else:
        project, suggest_s = build(quarry, work, a.excerpts, a.coded)
        print("project: %d excerpts (%d coded), built in %.0f s, of which "
              "suggest %.0f s" % (a.excerpts, a.coded, time.time() - t,
                                  suggest_s))
    proc = subprocess.Popen([quarry, "serve", project, "--coder", "bench"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    url = proc.stdout.readline().decode().strip()
    m = re.match(r"http://127\.0\.0\.1:(\d+)/\?token=(\w+)", url)
    if m is None:
        proc.kill()
        sys.exit("no URL from quarry serve: %r" % url)
    port, token = int(m.group(1)), m.group(2)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    deep = max(0, a.excerpts - 100)
    calls = [
        ("/ (the page)", "/"),
        ("/api/status", "/api/status"),
        ("/api/review/next", "/api/review/next"),
        ("/api/review/next?order=uncertain",
         "/api/review/next?order=uncertain"),
        ("/api/excerpts?limit=50", "/api/excerpts?limit=50"),
        ("  offset deep in the list",
         "/api/excerpts?limit=50&offset=%d" % deep),
        ("  study=S20", "/api/excerpts?limit=50&study=S20"),
        ("  participant=S20-P07",
         "/api/excerpts?limit=50&participant=S20-P07"),
        ("  code=sup.peers", "/api/excerpts?limit=50&code=sup.peers"),
        ("  coder=ana, offset 5000",
         "/api/excerpts?limit=50&coder=ana&offset=5000"),
        ("  q=hospital", "/api/excerpts?limit=50&q=hospital"),
        ("  study=S20&q=hospital, offset 100",
         "/api/excerpts?limit=50&study=S20&q=hospital&offset=100"),
        ("/api/codebook", "/api/codebook"),
        ("/api/facets", "/api/facets"),
        ("/api/runs", "/api/runs"),
    ]
    print("%d requests each after one untimed, one kept-alive connection; "
          "ms from request to last byte" % a.requests)
    print("%-40s %8s %8s %9s" % ("call", "median", "p95", "bytes"))
    try:
        for name, path in calls:
            med, p95, size = timed(conn, token, path, a.requests)
            print("%-40s %8.1f %8.1f %9d" % (name, med, p95, size))
    finally:
        proc.terminate()
        proc.wait()
    if a.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
