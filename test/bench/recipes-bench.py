#!/usr/bin/env python3
"""Built-in recipes benchmark (`npm run bench:recipes-python`). A measurement, not a test: for each
model type, its train.py run as the runner runs it (a fresh interpreter, the EM_* variables,
every parameter as --key value) on the tests' data, and printed: the whole process's wall
time (interpreter start and imports included: what a user waits for), its CPU time (user +
system: what a shared machine's load doesn't stretch), the training alone (the
recipe's "trained in" line), the holdout score from result.json next to the tests' bar, and the
loaded model's latency on one raw input (median of PREDICTIONS calls, in this process: the
gateway's own overhead is the bridge benchmark's). It fails only when a training fails.

Aim (issue 16): each type trains in under 60 s on the 2-core machine. Options: --rounds N,
--only TYPE[,TYPE].

A new type adds a Case to CASES (its data maker in server-bridge/python/tests/recipe_data.py,
or media_data.py for images and sounds).
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, NamedTuple

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "server-bridge" / "python" / "tests"
sys.path[:0] = [str(TESTS), str(REPO / "server-bridge" / "python" / "src")]

import media_data  # noqa: E402 (from the tests' folder, put on the path above)
import recipe_data  # noqa: E402
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
    raw_input: Any  # or a function of the data's path that makes it (a file of the data, as base64)
    name: str = ""  # the row's name where a type has two cases; else the model type


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
    Case(
        "image-classification",
        lambda folder: media_data.digits_folder(folder / "digits"),
        {},
        lambda r: r["classification"]["accuracy"],
        "accuracy",
        ">= 0.85",
        lambda data: {"b64": media_data.b64(next((data / "3").glob("*.png"))), "filename": "3.png"},
        "image (digits 0-3)",
    ),
    Case(
        "audio-classification",
        lambda folder: media_data.tones(folder / "tones"),
        {},
        lambda r: r["classification"]["accuracy"],
        "accuracy",
        ">= 0.8",
        lambda data: {"b64": media_data.b64(data / "low" / "000.wav"), "filename": "low.wav"},
        "audio (tones)",
    ),
]
if media_data.ESPEAK is not None:  # else the row is missing, and said so at the start
    CASES.append(
        Case(
            "audio-classification",
            lambda folder: media_data.spoken_words(folder / "words"),
            {},
            lambda r: r["classification"]["accuracy"],
            "accuracy",
            ">= 0.8",
            lambda data: {"b64": media_data.b64(data / "yes" / "000.wav"), "filename": "yes.wav"},
            "audio (spoken words)",
        )
    )


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


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far: a training's own
    work, which the machine's other load doesn't stretch as it does the wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description="Built-in recipes benchmark: training time and holdout score per type")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated model types")
    options = parser.parse_args()
    chosen = [c for c in CASES if not options.only or c.model_type in options.only.split(",")]
    if media_data.ESPEAK is None:
        print(f"no spoken-words row: {media_data.NO_ESPEAK}", file=sys.stderr)
    columns = f"{'process s':>10}{'cpu s':>8}{'trained s':>10}"
    print(f"{'model type':<24}{columns}  {'holdout score':<24}{'predict ms':>11}  aim")
    failed = False
    for case in chosen:
        walls, cpus, trains, score, latency = [], [], [], float("nan"), float("nan")
        for round_number in range(options.rounds):
            with tempfile.TemporaryDirectory(prefix="emkit-recipes-bench-") as temporary:
                folder = Path(temporary)
                data = case.data(folder)
                started, cpu = time.perf_counter(), _children_cpu()
                run = run_builtin(folder / "training", case.model_type, data, case.hyperparameters)
                walls.append(time.perf_counter() - started)
                cpus.append(_children_cpu() - cpu)
                if run.returncode != 0:
                    print(f"{case.model_type}: FAILED\n{run.stderr}", file=sys.stderr)
                    failed = True
                    break
                trained = re.search(r"trained in ([0-9.]+) s", run.stdout)
                trains.append(float(trained[1]) if trained else float("nan"))
                score = case.score(run.result)
                if round_number == 0:
                    raw_input = case.raw_input(data) if callable(case.raw_input) else case.raw_input
                    latency = latency_ms(run.model_dir, raw_input)
        if not walls or failed:
            continue
        wall, cpu, train = statistics.median(walls), statistics.median(cpus), statistics.median(trains)
        verdict = "ok" if wall < AIM_SECONDS else "OVER"
        shown = f"{case.score_name} {score:.3f} ({case.bar})"
        print(
            f"{case.name or case.model_type:<24}{wall:>10.1f}{cpu:>8.1f}{train:>10.1f}  {shown:<24}{latency:>11.2f}  "
            f"< {AIM_SECONDS} s: {verdict}",
            flush=True,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
