#!/usr/bin/python3
"""Suggestion quality of `quarry suggest` beside scikit-learn, on the same
splits (issue 3, "Quality, measured").

usage: /usr/bin/python3 tests/bench/suggest_bench.py --quarry BUILD/quarry \
           --data DATA_DIR [--seed 42] [--sets demo,talk,probes,bbc] [--extra "ARGS"] \
           [--demo-folds]

DATA_DIR holds bbc.tar.gz as downloaded (read through corpora/bbc/convert.py);
without it only the demo set runs. --extra passes more arguments to every
quarry run (to try an option; the figures to quote are without it).

Sets:
  demo  the demo study: train on studies S1-S4, suggest for S5-S6
        (tests/data/suggest/demo-{train,test}.jsonl, as demo_suggest.py)
  bbc   BBC News, 2,225 articles, stratified 80/20 split with a fixed seed
  talk  the demo's second codebook, forms of talk
        (corpora/pss-demo/talk): five folds by session pair (train on
        four, suggest for the fifth), top-1 and top-3 as means over the
        folds; quarry is run as it is, with the talk codebook, and with
        the charngram tokenizer (stemmer, stopwords and lexicon off)
  probes  excerpts that say little: the interviewer's turns of the demo
        transcripts (corpora/pss-demo/transcripts, "Interviewer:" lines)
        and a few fixed short lines ("Yes.", "Thank you for making time
        today", ...), suggested for with the demo training set; printed:
        their mean top confidence and the share quarry abstains on (a
        confidence that knows when an excerpt says little is low here)
With --demo-folds, also five leave-two-studies-out splits of the whole demo
study (corpora/pss-demo; test studies S5+S6, S1+S2, S3+S4, S1+S6, S2+S5),
top-1 and top-3 as means over the folds: 120 test excerpts are few, and
the defaults were chosen on these folds and BBC together.

Systems, all on the same split and the same text:
  quarry                      `quarry suggest --top 3`, default options
  quarry --codebook           the same with the demo codebook (demo only)
  sklearn NearestCentroid     TfidfVectorizer + NearestCentroid, ranked by
                              its own (euclidean) distance to the centroids
  sklearn LinearSVC           TfidfVectorizer + LinearSVC, ranked by the
                              decision function
TfidfVectorizer uses stop_words="english", min_df=2, max_df=0.5 (quarry's
own defaults for document frequency). A training excerpt with several codes
is one training row per code for scikit-learn (quarry reads the list).

Measures: top-1 and top-3 accuracy (an excerpt is a hit when any of its gold
codes is among the first k); for quarry also the coverage at its default
--min-confidence (the share of excerpts it does not abstain on) and the
top-1 accuracy on those, and calibration: the accuracy of the top
suggestion per confidence bin, with the bins' mean confidence and the
expected calibration error (ECE, bin-weighted |accuracy - confidence|) and
the Brier score of the top confidence (mean (confidence - right)^2, right
1 or 0; unlike ECE it does not jump when one excerpt crosses a bin edge).
Seconds are wall-clock of the whole run (quarry: read, fit, suggest, write;
scikit-learn: vectorise, fit, rank), printed for information only.
"""
import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_TRAIN = os.path.join(ROOT, "tests/data/suggest/demo-train.jsonl")
DEMO_TEST = os.path.join(ROOT, "tests/data/suggest/demo-test.jsonl")
CODEBOOK = os.path.join(ROOT, "dictionaries/codebooks/pss-starter.json")
DEMO_ALL = os.path.join(ROOT, "corpora/pss-demo/excerpts.jsonl")
TRANSCRIPTS = os.path.join(ROOT, "corpora/pss-demo/transcripts")
TALK_ALL = os.path.join(ROOT, "corpora/pss-demo/talk/excerpts.jsonl")
TALK_CODEBOOK = os.path.join(ROOT, "corpora/pss-demo/talk/codebook.json")
CHARNGRAM = ["--tokenizer", "charngram", "--stemmer", "none",
             "--stopwords", "none", "--lexicon", "none"]
FIXED_PROBES = ["Yes.", "No.", "OK.", "Mm-hm.", "Thank you for making time today",
                "Thank you.", "Right, and then?", "Can you say more about that?",
                "Sorry, could you repeat that?", "Let's take a short break."]
FOLDS = [("S5", "S6"), ("S1", "S2"), ("S3", "S4"), ("S1", "S6"), ("S2", "S5")]
BINS = [0.0, 0.3, 0.5, 0.7, 0.9, 1.0000001]


def codes_of(d):
    c = d.get("code")
    if c is None:
        return []
    return list(c) if isinstance(c, list) else [c]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for d in rows:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


def bbc_split(data_dir, seed, tmp):
    """Stratified 80/20: per class, shuffled with the seed, the first 20%
    (rounded) are the test set."""
    path = os.path.join(data_dir, "bbc.tar.gz")
    spec = importlib.util.spec_from_file_location(
        "bbc_convert", os.path.join(ROOT, "corpora/bbc/convert.py"))
    conv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conv)
    rows = conv.read_archive(path)
    by_class = {}
    for cls, num, text in rows:
        by_class.setdefault(cls, []).append(
            {"id": "%s-%s" % (cls, num), "text": text, "code": cls})
    rng = random.Random(seed)
    train, test = [], []
    for cls in sorted(by_class):
        docs = by_class[cls]
        rng.shuffle(docs)
        n_test = int(round(0.2 * len(docs)))
        test += docs[:n_test]
        train += docs[n_test:]
    tr = os.path.join(tmp, "bbc-train.jsonl")
    te = os.path.join(tmp, "bbc-test.jsonl")
    write_jsonl(tr, train)
    write_jsonl(te, test)
    return tr, te


def topk(ranked, truth, k):
    return sum(1 for i in truth if set(ranked[i][:k]) & truth[i]) / len(truth)


def run_quarry(quarry, train, test, extra):
    cmd = [quarry, "suggest", "--train", train, "--top", "3"] + extra + [test]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.time() - t0
    if p.returncode != 0:
        sys.exit("quarry failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                                 p.stderr))
    ranked, conf, abstain = {}, {}, {}
    for line in p.stdout.splitlines():
        d = json.loads(line)
        ranked[d["id"]] = [s["code"] for s in d["suggestions"]]
        conf[d["id"]] = d["suggestions"][0]["confidence"]
        abstain[d["id"]] = d["abstain"]
    return ranked, conf, abstain, secs, cmd


def sklearn_ranked(train, test, which):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import pairwise_distances
    from sklearn.neighbors import NearestCentroid
    from sklearn.svm import LinearSVC

    tr, te = read_jsonl(train), read_jsonl(test)
    t0 = time.time()
    texts, labels = [], []
    for d in tr:
        for c in codes_of(d):
            texts.append(d["text"])
            labels.append(c)
    vec = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5)
    xtr = vec.fit_transform(texts)
    xte = vec.transform([d["text"] for d in te])
    if which == "nc":
        model = NearestCentroid().fit(xtr, labels)
        classes = model.classes_
        score = -pairwise_distances(xte, model.centroids_)
    else:
        model = LinearSVC(random_state=0).fit(xtr, labels)
        classes = model.classes_
        score = model.decision_function(xte)
    ranked = {}
    for i, d in enumerate(te):
        order = sorted(range(len(classes)), key=lambda c: (-score[i, c], classes[c]))
        ranked[d["id"]] = [classes[c] for c in order[:3]]
    return ranked, time.time() - t0


def brier(ranked, conf, truth):
    """Mean squared gap between the top confidence and 1 (top code right)
    or 0: a proper score, free of the bins' edges."""
    return sum((conf[i] - (1.0 if ranked[i][0] in truth[i] else 0.0)) ** 2
               for i in truth) / len(truth)


def calibration(ranked, conf, truth):
    rows, ece = [], 0.0
    n = len(truth)
    for lo, hi in zip(BINS, BINS[1:]):
        ids = [i for i in truth if lo <= conf[i] < hi]
        if not ids:
            rows.append((lo, min(hi, 1.0), 0, None, None))
            continue
        acc = sum(1 for i in ids if ranked[i][0] in truth[i]) / len(ids)
        mc = sum(conf[i] for i in ids) / len(ids)
        ece += len(ids) / n * abs(acc - mc)
        rows.append((lo, min(hi, 1.0), len(ids), mc, acc))
    return rows, ece


def bench_set(name, train, test, args, codebook):
    truth = {d["id"]: set(codes_of(d)) for d in read_jsonl(test)}
    n_train = len(read_jsonl(train))
    print("\n== %s: %d training excerpts, %d test excerpts ==" %
          (name, n_train, len(truth)))
    print("%-32s %6s %6s %9s %12s %7s" %
          ("system", "top-1", "top-3", "coverage", "top-1 cov.", "secs"))
    runs = [("quarry", [])]
    if codebook:
        runs.append(("quarry --codebook", ["--codebook", CODEBOOK]))
    calib = []
    for label, more in runs:
        ranked, conf, abstain, secs, cmd = run_quarry(
            args.quarry, train, test, more + args.extra_list)
        kept = [i for i in truth if not abstain[i]]
        cov = len(kept) / len(truth)
        acc_kept = (sum(1 for i in kept if ranked[i][0] in truth[i]) / len(kept)
                    if kept else float("nan"))
        print("%-32s %6.3f %6.3f %9.3f %12.3f %7.2f" %
              (label, topk(ranked, truth, 1), topk(ranked, truth, 3), cov,
               acc_kept, secs))
        calib.append((label, calibration(ranked, conf, truth),
                      brier(ranked, conf, truth)))
    if not args.no_sklearn:
        for label, which in (("sklearn TF-IDF + NearestCentroid", "nc"),
                             ("sklearn TF-IDF + LinearSVC", "svc")):
            ranked, secs = sklearn_ranked(train, test, which)
            print("%-32s %6.3f %6.3f %9s %12s %7.2f" %
                  (label, topk(ranked, truth, 1), topk(ranked, truth, 3),
                   "1.000", "-", secs))
    for label, (rows, ece), bs in calib:
        print("calibration of %s (top suggestion): ECE %.3f, Brier %.3f" %
              (label, ece, bs))
        for lo, hi, n, mc, acc in rows:
            if n:
                print("  confidence [%.1f, %.1f)  n %4d  mean conf %.3f  "
                      "accuracy %.3f" % (lo, hi, n, mc, acc))
            else:
                print("  confidence [%.1f, %.1f)  n    0" % (lo, hi))


def probes(args, tmp):
    """Excerpts that say little: interviewer turns and fixed short lines."""
    rows = []
    for name in sorted(os.listdir(TRANSCRIPTS)):
        if not name.endswith(".txt"):
            continue
        with open(os.path.join(TRANSCRIPTS, name), encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.startswith("Interviewer:"):
                    rows.append({"id": "%s:%d" % (name[:-4], n),
                                 "text": line[len("Interviewer:"):].strip()})
    fixed = [{"id": "fixed-%d" % i, "text": t}
             for i, t in enumerate(FIXED_PROBES, 1)]
    path = os.path.join(tmp, "probes.jsonl")
    write_jsonl(path, rows + fixed)
    print("\n== excerpts that say little (train S1-S4 of the demo) ==")
    print("%-32s %-28s %5s %10s %9s" %
          ("system", "probes", "n", "mean conf", "abstains"))
    for label, more in (("quarry", []),
                        ("quarry --codebook", ["--codebook", CODEBOOK])):
        _, conf, abstain, _, _ = run_quarry(args.quarry, DEMO_TRAIN, path,
                                            more + args.extra_list)
        for what, ids in (("interviewer turns", [d["id"] for d in rows]),
                          ("fixed short lines", [d["id"] for d in fixed])):
            print("%-32s %-28s %5d %10.3f %9.3f" %
                  (label, what, len(ids), sum(conf[i] for i in ids) / len(ids),
                   sum(1 for i in ids if abstain[i]) / len(ids)))
    print("fixed short lines, top confidence with the codebook: " +
          "; ".join("%r %.2f" % (d["text"], conf[d["id"]]) for d in fixed))


def demo_folds(args, tmp):
    rows = read_jsonl(DEMO_ALL)
    sums = {}
    for a, b in FOLDS:
        tr = os.path.join(tmp, "fold-train.jsonl")
        te = os.path.join(tmp, "fold-test.jsonl")
        write_jsonl(tr, [d for d in rows if d.get("study") not in (a, b)])
        write_jsonl(te, [d for d in rows if d.get("study") in (a, b)])
        truth = {d["id"]: set(codes_of(d)) for d in read_jsonl(te)}
        ranked, conf, abstain, _, _ = run_quarry(args.quarry, tr, te,
                                                 args.extra_list)
        systems = [("quarry", ranked)]
        ece = sums.setdefault("quarry ECE", [0.0, 0.0, 0.0, 0.0])
        ece[3] += brier(ranked, conf, truth) / len(FOLDS)
        ece[0] += calibration(ranked, conf, truth)[1] / len(FOLDS)
        ece[1] += sum(1 for i in truth if not abstain[i]) / len(truth) / len(FOLDS)
        kept = [i for i in truth if not abstain[i]]
        ece[2] += (sum(1 for i in kept if ranked[i][0] in truth[i]) /
                   max(len(kept), 1) / len(FOLDS))
        if not args.no_sklearn:
            systems += [("sklearn TF-IDF + NearestCentroid",
                         sklearn_ranked(tr, te, "nc")[0]),
                        ("sklearn TF-IDF + LinearSVC",
                         sklearn_ranked(tr, te, "svc")[0])]
        for label, ranked in systems:
            acc = sums.setdefault(label, [0.0, 0.0])
            acc[0] += topk(ranked, truth, 1) / len(FOLDS)
            acc[1] += topk(ranked, truth, 3) / len(FOLDS)
    print("\n== demo study, %d leave-two-studies-out folds (means) ==" %
          len(FOLDS))
    print("%-32s %6s %6s" % ("system", "top-1", "top-3"))
    for label, v in sums.items():
        if label == "quarry ECE":
            continue
        print("%-32s %6.3f %6.3f" % (label, v[0], v[1]))
    e = sums["quarry ECE"]
    print("quarry: ECE %.3f, Brier %.3f, coverage %.3f, top-1 on the "
          "covered %.3f (means over the folds)" % (e[0], e[3], e[1], e[2]))


def talk_folds(args, tmp):
    """The form codebook: five folds of two sessions each."""
    rows = read_jsonl(TALK_ALL)
    folds = sorted({d["fold"] for d in rows})
    runs = [("quarry", []), ("quarry --codebook", ["--codebook", TALK_CODEBOOK]),
            ("quarry --tokenizer charngram", CHARNGRAM)]
    sums, ece = {}, {}
    for f in folds:
        tr = os.path.join(tmp, "talk-train.jsonl")
        te = os.path.join(tmp, "talk-test.jsonl")
        write_jsonl(tr, [d for d in rows if d["fold"] != f])
        write_jsonl(te, [d for d in rows if d["fold"] == f])
        truth = {d["id"]: set(codes_of(d)) for d in read_jsonl(te)}
        systems = []
        for label, more in runs:
            ranked, conf, _, _, _ = run_quarry(args.quarry, tr, te,
                                               more + args.extra_list)
            systems.append((label, ranked))
            ece[label] = (ece.get(label, 0.0) +
                          calibration(ranked, conf, truth)[1] / len(folds))
        if not args.no_sklearn:
            systems += [("sklearn TF-IDF + NearestCentroid",
                         sklearn_ranked(tr, te, "nc")[0]),
                        ("sklearn TF-IDF + LinearSVC",
                         sklearn_ranked(tr, te, "svc")[0])]
        for label, ranked in systems:
            acc = sums.setdefault(label, [0.0, 0.0])
            acc[0] += topk(ranked, truth, 1) / len(folds)
            acc[1] += topk(ranked, truth, 3) / len(folds)
    print("\n== demo study, form codebook (corpora/pss-demo/talk): %d excerpts, "
          "%d folds by session pair (means) ==" % (len(rows), len(folds)))
    print("%-32s %6s %6s %6s" % ("system", "top-1", "top-3", "ECE"))
    for label, v in sums.items():
        e = "%6.3f" % ece[label] if label in ece else "%6s" % "-"
        print("%-32s %6.3f %6.3f %s" % (label, v[0], v[1], e))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quarry", required=True, help="the quarry binary")
    ap.add_argument("--data", help="folder holding bbc.tar.gz")
    ap.add_argument("--seed", type=int, default=42, help="BBC split seed (42)")
    ap.add_argument("--sets", default="demo,talk,probes,bbc",
                    help="demo,talk,probes,bbc")
    ap.add_argument("--extra", default="", help="more quarry arguments")
    ap.add_argument("--demo-folds", action="store_true",
                    help="also five leave-two-studies-out demo folds")
    ap.add_argument("--no-sklearn", action="store_true",
                    help="quarry only (quicker, for trying options)")
    args = ap.parse_args()
    args.extra_list = args.extra.split()
    sets = args.sets.split(",")
    ver = subprocess.run([args.quarry, "--version"], capture_output=True,
                         text=True).stdout.strip()
    try:
        import sklearn
        skv = sklearn.__version__
    except ImportError:
        skv = None
        args.no_sklearn = True
    print("suggest_bench: %s; scikit-learn %s; python %s" %
          (ver or args.quarry, skv or "not installed",
           sys.version.split()[0]))
    print("quarry runs: quarry suggest --train TRAIN --top 3 %sTEST" %
          (args.extra + " " if args.extra else ""))
    print("BBC split: stratified 80/20, per class shuffled by "
          "random.Random(%d), first 20%% test" % args.seed)
    if "demo" in sets:
        bench_set("demo study (train S1-S4, suggest S5-S6)", DEMO_TRAIN,
                  DEMO_TEST, args, True)
    if "talk" in sets:
        with tempfile.TemporaryDirectory() as tmp:
            talk_folds(args, tmp)
    if "probes" in sets:
        with tempfile.TemporaryDirectory() as tmp:
            probes(args, tmp)
    if args.demo_folds:
        with tempfile.TemporaryDirectory() as tmp:
            demo_folds(args, tmp)
    if "bbc" in sets:
        if not args.data or not os.path.exists(os.path.join(args.data,
                                                            "bbc.tar.gz")):
            print("\n== BBC News: skipped (no bbc.tar.gz in --data) ==")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                tr, te = bbc_split(args.data, args.seed, tmp)
                bench_set("BBC News (stratified 80/20, seed %d)" % args.seed,
                          tr, te, args, False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
