#!/usr/bin/python3
"""Theme discovery on the demo study, quarry beside scikit-learn.

Runs `quarry themes` and scikit-learn's TfidfVectorizer + KMeans on the same
excerpts with the same k, over several seeds, and scores both against the
gold coding: NMI and ARI against the gold code of each excerpt (its first
code) and against the gold theme (the code's parent in the codebook). Prints
means and spreads, and the wall time of each whole run. Nothing is asserted.

    /usr/bin/python3 tests/bench/demo_themes.py --quarry build/quarry [--k 16] [--seeds 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load(corpus, codebook):
    parent = {c["id"]: c["parent"] for c in json.load(open(codebook))["codes"]}
    ids, texts, codes, themes = [], [], [], []
    for line in open(corpus, encoding="utf-8"):
        o = json.loads(line)
        code = o["code"][0] if isinstance(o["code"], list) else o["code"]
        ids.append(o["id"])
        texts.append(o["text"])
        codes.append(code)
        themes.append(parent[code])
    return ids, texts, codes, themes


def score(gold_codes, gold_themes, labels):
    return (normalized_mutual_info_score(gold_codes, labels),
            adjusted_rand_score(gold_codes, labels),
            normalized_mutual_info_score(gold_themes, labels))


def run_quarry(binary, corpus, k, seed, extra):
    t = time.perf_counter()
    out = subprocess.run([binary, "themes", "--k", str(k), "--seed", str(seed)]
                         + extra + [corpus], check=True, capture_output=True,
                         text=True).stdout
    dt = time.perf_counter() - t
    label = {}
    for line in out.splitlines():
        theme = json.loads(line)
        for m in theme["members"]:
            label[m] = theme["theme"]
    return label, dt


def run_sklearn(texts, k, seed):
    t = time.perf_counter()
    x = TfidfVectorizer(min_df=2, max_df=0.5, stop_words="english").fit_transform(texts)
    labels = KMeans(n_clusters=k, n_init=5, random_state=seed).fit_predict(x)
    return labels, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarry", default=os.path.join(ROOT, "build", "quarry"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "corpora/pss-demo/excerpts.jsonl"))
    ap.add_argument("--codebook", default=os.path.join(ROOT, "dictionaries/codebooks/pss-starter.json"))
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("quarry_args", nargs="*", help="extra arguments for quarry themes (after --)")
    a = ap.parse_args()
    ids, texts, codes, themes = load(a.corpus, a.codebook)
    rows = {"quarry": [], "scikit-learn": []}
    for seed in range(a.seeds):
        label, dt = run_quarry(a.quarry, a.corpus, a.k, seed, a.quarry_args)
        rows["quarry"].append(score(codes, themes, [label[i] for i in ids]) + (dt,))
        labels, dt = run_sklearn(texts, a.k, seed)
        rows["scikit-learn"].append(score(codes, themes, labels) + (dt,))
    print(f"demo study: {len(ids)} excerpts, k={a.k}, {a.seeds} seeds "
          f"(mean ± sd); quarry args: {' '.join(a.quarry_args) or '(defaults)'}")
    print(f"{'pipeline':<14} {'code NMI':>14} {'code ARI':>14} {'theme NMI':>14} {'seconds':>9}")
    for name, r in rows.items():
        cols = []
        for j in range(3):
            v = [x[j] for x in r]
            cols.append(f"{statistics.mean(v):.3f} ± {statistics.pstdev(v):.3f}")
        secs = statistics.median(x[3] for x in r)
        print(f"{name:<14} {cols[0]:>14} {cols[1]:>14} {cols[2]:>14} {secs:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
