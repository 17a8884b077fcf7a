#!/usr/bin/python3
"""Theme labels: coherence and exclusivity of each theme's top terms, quarry
before and after the log-odds labels, beside scikit-learn's k-means.
quarry's labels: log-odds z with an informative prior, phrases, filler left
out, the ten chosen together for z and for being said in the same excerpts
(labels.c, choose_together), each in the form the theme's excerpts say it.

For each corpus, `quarry themes` runs with the same k and seed under two
binaries (--before, e.g. a build of an older commit, and --quarry), so the
clusters are the same and only the labels differ; scikit-learn's
TfidfVectorizer(min_df=2, max_df=0.5, stop_words="english") + KMeans gives
its own clusters, labelled by the 10 heaviest terms of each centroid.

Measures, per theme over its top 10 terms, then the mean over themes:

  NPMI   normalised pointwise mutual information of every pair of terms,
         by document co-occurrence over the whole corpus: P(w) is the share
         of documents that contain w, P(w1, w2) the share that contain both;
         NPMI = log(P(w1,w2) / (P(w1) P(w2))) / -log P(w1,w2), and -1 for a
         pair never seen together. A document contains a term when its
         lower-cased text has the term as a whole word (a phrase: its
         words in order, separated by anything but letters and digits);
         a canonical term of the lexicon's synonym groups (quarry's
         "peer specialist", which stands for "peer worker", "peer support
         worker", "pss" ...) when it has the term or any of its variants.
         Higher is more coherent (-1 .. 1).
  EXCL   exclusivity: of the documents that contain a term, the share that
         are members of the theme, averaged over its terms (how much the
         label says of this theme rather than of the corpus).
  DF     the mean share of the corpus' documents that contain a term (a
         filler label is in many documents).

It also checks the filler list against the demo codebook: filler words that
are keywords of a code (should be none) and the share of the demo's word
tokens that are filler. Prints figures; asserts nothing.

    /usr/bin/python3 tests/bench/theme_labels.py --quarry build/quarry \\
        --before BASE/quarry [--archive 20news-bydate.tar.gz] [--seed 42]

--quarry-arg passes an option to both quarry runs (the tokenizer, say);
--corpus measures another JSONL corpus with --demo-k themes.
--before is optional (without it the "before" rows are left out). The 20
Newsgroups rows need --archive (the "by date" archive as downloaded): the
train subset, all 20 groups, blank messages dropped, k=20.
"""
import argparse
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def lexicon_variants():
    """canonical term -> its variants, from the default lexicon (quarry
    labels a synonym group by its canonical term)."""
    with open(os.path.join(ROOT, "dictionaries/lexicon/pss.json"), encoding="utf-8") as f:
        return {k.lower(): [v.lower() for v in vs]
                for k, vs in json.load(f).get("synonyms", {}).items()}


class Docs:
    """Which documents contain which term (whole words, lower case)."""

    def __init__(self, texts):
        self.texts = [t.lower() for t in texts]
        self.words = [set(WORD.findall(t)) for t in self.texts]
        self.cache = {}
        self.variants = lexicon_variants()

    def containing(self, term):
        if term in self.cache:
            return self.cache[term]
        s = self.literal(term)
        for v in self.variants.get(term.lower(), []):
            s = s | self.literal(v)
        self.cache[term] = s
        return s

    def literal(self, term):
        parts = WORD.findall(term.lower())
        if len(parts) == 1 and parts[0] == term.lower():
            s = frozenset(i for i, w in enumerate(self.words) if term.lower() in w)
        else:
            rx = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, parts))
                            + r"(?![^\W_])")
            s = frozenset(i for i, (w, t) in enumerate(zip(self.words, self.texts))
                          if parts and parts[0] in w and rx.search(t))
        return s


def npmi(docs, terms):
    n = len(docs.texts)
    sets = [docs.containing(t) for t in terms]
    vals = []
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            both = len(sets[i] & sets[j])
            if both == 0 or not sets[i] or not sets[j]:
                vals.append(-1.0)
                continue
            pij = both / n
            if pij >= 1.0:
                vals.append(1.0)
                continue
            pi, pj = len(sets[i]) / n, len(sets[j]) / n
            vals.append(math.log(pij / (pi * pj)) / -math.log(pij))
    return sum(vals) / len(vals) if vals else float("nan")


def measure(docs, themes):
    """themes: list of (terms, member doc indices)."""
    n = len(docs.texts)
    co, ex, df = [], [], []
    for terms, members in themes:
        terms = terms[:10]
        if len(terms) < 2:
            continue
        co.append(npmi(docs, terms))
        mem = set(members)
        e, d = [], []
        for t in terms:
            s = docs.containing(t)
            d.append(len(s) / n)
            e.append(len(s & mem) / len(s) if s else 0.0)
        ex.append(sum(e) / len(e))
        df.append(sum(d) / len(d))
    return (float(np.mean(co)), float(np.mean(ex)), float(np.mean(df)), len(co))


def run_quarry(binary, path, k, seed, ids, extra=()):
    out = subprocess.run([binary, "themes", "--k", str(k), "--seed", str(seed),
                          *extra, path], check=True, capture_output=True,
                         text=True).stdout
    index = {d: i for i, d in enumerate(ids)}
    themes = []
    for line in out.splitlines():
        t = json.loads(line)
        themes.append((t["terms"], [index[m] for m in t["members"]]))
    return themes


def run_sklearn(texts, k, seed):
    vec = TfidfVectorizer(min_df=2, max_df=0.5, stop_words="english")
    x = vec.fit_transform(texts)
    km = KMeans(n_clusters=k, n_init=5, random_state=seed).fit(x)
    names = vec.get_feature_names_out()
    themes = []
    for c in range(k):
        top = np.argsort(-km.cluster_centers_[c])[:10]
        themes.append(([names[i] for i in top],
                       [i for i, l in enumerate(km.labels_) if l == c]))
    return themes


def filler_check(docs):
    words = set()
    with open(os.path.join(ROOT, "dictionaries/filler/en.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                words.add(line)
    cb = json.load(open(os.path.join(ROOT, "dictionaries/codebooks/pss-starter.json")))
    keys = {k.lower() for c in cb["codes"] for k in c.get("keywords", [])}
    hit = sorted(words & keys)
    toks = [w for t in docs.texts for w in WORD.findall(t)]
    share = sum(1 for w in toks if w in words) / max(1, len(toks))
    print(f"filler list: {len(words)} words; codebook keywords among them: "
          f"{len(hit)} {hit if hit else ''}; share of the demo's word tokens "
          f"that are filler: {share:.3f}")


def corpus_rows(name, path, k, seed, a):
    rows = read_jsonl(path)
    ids = [r["id"] for r in rows]
    texts = [r["text"] for r in rows]
    docs = Docs(texts)
    print(f"\n{name}: {len(rows)} documents, k={k}, seed {seed}")
    print(f"{'labels':<34} {'NPMI':>7} {'EXCL':>7} {'DF':>7} {'themes':>7}")
    runs = []
    if a.before:
        runs.append(("quarry before (class tf-idf)", run_quarry(a.before, path, k, seed, ids, a.quarry_arg)))
    runs.append(("quarry (log-odds, together, filler)", run_quarry(a.quarry, path, k, seed, ids, a.quarry_arg)))
    runs.append(("scikit-learn k-means centroids", run_sklearn(texts, k, seed)))
    for label, themes in runs:
        c, e, d, n = measure(docs, themes)
        print(f"{label:<34} {c:>7.3f} {e:>7.3f} {d:>7.3f} {n:>7}")
    if a.show:
        for label, themes in runs:
            print(f"  {label}:")
            for terms, members in themes:
                print(f"    ({len(members)}) {', '.join(terms[:10])}")
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarry", default=os.path.join(ROOT, "build", "quarry"))
    ap.add_argument("--before", help="an older quarry binary (the labels before)")
    ap.add_argument("--archive", help="20news-bydate.tar.gz")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--demo-k", type=int, default=12)
    ap.add_argument("--news-k", type=int, default=20)
    ap.add_argument("--show", action="store_true", help="print every label")
    ap.add_argument("--quarry-arg", action="append", default=[],
                    help="an option for both quarry runs (repeatable), e.g. "
                         "--quarry-arg=--tokenizer --quarry-arg=whitespace")
    ap.add_argument("--corpus", action="append", default=[],
                    help="another JSONL corpus (id, text) to measure, with "
                         "--demo-k themes (repeatable)")
    a = ap.parse_args()
    demo = os.path.join(ROOT, "corpora/pss-demo/excerpts.jsonl")
    docs = corpus_rows("demo study", demo, a.demo_k, a.seed, a)
    filler_check(docs)
    for path in a.corpus:
        corpus_rows(os.path.basename(path), path, a.demo_k, a.seed, a)
    if a.archive:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "news.jsonl")
            subprocess.run([sys.executable, os.path.join(ROOT, "corpora/20newsgroups/convert.py"),
                            a.archive, "--subset", "train", "--drop-empty", "--out", path],
                           check=True, capture_output=True)
            corpus_rows("20 Newsgroups (train, 20 groups)", path, a.news_k, a.seed, a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
