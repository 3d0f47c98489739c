"""Helpers for running a built-in recipe as the runner runs it: the bridge's two-line
train.py in a training's folder layout (server-bridge/src/trainings/contract.ts), started as a
script with the EM_* variables and every parameter as ``--key value`` (the catalog's defaults
overlaid by the test's values), from the source folder.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, Optional

from trainings import PYTHON, python_env

TRAIN_PY = """# emkit built-in recipe: {model_type} (no code needed; this file only starts it)
import sys
from emkit.recipes import main
sys.exit(main("{model_type}"))
"""


class Run:
    def __init__(self, folder: Path, completed: subprocess.CompletedProcess):
        self.folder = folder
        self.returncode = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.model_dir = folder / "model"
        self.artifacts = folder / "artifacts"
        self.tensorboard = folder / "tensorboard"
        self.evaluation = self.artifacts / "evaluation"

    @property
    def result(self) -> Dict[str, Any]:
        return json.loads((self.evaluation / "result.json").read_text())

    @property
    def recipe(self) -> Dict[str, Any]:
        return json.loads((self.model_dir / "recipe.json").read_text())

    def error_line(self) -> str:
        """The one line the recipe said before failing."""
        lines = [line for line in self.stderr.splitlines() if line.startswith("[emkit] ")]
        return lines[-1][len("[emkit] ") :] if lines else ""


def defaults(model_type: str) -> Dict[str, str]:
    from emkit.recipes import catalog

    return {p["name"]: p["default"] for p in catalog()[model_type]["parameters"] if p["default"] is not None}


def run_builtin(
    folder: Path,
    model_type: str,
    data: Path,
    hyperparameters: Optional[Dict[str, Any]] = None,
    artifact_variable: bool = True,
    timeout: float = 300,
) -> Run:
    """Trains ``model_type`` on ``data`` in ``folder`` (a training's folder), to the end."""
    source = folder / "source"
    source.mkdir(parents=True)
    (source / "train.py").write_text(TRAIN_PY.format(model_type=model_type))
    hps = {**defaults(model_type), **{k: str(v) for k, v in (hyperparameters or {}).items()}}
    env = {
        "EM_SOURCE_DIR": str(source),
        "EM_ENTRY_POINT": "train.py",
        "EM_MODEL_DIR": str(folder / "model"),
        "EM_CHECKPOINT_DIR": str(folder / "checkpoints"),
        "EM_TENSORBOARD_LOG_DIR": str(folder / "tensorboard"),
        "EM_DATASETS": json.dumps({"train": str(data)}),
        "EM_HPS": json.dumps(hps),
        "EM_REGION": "local",
        "EM_APPKEY": "local",
        "EM_DATASET_TRAIN": str(data),
        "PYTHONUNBUFFERED": "1",
    }
    if artifact_variable:
        env["EM_ARTIFACT_DIR"] = str(folder / "artifacts")
    for key, value in hps.items():
        env[f"EM_HP_{key.upper().replace('-', '_')}"] = value
    for name in ("model", "checkpoints", "tensorboard", "artifacts"):
        (folder / name).mkdir(exist_ok=True)
    args = [item for key, value in hps.items() for item in (f"--{key}", value)]
    completed = subprocess.run(
        [PYTHON, str(source / "train.py"), *args],
        cwd=source,
        env=python_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(folder, completed)


def scalars(tensorboard: Path) -> Dict[str, list]:
    """``{tag: [(step, value)]}`` from the event files."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(tensorboard))
    accumulator.Reload()
    return {tag: [(e.step, e.value) for e in accumulator.Scalars(tag)] for tag in accumulator.Tags()["scalars"]}


def train_in_process(tmp_path, monkeypatch, capsys, model_type: str, data, **hyperparameters):
    """``main`` in this process, with the EM_* variables set by ``monkeypatch`` and the output
    read by ``capsys``: (exit status, the last line said on stderr, stdout)."""
    from emkit.recipes import main

    monkeypatch.setenv("EM_DATASET_TRAIN", str(data))
    monkeypatch.setenv("EM_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("EM_ARTIFACT_DIR", str(tmp_path / "artifacts"))
    monkeypatch.setenv("EM_TENSORBOARD_LOG_DIR", str(tmp_path / "tensorboard"))
    values = {**defaults(model_type), **{k: str(v) for k, v in hyperparameters.items()}}
    status = main(model_type, [item for k, v in values.items() for item in (f"--{k}", v)])
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line.startswith("[emkit] ")]
    return status, lines[-1][len("[emkit] ") :] if lines else "", out
