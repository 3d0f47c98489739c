#!/usr/bin/env python3
"""Evaluation runner benchmark (`.venv/bin/python test/bench/evaluation-runner.py`). A
measurement, not a test: it prints figures next to their aim, measured side by side in one
run, and fails only on errors (a run that doesn't COMPLETE, a figure that differs).

One synthetic classification dataset (ROWS rows, FEATURES numeric features, written as a CSV
with a label column) and one scikit-learn model fitted on other rows of it, evaluated two ways:

  - plain: the same model's predict_proba plus sklearn.metrics (accuracy,
    precision_recall_fscore_support, confusion_matrix, roc_auc_score,
    average_precision_score, precision_recall_curve) after pandas.read_csv of the same file,
    in one plain Python process;
  - emkit: `python -m emkit.evaluation spec.json`, as the bridge starts it (batch by batch,
    status.json per batch, result.json and curves.json written at the end).

Both are timed three ways: the whole process's wall time, interpreter start and imports
included (what a user waits for: the aim's figure); its CPU time, children included (less
swayed by other work on the machine); and the work alone (plain: from joblib.load to the last
metric; emkit: the "seconds" of its result.json: reading, predicting, computing, before the
files are written). Runs take turns, ROUNDS times,
so that a slow spell of the machine falls on both; the medians are compared.

Aim (issue 14): emkit / plain under 1.3x. Options: --model logistic|forest|hgb, --classes N,
--rows N, --batch-rows N, --rounds N.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "server-bridge" / "python" / "src"
AIM = 1.3

PLAIN = r"""
import sys, time, json
started = time.perf_counter()
import joblib, numpy, pandas
from sklearn import metrics
imported = time.perf_counter()
model = joblib.load(sys.argv[1] + "/model.joblib")
frame = pandas.read_csv(sys.argv[2])
y_true = frame.pop("label").to_numpy()
proba = model.predict_proba(frame.to_numpy())
classes = model.classes_
y_pred = classes[proba.argmax(axis=1)]
accuracy = metrics.accuracy_score(y_true, y_pred)
prfs = metrics.precision_recall_fscore_support(y_true, y_pred, labels=classes)
matrix = metrics.confusion_matrix(y_true, y_pred, labels=classes)
if len(classes) == 2:
    auc = metrics.roc_auc_score(y_true, proba[:, 1])
else:
    auc = metrics.roc_auc_score(y_true, proba, multi_class="ovr")
for c in range(len(classes)):
    ap = metrics.average_precision_score(y_true == classes[c], proba[:, c])
    curve = metrics.precision_recall_curve(y_true == classes[c], proba[:, c], drop_intermediate=False)
done = time.perf_counter()
print(json.dumps({"accuracy": accuracy, "rocAuc": auc, "work": done - imported}))
"""


def make(folder: Path, rows: int, features: int, classes: int, kind: str) -> tuple:
    import joblib
    import numpy
    import pandas
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=rows + 20_000,
        n_features=features,
        n_informative=min(features, 10),
        n_classes=classes,
        random_state=0,
        flip_y=0.05,
    )
    X, y = numpy.asarray(X), numpy.asarray(y)
    if kind == "forest":
        from sklearn.ensemble import RandomForestClassifier

        model = RandomForestClassifier(n_estimators=50, max_depth=12, random_state=0, n_jobs=1)
    elif kind == "hgb":
        from sklearn.ensemble import HistGradientBoostingClassifier

        model = HistGradientBoostingClassifier(max_iter=100, random_state=0)
    else:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(max_iter=1000)
    model.fit(X[:20_000], y[:20_000])
    model_dir = folder / "model"
    model_dir.mkdir()
    joblib.dump(model, model_dir / "model.joblib")
    frame = pandas.DataFrame({f"x{i}": X[20_000:, i] for i in range(features)})
    frame["label"] = y[20_000:]
    data = folder / "test.csv"
    frame.to_csv(data, index=False)
    return model_dir, data


def timed(command: list, env=None) -> tuple:
    """(wall seconds, CPU seconds of the process and its children, the finished process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def run_plain(model_dir: Path, data: Path) -> tuple:
    wall, cpu, done = timed([sys.executable, "-c", PLAIN, str(model_dir), str(data)])
    if done.returncode != 0:
        sys.exit(f"the plain run failed:\n{done.stderr}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, cpu, answer["work"], answer


def run_emkit(folder: Path, model_dir: Path, data: Path, batch_rows: int, round_: int) -> tuple:
    run = folder / f"emkit-{round_}"
    run.mkdir()
    spec = {
        "version": 1,
        "evaluationId": run.name,
        "model": {
            "id": "m",
            "name": "bench",
            "version": 1,
            "framework": "scikit-learn",
            "artifactPath": str(model_dir),
        },
        "data": {"path": str(data), "format": None, "label": None, "features": None},
        "task": None,
        "threshold": 0.5,
        "maxErrors": 50,
        "batchRows": batch_rows,
        "statusFile": str(run / "status.json"),
        "resultFile": str(run / "result.json"),
        "curvesFile": str(run / "curves.json"),
        "logFile": str(run / "runner.log"),
    }
    (run / "spec.json").write_text(json.dumps(spec))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    wall, cpu, done = timed([sys.executable, "-m", "emkit.evaluation", str(run / "spec.json")], env)
    status = json.loads((run / "status.json").read_text())
    if done.returncode != 0 or status["state"] != "COMPLETE":
        sys.exit(f"the emkit run ended {status['state']} ({status['reason']}):\n{done.stdout}{done.stderr}")
    result = json.loads((run / "result.json").read_text())
    return wall, cpu, result["seconds"], result, (run / "curves.json").stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--classes", type=int, default=2)
    parser.add_argument("--model", choices=("logistic", "forest", "hgb"), default="logistic")
    parser.add_argument("--batch-rows", type=int, default=4096)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="emkit-bench-eval-") as temporary:
        folder = Path(temporary)
        model_dir, data = make(folder, options.rows, options.features, options.classes, options.model)
        size = data.stat().st_size / 1e6
        print(
            f"{options.rows:,} rows x {options.features} features, {options.classes} classes, "
            f"{options.model} model, CSV {size:.1f} MB, batchRows {options.batch_rows}, {options.rounds} rounds"
        )
        figures_of = {"plain": {"wall": [], "cpu": [], "work": []}, "emkit": {"wall": [], "cpu": [], "work": []}}
        curves_bytes = 0
        for round_ in range(options.rounds):
            wall, cpu, work, plain = run_plain(model_dir, data)
            for name, value in (("wall", wall), ("cpu", cpu), ("work", work)):
                figures_of["plain"][name].append(value)
            wall, cpu, work, result, curves_bytes = run_emkit(folder, model_dir, data, options.batch_rows, round_)
            for name, value in (("wall", wall), ("cpu", cpu), ("work", work)):
                figures_of["emkit"][name].append(value)
            figures = result["classification"]
            if abs(figures["accuracy"] - plain["accuracy"]) > 1e-12 or abs(figures["rocAuc"] - plain["rocAuc"]) > 1e-9:
                sys.exit(f"the figures differ: emkit {figures['accuracy']}/{figures['rocAuc']}, plain {plain}")
            p, e = figures_of["plain"], figures_of["emkit"]
            print(
                f"  round {round_ + 1}: plain {p['wall'][-1]:.2f} s wall, {p['cpu'][-1]:.2f} s CPU, "
                f"{p['work'][-1]:.2f} s work; emkit {e['wall'][-1]:.2f} s wall, {e['cpu'][-1]:.2f} s CPU, "
                f"{e['work'][-1]:.2f} s work"
            )
        print(f"curves.json: {curves_bytes / 1e6:.1f} MB")
        for name, what in (
            ("wall", "whole process, wall"),
            ("cpu", "whole process, CPU"),
            ("work", "the work alone, wall"),
        ):
            plain_s = statistics.median(figures_of["plain"][name])
            emkit_s = statistics.median(figures_of["emkit"][name])
            aim = f" (aim < {AIM}x)" if name == "wall" else ""
            print(f"{what:>22} (median): plain {plain_s:.2f} s, emkit {emkit_s:.2f} s: {emkit_s / plain_s:.2f}x{aim}")


if __name__ == "__main__":
    main()
