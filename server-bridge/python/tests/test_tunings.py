"""``client.tunings`` and ``%emkit tune`` / ``%emkit tunings`` against the real bridge: real trials (each a
training of a script or a notebook whose loss has a known minimum), the best made a model, and bad input
refused with the parameter named."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

import emkit
from emkit.space_spec import SpaceSpecError
from magics import run


def _bridge_python_has_optuna() -> bool:
    """The bridge runs the study with EMKIT_PYTHON, else the python3 on the PATH it inherits from here."""
    python = os.environ.get("EMKIT_PYTHON") or shutil.which("python3")
    return bool(python) and subprocess.run([python, "-c", "import optuna"], capture_output=True).returncode == 0


# a study needs Optuna where the bridge runs it (npm test puts the project's .venv first on the PATH)
pytestmark = pytest.mark.skipif(
    not _bridge_python_has_optuna(), reason="optuna is not installed in the bridge's Python (python3 on the PATH)"
)

# loss (x-2)² + (y+1)² + 1/(step+1) logged per step; then a custom model saved, so the best can become one
SAVE_MODEL = (
    "import os, pathlib\n"
    "(pathlib.Path(os.environ['EM_MODEL_DIR']) / 'predict.py').write_text(\n"
    "    'def load():\\n    return None\\n\\ndef predict(model, instances):\\n    return [0 for _ in instances]\\n'\n"
    ")\n"
)
LOSS = (
    "from emkit.tracking import flush, log_metric\n"
    "for step in range(int(steps)):\n"
    "    log_metric('loss', (float(x) - 2) ** 2 + (float(y) + 1) ** 2 + 1.0 / (step + 1), step)\n"
    "flush()\n"
)
SCRIPT = (
    "import argparse\n"
    "parser = argparse.ArgumentParser()\n"
    "for key, default in (('x', '0'), ('y', '0'), ('steps', '2')):\n"
    "    parser.add_argument('--' + key, default=default)\n"
    "args, _ = parser.parse_known_args()\n"
    "x, y, steps = args.x, args.y, args.steps\n" + LOSS + SAVE_MODEL
)


def _notebook(path: Path) -> Path:
    """A notebook whose parameters cell the trials' values replace, papermill style."""
    cells = [
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "x = 0.0\ny = 0\nsteps = 2\n"},
        {"cell_type": "code", "metadata": {}, "source": LOSS + SAVE_MODEL},
    ]
    for cell in cells:
        cell.update({"execution_count": None, "outputs": []})
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_client_round_trip(client, tmp_path, unique_name):
    (tmp_path / "train.py").write_text(SCRIPT)
    name = unique_name("tune")
    ended: List[Dict[str, Any]] = []
    done = client.tunings.create(
        str(tmp_path / "train.py"),
        ["x=uniform:-5:5", "y=choice:-1,0,1"],
        "loss",
        "min",
        fixed={"steps": 2},
        algorithm="random",
        trials=3,
        parallel=2,
        seed=11,
        name=name,
        wait=True,
        timeout=180,
        on_trial=ended.append,
    )
    assert done["state"] == "COMPLETE", done
    assert done["space"] == {
        "x": {"type": "uniform", "low": -5, "high": 5},
        "y": {"type": "choice", "values": [-1, 0, 1]},
    }
    assert done["fixed"] == {"steps": "2"}
    # each trial handed over once, as it ended
    assert sorted(t["number"] for t in ended) == [0, 1, 2]
    trials = client.tunings.trials(name)
    assert [t["number"] for t in trials] == [0, 1, 2]
    assert all(t["state"] == "COMPLETE" for t in trials)
    best = min(trials, key=lambda t: t["value"])
    assert done["best"]["number"] == best["number"]
    assert client.tunings.trials(name, state="PRUNED") == []
    assert name in [t["name"] for t in client.tunings.list()]
    assert client.tunings.update(name, description="three random trials")["description"] == "three random trials"

    model = client.tunings.create_model_from_best(name, unique_name("best"))
    assert model["source"]["training"]["id"] == done["best"]["trainingId"]

    copy = client.tunings.copy(name, name=f"{name}-again", trials=1, wait=True, timeout=180)
    assert copy["state"] == "COMPLETE" and copy["copiedFrom"] == done["id"] and copy["maxTrials"] == 1

    client.tunings.delete(copy["id"], trainings=True)
    with pytest.raises(emkit.ApiError) as gone:
        client.tunings.get(copy["id"])
    assert gone.value.status == 404


def test_client_refuses_a_bad_space_naming_the_parameter(client, tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    with pytest.raises(SpaceSpecError) as here:
        client.tunings.create(str(tmp_path / "train.py"), ["x=loguniform:0:1"], "loss")
    assert here.value.field == "space.x" and "log scale needs low above 0" in str(here.value)
    with pytest.raises(SpaceSpecError, match="The space is empty"):
        client.tunings.create(str(tmp_path / "train.py"), {}, "loss")
    # what only the bridge knows: grid search has no grid of a continuous parameter
    with pytest.raises(emkit.ApiError) as bridge_said:
        client.tunings.create(str(tmp_path / "train.py"), {"x": "uniform:0:1"}, "loss", algorithm="grid")
    assert bridge_said.value.status == 400 and bridge_said.value.field == "space.x"


def test_no_model_without_a_complete_trial(client, tmp_path, unique_name):
    (tmp_path / "train.py").write_text(SCRIPT)
    name = unique_name("unlogged")
    done = client.tunings.create(
        str(tmp_path / "train.py"), ["x=int:0:3"], "val_accuracy", "max", trials=3, name=name, wait=True, timeout=180
    )
    assert done["state"] == "FAILED" and "val_accuracy" in (done["stateReason"] or "")
    with pytest.raises(emkit.ApiError) as refused:
        client.tunings.create_model_from_best(name, "never")
    assert refused.value.status == 409 and "no COMPLETE trial" in str(refused.value)


def test_magics_tune_the_current_notebook(shell, bridge_env, tmp_path, monkeypatch, unique_name):
    notebook = _notebook(tmp_path / "quadratic.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))  # as Jupyter Server tells the kernel
    name = unique_name("nb")
    tuned = run(
        shell,
        f"%emkit tune --space x=uniform:-5:5 --space y=int:-2:2 --metric loss --mode min --trials 2 "
        f"--algorithm random --seed 3 --name {name} --wait",
    )
    assert tuned.error is None, tuned.text
    record = tuned.value
    assert record["state"] == "COMPLETE" and record["source"]["kind"] == "notebook"
    assert "quadratic.ipynb" in json.dumps(record["source"])
    assert record["name"] == name
    # the live view ended showing the trials as they ended
    assert any("trial 0 COMPLETE" in html for html in tuned.html()), tuned.html()[-1:]

    listed = run(shell, "%emkit tunings")
    assert listed.error is None and name in [t["name"] for t in listed.value]
    trials = run(shell, f"%emkit tunings trials {name}")
    assert [t["state"] for t in trials.value] == ["COMPLETE", "COMPLETE"]
    # the values reached the parameters cell: the objective is the loss of those values
    for trial in trials.value:
        x, y = trial["params"]["x"], trial["params"]["y"]
        assert trial["value"] == pytest.approx((x - 2) ** 2 + (y + 1) ** 2 + 0.5)
    model = run(shell, f"%emkit tunings model {name} --name {unique_name('nbbest')}")
    assert model.error is None, model.text
    assert model.value["source"]["training"]["id"] == record["best"]["trainingId"]
    gone = run(shell, f"%emkit tunings delete {name}")
    assert gone.error is None and "deleted" in gone.stdout


def test_magics_bad_input_is_one_line(shell, bridge_env, tmp_path):
    (tmp_path / "train.py").write_text(SCRIPT)
    bad = run(shell, f"%emkit tune {tmp_path / 'train.py'} --space x=uniform:3:1 --metric loss --mode min")
    assert "space.x: low (3) must be below high (1)" in bad.one_line_error()
    twice = run(shell, f"%emkit tune {tmp_path / 'train.py'} --space x=int:1:2 --space x=int:1:3 --metric l --mode min")
    assert "space.x is given twice" in twice.one_line_error()
    grid = run(
        shell, f"%emkit tune {tmp_path / 'train.py'} --space x=uniform:0:1 --metric l --mode min --algorithm grid"
    )
    assert grid.one_line_error().startswith("emkit: space.x: ")
    missing = run(shell, "%emkit tunings get no-such-tuning")
    assert "doesn't exist" in missing.one_line_error()
