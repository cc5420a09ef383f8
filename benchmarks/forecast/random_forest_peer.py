"""scikit-learn peer of benchmarks/forecast/random-forest.bench.ts.

Reads the CSV the benchmark writes (feature columns, then `target`, then `split` = train|test),
fits scikit-learn's RandomForestRegressor with its defaults (bootstrap, max_features=1.0,
min_samples_leaf=1) for each configuration given, `runs` times each with n_jobs=1 and n_jobs=-1,
and prints one JSON object: the fit times in milliseconds and the R^2 of each fit on the test rows
(random_state = run number, 1 to runs; run 0 is a warm-up).

Usage: python3 random_forest_peer.py <csv> <runs> <trees> <maxDepth|none> [<maxDepth|none> ...]
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
    path, runs, trees = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    depths = [None if d == "none" else int(d) for d in sys.argv[4:]]
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    features = header[:-2]
    x = np.array([[float(v) for v in row[:-2]] for row in rows])
    y = np.array([float(row[-2]) for row in rows])
    train = np.array([row[-1] == "train" for row in rows])
    x_train, y_train, x_test, y_test = x[train], y[train], x[~train], y[~train]
    results = []
    for depth in depths:
        for jobs in (1, -1):
            times = []
            r2 = []
            for run in range(runs + 1):
                model = RandomForestRegressor(
                    n_estimators=trees, max_depth=depth, n_jobs=jobs, random_state=run
                )
                start = time.perf_counter()
                model.fit(x_train, y_train)
                elapsed = (time.perf_counter() - start) * 1000
                if run == 0:
                    continue  # warm-up (imports, thread pool start)
                times.append(elapsed)
                r2.append(float(r2_score(y_test, model.predict(x_test))))
            results.append(
                {"maxDepth": depth, "jobs": jobs, "fitMs": times, "r2": r2}
            )
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "python": sys.version.split()[0],
                "features": features,
                "trainRows": int(train.sum()),
                "testRows": int((~train).sum()),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
