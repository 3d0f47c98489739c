"""The study of one tuning: Optuna's sampler and pruner as the tuning's spec names them, the study kept in
a journal file in the tuning's folder so a process started again (a restarted bridge) reopens the same one.

The spec (``tuning.json`` in the folder, written by the bridge): ``{"space": {key: ParameterSpec}, "mode":
"min"|"max", "algorithm": "tpe"|"random"|"grid"|"cmaes", "pruner": "none"|"median"|"hyperband", "seed":
int|null, "parallel": int}``, the shapes of shared/src/schemas/tunings.ts.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

if TYPE_CHECKING:
    from optuna.distributions import BaseDistribution

STUDY_NAME = "emkit"
SPEC_FILE = "tuning.json"
JOURNAL_FILE = "study.journal"

# MedianPruner: no trial is pruned before this many have completed, nor before its own step 2
MEDIAN_STARTUP_TRIALS = 3
MEDIAN_WARMUP_STEPS = 2


def distribution(spec: Dict[str, Any]) -> BaseDistribution:
    """The Optuna distribution of one ParameterSpec."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    kind = spec["type"]
    if kind == "uniform":
        return FloatDistribution(spec["low"], spec["high"])
    if kind == "loguniform":
        return FloatDistribution(spec["low"], spec["high"], log=True)
    if kind == "int":
        return IntDistribution(spec["low"], spec["high"], step=spec.get("step", 1), log=spec.get("log", False))
    if kind == "discrete":
        return FloatDistribution(spec["low"], spec["high"], step=spec["step"])
    if kind == "choice":
        return CategoricalDistribution(spec["values"])
    raise ValueError(f"unknown parameter type {kind!r}")


def grid_values(spec: Dict[str, Any]) -> List[Any]:
    """Every value a grid takes of one parameter (the bridge refuses a grid over a continuous one)."""
    kind = spec["type"]
    if kind == "int":
        return list(range(spec["low"], spec["high"] + 1, spec.get("step", 1)))
    if kind == "discrete":
        count = math.floor((spec["high"] - spec["low"]) / spec["step"] + 1e-9) + 1
        return [_tidy(spec["low"] + i * spec["step"]) for i in range(count)]
    if kind == "choice":
        return list(spec["values"])
    raise ValueError(f"a grid can't cover a {kind} parameter")


def _tidy(value: float) -> float:
    """0.1 + 2 * 0.1 is 0.30000000000000004: rounded to what the step's decimals say."""
    return float(f"{value:.12g}")


def _grid_sampler_class():
    import optuna

    class BridgeGrid(optuna.samplers.GridSampler):
        """Optuna's grid, less its ``study.stop()`` once the grid is covered: that only works inside
        ``study.optimize`` (here it would fail the last tell). The bridge's budget is the grid's size."""

        def after_trial(self, study, trial, state, values) -> None:
            return None

    return BridgeGrid


def _BridgeGrid(search_space, seed):
    return _grid_sampler_class()(search_space, seed=seed)


def _sampler(spec: Dict[str, Any], reopened_trials: int):
    import optuna

    algorithm = spec.get("algorithm", "tpe")
    seed = spec.get("seed")
    if algorithm == "grid":
        # the grid's order comes from the seed; a reopened study skips the points already taken
        return _BridgeGrid({key: grid_values(p) for key, p in spec["space"].items()}, seed=seed)
    # a reopened study would replay the same draws from the same seed: move the seed past the trials it has
    if seed is not None:
        seed = seed + reopened_trials
    if algorithm == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if algorithm == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    # constant_liar: trials running side by side are not asked for the same point
    return optuna.samplers.TPESampler(seed=seed, constant_liar=spec.get("parallel", 1) > 1)


def _pruner(spec: Dict[str, Any]):
    import optuna

    pruner = spec.get("pruner", "none")
    if pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=MEDIAN_STARTUP_TRIALS, n_warmup_steps=MEDIAN_WARMUP_STEPS)
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource="auto", reduction_factor=3)
    return optuna.pruners.NopPruner()


class Study:
    """One tuning's study: ask, tell, report (and whether to prune), importance, the trials as stored."""

    def __init__(self, folder: str):
        import optuna
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        # said once per start on stderr otherwise (constant_liar, the journal): nothing the bridge acts on
        warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
        with open(os.path.join(folder, SPEC_FILE), encoding="utf-8") as file:
            self.spec = json.load(file)
        space = self.spec["space"]
        self.distributions: Dict[str, BaseDistribution] = {key: distribution(p) for key, p in space.items()}
        self.minimize = self.spec.get("mode", "min") == "min"
        storage = JournalStorage(JournalFileBackend(os.path.join(folder, JOURNAL_FILE)))
        direction = "minimize" if self.minimize else "maximize"
        # opened once to count what it holds, then with the sampler that knows that count
        existing = optuna.create_study(storage=storage, study_name=STUDY_NAME, direction=direction, load_if_exists=True)
        self.reopened = len(existing.trials)
        sampler, pruner = _sampler(self.spec, self.reopened), _pruner(self.spec)
        self.study = optuna.load_study(study_name=STUDY_NAME, storage=storage, sampler=sampler, pruner=pruner)
        self._trials: Dict[int, Any] = {}

    def ask(self) -> Dict[str, Any]:
        trial = self.study.ask(self.distributions)
        self._trials[trial.number] = trial
        return {"number": trial.number, "params": trial.params}

    def _trial(self, number: int):
        """The live Trial of a number: asked by this process, or (after a restart) rebuilt from storage."""
        import optuna

        trial = self._trials.get(number)
        if trial is None:
            storage = self.study._storage
            trial_id = storage.get_trial_id_from_study_id_trial_number(self.study._study_id, number)
            trial = optuna.trial.Trial(self.study, trial_id)
            self._trials[number] = trial
        return trial

    def _frozen(self, number: int):
        storage = self.study._storage
        return storage.get_trial(storage.get_trial_id_from_study_id_trial_number(self.study._study_id, number))

    def tell(self, number: int, value: Optional[float], state: str) -> Dict[str, Any]:
        """``state``: complete (with ``value``), pruned or fail. A trial told already is left as it is."""
        from optuna.trial import TrialState

        frozen = self._frozen(number)
        if frozen.state.is_finished():
            self._trials.pop(number, None)
            return {"already": frozen.state.name.lower()}
        if state == "complete":
            self.study.tell(number, value)
        elif state == "pruned":
            self.study.tell(number, state=TrialState.PRUNED)
        else:
            self.study.tell(number, state=TrialState.FAIL)
        self._trials.pop(number, None)
        return {"told": state}

    def report(self, number: int, points: List[Tuple[int, float]]) -> Dict[str, Any]:
        """Report a running trial's intermediate values; whether the pruner would stop it now."""
        if not points:
            return {"prune": False}
        trial = self._trial(number)
        for step, value in points:
            if value is None or not math.isfinite(value):
                continue
            trial.report(float(value), int(step))
        step, value = points[-1]
        # the pruners answer numpy's bool: made a plain one for the answer's JSON
        prune = bool(trial.should_prune()) and not self._at_least_as_good_as_best(number, int(step))
        return {"prune": prune}

    def _at_least_as_good_as_best(self, number: int, step: int) -> bool:
        """The best trial is never pruned: a trial whose latest value is as good as the best complete trial's
        at that step (or its final value) is kept, whatever the pruner says."""
        try:
            best = self.study.best_trial
        except ValueError:
            return False
        intermediate = self._frozen(number).intermediate_values
        if step not in intermediate:
            return False
        mine = intermediate[step]
        theirs = best.intermediate_values.get(step, best.value)
        if theirs is None:
            return False
        return bool(mine <= theirs) if self.minimize else bool(mine >= theirs)

    def importance(self) -> Optional[Dict[str, float]]:
        """Optuna's parameter importance (summing to 1), once two trials are COMPLETE; None before, or when it
        can't be said (every complete trial took the same values)."""
        import optuna
        from optuna.trial import TrialState

        complete = self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        if len(complete) < 2:
            return None
        try:
            importance = optuna.importance.get_param_importances(self.study)
        except (RuntimeError, ValueError, ZeroDivisionError):
            return None
        return {key: float(value) for key, value in importance.items() if math.isfinite(value)}

    def trials(self) -> List[Dict[str, Any]]:
        """Every trial as stored: what a restarted bridge reconciles its records with."""
        return [
            {
                "number": t.number,
                "state": t.state.name,
                "params": t.params,
                "value": t.value if t.value is not None and math.isfinite(t.value) else None,
            }
            for t in self.study.get_trials(deepcopy=False)
        ]
