"""Optuna's own loop, for `npm run bench:tuning` to compare emkit's tunings with: the same one-second
objective as the bench's trial script, called in-process by ``study.optimize`` with ``n_jobs`` 1 and 2.

Prints one JSON line: ``{"trials": N, "runs": [{"n_jobs": 1, "seconds": …, "best": …}, …]}``.
"""

from __future__ import annotations

import json
import sys
import time

import optuna

TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
SLEEP = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0


def objective(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_float("y", -5, 5)
    time.sleep(SLEEP)  # the trial script's one second of "training"
    return (x - 2) ** 2 + (y + 1) ** 2


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    runs = []
    for n_jobs in (1, 2):
        study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=7))
        start = time.perf_counter()
        study.optimize(objective, n_trials=TRIALS, n_jobs=n_jobs)
        runs.append({"n_jobs": n_jobs, "seconds": time.perf_counter() - start, "best": study.best_value})
    print(json.dumps({"trials": TRIALS, "runs": runs}))


if __name__ == "__main__":
    main()
