"""Optuna's own loop, for `npm run bench:tuning` to compare emkit's tunings with: the same one-second
objective as the bench's trial script, called by ``study.optimize`` with ``n_jobs`` 1 and 2 — in-process
(Optuna as its users run it), and, given the trial script, as a process per trial (``python trial.py --x …
--y …``, what any tool that runs trials as programs pays before its own overhead).

    python tuning-optuna.py TRIALS SECONDS [TRIAL_SCRIPT]

Prints one JSON line: ``{"trials": N, "runs": [{"kind": "in-process", "n_jobs": 1, "seconds": …, "best": …}, …]}``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from typing import Optional

import optuna

TRIALS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
SLEEP = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
SCRIPT: Optional[str] = sys.argv[3] if len(sys.argv) > 3 else None


def loss(x: float, y: float) -> float:
    return (x - 2) ** 2 + (y + 1) ** 2


def in_process(trial: optuna.Trial) -> float:
    x, y = trial.suggest_float("x", -5, 5), trial.suggest_float("y", -5, 5)
    time.sleep(SLEEP)  # the trial script's one second of "training"
    return loss(x, y)


def as_process(trial: optuna.Trial) -> float:
    x, y = trial.suggest_float("x", -5, 5), trial.suggest_float("y", -5, 5)
    assert SCRIPT is not None
    with tempfile.TemporaryDirectory() as folder:  # the script's ./runs (its metrics) go there
        args = [sys.executable, SCRIPT, "--x", repr(x), "--y", repr(y), "--steps", "1", "--pause", repr(SLEEP)]
        subprocess.run(args, cwd=folder, check=True)
    return loss(x, y)


def main() -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    runs = []
    kinds = [("in-process", in_process)] + ([("process", as_process)] if SCRIPT else [])
    for kind, objective in kinds:
        for n_jobs in (1, 2):
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=7))
            start = time.perf_counter()
            study.optimize(objective, n_trials=TRIALS, n_jobs=n_jobs)
            seconds = time.perf_counter() - start
            runs.append({"kind": kind, "n_jobs": n_jobs, "seconds": seconds, "best": study.best_value})
    print(json.dumps({"trials": TRIALS, "runs": runs}))


if __name__ == "__main__":
    main()
