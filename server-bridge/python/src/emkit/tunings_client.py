"""``client.tunings``: searches over hyperparameters, each trial a training in the tuning's experiment,
an Optuna study run by the bridge (``emkit tune``)."""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, List, Optional

from .client import ApiError, _dataset_value, _quote, _Resource
from .quality import EarlyStopping, early_stopping_body
from .space_spec import SpaceInput, parse_space
from .states import SETTLED_TUNING_STATES

TrialCallback = Callable[[Dict[str, Any]], None]


class Tunings(_Resource):
    """``key`` is a tuning's name or id. A trial is ``{"number", "trainingId", "trainingName", "state",
    "stateReason", "params", "value", "lastStep", "lastValue", "prunedAtStep", …}``; its state RUNNING,
    COMPLETE, PRUNED, FAILED or STOPPED."""

    path = "/api/v1/tunings"

    def list(
        self, limit: int = 1000, offset: int = 0, experiment: Optional[str] = None, state: Optional[str] = None
    ) -> List[Dict[str, Any]]:
        query = {"limit": limit, "offset": offset, "experiment": experiment, "state": state}
        return self._client.request("GET", self.path, query=query)["items"]

    def create(
        self,
        source: str,
        space: SpaceInput,
        metric: str,
        mode: str = "min",
        aggregate: Optional[str] = None,
        step: Optional[int] = None,
        entry_point: Optional[str] = None,
        fixed: Optional[Dict[str, Any]] = None,
        algorithm: Optional[str] = None,
        pruner: Optional[str] = None,
        trials: Optional[int] = None,
        parallel: Optional[int] = None,
        seed: Optional[int] = None,
        max_duration_seconds: Optional[int] = None,
        trial_max_duration_seconds: Optional[int] = None,
        early_stopping: Optional[EarlyStopping] = None,
        datasets: Optional[Dict[str, str]] = None,
        environment: Optional[str] = None,
        experiment: Optional[str] = None,
        cluster: Optional[str] = None,
        tags: Optional[Dict[str, str]] = None,
        name: Optional[str] = None,
        description: Optional[str] = None,
        wait: bool = False,
        timeout: float = 86400,
        on_trial: Optional[TrialCallback] = None,
    ) -> Dict[str, Any]:
        """Start a tuning of a notebook, a script, or a folder with ``entry_point`` (made absolute here).

        ``space``: ``["lr=loguniform:1e-4:1e-1", "depth=int:2:8", "opt=choice:adam,sgd"]`` (as ``--space``),
        or a dict of those texts or of the API's spec objects; a malformed one raises ``SpaceSpecError``
        naming ``space.<key>`` before anything is sent. ``metric``/``mode``: the objective, a metric the
        trials log, ``"min"`` or ``"max"``; ``aggregate``: its ``"last"`` (default), ``"best"`` or
        ``"step"`` (with ``step``) value. ``algorithm``: ``"tpe"`` (default), ``"random"``, ``"grid"``,
        ``"cmaes"``; ``pruner``: ``"none"`` (default), ``"median"``, ``"hyperband"``. ``trials``: the
        budget (default: the grid's size for grid search, else 20), with ``max_duration_seconds`` the
        wall-time budget; ``parallel``: trials at once. ``fixed``: hyperparameters every trial gets.
        ``wait=True`` polls until it has ended, calling ``on_trial(trial)`` for each trial as it ends.
        """
        body: Dict[str, Any] = {
            "source": {"path": os.path.abspath(source), **({"entryPoint": entry_point} if entry_point else {})},
            "space": parse_space(space),
            "objective": {
                "metric": metric,
                "mode": mode,
                **({"aggregate": aggregate} if aggregate is not None else {}),
                **({"step": step} if step is not None else {}),
            },
            "fixed": {str(k): str(v) for k, v in (fixed or {}).items()},
            "datasets": {k: _dataset_value(v) for k, v in (datasets or {}).items()},
            "tags": tags or {},
        }
        for key, value in (
            ("algorithm", algorithm),
            ("pruner", pruner),
            ("maxTrials", trials),
            ("parallel", parallel),
            ("seed", seed),
            ("maxDurationSeconds", max_duration_seconds),
            ("trialMaxDurationSeconds", trial_max_duration_seconds),
            ("environment", environment),
            ("experiment", experiment),
            ("cluster", cluster),
            ("name", name),
            ("description", description),
        ):
            if value is not None:
                body[key] = value
        if early_stopping is not None:
            body["earlyStopping"] = early_stopping_body(early_stopping)
        tuning = self._client.request("POST", self.path, body)
        return self.wait(tuning["id"], timeout, on_trial) if wait else tuning

    def trials(self, key: str, state: Optional[str] = None, limit: int = 1000, offset: int = 0) -> List[Dict[str, Any]]:
        """Its trials in number order (``state``: only those, e.g. ``"PRUNED"``)."""
        query = {"limit": limit, "offset": offset, "state": state}
        return self._client.request("GET", f"{self.path}/{_quote(key)}/trials", query=query)["items"]

    def wait(self, key: str, timeout: float = 86400, on_trial: Optional[TrialCallback] = None) -> Dict[str, Any]:
        """Poll until the tuning has ended (COMPLETE, FAILED or STOPPED) or the timeout; returns it. With
        ``on_trial``, each trial is handed to it once, as it ends."""
        if on_trial is None:
            return self._wait_until(key, lambda t: t["state"] in SETTLED_TUNING_STATES, timeout, 0.5)
        shown: set = set()
        deadline = time.monotonic() + timeout
        while True:
            tuning = self.get(key)
            for trial in self.trials(tuning["id"]):
                if trial["state"] != "RUNNING" and trial["number"] not in shown:
                    shown.add(trial["number"])
                    on_trial(trial)
            if tuning["state"] in SETTLED_TUNING_STATES or time.monotonic() > deadline:
                return tuning
            time.sleep(0.5)

    def update(
        self, key: str, description: Optional[str] = None, tags: Optional[Dict[str, str]] = None
    ) -> Dict[str, Any]:
        return self._patch(key, description, tags)

    def stop(self, key: str, wait: bool = False, timeout: float = 600) -> Dict[str, Any]:
        """No new trial starts and the running ones are stopped; ``wait=True`` until it is STOPPED."""
        stopping = self._client.request("POST", f"{self.path}/{_quote(key)}/stop")
        return self.wait(stopping["id"], timeout) if wait else stopping

    def copy(
        self,
        key: str,
        name: Optional[str] = None,
        description: Optional[str] = None,
        trials: Optional[int] = None,
        parallel: Optional[int] = None,
        seed: Optional[int] = None,
        max_duration_seconds: Optional[int] = None,
        wait: bool = False,
        timeout: float = 86400,
        on_trial: Optional[TrialCallback] = None,
    ) -> Dict[str, Any]:
        """The same search again as a new tuning: a new study over the same space and source snapshot."""
        body = {
            k: v
            for k, v in (
                ("name", name),
                ("description", description),
                ("maxTrials", trials),
                ("parallel", parallel),
                ("seed", seed),
                ("maxDurationSeconds", max_duration_seconds),
            )
            if v is not None
        }
        copy = self._client.request("POST", f"{self.path}/{_quote(key)}/copy", body)
        return self.wait(copy["id"], timeout, on_trial) if wait else copy

    def delete(self, key: str, trainings: bool = False) -> None:
        """A tuning that has ended, with its study; ``trainings=True`` deletes its trials' trainings too
        (those no model was made from)."""
        self._client.request(
            "DELETE", f"{self.path}/{_quote(key)}", query={"trainings": "true" if trainings else "false"}
        )

    def create_model_from_best(
        self,
        key: str,
        name: str,
        description: Optional[str] = None,
        aliases: Optional[List[str]] = None,
        tags: Optional[Dict[str, str]] = None,
    ) -> Dict[str, Any]:
        """Register what the best trial's training saved in ``EM_MODEL_DIR`` as a model (a new version when
        ``name`` exists). Raises ApiError 409 while no trial is COMPLETE."""
        tuning = self.get(key)
        best = tuning.get("best")
        if not best:
            raise ApiError(
                409, "conflict", f"tuning {tuning['name']} has no COMPLETE trial yet; see client.tunings.trials()"
            )
        return self._client.models.create(
            name, training=best["trainingId"], description=description, aliases=aliases, tags=tags
        )
