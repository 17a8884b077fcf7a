#!/usr/bin/python3
"""Checks every Cohen's kappa of `quarry agree` against scikit-learn's
cohen_kappa_score on the same label pairs.

usage: /usr/bin/python3 tests/agree/check_sklearn.py QUARRY [--write-fixture DIR]

QUARRY is the built quarry command. The script draws random label pairs
with a fixed seed (40 trials: 5 to 200 units, 1 to 6 labels, agreement from
none to perfect, some units coded by one coder only), writes each trial as
long-format JSONL (one row per id, code, coder), runs
`quarry agree --format jsonl` on it and compares the overall kappa and every
per-code (binary) kappa with scikit-learn's on the units both coders coded:
|quarry - sklearn| < 1e-9, or both undefined (NaN in scikit-learn, null in
quarry). Exits 1 on any mismatch, 77 (skipped) when scikit-learn is not
installed.

--write-fixture DIR also writes DIR/sklearn-pairs.jsonl (one line per trial:
{"trial": t, "a": [label or null per unit], "b": [...]}) and
DIR/sklearn-kappa.jsonl (scikit-learn's values, one line per trial and
scope), which tests/unit/test_agree.c checks without Python.
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import warnings

SEED = 20261125
TRIALS = 40
TOL = 1e-9


def draw_trial(rng, t):
    """(rows, pairs): rows (unit, coder, code) and the per-unit label pair
    (None where a coder did not code the unit)."""
    n = rng.randint(5, 200)
    n_labels = rng.randint(2, 6)
    if t == 3:
        n_labels = 1  # no variation: kappa undefined in both
    labels = ["c%d" % (i + 1) for i in range(n_labels)]
    # Trials 0 and 1: perfect agreement; 2: agreement at chance; 3: one
    # label only.
    p_agree = 1.0 if t < 2 else 0.0 if t == 2 else rng.random()
    weights = [rng.random() + 0.05 for _ in labels]
    p_missing = 0.0 if t % 3 == 0 else 0.15
    pairs = []
    for u in range(n):
        a = rng.choices(labels, weights)[0]
        b = a if rng.random() < p_agree else rng.choices(labels, weights)[0]
        r = rng.random()
        if r < p_missing / 2:
            a = None
        elif r < p_missing:
            b = None
        pairs.append(("t%02d-u%03d" % (t, u), a, b))
    rows = []
    for uid, a, b in pairs:
        if a is not None:
            rows.append((uid, "a", a))
        if b is not None:
            rows.append((uid, "b", b))
    return rows, pairs


def sklearn_kappas(pairs):
    """{scope: (units, kappa)} for overall and every label used."""
    from sklearn.metrics import cohen_kappa_score

    both = [(a, b) for _, a, b in pairs if a is not None and b is not None]
    used = sorted({x for _, a, b in pairs for x in (a, b) if x is not None})
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 0/0 when there is no variation
        ys_a = [a for a, _ in both]
        ys_b = [b for _, b in both]
        out["overall"] = (len(both), float(cohen_kappa_score(ys_a, ys_b)))
        for c in used:
            ba = [int(a == c) for a in ys_a]
            bb = [int(b == c) for b in ys_b]
            out[c] = (len(both), float(cohen_kappa_score(ba, bb)))
    return out


def run_quarry(quarry, path):
    p = subprocess.run([quarry, "agree", "--format", "jsonl", path],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("quarry agree failed on %s (exit %d): %s"
                 % (path, p.returncode, p.stderr.strip()))
    out = {}
    for line in p.stdout.splitlines():
        d = json.loads(line)
        if d["coders"] != ["a", "b"]:
            sys.exit("unexpected coders %r" % d["coders"])
        k = d["kappa"]
        out[d["scope"]] = (d["units"], float("nan") if k is None else k)
    return out


def same(x, y):
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return abs(x - y) < TOL


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    quarry = sys.argv[1]
    fixture = None
    if "--write-fixture" in sys.argv:
        fixture = sys.argv[sys.argv.index("--write-fixture") + 1]
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("SKIP: scikit-learn is not installed (Debian: python3-sklearn)")
        return 77
    rng = random.Random(SEED)
    checked = bad = undefined = 0
    worst = 0.0
    fix_rows, fix_kappas = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for t in range(TRIALS):
            rows, pairs = draw_trial(rng, t)
            path = os.path.join(tmp, "trial-%02d.jsonl" % t)
            with open(path, "w", encoding="utf-8") as f:
                for uid, coder, code in rows:
                    f.write(json.dumps({"id": uid, "code": code,
                                        "coder": coder}) + "\n")
            want = sklearn_kappas(pairs)
            got = run_quarry(quarry, path)
            for scope, (n, k) in sorted(want.items()):
                fix_kappas.append({"trial": t, "scope": scope, "units": n,
                                   "kappa": None if math.isnan(k) else k})
                checked += 1
                if scope not in got:
                    print("trial %d: quarry has no scope %s" % (t, scope))
                    bad += 1
                    continue
                gn, gk = got[scope]
                if math.isnan(k):
                    undefined += 1
                else:
                    worst = max(worst, abs(gk - k))
                if gn != n or not same(gk, k):
                    print("trial %d, %s: quarry %r on %d units, "
                          "scikit-learn %r on %d" % (t, scope, gk, gn, k, n))
                    bad += 1
            fix_rows.append({"trial": t, "a": [a for _, a, _ in pairs],
                             "b": [b for _, _, b in pairs]})
    if fixture is not None:
        with open(os.path.join(fixture, "sklearn-pairs.jsonl"), "w",
                  encoding="utf-8") as f:
            for r in fix_rows:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
        with open(os.path.join(fixture, "sklearn-kappa.jsonl"), "w",
                  encoding="utf-8") as f:
            for r in fix_kappas:
                f.write(json.dumps(r) + "\n")
    import sklearn
    print("%d kappas from %d trials (seed %d) against scikit-learn %s: "
          "%d mismatches, %d undefined in both, max |diff| %.3g"
          % (checked, TRIALS, SEED, sklearn.__version__, bad, undefined,
             worst))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
