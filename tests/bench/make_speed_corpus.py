#!/usr/bin/python3
"""Build the speed corpora of evaluation.md ("Speed and scale") from
20news-bydate.tar.gz.

  paragraphs-train.jsonl, paragraphs-test.jsonl
      every paragraph (blank-line separated, headers removed: what follows
      the first blank line of a message) of at least 5 words, labelled by
      newsgroup: about 108,000 excerpts, split 80/20 at random (seed 0),
      each file in archive order.
  sentences-1m.jsonl
      every sentence (cut after . ! or ? followed by white space) of at
      least 4 words of those paragraphs, labelled by newsgroup, repeated in
      order until there are 1,000,000 (ids carry the round: "...#r2").
      Its first 100k or 300k lines are the smaller scale corpora.

Texts are the archive's latin-1 decoded to UTF-8; ids are
"train|test/GROUP/MESSAGE/PARAGRAPH[/SENTENCE]".

    /usr/bin/python3 tests/bench/make_speed_corpus.py \\
        --archive 20news-bydate.tar.gz --out DIR [--sentences 1000000]
"""
import argparse
import json
import os
import random
import re
import tarfile

PARA = re.compile(r"\n[ \t\r\f\v]*\n")
SENT = re.compile(r"(?<=[.!?])\s+")


def paragraphs(archive):
    with tarfile.open(archive) as tf:
        members = sorted((m for m in tf.getmembers() if m.isfile()),
                         key=lambda m: m.name)
        for m in members:
            parts = m.name.split("/")
            if len(parts) < 3:
                continue
            split = "train" if parts[-3].endswith("train") else "test"
            body = tf.extractfile(m).read().decode("latin-1")
            body = body.partition("\n\n")[2]
            for i, p in enumerate(PARA.split(body)):
                p = p.strip()
                if len(p.split()) >= 5:
                    yield ("%s/%s/%s/%d" % (split, parts[-2], parts[-1], i),
                           p, parts[-2])


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for doc_id, text, code in rows:
            f.write(json.dumps({"id": doc_id, "text": text, "code": code},
                               ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archive", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sentences", type=int, default=1000000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    paras = list(paragraphs(a.archive))
    rng = random.Random(0)
    test = set(rng.sample(range(len(paras)), len(paras) // 5))
    write(os.path.join(a.out, "paragraphs-train.jsonl"),
          (p for i, p in enumerate(paras) if i not in test))
    write(os.path.join(a.out, "paragraphs-test.jsonl"),
          (p for i, p in enumerate(paras) if i in test))

    sents = []
    for doc_id, text, code in paras:
        for j, s in enumerate(SENT.split(text)):
            s = " ".join(s.split())
            if len(s.split()) >= 4:
                sents.append(("%s/%d" % (doc_id, j), s, code))
    rows = []
    r = 0
    while len(rows) < a.sentences:
        for doc_id, text, code in sents:
            if len(rows) == a.sentences:
                break
            rows.append((doc_id if r == 0 else "%s#r%d" % (doc_id, r),
                         text, code))
        r += 1
    write(os.path.join(a.out, "sentences-1m.jsonl"), rows)
    print("paragraphs: %d (train %d, test %d); distinct sentences: %d; "
          "sentences written: %d" % (len(paras), len(paras) - len(test),
                                     len(test), len(sents), len(rows)))


if __name__ == "__main__":
    main()
