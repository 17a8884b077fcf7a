#!/usr/bin/python3
"""Top-1 and top-3 accuracy of `quarry suggest` on the demo split: studies
S1-S4 of corpora/pss-demo train, S5-S6 are suggested for. An excerpt counts
as right when any of its gold codes is among the first k suggestions.

usage: /usr/bin/python3 tests/bench/demo_suggest.py BUILD_DIR [--codebook]
Also runs scikit-learn's TfidfVectorizer + NearestCentroid on the same split
when scikit-learn is installed.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRAIN = os.path.join(ROOT, "tests/data/suggest/demo-train.jsonl")
TEST = os.path.join(ROOT, "tests/data/suggest/demo-test.jsonl")
CODEBOOK = os.path.join(ROOT, "dictionaries/codebooks/pss-starter.json")


def gold(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        c = d["code"]
        out[d["id"]] = set(c if isinstance(c, list) else [c])
    return out


def score(ranked, truth):
    n = len(truth)
    top1 = sum(1 for i, r in ranked.items() if set(r[:1]) & truth[i]) / n
    top3 = sum(1 for i, r in ranked.items() if set(r[:3]) & truth[i]) / n
    return top1, top3


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "/tmp/sugbuild"
    extra = ["--codebook", CODEBOOK] if "--codebook" in sys.argv else []
    truth = gold(TEST)
    cmd = [os.path.join(build, "quarry"), "suggest", "--train", TRAIN,
           "--top", "3"] + extra + [TEST]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    ranked, abstained, right_kept = {}, 0, 0
    for line in out.splitlines():
        d = json.loads(line)
        ranked[d["id"]] = [s["code"] for s in d["suggestions"]]
        if d["abstain"]:
            abstained += 1
        elif ranked[d["id"]][0] in truth[d["id"]]:
            right_kept += 1
    t1, t3 = score(ranked, truth)
    kept = len(truth) - abstained
    print("quarry suggest%s: top-1 %.3f  top-3 %.3f  (%d test excerpts; "
          "abstains on %d; top-1 of the rest %.3f)"
          % (" --codebook" if extra else "", t1, t3, len(truth), abstained,
             right_kept / kept if kept else 0.0))
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.neighbors import NearestCentroid
        import numpy as np
    except ImportError:
        print("scikit-learn not installed: no baseline")
        return
    tr = [json.loads(l) for l in open(TRAIN, encoding="utf-8")]
    te = [json.loads(l) for l in open(TEST, encoding="utf-8")]
    first = [d["code"][0] if isinstance(d["code"], list) else d["code"] for d in tr]
    vec = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5)
    xtr = vec.fit_transform([d["text"] for d in tr])
    xte = vec.transform([d["text"] for d in te])
    nc = NearestCentroid().fit(xtr, first)
    cent = nc.centroids_
    cent = cent / np.maximum(np.linalg.norm(cent, axis=1, keepdims=True), 1e-12)
    sims = xte @ cent.T
    ranked = {}
    for i, d in enumerate(te):
        order = sorted(range(len(nc.classes_)), key=lambda c: (-sims[i, c], nc.classes_[c]))
        ranked[d["id"]] = [nc.classes_[c] for c in order]
    t1, t3 = score(ranked, truth)
    print("sklearn TfidfVectorizer + NearestCentroid: top-1 %.3f  top-3 %.3f" % (t1, t3))


if __name__ == "__main__":
    main()
