"""The study process of a tuning (``python -m emkit.tuning``): Optuna's ask/tell behind the pipes, the study
kept in a journal file so a process started again reopens it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

optuna = pytest.importorskip("optuna", reason="optuna is not installed (the package's tuning extra)")

from emkit.tuning.study import Study, grid_values  # noqa: E402

SRC = os.path.join(os.path.dirname(__file__), "..", "src")


def write_spec(folder, space, **settings) -> str:
    spec = {"space": space, "mode": "min", "algorithm": "random", "pruner": "none", "seed": 1, "parallel": 1}
    spec.update(settings)
    with open(os.path.join(folder, "tuning.json"), "w", encoding="utf-8") as file:
        json.dump(spec, file)
    return str(folder)


UNIFORM = {"x": {"type": "uniform", "low": -5, "high": 5}}


def test_grid_values_of_each_enumerable_type():
    assert grid_values({"type": "int", "low": 1, "high": 7, "step": 3}) == [1, 4, 7]
    assert grid_values({"type": "discrete", "low": 0.1, "high": 0.3, "step": 0.1}) == [0.1, 0.2, 0.3]
    assert grid_values({"type": "choice", "values": ["a", True, 2]}) == ["a", True, 2]
    with pytest.raises(ValueError, match="grid"):
        grid_values({"type": "uniform", "low": 0, "high": 1})


def test_ask_tell_and_the_trials_as_stored(tmp_path):
    study = Study(write_spec(tmp_path, UNIFORM))
    first, second = study.ask(), study.ask()
    assert (first["number"], second["number"]) == (0, 1)
    assert -5 <= first["params"]["x"] <= 5
    assert study.tell(0, 1.5, "complete") == {"told": "complete"}
    assert study.tell(1, None, "pruned") == {"told": "pruned"}
    # a restarted bridge may tell again: the study says it knows
    assert study.tell(0, 1.5, "complete") == {"already": "complete"}
    stored = [(t["number"], t["state"], t["value"]) for t in study.trials()]
    assert stored == [(0, "COMPLETE", 1.5), (1, "PRUNED", None)]


def test_a_reopened_study_goes_on_without_drawing_the_same_values_again(tmp_path):
    folder = write_spec(tmp_path, UNIFORM)
    first = Study(folder)
    asked = [first.ask() for _ in range(3)]
    first.tell(0, 1.0, "complete")
    again = Study(folder)
    assert again.reopened == 3
    # the running trials are still there to be told, from the new process
    assert again.tell(1, 2.0, "complete") == {"told": "complete"}
    nxt = again.ask()
    assert nxt["number"] == 3
    assert nxt["params"]["x"] not in [a["params"]["x"] for a in asked]


def test_a_grid_is_covered_once_across_a_reopen_and_its_last_tell_succeeds(tmp_path):
    space = {"x": {"type": "int", "low": 0, "high": 2}, "y": {"type": "choice", "values": ["a", "b"]}}
    folder = write_spec(tmp_path, space, algorithm="grid")
    study = Study(folder)
    seen = []
    for _ in range(3):
        trial = study.ask()
        seen.append((trial["params"]["x"], trial["params"]["y"]))
        study.tell(trial["number"], 1.0, "complete")
    study = Study(folder)
    for _ in range(3):
        trial = study.ask()
        seen.append((trial["params"]["x"], trial["params"]["y"]))
        # Optuna's own GridSampler would call study.stop() here at the last point, outside optimize: an error
        assert study.tell(trial["number"], 1.0, "complete") == {"told": "complete"}
    assert sorted(seen) == [(x, y) for x in range(3) for y in ("a", "b")]


def test_the_pruner_stops_a_worse_trial_but_never_one_as_good_as_the_best(tmp_path):
    study = Study(write_spec(tmp_path, UNIFORM, pruner="median"))
    # three complete trials: the median at every step is 2
    for values in ([1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0], [3.0, 3.0, 3.0, 3.0]):
        number = study.ask()["number"]
        assert study.report(number, list(enumerate(values))) == {"prune": False}
        study.tell(number, values[-1], "complete")
    worse = study.ask()["number"]
    assert study.report(worse, [(0, 9.0), (1, 9.0), (2, 9.0)]) == {"prune": True}
    better = study.ask()["number"]
    assert study.report(better, [(0, 0.5), (1, 0.5), (2, 0.5)]) == {"prune": False}
    # NaN and infinity are not reported (Optuna would refuse them)
    assert study.report(better, [(3, float("nan"))]) == {"prune": False}


def test_importance_once_two_trials_are_complete(tmp_path):
    space = {"x": {"type": "uniform", "low": -5, "high": 5}, "n": {"type": "int", "low": 1, "high": 4}}
    study = Study(write_spec(tmp_path, space))
    number = study.ask()["number"]
    study.tell(number, 1.0, "complete")
    assert study.importance() is None
    for value in (2.0, 3.0, 0.5):
        number = study.ask()["number"]
        study.tell(number, value, "complete")
    importance = study.importance()
    assert importance is not None
    assert set(importance) == {"x", "n"}
    assert sum(importance.values()) == pytest.approx(1.0)


def test_cma_es_asks_and_is_told(tmp_path):
    pytest.importorskip("cmaes", reason="cmaes is not installed (Optuna's CMA-ES sampler needs it)")
    space = {"x": {"type": "uniform", "low": -5, "high": 5}, "y": {"type": "uniform", "low": -5, "high": 5}}
    study = Study(write_spec(tmp_path, space, algorithm="cmaes"))
    for _ in range(6):
        trial = study.ask()
        x, y = trial["params"]["x"], trial["params"]["y"]
        study.tell(trial["number"], (x - 2) ** 2 + (y + 1) ** 2, "complete")
    assert [t["state"] for t in study.trials()] == ["COMPLETE"] * 6


def run_process(folder, lines):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(SRC))
    done = subprocess.run(
        [sys.executable, "-m", "emkit.tuning", folder],
        input="".join(line + "\n" for line in lines),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()]


def test_the_pipes_answer_each_request_with_its_id_and_a_bad_one_with_an_error(tmp_path):
    folder = write_spec(tmp_path, UNIFORM)
    code, answers = run_process(
        folder,
        [
            json.dumps({"op": "ask", "id": 1}),
            "not json",
            json.dumps({"op": "fly", "id": 2}),
            json.dumps({"op": "tell", "number": 0, "value": 0.5, "id": 3}),
            json.dumps({"op": "importance", "id": 4}),
        ],
    )
    assert code == 0
    assert answers[0]["ready"] is True
    by_id = {a.get("id"): a for a in answers[1:]}
    assert by_id[1]["number"] == 0
    assert "not JSON" in by_id[None]["error"]
    assert "unknown op" in by_id[2]["error"]
    assert by_id[3] == {"told": "complete", "id": 3}
    assert by_id[4] == {"importance": None, "id": 4}


def test_a_prune_decision_goes_through_the_pipes_as_json(tmp_path):
    # the pruners answer numpy's bool, which json can't write: this ended the process before
    folder = write_spec(tmp_path, UNIFORM, pruner="median")
    lines = []
    for number, value in enumerate((1.0, 2.0, 3.0)):
        lines.append(json.dumps({"op": "ask", "id": f"a{number}"}))
        lines.append(json.dumps({"op": "report", "number": number, "points": [[0, value], [1, value], [2, value]]}))
        lines.append(json.dumps({"op": "tell", "number": number, "value": value}))
    lines.append(json.dumps({"op": "ask", "id": "worse"}))
    lines.append(json.dumps({"op": "report", "number": 3, "points": [[0, 9.0], [1, 9.0], [2, 9.0]], "id": "worse"}))
    lines.append(json.dumps({"op": "ask", "id": "better"}))
    lines.append(json.dumps({"op": "report", "number": 4, "points": [[0, 1.5], [1, 1.5], [2, 1.5]], "id": "better"}))
    code, answers = run_process(folder, lines)
    assert code == 0
    verdicts = {a["id"]: a for a in answers[1:] if "prune" in a and a.get("id") in ("worse", "better")}
    assert verdicts == {"worse": {"prune": True, "id": "worse"}, "better": {"prune": False, "id": "better"}}


def test_a_folder_without_a_spec_is_said_and_the_process_exits(tmp_path):
    code, answers = run_process(str(tmp_path), [])
    assert code == 3
    assert "could not be opened" in answers[0]["error"]
