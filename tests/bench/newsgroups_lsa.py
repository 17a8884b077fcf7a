#!/usr/bin/python3
"""scikit-learn's "Clustering text documents using k-means" table, run here
by scikit-learn and by quarry on the same documents, side by side with the
published rows (evaluation.md). Nothing is asserted; it prints what it
measured.

    /usr/bin/python3 tests/bench/newsgroups_lsa.py --quarry build/quarry \\
        --archive 20news-bydate.tar.gz [--seeds 5] [--dims 100,0]

The documents: corpora/20newsgroups/convert.py on the archive, the four
groups of the example (alt.atheism, talk.religion.misc, comp.graphics,
sci.space), train and test, headers, footers and quotes removed as
fetch_20newsgroups removes them: 3,387 documents, 92 of them blank after
cleaning (kept, as scikit-learn keeps them). Gold labels: the group.

scikit-learn rows, as the example builds them (scikit-learn of this
machine): TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english");
k-means on the tf-idf rows (KMeans(n_clusters=4, max_iter=100, n_init=5,
random_state=seed)); and k-means after LSA (TruncatedSVD(100,
random_state=0) then Normalizer, KMeans(..., n_init=1, random_state=seed)),
seeds 0..N-1. The example leaves the SVD unseeded; it is seeded here so a
rerun gives the same figures. Documents are in the converter's order, not
the example's shuffle.

quarry rows: `quarry bench --gold ng4.jsonl --plugins kmeans --k 4 --seed 0
--seeds N` (seeds 0..N-1, each run in its own process), once with quarry's
defaults (--min-df 2 --max-df 0.5, stopwords, Snowball stemming, PSS
lexicon, LSA 100 dims) and, for each --dims given, with the example's
vocabulary limits (--min-df 5 --max-df 0.5).

Figures: homogeneity, completeness, V-measure and ARI, mean +- standard
deviation (n, not n - 1, as numpy's std) over the seeds. seconds: mean
wall time per run of the whole pipeline from text to labels: for
scikit-learn the vectorizer (and SVD) once plus one k-means fit; for quarry
the themes pipeline inside its run (tokenize, weigh, reduce, cluster,
describe), as `quarry bench` reports it. Both sides run on this machine in
one command.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CATS = "alt.atheism,talk.religion.misc,comp.graphics,sci.space"
PUBLISHED = [  # evaluation.md: hom, comp, V, ARI
    ("published: k-means on tf-idf", (0.349, 0.398, 0.372, 0.203)),
    ("published: k-means after LSA", (0.398, 0.427, 0.412, 0.321)),
]


def row(name, values, sds=None, seconds=None, runs=""):
    cells = []
    for i, v in enumerate(values):
        cells.append("%.3f" % v if sds is None else "%.3f +-%.3f" % (v, sds[i]))
    w = 14
    print("%-44s %-5s %s %s" % (name, runs, " ".join(c.ljust(w) for c in cells),
                                "" if seconds is None else "%.2f" % seconds))


def sklearn_rows(texts, gold, seeds):
    t0 = time.perf_counter()
    vec = TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english")
    x_tfidf = vec.fit_transform(texts)
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    lsa = make_pipeline(TruncatedSVD(n_components=100, random_state=0),
                        Normalizer(copy=False))
    x_lsa = lsa.fit_transform(x_tfidf)
    t_lsa = time.perf_counter() - t0
    out = []
    for name, x, n_init, t_prep in [
            ("scikit-learn: k-means on tf-idf", x_tfidf, 5, t_vec),
            ("scikit-learn: k-means after LSA", x_lsa, 1, t_vec + t_lsa)]:
        scores, secs = [], []
        for seed in seeds:
            km = KMeans(n_clusters=4, max_iter=100, n_init=n_init,
                        random_state=seed)
            t0 = time.perf_counter()
            km.fit(x)
            secs.append(time.perf_counter() - t0 + t_prep)
            h, c, v = metrics.homogeneity_completeness_v_measure(
                gold, km.labels_)
            scores.append((h, c, v, metrics.adjusted_rand_score(
                gold, km.labels_)))
        s = np.array(scores)
        out.append((name, s.mean(axis=0), s.std(axis=0), np.mean(secs),
                    "%d/%d" % (len(seeds), len(seeds))))
    return x_tfidf.shape[1], out


def quarry_row(quarry, gold_path, seeds, name, extra):
    cmd = [quarry, "bench", "--gold", gold_path, "--plugins", "kmeans",
           "--k", "4", "--seed", "0", "--seeds", str(seeds),
           "--format", "jsonl", "--quiet"] + extra
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("newsgroups_lsa.py: %s failed (exit %d): %s" % (
            " ".join(cmd), p.returncode, p.stderr.strip()))
    r = json.loads(p.stdout.splitlines()[0])
    keys = ("homogeneity", "completeness", "v_measure", "ari")
    return (name, [r[k] for k in keys], [r[k + "_sd"] for k in keys],
            r["seconds"], "%d/%d" % (r["runs"], seeds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarry", required=True, help="the quarry command")
    ap.add_argument("--archive", required=True, help="20news-bydate.tar.gz")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--dims", default="100,0",
                    help="LSA dimensions of the quarry rows with the "
                         "example's vocabulary limits (0 = no LSA)")
    a = ap.parse_args()
    seeds = list(range(a.seeds))
    with tempfile.TemporaryDirectory() as tmp:
        gold_path = os.path.join(tmp, "ng4.jsonl")
        subprocess.run([sys.executable, os.path.join(
            ROOT, "corpora", "20newsgroups", "convert.py"), a.archive,
            "--subset", "all", "--categories", CATS, "--out", gold_path],
            check=True, stderr=subprocess.DEVNULL)
        docs = [json.loads(l) for l in open(gold_path, encoding="utf-8")]
        texts = [d["text"] for d in docs]
        gold = [d["code"] for d in docs]
        n_features, sk = sklearn_rows(texts, gold, seeds)
        rows = [quarry_row(a.quarry, gold_path, a.seeds,
                           "quarry: defaults (LSA 100, min_df 2)", [])]
        for dims in a.dims.split(","):
            rows.append(quarry_row(
                a.quarry, gold_path, a.seeds,
                "quarry: min_df 5, max_df 0.5, %s" % (
                    "LSA %s" % dims if dims != "0" else "no LSA"),
                ["--min-df", "5", "--max-df", "0.5", "--dims", dims]))

    print("20 Newsgroups, 4 groups, subset all: %d documents (%d blank "
          "after cleaning); scikit-learn %s, tf-idf features %d "
          "(published: 7,929)" % (len(docs), sum(1 for t in texts
                                                 if not t.strip()),
                                  __import__("sklearn").__version__,
                                  n_features))
    print("seeds %d..%d; mean +- sd over seeds; seconds: per run, text to "
          "labels\n" % (seeds[0], seeds[-1]))
    print("%-44s %-5s %-14s %-14s %-14s %-14s %s" % (
        "pipeline", "runs", "homogeneity", "completeness", "V-measure",
        "ARI", "seconds"))
    for name, vals in PUBLISHED:
        row(name, vals)
    for name, m, sd, secs, runs in sk + rows:
        row(name, m, sd, secs, runs)


if __name__ == "__main__":
    main()
