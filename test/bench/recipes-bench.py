#!/usr/bin/env python3
"""Built-in recipes benchmark (`npm run bench:recipes`). A measurement, not a test: for each
model type, its train.py run as the runner runs it (a fresh interpreter, the EM_* variables,
every parameter as --key value) on the tests' data, and printed: the whole process's wall
time (interpreter start and imports included: what a user waits for), the training alone (the
recipe's "trained in" line), the holdout score from result.json next to the tests' bar, and the
loaded model's latency on one raw input (median of PREDICTIONS calls, in this process: the
gateway's own overhead is the bridge benchmark's). It fails only when a training fails.

Aim (issue 16): each type trains in under 60 s on the 2-core machine. Options: --rounds N,
--only TYPE[,TYPE].

A new type adds a Case to CASES (its data maker in server-bridge/python/tests/recipe_data.py).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "server-bridge" / "python" / "tests"
sys.path[:0] = [str(TESTS), str(REPO / "server-bridge" / "python" / "src")]

import recipe_data  # noqa: E402 (from the tests' folder, put on the path above)
from recipes import run_builtin  # noqa: E402

AIM_SECONDS = 60
PREDICTIONS = 200


class Case(NamedTuple):
    model_type: str
    data: Callable[[Path], Path]  # writes the training data under the folder given, returns its path
    hyperparameters: Dict[str, Any]
    score: Callable[[dict], float]  # from result.json
    score_name: str
    bar: str  # the tests' bar, for the eye
    raw_input: Any


IRIS_ROW = {"sepal_length": 5.9, "sepal_width": 3.0, "petal_length": 5.1, "petal_width": 1.8}

CASES: List[Case] = [
    Case(
        "text-classification",
        lambda folder: recipe_data.write_text_folders(folder / "texts"),
        {},
        lambda r: r["classification"]["accuracy"],
        "accuracy",
        ">= 0.8",
        "오늘은 날씨가 맑아요",
    ),
    Case(
        "number-classification",
        lambda folder: recipe_data.iris_csv(folder / "iris.csv"),
        {"label": "species"},
        lambda r: r["classification"]["accuracy"],
        "accuracy",
        ">= 0.9",
        IRIS_ROW,
    ),
    Case(
        "number-prediction",
        lambda folder: recipe_data.diabetes_csv(folder / "diabetes.csv"),
        {"target": "target"},
        lambda r: r["regression"]["r2"],
        "R²",
        ">= 0.35",
        [0.03, 0.05, 0.06, 0.02, -0.04, -0.03, -0.04, 0.0, 0.02, -0.02],
    ),
    Case(
        "clustering",
        lambda folder: recipe_data.iris_csv(folder / "iris.csv"),
        {"k": 3},
        lambda r: r["clustering"]["silhouette"],
        "silhouette",
        "> 0.3",
        IRIS_ROW,
    ),
]


def latency_ms(model_dir: Path, raw_input: Any) -> float:
    from emkit.serving.loaders import load

    model = load("custom", str(model_dir))
    model.predict([raw_input])  # the first call pays for lazy set-up
    times = []
    for _ in range(PREDICTIONS):
        started = time.perf_counter()
        model.predict([raw_input])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description="Built-in recipes benchmark: training time and holdout score per type")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated model types")
    options = parser.parse_args()
    chosen = [c for c in CASES if not options.only or c.model_type in options.only.split(",")]
    print(f"{'model type':<24}{'process s':>10}{'trained s':>10}  {'holdout score':<24}{'predict ms':>11}  aim")
    failed = False
    for case in chosen:
        walls, trains, score, latency = [], [], float("nan"), float("nan")
        for round_number in range(options.rounds):
            with tempfile.TemporaryDirectory(prefix="emkit-recipes-bench-") as temporary:
                folder = Path(temporary)
                data = case.data(folder)
                started = time.perf_counter()
                run = run_builtin(folder / "training", case.model_type, data, case.hyperparameters)
                walls.append(time.perf_counter() - started)
                if run.returncode != 0:
                    print(f"{case.model_type}: FAILED\n{run.stderr}", file=sys.stderr)
                    failed = True
                    break
                trained = re.search(r"trained in ([0-9.]+) s", run.stdout)
                trains.append(float(trained[1]) if trained else float("nan"))
                score = case.score(run.result)
                if round_number == 0:
                    latency = latency_ms(run.model_dir, case.raw_input)
        if not walls or failed:
            continue
        wall, train = statistics.median(walls), statistics.median(trains)
        verdict = "ok" if wall < AIM_SECONDS else "OVER"
        shown = f"{case.score_name} {score:.3f} ({case.bar})"
        print(
            f"{case.model_type:<24}{wall:>10.1f}{train:>10.1f}  {shown:<24}{latency:>11.2f}  "
            f"< {AIM_SECONDS} s: {verdict}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
