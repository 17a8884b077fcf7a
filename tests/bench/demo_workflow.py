#!/usr/bin/env python3
"""Figures of the coding workflow on the demo study, as the README gives them.

1. Interviewer turns: how many transcript turns of corpora/pss-demo get a
   confident suggestion (no abstention) with --speakers all (the old
   behaviour) and with the default (interviewer turns left out).
2. Starting from a codebook alone: top-1 and top-3 of `quarry suggest
   --codebook` with no training data on the demo's gold-coded excerpts, and
   how many abstain.

Usage: tests/bench/demo_workflow.py --quarry build/quarry
"""
import argparse
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "corpora", "pss-demo")
CODEBOOK = os.path.join(ROOT, "dictionaries", "codebooks", "pss-starter.json")


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def turns(quarry):
    files = sorted(glob.glob(os.path.join(DEMO, "transcripts", "*.txt")))
    base = [quarry, "suggest", "--train", os.path.join(DEMO, "excerpts.jsonl"),
            "--codebook", CODEBOOK, "--quiet"]
    rows = {}
    for mode in ("all", "interviewers", "participants"):
        res = run(base + ["--speakers", mode] + files)
        rows[mode] = (len(res), sum(1 for r in res if not r.get("abstain")))
    print("interviewer turns (transcripts of corpora/pss-demo, turn segmentation):")
    print("  --speakers all:          %d turns suggested for, %d confident"
          % rows["all"])
    print("    of which interviewers: %d turns, %d confident" % rows["interviewers"])
    print("  default (participants):  %d turns suggested for, %d confident, "
          "0 interviewer turns" % rows["participants"])


def codebook_only(quarry):
    path = os.path.join(DEMO, "excerpts.jsonl")
    gold = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                c = o.get("code")
                gold[o["id"]] = set(c if isinstance(c, list) else [c])
    res = run([quarry, "suggest", "--codebook", CODEBOOK, "--top", "3",
               "--quiet", path])
    n = len(res)
    top1 = sum(1 for r in res if r["suggestions"] and
               r["suggestions"][0]["code"] in gold[r["id"]])
    top3 = sum(1 for r in res if
               any(s["code"] in gold[r["id"]] for s in r["suggestions"][:3]))
    answered = [r for r in res if not r.get("abstain")]
    right = sum(1 for r in answered if r["suggestions"][0]["code"] in gold[r["id"]])
    print("codebook alone (no coded excerpts), %d gold-coded demo excerpts:" % n)
    print("  top-1 %.3f, top-3 %.3f; answers for %d (%.0f%%), right on %.0f%% of those"
          % (top1 / n, top3 / n, len(answered), 100.0 * len(answered) / n,
             100.0 * right / max(1, len(answered))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarry", required=True)
    a = ap.parse_args()
    turns(a.quarry)
    codebook_only(a.quarry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
