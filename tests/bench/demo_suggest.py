#!/usr/bin/python3
"""Top-1 and top-3 accuracy of `quarry suggest` on the demo split (studies
S1-S4 of corpora/pss-demo train, S5-S6 are suggested for), beside
scikit-learn: the demo part of suggest_bench.py, kept under its old name.

usage: /usr/bin/python3 tests/bench/demo_suggest.py BUILD_DIR
(the same as suggest_bench.py --quarry BUILD_DIR/quarry --sets demo)
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 1
    quarry = os.path.join(sys.argv[1], "quarry")
    return subprocess.call([sys.executable, os.path.join(HERE, "suggest_bench.py"),
                            "--quarry", quarry, "--sets", "demo"])


if __name__ == "__main__":
    sys.exit(main())
