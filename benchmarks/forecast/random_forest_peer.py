"""scikit-learn peer of benchmarks/forecast/random-forest.bench.ts.

Reads the CSV the benchmark writes (feature columns, then `target`, then `split` = train|test),
prints one JSON line with its versions and row counts, then serves fits one line at a time, so that
the benchmark can alternate them with its own (both see the same machine state):

    fit <trees> <maxDepth|none> <n_jobs> <random_state>
      -> {"fitMs": <RandomForestRegressor.fit time in ms>, "r2": <R^2 on the test rows>}
    quit

The forest is scikit-learn's RandomForestRegressor with its defaults (bootstrap, max_features=1.0,
min_samples_leaf=1) but for the values given.

Usage: python3 random_forest_peer.py <csv>
"""

import csv
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import r2_score


def main() -> None:
    with open(sys.argv[1], newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    x = np.array([[float(v) for v in row[:-2]] for row in rows])
    y = np.array([float(row[-2]) for row in rows])
    train = np.array([row[-1] == "train" for row in rows])
    x_train, y_train, x_test, y_test = x[train], y[train], x[~train], y[~train]
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "python": sys.version.split()[0],
                "features": header[:-2],
                "trainRows": int(train.sum()),
                "testRows": int((~train).sum()),
            }
        ),
        flush=True,
    )
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        trees, depth, jobs, seed = words[1:5]
        model = RandomForestRegressor(
            n_estimators=int(trees),
            max_depth=None if depth == "none" else int(depth),
            n_jobs=int(jobs),
            random_state=int(seed),
        )
        start = time.perf_counter()
        model.fit(x_train, y_train)
        elapsed = (time.perf_counter() - start) * 1000
        r2 = float(r2_score(y_test, model.predict(x_test)))
        print(json.dumps({"fitMs": elapsed, "r2": r2}), flush=True)


if __name__ == "__main__":
    main()
