#!/usr/bin/python3
"""How well `quarry themes --k auto` finds the number of themes: the k each
choosing clusterer picks, per seed, and the ARI and NMI of the clustering it
returns against the gold labels, on corpora whose true k is known.

Corpora (each given by path; any may be left out):
  ng4     20 Newsgroups, the 4 groups of scikit-learn's document-clustering
          example (alt.atheism, talk.religion.misc, comp.graphics,
          sci.space; train and test: 3,387 documents); true k 4.
  bbc     BBC News (2,225 articles, 5 classes); true k 5.
  demo    the demo study (362 excerpts, 16 codes under 4 themes): gold is
          the first code (k 16) and its theme, the code's prefix (k 4).
  ng20    20 Newsgroups, all 20 groups (18,846 documents, or --ng20-sample
          of them drawn with seed 0); true k 20.
The archives are read with corpora/20newsgroups/convert.py (headers, footers
and quotes removed as scikit-learn removes them) and corpora/bbc/convert.py;
a text left blank by the cleaning is kept as ".".

Every run is `quarry themes --k auto --clusterer M --seed S` with
--min-df 5 --max-df 0.5 (the demo: quarry's defaults), the default LSA (100
dims); for reference kmeans runs at the true k. Printed per method: the k
chosen for each seed, mean ARI and NMI (arithmetic, as scikit-learn's
default) over the seeds, and seconds per run (wall time of the whole
process). Nothing is asserted.

    /usr/bin/python3 tests/bench/auto_k.py --quarry BUILD/quarry \\
        --newsgroups 20news-bydate.tar.gz --bbc bbc.tar.gz \\
        --demo corpora/pss-demo/excerpts.jsonl [--seeds 5] \\
        [--methods stability,silhouette] [--ng20-sample 5000] \\
        [--corpora ng4,bbc,demo,ng20] [--large 20000] \\
        [-- EXTRA QUARRY ARGS]

--large N adds a cost run: N excerpts drawn in turn from all 20 groups
(repeated with new ids past 18,846), each method once with seed 0, printing
the k chosen, wall seconds and peak resident memory (GNU time's %M).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from sklearn import metrics

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
NG_CONVERT = os.path.join(ROOT, "corpora", "20newsgroups", "convert.py")
BBC_CONVERT = os.path.join(ROOT, "corpora", "bbc", "convert.py")
NG4 = "alt.atheism,talk.religion.misc,comp.graphics,sci.space"
FILTER = ["--min-df", "5", "--max-df", "0.5"]


def convert(cmd):
    p = subprocess.run([sys.executable] + cmd, capture_output=True,
                       text=True, check=True)
    docs = []
    for line in p.stdout.splitlines():
        d = json.loads(line)
        code = d["code"][0] if isinstance(d["code"], list) else d["code"]
        docs.append((d["id"], d["text"] if d["text"].strip() else ".", code))
    return docs


def write(tmp, name, docs):
    path = os.path.join(tmp, name + ".jsonl")
    with open(path, "w") as f:
        for doc_id, text, _ in docs:
            f.write(json.dumps({"id": doc_id, "text": text}) + "\n")
    return path


def corpora(a, tmp):
    """(name, path, {gold name: {id: label}}, true ks, quarry args)."""
    want = a.corpora.split(",")
    out = []
    if a.newsgroups and "ng4" in want:
        docs = convert([NG_CONVERT, a.newsgroups, "--subset", "all",
                        "--categories", NG4])
        out.append(("ng4", write(tmp, "ng4", docs),
                    {"group": {d[0]: d[2] for d in docs}}, "4", FILTER))
    if a.bbc and "bbc" in want:
        docs = convert([BBC_CONVERT, a.bbc])
        out.append(("bbc", write(tmp, "bbc", docs),
                    {"class": {d[0]: d[2] for d in docs}}, "5", FILTER))
    if a.demo and "demo" in want:
        docs = []
        for line in open(a.demo, encoding="utf-8"):
            d = json.loads(line)
            code = d["code"][0] if isinstance(d["code"], list) else d["code"]
            docs.append((d["id"], d["text"], code))
        out.append(("demo", write(tmp, "demo", docs),
                    {"theme": {d[0]: d[2].split(".")[0] for d in docs},
                     "code": {d[0]: d[2] for d in docs}}, "4/16", []))
    if a.newsgroups and "ng20" in want:
        docs = convert([NG_CONVERT, a.newsgroups, "--subset", "all"])
        if 0 < a.ng20_sample < len(docs):
            docs = sorted(random.Random(0).sample(docs, a.ng20_sample))
        out.append(("ng20", write(tmp, "ng20", docs),
                    {"group": {d[0]: d[2] for d in docs}}, "20", FILTER))
    return out


def themes(a, path, k, method, seed, extra):
    cmd = [a.quarry, "themes", "--k", k, "--clusterer", method, "--seed",
           str(seed)] + extra + a.quarry_args + [path]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.time() - t0
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
    lab, got = {}, 0
    for line in p.stdout.splitlines():
        t = json.loads(line)
        got += 1
        for m in t["members"]:
            lab[m] = t["theme"]
    return lab, got, dt


def large(a, tmp):
    docs = convert([NG_CONVERT, a.newsgroups, "--subset", "all"])
    rows = [("%s#%d" % (docs[i % len(docs)][0], i // len(docs)),
             docs[i % len(docs)][1], None) for i in range(a.large)]
    path = write(tmp, "large", rows)
    gnu_time = shutil.which("time")
    print("\nlarge: %d excerpts (all 20 groups, repeated past %d), seed 0" %
          (a.large, len(docs)))
    for method in a.methods.split(","):
        cmd = [a.quarry, "themes", "--k", "auto", "--clusterer", method,
               "--seed", "0"] + FILTER + a.quarry_args + [path]
        with tempfile.NamedTemporaryFile("r") as mem:
            t0 = time.time()
            p = subprocess.run(([gnu_time, "-f", "%M", "-o", mem.name]
                                if gnu_time else []) + cmd,
                               capture_output=True, text=True)
            dt = time.time() - t0
            if p.returncode != 0:
                sys.exit("failed: %s\n%s" % (" ".join(cmd), p.stderr))
            rss = (int(mem.read().split()[-1]) / 1024.0) if gnu_time else 0
        print("  %-12s --k auto  k %d  %.1f s  peak RSS %.0f MB" %
              (method, len(p.stdout.splitlines()), dt, rss))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarry", required=True)
    ap.add_argument("--newsgroups", help="20news-bydate.tar.gz")
    ap.add_argument("--bbc", help="bbc.tar.gz")
    ap.add_argument("--demo", help="corpora/pss-demo/excerpts.jsonl")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--methods", default="stability,silhouette")
    ap.add_argument("--corpora", default="ng4,bbc,demo,ng20")
    ap.add_argument("--ng20-sample", type=int, default=0,
                    help="documents drawn from all 20 groups (0: all)")
    ap.add_argument("--large", type=int, default=0,
                    help="excerpts for the cost run (0: skip it)")
    ap.add_argument("--no-reference", action="store_true",
                    help="skip kmeans at the true k")
    ap.add_argument("quarry_args", nargs="*",
                    help="extra arguments for quarry themes (after --)")
    a = ap.parse_args()
    print("quarry themes --k auto --clusterer M --seed S (seeds 0..%d); "
          "--min-df 5 --max-df 0.5 but on the demo; LSA 100 dims%s" %
          (a.seeds - 1, (" ; extra: " + " ".join(a.quarry_args))
           if a.quarry_args else ""))
    with tempfile.TemporaryDirectory() as tmp:
        for name, path, golds, true_k, extra in corpora(a, tmp):
            ids = sorted(next(iter(golds.values())))
            print("\n%s: %d documents, true k %s" % (name, len(ids), true_k))
            runs = [(m, "auto") for m in a.methods.split(",")]
            if not a.no_reference:
                runs += [("kmeans", k) for k in true_k.split("/")]
            for method, k in runs:
                ks, dts, sc = [], [], {g: ([], []) for g in golds}
                for seed in range(a.seeds):
                    lab, got, dt = themes(a, path, k, method, seed, extra)
                    ks.append(got)
                    dts.append(dt)
                    y = [lab.get(i, -1) for i in ids]
                    for g, gold in golds.items():
                        gl = [gold[i] for i in ids]
                        sc[g][0].append(metrics.adjusted_rand_score(gl, y))
                        sc[g][1].append(
                            metrics.normalized_mutual_info_score(gl, y))
                cells = "  ".join(
                    "%s ARI %.3f NMI %.3f" % (g, statistics.mean(v[0]),
                                              statistics.mean(v[1]))
                    for g, v in sc.items())
                print("  %-12s --k %-4s k [%s]  %s  %.2f s/run" %
                      (method, k, ",".join(map(str, ks)), cells,
                       statistics.mean(dts)))
                sys.stdout.flush()
        if a.large > 0 and a.newsgroups:
            large(a, tmp)


if __name__ == "__main__":
    main()
