"""scikit-learn peer of benchmarks/anomaly/isolation-forest.bench.ts.

Reads the CSV the benchmark writes (feature columns, then `label` = 1 for an injected anomaly),
prints one JSON line with its versions and shape, then serves requests one line at a time, so that
the benchmark can alternate them with its own runs (both see the same machine state):

    run <random_state>
      -> {"fitScoreMs": <IsolationForest.fit + score_samples time in ms>, "auc": <ROC-AUC>}
    quit

The forest is scikit-learn's IsolationForest with its defaults (100 trees, max_samples=256 i.e.
"auto", max_features=1.0, contamination="auto", one core); the score is -score_samples (higher =
more anomalous), the same 2^(-E[h]/c(psi)) as ours.

Usage: python3 isolation_forest_peer.py <csv>
"""

import json
import platform
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score


def main() -> None:
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
    features = np.ascontiguousarray(data[:, :-1])
    labels = data[:, -1].astype(int)
    hello = {
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
        "rows": features.shape[0],
        "columns": features.shape[1],
    }
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        seed = int(parts[1])
        start = time.perf_counter()
        forest = IsolationForest(n_estimators=100, max_samples=256, random_state=seed, n_jobs=1)
        forest.fit(features)
        scores = -forest.score_samples(features)
        elapsed = (time.perf_counter() - start) * 1000
        auc = float(roc_auc_score(labels, scores))
        print(json.dumps({"fitScoreMs": elapsed, "auc": auc}), flush=True)


if __name__ == "__main__":
    main()
