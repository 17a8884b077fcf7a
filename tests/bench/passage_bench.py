#!/usr/bin/python3
"""What suggest gains by learning a code from the passage it was coded on
rather than from the whole turn. Prints the figures and how they were
measured; asserts nothing.

usage: /usr/bin/python3 tests/bench/passage_bench.py --quarry BUILD/quarry
           [--group 3] [--folds all|N]

Researchers code a passage of a long answer (a sentence on the wait for a
contract in a turn that also talks of a peer's relapse). The demo study's
excerpts are short answers, each with its gold codes; to measure what
passages are worth, this makes long turns of them: each participant's
consecutive excerpts, --group at a time (the last group of a participant
may be shorter), joined by a space into one turn. Every excerpt of the turn
is then a passage, coded with its gold codes by coder "ana" through a
decisions file (`quarry review --decisions`, "span" [start, end] in code
points). A code is on a turn once (quarry keeps one passage per code per
coder per excerpt): a code an earlier passage of the turn carries is left
off a later one, and a passage left with no code is not coded.

The studies of each fold of the demo's five leave-two-studies-out splits
(as suggest_bench.py --demo-folds: test S5+S6, S1+S2, S3+S4, S1+S6, S2+S5)
are made turns and coded so, in a fresh project made with the demo's
codebook (dictionaries/codebooks/pss-starter.json); the test studies'
excerpts are imported as they are, uncoded, and `quarry suggest PROJECT
--top 3` suggests for them. An excerpt is a hit when one of its gold codes
is among the first k. Three ways of coding the same turns:

  passages       as above: each code on its passage (what quarry learns
                 from since session 13: the passage's text)
  whole turns    the same codes on the whole turn (what a coder who cannot
                 code a passage does, and what quarry learnt from before:
                 a code on a passage counted as a code of the whole turn)
  excerpts       no turns: the excerpts imported with their gold codes, one
                 coding each (the ceiling: every code's text exactly)

Seconds: wall clock of `quarry suggest` (learning and storing the run).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import suggest_bench as SB  # noqa: E402  the demo's paths, splits, JSONL

codes_of, read_jsonl, write_jsonl = SB.codes_of, SB.read_jsonl, SB.write_jsonl


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                          p.stderr[-2000:]))
    return p.stdout


def make_turns(rows, group):
    """[(turn row without codes, [(start, end, codes)])], and the passages'
    count; a participant's consecutive excerpts, group at a time."""
    by_part, order = {}, []
    for d in rows:
        key = d.get("participant") or d.get("speaker") or d["id"]
        if key not in by_part:
            by_part[key] = []
            order.append(key)
        by_part[key].append(d)
    turns = []
    for key in order:
        ex = by_part[key]
        for i in range(0, len(ex), group):
            part = ex[i:i + group]
            text, spans, seen = "", [], set()
            for d in part:
                if text:
                    text += " "
                start = len(text)  # code points: Python str indices
                text += d["text"]
                codes = [c for c in codes_of(d) if c not in seen]
                seen.update(codes)
                if codes:
                    spans.append((start, len(text), codes))
            row = {k: v for k, v in part[0].items() if k not in ("code", "text")}
            row["id"] = "%s+%d" % (part[0]["id"], len(part))
            row["text"] = text
            turns.append((row, spans))
    return turns


def project(quarry, tmp, name, train_rows, test_rows, decisions):
    path = os.path.join(tmp, name + ".quarry")
    if os.path.exists(path):
        os.remove(path)
    run([quarry, "init", path, "--codebook", SB.CODEBOOK])
    tr = os.path.join(tmp, name + "-train.jsonl")
    te = os.path.join(tmp, name + "-test.jsonl")
    write_jsonl(tr, train_rows)
    write_jsonl(te, [{k: v for k, v in d.items() if k != "code"}
                     for d in test_rows])
    run([quarry, "import", path, tr, "--coder", "ana"])
    run([quarry, "import", path, te])
    if decisions:
        dec = os.path.join(tmp, name + "-decisions.jsonl")
        write_jsonl(dec, decisions)
        run([quarry, "review", path, "--decisions", dec])
    t0 = time.perf_counter()
    out = run([quarry, "suggest", path, "--top", "3", "--format", "jsonl"])
    secs = time.perf_counter() - t0
    ranked = {}
    for line in out.splitlines():
        d = json.loads(line)
        ranked[d["id"]] = [s["code"] for s in d["suggestions"]]
    return ranked, secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarry", required=True)
    ap.add_argument("--group", type=int, default=3,
                    help="excerpts of a participant joined into a turn (3)")
    ap.add_argument("--folds", default="all",
                    help="all, or how many of the five splits")
    args = ap.parse_args()
    folds = SB.FOLDS if args.folds == "all" else SB.FOLDS[:int(args.folds)]
    rows = read_jsonl(SB.DEMO_ALL)
    print("passage_bench: demo study (%d excerpts), %d leave-two-studies-out "
          "splits; turns of %d consecutive excerpts of a participant; "
          "suggest --top 3 in a project" % (len(rows), len(folds), args.group))
    systems = ["passages", "whole turns", "excerpts"]
    hits = {s: [0, 0] for s in systems}
    secs = {s: 0.0 for s in systems}
    n_test = n_turns = n_passages = 0
    with tempfile.TemporaryDirectory(prefix="passage-bench-") as tmp:
        for test_studies in folds:
            test = [d for d in rows if d.get("study") in test_studies]
            train = [d for d in rows if d.get("study") not in test_studies]
            turns = make_turns(train, args.group)
            n_turns += len(turns)
            n_passages += sum(len(sp) for _, sp in turns)
            truth = {d["id"]: set(codes_of(d)) for d in test}
            n_test += len(truth)
            turn_rows = [t for t, _ in turns]
            passage_dec = [{"excerpt": t["id"], "verdict": "add", "code": c,
                            "coder": "ana", "span": [s, e]}
                           for t, sp in turns for s, e, cs in sp for c in cs]
            whole_dec = [{"excerpt": t["id"], "verdict": "add", "code": c,
                          "coder": "ana"}
                         for t, sp in turns for _, _, cs in sp for c in cs]
            runs = {
                "passages": (turn_rows, passage_dec),
                "whole turns": (turn_rows, whole_dec),
                "excerpts": (train, None),
            }
            for s in systems:
                tr, dec = runs[s]
                ranked, t = project(args.quarry, tmp, s.replace(" ", "-"),
                                    tr, test, dec)
                secs[s] += t
                for i, gold in truth.items():
                    r = ranked.get(i, [])
                    hits[s][0] += 1 if set(r[:1]) & gold else 0
                    hits[s][1] += 1 if set(r[:3]) & gold else 0
    print("test excerpts %d (pooled over the splits); training turns %d "
          "holding %d coded passages" % (n_test, n_turns, n_passages))
    print("%-13s %6s %6s %9s" % ("coded as", "top-1", "top-3", "seconds"))
    for s in systems:
        print("%-13s %6.3f %6.3f %9.2f" % (s, hits[s][0] / n_test,
                                           hits[s][1] / n_test, secs[s]))


if __name__ == "__main__":
    main()
