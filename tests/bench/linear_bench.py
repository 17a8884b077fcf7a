#!/usr/bin/python3
"""quarry's suggestions beside tuned linear classifiers (issue 14): on every
corpus the project has, scikit-learn's TF-IDF (word 1-2 grams + char_wb 2-5
grams) with LogisticRegression and with LinearSVC, C chosen by 3-fold
cross-validation, beside `quarry suggest` as it is (its default chooses a
linear model of its own), with `--linear 0` (prototypes and neighbours
alone, the default before), and with the charngram tokenizer. Prints the figures and how they were measured;
asserts nothing.

usage: /usr/bin/python3 tests/bench/linear_bench.py --quarry BUILD/quarry \\
           [--data DATA_DIR] [--corpus SPEED_CORPUS_DIR] [--quick] \\
           [--sets demo,talk,bbc,newsgroups,bbc-splits] [--splits 5]
           [--seed 0] [--cv-max N] [--train-sample N]
           [--quarry-seeds N]

DATA_DIR holds bbc.tar.gz and 20news-bydate.tar.gz as downloaded. The 20
Newsgroups paragraphs are SPEED_CORPUS_DIR/paragraphs-{train,test}.jsonl
as tests/bench/make_speed_corpus.py writes them; without --corpus they are
built from DATA_DIR's archive into a temporary folder. A set whose data is
missing is skipped with a line saying so.

Corpora and splits (the same for every system):
  demo        the demo study's topic codebook: train on studies S1-S4,
              suggest for S5-S6 (tests/data/suggest/demo-{train,test}.jsonl,
              as suggest_bench.py)
  talk        the demo study's form codebook (corpora/pss-demo/talk): five
              folds by session pair; each excerpt is suggested for once, by
              the model trained on the other four folds, and the measures are
              taken over all excerpts pooled
  bbc         BBC News, stratified 80/20 split, random.Random(42) per class
              (suggest_bench.py's split)
  bbc-splits  BBC News, --splits N such splits (seeds 42, 43, ...; the
              first is bbc's), the measures over all N test sets pooled:
              one split's 444 test excerpts tell top-3 figures near 1.0
              apart by an excerpt at most; N splits measure N times as many
              (not in the default --sets: each split costs scikit-learn
              about a minute)
  newsgroups  20 Newsgroups paragraphs (108,654; 80/20 at random, seed 0)

--quick keeps demo, talk and BBC whole and subsamples the paragraphs:
10,000 training and 5,000 test excerpts, drawn at random with --seed (the
output says so). Without --quick every excerpt is used, but the 3-fold
search for C runs on a random sample of at most --cv-max training excerpts
(20,000; the output says when it samples); the final model is fitted on all.

Systems:
  quarry               `quarry suggest --top 3 --train TRAIN TEST`, defaults
                       (a quarry without --auto's default: as it was)
  quarry --linear 0    the same without the linear model
  quarry charngram     --tokenizer charngram --stemmer none --stopwords none
                       --lexicon none --linear 0 (the base model on n-grams)
  sklearn LR           FeatureUnion(TfidfVectorizer(word, 1-2 grams),
                       TfidfVectorizer(char_wb, 2-5 grams)), both
                       sublinear_tf, min_df=2, no stop words; then
                       LogisticRegression(solver="liblinear": L2, one
                       binary model per code, probabilities normalised over
                       the codes), C in {1, 10, 100} by GridSearchCV
                       (3-fold stratified, shuffled with --seed, scored by
                       accuracy). liblinear, not the default lbfgs: lbfgs
                       (multinomial) needed 15 to 20 times the time on the
                       demo and does not converge in 100 iterations at C=100
  sklearn LinearSVC    the same features; LinearSVC, C in {0.1, 1, 10}
The vectoriser is fitted once on the training excerpts and the search for C
runs on its matrix (so the idf inside the search has seen all training
folds: the usual shortcut, the same for both models). A training excerpt
with several codes is one training row per code; an excerpt is a hit when
any of its gold codes is among the first k.

After each corpus, the first system beside each scikit-learn one,
excerpt by excerpt: how many excerpts only one of the two got right at
top-1 and at top-3, and the exact McNemar p of that split (when the two
figures differ by an excerpt or two of thousands, this says whether that
is more than chance).

Measures: top-1 and top-3 accuracy; ECE of the top suggestion's confidence
over 15 equal-width bins (bin-weighted |accuracy - mean confidence|).
Confidence: quarry's "confidence" field; LR's predict_proba; LinearSVC has
no probabilities, so its confidence is the softmax of its decision function
(uncalibrated, as a user of LinearSVC would get without
CalibratedClassifierCV; its ECE says how far that is from probabilities).
Seconds: wall clock. quarry runs once as one process with --verbose; train
is the sum of its phases other than "score the input" and "write the
output" (reading both files, fitting, calibrating), predict is those two.
scikit-learn: train is vectorising the training excerpts, the search for C
and the final fit; predict is vectorising the test excerpts and scoring
them. talk sums the five folds.
"""
import argparse
import importlib.util
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEMO_TRAIN = os.path.join(ROOT, "tests/data/suggest/demo-train.jsonl")
DEMO_TEST = os.path.join(ROOT, "tests/data/suggest/demo-test.jsonl")
TALK_ALL = os.path.join(ROOT, "corpora/pss-demo/talk/excerpts.jsonl")
CHARNGRAM = ["--tokenizer", "charngram", "--stemmer", "none",
             "--stopwords", "none", "--lexicon", "none"]
LR_GRID = [1.0, 10.0, 100.0]
SVC_GRID = [0.1, 1.0, 10.0]
N_BINS = 15
QUICK_TRAIN, QUICK_TEST = 10000, 5000
PREDICT_PHASES = ("score the input", "write the output")
PHASE = re.compile(r"^quarry suggest: (.+?): ([0-9.]+) s$")


def load_suggest_bench():
    spec = importlib.util.spec_from_file_location(
        "suggest_bench", os.path.join(HERE, "suggest_bench.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SB = load_suggest_bench()
codes_of, read_jsonl, write_jsonl = SB.codes_of, SB.read_jsonl, SB.write_jsonl


# ------------------------------------------------------------------ measures

def topk(ranked, truth, k):
    return sum(1 for i in truth if set(ranked[i][:k]) & truth[i]) / len(truth)


def ece(ranked, conf, truth):
    """Expected calibration error of the top suggestion, 15 equal bins."""
    bins = [[0, 0.0, 0] for _ in range(N_BINS)]  # n, sum conf, hits
    for i in truth:
        b = min(int(conf[i] * N_BINS), N_BINS - 1)
        bins[b][0] += 1
        bins[b][1] += conf[i]
        bins[b][2] += 1 if ranked[i][0] in truth[i] else 0
    n = len(truth)
    return sum(c / n * abs(h / c - s / c) for c, s, h in bins if c)


# ------------------------------------------------------------------ quarry

def has_auto(quarry):
    p = subprocess.run([quarry, "suggest", "--help"], capture_output=True,
                       text=True)
    return "--auto" in (p.stdout + p.stderr)


def run_quarry(quarry, train, test, extra):
    """One process; ranked codes, top confidence, train and predict secs."""
    cmd = [quarry, "suggest", "--verbose", "--train", train, "--top", "3"] + \
        extra + [test]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("quarry failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                                 p.stderr[-2000:]))
    ranked, conf = {}, {}
    for line in p.stdout.splitlines():
        d = json.loads(line)
        ranked[d["id"]] = [s["code"] for s in d["suggestions"]]
        conf[d["id"]] = d["suggestions"][0]["confidence"] if d["suggestions"] else 0.0
    train_s = predict_s = 0.0
    for line in p.stderr.splitlines():
        m = PHASE.match(line)
        if m:
            if m.group(1) in PREDICT_PHASES:
                predict_s += float(m.group(2))
            else:
                train_s += float(m.group(2))
    return ranked, conf, train_s, predict_s, wall


# ------------------------------------------------------------------ sklearn

def features():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion
    return FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2),
                                 sublinear_tf=True, min_df=2)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                 sublinear_tf=True, min_df=2)),
    ])


def fit_sklearn(which, x, y, seed, cv_max, notes):
    """GridSearchCV over C on (a sample of) x; refit on all of x."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.svm import LinearSVC

    if which == "lr":
        est, grid = LogisticRegression(solver="liblinear"), LR_GRID
    else:
        est, grid = LinearSVC(random_state=seed), SVC_GRID
    rows = np.arange(x.shape[0])
    if cv_max and x.shape[0] > cv_max:
        rows = np.sort(np.random.RandomState(seed).choice(
            x.shape[0], cv_max, replace=False))
        notes.add("C searched on %d of %d training rows (random, seed %d)" %
                  (cv_max, x.shape[0], seed))
    y = np.asarray(y)
    # Three folds need three rows of every class in the sample.
    labels, counts = np.unique(y[rows], return_counts=True)
    n_splits = int(min(3, counts.min()))
    search = GridSearchCV(est, {"C": grid}, scoring="accuracy", refit=False,
                          cv=StratifiedKFold(n_splits=max(n_splits, 2),
                                             shuffle=True, random_state=seed))
    search.fit(x[rows], y[rows])
    best = search.best_params_["C"]
    est.set_params(C=best)
    est.fit(x, y)
    return est, best


def run_sklearn(which, train_rows, test_rows, seed, cv_max, notes):
    import numpy as np
    t0 = time.perf_counter()
    texts, labels = [], []
    for d in train_rows:
        for c in codes_of(d):
            texts.append(d["text"])
            labels.append(c)
    vec = features()
    xtr = vec.fit_transform(texts)
    model, best = fit_sklearn(which, xtr, labels, seed, cv_max, notes)
    t1 = time.perf_counter()
    xte = vec.transform([d["text"] for d in test_rows])
    if which == "lr":
        score = model.predict_proba(xte)
        prob = score
    else:
        score = model.decision_function(xte)
        if score.ndim == 1:  # two classes: one column for the second
            score = np.column_stack([-score, score])
        z = score - score.max(axis=1, keepdims=True)
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
    classes = list(model.classes_)
    order = np.argsort(-score, axis=1, kind="stable")[:, :3]
    t2 = time.perf_counter()
    ranked, conf = {}, {}
    for i, d in enumerate(test_rows):
        ranked[d["id"]] = [classes[c] for c in order[i]]
        conf[d["id"]] = float(prob[i, order[i, 0]])
    return ranked, conf, t1 - t0, t2 - t1, best


# ------------------------------------------------------------------ corpora

def sample(rows, n, seed):
    if n is None or len(rows) <= n:
        return rows
    keep = sorted(random.Random(seed).sample(range(len(rows)), n))
    return [rows[i] for i in keep]


def corpus_splits(name, args, tmp, notes):
    """[(train rows, test rows)], or None with a reason."""
    if name == "demo":
        return [(read_jsonl(DEMO_TRAIN), read_jsonl(DEMO_TEST))], None
    if name == "talk":
        rows = read_jsonl(TALK_ALL)
        return [([d for d in rows if d["fold"] != f],
                 [d for d in rows if d["fold"] == f])
                for f in sorted({d["fold"] for d in rows})], None
    if name == "bbc":
        if not args.data or not os.path.exists(os.path.join(args.data,
                                                            "bbc.tar.gz")):
            return None, "no bbc.tar.gz in --data"
        tr, te = SB.bbc_split(args.data, 42, tmp)
        return [(read_jsonl(tr), read_jsonl(te))], None
    if name == "bbc-splits":
        if not args.data or not os.path.exists(os.path.join(args.data,
                                                            "bbc.tar.gz")):
            return None, "no bbc.tar.gz in --data"
        out = []
        for k in range(args.splits):
            tr, te = SB.bbc_split(args.data, 42 + k, tmp)
            # Ids repeat across splits: each split's own, so the pooled
            # measures count every (split, excerpt).
            out.append(tuple([dict(d, id="s%d:%s" % (k, d["id"]))
                              for d in read_jsonl(f)] for f in (tr, te)))
        return out, None
    if name == "newsgroups":
        corpus = args.corpus
        if not corpus:
            archive = os.path.join(args.data or "", "20news-bydate.tar.gz")
            if not args.data or not os.path.exists(archive):
                return None, "no --corpus and no 20news-bydate.tar.gz in --data"
            corpus = os.path.join(tmp, "speed")
            subprocess.run([sys.executable,
                            os.path.join(HERE, "make_speed_corpus.py"),
                            "--archive", archive, "--out", corpus,
                            "--sentences", "0"], check=True,
                           stdout=subprocess.DEVNULL)
        tr = os.path.join(corpus, "paragraphs-train.jsonl")
        te = os.path.join(corpus, "paragraphs-test.jsonl")
        if not (os.path.exists(tr) and os.path.exists(te)):
            return None, "no paragraphs-{train,test}.jsonl in %s" % corpus
        train, test = read_jsonl(tr), read_jsonl(te)
        if args.quick:
            n_tr, n_te = len(train), len(test)
            train = sample(train, QUICK_TRAIN, args.seed)
            test = sample(test, QUICK_TEST, args.seed + 1)
            notes.add("--quick: %d of %d training and %d of %d test "
                      "paragraphs (random, seed %d and %d)" %
                      (len(train), n_tr, len(test), n_te, args.seed,
                       args.seed + 1))
        return [(train, test)], None
    return None, "unknown set"


TITLES = {
    "demo": "demo study, topic codebook (train S1-S4, suggest S5-S6)",
    "talk": "demo study, form codebook (5 folds by session pair, pooled)",
    "bbc": "BBC News (stratified 80/20, seed 42)",
    "bbc-splits": "BBC News, several stratified 80/20 splits (pooled)",
    "newsgroups": "20 Newsgroups paragraphs (80/20, seed 0)",
}


def mcnemar_p(b, c):
    """Exact two-sided McNemar p: of the b + c excerpts only one system
    got right, how likely a split at least this uneven is if either
    system is as likely to be the one (binomial, p = 1/2)."""
    n, k = b + c, min(b, c)
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0 ** n
    return min(1.0, 2.0 * tail)


def paired(kept):
    """The first system beside each scikit-learn one, excerpt by excerpt:
    how many only one of the two got right (top-1, top-3), and the exact
    McNemar p of that split. A difference of a few excerpts on a figure
    near 1.0 is told from chance here, not from the rounded figures."""
    if len(kept) < 2:
        return
    label0, r0, truth = kept[0]
    for label, r, _ in kept[1:]:
        if not label.startswith("sklearn"):
            continue
        parts = []
        for k in (1, 3):
            hit0 = {i for i in truth if set(r0[i][:k]) & truth[i]}
            hit1 = {i for i in truth if set(r[i][:k]) & truth[i]}
            b, c = len(hit0 - hit1), len(hit1 - hit0)
            parts.append("top-%d: %s alone right on %d, %s alone on %d, "
                         "p = %.2f" % (k, label0, b, label, c,
                                       mcnemar_p(b, c)))
        print("paired with %s (exact McNemar): %s" % (label,
                                                      "; ".join(parts)))


def bench(name, args, auto):
    notes = set()
    with tempfile.TemporaryDirectory() as tmp:
        splits, why = corpus_splits(name, args, tmp, notes)
        if splits is None:
            print("\n== %s: skipped (%s) ==" % (TITLES.get(name, name), why))
            return
        if args.train_sample:
            splits = [(sample(tr, args.train_sample, args.seed), te)
                      for tr, te in splits]
            notes.add("--train-sample: at most %d training excerpts per "
                      "split (random, seed %d)" % (args.train_sample,
                                                   args.seed))
        n_train = sum(len(tr) for tr, _ in splits) // len(splits)
        n_test = sum(len(te) for _, te in splits)
        title = TITLES[name]
        if name == "bbc-splits":
            title = ("BBC News, %d stratified 80/20 splits (seeds 42-%d, "
                     "pooled)" % (len(splits), 41 + len(splits)))
        print("\n== %s: %d training, %d test excerpts ==" %
              (title, n_train, n_test))
        systems = [("quarry", "q", []),
                   ("quarry --linear 0", "q", ["--linear", "0"]),
                   ("quarry charngram", "q", CHARNGRAM + ["--linear", "0"])]
        if args.only:
            systems = [(lab, "q", a.split()) for lab, a in args.only]
        if not args.no_sklearn:
            systems += [("sklearn LR", "lr", None),
                        ("sklearn LinearSVC", "svc", None)]
        print("%-20s %6s %6s %6s %9s %9s %9s  %s" %
              ("system", "top-1", "top-3", "ECE", "train s", "predict s",
               "wall s", "chosen"))
        kept = []  # (label, ranked, truth) of single-seed runs, for pairs
        for label, kind, extra in systems:
            if kind == "q" and extra == ["--linear", "0"] and not auto:
                print("%-20s %6s %6s %6s %9s %9s %9s" %
                      (label, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"))
                continue
            seeds = [None]
            if kind == "q" and args.quarry_seeds > 1:
                seeds = list(range(1, args.quarry_seeds + 1))
            per_seed = []
            tr_s = pr_s = wall = 0.0
            chosen = []
            per_split = []
            for seed in seeds:
                ranked, conf, truth = {}, {}, {}
                for k, (train, test) in enumerate(splits):
                    for d in test:
                        truth[d["id"]] = set(codes_of(d))
                    if kind == "q":
                        trp = os.path.join(tmp, "train-%d.jsonl" % k)
                        tep = os.path.join(tmp, "test-%d.jsonl" % k)
                        write_jsonl(trp, train)
                        write_jsonl(tep, test)
                        more = [] if seed is None else ["--seed", str(seed)]
                        r, c, a, b, w = run_quarry(args.quarry, trp, tep,
                                                   extra + args.extra_list +
                                                   more)
                        wall += w
                    else:
                        r, c, a, b, best = run_sklearn(kind, train, test,
                                                       args.seed, args.cv_max,
                                                       notes)
                        chosen.append("%g" % best)
                        wall += a + b
                    ranked.update(r)
                    conf.update(c)
                    tr_s += a
                    pr_s += b
                    if name == "bbc-splits" and seed is None:
                        split_truth = {d["id"]: set(codes_of(d)) for d in test}
                        per_split.append("%.3f/%.3f" % (
                            topk(r, split_truth, 1), topk(r, split_truth, 3)))
                per_seed.append((topk(ranked, truth, 1),
                                 topk(ranked, truth, 3),
                                 ece(ranked, conf, truth)))
            n = len(per_seed)
            mean = [sum(m[j] for m in per_seed) / n for j in range(3)]
            if n > 1:
                chosen = ["mean of seeds 1-%d: top-1 %.3f-%.3f, top-3 "
                          "%.3f-%.3f" %
                          (n, min(m[0] for m in per_seed),
                           max(m[0] for m in per_seed),
                           min(m[1] for m in per_seed),
                           max(m[1] for m in per_seed))]
                tr_s, pr_s, wall = tr_s / n, pr_s / n, wall / n
            print("%-20s %6.3f %6.3f %6.3f %9.2f %9.2f %9.2f  %s" %
                  (label, mean[0], mean[1], mean[2], tr_s, pr_s, wall,
                   ("C=" + ",".join(chosen)) if chosen and n == 1 and
                   kind != "q" else "; ".join(chosen)))
            if per_split:
                print("%-20s per split, top-1/top-3: %s" %
                      ("", " ".join(per_split)))
            if n == 1:
                kept.append((label, ranked, truth))
            sys.stdout.flush()
        paired(kept)
        for n in sorted(notes):
            print("note: " + n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quarry", required=True, help="the quarry binary")
    ap.add_argument("--data", help="folder holding bbc.tar.gz and "
                    "20news-bydate.tar.gz")
    ap.add_argument("--corpus", help="folder holding paragraphs-{train,test}"
                    ".jsonl (make_speed_corpus.py)")
    ap.add_argument("--sets", default="demo,talk,bbc,newsgroups")
    ap.add_argument("--quick", action="store_true",
                    help="subsample the 20 Newsgroups paragraphs")
    ap.add_argument("--seed", type=int, default=0,
                    help="CV folds, C-search sample and --quick sample (0)")
    ap.add_argument("--cv-max", type=int, default=20000,
                    help="search C on at most this many training rows "
                    "(20000; 0: all)")
    ap.add_argument("--extra", default="", help="more quarry arguments")
    ap.add_argument("--quarry-seeds", type=int, default=1, metavar="N",
                    help="run each quarry system with --seed 1..N and "
                    "print the means (and the range; seconds per run): "
                    "quarry's seed picks its calibration folds and "
                    "liblinear's row order, which move a small corpus's "
                    "figures by an excerpt or two (1: quarry's default "
                    "seed, one run)")
    ap.add_argument("--splits", type=int, default=5, metavar="N",
                    help="bbc-splits: that many stratified 80/20 splits "
                    "of BBC News, seeds 42..41+N (5)")
    ap.add_argument("--train-sample", type=int, default=0, metavar="N",
                    help="train on at most N excerpts of each split, drawn "
                    "at random with --seed (0: all); what the default's "
                    "choices cost at a size, e.g. 1000 and 1001 either "
                    "side of the bound of its search of C")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--only", action="append", default=[],
                    metavar="LABEL=ARGS",
                    help="instead of quarry's three systems, quarry with "
                    "these arguments (repeatable; with --no-sklearn: "
                    "quarry alone)")
    args = ap.parse_args()
    only = []
    for o in args.only:
        lab, eq, rest = o.partition("=")
        if not eq:
            ap.error("--only wants LABEL=ARGS, not %r" % o)
        only.append((lab, rest))
    args.only = only
    args.extra_list = args.extra.split()
    ver = subprocess.run([args.quarry, "--version"], capture_output=True,
                         text=True).stdout.strip()
    auto = has_auto(args.quarry)
    try:
        import sklearn
        skv = sklearn.__version__
    except ImportError:
        skv = None
        args.no_sklearn = True
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "?"
    print("linear_bench: %s; scikit-learn %s; python %s; %d CPUs; load "
          "average %s" % (ver or args.quarry, skv or "not installed",
                          sys.version.split()[0], os.cpu_count() or 0, load))
    print("quarry: suggest --verbose --train TRAIN --top 3 [OPTIONS] TEST%s; "
          "--auto %s" % (" " + args.extra if args.extra else "",
                         "present" if auto else "absent (n/a)"))
    print("sklearn: word 1-2 + char_wb 2-5 TF-IDF (sublinear, min_df 2); "
          "LR (liblinear) C in %s, LinearSVC C in %s, 3-fold GridSearchCV, seed %d; "
          "LinearSVC confidence = softmax of decision_function" %
          (LR_GRID, SVC_GRID, args.seed))
    print("ECE: top suggestion, %d equal-width bins; seconds: wall clock "
          "(see --help)%s" % (N_BINS, "; --quick" if args.quick else ""))
    for name in args.sets.split(","):
        bench(name, args, auto)
    try:
        print("\nload average at the end %.2f %.2f %.2f" % os.getloadavg())
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
