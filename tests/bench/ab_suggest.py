#!/usr/bin/python3
"""Two builds of `quarry suggest` back to back, on one training and one
input file: CPU time and phase times, and whether the outputs are the same
bytes (issue 5, speed; for changes that must not change the output).

usage: /usr/bin/python3 tests/bench/ab_suggest.py --old OLD/quarry \
           --new NEW/quarry --train TRAIN.jsonl --input INPUT.jsonl \
           [--runs 3] [--top 3] [--work DIR]

Each run is `perf stat -e task-clock QUARRY suggest --verbose --train TRAIN
--top TOP INPUT > OUT`, the old and the new build alternating, RUNS times
each. Printed per build: the median of the runs' task-clock (CPU seconds
of the whole process, all threads) and of the wall seconds that
`--verbose` prints for the phases "calibrate" and "score the input" (wall
time: noisy on a shared machine). Then one more run of each build with
`--threads 1`, and the four outputs compared byte for byte (old against
new, default threads and one thread, and each build's one thread against
its default). Nothing is asserted; the figures are printed.
"""
import argparse
import filecmp
import os
import re
import statistics
import subprocess
import sys
import tempfile

PHASES = ("calibrate", "score the input")


def run(quarry, args, out_path, work):
    perf_out = os.path.join(work, "perf.txt")
    cmd = ["perf", "stat", "-x,", "-e", "task-clock", "-o", perf_out,
           quarry, "suggest", "--verbose", "--train", args.train,
           "--top", str(args.top)] + args.extra + [args.input]
    with open(out_path, "wb") as out:
        p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE,
                           check=False)
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s" % (" ".join(cmd), p.returncode,
                                               err))
    clock = None
    with open(perf_out) as f:
        for line in f:
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[2] == "task-clock":
                clock = float(fields[0]) / 1000.0
    phases = {}
    for name in PHASES:
        m = re.search(r"quarry suggest: %s: ([0-9.]+) s" % re.escape(name),
                      err)
        phases[name] = float(m.group(1)) if m else float("nan")
    return clock, phases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--train", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--work", default=None,
                    help="folder for the outputs (default: a temporary one)")
    args = ap.parse_args()
    args.extra = []
    work = args.work or tempfile.mkdtemp(prefix="ab_suggest.")
    os.makedirs(work, exist_ok=True)
    builds = (("old", args.old), ("new", args.new))
    got = {name: {"cpu": [], "calibrate": [], "score the input": []}
           for name, _ in builds}
    for i in range(args.runs):
        for name, quarry in builds:
            clock, phases = run(quarry, args,
                                os.path.join(work, name + ".jsonl"), work)
            got[name]["cpu"].append(clock)
            for ph in PHASES:
                got[name][ph].append(phases[ph])
            print("run %d %s: task-clock %.3f s, calibrate %.3f s, "
                  "score the input %.3f s" % (i + 1, name, clock,
                                              phases["calibrate"],
                                              phases["score the input"]),
                  flush=True)
    print("\nmedians of %d runs (old and new alternating):" % args.runs)
    print("| build | task-clock s | calibrate s | score the input s |")
    print("|---|---|---|---|")
    for name, quarry in builds:
        g = got[name]
        print("| %s | %.3f | %.3f | %.3f |" % (
            name, statistics.median(g["cpu"]),
            statistics.median(g["calibrate"]),
            statistics.median(g["score the input"])))
    old_cpu = statistics.median(got["old"]["cpu"])
    new_cpu = statistics.median(got["new"]["cpu"])
    print("task-clock new / old: %.3f" % (new_cpu / old_cpu))
    args.extra = ["--threads", "1"]
    for name, quarry in builds:
        run(quarry, args, os.path.join(work, name + "-t1.jsonl"), work)
    pairs = (("old.jsonl", "new.jsonl"), ("old-t1.jsonl", "new-t1.jsonl"),
             ("old.jsonl", "old-t1.jsonl"), ("new.jsonl", "new-t1.jsonl"))
    print("\noutputs (in %s):" % work)
    for a, b in pairs:
        same = filecmp.cmp(os.path.join(work, a), os.path.join(work, b),
                           shallow=False)
        print("  %s vs %s: %s" % (a, b, "same bytes" if same else "DIFFER"))


if __name__ == "__main__":
    main()
