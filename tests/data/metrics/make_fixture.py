#!/usr/bin/python3
"""Write sklearn.json: clustering scores computed by scikit-learn, the
reference quarry's metrics (core/src/learn/metrics.c) are checked against in
tests/unit/test_metrics.c.

    /usr/bin/python3 tests/data/metrics/make_fixture.py > tests/data/metrics/sklearn.json

Every labeling is drawn here with a fixed numpy seed, so the file is the
same on every run with the same scikit-learn (1.2.1 wrote the committed
copy; the version is recorded in the file).
"""
import json

import numpy as np
import sklearn
from sklearn import metrics


def label_case(name, gold, pred):
    h, c, v = metrics.homogeneity_completeness_v_measure(gold, pred)
    return {
        "name": name,
        "gold": [int(x) for x in gold],
        "pred": [int(x) for x in pred],
        "ari": metrics.adjusted_rand_score(gold, pred),
        "nmi": metrics.normalized_mutual_info_score(gold, pred),
        "ami": metrics.adjusted_mutual_info_score(gold, pred),
        "homogeneity": h,
        "completeness": c,
        "v_measure": v,
    }


def sil_case(name, rows, labels):
    rows = np.asarray(rows, dtype=np.float32)
    return {
        "name": name,
        "rows": rows.tolist(),
        "labels": [int(x) for x in labels],
        "silhouette": float(metrics.silhouette_score(
            rows.astype(np.float64), labels, metric="cosine")),
    }


def main():
    rng = np.random.RandomState(20261125)
    labels = []
    # Random labelings of several shapes, with negative and sparse values.
    for n, kg, kp in [(30, 3, 3), (100, 4, 6), (250, 10, 2), (57, 5, 5),
                      (400, 20, 25)]:
        g = rng.randint(0, kg, n)
        p = rng.randint(0, kp, n)
        labels.append(label_case("random-%d-%d-%d" % (n, kg, kp), g, p))
    # A clustering close to the truth: 80% kept, the rest moved.
    g = rng.randint(0, 4, 300)
    p = np.where(rng.rand(300) < 0.8, g, rng.randint(0, 4, 300))
    labels.append(label_case("noisy-copy", g, p))
    # Labels that are not 0..k-1: -1 as noise, large and negative values.
    g = rng.choice([-7, 3, 1000000], 80)
    p = rng.choice([-1, 0, 5, 2147483647], 80)
    labels.append(label_case("odd-values", g, p))
    labels.append(label_case("discordant", [0, 0, 1, 1], [0, 1, 0, 1]))
    labels.append(label_case("one-cluster-vs-classes", [0, 0, 1, 1, 2, 2],
                             [0] * 6))
    labels.append(label_case("singletons-vs-classes", [0, 0, 1, 1, 2, 2],
                             list(range(6))))

    sil = []
    # Dense rows near four directions, with noise.
    centres = rng.rand(4, 12)
    lab = rng.randint(0, 4, 60)
    rows = centres[lab] + 0.3 * rng.rand(60, 12)
    sil.append(sil_case("dense-4-blobs", rows, lab))
    # Sparse-looking rows: mostly zeros, one row all zeros, a singleton.
    rows = np.where(rng.rand(40, 30) < 0.15, rng.rand(40, 30), 0.0)
    rows[7] = 0.0
    lab = rng.randint(0, 3, 40)
    lab[12] = 9
    sil.append(sil_case("sparse-with-zero-row-and-singleton", rows, lab))
    # Labels unrelated to the rows (a silhouette near 0 or below).
    rows = rng.rand(50, 8)
    lab = rng.randint(0, 5, 50)
    sil.append(sil_case("random", rows, lab))

    json.dump({"sklearn_version": sklearn.__version__, "labels": labels,
               "silhouette": sil}, fp=__import__("sys").stdout, indent=None)
    print()


if __name__ == "__main__":
    main()
