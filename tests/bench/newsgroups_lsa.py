#!/usr/bin/python3
"""quarry themes on scikit-learn's document-clustering example, with and
without LSA (--dims), beside the reference table of evaluation.md.

Reads 20news-bydate.tar.gz as scikit-learn's fetch_20newsgroups does
(alt.atheism, talk.religion.misc, comp.graphics, sci.space, train + test,
headers, footers and quotes removed: 3,387 documents; a text left blank is
kept as "." so it stays a document with an empty row), writes it as JSONL,
runs `quarry themes --k 4 --min-df 5 --max-df 0.5` for each --dims given
over 5 seeds, and prints homogeneity, completeness, V-measure, ARI (means,
with the spread) and seconds per run. Nothing is asserted.

    /usr/bin/python3 tests/bench/newsgroups_lsa.py --quarry build/quarry \\
        --archive ../shared/data/20news-bydate.tar.gz [--dims 0,100]
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import tarfile
import tempfile
import time

from sklearn import metrics

CATS = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
QUOTE = re.compile(r"(writes in|writes:|wrote:|says:|said:|^In article|"
                   r"^Quoted from|^\||^>)")


def clean(text):
    text = text.partition("\n\n")[2]  # headers
    lines = text.strip().split("\n")  # footer: from the last blank/---- line
    for at in range(len(lines) - 1, -1, -1):
        if lines[at].strip().strip("-") == "":
            break
    if at > 0:
        text = "\n".join(lines[:at])
    return "\n".join(l for l in text.split("\n") if not QUOTE.search(l))


def convert(archive, out):
    gold = {}
    with tarfile.open(archive) as tf, open(out, "w") as f:
        for m in sorted(tf.getmembers(), key=lambda m: m.name):
            parts = m.name.split("/")
            if not m.isfile() or len(parts) < 3 or parts[-2] not in CATS:
                continue
            text = clean(tf.extractfile(m).read().decode("latin-1"))
            doc_id = "/".join(parts[-3:])
            gold[doc_id] = parts[-2]
            f.write(json.dumps({"id": doc_id, "text": text if text.strip()
                                else ".", "code": parts[-2]}) + "\n")
    return gold


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quarry", required=True)
    ap.add_argument("--archive", required=True)
    ap.add_argument("--dims", default="0,100")
    ap.add_argument("--seeds", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ng4.jsonl")
        gold = convert(a.archive, path)
        ids = sorted(gold)
        print("%d documents; reference (evaluation.md): k-means on tf-idf "
              "V 0.372 ARI 0.203; after LSA V 0.412 ARI 0.321" % len(ids))
        for dims in a.dims.split(","):
            rows = []
            for seed in range(a.seeds):
                t0 = time.time()
                p = subprocess.run([a.quarry, "themes", "--k", "4", "--min-df",
                                    "5", "--max-df", "0.5", "--dims", dims,
                                    "--seed", str(seed), path],
                                   capture_output=True, text=True, check=True)
                dt = time.time() - t0
                lab = {}
                for line in p.stdout.splitlines():
                    t = json.loads(line)
                    for m in t["members"]:
                        lab[m] = t["theme"]
                g = [gold[i] for i in ids]
                y = [lab.get(i, -1) for i in ids]
                h, c, v = metrics.homogeneity_completeness_v_measure(g, y)
                rows.append((h, c, v, metrics.adjusted_rand_score(g, y), dt))
            m = [statistics.mean(r[i] for r in rows) for i in range(5)]
            sd = [statistics.pstdev(r[i] for r in rows) for i in range(4)]
            print("--dims %-4s hom %.3f comp %.3f V %.3f±%.3f ARI %.3f±%.3f "
                  "%.2f s/run" % (dims, m[0], m[1], m[2], sd[2], m[3], sd[3],
                                  m[4]))


if __name__ == "__main__":
    main()
