#!/usr/bin/python3
"""Speed at scale, whole process, quarry beside scikit-learn in the same run.

Each measured run is a separate process started as a user starts it: read
the JSONL, compute, write the results to a file. Wall time is measured
around the process, peak memory is the process's max RSS (getrusage of the
child through os.wait4, what `/usr/bin/time -v` prints). quarry and
scikit-learn runs take turns, --runs times each; the table gives medians,
the ratio scikit-learn / quarry of the median times, and the quality of the
results beside the times (top-1 / top-3 accuracy of suggestions against the
newsgroup of each test paragraph; NMI of themes against the newsgroups).
Nothing is asserted.

  suggest   quarry suggest --train paragraphs-train.jsonl --top 3
            paragraphs-test.jsonl (and again with --neighbours 0: the
            prototypes alone, scikit-learn's method)  vs  TfidfVectorizer +
            NearestCentroid, top 3 by cosine to the centroids; then the
            time scikit-learn's script spends starting Python and
            importing its modules (row "start")
  themes    quarry themes --k 20 over both paragraph files  vs
            TfidfVectorizer + KMeans(k=20, n_init=5)
  scale     quarry suggest (and scikit-learn) with the paragraph training
            file, for the first 100k, 300k and 1M lines of
            sentences-1m.jsonl

The corpora come from make_speed_corpus.py:

    /usr/bin/python3 tests/bench/make_speed_corpus.py \\
        --archive 20news-bydate.tar.gz --out CORPUS
    /usr/bin/python3 tests/bench/speed.py --quarry build/quarry \\
        --corpus CORPUS [--runs 3] [--tasks suggest,themes,scale]
        [--threads N] [--scale-sizes 100000,300000,1000000]
        [--no-sklearn-scale] [--check-threads]

scikit-learn runs with the same vectorizer settings quarry uses by default
where they exist (English stopwords, min_df=2, max_df=0.5); it has no
stemmer. Both tools use the machine's BLAS as installed; OpenBLAS picks its
kernels by CPU model (see tests/bench/README.md on OPENBLAS_CORETYPE),
and the environment is passed unchanged to both.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

SK_SUGGEST = r"""
import json, sys
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestCentroid
from sklearn.preprocessing import normalize

def read(path):
    ids, texts, codes = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            ids.append(o["id"]); texts.append(o["text"]); codes.append(o.get("code"))
    return ids, texts, codes

train, test, out = sys.argv[1:4]
_, tr_text, tr_code = read(train)
te_id, te_text, _ = read(test)
vec = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5)
xtr = vec.fit_transform(tr_text)
xte = vec.transform(te_text)
nc = NearestCentroid().fit(xtr, tr_code)
cent = normalize(np.asarray(nc.centroids_, dtype=np.float64))
with open(out, "w") as f:
    for a in range(0, xte.shape[0], 8192):
        s = np.asarray(xte[a:a + 8192] @ cent.T)
        top = np.argsort(-s, axis=1, kind="stable")[:, :3]
        for i, row in enumerate(top):
            f.write(json.dumps({"id": te_id[a + i], "suggestions":
                                [{"code": str(nc.classes_[j]),
                                  "score": float(s[i, j])} for j in row]})
                    + "\n")
"""

SK_IMPORTS = ("import json, sys; import numpy as np; "
              "from sklearn.feature_extraction.text import TfidfVectorizer; "
              "from sklearn.neighbors import NearestCentroid; "
              "from sklearn.preprocessing import normalize; "
              "from sklearn.cluster import KMeans")

SK_THEMES = r"""
import json, sys
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

ids, texts = [], []
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            ids.append(o["id"]); texts.append(o["text"])
x = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5).fit_transform(texts)
labels = KMeans(n_clusters=20, n_init=5, random_state=42).fit_predict(x)
with open(sys.argv[1], "w") as f:
    for i, l in zip(ids, labels):
        f.write(json.dumps({"id": i, "theme": int(l)}) + "\n")
"""


def run(cmd, stdout_path):
    """Wall seconds and max RSS (MB) of one process writing to a file."""
    with open(stdout_path, "w") as out:
        t = time.monotonic()
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                          err.decode(errors="replace")))
    return wall, ru.ru_maxrss / 1024.0


def gold(path):
    g = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            g[o["id"]] = o["code"]
    return g


def topk_accuracy(out_path, g):
    top1 = top3 = n = 0
    with open(out_path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            codes = [s["code"] for s in o["suggestions"]]
            n += 1
            top1 += bool(codes) and codes[0] == g[o["id"]]
            top3 += g[o["id"]] in codes[:3]
    return top1 / max(n, 1), top3 / max(n, 1)


def nmi(assign, g):
    from sklearn.metrics import normalized_mutual_info_score
    ids = sorted(assign)
    return normalized_mutual_info_score([g[i] for i in ids],
                                        [assign[i] for i in ids])


def quarry_themes_assign(path):
    a = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            for m in o["members"]:
                a[m] = o["theme"]
    return a


def sk_themes_assign(path):
    with open(path, encoding="utf-8") as f:
        return {o["id"]: o["theme"] for o in map(json.loads, f)}


def measure(name, runs, tools, quality):
    """tools: [(label, cmd, out_path)]; runs take turns; prints a row each."""
    times = {t[0]: [] for t in tools}
    rss = {t[0]: [] for t in tools}
    for r in range(runs):
        for label, cmd, out in tools:
            w, m = run(cmd, out)
            times[label].append(w)
            rss[label].append(m)
            print("  %-8s run %d: %s %.2f s, %.0f MB" % (name, r + 1, label,
                                                         w, m), flush=True)
    rows = []
    for label, _, out in tools:
        rows.append((name, label, statistics.median(times[label]),
                     statistics.median(rss[label]), quality(label, out)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quarry", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None,
                    help="passed to quarry as --threads (default: its own)")
    ap.add_argument("--tasks", default="suggest,themes,scale")
    ap.add_argument("--scale-sizes", default="100000,300000,1000000")
    ap.add_argument("--no-sklearn-scale", action="store_true")
    ap.add_argument("--check-threads", action="store_true",
                    help="after the suggest runs, run quarry suggest once "
                    "with --threads 1 and compare its output byte for byte")
    a = ap.parse_args()
    tasks = a.tasks.split(",")
    py = "/usr/bin/python3"
    train = os.path.join(a.corpus, "paragraphs-train.jsonl")
    test = os.path.join(a.corpus, "paragraphs-test.jsonl")
    sents = os.path.join(a.corpus, "sentences-1m.jsonl")
    q = [a.quarry]
    thr = [] if a.threads is None else ["--threads", str(a.threads)]
    tmp = tempfile.mkdtemp(prefix="quarry-speed-")
    sk_suggest = os.path.join(tmp, "sk_suggest.py")
    sk_themes = os.path.join(tmp, "sk_themes.py")
    with open(sk_suggest, "w") as f:
        f.write(SK_SUGGEST)
    with open(sk_themes, "w") as f:
        f.write(SK_THEMES)
    print("machine: %d cpus, load average %.1f; quarry %s; runs %d; "
          "OPENBLAS_CORETYPE=%s; outputs in %s" %
          (os.cpu_count(), os.getloadavg()[0], " ".join(q + thr), a.runs,
           os.environ.get("OPENBLAS_CORETYPE", "(unset)"), tmp), flush=True)
    rows = []

    if "suggest" in tasks:
        g = gold(test)

        def acc(label, out):
            return "top-1 %.3f, top-3 %.3f" % topk_accuracy(out, g)
        rows += measure("suggest", a.runs, [
            ("quarry", q + ["suggest"] + thr + ["--train", train, "--top",
                                                "3", test],
             os.path.join(tmp, "q_suggest.jsonl")),
            ("quarry-n0", q + ["suggest"] + thr +
             ["--train", train, "--top", "3", "--neighbours", "0", test],
             os.path.join(tmp, "q_suggest_n0.jsonl")),
            ("sklearn", [py, sk_suggest, train, test,
                         os.path.join(tmp, "sk_suggest.jsonl")],
             os.path.join(tmp, "sk_suggest.stdout"))], lambda l, o: acc(
                 l, o if l.startswith("quarry") else
                 os.path.join(tmp, "sk_suggest.jsonl")))
        # What scikit-learn's rows pay before any work: starting Python
        # and importing what the script imports.
        rows += measure("start", a.runs, [
            ("sklearn", [py, "-c", SK_IMPORTS],
             os.path.join(tmp, "sk_start.stdout"))], lambda l, o: "")

    if "themes" in tasks:
        g = gold(train)
        g.update(gold(test))

        def qual(label, out):
            if label == "quarry":
                return "NMI %.3f" % nmi(quarry_themes_assign(out), g)
            return "NMI %.3f" % nmi(
                sk_themes_assign(os.path.join(tmp, "sk_themes.jsonl")), g)
        rows += measure("themes", a.runs, [
            ("quarry", q + ["themes"] + thr + ["--k", "20", train, test],
             os.path.join(tmp, "q_themes.jsonl")),
            ("sklearn", [py, sk_themes, os.path.join(tmp, "sk_themes.jsonl"),
                         train, test], os.path.join(tmp, "sk_themes.stdout"))],
            qual)

    if "scale" in tasks:
        sizes = [int(s) for s in a.scale_sizes.split(",")]
        for n in sizes:
            part = os.path.join(tmp, "sentences-%d.jsonl" % n)
            with open(sents, encoding="utf-8") as f, \
                    open(part, "w", encoding="utf-8") as out:
                for i, line in enumerate(f):
                    if i == n:
                        break
                    out.write(line)
            g = gold(part)

            def acc(label, out, g=g, n=n):
                if label == "sklearn":
                    out = os.path.join(tmp, "sk_scale_%d.jsonl" % n)
                return "top-1 %.3f, top-3 %.3f" % topk_accuracy(out, g)
            tools = [("quarry", q + ["suggest"] + thr +
                      ["--train", train, "--top", "3", part],
                      os.path.join(tmp, "q_scale_%d.jsonl" % n))]
            if not a.no_sklearn_scale:
                tools.append(("sklearn", [py, sk_suggest, train, part,
                                          os.path.join(tmp, "sk_scale_%d.jsonl"
                                                       % n)],
                              os.path.join(tmp, "sk_scale.stdout")))
            rows += measure("scale-%dk" % (n // 1000), a.runs, tools, acc)
            os.unlink(part)

    if a.check_threads and "suggest" in tasks:
        # The last measured run's output against one thread's, byte for byte.
        one = os.path.join(tmp, "q_suggest_threads1.jsonl")
        run(q + ["suggest", "--threads", "1", "--train", train, "--top", "3",
                 test], one)
        with open(one, "rb") as f1, \
                open(os.path.join(tmp, "q_suggest.jsonl"), "rb") as f2:
            same = f1.read() == f2.read()
        print("suggest --threads 1 output %s the measured runs' output" %
              ("is identical to" if same else "DIFFERS from"))

    print()
    load = os.getloadavg()[0]
    print("load average at the end: %.1f%s" % (
        load, " (above the cpu count: other work shared the machine)"
        if load > (os.cpu_count() or 1) else ""))
    print("| task | tool | median s | max RSS MB | sklearn/quarry time | quality |")
    print("|---|---|---|---|---|---|")
    by = {}
    for task, label, t, m, qual in rows:
        by[(task, label)] = t
    for task, label, t, m, qual in rows:
        ratio = ""
        if label.startswith("quarry") and (task, "sklearn") in by:
            ratio = "%.2fx" % (by[(task, "sklearn")] / t)
        print("| %s | %s | %.2f | %.0f | %s | %s |" % (task, label, t, m,
                                                       ratio, qual))


if __name__ == "__main__":
    main()
