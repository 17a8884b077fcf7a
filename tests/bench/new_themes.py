#!/usr/bin/python3
"""Which themes are new: can `quarry themes --coded` be trusted?

On the demo study (gold-coded), two settings:

  same   the input is every excerpt (codes stripped) and the coded set is
         the same excerpts with their gold codes (the setting of issue 14:
         material coded with the same codes);
  split  the coded set is studies S1-S3, the input studies S4-S6 (codes
         stripped): new material against an existing coding.

In each, first with every code coded: the share of themes flagged new
(should be near 0). Then for each code X of the demo, with every excerpt
carrying X left out of the coded set: X's theme is the theme with the
largest share of members gold-coded X; it is "mostly X" when that share is
0.5 or more. Printed: recall (X's theme flagged, over all codes and over
the codes whose theme is mostly X) and the false-flag rate (other themes
flagged new, over all codes' runs); --verbose adds a line per code.

The rule measured (themes_new.c): input excerpts no code fits (suggest,
learnt from the coded excerpts, less sure of its best code than of 85% of
the coded excerpts scored as if left out) are clustered apart; a cluster
as far from every code as the codes are from each other is a theme of its
own, new. --signals first measures, on the split with each code left out,
how well per-excerpt signals tell the left-out code's excerpts from the
others (ROC AUC, mean over the codes): suggest's confidence as themes uses
it (always), and with numpy and scikit-learn at hand the best cosine to a
code's prototype, to the nearest coded excerpt, the mean of the five
nearest, and a logistic regression's top probability (tf-idf of
scikit-learn, not quarry's model: a comparison of signals, not of
quarry's figures). --before runs an older binary beside.
Prints figures; asserts nothing.

    /usr/bin/python3 tests/bench/new_themes.py --quarry build/quarry \\
        [--before BASE/quarry] [--k 12] [--seed 42] [--verbose] [--signals] \\
        [--extra "ARGS"]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def codes_of(r):
    return r["code"] if isinstance(r["code"], list) else [r["code"]]


def write(path, rows, keep_code):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            o = {k: v for k, v in r.items() if keep_code or k != "code"}
            f.write(json.dumps(o, ensure_ascii=False) + "\n")


def themes(binary, k, seed, coded, inp, extra=()):
    out = subprocess.run([binary, "themes", "--k", str(k), "--seed", str(seed),
                          "--coded", coded] + list(extra) + [inp], check=True,
                         capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines()]


def setting(name, binary, a, coded_rows, input_rows, tmp):
    gold = {r["id"]: set(codes_of(r)) for r in input_rows}
    inp = os.path.join(tmp, "input.jsonl")
    coded = os.path.join(tmp, "coded.jsonl")
    write(inp, input_rows, False)
    write(coded, coded_rows, True)
    ts = themes(binary, a.k, a.seed, coded, inp, a.extra)
    all_new, all_n = sum(t["new"] for t in ts), len(ts)
    codes = sorted({c for r in coded_rows for c in codes_of(r)})
    hits = mostly = mostly_hit = false = others = 0
    lines = []
    for x in codes:
        kept = [r for r in coded_rows if x not in codes_of(r)]
        write(coded, kept, True)
        ts = themes(binary, a.k, a.seed, coded, inp, a.extra)
        best, share = None, -1.0
        for t in ts:
            s = sum(1 for m in t["members"] if x in gold[m]) / len(t["members"])
            if s > share:
                best, share = t, s
        flagged = best["new"]
        hits += flagged
        if share >= 0.5:
            mostly += 1
            mostly_hit += flagged
        others += len(ts) - 1
        false += sum(t["new"] for t in ts if t is not best)
        lines.append(f"    {x:<20} theme {best['theme']:>2} ({len(best['members'])} excerpts, "
                     f"{share:.0%} {x}, covered {best.get('covered', float('nan')):.0%}"
                     f"{', gathered' if best.get('fits_no_code') else ''}): "
                     f"{'NEW' if flagged else 'not new'}; "
                     f"{sum(t['new'] for t in ts if t is not best)} other themes new")
    print(f"  {name}: all codes coded: {all_new} of {all_n} themes new "
          f"({all_new / all_n:.0%})")
    if a.verbose:
        print("\n".join(lines))
    rec_m = f"{mostly_hit}/{mostly}" if mostly else "0/0"
    print(f"  {name}: one code left out, over {len(codes)} codes: its theme flagged "
          f"{hits}/{len(codes)} ({hits / len(codes):.0%}); mostly-that-code themes "
          f"flagged {rec_m}; false flags {false}/{others} ({false / max(1, others):.0%})")


def auc(pos, neg):
    """ROC AUC of scores (higher: more likely positive), ties half."""
    if not pos or not neg:
        return float("nan")
    ranked = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + j + 1) / 2.0  # ranks i+1..j
        rank_sum += mid * sum(1 for _, y in ranked[i:j] if y)
        i = j
    n1, n0 = len(pos), len(neg)
    return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def signals(binary, first, rest, tmp):
    """AUC per signal over the codes, each left out of the split's coded
    set: how well "no code fits" tells that code's excerpts apart."""
    codes = sorted({c for r in first for c in codes_of(r)})
    inp = os.path.join(tmp, "sig-input.jsonl")
    coded = os.path.join(tmp, "sig-coded.jsonl")
    write(inp, rest, False)
    got = {}
    try:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        vec = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.5,
                              sublinear_tf=True).fit([r["text"] for r in first + rest])
        xi = vec.transform([r["text"] for r in rest])
    except ImportError:
        np = None
    for x in codes:
        kept = [r for r in first if x not in codes_of(r)]
        is_x = [x in codes_of(r) for r in rest]
        write(coded, kept, True)
        # as themes asks it: min_df 1, the pipeline's raw tf, prototypes
        # and the linear model, no neighbours
        out = subprocess.run([binary, "suggest", "--train", coded, "--top", "1",
                              "--neighbours", "0", "--min-confidence", "0",
                              "--min-df", "1", "--option", "tfidf.tf=raw", inp],
                             check=True, capture_output=True, text=True).stdout
        conf = [(json.loads(l).get("suggestions") or [{"confidence": 0.0}])[0]["confidence"]
                for l in out.splitlines()]
        nov = {"suggest confidence (themes)": [-c for c in conf]}
        if np is not None:
            xc = vec.transform([r["text"] for r in kept])
            kc = sorted({c for r in kept for c in codes_of(r)})
            protos = []
            for c in kc:
                v = np.asarray(xc[[i for i, r in enumerate(kept) if c in codes_of(r)]].sum(0)).ravel()
                protos.append(v / max(1e-12, np.linalg.norm(v)))
            sims = xi @ np.array(protos).T
            near = np.sort((xi @ xc.T).toarray(), axis=1)[:, ::-1]
            lr = LogisticRegression(C=10, max_iter=2000).fit(
                xc, [kc.index(codes_of(r)[0]) for r in kept])
            nov["best cosine to a code's prototype"] = list(-sims.max(1))
            nov["cosine to the nearest coded excerpt"] = list(-near[:, 0])
            nov["mean cosine to the 5 nearest"] = list(-near[:, :5].mean(1))
            nov["logistic regression top probability"] = list(-lr.predict_proba(xi).max(1))
        for name, v in nov.items():
            got.setdefault(name, []).append(
                auc([s for s, y in zip(v, is_x) if y], [s for s, y in zip(v, is_x) if not y]))
    print(f"  signals: split, each of {len(codes)} codes left out in turn: how well "
          f"\"fits no code\" tells its excerpts apart (ROC AUC, mean over the codes)")
    for name, v in got.items():
        print(f"    {name:<38} {sum(v) / len(v):.3f} (per code {min(v):.2f}-{max(v):.2f})")
    if np is None:
        print("    (numpy and scikit-learn not found: the other signals are not measured)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarry", default=os.path.join(ROOT, "build", "quarry"))
    ap.add_argument("--before", help="an older quarry binary, run beside")
    ap.add_argument("--k", type=int, default=12)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--verbose", action="store_true", help="one line per code")
    ap.add_argument("--signals", action="store_true",
                    help="first the per-excerpt signals' AUC (see above)")
    ap.add_argument("--extra", default="", help="more arguments for quarry themes "
                    "(e.g. \"--min-share 0.8\"; not given to --before)")
    a = ap.parse_args()
    a.extra = a.extra.split()
    rows = [json.loads(l) for l in open(os.path.join(ROOT, "corpora/pss-demo/excerpts.jsonl"),
                                        encoding="utf-8") if l.strip()]
    first = [r for r in rows if r["study"] in ("S1", "S2", "S3")]
    rest = [r for r in rows if r["study"] not in ("S1", "S2", "S3")]
    print(f"demo study: {len(rows)} excerpts, k={a.k}, seed {a.seed}; split: "
          f"{len(first)} coded (S1-S3), {len(rest)} new (S4-S6)")
    runs = ([("before", a.before)] if a.before else []) + [("quarry", a.quarry)]
    with tempfile.TemporaryDirectory() as tmp:
        if a.signals:
            signals(a.quarry, first, rest, tmp)
        for label, binary in runs:
            print(f"{label} ({binary}):")
            extra, a.extra = a.extra, (a.extra if label == "quarry" else [])
            setting("same", binary, a, rows, rows, tmp)
            setting("split", binary, a, first, rest, tmp)
            a.extra = extra
    return 0


if __name__ == "__main__":
    sys.exit(main())
