#!/usr/bin/python3
"""The agglomerative and silhouette clusterers beside kmeans, on 20
Newsgroups: scores on the 4-group set, and memory on a large input.

Documents: corpora/20newsgroups/convert.py on the archive (headers,
footers and quotes removed as scikit-learn removes them); a text left blank
by the cleaning is kept as "." so it stays a document with an empty row.

Scores: the 4-group set of scikit-learn's document-clustering example
(alt.atheism, talk.religion.misc, comp.graphics, sci.space; train and test:
3,387 documents), `quarry themes
--min-df 5 --max-df 0.5` with the default LSA (100 dims), k = 4 for kmeans
and agglomerative (ward and average), --k auto for silhouette; over
--seeds seeds: homogeneity, completeness, V-measure, ARI (mean and spread),
the k chosen, seconds and peak resident memory (GNU time's %M) per run.

Memory (--large N): N excerpts drawn in turn from all 20 groups (train and
test, 18,846 documents, repeated with new ids past that), each clusterer run
once at k = 20 (silhouette: --k auto), and Ward once more on the sparse rows
(--dims 0), printing seconds and peak memory.

Nothing is asserted.

    /usr/bin/python3 tests/bench/newsgroups_hac.py --quarry build/quarry \\
        --archive 20news-bydate.tar.gz [--seeds 5] [--large 20000]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from sklearn import metrics

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CONVERT = os.path.join(ROOT, "corpora", "20newsgroups", "convert.py")
CATS = "alt.atheism,talk.religion.misc,comp.graphics,sci.space"

RUNS = [
    ("kmeans", ["--clusterer", "kmeans"], "4"),
    ("agglomerative ward", ["--clusterer", "agglomerative"], "4"),
    ("agglomerative average", ["--clusterer", "agglomerative", "--option",
                               "agglomerative.linkage=average"], "4"),
    ("agglomerative ward+10", ["--clusterer", "agglomerative", "--option",
                               "agglomerative.refine=10"], "4"),
    ("silhouette (auto)", ["--clusterer", "silhouette"], "auto"),
]


def run(cmd):
    """Run cmd under GNU time; return stdout, seconds and peak RSS in MB
    (time's %M: the maximum resident set size of quarry alone)."""
    gnu_time = shutil.which("time")
    if gnu_time is None:
        sys.exit("GNU time is needed to measure peak memory")
    with tempfile.NamedTemporaryFile("r") as mem:
        t0 = time.time()
        p = subprocess.run([gnu_time, "-f", "%M", "-o", mem.name] + cmd,
                           capture_output=True, text=True)
        dt = time.time() - t0
        if p.returncode != 0:
            sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
        return p.stdout, dt, int(mem.read().split()[-1]) / 1024.0


def convert(archive, categories):
    """Documents of the archive as (id, text, group), blank texts as "."."""
    cmd = [sys.executable, CONVERT, archive, "--subset", "all"]
    if categories:
        cmd += ["--categories", categories]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    docs = []
    for line in p.stdout.splitlines():
        d = json.loads(line)
        docs.append((d["id"], d["text"] if d["text"].strip() else ".",
                     d["code"]))
    return docs


def labels_of(stdout):
    lab, k = {}, 0
    for line in stdout.splitlines():
        t = json.loads(line)
        k += 1
        for m in t["members"]:
            lab[m] = t["theme"]
    return lab, k


def scores(a, path, gold):
    ids = sorted(gold)
    g = [gold[i] for i in ids]
    print("%d documents, 4 groups; quarry themes --min-df 5 --max-df 0.5 "
          "(LSA 100 dims), %d seeds" % (len(ids), a.seeds))
    for name, extra, k in RUNS:
        rows = []
        for seed in range(a.seeds):
            out, dt, rss = run([a.quarry, "themes", "--k", k, "--min-df", "5",
                                "--max-df", "0.5", "--seed", str(seed)] +
                               extra + [path])
            lab, got_k = labels_of(out)
            y = [lab.get(i, -1) for i in ids]
            h, c, v = metrics.homogeneity_completeness_v_measure(g, y)
            rows.append((h, c, v, metrics.adjusted_rand_score(g, y), dt, rss,
                         got_k))
        m = [statistics.mean(r[i] for r in rows) for i in range(6)]
        sd = [statistics.pstdev(r[i] for r in rows) for i in range(4)]
        ks = ",".join(str(r[6]) for r in rows)
        print("%-22s --k %-4s hom %.3f comp %.3f V %.3f±%.3f ARI %.3f±%.3f "
              "k [%s] %.2f s/run %.0f MB" % (name, k, m[0], m[1], m[2], sd[2],
                                            m[3], sd[3], ks, m[4], m[5]))


def large(a, tmp):
    docs = convert(a.archive, None)
    path = os.path.join(tmp, "large.jsonl")
    with open(path, "w") as f:
        for i in range(a.large):
            doc_id, text, _ = docs[i % len(docs)]
            f.write(json.dumps({"id": "%s#%d" % (doc_id, i // len(docs)),
                                "text": text}) + "\n")
    print("\n%d excerpts (%d distinct documents of all 20 groups), "
          "--min-df 5 --max-df 0.5, LSA 100 dims, seed 0" %
          (a.large, min(a.large, len(docs))))
    # and Ward on the sparse rows (--dims 0: 20,000 x terms, no LSA)
    sparse = ("ward, sparse rows", ["--clusterer", "agglomerative", "--dims",
                                    "0"], "4")
    for name, extra, k in RUNS + [sparse]:
        k = "20" if k != "auto" else k
        out, dt, rss = run([a.quarry, "themes", "--k", k, "--min-df", "5",
                            "--max-df", "0.5", "--seed", "0"] + extra +
                           [path])
        print("%-22s --k %-4s %d themes %.1f s peak RSS %.0f MB" %
              (name, k, labels_of(out)[1], dt, rss))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarry", required=True)
    ap.add_argument("--archive", required=True)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--large", type=int, default=0,
                    help="excerpts for the memory runs (0: skip them)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ng4.jsonl")
        gold = {}
        with open(path, "w") as f:
            for doc_id, text, group in convert(a.archive, CATS):
                gold[doc_id] = group
                f.write(json.dumps({"id": doc_id, "text": text}) + "\n")
        if a.seeds > 0:
            scores(a, path, gold)
        if a.large > 0:
            large(a, tmp)


if __name__ == "__main__":
    main()
