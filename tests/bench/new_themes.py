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
0.5 or more. Printed per code: X's theme, its share, whether it is flagged
new; then recall (X's theme flagged, over the codes whose theme is mostly
X, and over all codes) and the false-flag rate (other themes flagged new,
over all codes' runs). The rule measured: a theme is new when less than
--min-share of what coded material reaches is covered, or when a quarter or
more of it is unlike every code, clearly more (binomial, p < 0.01) than the
rate at which the coded excerpts themselves look unlike (see themes.c).
--before runs an older binary beside.
Prints figures; asserts nothing.

    /usr/bin/python3 tests/bench/new_themes.py --quarry build/quarry \\
        [--before BASE/quarry] [--k 12] [--seed 42] [--verbose] [--extra "ARGS"]
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
                     f"{share:.0%} {x}, covered {best.get('covered', float('nan')):.0%}, "
                     f"unlike {best.get('unlike', '-')} vs {best.get('unlike_expected', float('nan')):.1f} usual): "
                     f"{'NEW' if flagged else 'not new'}")
    print(f"  {name}: all codes coded: {all_new} of {all_n} themes new "
          f"({all_new / all_n:.0%})")
    if a.verbose:
        print("\n".join(lines))
    rec_m = f"{mostly_hit}/{mostly}" if mostly else "0/0"
    print(f"  {name}: one code left out, over {len(codes)} codes: its theme flagged "
          f"{hits}/{len(codes)} ({hits / len(codes):.0%}); mostly-that-code themes "
          f"flagged {rec_m}; false flags {false}/{others} ({false / max(1, others):.0%})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quarry", default=os.path.join(ROOT, "build", "quarry"))
    ap.add_argument("--before", help="an older quarry binary, run beside")
    ap.add_argument("--k", type=int, default=12)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--verbose", action="store_true", help="one line per code")
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
        for label, binary in runs:
            print(f"{label} ({binary}):")
            extra, a.extra = a.extra, (a.extra if label == "quarry" else [])
            setting("same", binary, a, rows, rows, tmp)
            setting("split", binary, a, first, rest, tmp)
            a.extra = extra
    return 0


if __name__ == "__main__":
    sys.exit(main())
